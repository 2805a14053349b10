/**
 * Provenance: the notebook toolbar's "Provenance" button (declared in schema/provenance.json)
 * opens a view of the notebook's recorded chain, with links into the Data Lake, workflows and
 * catalogue panels, the RO-Crate export and "Publish to the OSSR…".
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget } from '@jupyterlab/apputils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { linkIcon, ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { CommandIDs, PaletteCategory, PluginIDs } from '../tokens';
import { provenanceApi } from './api';
import {
  IProvenanceActions,
  ProvenanceView
} from './components/ProvenanceView';
import { INotebookSource, ProvenanceModel } from './model';

/** A notebook panel as the model's source. */
export function notebookSource(panel: NotebookPanel): INotebookSource {
  return {
    path: () => panel.context.localPath,
    model: panel.model!,
    save: () => panel.context.save(),
    dirty: () => panel.model?.dirty ?? false
  };
}

export const provenancePlugin: JupyterFrontEndPlugin<void> = {
  id: PluginIDs.provenance,
  description:
    'The provenance of a notebook (Data Lake DIDs, REANA runs, uploads, OSSR software) and its export as a Workflow Run RO-Crate.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ICommandPalette, ILayoutRestorer, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    translator: ITranslator | null
  ) => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_escape');
    const views = new Map<NotebookPanel, MainAreaWidget<ReactWidget>>();

    const actions: IProvenanceActions = {
      openDid: did =>
        void app.commands.execute(CommandIDs.openDatalake, { did }),
      openWorkflow: id =>
        void app.commands.execute(CommandIDs.openWorkflow, { id }),
      openRecord: id =>
        void app.commands.execute(CommandIDs.openCatalogueRecord, { id }),
      openFile: path => void app.commands.execute('docmanager:open', { path }),
      publish: folder =>
        void app.commands.execute('escape:catalogue-publish', { path: folder })
    };

    const open = (panel: NotebookPanel) => {
      const existing = views.get(panel);
      if (existing && !existing.isDisposed) {
        app.shell.activateById(existing.id);
        return;
      }
      const model = new ProvenanceModel(notebookSource(panel), provenanceApi);
      const content = ReactWidget.create(
        React.createElement(ProvenanceView, { model, actions, trans })
      );
      content.addClass('jp-escape-Provenance-widget');
      const widget = new MainAreaWidget({ content });
      widget.id = `jp-escape-provenance-${Date.now().toString(36)}`;
      widget.title.icon = linkIcon;
      widget.title.label = trans.__(
        'Provenance: %1',
        panel.context.localPath.split('/').pop() ?? ''
      );
      widget.title.closable = true;
      widget.disposed.connect(() => {
        model.dispose();
        views.delete(panel);
      });
      panel.disposed.connect(() => widget.dispose());
      views.set(panel, widget);
      app.shell.add(widget, 'main', { mode: 'tab-after', ref: panel.id });
      app.shell.activateById(widget.id);
      // Runs recorded while they ran: ask REANA how they ended.
      void model.refreshRuns();
    };

    app.commands.addCommand(CommandIDs.openProvenance, {
      // The notebook toolbar's button keeps the short label.
      label: args =>
        args['toolbar']
          ? trans.__('Provenance')
          : trans.__('Show the Notebook’s Provenance'),
      caption: trans.__(
        'What this notebook used, ran, produced and cited; export it as an RO-Crate'
      ),
      icon: linkIcon,
      isEnabled: () => tracker.currentWidget !== null,
      execute: () => {
        const panel = tracker.currentWidget;
        if (panel) {
          open(panel);
        }
      }
    });
    palette?.addItem({
      command: CommandIDs.openProvenance,
      category: PaletteCategory.escape
    });
    void restorer; // the view belongs to an open notebook: nothing to restore on reload
  }
};
