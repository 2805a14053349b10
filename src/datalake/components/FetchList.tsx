import { TranslationBundle } from '@jupyterlab/translation';
import {
  caretDownIcon,
  caretRightIcon,
  closeIcon,
  folderIcon
} from '@jupyterlab/ui-components';
import * as React from 'react';

import { ErrorBanner } from '../../common/ErrorBanner';
import { formatBytes, formatDuration } from '../../common/format';
import { BadgeKind, StatusBadge } from '../../common/StatusBadge';
import { useSignal } from '../../common/useSignal';
import { isJobActive as isActive, JobState } from '../../common/jobs';
import { IFetchFile, IFetchJob } from '../fetchApi';
import { FetchModel, jobFolder, jobTitle } from '../fetchModel';

export interface IFetchListProps {
  model: FetchModel;
  trans: TranslationBundle;
  onShow: (path: string) => void;
  onOpen: (path: string) => void;
  onInsert: (job: IFetchJob) => void;
  /** A failed cancel, retry or remove: the server's message. */
  onError: (message: string) => void;
}

export function stateLabel(
  job: Pick<IFetchJob, 'state' | 'phase'>,
  trans: TranslationBundle
): string {
  switch (job.state) {
    case 'queued':
      return trans.__('Queued');
    case 'running':
      return job.phase === 'resolving'
        ? trans.__('Resolving')
        : trans.__('Fetching');
    case 'done':
      return trans.__('Done');
    case 'failed':
      return trans.__('Failed');
    case 'cancelled':
      return trans.__('Cancelled');
    case 'interrupted':
      return trans.__('Interrupted');
  }
}

function stateKind(state: JobState): BadgeKind {
  if (isActive(state)) {
    return 'busy';
  }
  if (state === 'done') {
    return 'ok';
  }
  return state === 'failed' ? 'error' : 'idle';
}

/** Which buttons a job offers in its state. */
export function jobActions(job: IFetchJob): {
  cancel: boolean;
  retry: boolean;
  resume: boolean;
  remove: boolean;
  show: boolean;
  insert: boolean;
  open: string | null;
} {
  const active = isActive(job.state);
  const landed = job.files_done + job.files_present > 0;
  const single = job.paths.length === 1 ? job.paths[0] : null;
  return {
    cancel: active,
    retry: job.state === 'failed' || job.state === 'cancelled',
    resume: job.state === 'interrupted',
    remove: !active,
    show: job.state === 'done' || (!active && landed),
    insert: job.state === 'done' && job.paths.length > 0,
    open: job.state === 'done' && single?.type === 'file' ? single.path : null
  };
}

function fileStateLabel(
  file: IFetchFile,
  trans: TranslationBundle
): { label: string; kind: BadgeKind } {
  switch (file.state) {
    case 'waiting':
      return { label: trans.__('waiting'), kind: 'idle' };
    case 'downloading':
      return {
        label: file.bytes
          ? `${Math.floor((100 * file.done) / file.bytes)} %`
          : trans.__('downloading'),
        kind: 'busy'
      };
    case 'verified':
      return { label: trans.__('verified'), kind: 'ok' };
    case 'present':
      return { label: trans.__('already there'), kind: 'ok' };
    case 'failed':
      return { label: trans.__('failed'), kind: 'error' };
  }
}

function JobFiles(props: {
  model: FetchModel;
  job: IFetchJob;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, job, trans } = props;
  const detail = model.detail(job.id);
  if (!detail) {
    return <p className="jp-escape-muted">{trans.__('Loading files…')}</p>;
  }
  return (
    <>
      <ul
        className="jp-escape-Datalake-Fetch-files"
        aria-label={trans.__('Files of %1', jobTitle(job, trans))}
      >
        {detail.files.map(file => {
          const state = fileStateLabel(file, trans);
          return (
            <li key={file.did} title={`${file.did}\n${file.path}`}>
              <span className="jp-escape-Datalake-Fetch-fileName">
                {file.path.split('/').pop()}
              </span>
              <span className="jp-escape-muted">{formatBytes(file.bytes)}</span>
              <StatusBadge kind={state.kind} label={state.label} />
              {file.error && (
                <span className="jp-escape-Datalake-Fetch-fileError">
                  {file.error}
                </span>
              )}
            </li>
          );
        })}
      </ul>
      {detail.files_truncated && (
        <p className="jp-escape-muted">
          {trans.__('Only the first %1 files are listed.', detail.files.length)}
        </p>
      )}
    </>
  );
}

/** One job: state, progress, errors and the buttons its state allows. */
export function FetchJobView(props: {
  model: FetchModel;
  job: IFetchJob;
  trans: TranslationBundle;
  onShow: (path: string) => void;
  onOpen: (path: string) => void;
  onInsert: (job: IFetchJob) => void;
  onError: (message: string) => void;
}): JSX.Element {
  const { model, job, trans } = props;
  const title = jobTitle(job, trans);
  const actions = jobActions(job);
  const busy = model.isBusy(job.id);
  const expanded = model.isExpanded(job.id);
  const active = isActive(job.state);
  const fraction = job.bytes_total
    ? Math.min(1, job.bytes_done / job.bytes_total)
    : job.files_total
      ? (job.files_done + job.files_present) / job.files_total
      : 0;
  const run = (call: () => Promise<void>) => () =>
    void call().catch(reason =>
      props.onError(String((reason as Error).message ?? reason))
    );
  const facts = [
    trans.__(
      '%1/%2 files',
      job.files_done + job.files_present,
      job.files_total
    ),
    job.bytes_total
      ? `${formatBytes(job.bytes_done)} / ${formatBytes(job.bytes_total)}`
      : null,
    active && job.throughput
      ? trans.__('%1/s', formatBytes(job.throughput))
      : null,
    active && job.eta_seconds !== null
      ? trans.__('%1 left', formatDuration(job.eta_seconds))
      : null,
    job.files_present ? trans.__('%1 already there', job.files_present) : null,
    job.files_failed ? trans.__('%1 failed', job.files_failed) : null
  ].filter(Boolean);
  const Caret = expanded ? caretDownIcon : caretRightIcon;
  const folder = jobFolder(job);
  return (
    <li
      className="jp-escape-Datalake-Fetch-job"
      aria-label={trans.__('Fetch of %1', title)}
      data-state={job.state}
    >
      <div className="jp-escape-Datalake-Fetch-head">
        <button
          className="jp-escape-iconButton jp-escape-Datalake-Fetch-filesToggle"
          aria-expanded={expanded}
          aria-label={trans.__('Files')}
          title={
            expanded ? trans.__('Hide the files') : trans.__('Show the files')
          }
          onClick={() => void model.toggleFiles(job.id)}
        >
          <Caret.react tag="span" />
        </button>
        <span
          className="jp-escape-Datalake-Fetch-title"
          title={job.dids.map(d => `${d.scope}:${d.name}`).join('\n')}
        >
          {title}
        </span>
        <StatusBadge
          kind={stateKind(job.state)}
          label={stateLabel(job, trans)}
        />
        {actions.remove && (
          <button
            className="jp-escape-iconButton"
            title={trans.__('Remove from the list (the files stay)')}
            aria-label={trans.__('Remove')}
            disabled={busy}
            onClick={run(() => model.remove(job.id))}
          >
            <closeIcon.react tag="span" />
          </button>
        )}
      </div>
      <div
        className="jp-escape-Datalake-Fetch-bar"
        role="progressbar"
        aria-label={trans.__('Progress of %1', title)}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(fraction * 100)}
      >
        <div
          className={`jp-escape-Datalake-Fetch-barFill jp-mod-${stateKind(job.state)}`}
          style={{ width: `${fraction * 100}%` }}
        />
      </div>
      <div className="jp-escape-Datalake-Fetch-facts">{facts.join(' · ')}</div>
      <div className="jp-escape-Datalake-Fetch-dest" title={folder}>
        <folderIcon.react tag="span" className="jp-escape-inline-icon" />
        <span className="jp-escape-mono">{folder || '/'}</span>
      </div>
      {job.message && !active && job.state !== 'done' && (
        <div className="jp-escape-Datalake-Fetch-message">{job.message}</div>
      )}
      {job.errors.length > 0 && (
        <details className="jp-escape-Datalake-Fetch-errors">
          <summary>
            {trans._n('%1 error', '%1 errors', job.errors_count)}
          </summary>
          <ul>
            {job.errors.map((error, index) => (
              <li key={index}>
                <span className="jp-escape-mono">{error.item}</span>
                {': '}
                <span>{error.message}</span>
              </li>
            ))}
          </ul>
          {job.errors_count > job.errors.length && (
            <p className="jp-escape-muted">
              {trans.__(
                'and %1 more: see the files below',
                job.errors_count - job.errors.length
              )}
            </p>
          )}
        </details>
      )}
      <div className="jp-escape-Datalake-Fetch-actions">
        {actions.cancel && (
          <button
            className="jp-mod-styled jp-mod-warn"
            disabled={busy}
            onClick={run(() => model.cancel(job.id))}
          >
            {trans.__('Cancel')}
          </button>
        )}
        {(actions.retry || actions.resume) && (
          <button
            className="jp-mod-styled"
            disabled={busy}
            onClick={run(() => model.retry(job.id))}
          >
            {actions.resume ? trans.__('Resume') : trans.__('Retry')}
          </button>
        )}
        {actions.open && (
          <button
            className="jp-mod-styled"
            onClick={() => props.onOpen(actions.open!)}
          >
            {trans.__('Open')}
          </button>
        )}
        {actions.show && (
          <button
            className="jp-mod-styled"
            onClick={() => props.onShow(folder)}
          >
            {trans.__('Show in file browser')}
          </button>
        )}
        {actions.insert && (
          <button
            className="jp-mod-styled jp-mod-accept"
            onClick={() => props.onInsert(job)}
          >
            {trans.__('Insert into notebook')}
          </button>
        )}
      </div>
      {expanded && <JobFiles model={model} job={job} trans={trans} />}
    </li>
  );
}

/** The "Fetches" section of the Data Lake sidebar; hidden until there is a job. */
export function FetchList(props: IFetchListProps): JSX.Element | null {
  const { model, trans } = props;
  useSignal(model.changed);
  const [open, setOpen] = React.useState(true);
  if (model.jobs.length === 0 && !model.error) {
    return null;
  }
  const active = model.activeCount;
  const Caret = open ? caretDownIcon : caretRightIcon;
  return (
    <section
      className="jp-escape-Datalake-Fetch"
      aria-label={trans.__('Fetches')}
    >
      <button
        className="jp-escape-Datalake-Fetch-sectionHead"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        <Caret.react tag="span" className="jp-escape-inline-icon" />
        <span>{trans.__('Fetches')}</span>
        <span className="jp-escape-muted">
          {active
            ? trans._n('%1 active', '%1 active', active)
            : trans._n('%1 job', '%1 jobs', model.jobs.length)}
        </span>
      </button>
      {open && (
        <>
          {model.error && (
            <ErrorBanner
              message={model.error}
              retryLabel={trans.__('Retry')}
              onRetry={() => void model.refresh()}
            />
          )}
          <ul className="jp-escape-Datalake-Fetch-jobs">
            {model.jobs.map(job => (
              <FetchJobView key={job.id} {...props} job={job} />
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
