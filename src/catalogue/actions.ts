/**
 * What the record view's buttons do: clipboard, notebook cells, fetch notifications, links.
 * Failures become notifications carrying the server's message as written.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { Clipboard, Notification } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { TranslationBundle } from '@jupyterlab/translation';

import { errorMessage } from '../request';
import { IFetchJob, isActive } from './api';
import { citationMarkdown, insertCell } from './cells';
import { IRecordActions } from './components/RecordView';
import { RecordModel } from './recordModel';

export interface IActionDeps {
  app: JupyterFrontEnd;
  tracker: INotebookTracker | null;
  trans: TranslationBundle;
}

export function recordActions(
  model: RecordModel,
  deps: IActionDeps
): IRecordActions {
  const { app, tracker, trans } = deps;

  const needNotebook = (): boolean => {
    if (tracker?.currentWidget) {
      return true;
    }
    Notification.warning(
      trans.__('Open a notebook first: the cell goes below its active cell.'),
      { autoClose: 5000 }
    );
    return false;
  };

  /** One progress notification per fetch run, ending in success, error or "still running". */
  const followFetch = async (
    title: string,
    run: () => Promise<IFetchJob>
  ): Promise<void> => {
    const id = Notification.emit(title, 'in-progress', { autoClose: false });
    try {
      const job = await run();
      if (isActive(job)) {
        // The record view closed; the server goes on and the view finds the job again.
        Notification.update({
          id,
          message: trans.__(
            'The fetch goes on on the server; open the record again to follow it.'
          ),
          type: 'info',
          autoClose: 5000
        });
        return;
      }
      const ok = job.state === 'done';
      Notification.update({
        id,
        message: ok
          ? (job.message ?? trans.__('Files fetched'))
          : (job.message ?? job.state),
        type: ok ? 'success' : 'error',
        autoClose: ok ? 5000 : false,
        actions: ok
          ? [
              {
                label: trans.__('Show in file browser'),
                callback: () =>
                  void app.commands.execute('filebrowser:go-to-path', {
                    path: job.dest
                  })
              }
            ]
          : []
      });
    } catch (reason) {
      Notification.update({
        id,
        message: errorMessage(reason),
        type: 'error',
        autoClose: 8000
      });
    }
  };

  return {
    copyCitation: async style => {
      try {
        Clipboard.copyToSystem(await model.citation(style));
        Notification.success(trans.__('Citation copied'), { autoClose: 2000 });
      } catch (reason) {
        Notification.error(errorMessage(reason), { autoClose: 8000 });
      }
    },
    insertCitation: async style => {
      const record = model.record;
      if (!record || !needNotebook()) {
        return;
      }
      try {
        const formatted = await model.citation(
          style === 'bibtex' ? 'apa' : style
        );
        const bibtex = await model.citation('bibtex').catch(() => null);
        insertCell(
          tracker!,
          'markdown',
          citationMarkdown(record, formatted, bibtex)
        );
      } catch (reason) {
        Notification.error(errorMessage(reason), { autoClose: 8000 });
      }
    },
    insertInstall: () => {
      const record = model.record;
      if (record && needNotebook()) {
        insertCell(tracker!, 'code', record.install.code);
      }
    },
    fetchFiles: extract => {
      const record = model.record;
      if (record) {
        void followFetch(
          trans.__('Fetching the files of %1…', record.title),
          () => model.fetchFiles(extract)
        );
      }
    },
    retryFetch: () => {
      const job = model.job;
      if (job) {
        void followFetch(
          job.state === 'interrupted'
            ? trans.__('Resuming the fetch of %1…', job.title)
            : trans.__('Fetching the files of %1 again…', job.title),
          () => model.retryFetch()
        );
      }
    },
    cancelFetch: () => void model.cancelFetch(),
    removeFetch: () => void model.removeFetch(),
    openPage: () => {
      const url = model.record?.html_url;
      if (url && /^https?:\/\//.test(url)) {
        window.open(url, '_blank', 'noopener,noreferrer');
      }
    },
    openFolder: path =>
      void app.commands.execute('filebrowser:go-to-path', { path }),
    showImages: () => void model.showImages()
  };
}
