/**
 * What the fetch buttons do inside JupyterLab: start jobs (asking for a destination when wanted),
 * open or show fetched files, insert paths into notebooks, and offer to fetch what a notebook
 * uses but the workspace lacks. Failures become notifications with the server's message.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import {
  Dialog,
  Notification,
  ReactWidget,
  showDialog
} from '@jupyterlab/apputils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { errorMessage } from '../request';
import { CommandIDs } from '../tokens';
import { FetchDialogBody, IDestinationState } from './components/FetchDialog';
import { IDidFetchActions } from './components/DidFetch';
import { IFetchJob } from './fetchApi';
import { commonFolder, FetchModel } from './fetchModel';
import { DatalakeModel } from './model';
import { NotebookFetchConfirm } from './components/NotebookFetchConfirm';
import {
  isNotebookTrusted,
  planNotebookFetch,
  startPlans
} from './notebookFetch';
import {
  IDatalakeUse,
  insertUses,
  METADATA_KEY,
  missingUses,
  recordedUses,
  didOfUse,
  pathForNotebook
} from './notebookUse';
import { binaryReaderCell, fileListSnippet, hasReader } from './snippet';
import { insertCell } from '../common/cells';

export interface IFetchDeps {
  app: JupyterFrontEnd;
  browse: DatalakeModel;
  fetches: FetchModel;
  tracker: INotebookTracker | null;
  trans: TranslationBundle;
}

function splitDid(did: string): { scope: string; name: string } {
  const colon = did.indexOf(':');
  return { scope: did.slice(0, colon), name: did.slice(colon + 1) };
}

export class FetchActions implements IDidFetchActions {
  constructor(private readonly deps: IFetchDeps) {}

  /** Start a job; a conflict or a bad destination is said in a notification. */
  fetch = (dids: string[], dest?: string): void => {
    const { browse, fetches, trans } = this.deps;
    fetches
      .start(dids, dest, browse.state.instance ?? browse.whoami?.instance.name)
      .catch(reason =>
        Notification.error(errorMessage(reason, trans.__('Fetch')), {
          autoClose: 8000
        })
      );
  };

  /**
   * Ask for a destination folder, checked by the server as it is typed; a refused folder
   * starts nothing (Enter in the field bypasses the disabled button, so check again here).
   */
  fetchTo = async (dids: string[]): Promise<void> => {
    const { browse, fetches, trans } = this.deps;
    const instance = browse.state.instance ?? browse.whoami?.instance.name;
    let state: IDestinationState | null = null;
    const body = ReactWidget.create(
      React.createElement(FetchDialogBody, {
        dids,
        fetchDir: browse.whoami?.fetch?.fetch_dir ?? 'datalake',
        trans,
        check: (dest: string, signal: AbortSignal) =>
          fetches.check(dids, dest || undefined, instance, undefined, signal),
        onChange: (value: IDestinationState) => (state = value)
      })
    );
    const result = await showDialog({
      title: trans.__('Fetch to…'),
      body,
      buttons: [
        Dialog.cancelButton(),
        Dialog.okButton({ label: trans.__('Fetch') })
      ]
    });
    if (!result.button.accept || !state) {
      return;
    }
    const chosen: IDestinationState = state;
    if (chosen.refused) {
      Notification.error(chosen.refused, { autoClose: 8000 });
      return;
    }
    browse.clearChecked();
    this.fetch(dids, chosen.dest.trim() || undefined);
  };

  makeAvailable = (did: string): void => {
    const { browse, fetches } = this.deps;
    void fetches.makeAvailable(did, browse.state.instance);
  };

  show = (path: string): void => {
    void this.deps.app.commands.execute('filebrowser:go-to-path', { path });
  };

  open = (path: string): void => {
    if (!hasReader(path)) {
      void this.deps.app.commands.execute('docmanager:open', { path });
      return;
    }
    // A binary format (HDF5, FITS, ROOT, Parquet): a text editor would only say "not UTF-8".
    // Read it in the notebook with its reader instead (#21).
    const { tracker, trans } = this.deps;
    const panel = tracker?.currentWidget ?? null;
    const code = binaryReaderCell(
      path,
      panel ? pathForNotebook(panel.context.path, path) : path
    );
    if (panel && tracker && insertCell(tracker, 'code', code)) {
      Notification.info(
        trans.__(
          '%1 is read in the notebook: a cell with its reader was inserted.',
          path
        ),
        { autoClose: 5000 }
      );
      return;
    }
    Notification.warning(
      trans.__(
        '%1 is a binary file: open a notebook and choose Open again for a cell that reads it.',
        path
      ),
      { autoClose: 8000 }
    );
  };

  /** The named hand-off to workflows: the DID as a %%reana cell's input (their command). */
  useAsWorkflowInput = (did: string): void => {
    void this.deps.app.commands.execute(CommandIDs.useLakeInput, { did });
  };

  /** Insert the paths of a finished job (checksums from its files) into a notebook. */
  insertJob = async (job: IFetchJob, only?: string[]): Promise<void> => {
    const detail = await this.deps.fetches.loadDetail(job.id);
    const uses: IDatalakeUse[] = job.paths
      .filter(p => !only || only.includes(p.did))
      .map(p => {
        const file =
          p.type === 'file'
            ? detail?.files.find(f => f.did === p.did)
            : undefined;
        return {
          ...splitDid(p.did),
          type: p.type,
          adler32: file?.adler32 ?? null,
          md5: file?.md5 ?? null,
          path: p.path,
          instance: job.instance
        };
      });
    await this._insert(uses);
  };

  /** Insert a DID that is in the workspace, or available on the mounted RSE. */
  insert = async (did: string): Promise<void> => {
    const { browse, fetches, trans } = this.deps;
    const instance = browse.whoami?.instance.name;
    const fetched = fetches.fetched(did, instance);
    if (fetched) {
      return this.insertJob(fetched.job, [did]);
    }
    const status = fetches.replica(did)?.status;
    if (!status?.available) {
      Notification.warning(trans.__('Fetch %1 first.', did), {
        autoClose: 5000
      });
      return;
    }
    const files = status.files.filter(f => f.available).map(f => f.path);
    const details = browse.selected?.did === did ? browse.selected : null;
    const type = (details?.type ?? 'file') as IDatalakeUse['type'];
    const use: IDatalakeUse = {
      ...splitDid(did),
      type: type === ('unknown' as string) ? 'file' : type,
      adler32: details?.adler32 ?? null,
      md5: details?.md5 ?? null,
      path: files.length === 1 ? files[0] : commonFolder(files),
      instance: instance ?? ''
    };
    await this._insert([use], language =>
      fileListSnippet(did, files, status.files_truncated, language)
    );
  };

  /**
   * When a notebook opens, offer to fetch the DIDs it records but the workspace lacks; only for
   * a trusted notebook: the metadata of anyone else's notebook proposes nothing.
   */
  checkNotebook = async (panel: NotebookPanel): Promise<void> => {
    const { app, trans } = this.deps;
    await panel.context.ready;
    if (!isNotebookTrusted(panel.model)) {
      return;
    }
    const uses = recordedUses(panel.model?.getMetadata(METADATA_KEY));
    if (uses.length === 0) {
      return;
    }
    const missing = await missingUses(app.serviceManager.contents, uses);
    if (missing.length === 0) {
      return;
    }
    // Toasts cut messages at 140 characters: the DIDs are behind "Which?".
    const name = panel.context.localPath.split('/').pop() ?? '';
    Notification.warning(
      trans._n(
        '%2 uses a Data Lake DID that is not in the workspace.',
        '%2 uses %1 Data Lake DIDs that are not in the workspace.',
        missing.length,
        name
      ),
      {
        autoClose: false,
        actions: [
          {
            label: trans.__('Fetch'),
            displayType: 'accent',
            callback: () => void this.confirmMissing(panel, missing)
          },
          {
            label: trans.__('Which?'),
            displayType: 'link',
            callback: event => {
              // Keep the toast: the user may still want to fetch.
              event.preventDefault();
              void showDialog({
                title: trans.__('Data Lake DIDs missing for %1', name),
                body: React.createElement(
                  'ul',
                  { className: 'jp-escape-Datalake-FetchDialog-missing' },
                  missing.map(use =>
                    React.createElement(
                      'li',
                      { key: `${use.instance}|${didOfUse(use)}` },
                      React.createElement(
                        'span',
                        { className: 'jp-escape-mono' },
                        didOfUse(use)
                      ),
                      ' → ',
                      React.createElement(
                        'span',
                        { className: 'jp-escape-mono' },
                        use.path
                      )
                    )
                  )
                ),
                buttons: [Dialog.okButton()]
              });
            }
          }
        ]
      }
    );
  };

  /**
   * Fetch recorded DIDs after the user saw where each lands: the server is asked first (nothing
   * starts), then one job per destination, each request marked as coming from a notebook.
   */
  confirmMissing = async (
    panel: NotebookPanel,
    missing: IDatalakeUse[]
  ): Promise<void> => {
    const { fetches, trans } = this.deps;
    // Trust may have been withdrawn since the toast appeared.
    if (!isNotebookTrusted(panel.model)) {
      return;
    }
    const plans = await planNotebookFetch(
      (dids, dest, instance, origin) =>
        fetches.check(dids, dest, instance, origin),
      missing
    );
    const runnable = plans.some(plan => !plan.error);
    const name = panel.context.localPath.split('/').pop() ?? '';
    const result = await showDialog({
      title: trans.__('Fetch the DIDs %1 uses?', name),
      body: ReactWidget.create(
        React.createElement(NotebookFetchConfirm, {
          notebook: name,
          plans,
          trans
        })
      ),
      buttons: runnable
        ? [Dialog.cancelButton(), Dialog.okButton({ label: trans.__('Fetch') })]
        : [Dialog.cancelButton({ label: trans.__('Close') })]
    });
    if (!runnable || !result.button.accept) {
      return;
    }
    const errors = await startPlans(
      (dids, dest, instance, origin) =>
        fetches.start(dids, dest, instance, origin),
      plans
    );
    for (const message of errors) {
      Notification.error(message, { autoClose: 8000 });
    }
  };

  private async _insert(
    uses: IDatalakeUse[],
    code?: Parameters<typeof insertUses>[2]
  ): Promise<void> {
    const { app, tracker, trans } = this.deps;
    if (!tracker) {
      return;
    }
    let panel = tracker.currentWidget;
    if (!panel) {
      // No notebook yet: make one, as the launcher would.
      panel = (await app.commands.execute('notebook:create-new', {
        kernelName: 'python3'
      })) as NotebookPanel;
      await panel.context.ready;
    }
    if (insertUses({ currentWidget: panel }, uses, code)) {
      app.shell.activateById(panel.id);
      Notification.success(
        trans._n(
          'Path inserted into %2',
          'Paths inserted into %2',
          uses.length,
          panel.context.localPath
        ),
        { autoClose: 3000 }
      );
    }
  }
}
