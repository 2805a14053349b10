import { TranslationBundle } from '@jupyterlab/translation';
import { folderIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import {
  JobCancelButton,
  JobCard,
  JobFileList,
  JobFileRow,
  JobRetryButton,
  JobSection,
  jobStateLabel,
  reportingErrors
} from '../../common/JobCard';
import { BadgeKind } from '../../common/StatusBadge';
import { isJobActive as isActive } from '../../common/jobs';
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
  return jobStateLabel(
    job.state,
    job.phase === 'resolving' ? trans.__('Resolving') : trans.__('Fetching'),
    trans
  );
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
  return (
    <>
      <JobFileList
        loaded={detail !== null}
        trans={trans}
        label={trans.__('Files of %1', jobTitle(job, trans))}
      >
        {detail?.files.map(file => (
          <JobFileRow
            key={file.did}
            tooltip={`${file.did}\n${file.path}`}
            name={file.path.split('/').pop() ?? ''}
            bytes={file.bytes}
            badge={fileStateLabel(file, trans)}
            error={file.error}
          />
        ))}
      </JobFileList>
      {detail?.files_truncated && (
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
  const active = isActive(job.state);
  const run = reportingErrors(props.onError);
  const folder = jobFolder(job);
  return (
    <JobCard
      job={job}
      trans={trans}
      label={trans.__('Fetch of %1', title)}
      title={title}
      titleTooltip={job.dids.map(d => `${d.scope}:${d.name}`).join('\n')}
      stateLabel={stateLabel(job, trans)}
      filesDone={job.files_done}
      filesAlready={job.files_present}
      busy={busy}
      expanded={model.isExpanded(job.id)}
      onToggle={() => void model.toggleFiles(job.id)}
      toggleClassName="jp-escape-Datalake-Fetch-filesToggle"
      removeTitle={
        actions.remove
          ? trans.__('Remove from the list (the files stay)')
          : null
      }
      onRemove={run(() => model.remove(job.id))}
      destination={
        <div className="jp-escape-Datalake-Fetch-dest" title={folder}>
          <folderIcon.react tag="span" className="jp-escape-inline-icon" />
          <span className="jp-escape-mono">{folder || '/'}</span>
        </div>
      }
      showMessage={!active && job.state !== 'done'}
      errorsFooter={
        job.errors_count > job.errors.length && (
          <p className="jp-escape-muted">
            {trans.__(
              'and %1 more: see the files below',
              job.errors_count - job.errors.length
            )}
          </p>
        )
      }
      actions={
        <>
          {actions.cancel && (
            <JobCancelButton
              trans={trans}
              busy={busy}
              onClick={run(() => model.cancel(job.id))}
            />
          )}
          {(actions.retry || actions.resume) && (
            <JobRetryButton
              trans={trans}
              busy={busy}
              resume={actions.resume}
              onClick={run(() => model.retry(job.id))}
            />
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
        </>
      }
    >
      <JobFiles model={model} job={job} trans={trans} />
    </JobCard>
  );
}

/** The "Fetches" section of the Data Lake sidebar; hidden until there is a job. */
export function FetchList(props: IFetchListProps): JSX.Element | null {
  return (
    <JobSection
      model={props.model}
      trans={props.trans}
      label={props.trans.__('Fetches')}
      renderJob={job => <FetchJobView {...props} job={job} />}
    />
  );
}
