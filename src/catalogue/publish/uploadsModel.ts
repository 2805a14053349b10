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

  setIdentity(identity: IZenodoIdentity | null): void {
    this.identity = identity;
    void this.refresh();
  }
}
