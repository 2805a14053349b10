import * as React from 'react';

/** A failure, shown with the server's message as written, and an optional retry. */
export function ErrorBanner(props: {
  message: string;
  retryLabel?: string;
  onRetry?: () => void;
}): JSX.Element {
  return (
    <div className="jp-escape-ErrorBanner" role="alert">
      <span className="jp-escape-ErrorBanner-message">{props.message}</span>
      {props.onRetry && (
        <button className="jp-mod-styled jp-mod-warn" onClick={props.onRetry}>
          {props.retryLabel ?? 'Retry'}
        </button>
      )}
    </div>
  );
}
