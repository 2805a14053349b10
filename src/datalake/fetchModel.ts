import { nullTranslator, TranslationBundle } from '@jupyterlab/translation';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { formatBytes } from '../common/format';
import {
  INotifier,
  isJobActive,
  IJobWords,
  JobNotifications,
  JobsModel
} from '../common/jobs';
import { errorMessage } from '../request';
import {
  FetchApi,
  fetchApi,
  FetchOrigin,
  IFetchCheck,
  IFetchJob,
  IFetchJobDetail,
  IReplicaStatus,
  RuleState
} from './fetchApi';

export type { INotifier } from '../common/jobs';

export interface IFetchModelOptions {
  api?: FetchApi;
  notifier?: INotifier;
  trans?: TranslationBundle;
  /** Whether the sidebar shows the fetches; polling stands by while it does not. */
  isVisible?: () => boolean;
  /** The "Show in file browser" action of notifications. */
  showPath?: (path: string) => void;
  /** Milliseconds between two polls while a job is active. */
  interval?: number;
  /** A job becomes a notification once it ran this long (ms) or has this many files. */
  longMs?: number;
  longFiles?: number;
  now?: () => number;
}

/** A followed "make available" request in replica mode. */
export interface IReplicaEntry {
  did: string;
  instance?: string;
  status: IReplicaStatus | null;
  error: string | null;
  loading: boolean;
}

/** Rule states in which the replica can still change by itself: keep following. */
const MOVING_RULES: readonly RuleState[] = [
  'REPLICATING',
  'INJECT',
  'WAITING_APPROVAL'
];

/** The folder that contains every path (the workspace root is ''). */
export function commonFolder(paths: string[]): string {
  if (paths.length === 1) {
    return paths[0];
  }
  const split = paths.map(p => p.split('/'));
  const common: string[] = [];
  for (let i = 0; split.every(parts => i < parts.length - 1); i++) {
    const part = split[0][i];
    if (!split.every(parts => parts[i] === part)) {
      break;
    }
    common.push(part);
  }
  return common.join('/');
}

/** The name a job is known by: its first DID, and how many more. */
export function jobTitle(job: IFetchJob, trans: TranslationBundle): string {
  const first = job.dids[0]?.name ?? job.id;
  return job.dids.length > 1
    ? trans.__('%1 and %2 more', first, job.dids.length - 1)
    : first;
}

/** Where "Show in file browser" goes for a job. */
export function jobFolder(job: IFetchJob): string {
  const paths = job.paths.map(p => p.path);
  return paths.length ? commonFolder(paths) : job.dest;
}

/** What a fetch says in its toast. */
export function fetchWords(
  trans: TranslationBundle,
  showPath?: (path: string) => void
): IJobWords<IFetchJob> {
  return {
    progress: job =>
      trans.__(
        'Fetching %1: %2 of %3 files, %4 of %5',
        jobTitle(job, trans),
        job.files_done + job.files_present,
        job.files_total,
        formatBytes(job.bytes_done),
        formatBytes(job.bytes_total)
      ),
    done: job =>
      trans.__('Fetched %1 into %2', jobTitle(job, trans), jobFolder(job)),
    doneActions: job =>
      showPath
        ? [
            {
              label: trans.__('Show in file browser'),
              callback: () => showPath(jobFolder(job))
            }
          ]
        : [],
    cancelled: job => trans.__('Fetch of %1 cancelled', jobTitle(job, trans)),
    failed: job =>
      trans.__(
        'Fetch of %1 %2: %3',
        jobTitle(job, trans),
        job.state === 'interrupted'
          ? trans.__('interrupted')
          : trans.__('failed'),
        job.message ??
          trans._n('%1 file failed', '%1 files failed', job.files_failed)
      )
  };
}

/**
 * The Data Lake fetches: the slice's jobs on the common `JobsModel` (polled while one is active
 * and the sidebar or a toast shows it), a toast per long job through `JobNotifications`, and
 * the replica requests followed in replica mode.
 */
export class FetchModel {
  constructor(options: IFetchModelOptions = {}) {
    this._api = options.api ?? fetchApi;
    const trans = options.trans ?? nullTranslator.load('jupyterlab_escape');
    const interval = options.interval ?? 1000;
    this._isVisible = options.isVisible ?? (() => true);
    this.jobsModel = new JobsModel<IFetchJob, IFetchJobDetail>({
      api: this._api,
      name: 'jupyterlab-escape:datalake-fetch',
      isVisible: this._isVisible,
      interval,
      // The slice's job listing also holds the uploads: they have their own section.
      filter: job => (job.kind ?? 'datalake.fetch') === 'datalake.fetch'
    });
    this.notes = new JobNotifications<IFetchJob>({
      model: this.jobsModel,
      words: fetchWords(trans, options.showPath),
      trans,
      notifier: options.notifier,
      longMs: options.longMs ?? 3000,
      longItems: options.longFiles ?? 50,
      now: options.now
    });
    this.jobsModel.changed.connect(this._emit, this);
    this._replicaPoll = new Poll({
      auto: false,
      factory: () => this._tickReplicas(),
      frequency: { interval: interval * 3, backoff: true, max: 60 * interval },
      name: 'jupyterlab-escape:datalake-replica',
      standby: () => (this._isVisible() ? 'when-hidden' : true)
    });
  }

  /** The fetch jobs (`/escape/datalake/jobs`). */
  readonly jobsModel: JobsModel<IFetchJob, IFetchJobDetail>;
  /** Their toasts. */
  readonly notes: JobNotifications<IFetchJob>;

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Newest first. */
  get jobs(): readonly IFetchJob[] {
    return this.jobsModel.jobs;
  }

  get loaded(): boolean {
    return this.jobsModel.loaded;
  }

  /** Why the last listing failed; null when it worked. */
  get error(): string | null {
    return this.jobsModel.error;
  }

  get polling(): boolean {
    return this.jobsModel.polling;
  }

  get activeCount(): number {
    return this.jobsModel.activeCount;
  }

  /** The files of an expanded job; null until loaded. */
  detail(id: string): IFetchJobDetail | null {
    return this.jobsModel.detail(id);
  }

  isExpanded(id: string): boolean {
    return this.jobsModel.isExpanded(id);
  }

  /** Ids of jobs with a request in flight (cancel, retry, remove): their buttons wait. */
  isBusy(id: string): boolean {
    return this.jobsModel.isBusy(id);
  }

  /** The newest finished job that brought this DID into the workspace, with its local path. */
  fetched(
    did: string,
    instance?: string
  ): { job: IFetchJob; path: string } | null {
    for (const job of this.jobs) {
      if (job.state !== 'done' || (instance && job.instance !== instance)) {
        continue;
      }
      const entry = job.paths.find(p => p.did === did);
      if (entry) {
        return { job, path: entry.path };
      }
    }
    return null;
  }

  /** The active job fetching this DID, if any. */
  activeFor(did: string): IFetchJob | null {
    return (
      this.jobs.find(
        job =>
          isJobActive(job.state) &&
          job.dids.some(d => `${d.scope}:${d.name}` === did)
      ) ?? null
    );
  }

  /** List the jobs again; polling starts if one is active and stops when none is. */
  refresh(): Promise<void> {
    return this.jobsModel.refresh();
  }

  /** Start fetching DIDs; the server answers at once with the queued job. */
  async start(
    dids: string[],
    dest?: string,
    instance?: string,
    origin?: FetchOrigin
  ): Promise<IFetchJob> {
    const folder = dest?.trim() || undefined;
    const job = origin
      ? await this._api.start(dids, folder, instance, origin)
      : await this._api.start(dids, folder, instance);
    this.notes.watch(job.id);
    this.jobsModel.add(job);
    return job;
  }

  /** Where a request would land, or the server's refusal; nothing starts. */
  check(
    dids: string[],
    dest?: string,
    instance?: string,
    origin?: FetchOrigin,
    signal?: AbortSignal
  ): Promise<IFetchCheck> {
    return this._api.check(
      dids,
      dest?.trim() || undefined,
      instance,
      origin,
      signal
    );
  }

  cancel(id: string): Promise<void> {
    return this.jobsModel.cancel(id);
  }

  /** Retry a failed or cancelled job, or resume an interrupted one. */
  retry(id: string): Promise<void> {
    this.notes.watch(id);
    return this.jobsModel.retry(id);
  }

  remove(id: string): Promise<void> {
    return this.jobsModel.remove(id);
  }

  /** Show or hide the files of a job (loaded on demand, refreshed while active). */
  toggleFiles(id: string): Promise<void> {
    return this.jobsModel.toggleDetail(id);
  }

  /** The job with its files (checksums included), for metadata and snippets. */
  loadDetail(id: string): Promise<IFetchJobDetail | null> {
    return this.jobsModel.loadDetail(id);
  }

  // ---- replica mode ----

  replica(did: string): IReplicaEntry | null {
    return this._replicas.get(did) ?? null;
  }

  /** Create or reuse a replication rule for the DID, then follow it. */
  async makeAvailable(did: string, instance?: string): Promise<void> {
    const entry: IReplicaEntry = {
      did,
      instance,
      status: this._replicas.get(did)?.status ?? null,
      error: null,
      loading: true
    };
    this._replicas.set(did, entry);
    this._emit();
    try {
      await this._api.makeAvailable(did, instance);
      await this._refreshReplica(entry);
    } catch (reason) {
      entry.error = errorMessage(reason);
      entry.loading = false;
      this._emit();
    }
  }

  /** Look up the replica state of a DID (for the details view), following it if it moves. */
  async lookupReplica(did: string, instance?: string): Promise<void> {
    const entry: IReplicaEntry = this._replicas.get(did) ?? {
      did,
      instance,
      status: null,
      error: null,
      loading: true
    };
    this._replicas.set(did, entry);
    await this._refreshReplica(entry);
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this.jobsModel.dispose();
    this._replicaPoll.dispose();
    Signal.clearData(this);
  }

  private async _refreshReplica(entry: IReplicaEntry): Promise<void> {
    entry.loading = true;
    try {
      entry.status = await this._api.replica(entry.did, entry.instance);
      entry.error = null;
    } catch (reason) {
      entry.error = errorMessage(reason);
    }
    entry.loading = false;
    this._emit();
    if (this._replicasMoving()) {
      void this._replicaPoll.start();
    }
  }

  private _replicasMoving(): boolean {
    for (const entry of this._replicas.values()) {
      const state = entry.status?.rule?.state;
      if (state && MOVING_RULES.includes(state) && !entry.error) {
        return true;
      }
    }
    return false;
  }

  private async _tickReplicas(): Promise<void> {
    const moving = [...this._replicas.values()].filter(entry => {
      const state = entry.status?.rule?.state;
      return state && MOVING_RULES.includes(state);
    });
    await Promise.all(
      moving.map(async entry => {
        entry.status = await this._api.replica(entry.did, entry.instance);
      })
    );
    this._emit();
    if (!this._replicasMoving()) {
      void this._replicaPoll.stop();
    }
  }

  private _emit(): void {
    if (!this._disposed) {
      this._changed.emit();
    }
  }

  private readonly _api: FetchApi;
  private readonly _isVisible: () => boolean;
  private readonly _replicaPoll: Poll;
  private _changed = new Signal<this, void>(this);
  private _disposed = false;
  private _replicas = new Map<string, IReplicaEntry>();
}
