/**
 * The upload jobs (kind `datalake.upload`) on the common `JobsModel`, and their toasts through
 * `JobNotifications`: progress in files and bytes, success with "Show in Data Lake", error with
 * Retry or Resume.
 */
import { nullTranslator, TranslationBundle } from '@jupyterlab/translation';

import { formatBytes } from '../../common/format';
import {
  IJobAction,
  IJobWords,
  INotifier,
  JobNotifications,
  JobsModel
} from '../../common/jobs';
import { isUploadJob, IUploadApi, IUploadJob, IUploadJobDetail } from './api';

/** What an upload is called: its dataset, else its first file's DID, else its scope. */
export function uploadTitle(job: IUploadJob, trans: TranslationBundle): string {
  if (job.dataset) {
    return job.dataset;
  }
  return job.files_total === 1
    ? job.scope
    : trans.__('%1 files into %2', job.files_total, job.scope);
}

/** The DID "Show in Data Lake" opens: the dataset, else the container, else the scope's listing. */
export function uploadTarget(job: IUploadJob): string {
  return job.dataset ?? job.container ?? `${job.scope}:*`;
}

export function uploadWords(
  trans: TranslationBundle,
  showDid?: (did: string, job: IUploadJob) => void,
  extraDone?: (job: IUploadJob) => IJobAction[]
): IJobWords<IUploadJob> {
  return {
    progress: job =>
      trans.__(
        'Uploading %1 to %2: %3 of %4 files, %5 of %6',
        uploadTitle(job, trans),
        job.rse,
        job.files_done,
        job.files_total,
        formatBytes(job.bytes_done),
        formatBytes(job.bytes_total)
      ),
    done: job =>
      job.files_skipped
        ? trans.__(
            'Uploaded %1 to %2: %3 files registered, %4 already there',
            uploadTitle(job, trans),
            job.rse,
            job.files_done - job.files_skipped,
            job.files_skipped
          )
        : trans.__(
            'Uploaded %1 to %2: %3 files registered',
            uploadTitle(job, trans),
            job.rse,
            job.files_done
          ),
    doneActions: job => [
      ...(showDid
        ? [
            {
              label: trans.__('Show in Data Lake'),
              callback: () => showDid(uploadTarget(job), job)
            }
          ]
        : []),
      ...(extraDone?.(job) ?? [])
    ],
    cancelled: job =>
      job.message ??
      trans.__('Upload of %1 cancelled', uploadTitle(job, trans)),
    failed: job =>
      trans.__(
        'Upload of %1 %2: %3',
        uploadTitle(job, trans),
        job.state === 'interrupted'
          ? trans.__('interrupted')
          : trans.__('failed'),
        job.message ??
          job.errors[0]?.message ??
          trans._n('%1 file failed', '%1 files failed', job.files_failed)
      )
  };
}

export interface IUploadJobsOptions {
  api: IUploadApi;
  trans?: TranslationBundle;
  notifier?: INotifier;
  /** Whether the Data Lake panel shows the jobs. */
  isVisible?: () => boolean;
  /** "Show in Data Lake". */
  showDid?: (did: string, job: IUploadJob) => void;
  /** More buttons of the success toast. */
  doneActions?: (job: IUploadJob) => IJobAction[];
  interval?: number;
  now?: () => number;
}

/** The uploads of this server, followed; started ones get a toast at once. */
export class UploadJobs {
  constructor(options: IUploadJobsOptions) {
    const trans = options.trans ?? nullTranslator.load('jupyterlab_escape');
    this.model = new JobsModel<IUploadJob, IUploadJobDetail>({
      api: options.api,
      name: 'jupyterlab-escape:datalake-upload',
      isVisible: options.isVisible,
      interval: options.interval,
      filter: isUploadJob
    });
    this.notes = new JobNotifications<IUploadJob>({
      model: this.model,
      words: uploadWords(trans, options.showDid, options.doneActions),
      trans,
      notifier: options.notifier,
      now: options.now
    });
  }

  readonly model: JobsModel<IUploadJob, IUploadJobDetail>;
  readonly notes: JobNotifications<IUploadJob>;

  /** A job this browser just started: listed, polled and toasted at once. */
  adopt(job: IUploadJob): void {
    this.notes.watch(job.id, true);
    // Listed: the model emits it, and the toast follows it from this first answer on.
    this.model.add(job);
  }

  retry(id: string): Promise<void> {
    this.notes.watch(id, true);
    return this.model.retry(id);
  }

  dispose(): void {
    this.model.dispose();
  }
}
