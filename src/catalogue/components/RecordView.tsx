import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { ErrorBanner } from '../../common/ErrorBanner';
import { formatBytes } from '../../common/format';
import { IFetchJob, IRecordDetail, isActive } from '../api';
import { DoiBadge } from './DoiBadge';
import { licenceLabel } from '../publish/codemetaForm';

/** What the record view can ask for; the plugin does it (clipboard, notebook, file browser). */
export interface IRecordActions {
  copyCitation: (style: string) => void;
  insertCitation: (style: string) => void;
  insertInstall: () => void;
  fetchFiles: (extract: boolean) => void;
  cancelFetch: () => void;
  /** Retry a failed or cancelled fetch; resume an interrupted one. */
  retryFetch: () => void;
  /** Forget a finished fetch on the server (its files stay). */
  removeFetch: () => void;
  openPage: () => void;
  openFolder: (path: string) => void;
  showImages: () => void;
}

export interface IRecordViewProps {
  record: IRecordDetail | null;
  loading: boolean;
  error: string | null;
  job: IFetchJob | null;
  jobError: string | null;
  citationStyle: string;
  trans: TranslationBundle;
  actions: IRecordActions;
  /** Second line of defence: the server already sanitized the description. */
  sanitize: (html: string) => string;
  onBack: () => void;
  onRetry: () => void;
}

export const CITATION_STYLES: [string, string][] = [
  ['apa', 'APA'],
  ['bibtex', 'BibTeX'],
  ['harvard-cite-them-right', 'Harvard'],
  ['chicago-author-date', 'Chicago'],
  ['ieee', 'IEEE']
];

function Section(props: {
  title: string;
  children: React.ReactNode;
}): JSX.Element {
  return (
    <section className="jp-escape-Catalogue-section" aria-label={props.title}>
      <h3>{props.title}</h3>
      {props.children}
    </section>
  );
}

function Orcid(props: { orcid: string | null }): JSX.Element | null {
  if (!props.orcid) {
    return null;
  }
  const id = props.orcid.replace('https://orcid.org/', '');
  return (
    <a
      className="jp-escape-Catalogue-orcid"
      href={`https://orcid.org/${id}`}
      target="_blank"
      rel="noopener noreferrer"
      title={`ORCID ${id}`}
    >
      iD
    </a>
  );
}

function FetchStatus(props: {
  job: IFetchJob;
  trans: TranslationBundle;
  actions: IRecordActions;
}): JSX.Element {
  const { job, trans, actions } = props;
  const percent = job.bytes_total
    ? Math.round((100 * job.bytes_done) / job.bytes_total)
    : 0;
  const active = isActive(job);
  const link = (label: string, onClick: () => void) => (
    <button className="jp-escape-Catalogue-link" onClick={onClick}>
      {label}
    </button>
  );
  return (
    <div className="jp-escape-Catalogue-fetch" role="status">
      {active && job.phase === 'extracting' && (
        <span>{trans.__('Extracting the archives…')}</span>
      )}
      {active && job.phase !== 'extracting' && (
        <>
          <progress
            max={100}
            value={percent}
            aria-label={trans.__('Fetch progress')}
          />
          <span>
            {trans.__(
              '%1 of %2 (%3%)',
              formatBytes(job.bytes_done),
              formatBytes(job.bytes_total),
              percent
            )}
          </span>
        </>
      )}
      {active && link(trans.__('Cancel'), actions.cancelFetch)}
      {job.state === 'done' && (
        <span>
          {trans.__('Verified and saved in ')}
          <button
            className="jp-escape-Catalogue-link"
            onClick={() => actions.openFolder(job.dest)}
          >
            {job.dest}
          </button>
          {job.extracted_count > 0 &&
            trans.__(' (%1 files extracted)', job.extracted_count)}
        </span>
      )}
      {job.state === 'done' &&
        (job.renamed_count > 0 || job.skipped_count > 0) && (
          // The server's sentence names what took another name and what was left out.
          <span className="jp-escape-Catalogue-note">{job.message}</span>
        )}
      {(job.state === 'failed' ||
        job.state === 'cancelled' ||
        job.state === 'interrupted') && (
        <span className="jp-escape-Catalogue-error">{job.message}</span>
      )}
      {(job.state === 'failed' || job.state === 'cancelled') &&
        link(trans.__('Retry'), actions.retryFetch)}
      {job.state === 'interrupted' &&
        link(
          job.items_done > 0
            ? trans.__(
                'Resume (%1 of %2 files kept)',
                job.items_done,
                job.items_total
              )
            : trans.__('Resume'),
          actions.retryFetch
        )}
      {!active && link(trans.__('Clear'), actions.removeFetch)}
    </div>
  );
}

/**
 * Cite, install, open and fetch: one row style for the five actions (review s3 §22: two blue
 * and three flat buttons read as two kinds), a select that looks like one.
 */
function Actions(props: IRecordViewProps & { record: IRecordDetail }) {
  const { record, trans, actions, job } = props;
  const [style, setStyle] = React.useState(props.citationStyle);
  const [extract, setExtract] = React.useState(true);
  const fetching = isActive(job);
  return (
    <div className="jp-escape-Catalogue-actions">
      <label className="jp-escape-Catalogue-row">
        <span className="jp-escape-Catalogue-muted">{trans.__('Cite as')}</span>
        <select
          className="jp-mod-styled"
          aria-label={trans.__('Citation style')}
          value={style}
          onChange={event => setStyle(event.target.value)}
        >
          {CITATION_STYLES.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <div className="jp-escape-Catalogue-buttons">
        <button
          className="jp-mod-styled"
          onClick={() => actions.copyCitation(style)}
        >
          {trans.__('Copy citation')}
        </button>
        <button
          className="jp-mod-styled"
          onClick={() => actions.insertCitation(style)}
        >
          {trans.__('Insert citation')}
        </button>
        <button className="jp-mod-styled" onClick={actions.insertInstall}>
          {trans.__('Insert install cell')}
        </button>
        <button className="jp-mod-styled" onClick={actions.openPage}>
          {trans.__('Zenodo page')}
        </button>
        <button
          className="jp-mod-styled"
          disabled={fetching || record.files_restricted || !record.files.length}
          onClick={() => actions.fetchFiles(extract)}
        >
          {trans.__('Fetch files')}
        </button>
        <label className="jp-escape-Catalogue-check">
          <input
            type="checkbox"
            checked={extract}
            onChange={event => setExtract(event.target.checked)}
          />
          {trans.__('Extract zips')}
        </label>
      </div>
      {props.jobError && <ErrorBanner message={props.jobError} />}
      {job && <FetchStatus job={job} trans={trans} actions={actions} />}
    </div>
  );
}

function Codemeta(props: {
  record: IRecordDetail;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { trans } = props;
  const meta = props.record.codemeta;
  if (!meta) {
    return null;
  }
  const rows: [string, string[]][] = [
    [trans.__('Language'), meta.programmingLanguage],
    [trans.__('Runtime'), meta.runtimePlatform],
    [trans.__('Requirements'), meta.softwareRequirements],
    [trans.__('Installation'), [...meta.buildInstructions, ...meta.installUrl]],
    [trans.__('Maintainers'), meta.maintainers.map(m => m.name)],
    [trans.__('Operating system'), meta.operatingSystem],
    [trans.__('Status'), meta.developmentStatus]
  ];
  return (
    <Section title={trans.__('From codemeta.json')}>
      <dl className="jp-escape-Catalogue-facts">
        {rows
          .filter(([, values]) => values.length > 0)
          .map(([label, values]) => (
            <React.Fragment key={label}>
              <dt>{label}</dt>
              <dd>{values.join(', ')}</dd>
            </React.Fragment>
          ))}
      </dl>
    </Section>
  );
}

/** One record: description, people, versions, files, links, codemeta and the actions. */
export function RecordView(props: IRecordViewProps): JSX.Element {
  const { record, trans, actions } = props;
  return (
    <div className="jp-escape-Catalogue-record">
      <button className="jp-escape-Catalogue-back" onClick={props.onBack}>
        ← {trans.__('Back to results')}
      </button>
      {props.error && (
        <ErrorBanner
          message={props.error}
          onRetry={props.onRetry}
          retryLabel={trans.__('Retry')}
        />
      )}
      {props.loading && !record && (
        <p className="jp-escape-Catalogue-muted">
          {trans.__('Loading the record…')}
        </p>
      )}
      {record && (
        <>
          <h2 className="jp-escape-Catalogue-recordTitle">{record.title}</h2>
          <div className="jp-escape-Catalogue-meta">
            {record.version && (
              <span className="jp-escape-Catalogue-version">
                v{record.version}
              </span>
            )}
            <span>{record.publication_date}</span>
            <span className="jp-escape-Catalogue-type">
              {record.resource_type.title}
            </span>
            {record.licence && (
              <span className="jp-escape-Catalogue-licence">
                {licenceLabel(record.licence.id, record.licence.title)}
              </span>
            )}
          </div>
          <DoiBadge doi={record.doi} />
          <Actions {...props} record={record} />
          <Section title={trans.__('Description')}>
            <div
              className="jp-escape-Catalogue-description"
              dangerouslySetInnerHTML={{
                __html: props.sanitize(record.description_html)
              }}
            />
            {record.remote_images > 0 && !record.images_shown && (
              <button
                className="jp-escape-Catalogue-link"
                onClick={actions.showImages}
              >
                {trans._n(
                  'Show %1 remote image (loads it from its host)',
                  'Show %1 remote images (loads them from their hosts)',
                  record.remote_images
                )}
              </button>
            )}
          </Section>
          <Section title={trans.__('Creators')}>
            <ul className="jp-escape-Catalogue-people">
              {record.creators.map((c, i) => (
                <li key={`${c.name}-${i}`}>
                  {c.name} <Orcid orcid={c.orcid} />
                  {c.affiliation && (
                    <span className="jp-escape-Catalogue-muted">
                      {' '}
                      · {c.affiliation}
                    </span>
                  )}
                </li>
              ))}
            </ul>
          </Section>
          {record.versions.length > 0 && (
            <Section title={trans.__('Versions')}>
              <ul className="jp-escape-Catalogue-versions">
                {record.versions.map(v => (
                  <li
                    key={v.id}
                    className={
                      v.id === record.id ? 'jp-mod-current' : undefined
                    }
                  >
                    <span>v{v.version}</span>
                    <span className="jp-escape-Catalogue-muted">
                      {v.publication_date}
                    </span>
                    {v.is_latest && (
                      <span className="jp-escape-Catalogue-latest">
                        {trans.__('latest')}
                      </span>
                    )}
                  </li>
                ))}
              </ul>
            </Section>
          )}
          <Section title={trans.__('Files')}>
            {record.files_restricted ? (
              <p className="jp-escape-Catalogue-muted">
                {trans.__('The files of this record are restricted.')}
              </p>
            ) : (
              <ul className="jp-escape-Catalogue-files">
                {record.files.map(f => (
                  <li key={f.key}>
                    <span className="jp-escape-mono">{f.key}</span>
                    <span className="jp-escape-Catalogue-muted">
                      {formatBytes(f.size)}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </Section>
          {record.related.length > 0 && (
            <Section title={trans.__('Related')}>
              <ul className="jp-escape-Catalogue-related">
                {record.related.map(r => (
                  <li key={`${r.relation}-${r.identifier}`}>
                    <span className="jp-escape-Catalogue-muted">
                      {r.kind === 'repository'
                        ? trans.__('Code repository')
                        : r.kind === 'documentation'
                          ? trans.__('Documentation')
                          : r.relation}
                    </span>
                    {r.identifier.startsWith('https://') ? (
                      <a
                        href={r.identifier}
                        target="_blank"
                        rel="noopener noreferrer"
                      >
                        {r.identifier}
                      </a>
                    ) : (
                      <span className="jp-escape-mono">{r.identifier}</span>
                    )}
                  </li>
                ))}
              </ul>
            </Section>
          )}
          <Codemeta record={record} trans={trans} />
          <Section title={trans.__('Install cell')}>
            <pre className="jp-escape-Catalogue-code">
              {record.install.code}
            </pre>
          </Section>
        </>
      )}
    </div>
  );
}
