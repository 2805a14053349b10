/**
 * Wiring of uploads: the "Upload to Data Lake…" command (file-browser context menu and the
 * Data Lake toolbar, declared in schema/datalake.json), files dropped from the file browser onto
 * the panel, the upload jobs and their toasts, and the provenance of a notebook that uploaded.
 * Called by the Data Lake plugin.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { InputDialog, Notification } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { TranslationBundle } from '@jupyterlab/translation';
import { fileUploadIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

import { IUploadApi, IUploadJob, uploadApi } from './api';
import { showUploadDialog } from './dialog';
import { UploadJobs } from './jobs';
import { UploadDialogModel } from './model';
import { isNotebookTrusted, recordProduced } from './provenance';
import { UploadList } from './UploadList';

export namespace UploadCommandIDs {
  export const upload = 'escape:datalake-upload';
}

/** What the file browser puts on a drag of its items (`@jupyterlab/filebrowser`'s listing). */
const CONTENTS_MIME = 'application/x-jupyter-icontents';

/** The part of a Lumino drag event (`@lumino/dragdrop`'s Drag.Event) a drop target uses. */
interface IDragEvent extends Event {
  mimeData?: { hasData(mime: string): boolean; getData(mime: string): unknown };
  proposedAction: string;
  dropAction: string;
}

export interface IUploadsOptions {
  app: JupyterFrontEnd;
  trans: TranslationBundle;
  browser: IDefaultFileBrowser | null;
  tracker: INotebookTracker | null;
  /** Open a DID (or a `scope:*` listing) in the Data Lake panel. */
  showDid: (did: string, instance: string) => void;
  /** Whether the panel shows the jobs. */
  isVisible: () => boolean;
  instance: () => string | undefined;
  api?: IUploadApi;
}

export interface IUploads {
  jobs: UploadJobs;
  /** The "Uploads" section of the panel. */
  renderList: () => JSX.Element;
  /** Open the dialog for these workspace paths. */
  upload: (paths: string[]) => Promise<IUploadJob | null>;
  /** Accept file-browser items dropped on this widget. */
  acceptDrops: (widget: Widget) => void;
}

function cleanPaths(paths: unknown): string[] {
  const list = Array.isArray(paths) ? paths : [paths];
  return list
    .filter((p): p is string => typeof p === 'string' && p.trim() !== '')
    .map(p => p.replace(/^[^/:]*:/, '').replace(/^\/+/, ''));
}

export function setupUploads(options: IUploadsOptions): IUploads {
  const { app, trans, browser, tracker } = options;
  const api = options.api ?? uploadApi;
  // Job id -> the notebook to record its DIDs in, once done.
  const provenance = new Map<string, NotebookPanel>();

  const jobs = new UploadJobs({
    api,
    trans,
    isVisible: options.isVisible,
    showDid: (did, job) => options.showDid(did, job.instance)
  });

  const record = async (job: IUploadJob) => {
    const notebook = provenance.get(job.id);
    if (!notebook || job.state !== 'done') {
      return;
    }
    provenance.delete(job.id);
    if (notebook.isDisposed || !notebook.model) {
      return;
    }
    const detail = await jobs.model.loadDetail(job.id, false);
    if (!detail) {
      return;
    }
    const count = recordProduced(notebook.model, detail);
    if (count) {
      Notification.info(
        trans._n(
          'Recorded %1 produced DID in %2 (save the notebook to keep it).',
          'Recorded %1 produced DIDs in %2 (save the notebook to keep it).',
          count,
          notebook.context.localPath
        ),
        { autoClose: 5000 }
      );
    }
  };
  jobs.model.jobUpdated.connect((_, job) => void record(job));

  /** The notebook in the main area when the dialog opens: it gets the provenance. */
  const activeNotebook = (): NotebookPanel | null => {
    const current = tracker?.currentWidget ?? null;
    return current && app.shell.currentWidget === current ? current : null;
  };

  const upload = async (paths: string[]): Promise<IUploadJob | null> => {
    if (paths.length === 0) {
      return null;
    }
    const notebook = activeNotebook();
    let note: string | undefined;
    if (notebook?.model) {
      note = isNotebookTrusted(notebook.model)
        ? trans.__(
            'The uploaded DIDs and their checksums will be recorded in the metadata of %1.',
            notebook.context.localPath
          )
        : trans.__(
            '%1 is not trusted: the uploaded DIDs will not be recorded in it.',
            notebook.context.localPath
          );
    }
    const model = new UploadDialogModel({
      api,
      paths,
      instance: options.instance()
    });
    const job = await showUploadDialog(model, trans, note);
    if (job) {
      if (notebook) {
        provenance.set(job.id, notebook);
      }
      jobs.adopt(job);
    }
    return job;
  };

  const selectedPaths = (): string[] =>
    browser ? Array.from(browser.selectedItems(), item => item.path) : [];

  app.commands.addCommand(UploadCommandIDs.upload, {
    label: args =>
      args['toolbar'] ? trans.__('Upload…') : trans.__('Upload to Data Lake…'),
    caption: trans.__(
      'Upload workspace files and folders into Rucio (a folder becomes a dataset)'
    ),
    icon: args => (args['isPalette'] ? undefined : fileUploadIcon),
    describedBy: {
      args: {
        type: 'object',
        properties: {
          paths: { type: 'array', items: { type: 'string' } },
          path: { type: 'string' }
        }
      }
    },
    execute: async args => {
      let paths = cleanPaths(args['paths'] ?? args['path']);
      if (paths.length === 0 && !args['toolbar']) {
        paths = selectedPaths();
      }
      if (paths.length === 0) {
        // From the panel: which files? The browser's selection, else its folder, proposed.
        const proposed = selectedPaths()[0] ?? browser?.model.path ?? '';
        const result = await InputDialog.getText({
          title: trans.__('Upload to the Data Lake'),
          label: trans.__(
            'Workspace file or folder to upload (or drop files from the file browser onto the Data Lake panel)'
          ),
          text: proposed
        });
        if (!result.button.accept || !result.value?.trim()) {
          return;
        }
        paths = cleanPaths(result.value.trim());
      }
      await upload(paths);
    }
  });

  const acceptDrops = (widget: Widget) => {
    const node = widget.node;
    const onDrag = (event: Event) => {
      const drag = event as IDragEvent;
      if (!drag.mimeData?.hasData(CONTENTS_MIME)) {
        return;
      }
      drag.preventDefault();
      drag.stopPropagation();
      if (drag.type === 'lm-dragleave') {
        node.classList.remove('jp-escape-Upload-dropTarget');
        return;
      }
      if (drag.type !== 'lm-drop') {
        node.classList.add('jp-escape-Upload-dropTarget');
        drag.dropAction = drag.proposedAction;
        return;
      }
      node.classList.remove('jp-escape-Upload-dropTarget');
      // The file browser starts a move; nothing moves here, the drop only names the paths.
      drag.dropAction = drag.proposedAction;
      const paths = cleanPaths(drag.mimeData.getData(CONTENTS_MIME));
      void upload(paths);
    };
    for (const type of [
      'lm-dragenter',
      'lm-dragover',
      'lm-dragleave',
      'lm-drop'
    ]) {
      node.addEventListener(type, onDrag);
    }
  };

  return {
    jobs,
    upload,
    acceptDrops,
    renderList: () =>
      React.createElement(UploadList, {
        jobs,
        trans,
        onShow: (did: string, job: IUploadJob) =>
          options.showDid(did, job.instance),
        onError: (message: string) =>
          Notification.error(message, { autoClose: 8000 })
      })
  };
}
