/**
 * One publication being prepared: the codemeta the form edits, its problems by field (checked
 * by the server while the user types), the files that will go, the draft job, then the draft
 * itself (save metadata, publish with a confirmation, discard). No JSX.
 */
import { VDomModel } from '@jupyterlab/ui-components';

import { isJobActive, JobsModel } from '../../common/jobs';
import { errorMessage } from '../../request';
import {
  Codemeta,
  CodemetaProblem,
  IPublishApi,
  IZenodoIdentity,
  PublishJob,
  PublishPreparation,
  ZenodoMetadata,
  ZenodoUpload
} from './api';
import { followFirstCreator, hasMaintainer } from './codemetaForm';

export interface IPublishModelOptions {
  api: IPublishApi;
  /** The catalogue's jobs (the draft job is followed there, with its toast). */
  jobs: JobsModel<PublishJob>;
  /** A folder or notebook in the workspace. */
  path: string;
  /** New version of this published record of the user's. */
  recordId?: string | null;
  /** Edit the published metadata of this upload (with the folder's codemeta). */
  editOf?: string | null;
  /** Shows what will be public and answers whether the user confirmed. */
  confirmPublish: (upload: ZenodoUpload) => Promise<boolean>;
  /** A started job gets its toast at once. */
  watch?: (jobId: string) => void;
  /** Milliseconds between the last edit and the check; 0 checks at once. */
  checkDelay?: number;
  newKey?: () => string;
}

function randomKey(): string {
  return `pub-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

export class PublishModel extends VDomModel {
  constructor(options: IPublishModelOptions) {
    super();
    this.api = options.api;
    this.path = options.path;
    this.recordId = options.recordId ?? null;
    this.editOf = options.editOf ?? null;
    this._options = options;
    this._jobs = options.jobs;
    this._jobs.jobUpdated.connect(this._onJob, this);
  }

  readonly api: IPublishApi;
  readonly path: string;
  readonly recordId: string | null;
  readonly editOf: string | null;

  identity: IZenodoIdentity | null = null;
  preparation: PublishPreparation | null = null;
  codemeta: Codemeta = {};
  /**
   * The maintainer is the first creator (a copy kept up to date) until the user edits it; true
   * when the folder's codemeta names no maintainer.
   */
  maintainerFollows = false;
  problems: CodemetaProblem[] = [];
  zenodo: ZenodoMetadata | null = null;
  loading = false;
  checking = false;
  /** Why loading, checking or an action failed (the server's words). */
  error: string | null = null;
  job: PublishJob | null = null;
  draft: ZenodoUpload | null = null;
  /** The codemeta differs from what the draft holds. */
  dirty = false;
  busy: 'start' | 'save' | 'publish' | 'discard' | 'edit' | null = null;
  discarded = false;

  get errors(): CodemetaProblem[] {
    return this.problems.filter(p => p.level === 'error');
  }

  get jobActive(): boolean {
    return !!this.job && isJobActive(this.job.state);
  }

  /** Nothing is uploaded while the metadata has errors or is being checked. */
  get canCreateDraft(): boolean {
    return (
      !!this.identity?.stored &&
      !!this.preparation &&
      this.errors.length === 0 &&
      !this.checking &&
      !this.jobActive &&
      !this.draft &&
      this.busy === null
    );
  }

  get canPublish(): boolean {
    return (
      !!this.draft &&
      this.draft.status !== 'published' &&
      !this.dirty &&
      this.busy === null
    );
  }

  async load(): Promise<void> {
    this.loading = true;
    this.error = null;
    this.stateChanged.emit();
    try {
      const [identity, preparation] = await Promise.all([
        this.api.identity(),
        this.api.prepare(this.path)
      ]);
      this.identity = identity;
      this.preparation = preparation;
      this.maintainerFollows = !hasMaintainer(preparation.codemeta);
      this.codemeta = this.maintainerFollows
        ? followFirstCreator(preparation.codemeta)
        : preparation.codemeta;
      this.problems = preparation.problems;
      this.zenodo = preparation.zenodo;
      if (this.codemeta !== preparation.codemeta) {
        // the server's problems were about the document without the default maintainer
        await this.check();
      }
      await this._restoreJob();
    } catch (reason) {
      this.error = errorMessage(reason);
    } finally {
      this.loading = false;
      this.stateChanged.emit();
    }
  }

  setIdentity(identity: IZenodoIdentity): void {
    this.identity = identity;
    this.stateChanged.emit();
  }

  /**
   * The user changed the form: keep the document and check it after a pause. `maintainer`
   * says the user edited the maintainer (it stops following the first creator) or asked it to
   * follow the first creator again.
   */
  setCodemeta(
    codemeta: Codemeta,
    options: { maintainer?: 'edited' | 'follow' } = {}
  ): void {
    if (options.maintainer) {
      this.maintainerFollows = options.maintainer === 'follow';
    }
    this.codemeta = this.maintainerFollows
      ? followFirstCreator(codemeta)
      : codemeta;
    this.dirty = !!this.draft;
    this.checking = true;
    this.stateChanged.emit();
    if (this._timer !== null) {
      clearTimeout(this._timer);
    }
    const delay = this._options.checkDelay ?? 400;
    if (delay === 0) {
      void this.check();
    } else {
      this._timer = setTimeout(() => void this.check(), delay);
    }
  }

  /** Ask the server for the problems of the current codemeta (the last answer wins). */
  async check(): Promise<void> {
    this._timer = null;
    const serial = ++this._checkSerial;
    const codemeta = this.codemeta;
    this.checking = true;
    this.stateChanged.emit();
    try {
      const result = await this.api.check(codemeta);
      if (serial !== this._checkSerial || this.isDisposed) {
        return;
      }
      this.problems = result.problems;
      this.zenodo = result.zenodo;
      this.error = null;
    } catch (reason) {
      if (serial === this._checkSerial) {
        this.error = errorMessage(reason);
      }
    } finally {
      if (serial === this._checkSerial && !this.isDisposed) {
        this.checking = false;
        this.stateChanged.emit();
      }
    }
  }

  /** Start the `catalogue.publish` job: upload and stop at a draft. */
  async createDraft(): Promise<void> {
    if (!this.canCreateDraft) {
      return;
    }
    await this._busy('start', async () => {
      const job = await this.api.start({
        path: this.path,
        codemeta: this.codemeta,
        files: null,
        record_id: this.recordId,
        idempotency_key: (this._options.newKey ?? randomKey)()
      });
      this.job = job;
      this._options.watch?.(job.id);
      this._jobs.add(job);
    });
  }

  /** Open a published record for editing (its metadata only). */
  async openForEditing(): Promise<void> {
    if (!this.editOf || this.errors.length || this.checking) {
      return;
    }
    await this._busy('edit', async () => {
      this.draft = await this.api.act(this.editOf!, 'edit');
      this.dirty = true; // the form's metadata is not on Zenodo yet
    });
  }

  /** Put the form's metadata on the draft (after "reviews and fixes"). */
  async saveMetadata(): Promise<void> {
    if (!this.draft || this.errors.length || this.checking) {
      return;
    }
    await this._busy('save', async () => {
      this.draft = await this.api.act(this.draft!.id, 'metadata', {
        codemeta: this.codemeta
      });
      this.dirty = false;
    });
  }

  /** Publish the draft after the user confirmed what will be public. */
  async publish(): Promise<void> {
    if (!this.canPublish) {
      return;
    }
    // Show what Zenodo holds now, not what the form says.
    let current: ZenodoUpload;
    try {
      current = await this.api.upload(this.draft!.id);
    } catch (reason) {
      this.error = errorMessage(reason);
      this.stateChanged.emit();
      return;
    }
    this.draft = current;
    if (!(await this._options.confirmPublish(current))) {
      this.stateChanged.emit();
      return;
    }
    await this._busy('publish', async () => {
      this.draft = await this.api.act(current.id, 'publish', { confirm: true });
    });
  }

  /** Discard the draft (a new one is deleted; an edit returns to the published metadata). */
  async discard(): Promise<void> {
    if (!this.draft) {
      return;
    }
    await this._busy('discard', async () => {
      const left = await this.api.act(this.draft!.id, 'discard');
      this.draft =
        left && left.status === 'published' && this.editOf ? null : left;
      this.discarded = true;
      this.job = null;
    });
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    if (this._timer !== null) {
      clearTimeout(this._timer);
    }
    this._jobs.jobUpdated.disconnect(this._onJob, this);
    super.dispose();
  }

  private async _busy(
    what: NonNullable<PublishModel['busy']>,
    call: () => Promise<void>
  ): Promise<void> {
    this.busy = what;
    this.error = null;
    this.stateChanged.emit();
    try {
      await call();
    } catch (reason) {
      this.error = errorMessage(reason);
    } finally {
      this.busy = null;
      this.stateChanged.emit();
    }
  }

  /** A draft job of this folder that runs, or ended, on the server (after a reload). */
  private async _restoreJob(): Promise<void> {
    if (this.editOf) {
      return;
    }
    if (!this._jobs.loaded) {
      await this._jobs.refresh();
    }
    const job = this._jobs.jobs.find(
      j =>
        j.path === this.path && (isJobActive(j.state) || j.state === 'failed')
    );
    if (job) {
      this.job = job;
    }
  }

  private _onJob(_: unknown, job: PublishJob): void {
    if (!this.job || job.id !== this.job.id || this.isDisposed) {
      return;
    }
    const was = this.job.state;
    this.job = job;
    if (job.state === 'done' && was !== 'done' && job.deposit_id) {
      void this._loadDraft(job.deposit_id);
    }
    this.stateChanged.emit();
  }

  private async _loadDraft(id: string): Promise<void> {
    try {
      this.draft = await this.api.upload(id);
      this.dirty = false;
    } catch (reason) {
      this.error = errorMessage(reason);
    }
    this.stateChanged.emit();
  }

  private readonly _options: IPublishModelOptions;
  private readonly _jobs: JobsModel<PublishJob>;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _checkSerial = 0;
}
