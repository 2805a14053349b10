/**
 * Wiring of publishing: the "Publish to the OSSR…" command (file-browser context menu declared
 * in schema/catalogue.json), the publish panels in the main area, the confirmation dialog, the
 * draft job's toast and "My uploads". Called by the catalogue plugin.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { Dialog, InputDialog, showDialog } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { JobNotifications, JobsModel } from '../../common/jobs';
import { catalogueIcon } from '../icon';
import {
  IPublishApi,
  isPublishJob,
  publishApi,
  publishJobsApi,
  PublishJob,
  ZenodoUpload
} from './api';
import { PublishPanel } from './PublishPanel';
import { PublishConfirmation } from './Confirmation';
import { PublishModel } from './model';
import { UploadsModel } from './uploadsModel';
import { IUploadsActions, UploadsView } from './UploadsView';

export namespace PublishCommandIDs {
  export const publish = 'escape:catalogue-publish';
  export const uploads = 'escape:catalogue-uploads';
}

export interface IPublishing {
  uploads: UploadsModel;
  renderUploads: () => JSX.Element;
  publishFolder: () => void;
}

export interface IPublishingOptions {
  app: JupyterFrontEnd;
  trans: TranslationBundle;
  browser: IDefaultFileBrowser | null;
  /** Open a record in the catalogue sidebar. */
  openRecord: (recordId: string) => void;
  /** Show the sidebar's "My uploads". */
  showUploads: () => void;
  api?: IPublishApi;
}

/** Ask the user to confirm, showing exactly what publishing makes public. */
export async function confirmPublish(
  upload: ZenodoUpload,
  trans: TranslationBundle
): Promise<boolean> {
  const result = await showDialog({
    title: trans.__('Publish “%1”?', upload.title),
    body: ReactWidget.create(
      React.createElement(PublishConfirmation, { upload, trans })
    ),
    buttons: [
      Dialog.cancelButton({ label: trans.__('Keep the draft') }),
      Dialog.warnButton({ label: trans.__('Publish and mint a DOI') })
    ],
    defaultButton: 0
  });
  return result.button.accept;
}

export function setupPublishing(options: IPublishingOptions): IPublishing {
  const { app, trans, browser } = options;
  const api = options.api ?? publishApi;
  const jobs = new JobsModel<PublishJob>({
    api: publishJobsApi(),
    name: 'escape-catalogue-publish-jobs',
    filter: isPublishJob,
    isVisible: () => false
  });
  const notes = new JobNotifications<PublishJob>({
    model: jobs,
    trans,
    // A toast for drafts that take a while; the panel shows quick ones (and a toast updated
    // before it was drawn would stay on its first words).
    longMs: 1500,
    words: {
      progress: job =>
        job.phase === 'uploading'
          ? trans.__(
              'Uploading %1 to Zenodo: %2 of %3 files',
              job.path,
              job.items_done,
              job.items_total
            )
          : trans.__('Preparing the draft of %1…', job.path),
      done: job =>
        job.message ?? trans.__('The draft of %1 is ready.', job.path),
      failed: job =>
        trans.__('The draft of %1 failed: %2', job.path, job.message ?? ''),
      doneActions: () => [
        { label: trans.__('My uploads'), callback: () => options.showUploads() }
      ]
    }
  });
  const uploads = new UploadsModel(api);
  const panels = new Map<string, ReactWidget>();
  const models = new Set<PublishModel>();
  // An open panel follows its draft job: keep polling while one runs.
  jobs.holdWhile(() => [...models].some(m => m.jobActive));

  const open = (
    path: string,
    extra: { recordId?: string; editOf?: string } = {}
  ) => {
    const key = `${path}|${extra.recordId ?? ''}|${extra.editOf ?? ''}`;
    const existing = panels.get(key);
    if (existing && !existing.isDisposed) {
      app.shell.activateById(existing.id);
      return;
    }
    const model = new PublishModel({
      api,
      jobs,
      path,
      recordId: extra.recordId ?? null,
      editOf: extra.editOf ?? null,
      confirmPublish: upload => confirmPublish(upload, trans),
      watch: id => notes.watch(id)
    });
    models.add(model);
    model.stateChanged.connect(() => {
      if (model.draft?.status === 'published' || model.discarded) {
        void uploads.refresh();
      }
    });
    const widget = ReactWidget.create(
      React.createElement(PublishPanel, {
        model,
        api,
        trans,
        onOpenRecord: id => options.openRecord(id)
      })
    );
    widget.id = `jp-escape-publish-${panels.size + 1}-${Date.now().toString(36)}`;
    widget.addClass('jp-escape-PublishWidget');
    widget.title.label = extra.editOf
      ? trans.__('Edit %1', extra.editOf)
      : trans.__('Publish %1', path.split('/').pop() || path);
    widget.title.caption = trans.__('Publish %1 to the OSSR', path);
    widget.title.closable = true;
    widget.disposed.connect(() => {
      models.delete(model);
      model.dispose();
      panels.delete(key);
    });
    panels.set(key, widget);
    app.shell.add(widget, 'main');
    app.shell.activateById(widget.id);
    void model.load();
  };

  const askFolder = async (title: string): Promise<string | null> => {
    const item = browser?.selectedItems().next();
    const selected = item && !item.done ? item.value : null;
    const result = await InputDialog.getText({
      title,
      label: trans.__(
        'Folder (or notebook) in the workspace, with its codemeta.json'
      ),
      text: selected?.path ?? browser?.model.path ?? ''
    });
    return result.button.accept && result.value
      ? result.value.replace(/^\/+/, '')
      : null;
  };

  app.commands.addCommand(PublishCommandIDs.publish, {
    label: trans.__('Publish to the OSSR…'),
    icon: catalogueIcon,
    caption: trans.__(
      'Describe this folder or notebook with codemeta and publish it on Zenodo'
    ),
    describedBy: {
      args: { type: 'object', properties: { path: { type: 'string' } } }
    },
    execute: async args => {
      let path = typeof args['path'] === 'string' ? args['path'] : null;
      if (!path) {
        const item = browser?.selectedItems().next();
        const selected = item && !item.done ? item.value : null;
        if (
          selected &&
          (selected.type === 'directory' || selected.type === 'notebook')
        ) {
          path = selected.path;
        } else {
          path = await askFolder(trans.__('Publish to the OSSR'));
        }
      }
      if (path !== null) {
        open(path);
      }
    }
  });
  app.commands.addCommand(PublishCommandIDs.uploads, {
    label: trans.__('Open My OSSR Uploads'),
    icon: catalogueIcon,
    caption: trans.__('Your drafts and published records on Zenodo'),
    execute: () => options.showUploads()
  });

  const actions: IUploadsActions = {
    publish: () => void app.commands.execute(PublishCommandIDs.publish, {}),
    newVersion: upload =>
      void askFolder(trans.__('New version of “%1”', upload.title)).then(
        path => {
          if (path !== null) {
            open(path, { recordId: upload.record_id ?? upload.id });
          }
        }
      ),
    editMetadata: upload =>
      void askFolder(trans.__('Edit the metadata of “%1”', upload.title)).then(
        path => {
          if (path !== null) {
            open(path, { editOf: upload.id });
          }
        }
      ),
    openRecord: id => options.openRecord(id)
  };

  return {
    uploads,
    publishFolder: actions.publish,
    renderUploads: () =>
      React.createElement(UploadsView, { model: uploads, api, trans, actions })
  };
}
