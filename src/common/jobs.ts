/**
 * The one frontend side of the server's job system (`jupyterlab_escape/jobs.py`): every slice's
 * long work (Data Lake fetch, catalogue fetch, REANA submission) is a job behind the same routes,
 * `/escape/<slice>/jobs[/<id>[/cancel|/retry]]`. `JobsModel` keeps a slice's jobs fresh;
 * `JobNotifications` turns a job into one progress toast that ends in success or error.
 */
import { Notification } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { components } from '../api.gen';
import { errorMessage, requestAPI } from '../request';
import { INotifier, settlingNotifier } from './notifier';

export type { INotifier } from './notifier';

/** queued, running, done, failed, cancelled, interrupted (the server's `jobs.ACTIVE` and the rest). */
export type JobState = components['schemas']['JobState'];

export const ACTIVE_JOB_STATES: readonly JobState[] = ['queued', 'running'];

export function isJobActive(state: JobState): boolean {
  return ACTIVE_JOB_STATES.includes(state);
}

/** One failed item of a job (a file, a DID, a record file). */
export type IJobError = components['schemas']['JobError'];

/**
 * The fields every job has, whatever its kind (`datalake.fetch`, `catalogue.fetch`,
 * `workflows.submit`, ...); each kind adds its own. Generated from openapi.yaml.
 */
export type IJob = components['schemas']['Job'];

/** The job routes of one slice. `D` is a job with its items (`GET /jobs/<id>`). */
export interface IJobsApi<J extends IJob = IJob, D extends J = J> {
  list(): Promise<J[]>;
  get(id: string): Promise<D>;
  cancel(id: string): Promise<J>;
  /** Also resumes an interrupted job. */
  retry(id: string): Promise<J>;
  /** Forgets a finished job (409 while it runs). */
  remove(id: string): Promise<void>;
}

/** The job routes of `/escape/<slice>/jobs`. */
export function jobsApi<J extends IJob, D extends J = J>(
  slice: string
): IJobsApi<J, D> {
  const base = `${slice}/jobs`;
  const one = (id: string) => `${base}/${encodeURIComponent(id)}`;
  return {
    list: async () => (await requestAPI<{ jobs: J[] }>(base)).jobs,
    get: id => requestAPI<D>(one(id)),
    cancel: id => requestAPI<J>(`${one(id)}/cancel`, { method: 'POST' }),
    retry: id => requestAPI<J>(`${one(id)}/retry`, { method: 'POST' }),
    remove: async id => {
      await requestAPI<void>(one(id), { method: 'DELETE' });
    }
  };
}

export interface IJobsModelOptions<J extends IJob, D extends J> {
  api: IJobsApi<J, D>;
  /** The Poll's name, for debugging. */
  name: string;
  /** Whether a view shows the jobs; polling stands by while none does (and nothing follows). */
  isVisible?: () => boolean;
  /** Milliseconds between two polls while a job is active. */
  interval?: number;
  /** Only the jobs this returns true for (a slice with several kinds may show one). */
  filter?: (job: J) => boolean;
}

/**
 * The jobs of one slice, kept fresh by a Poll that runs only while a job is active, stands by
 * while hidden (unless something such as a notification follows a job) and backs off on errors.
 */
export class JobsModel<J extends IJob = IJob, D extends J = J> {
  constructor(options: IJobsModelOptions<J, D>) {
    this.api = options.api;
    this._isVisible = options.isVisible ?? (() => true);
    this._filter = options.filter ?? (() => true);
    const interval = options.interval ?? 1000;
    this._poll = new Poll({
      auto: false,
      factory: () => this._tick(),
      frequency: { interval, backoff: true, max: 30 * interval },
      name: options.name,
      standby: () =>
        this._isVisible() || this._followers.some(held => held())
          ? 'when-hidden'
          : true
    });
  }

  readonly api: IJobsApi<J, D>;

  /** Anything changed: jobs, details, busy flags, error. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Each job as it arrives from the server (listing, start, cancel, retry). */
  get jobUpdated(): ISignal<this, J> {
    return this._jobUpdated;
  }

  /** Newest first. */
  get jobs(): readonly J[] {
    return this._jobs;
  }

  get loaded(): boolean {
    return this._loaded;
  }

  /** Why the last listing failed; null when it worked. */
  get error(): string | null {
    return this._error;
  }

  get polling(): boolean {
    const phase = this._poll.state.phase;
    return phase !== 'stopped' && phase !== 'constructed' && !this._disposed;
  }

  get activeCount(): number {
    return this._jobs.filter(job => isJobActive(job.state)).length;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Keep polling while hidden as long as `held` says so (a toast following a job). */
  holdWhile(held: () => boolean): void {
    this._followers.push(held);
  }

  find(id: string): J | null {
    return this._jobs.find(job => job.id === id) ?? null;
  }

  /** A job with its items; null until loaded. */
  detail(id: string): D | null {
    return this._details.get(id) ?? null;
  }

  isExpanded(id: string): boolean {
    return this._expanded.has(id);
  }

  /** Jobs with a request in flight (cancel, retry, remove): their buttons wait. */
  isBusy(id: string): boolean {
    return this._busy.has(id);
  }

  /** List the jobs again; polling starts if one is active and stops when none is. */
  async refresh(): Promise<void> {
    try {
      this._setJobs(await this.api.list());
      this._error = null;
    } catch (reason) {
      this._error = errorMessage(reason);
    }
    this._loaded = true;
    this._emit();
  }

  /** A job this browser just started (the server's answer to the start request). */
  add(job: J): void {
    this._setJobs([job, ...this._jobs.filter(j => j.id !== job.id)]);
    this._emit();
  }

  async cancel(id: string): Promise<void> {
    await this._act(id, () => this.api.cancel(id));
  }

  /** Retry a failed or cancelled job, or resume an interrupted one. */
  async retry(id: string): Promise<void> {
    await this._act(id, () => this.api.retry(id));
  }

  async remove(id: string): Promise<void> {
    await this._act(id, async () => {
      await this.api.remove(id);
      return null;
    });
  }

  /** Show or hide the items of a job (loaded on demand, refreshed while active). */
  async toggleDetail(id: string): Promise<void> {
    if (this._expanded.delete(id)) {
      this._emit();
      return;
    }
    this._expanded.add(id);
    this._emit();
    await this.loadDetail(id);
  }

  /** The job with its items; null when the server does not answer. */
  async loadDetail(id: string, emit = true): Promise<D | null> {
    try {
      const detail = await this.api.get(id);
      this._details.set(id, detail);
      return detail;
    } catch {
      return null;
    } finally {
      if (emit) {
        this._emit();
      }
    }
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._poll.dispose();
    Signal.clearData(this);
  }

  private async _tick(): Promise<void> {
    let jobs: J[];
    try {
      jobs = await this.api.list();
    } catch (reason) {
      // Thrown on: the Poll backs off; the view says why meanwhile.
      this._error = errorMessage(reason);
      this._emit();
      throw reason;
    }
    this._error = null;
    this._setJobs(jobs);
    await Promise.all(
      [...this._expanded]
        .filter(id => {
          const job = this.find(id);
          return job && (isJobActive(job.state) || !this._details.has(id));
        })
        .map(id => this.loadDetail(id, false))
    );
    this._emit();
  }

  private async _act(id: string, call: () => Promise<J | null>): Promise<void> {
    this._busy.add(id);
    this._emit();
    try {
      const job = await call();
      if (job) {
        this._setJobs(this._jobs.map(j => (j.id === id ? job : j)));
      } else {
        this._details.delete(id);
        this._expanded.delete(id);
        this._setJobs(this._jobs.filter(j => j.id !== id));
      }
    } finally {
      this._busy.delete(id);
      this._emit();
    }
  }

  private _setJobs(jobs: J[]): void {
    if (this._disposed) {
      return;
    }
    this._jobs = jobs.filter(this._filter);
    for (const job of this._jobs) {
      this._jobUpdated.emit(job);
    }
    if (this._jobs.some(job => isJobActive(job.state))) {
      void this._poll.start();
    } else {
      void this._poll.stop();
    }
  }

  private _emit(): void {
    if (!this._disposed) {
      this._changed.emit();
    }
  }

  private readonly _isVisible: () => boolean;
  private readonly _filter: (job: J) => boolean;
  private readonly _poll: Poll;
  private readonly _followers: (() => boolean)[] = [];
  private _changed = new Signal<this, void>(this);
  private _jobUpdated = new Signal<this, J>(this);
  private _jobs: J[] = [];
  private _loaded = false;
  private _error: string | null = null;
  private _disposed = false;
  private _details = new Map<string, D>();
  private _expanded = new Set<string>();
  private _busy = new Set<string>();
}

/** A button of a job's toast. */
export interface IJobAction {
  label: string;
  callback: () => void;
}

/** What a kind of job says in its toast. Only `progress` is required. */
export interface IJobWords<J extends IJob> {
  /** While active: "Fetching x: 3 of 8 files". */
  progress: (job: J) => string;
  /** Done: "Fetched x into y". */
  done?: (job: J) => string;
  /** Failed or interrupted: "Fetch of x failed: ...". */
  failed?: (job: J) => string;
  cancelled?: (job: J) => string;
  /** Buttons of the success toast ("Show in file browser", "Open the workflow"). */
  doneActions?: (job: J) => IJobAction[];
  /** Buttons of the error toast, after Retry/Resume. */
  failedActions?: (job: J) => IJobAction[];
}

export interface IJobNotificationsOptions<J extends IJob> {
  model: JobsModel<J, any>;
  words: IJobWords<J>;
  trans: TranslationBundle;
  notifier?: INotifier;
  /** A job becomes a toast once it ran this long (ms) or has this many items; 0: at once. */
  longMs?: number;
  longItems?: number;
  /** Offer Retry (Resume when interrupted) on failure; true unless the kind cannot retry. */
  retry?: boolean;
  now?: () => number;
}

/**
 * One progress toast per job this browser saw active, updated as the model polls and turned
 * into success (with the kind's actions) or error (with Retry or Resume) when the job ends.
 * Jobs already finished when first listed are never notified.
 */
export class JobNotifications<J extends IJob> {
  constructor(options: IJobNotificationsOptions<J>) {
    this._model = options.model;
    this._words = options.words;
    this._trans = options.trans;
    // A job may end before its toast exists: the final update is sent again (notifier.ts).
    this._notifier = settlingNotifier(options.notifier ?? Notification);
    this._longMs = options.longMs ?? 3000;
    this._longItems = options.longItems ?? 50;
    this._retry = options.retry ?? true;
    this._now = options.now ?? Date.now;
    this._model.jobUpdated.connect((_, job) => this.follow(job));
    // A toast follows a job: keep polling even if the view is hidden.
    this._model.holdWhile(() => this._notes.size > 0);
  }

  /** Follow a job from now on: it gets a toast once long enough (at once after a start). */
  watch(id: string, immediately = false): void {
    this._watched.set(id, immediately ? -Infinity : this._now());
  }

  /** Whether a toast follows this job. */
  isNotified(id: string): boolean {
    return this._notes.has(id);
  }

  /** Take the job's latest state: emit, update or end its toast. */
  follow(job: J): void {
    const note = this._notes.get(job.id);
    if (isJobActive(job.state)) {
      if (!this._watched.has(job.id)) {
        // Seen running (a reload, another tab): follow it from now on.
        this._watched.set(job.id, this._now());
      }
      const since = this._watched.get(job.id)!;
      const long =
        this._now() - since >= this._longMs ||
        job.items_total >= this._longItems;
      const message = this._words.progress(job);
      const progress = job.bytes_total
        ? job.bytes_done / job.bytes_total
        : job.items_total
          ? job.items_done / job.items_total
          : undefined;
      if (note) {
        this._notifier.update({
          id: note,
          message,
          type: 'in-progress',
          progress
        });
      } else if (long) {
        this._notes.set(
          job.id,
          this._notifier.emit(message, 'in-progress', {
            autoClose: false,
            progress
          })
        );
      }
      return;
    }
    this._watched.delete(job.id);
    if (!note) {
      return;
    }
    this._notes.delete(job.id);
    this._notifier.update({ id: note, ...this.ending(job) });
  }

  /** The final toast of a finished job. */
  ending(job: J): Omit<Notification.IUpdate<any>, 'id'> {
    const trans = this._trans;
    const words = this._words;
    if (job.state === 'done') {
      return {
        message: words.done?.(job) ?? job.message ?? trans.__('Done'),
        type: 'success',
        autoClose: 8000,
        progress: undefined,
        actions: words.doneActions?.(job) ?? []
      };
    }
    if (job.state === 'cancelled') {
      return {
        message: words.cancelled?.(job) ?? job.message ?? trans.__('Cancelled'),
        type: 'default',
        autoClose: 4000,
        progress: undefined,
        actions: []
      };
    }
    const retry: IJobAction[] = this._retry
      ? [
          {
            label:
              job.state === 'interrupted'
                ? trans.__('Resume')
                : trans.__('Retry'),
            callback: () => {
              this.watch(job.id, true);
              void this._model.retry(job.id).catch(() => undefined);
            }
          }
        ]
      : [];
    return {
      message: words.failed?.(job) ?? job.message ?? trans.__('Failed'),
      type: 'error',
      autoClose: false,
      progress: undefined,
      actions: [...retry, ...(words.failedActions?.(job) ?? [])]
    };
  }

  private readonly _model: JobsModel<J, any>;
  private readonly _words: IJobWords<J>;
  private readonly _trans: TranslationBundle;
  private readonly _notifier: INotifier;
  private readonly _longMs: number;
  private readonly _longItems: number;
  private readonly _retry: boolean;
  private readonly _now: () => number;
  /** Job id -> when this browser first saw it active. */
  private _watched = new Map<string, number>();
  /** Job id -> notification id. */
  private _notes = new Map<string, string>();
}
