/**
 * "REANA secrets": the user's secrets by name and type, a form to add an environment or a file
 * secret, and delete with confirmation. A value is typed (masked) or read from a workspace file,
 * sent once, and never shown again: REANA and the server list names and types only.
 */
import { nullTranslator, TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { ErrorBanner } from '../../common/ErrorBanner';
import { useSignal } from '../../common/useSignal';
import { ISecretDraft, SecretsModel, validName } from './secretsModel';

const EMPTY: ISecretDraft = {
  name: '',
  type: 'env',
  value: '',
  source: 'workspace',
  path: ''
};

export function SecretsView(props: {
  model: SecretsModel;
  trans?: TranslationBundle;
  /** The file browser's selected file, offered as a file secret's source. */
  selectedFile?: () => string | null;
}): JSX.Element {
  const { model } = props;
  const trans = props.trans ?? nullTranslator.load('jupyterlab_escape');
  useSignal(model.stateChanged);
  const [draft, setDraft] = React.useState<ISecretDraft>(EMPTY);
  const [confirming, setConfirming] = React.useState<string | null>(null);
  React.useEffect(() => {
    if (model.secrets === null && !model.loading) {
      void model.refresh();
    }
  }, [model]);
  const set = (change: Partial<ISecretDraft>) => {
    model.clearAddError();
    setDraft(d => ({ ...d, ...change }));
  };
  const name = draft.name.trim();
  const badName = name !== '' && !validName(name, draft.type);
  const hasValue =
    draft.type === 'file' && draft.source === 'workspace'
      ? draft.path.trim() !== ''
      : draft.value !== '';
  const canAdd = name !== '' && !badName && hasValue && !model.saving;
  const add = async () => {
    if (!canAdd) {
      return;
    }
    if (await model.add({ ...draft, name })) {
      // The value leaves the page with the request: the form forgets it.
      setDraft({ ...EMPTY, type: draft.type, source: draft.source });
    }
  };
  const change = model.lastChange;
  const secrets = model.secrets ?? [];

  return (
    <div className="jp-escape-Secrets">
      <h2>{trans.__('REANA secrets')}</h2>
      <p className="jp-escape-Secrets-intro">
        {trans.__(
          'Secrets reach your workflow jobs without being written in reana.yaml: an environment secret becomes a variable of every job, a file secret is mounted at /etc/reana/secrets/<name>. Values are sent to REANA once and never shown again.'
        )}
      </p>
      {model.error && (
        <ErrorBanner
          message={model.error}
          retryLabel={trans.__('Retry')}
          onRetry={() => void model.refresh()}
        />
      )}
      {change && (
        <p className="jp-escape-Secrets-notice" role="status">
          {change.kind === 'added'
            ? trans.__('%1 added.', change.name)
            : trans.__('%1 deleted.', change.name)}
        </p>
      )}
      <table
        className="jp-escape-Secrets-table"
        aria-label={trans.__('Your secrets')}
      >
        <thead>
          <tr>
            <th>{trans.__('Name')}</th>
            <th>{trans.__('Type')}</th>
            <th>{trans.__('Value')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {secrets.map(secret => (
            <tr key={secret.name}>
              <td>
                <code>{secret.name}</code>
              </td>
              <td>
                {secret.type === 'env'
                  ? trans.__('environment variable')
                  : trans.__('file')}
              </td>
              <td className="jp-escape-Secrets-hidden">{trans.__('hidden')}</td>
              <td className="jp-escape-Secrets-actions">
                {confirming === secret.name ? (
                  <span role="group" aria-label={trans.__('Confirm deletion')}>
                    <span className="jp-escape-Secrets-confirm">
                      {trans.__('Delete %1?', secret.name)}
                    </span>
                    <button
                      className="jp-mod-styled jp-mod-warn"
                      onClick={() => {
                        setConfirming(null);
                        void model.remove(secret.name);
                      }}
                    >
                      {trans.__('Delete')}
                    </button>
                    <button
                      className="jp-mod-styled"
                      onClick={() => setConfirming(null)}
                    >
                      {trans.__('Cancel')}
                    </button>
                  </span>
                ) : (
                  <button
                    className="jp-mod-styled"
                    aria-label={trans.__('Delete %1', secret.name)}
                    onClick={() => setConfirming(secret.name)}
                  >
                    {trans.__('Delete…')}
                  </button>
                )}
              </td>
            </tr>
          ))}
          {model.secrets !== null && secrets.length === 0 && (
            <tr>
              <td colSpan={4} className="jp-escape-Secrets-empty">
                {trans.__('No secrets yet.')}
              </td>
            </tr>
          )}
          {model.secrets === null && model.loading && (
            <tr>
              <td colSpan={4} className="jp-escape-Secrets-empty">
                {trans.__('Asking REANA…')}
              </td>
            </tr>
          )}
        </tbody>
      </table>

      <form
        className="jp-escape-Secrets-form"
        aria-label={trans.__('Add a secret')}
        onSubmit={e => {
          e.preventDefault();
          void add();
        }}
      >
        <h3>{trans.__('Add a secret')}</h3>
        <div
          className="jp-escape-Secrets-choice"
          role="radiogroup"
          aria-label={trans.__('Type')}
        >
          <label>
            <input
              type="radio"
              name="secret-type"
              checked={draft.type === 'env'}
              onChange={() => set({ type: 'env' })}
            />
            {trans.__('Environment variable')}
          </label>
          <label>
            <input
              type="radio"
              name="secret-type"
              checked={draft.type === 'file'}
              onChange={() => set({ type: 'file' })}
            />
            {trans.__('File')}
          </label>
        </div>
        <label className="jp-escape-Secrets-field">
          <span>{trans.__('Name')}</span>
          <input
            className="jp-mod-styled"
            aria-label={trans.__('Secret name')}
            value={draft.name}
            autoComplete="off"
            spellCheck={false}
            placeholder={
              draft.type === 'env' ? 'RUCIO_USERNAME' : 'usercert.pem'
            }
            onChange={e => set({ name: e.target.value })}
          />
        </label>
        {badName && (
          <p className="jp-escape-Workflows-Issue-error">
            {draft.type === 'env'
              ? trans.__(
                  "An environment secret's name is a variable name: letters, digits, '_'."
                )
              : trans.__(
                  "A file secret's name is a file name: letters, digits, '_', '.', '-'."
                )}
          </p>
        )}
        {draft.type === 'env' ? (
          <label className="jp-escape-Secrets-field">
            <span>{trans.__('Value')}</span>
            <input
              className="jp-mod-styled"
              type="password"
              aria-label={trans.__('Secret value')}
              value={draft.value}
              autoComplete="new-password"
              onChange={e => set({ value: e.target.value })}
            />
          </label>
        ) : (
          <>
            <div
              className="jp-escape-Secrets-choice"
              role="radiogroup"
              aria-label={trans.__('Content')}
            >
              <label>
                <input
                  type="radio"
                  name="secret-source"
                  checked={draft.source === 'workspace'}
                  onChange={() => set({ source: 'workspace' })}
                />
                {trans.__('A file in the workspace')}
              </label>
              <label>
                <input
                  type="radio"
                  name="secret-source"
                  checked={draft.source === 'paste'}
                  onChange={() => set({ source: 'paste' })}
                />
                {trans.__('Paste the content')}
              </label>
            </div>
            {draft.source === 'workspace' ? (
              <div className="jp-escape-Secrets-field">
                <span>{trans.__('Workspace file')}</span>
                <div className="jp-escape-Secrets-path">
                  <input
                    className="jp-mod-styled"
                    aria-label={trans.__('Workspace file path')}
                    placeholder="certs/usercert.pem"
                    value={draft.path}
                    spellCheck={false}
                    onChange={e => set({ path: e.target.value })}
                  />
                  {props.selectedFile && (
                    <button
                      type="button"
                      className="jp-mod-styled"
                      title={trans.__(
                        "Use the file selected in JupyterLab's file browser"
                      )}
                      onClick={() => {
                        const path = props.selectedFile?.();
                        if (path) {
                          set({
                            path,
                            name: draft.name || (path.split('/').pop() ?? '')
                          });
                        }
                      }}
                    >
                      {trans.__('Use selected file')}
                    </button>
                  )}
                </div>
              </div>
            ) : (
              <label className="jp-escape-Secrets-field">
                <span>{trans.__('Content')}</span>
                <textarea
                  className="jp-mod-styled"
                  aria-label={trans.__('Secret content')}
                  rows={5}
                  spellCheck={false}
                  value={draft.value}
                  onChange={e => set({ value: e.target.value })}
                />
              </label>
            )}
          </>
        )}
        {model.addError && <ErrorBanner message={model.addError} />}
        <div className="jp-escape-Secrets-formActions">
          <button
            type="submit"
            className="jp-mod-styled jp-mod-accept"
            disabled={!canAdd}
          >
            {model.saving ? trans.__('Adding…') : trans.__('Add secret')}
          </button>
        </div>
      </form>
    </div>
  );
}
