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
import { FetchDialogBody } from './components/FetchDialog';
import { IDidFetchActions } from './components/DidFetch';
import { IFetchJob } from './fetchApi';
import { commonFolder, FetchModel } from './fetchModel';
import { DatalakeModel } from './model';
import {
  destinationOf,
  IDatalakeUse,
  insertUses,
  METADATA_KEY,
  missingUses,
  recordedUses,
  didOfUse
} from './notebookUse';
import { fileListSnippet } from './snippet';

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

  fetchTo = async (dids: string[]): Promise<void> => {
    const { browse, trans } = this.deps;
    let dest = '';
    const body = ReactWidget.create(
      React.createElement(FetchDialogBody, {
        dids,
        fetchDir: browse.whoami?.fetch?.fetch_dir ?? 'datalake',
        trans,
        onChange: (value: string) => (dest = value)
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
    if (result.button.accept) {
      browse.clearChecked();
      this.fetch(dids, dest.trim() || undefined);
    }
  };

  makeAvailable = (did: string): void => {
    const { browse, fetches } = this.deps;
    void fetches.makeAvailable(did, browse.state.instance);
  };

  show = (path: string): void => {
    void this.deps.app.commands.execute('filebrowser:go-to-path', { path });
  };

  open = (path: string): void => {
    void this.deps.app.commands.execute('docmanager:open', { path });
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

  /** When a notebook opens, offer to fetch the DIDs it records but the workspace lacks. */
  checkNotebook = async (panel: NotebookPanel): Promise<void> => {
    const { app, trans } = this.deps;
    await panel.context.ready;
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
            callback: () => this.fetchMissing(missing)
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
                  { className: 'jp-escape-FetchDialog-missing' },
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

  /** Fetch recorded DIDs back to where the notebook expects them: one job per destination. */
  fetchMissing = (missing: IDatalakeUse[]): void => {
    const { fetches, trans } = this.deps;
    const groups = new Map<
      string,
      { dest?: string; instance: string; dids: string[] }
    >();
    for (const use of missing) {
      const dest = destinationOf(use);
      const key = `${use.instance}|${dest ?? ''}`;
      const group = groups.get(key) ?? {
        dest,
        instance: use.instance,
        dids: []
      };
      group.dids.push(didOfUse(use));
      groups.set(key, group);
    }
    for (const group of groups.values()) {
      fetches
        .start(group.dids, group.dest, group.instance || undefined)
        .catch(reason =>
          Notification.error(errorMessage(reason, trans.__('Fetch')), {
            autoClose: 8000
          })
        );
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
