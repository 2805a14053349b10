import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { formatBytes } from '../../common/format';
import { ZenodoUpload } from './api';
import { licenceLabel } from './codemetaForm';

/** "MIT License (MIT)": as the form and the catalogue name it, from the id Zenodo stores. */
function licenceOf(upload: ZenodoUpload): string {
  if (!upload.license) {
    return '';
  }
  return licenceLabel(upload.license.id, upload.license.title);
}

function communitiesOf(upload: ZenodoUpload): string[] {
  const slugs = (upload.metadata?.communities ?? [])
    .map(c => c.identifier)
    .filter(Boolean);
  if (slugs.length === 0 && upload.community.slug) {
    slugs.push(upload.community.slug);
  }
  return slugs;
}

/** Exactly what publishing makes public, from what Zenodo holds (the draft), not the form. */
export function PublishConfirmation(props: {
  upload: ZenodoUpload;
  trans: TranslationBundle;
}): JSX.Element {
  const { upload, trans } = props;
  const metadata = upload.metadata ?? {};
  const creators = metadata.creators ?? [];
  const communities = communitiesOf(upload);
  return (
    <div className="jp-escape-Publish-confirm">
      <p className="jp-escape-Publish-warning">
        {upload.sandbox
          ? trans.__(
              'Publishing makes this record public on the Zenodo sandbox and mints a (sandbox) DOI. A published record cannot be deleted or unpublished.'
            )
          : trans.__(
              'Publishing makes this record public on Zenodo and mints a DOI. This cannot be undone: a published record cannot be deleted, only given new versions.'
            )}
      </p>
      <dl>
        <dt>{trans.__('Title')}</dt>
        <dd>{metadata.title ?? upload.title}</dd>
        <dt>{trans.__('Version')}</dt>
        <dd>{metadata.version ?? upload.version ?? '—'}</dd>
        <dt>{trans.__('Creators')}</dt>
        <dd>
          <ul>
            {creators.map((c, i) => (
              <li key={i}>
                {c.name}
                {c.affiliation ? ` (${c.affiliation})` : ''}
                {c.orcid ? ` · ORCID ${c.orcid}` : ''}
              </li>
            ))}
          </ul>
        </dd>
        <dt>{trans.__('Licence')}</dt>
        <dd className="jp-escape-Publish-licence">
          {licenceOf(upload) || trans.__('none')}
        </dd>
        <dt>{trans.__('Community')}</dt>
        <dd>
          {communities.length
            ? trans.__(
                '%1 (an inclusion request is sent; the curators decide)',
                communities.join(', ')
              )
            : trans.__('none')}
        </dd>
        <dt>{trans.__('Files (%1)', upload.files.length)}</dt>
        <dd>
          <ul>
            {upload.files.map(f => (
              <li key={f.key}>
                {f.key}{' '}
                <span className="jp-escape-Publish-muted">
                  {formatBytes(f.size)}
                </span>
              </li>
            ))}
          </ul>
        </dd>
      </dl>
    </div>
  );
}
