/**
 * State of the record view: the record (sanitized on the server), its citations, and the
 * fetch job that brings its files into the workspace (polled until it ends).
 */
import { VDomModel } from '@jupyterlab/ui-components';
import { Poll } from '@lumino/polling';

import { errorMessage } from '../request';
import { catalogueAPI, ICatalogueAPI, IFetchJob, IRecordDetail } from './api';

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

  /** Start fetching the files; resolves with the final job. */
  async fetchFiles(extract: boolean): Promise<IFetchJob> {
    this._jobError = null;
    try {
      this._job = await this.api.startFetch(this.id, { extract });
    } catch (reason) {
      this._jobError = errorMessage(reason, 'Fetching the files');
      this.stateChanged.emit();
      throw reason;
    }
    this.stateChanged.emit();
    return this._follow(this._job);
  }

  async cancelFetch(): Promise<void> {
    if (this._job) {
      this._job = await this.api.cancelFetch(this._job.id);
      this.stateChanged.emit();
    }
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
          const next = await this.api.getFetch(job.id);
          this._job = next;
          this.stateChanged.emit();
          if (next.state !== 'queued' && next.state !== 'running') {
            poll.dispose();
            resolve(next);
          }
        },
        frequency: { interval: 400, backoff: false },
        standby: 'never'
      });
      this._poll = poll;
      poll.disposed.connect(() => {
        if (this._job && ['queued', 'running'].includes(this._job.state)) {
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
}
