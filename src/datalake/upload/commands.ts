/**
 * Wiring of uploads: the "Upload to the Data Lake…" command (file-browser context menu and the
 * Data Lake toolbar, declared in schema/datalake.json), files dropped from the file browser onto
 * the panel, the upload jobs and their toasts, and the provenance of a notebook that uploaded.
 * Called by the Data Lake plugin.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { InputDialog, Notification } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import {
  INotebookModel,
  INotebookTracker,
  NotebookPanel
} from '@jupyterlab/notebook';
import { TranslationBundle } from '@jupyterlab/translation';
import { fileUploadIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

import { IUploadApi, IUploadJob, uploadApi } from './api';
import { showUploadDialog } from './dialog';
import { UploadJobs } from './jobs';
import { UploadDialogModel } from './model';
import {
  isNotebookTrusted,
  recordedProduced,
  recordProduced
} from './provenance';
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

/**
 * The open notebook an upload started by a kernel belongs to: the one whose session runs the
 * job's kernel now (and, when the server names the session's notebook, at that path). The
 * origin comes from the server, never from a notebook.
 */
export function kernelNotebook(
  tracker: Pick<INotebookTracker, 'find'> | null,
  job: Pick<IUploadJob, 'origin'>
): NotebookPanel | null {
  const origin = job.origin;
  if (!tracker || !origin?.kernel) {
    return null;
  }
  return (
    tracker.find(
      panel =>
        panel.sessionContext.session?.kernel?.id === origin.kernel &&
        (!origin.notebook || panel.context.path === origin.notebook)
    ) ?? null
  );
}

/** Whether the notebook records DIDs of this job already (a reload sees done jobs again). */
function recordedJob(
  model: Pick<INotebookModel, 'getMetadata'>,
  job: string
): boolean {
  return recordedProduced(model.getMetadata('escape')).some(p => p.job === job);
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

  // Kernel uploads recorded (or being recorded) by this browser.
  const fromKernels = new Set<string>();

  const record = async (job: IUploadJob) => {
    if (job.state !== 'done') {
      return;
    }
    let notebook = provenance.get(job.id) ?? null;
    provenance.delete(job.id);
    if (!notebook && !fromKernels.has(job.id)) {
      // Started by a kernel: the server says which (it checked the kernel and took the
      // notebook from that kernel's session); recorded once, in that notebook if it is open.
      notebook = kernelNotebook(tracker, job);
      if (notebook?.model && recordedJob(notebook.model, job.id)) {
        notebook = null;
      }
      if (notebook) {
        fromKernels.add(job.id);
      }
    }
    if (!notebook || notebook.isDisposed || !notebook.model) {
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

  // A kernel may start uploads (the kernel API's `upload()`): when a notebook's kernel goes
  // idle, look at the jobs again so that its uploads are followed and their DIDs recorded.
  let pending: ReturnType<typeof setTimeout> | null = null;
  const lookAgain = () => {
    if (pending === null) {
      pending = setTimeout(() => {
        pending = null;
        void jobs.model.refresh().catch(() => undefined);
      }, 500);
    }
  };
  tracker?.widgetAdded.connect((_, panel) => {
    let busy = false;
    panel.sessionContext.statusChanged.connect((_, status) => {
      if (status === 'busy') {
        busy = true;
      } else if (status === 'idle' && busy) {
        busy = false;
        lookAgain();
      }
    });
  });

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
      args['toolbar']
        ? trans.__('Upload…')
        : trans.__('Upload to the Data Lake…'),
    caption: trans.__(
      'Upload workspace files and folders into Rucio (a folder becomes a dataset)'
    ),
    icon: fileUploadIcon,
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
