import * as React from 'react';

import { Breakable } from './Breakable';

/**
 * The message with the sign-in address as a link: where the sentence names it, else after it.
 */
function withLoginLink(message: string, loginUrl: string): React.ReactNode {
  const link = (text: string) => (
    <a
      className="jp-escape-ErrorBanner-login"
      href={loginUrl}
      target="_blank"
      rel="noopener noreferrer"
      aria-label={text}
    >
      {/* An address breaks after its "/", ".", ":" only, never inside a word. */}
      <Breakable text={text} />
    </a>
  );
  const at = message.indexOf(loginUrl);
  if (at < 0) {
    return (
      <>
        {message} {link('Sign in again')}
      </>
    );
  }
  return (
    <>
      {message.slice(0, at)}
      {link(loginUrl)}
      {message.slice(at + loginUrl.length)}
    </>
  );
}

/**
 * A failure, shown with the server's message as written, and an optional retry; when the server
 * says where to sign in again (`login_url` of the error envelope), that address is a link.
 */
export function ErrorBanner(props: {
  message: string;
  retryLabel?: string;
  onRetry?: () => void;
  loginUrl?: string | null;
}): JSX.Element {
  return (
    <div className="jp-escape-ErrorBanner" role="alert">
      <span className="jp-escape-ErrorBanner-message">
        {props.loginUrl
          ? withLoginLink(props.message, props.loginUrl)
          : props.message}
      </span>
      {props.onRetry && (
        // A neutral button, as Retry in the toasts: retrying is safe, nothing to warn of.
        <button
          className="jp-mod-styled jp-escape-ErrorBanner-retry"
          onClick={props.onRetry}
        >
          {props.retryLabel ?? 'Retry'}
        </button>
      )}
    </div>
  );
}
