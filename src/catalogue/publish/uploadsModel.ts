/** "My uploads": the user's drafts and published records on Zenodo (or its sandbox). */
import { VDomModel } from '@jupyterlab/ui-components';

import { errorMessage } from '../../request';
import { IPublishApi, IZenodoIdentity, ZenodoUpload } from './api';

export class UploadsModel extends VDomModel {
  constructor(api: IPublishApi) {
    super();
    this.api = api;
  }

  readonly api: IPublishApi;
  identity: IZenodoIdentity | null = null;
  uploads: ZenodoUpload[] = [];
  sandbox = false;
  loading = false;
  loaded = false;
  error: string | null = null;

  get drafts(): ZenodoUpload[] {
    return this.uploads.filter(u => u.status !== 'published');
  }

  get published(): ZenodoUpload[] {
    return this.uploads.filter(u => u.status === 'published');
  }

  async refresh(): Promise<void> {
    this.loading = true;
    this.error = null;
    this.stateChanged.emit();
    try {
      this.identity = await this.api.identity();
      if (this.identity.stored) {
        const answer = await this.api.uploads();
        this.uploads = answer.uploads;
        this.sandbox = answer.sandbox;
      } else {
        this.uploads = [];
      }
    } catch (reason) {
      this.error = errorMessage(reason);
    } finally {
      this.loading = false;
      this.loaded = true;
      this.stateChanged.emit();
    }
  }

  /** The upload whose Discard awaits its confirmation (one at a time). */
  confirming: string | null = null;

  askDiscard(id: string | null): void {
    this.confirming = id;
    this.stateChanged.emit();
  }

  /** Discard a draft (deleted on Zenodo) or the changes of a record being edited. */
  async discard(upload: ZenodoUpload): Promise<void> {
    this.confirming = null;
    this.error = null;
    this.stateChanged.emit();
    try {
      await this.api.act(upload.id, 'discard');
    } catch (reason) {
      this.error = errorMessage(reason);
      this.stateChanged.emit();
      return;
    }
    await this.refresh();
  }

  setIdentity(identity: IZenodoIdentity | null): void {
    this.identity = identity;
    void this.refresh();
  }
}
