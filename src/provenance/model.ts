/**
 * The provenance of one open notebook, for the Provenance view: the validated lists from its
 * metadata (re-read when the metadata changes), the export of its RO-Crate, and the refresh of
 * runs that had not ended when they were recorded (from the server, never from the notebook).
 */
import { INotebookModel } from '@jupyterlab/notebook';
import { ISignal, Signal } from '@lumino/signaling';

import { errorMessage } from '../request';
import { IProvenanceApi, IProvenanceExport } from './api';
import {
  IProvenanceLists,
  IProvenanceWorkflow,
  isNotebookTrusted,
  provenanceOf,
  recordProvenance
} from './records';

const TERMINAL = ['finished', 'failed', 'stopped', 'deleted'];

export interface INotebookSource {
  /** The notebook's workspace path (it changes when the file is renamed). */
  path(): string;
  model: Pick<
    INotebookModel,
    'cells' | 'getMetadata' | 'setMetadata' | 'metadataChanged'
  >;
  /** Save the notebook (the export reads the file on disk). */
  save(): Promise<void>;
  dirty(): boolean;
}

export class ProvenanceModel {
  constructor(
    readonly notebook: INotebookSource,
    private readonly api: IProvenanceApi
  ) {
    this._lists = provenanceOf(notebook.model);
    notebook.model.metadataChanged.connect(this._onMetadata, this);
  }

  get stateChanged(): ISignal<this, void> {
    return this._stateChanged;
  }
  get lists(): IProvenanceLists {
    return this._lists;
  }
  get trusted(): boolean {
    return isNotebookTrusted(this.notebook.model);
  }
  get exported(): IProvenanceExport | null {
    return this._exported;
  }
  get exporting(): boolean {
    return this._exporting;
  }
  get refreshing(): boolean {
    return this._refreshing;
  }
  get error(): string | null {
    return this._error;
  }
  get refreshNote(): string | null {
    return this._refreshNote;
  }

  /** Runs recorded before they ended. */
  get unfinished(): IProvenanceWorkflow[] {
    return this._lists.workflows.filter(w => !TERMINAL.includes(w.status));
  }

  /**
   * Ask the server for the current state of the runs that had not ended, and record it (only in
   * a trusted notebook; the ids are checked by the server like any other workflow reference).
   */
  async refreshRuns(): Promise<void> {
    const runs = this.unfinished;
    if (runs.length === 0 || !this.trusted) {
      return;
    }
    this._refreshing = true;
    this._refreshNote = null;
    this._changed();
    const updated: IProvenanceWorkflow[] = [];
    const failures: string[] = [];
    for (const run of runs) {
      try {
        const fresh = await this.api.workflowRecord(run.id);
        updated.push({
          ...fresh,
          spec_path: run.spec_path ?? null,
          inputs: run.inputs ?? []
        });
      } catch (reason) {
        failures.push(`${run.name}.${run.run_number}: ${errorMessage(reason)}`);
      }
    }
    if (updated.length > 0) {
      recordProvenance(this.notebook.model, { workflows: updated });
    }
    this._refreshing = false;
    this._refreshNote = failures.length ? failures.join(' ') : null;
    this._changed();
  }

  /** Save the notebook, then write its RO-Crate beside it. */
  async exportCrate(license?: string | null): Promise<void> {
    this._exporting = true;
    this._error = null;
    this._changed();
    try {
      // Runs recorded while running: their end goes into the crate, not their start.
      await this.refreshRuns();
      if (this.notebook.dirty()) {
        await this.notebook.save();
      }
      this._exported = await this.api.exportCrate(
        this.notebook.path(),
        license
      );
    } catch (reason) {
      this._error = errorMessage(reason);
    } finally {
      this._exporting = false;
      this._changed();
    }
  }

  dispose(): void {
    this.notebook.model.metadataChanged.disconnect(this._onMetadata, this);
    Signal.clearData(this);
  }

  private _onMetadata(): void {
    this._lists = provenanceOf(this.notebook.model);
    this._changed();
  }

  private _changed(): void {
    this._stateChanged.emit();
  }

  private _lists: IProvenanceLists;
  private _exported: IProvenanceExport | null = null;
  private _exporting = false;
  private _refreshing = false;
  private _error: string | null = null;
  private _refreshNote: string | null = null;
  private _stateChanged = new Signal<this, void>(this);
}

/** Record a run launched from a notebook, with what the server says of it. */
export async function recordLaunchedRun(
  model: INotebookSource['model'],
  api: Pick<IProvenanceApi, 'workflowRecord'>,
  id: string,
  extra: { spec_path?: string | null; inputs?: string[] } = {}
): Promise<number> {
  if (!isNotebookTrusted(model)) {
    return 0;
  }
  const record = await api.workflowRecord(id);
  return recordProvenance(model, {
    workflows: [
      {
        ...record,
        spec_path: extra.spec_path ?? null,
        inputs: extra.inputs ?? []
      }
    ]
  });
}
