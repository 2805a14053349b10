/**
 * What the record view's buttons do: clipboard, notebook cells, fetch notifications, links.
 * Failures become notifications carrying the server's message as written.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { Clipboard, Notification } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { TranslationBundle } from '@jupyterlab/translation';

import { recordProvenance } from '../provenance/records';
import { errorMessage } from '../request';
import { IFetchJob, IRecordDetail, isActive } from './api';
import { citationMarkdown, insertCell } from './cells';
import { catalogueFetchNotes } from './fetchNotes';
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

  // The notebook's provenance: the OSSR record it cites or installs (from the server's record).
  const recordSoftware = (
    record: IRecordDetail,
    action: 'cited' | 'installed'
  ): void => {
    const notebook = tracker?.currentWidget?.model;
    if (notebook) {
      recordProvenance(notebook, {
        software: [
          {
            record_id: record.id,
            doi: record.doi,
            version: record.version?.slice(0, 128) ?? null,
            title: record.title.slice(0, 512),
            action
          }
        ]
      });
    }
  };

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

  // One toast per fetch, on the common job helper: it follows the fetch to its end on the
  // server even when the record view closes, and its Retry/Resume keeps this view in step.
  const fetchNotes = catalogueFetchNotes({
    trans,
    showFolder: path =>
      void app.commands.execute('filebrowser:go-to-path', { path })
  });
  const keepViewInStep = (_: unknown, job: IFetchJob) => {
    if (model.isDisposed) {
      fetchNotes.model.jobUpdated.disconnect(keepViewInStep);
    } else {
      model.adopt(job);
    }
  };
  fetchNotes.model.jobUpdated.connect(keepViewInStep);

  /** Start (or retry) a fetch; the toast takes it from the server's first answer. */
  const followFetch = async (run: () => Promise<IFetchJob>): Promise<void> => {
    const started = run();
    // The record model sets its job as soon as the server answered the start.
    const seen = () => {
      const job = model.job;
      if (job && isActive(job) && !fetchNotes.notes.isNotified(job.id)) {
        fetchNotes.follow(job);
      }
    };
    model.stateChanged.connect(seen);
    try {
      await started;
    } catch (reason) {
      // Refused before a job existed (a fetch already running there, too many fetches).
      Notification.error(errorMessage(reason), { autoClose: 8000 });
    } finally {
      model.stateChanged.disconnect(seen);
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
        if (
          insertCell(
            tracker!,
            'markdown',
            citationMarkdown(record, formatted, bibtex)
          )
        ) {
          recordSoftware(record, 'cited');
        }
      } catch (reason) {
        Notification.error(errorMessage(reason), { autoClose: 8000 });
      }
    },
    insertInstall: () => {
      const record = model.record;
      if (record && needNotebook()) {
        if (insertCell(tracker!, 'code', record.install.code)) {
          recordSoftware(record, 'installed');
        }
      }
    },
    fetchFiles: extract => {
      const record = model.record;
      if (record) {
        void followFetch(() => model.fetchFiles(extract));
      }
    },
    retryFetch: () => {
      const job = model.job;
      if (job) {
        void followFetch(() => model.retryFetch());
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
