import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { ErrorBanner } from '../../common/ErrorBanner';
import { useModel } from '../components/useModel';
import { IPublishApi, ZenodoUpload } from './api';
import { TokenForm } from './TokenForm';
import { UploadsModel } from './uploadsModel';

export interface IUploadsActions {
  /** Open the publish panel for a folder (asks which). */
  publish: () => void;
  newVersion: (upload: ZenodoUpload) => void;
  editMetadata: (upload: ZenodoUpload) => void;
  /** Open a draft's panel again (its folder is asked for). */
  openRecord: (recordId: string) => void;
}

function statusLabel(upload: ZenodoUpload, trans: TranslationBundle): string {
  switch (upload.status) {
    case 'published':
      return trans.__('published');
    case 'editing':
      return trans.__('published, being edited');
    default:
      return trans.__('draft (private)');
  }
}

/**
 * Where a record stands with its community, in the same words in "My uploads" and in the
 * publish panel (review s3 §21): "Community escape2020: waiting for the curators".
 */
export function communityLabel(
  upload: ZenodoUpload,
  trans: TranslationBundle
): string {
  const { slug, status } = upload.community;
  if (!slug) {
    return trans.__('no community');
  }
  const words: Record<string, string> = {
    none: trans.__('not requested'),
    on_publish: trans.__('requested when published'),
    submitted: trans.__('waiting for the curators'),
    accepted: trans.__('accepted'),
    declined: trans.__('declined'),
    cancelled: trans.__('cancelled')
  };
  return trans.__('Community %1: %2', slug, words[status] ?? status);
}

function DiscardButton(props: {
  upload: ZenodoUpload;
  model: UploadsModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { upload, model, trans } = props;
  const draft = upload.status === 'draft';
  if (model.confirming !== upload.id) {
    return (
      <button
        className="jp-mod-styled jp-mod-warn"
        onClick={() => model.askDiscard(upload.id)}
      >
        {draft ? trans.__('Discard') : trans.__('Discard changes')}
      </button>
    );
  }
  return (
    <span className="jp-escape-Uploads-confirm" role="group">
      <span>
        {draft
          ? trans.__(
              'Delete this draft and its files on Zenodo? Nothing was public.'
            )
          : trans.__('Drop the unpublished changes to this record?')}
      </span>
      <button
        className="jp-mod-styled jp-mod-warn"
        onClick={() => void model.discard(upload)}
      >
        {draft ? trans.__('Delete draft') : trans.__('Drop changes')}
      </button>
      <button className="jp-mod-styled" onClick={() => model.askDiscard(null)}>
        {trans.__('Keep')}
      </button>
    </span>
  );
}

function Upload(props: {
  upload: ZenodoUpload;
  model: UploadsModel;
  trans: TranslationBundle;
  actions: IUploadsActions;
}): JSX.Element {
  const { upload, model, trans, actions } = props;
  return (
    <li
      className="jp-escape-Uploads-item"
      data-status={upload.status}
      data-id={upload.id}
    >
      <div className="jp-escape-Uploads-title">
        {upload.title || trans.__('(untitled)')}
        {upload.version && (
          <span className="jp-escape-Publish-muted"> {upload.version}</span>
        )}
      </div>
      <div className="jp-escape-Uploads-meta">
        <span className={`jp-escape-Uploads-status jp-mod-${upload.status}`}>
          {statusLabel(upload, trans)}
        </span>
        <span>{communityLabel(upload, trans)}</span>
        {upload.doi && <code>{upload.doi}</code>}
      </div>
      <div className="jp-escape-Uploads-actions">
        {upload.record_id && upload.status === 'published' && (
          <>
            <button
              className="jp-mod-styled"
              onClick={() => actions.openRecord(upload.record_id!)}
            >
              {trans.__('Show')}
            </button>
            <button
              className="jp-mod-styled"
              onClick={() => actions.newVersion(upload)}
            >
              {trans.__('New version')}
            </button>
            <button
              className="jp-mod-styled"
              onClick={() => actions.editMetadata(upload)}
            >
              {trans.__('Edit metadata')}
            </button>
          </>
        )}
        {upload.status !== 'published' && (
          <DiscardButton upload={upload} model={model} trans={trans} />
        )}
        {upload.html && (
          <a href={upload.html} target="_blank" rel="noopener noreferrer">
            {trans.__('Zenodo page')}
          </a>
        )}
      </div>
    </li>
  );
}

/** "My uploads" in the catalogue sidebar. */
export function UploadsView(props: {
  model: UploadsModel;
  api: IPublishApi;
  trans: TranslationBundle;
  actions: IUploadsActions;
}): JSX.Element {
  const { model, trans, actions } = props;
  useModel(model);
  React.useEffect(() => {
    if (!model.loaded && !model.loading) {
      void model.refresh();
    }
  }, [model]);
  return (
    <div className="jp-escape-Uploads">
      <div className="jp-escape-Publish-buttons">
        <button
          className="jp-mod-styled jp-mod-accept"
          onClick={actions.publish}
        >
          {trans.__('Publish a folder…')}
        </button>
        <button
          className="jp-mod-styled"
          disabled={model.loading}
          onClick={() => void model.refresh()}
        >
          {trans.__('Refresh')}
        </button>
      </div>
      {model.loaded && (
        <TokenForm
          api={props.api}
          identity={model.identity}
          trans={trans}
          onChanged={identity => model.setIdentity(identity)}
        />
      )}
      {model.error && (
        <ErrorBanner
          message={model.error}
          onRetry={() => void model.refresh()}
        />
      )}
      {model.loading && <p>{trans.__('Loading your uploads…')}</p>}
      {model.identity?.stored && model.loaded && !model.loading && (
        <>
          <h3>
            {model.sandbox
              ? trans.__('Drafts (Zenodo sandbox)')
              : trans.__('Drafts')}
          </h3>
          {model.drafts.length === 0 ? (
            <p className="jp-escape-Publish-muted">{trans.__('No drafts.')}</p>
          ) : (
            <ul className="jp-escape-Uploads-list">
              {model.drafts.map(u => (
                <Upload
                  key={u.id}
                  upload={u}
                  model={model}
                  trans={trans}
                  actions={actions}
                />
              ))}
            </ul>
          )}
          <h3>{trans.__('Published')}</h3>
          {model.published.length === 0 ? (
            <p className="jp-escape-Publish-muted">
              {trans.__('Nothing published yet.')}
            </p>
          ) : (
            <ul className="jp-escape-Uploads-list">
              {model.published.map(u => (
                <Upload
                  key={u.id}
                  upload={u}
                  model={model}
                  trans={trans}
                  actions={actions}
                />
              ))}
            </ul>
          )}
        </>
      )}
    </div>
  );
}
