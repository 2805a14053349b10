import { TranslationBundle } from '@jupyterlab/translation';
import {
  caretDownIcon,
  caretRightIcon,
  closeIcon
} from '@jupyterlab/ui-components';
import * as React from 'react';

import { ErrorBanner } from '../../common/ErrorBanner';
import { formatBytes, formatDuration } from '../../common/format';
import { isJobActive, JobState } from '../../common/jobs';
import { BadgeKind, StatusBadge } from '../../common/StatusBadge';
import { useSignal } from '../../common/useSignal';
import { IUploadFile, IUploadJob } from './api';
import { UploadJobs, uploadTarget, uploadTitle } from './jobs';

function stateKind(state: JobState): BadgeKind {
  if (isJobActive(state)) {
    return 'busy';
  }
  if (state === 'done') {
    return 'ok';
  }
  return state === 'failed' ? 'error' : 'idle';
}

export function uploadStateLabel(
  job: Pick<IUploadJob, 'state' | 'phase'>,
  trans: TranslationBundle
): string {
  switch (job.state) {
    case 'queued':
      return trans.__('Queued');
    case 'running':
      return trans.__('Uploading');
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

function fileState(
  file: IUploadFile,
  trans: TranslationBundle
): { label: string; kind: BadgeKind } {
  switch (file.state) {
    case 'waiting':
      return { label: trans.__('waiting'), kind: 'idle' };
    case 'sending':
      return { label: trans.__('sending'), kind: 'busy' };
    case 'stored':
      return { label: trans.__('stored'), kind: 'busy' };
    case 'registered':
      return { label: trans.__('registered'), kind: 'ok' };
    case 'skipped':
      return { label: trans.__('already there'), kind: 'ok' };
    case 'failed':
      return { label: trans.__('failed'), kind: 'error' };
  }
}

function UploadFiles(props: {
  jobs: UploadJobs;
  job: IUploadJob;
  trans: TranslationBundle;
}): JSX.Element {
  const { jobs, job, trans } = props;
  const detail = jobs.model.detail(job.id);
  if (!detail) {
    return <p className="jp-escape-muted">{trans.__('Loading files…')}</p>;
  }
  return (
    <ul
      className="jp-escape-Datalake-Fetch-files jp-escape-Upload-jobFiles"
      aria-label={trans.__('Files of %1', uploadTitle(job, trans))}
    >
      {detail.files.map(file => {
        const state = fileState(file, trans);
        const sums = [
          file.adler32 ? `adler32 ${file.adler32}` : null,
          file.md5 ? `md5 ${file.md5}` : null
        ].filter(Boolean);
        return (
          <li
            key={file.path}
            title={[file.path, file.pfn, file.verified]
              .filter(Boolean)
              .join('\n')}
          >
            <span className="jp-escape-Datalake-Fetch-fileName jp-escape-mono">
              {file.name}
            </span>
            <span className="jp-escape-muted">{formatBytes(file.bytes)}</span>
            <StatusBadge kind={state.kind} label={state.label} />
            {sums.length > 0 && (
              <span className="jp-escape-Upload-sums jp-escape-mono">
                {sums.join(' · ')}
              </span>
            )}
            {file.error && (
              <span className="jp-escape-Datalake-Fetch-fileError">
                {file.error}
              </span>
            )}
          </li>
        );
      })}
    </ul>
  );
}

function UploadJobView(props: {
  jobs: UploadJobs;
  job: IUploadJob;
  trans: TranslationBundle;
  onShow: (did: string, job: IUploadJob) => void;
  onError: (message: string) => void;
}): JSX.Element {
  const { jobs, job, trans } = props;
  const model = jobs.model;
  const title = uploadTitle(job, trans);
  const active = isJobActive(job.state);
  const busy = model.isBusy(job.id);
  const expanded = model.isExpanded(job.id);
  const fraction = job.bytes_total
    ? Math.min(1, job.bytes_done / job.bytes_total)
    : job.files_total
      ? job.files_done / job.files_total
      : 0;
  const run = (call: () => Promise<void>) => () =>
    void call().catch(reason =>
      props.onError(String((reason as Error).message ?? reason))
    );
  const facts = [
    trans.__('%1/%2 files', job.files_done, job.files_total),
    job.bytes_total
      ? `${formatBytes(job.bytes_done)} / ${formatBytes(job.bytes_total)}`
      : null,
    active && job.throughput
      ? trans.__('%1/s', formatBytes(job.throughput))
      : null,
    active && job.eta_seconds !== null
      ? trans.__('%1 left', formatDuration(job.eta_seconds))
      : null,
    job.files_skipped ? trans.__('%1 already there', job.files_skipped) : null,
    job.files_failed ? trans.__('%1 failed', job.files_failed) : null
  ].filter(Boolean);
  const Caret = expanded ? caretDownIcon : caretRightIcon;
  return (
    <li
      className="jp-escape-Datalake-Fetch-job"
      aria-label={trans.__('Upload of %1', title)}
      data-state={job.state}
    >
      <div className="jp-escape-Datalake-Fetch-head">
        <button
          className="jp-escape-iconButton"
          aria-expanded={expanded}
          aria-label={trans.__('Files')}
          title={
            expanded ? trans.__('Hide the files') : trans.__('Show the files')
          }
          onClick={() => void model.toggleDetail(job.id)}
        >
          <Caret.react tag="span" />
        </button>
        <span className="jp-escape-Datalake-Fetch-title" title={title}>
          {title}
        </span>
        <StatusBadge
          kind={stateKind(job.state)}
          label={uploadStateLabel(job, trans)}
        />
        {!active && (
          <button
            className="jp-escape-iconButton"
            title={trans.__('Remove from the list (the DIDs stay in Rucio)')}
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
      <div className="jp-escape-Datalake-Fetch-dest jp-escape-muted">
        {trans.__('to %1', job.rse)}
      </div>
      {job.message && job.state !== 'running' && (
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
        </details>
      )}
      <div className="jp-escape-Datalake-Fetch-actions">
        {active && (
          <button
            className="jp-mod-styled jp-mod-warn"
            disabled={busy}
            onClick={run(() => model.cancel(job.id))}
          >
            {trans.__('Cancel')}
          </button>
        )}
        {['failed', 'cancelled', 'interrupted'].includes(job.state) && (
          <button
            className="jp-mod-styled"
            disabled={busy}
            onClick={run(() => jobs.retry(job.id))}
          >
            {job.state === 'interrupted'
              ? trans.__('Resume')
              : trans.__('Retry')}
          </button>
        )}
        {job.state === 'done' && (
          <button
            className="jp-mod-styled jp-mod-accept"
            onClick={() => props.onShow(uploadTarget(job), job)}
          >
            {trans.__('Show in Data Lake')}
          </button>
        )}
      </div>
      {expanded && <UploadFiles jobs={jobs} job={job} trans={trans} />}
    </li>
  );
}

/** The "Uploads" section of the Data Lake sidebar, beside the fetches; hidden until a job. */
export function UploadList(props: {
  jobs: UploadJobs;
  trans: TranslationBundle;
  onShow: (did: string, job: IUploadJob) => void;
  onError: (message: string) => void;
}): JSX.Element | null {
  const { jobs, trans } = props;
  const model = jobs.model;
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
      aria-label={trans.__('Uploads')}
    >
      <button
        className="jp-escape-Datalake-Fetch-sectionHead"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        <Caret.react tag="span" className="jp-escape-inline-icon" />
        <span>{trans.__('Uploads')}</span>
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
              <UploadJobView key={job.id} {...props} job={job} />
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
