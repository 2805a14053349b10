/**
 * REANA submissions shown as the other slices show long work: one progress toast through the
 * common `JobNotifications`, ending in success (with "Open the workflow") or error (with Retry).
 * A submission is a `workflows.submit` job on the server; the browser follows it through the
 * NDJSON stream of POST /submit, so each stage is folded into the job's shape here.
 */
import { Notification } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';

import {
  IJobAction,
  IJobWords,
  INotifier,
  JobNotifications,
  jobsApi,
  JobsModel
} from '../common/jobs';
import { errorMessage } from '../request';
import { ISubmitEvent, ISubmitJob } from './api';

/** "fit.3" from REANA with run number "3" -> "fit". */
export function baseName(full: string, run: string): string {
  return run && full.endsWith(`.${run}`)
    ? full.slice(0, -run.length - 1)
    : full;
}

/** The job a submission stands at after `event` (`previous` is where it stood before). */
export function submitJobFromEvent(
  key: string,
  spec: string,
  event: ISubmitEvent,
  previous: ISubmitJob | null,
  now: number = Date.now() / 1000
): ISubmitJob {
  const base: ISubmitJob = previous ?? {
    id: key,
    kind: 'workflows.submit',
    state: 'running',
    message: null,
    items_total: 0,
    items_done: 0,
    items_failed: 0,
    bytes_total: 0,
    bytes_done: 0,
    transferred: 0,
    throughput: null,
    eta_seconds: null,
    errors: [],
    errors_count: 0,
    created: now,
    started: now,
    finished: null,
    stage: 'validated',
    spec,
    name: null,
    workflow_id: null,
    workflow_name: null,
    run_number: null,
    status: null,
    warnings: [],
    wait: null,
    files_total: 0,
    files_done: 0
  };
  const files_total = event.files_total ?? base.files_total;
  const files_done = event.files_done ?? base.files_done;
  const started = event.stage === 'started';
  return {
    ...base,
    state: started ? 'done' : 'running',
    stage: event.stage,
    finished: started ? now : null,
    items_total: files_total,
    items_done: files_done,
    files_total,
    files_done,
    bytes_total: event.bytes_total ?? base.bytes_total,
    bytes_done: event.bytes_done ?? base.bytes_done,
    workflow_id: event.workflow_id ?? base.workflow_id,
    workflow_name: event.workflow_name ?? base.workflow_name,
    run_number: event.run_number ?? base.run_number,
    status: event.status ?? base.status,
    warnings: event.warnings ?? base.warnings,
    wait: event.wait ?? base.wait
  };
}

/** The job of a submission that failed: the server's message as written. */
export function failedSubmitJob(
  job: ISubmitJob,
  reason: unknown,
  trans: TranslationBundle,
  now: number = Date.now() / 1000
): ISubmitJob {
  return {
    ...job,
    state: 'failed',
    finished: now,
    message: errorMessage(reason, trans.__('Submitting to REANA'))
  };
}

/** "fit.3", or the spec's label before REANA named the run. */
export function runLabel(job: ISubmitJob): string {
  if (job.workflow_name) {
    const run = String(job.run_number ?? '');
    const name = baseName(job.workflow_name, run);
    return run ? `${name}.${run}` : name;
  }
  return job.spec ?? 'reana.yaml';
}

/** What a submission says in its toast. */
export function submissionWords(
  trans: TranslationBundle,
  actions: {
    open?: (workflowId: string) => void;
    retry?: (job: ISubmitJob) => void;
  } = {}
): IJobWords<ISubmitJob> {
  return {
    progress: job => {
      switch (job.stage) {
        case 'uploading':
          return trans.__(
            'Submitting %1 to REANA: uploading inputs, %2 of %3 files',
            runLabel(job),
            job.files_done,
            job.files_total
          );
        case 'created':
          return trans.__(
            'Submitting %1 to REANA: workflow created',
            runLabel(job)
          );
        default:
          return trans.__('Submitting %1 to REANA…', runLabel(job));
      }
    },
    done: job => trans.__('REANA workflow %1 started', runLabel(job)),
    failed: job =>
      trans.__(
        'Submitting %1 to REANA failed: %2',
        runLabel(job),
        job.message ?? trans.__('unknown error')
      ),
    doneActions: job =>
      actions.open && job.workflow_id
        ? [
            {
              label: trans.__('Open the workflow'),
              callback: () => actions.open!(job.workflow_id!)
            }
          ]
        : [],
    failedActions: job =>
      actions.retry
        ? [
            {
              label: trans.__('Retry'),
              callback: () => actions.retry!(job)
            } as IJobAction
          ]
        : []
  };
}

/** One submission followed by its toast. */
export interface ITrackedSubmission {
  onEvent: (event: ISubmitEvent) => void;
  /** The submission failed: an error toast with the server's message. */
  fail: (reason: unknown) => void;
  /**
   * The user chose not to submit (a consent declined): a note, not an error; none when `quiet`
   * (the cell says it) unless a progress toast must be ended.
   */
  decline: (message: string, quiet?: boolean) => void;
}

/**
 * The workflows slice's toasts: the slice's jobs model (`/escape/workflows/jobs`) and one
 * `JobNotifications`. `track()` follows one submission stream from its first stage.
 */
export class SubmissionNotes {
  constructor(options: {
    trans: TranslationBundle;
    open?: (workflowId: string) => void;
    retry?: (job: ISubmitJob) => void;
    notifier?: INotifier;
  }) {
    this._trans = options.trans;
    // JobNotifications sends its final updates again (common/notifier.ts): a submission's
    // stages can come within milliseconds, before its toast exists (#21).
    this._notifier = options.notifier ?? Notification;
    this.model = new JobsModel<ISubmitJob>({
      api: jobsApi<ISubmitJob>('workflows'),
      name: 'jupyterlab-escape:workflows-jobs'
    });
    this.notes = new JobNotifications<ISubmitJob>({
      model: this.model,
      words: submissionWords(options.trans, {
        open: options.open,
        retry: options.retry
      }),
      trans: options.trans,
      notifier: this._notifier,
      // The stream is this browser's: the server job's own retry does not resend the cell.
      retry: false
    });
  }

  readonly model: JobsModel<ISubmitJob>;
  readonly notes: JobNotifications<ISubmitJob>;

  /** Follow a submission from now on: a toast at once, updated by each stage. */
  track(key: string, spec: string): ITrackedSubmission {
    let job = submitJobFromEvent(key, spec, { stage: 'validated' }, null);
    let shown = false;
    this.notes.watch(key, true);
    return {
      onEvent: event => {
        job = submitJobFromEvent(key, spec, event, job);
        shown = true;
        this.notes.follow(job);
      },
      fail: reason => {
        const failed = failedSubmitJob(job, reason, this._trans);
        if (shown) {
          this.notes.follow(failed);
          return;
        }
        // Refused before the server took it (a bad %%reana line, an invalid spec): one error
        // toast. A progress toast updated within milliseconds of its creation kept spinning
        // (JupyterLab creates toasts asynchronously and an update before that is lost).
        const end = this.notes.ending(failed);
        this._notifier.emit(String(end.message ?? ''), end.type ?? 'error', {
          autoClose: end.autoClose ?? false,
          actions: end.actions ?? []
        });
      },
      decline: (message, quiet = false) => {
        // The user's choice, not a failure: no error, no Retry.
        const declined: ISubmitJob = {
          ...job,
          state: 'cancelled',
          finished: Date.now() / 1000,
          message
        };
        if (shown) {
          this.notes.follow(declined);
        } else if (!quiet) {
          this._notifier.emit(message, 'info', {
            autoClose: 8000,
            actions: []
          });
        }
      }
    };
  }

  dispose(): void {
    this.model.dispose();
  }

  private readonly _trans: TranslationBundle;
  private readonly _notifier: INotifier;
}
