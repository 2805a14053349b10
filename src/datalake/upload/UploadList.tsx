import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { isJobActive } from '../../common/jobs';
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
import { IUploadFile, IUploadJob } from './api';
import { UploadJobs, uploadTarget, uploadTitle } from './jobs';

export function uploadStateLabel(
  job: Pick<IUploadJob, 'state' | 'phase'>,
  trans: TranslationBundle
): string {
  return jobStateLabel(job.state, trans.__('Uploading'), trans);
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
  return (
    <JobFileList
      loaded={detail !== null}
      trans={trans}
      label={trans.__('Files of %1', uploadTitle(job, trans))}
      className="jp-escape-Upload-jobFiles"
    >
      {detail?.files.map(file => {
        const sums = [
          file.adler32 ? `adler32 ${file.adler32}` : null,
          file.md5 ? `md5 ${file.md5}` : null
        ].filter(Boolean);
        return (
          <JobFileRow
            key={file.path}
            tooltip={[file.path, file.pfn, file.verified]
              .filter(Boolean)
              .join('\n')}
            name={file.name}
            nameClassName="jp-escape-mono"
            bytes={file.bytes}
            badge={fileState(file, trans)}
            error={file.error}
          >
            {sums.length > 0 && (
              <span className="jp-escape-Upload-sums jp-escape-mono">
                {sums.join(' · ')}
              </span>
            )}
          </JobFileRow>
        );
      })}
    </JobFileList>
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
  const run = reportingErrors(props.onError);
  return (
    <JobCard
      job={job}
      trans={trans}
      label={trans.__('Upload of %1', title)}
      title={title}
      stateLabel={uploadStateLabel(job, trans)}
      filesDone={job.files_done}
      filesAlready={job.files_skipped}
      busy={busy}
      expanded={model.isExpanded(job.id)}
      onToggle={() => void model.toggleDetail(job.id)}
      removeTitle={
        active
          ? null
          : trans.__('Remove from the list (the DIDs stay in Rucio)')
      }
      onRemove={run(() => model.remove(job.id))}
      destination={
        <div className="jp-escape-Datalake-Fetch-dest jp-escape-muted">
          {trans.__('to %1', job.rse)}
        </div>
      }
      showMessage={job.state !== 'running'}
      actions={
        <>
          {active && (
            <JobCancelButton
              trans={trans}
              busy={busy}
              onClick={run(() => model.cancel(job.id))}
            />
          )}
          {['failed', 'cancelled', 'interrupted'].includes(job.state) && (
            <JobRetryButton
              trans={trans}
              busy={busy}
              resume={job.state === 'interrupted'}
              onClick={run(() => jobs.retry(job.id))}
            />
          )}
          {job.state === 'done' && (
            <button
              className="jp-mod-styled jp-mod-accept"
              onClick={() => props.onShow(uploadTarget(job), job)}
            >
              {trans.__('Show in Data Lake')}
            </button>
          )}
        </>
      }
    >
      <UploadFiles jobs={jobs} job={job} trans={trans} />
    </JobCard>
  );
}

/** The "Uploads" section of the Data Lake sidebar, beside the fetches; hidden until a job. */
export function UploadList(props: {
  jobs: UploadJobs;
  trans: TranslationBundle;
  onShow: (did: string, job: IUploadJob) => void;
  onError: (message: string) => void;
}): JSX.Element | null {
  return (
    <JobSection
      model={props.jobs.model}
      trans={props.trans}
      label={props.trans.__('Uploads')}
      renderJob={job => <UploadJobView {...props} job={job} />}
    />
  );
}
