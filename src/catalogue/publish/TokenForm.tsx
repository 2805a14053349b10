import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { ErrorBanner } from '../../common/ErrorBanner';
import { errorMessage } from '../../request';
import { IPublishApi, IZenodoIdentity } from './api';

/**
 * The Zenodo token entry. The token goes to the server, which checks its scopes and stores it;
 * it is never shown back (the field empties after saving).
 */
export function TokenForm(props: {
  api: IPublishApi;
  identity: IZenodoIdentity | null;
  trans: TranslationBundle;
  onChanged: (identity: IZenodoIdentity) => void;
}): JSX.Element {
  const { trans, identity } = props;
  const [token, setToken] = React.useState('');
  const [sandbox, setSandbox] = React.useState(identity?.sandbox ?? false);
  const [busy, setBusy] = React.useState(false);
  const [error, setError] = React.useState<string | null>(null);
  const [editing, setEditing] = React.useState(!identity?.stored);
  React.useEffect(() => {
    setEditing(!identity?.stored);
    setSandbox(identity?.sandbox ?? false);
  }, [identity?.stored, identity?.sandbox]);

  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      const next = await props.api.saveToken(token.trim(), sandbox);
      setToken('');
      setEditing(false);
      props.onChanged(next);
    } catch (reason) {
      setError(errorMessage(reason));
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      await props.api.clearToken();
      const next = await props.api.identity();
      setEditing(true);
      props.onChanged(next);
    } catch (reason) {
      setError(errorMessage(reason));
    } finally {
      setBusy(false);
    }
  };

  const where = (sb: boolean) =>
    sb
      ? trans.__('the Zenodo sandbox (%1)', identity?.sandbox_url ?? '')
      : trans.__('Zenodo (%1)', identity?.url ?? '');

  if (identity?.stored && !editing) {
    return (
      <div
        className="jp-escape-Publish-token"
        aria-label={trans.__('Zenodo token settings')}
      >
        <span>
          {trans.__(
            'Your Zenodo token is stored on the server for %1.',
            where(identity.sandbox)
          )}
        </span>
        <button className="jp-mod-styled" onClick={() => setEditing(true)}>
          {trans.__('Replace token…')}
        </button>
        <button
          className="jp-mod-styled"
          disabled={busy}
          onClick={() => void remove()}
        >
          {trans.__('Remove token')}
        </button>
        {error && <ErrorBanner message={error} />}
      </div>
    );
  }
  return (
    <form
      className="jp-escape-Publish-token jp-escape-Publish-tokenForm"
      aria-label={trans.__('Zenodo token settings')}
      onSubmit={event => {
        event.preventDefault();
        void save();
      }}
    >
      <p>
        {trans.__(
          'Publishing needs a Zenodo personal access token with the scopes %1. It is kept on the server, readable by you alone, and never shown again.',
          (identity?.scopes ?? ['deposit:write', 'deposit:actions']).join(', ')
        )}
      </p>
      <label>
        {trans.__('Zenodo token')}
        <input
          className="jp-mod-styled"
          type="password"
          autoComplete="off"
          value={token}
          onChange={e => setToken(e.target.value)}
        />
      </label>
      <label className="jp-escape-Publish-check">
        <input
          type="checkbox"
          checked={sandbox}
          onChange={e => setSandbox(e.target.checked)}
        />
        {trans.__(
          'Use the Zenodo sandbox (for trying things out: its DOIs are not real)'
        )}
      </label>
      <div className="jp-escape-Publish-buttons">
        <button
          type="submit"
          className="jp-mod-styled jp-mod-accept"
          disabled={busy || !token.trim()}
        >
          {trans.__('Save token')}
        </button>
        {identity?.stored && (
          <button
            type="button"
            className="jp-mod-styled"
            onClick={() => setEditing(false)}
          >
            {trans.__('Cancel')}
          </button>
        )}
      </div>
      {error && <ErrorBanner message={error} />}
    </form>
  );
}
