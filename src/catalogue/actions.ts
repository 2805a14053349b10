/**
 * What the record view's buttons do: clipboard, notebook cells, fetch notifications, links.
 * Failures become notifications carrying the server's message as written.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { Clipboard, Notification } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { TranslationBundle } from '@jupyterlab/translation';

import { errorMessage } from '../request';
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
    fetchFiles: async extract => {
      const record = model.record;
      if (!record) {
        return;
      }
      const id = Notification.emit(
        trans.__('Fetching the files of %1…', record.title),
        'in-progress',
        { autoClose: false }
      );
      try {
        const job = await model.fetchFiles(extract);
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
    },
    cancelFetch: () => void model.cancelFetch(),
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
