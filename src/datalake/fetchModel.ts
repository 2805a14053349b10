import { Notification } from '@jupyterlab/apputils';
import { nullTranslator, TranslationBundle } from '@jupyterlab/translation';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { formatBytes } from '../common/format';
import { errorMessage } from '../request';
import {
  FetchApi,
  fetchApi,
  FetchOrigin,
  IFetchCheck,
  IFetchJob,
  IFetchJobDetail,
  IReplicaStatus,
  isActive,
  RuleState
} from './fetchApi';

/** The part of JupyterLab's Notification the model uses (tests pass a double). */
export interface INotifier {
  emit: (
    message: string,
    type: Notification.TypeOptions,
    options?: Notification.IOptions<any>
  ) => string;
  update: (args: Notification.IUpdate<any>) => boolean;
  dismiss: (id?: string) => void;
}

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

/**
 * The fetch jobs of this server, kept fresh by a Poll that runs while a job is active (and the
 * sidebar or a notification shows it), and the replica requests followed in replica mode.
 * Long jobs also appear as a Notification that ends in success or error.
 */
export class FetchModel {
  constructor(options: IFetchModelOptions = {}) {
    this._api = options.api ?? fetchApi;
    this._notifier = options.notifier ?? Notification;
    this._trans = options.trans ?? nullTranslator.load('jupyterlab_escape');
    this._isVisible = options.isVisible ?? (() => true);
    this._showPath = options.showPath;
    this._longMs = options.longMs ?? 3000;
    this._longFiles = options.longFiles ?? 50;
    this._now = options.now ?? Date.now;
    const interval = options.interval ?? 1000;
    this._poll = new Poll({
      auto: false,
      factory: () => this._tick(),
      frequency: { interval, backoff: true, max: 30 * interval },
      name: 'jupyterlab-escape:datalake-fetch',
      // Hidden sidebar: stand by, unless a notification is following a job.
      standby: () =>
        !this._isVisible() && this._notes.size === 0 ? true : 'when-hidden'
    });
    this._replicaPoll = new Poll({
      auto: false,
      factory: () => this._tickReplicas(),
      frequency: { interval: interval * 3, backoff: true, max: 60 * interval },
      name: 'jupyterlab-escape:datalake-replica',
      standby: () => (this._isVisible() ? 'when-hidden' : true)
    });
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Newest first. */
  get jobs(): readonly IFetchJob[] {
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
    return this._jobs.filter(job => isActive(job.state)).length;
  }

  /** The files of an expanded job; null until loaded. */
  detail(id: string): IFetchJobDetail | null {
    return this._details.get(id) ?? null;
  }

  isExpanded(id: string): boolean {
    return this._expanded.has(id);
  }

  /** Ids of jobs with a request in flight (cancel, retry, remove): their buttons wait. */
  isBusy(id: string): boolean {
    return this._busy.has(id);
  }

  /** The newest finished job that brought this DID into the workspace, with its local path. */
  fetched(
    did: string,
    instance?: string
  ): { job: IFetchJob; path: string } | null {
    for (const job of this._jobs) {
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
      this._jobs.find(
        job =>
          isActive(job.state) &&
          job.dids.some(d => `${d.scope}:${d.name}` === did)
      ) ?? null
    );
  }

  /** List the jobs again; polling starts if one is active and stops when none is. */
  async refresh(): Promise<void> {
    try {
      this._setJobs(await this._api.list());
      this._error = null;
    } catch (reason) {
      this._error = errorMessage(reason);
    }
    this._loaded = true;
    this._emit();
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
    this._watched.set(job.id, this._now());
    this._setJobs([job, ...this._jobs.filter(j => j.id !== job.id)]);
    this._emit();
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

  async cancel(id: string): Promise<void> {
    await this._act(id, () => this._api.cancel(id));
  }

  /** Retry a failed or cancelled job, or resume an interrupted one. */
  async retry(id: string): Promise<void> {
    this._watched.set(id, this._now());
    await this._act(id, () => this._api.retry(id));
  }

  async remove(id: string): Promise<void> {
    await this._act(id, async () => {
      await this._api.remove(id);
      return null;
    });
  }

  /** Show or hide the files of a job (loaded on demand, refreshed while active). */
  async toggleFiles(id: string): Promise<void> {
    if (this._expanded.delete(id)) {
      this._emit();
      return;
    }
    this._expanded.add(id);
    this._emit();
    await this._loadDetail(id);
  }

  /** The job with its files (checksums included), for metadata and snippets. */
  loadDetail(id: string): Promise<IFetchJobDetail | null> {
    return this._loadDetail(id);
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
    this._poll.dispose();
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

  private async _tick(): Promise<void> {
    let jobs: IFetchJob[];
    try {
      jobs = await this._api.list();
    } catch (reason) {
      // The Poll backs off; the sidebar says why meanwhile.
      this._error = errorMessage(reason);
      this._emit();
      throw reason;
    }
    this._error = null;
    this._setJobs(jobs);
    await Promise.all(
      [...this._expanded]
        .filter(id => {
          const job = this._jobs.find(j => j.id === id);
          return job && (isActive(job.state) || !this._details.has(id));
        })
        .map(id => this._loadDetail(id, false))
    );
    this._emit();
  }

  private async _loadDetail(
    id: string,
    emit = true
  ): Promise<IFetchJobDetail | null> {
    try {
      const detail = await this._api.get(id);
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

  private async _act(
    id: string,
    call: () => Promise<IFetchJob | null>
  ): Promise<void> {
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

  /** Take a new list: notifications follow the jobs, polling runs while one is active. */
  private _setJobs(jobs: IFetchJob[]): void {
    this._jobs = jobs;
    for (const job of jobs) {
      if (isActive(job.state) && !this._watched.has(job.id)) {
        // Seen running (e.g. after a reload): follow it from now on.
        this._watched.set(job.id, this._now());
      }
      this._follow(job);
    }
    if (this._disposed) {
      return;
    }
    if (jobs.some(job => isActive(job.state))) {
      void this._poll.start();
    } else {
      void this._poll.stop();
    }
  }

  private _follow(job: IFetchJob): void {
    const trans = this._trans;
    const title = jobTitle(job, trans);
    const note = this._notes.get(job.id);
    if (isActive(job.state)) {
      const since = this._watched.get(job.id);
      const long =
        since !== undefined &&
        (this._now() - since >= this._longMs ||
          job.files_total >= this._longFiles);
      const progress = job.bytes_total
        ? job.bytes_done / job.bytes_total
        : undefined;
      const message = trans.__(
        'Fetching %1: %2 of %3 files, %4 of %5',
        title,
        job.files_done + job.files_present,
        job.files_total,
        formatBytes(job.bytes_done),
        formatBytes(job.bytes_total)
      );
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
    const folder = jobFolder(job);
    const show = this._showPath;
    if (job.state === 'done') {
      this._notifier.update({
        id: note,
        message: trans.__('Fetched %1 into %2', title, folder),
        type: 'success',
        autoClose: 8000,
        progress: undefined,
        actions: show
          ? [
              {
                label: trans.__('Show in file browser'),
                callback: () => show(folder)
              }
            ]
          : []
      });
    } else if (job.state === 'cancelled') {
      this._notifier.update({
        id: note,
        message: trans.__('Fetch of %1 cancelled', title),
        type: 'default',
        autoClose: 4000,
        progress: undefined
      });
    } else {
      this._notifier.update({
        id: note,
        message: trans.__(
          'Fetch of %1 %2: %3',
          title,
          job.state === 'interrupted'
            ? trans.__('interrupted')
            : trans.__('failed'),
          job.message ??
            trans._n('%1 file failed', '%1 files failed', job.files_failed)
        ),
        type: 'error',
        autoClose: false,
        progress: undefined,
        actions: [
          {
            label:
              job.state === 'interrupted'
                ? trans.__('Resume')
                : trans.__('Retry'),
            callback: () => void this.retry(job.id).catch(() => undefined)
          }
        ]
      });
    }
  }

  private _emit(): void {
    if (!this._disposed) {
      this._changed.emit();
    }
  }

  private readonly _api: FetchApi;
  private readonly _notifier: INotifier;
  private readonly _trans: TranslationBundle;
  private readonly _isVisible: () => boolean;
  private readonly _showPath?: (path: string) => void;
  private readonly _longMs: number;
  private readonly _longFiles: number;
  private readonly _now: () => number;
  private readonly _poll: Poll;
  private readonly _replicaPoll: Poll;
  private _changed = new Signal<this, void>(this);
  private _jobs: IFetchJob[] = [];
  private _loaded = false;
  private _error: string | null = null;
  private _disposed = false;
  private _details = new Map<string, IFetchJobDetail>();
  private _expanded = new Set<string>();
  private _busy = new Set<string>();
  /** Job id -> when this browser first saw it active. */
  private _watched = new Map<string, number>();
  /** Job id -> notification id. */
  private _notes = new Map<string, string>();
  private _replicas = new Map<string, IReplicaEntry>();
}
