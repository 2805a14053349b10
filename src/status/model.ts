import { VDomModel } from '@jupyterlab/ui-components';

import { errorMessage } from '../request';
import { fetchStatus, IStatusReport } from './api';

/** State of the services view: the last report, whether a check runs, and the last failure. */
export class ServicesModel extends VDomModel {
  constructor(
    private readonly load: () => Promise<IStatusReport> = fetchStatus
  ) {
    super();
  }

  get report(): IStatusReport | null {
    return this._report;
  }

  get loading(): boolean {
    return this._loading;
  }

  get error(): string | null {
    return this._error;
  }

  /** Ask the server to probe every service again; concurrent calls share one request. */
  refresh(): Promise<void> {
    if (!this._pending) {
      this._loading = true;
      this.stateChanged.emit();
      this._pending = this.load()
        .then(
          report => {
            this._report = report;
            this._error = null;
          },
          (reason: unknown) => {
            this._error = errorMessage(reason, 'Checking the services');
          }
        )
        .finally(() => {
          this._loading = false;
          this._pending = null;
          if (!this.isDisposed) {
            this.stateChanged.emit();
          }
        });
    }
    return this._pending;
  }

  private _report: IStatusReport | null = null;
  private _loading = false;
  private _error: string | null = null;
  private _pending: Promise<void> | null = null;
}
