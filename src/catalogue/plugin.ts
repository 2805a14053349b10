import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, Sanitizer } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { searchIcon } from '@jupyterlab/ui-components';

import { CommandIDs, PaletteCategory, PluginIDs } from '../tokens';
import { recordActions } from './actions';
import { Scope } from './api';
import { catalogueIcon } from './icon';
import { SearchModel } from './model';
import { PublishCommandIDs, setupPublishing } from './publish/commands';
import { CatalogueWidget } from './widget';

interface ICatalogueSettings {
  debounceMs: number;
  pageSize: number;
  defaultScope: Scope;
  citationStyle: string;
}

const DEFAULTS: ICatalogueSettings = {
  debounceMs: 600,
  pageSize: 10,
  defaultScope: 'community',
  citationStyle: 'apa'
};

/** The "Software Catalogue" sidebar: search, read, cite and fetch OSSR records. */
export const cataloguePlugin: JupyterFrontEndPlugin<void> = {
  id: PluginIDs.catalogue,
  description:
    'A sidebar to search the ESCAPE OSSR on Zenodo, cite records and fetch their files.',
  autoStart: true,
  optional: [
    ILayoutRestorer,
    ICommandPalette,
    INotebookTracker,
    ISettingRegistry,
    ITranslator,
    IDefaultFileBrowser
  ],
  activate: async (
    app: JupyterFrontEnd,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    tracker: INotebookTracker | null,
    registry: ISettingRegistry | null,
    translator: ITranslator | null,
    browser: IDefaultFileBrowser | null
  ) => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_escape');
    let settings = { ...DEFAULTS };
    if (registry) {
      try {
        const loaded = await registry.load(PluginIDs.catalogue);
        settings = { ...DEFAULTS, ...(loaded.composite as object) };
        loaded.changed.connect(() => {
          settings = { ...DEFAULTS, ...(loaded.composite as object) };
        });
      } catch {
        // keep the defaults: the schema may be missing in a development build
      }
    }
    const sanitizer = new Sanitizer();
    // Publishing (issue 16): its commands, panels and "My uploads" view.
    const publishing = setupPublishing({
      app,
      trans,
      browser,
      openRecord: id => {
        app.shell.activateById(widget.id);
        widget.openRecord(id);
      },
      showUploads: () => {
        app.shell.activateById(widget.id);
        widget.setView('uploads');
        void publishing.uploads.refresh();
      }
    });
    const widget = new CatalogueWidget({
      uploads: publishing.renderUploads,
      search: new SearchModel({
        debounceMs: settings.debounceMs,
        pageSize: settings.pageSize,
        scope: settings.defaultScope
      }),
      trans,
      citationStyle: () => settings.citationStyle,
      sanitize: html => sanitizer.sanitize(html),
      actionsFor: record => recordActions(record, { app, tracker, trans })
    });
    widget.id = 'jp-escape-catalogue';
    widget.title.icon = catalogueIcon;
    widget.title.caption = trans.__('Software Catalogue (ESCAPE OSSR)');
    app.shell.add(widget, 'right', { rank: 600 });
    restorer?.add(widget, 'escape-catalogue');

    app.commands.addCommand(CommandIDs.openCatalogue, {
      label: trans.__('Open the Software Catalogue'),
      caption: trans.__('Search the ESCAPE OSSR software catalogue'),
      icon: catalogueIcon,
      execute: () => app.shell.activateById(widget.id)
    });
    app.commands.addCommand(CommandIDs.openCatalogueRecord, {
      label: trans.__('Open an OSSR Record'),
      caption: trans.__('Show one OSSR record in the Software Catalogue'),
      icon: catalogueIcon,
      describedBy: {
        args: {
          type: 'object',
          properties: { id: { type: 'string' } },
          required: ['id']
        }
      },
      execute: args => {
        // Record ids come from notebooks (the Provenance view): digits only reach the model.
        const id = String(args['id'] ?? '');
        if (/^[0-9]{1,12}$/.test(id)) {
          app.shell.activateById(widget.id);
          widget.openRecord(id);
        }
      }
    });
    app.commands.addCommand(CommandIDs.catalogueSearch, {
      label: trans.__('Search the Software Catalogue'),
      caption: trans.__('Search the OSSR for the words given'),
      icon: searchIcon,
      describedBy: {
        args: {
          type: 'object',
          properties: { query: { type: 'string' } }
        }
      },
      execute: args => {
        app.shell.activateById(widget.id);
        widget.closeRecord();
        widget.search.setQuery(String(args['query'] ?? ''));
        return widget.search.submit();
      }
    });
    for (const command of [
      CommandIDs.openCatalogue,
      PublishCommandIDs.publish,
      PublishCommandIDs.uploads
    ]) {
      palette?.addItem({ command, category: PaletteCategory.catalogue });
    }
  }
};
