/**
 * State of the record view: the record (sanitized on the server), its citations, and the
 * fetch job that brings its files into the workspace (a job on the server's job system, polled
 * until it ends; found again when the record is reopened or the page reloaded).
 */
import { VDomModel } from '@jupyterlab/ui-components';
import { Poll } from '@lumino/polling';

import { errorMessage } from '../request';
import {
  catalogueAPI,
  ICatalogueAPI,
  IFetchJob,
  IRecordDetail,
  isActive
} from './api';

export class RecordModel extends VDomModel {
  constructor(
    readonly id: string,
    private readonly api: ICatalogueAPI = catalogueAPI
  ) {
    super();
  }

  get record(): IRecordDetail | null {
    return this._record;
  }
  get loading(): boolean {
    return this._loading;
  }
  get error(): string | null {
    return this._error;
  }
  get job(): IFetchJob | null {
    return this._job;
  }
  get jobError(): string | null {
    return this._jobError;
  }

  async load(images = false): Promise<void> {
    this._loading = true;
    this._error = null;
    this.stateChanged.emit();
    try {
      this._record = await this.api.getRecord(this.id, { images });
    } catch (reason) {
      this._error = errorMessage(reason, 'Loading the record');
    }
    this._loading = false;
    if (!this.isDisposed) {
      this.stateChanged.emit();
    }
  }

  /** Remote images are left out unless the user asks for them. */
  showImages(): Promise<void> {
    return this.load(true);
  }

  /** A citation in `style` (bibtex, apa, ...), from Zenodo's export formats, cached. */
  async citation(style: string): Promise<string> {
    const known = this._citations.get(style);
    if (known !== undefined) {
      return known;
    }
    const { text } = await this.api.getCitation(this.id, style);
    this._citations.set(style, text);
    return text;
  }

  /**
   * The newest fetch of this record the server knows (it survives a reload and a server
   * restart); followed when it still runs.
   */
  async restoreJob(): Promise<IFetchJob | null> {
    let jobs: IFetchJob[];
    try {
      jobs = await this.api.listJobs();
    } catch {
      return null; // the view works without it; a fetch started now says what is wrong
    }
    const mine = jobs.find(job => job.record_id === this.id);
    if (!mine || this.isDisposed || this._job) {
      return this._job;
    }
    this._job = mine;
    this.stateChanged.emit();
    return isActive(mine) ? this._follow(mine) : mine;
  }

  /** Start fetching the files; resolves with the final job. A second call while the first
   * start is on its way follows the same job. */
  fetchFiles(extract: boolean): Promise<IFetchJob> {
    if (!this._starting) {
      this._starting = this._start(extract).finally(() => {
        this._starting = null;
      });
    }
    return this._starting;
  }

  private async _start(extract: boolean): Promise<IFetchJob> {
    this._jobError = null;
    try {
      this._job = await this.api.startFetch(this.id, {
        extract,
        idempotency_key: newKey()
      });
    } catch (reason) {
      this._jobError = errorMessage(reason, 'Fetching the files');
      this.stateChanged.emit();
      throw reason;
    }
    this.stateChanged.emit();
    return this._follow(this._job);
  }

  /** Retry a failed or cancelled fetch, or resume an interrupted one; resolves when it ends. */
  async retryFetch(): Promise<IFetchJob> {
    const job = this._job;
    if (!job) {
      throw new Error('No fetch to retry.');
    }
    this._jobError = null;
    try {
      this._job = await this.api.retryJob(job.id);
    } catch (reason) {
      this._jobError = errorMessage(reason, 'Retrying the fetch');
      this.stateChanged.emit();
      throw reason;
    }
    this.stateChanged.emit();
    return this._follow(this._job);
  }

  /**
   * A newer state of this record's fetch seen elsewhere (the fetch toast's poll, its Retry or
   * Resume): take it, and follow it again if it runs while this view does not poll.
   */
  adopt(job: IFetchJob): void {
    if (this.isDisposed || !this._job || this._job.id !== job.id) {
      return;
    }
    this._job = job;
    this.stateChanged.emit();
    if (isActive(job) && (!this._poll || this._poll.isDisposed)) {
      void this._follow(job);
    }
  }

  /** Ask the server to stop; the poll sees the job end as cancelled. */
  async cancelFetch(): Promise<void> {
    if (this._job) {
      try {
        this._job = await this.api.cancelJob(this._job.id);
      } catch (reason) {
        this._jobError = errorMessage(reason, 'Cancelling the fetch');
      }
      this.stateChanged.emit();
    }
  }

  /** Forget a finished fetch on the server (its files stay) and clear the status. */
  async removeFetch(): Promise<void> {
    const job = this._job;
    if (!job || isActive(job)) {
      return;
    }
    try {
      await this.api.removeJob(job.id);
      this._job = null;
      this._jobError = null;
    } catch (reason) {
      this._jobError = errorMessage(reason, 'Clearing the fetch');
    }
    this.stateChanged.emit();
  }

  dispose(): void {
    this._poll?.dispose();
    super.dispose();
  }

  private _follow(job: IFetchJob): Promise<IFetchJob> {
    return new Promise<IFetchJob>(resolve => {
      this._poll?.dispose();
      const poll = new Poll({
        factory: async () => {
          const next = await this.api.getJob(job.id);
          this._job = next;
          this.stateChanged.emit();
          if (!isActive(next)) {
            poll.dispose();
            resolve(next);
          }
        },
        frequency: { interval: 400, backoff: false },
        standby: 'never'
      });
      this._poll = poll;
      poll.disposed.connect(() => {
        if (this._job && isActive(this._job)) {
          resolve(this._job);
        }
      });
    });
  }

  private _record: IRecordDetail | null = null;
  private _loading = false;
  private _error: string | null = null;
  private _job: IFetchJob | null = null;
  private _jobError: string | null = null;
  private _citations = new Map<string, string>();
  private _poll: Poll | null = null;
  private _starting: Promise<IFetchJob> | null = null;
}

/** An idempotency key per click: a double click or a resent request starts one job. */
function newKey(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
}
