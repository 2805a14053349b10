import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  Clipboard,
  createToolbarFactory,
  Dialog,
  ICommandPalette,
  IToolbarWidgetRegistry,
  Notification,
  MainAreaWidget,
  ReactWidget,
  setToolbar,
  showDialog
} from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStateDB } from '@jupyterlab/statedb';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { refreshIcon, SidePanel, userIcon } from '@jupyterlab/ui-components';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { Panel } from '@lumino/widgets';
import * as React from 'react';

import { datalakeIcon } from '../common/icons';
import { CommandIDs, PaletteCategory, PluginIDs } from '../tokens';
import { credentialsApi, CredentialsUpdate, IDidDetails } from './api';
import { CredentialsForm } from './components/CredentialsForm';
import { DatalakePanel } from './components/DatalakePanel';
import { DidFetch } from './components/DidFetch';
import { DidTable } from './components/DidTable';
import { FetchList } from './components/FetchList';
import { FetchActions } from './fetchActions';
import { FetchModel } from './fetchModel';
import { DatalakeModel, IDatalakeState } from './model';
import { DatalakeTableWidget } from './tableWidget';
import { setupUploads, UploadCommandIDs } from './upload/commands';

/** The Data Lake in the main area, as a table (#21). */
export const OPEN_TABLE = 'escape:datalake-open-table';

const STATE_KEY = `${PluginIDs.datalake}:state`;

/** The "Data Lake" left sidebar: browse, search and inspect Rucio. */
export const datalakePlugin: JupyterFrontEndPlugin<void> = {
  id: PluginIDs.datalake,
  description:
    'A sidebar to browse, search and inspect the ESCAPE Data Lake (Rucio).',
  autoStart: true,
  optional: [
    ILayoutRestorer,
    IStateDB,
    ICommandPalette,
    ITranslator,
    ISettingRegistry,
    INotebookTracker,
    IToolbarWidgetRegistry,
    IDefaultFileBrowser
  ],
  activate: (
    app: JupyterFrontEnd,
    restorer: ILayoutRestorer | null,
    stateDB: IStateDB | null,
    palette: ICommandPalette | null,
    translator: ITranslator | null,
    settingRegistry: ISettingRegistry | null,
    tracker: INotebookTracker | null,
    toolbarRegistry: IToolbarWidgetRegistry | null,
    browser: IDefaultFileBrowser | null
  ) => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_escape');
    const model = new DatalakeModel();
    // Created below; the fetch model asks whether it is on screen.
    let panel: SidePanel | null = null;
    const fetches = new FetchModel({
      trans,
      isVisible: () => panel?.isVisible ?? false,
      showPath: path =>
        void app.commands.execute('filebrowser:go-to-path', { path })
    });
    const actions = new FetchActions({
      app,
      browse: model,
      fetches,
      tracker,
      trans
    });

    /** Open a DID in the panel: searched, a collection drilled into (its files listed). */
    const showInDatalake = async (did: string, instance?: string) => {
      if (panel) {
        app.shell.activateById(panel.id);
      }
      if (instance && instance !== model.state.instance) {
        model.update({ instance });
      }
      model.update({ query: did, type: 'all', filters: [] });
      await model.search();
      const row = model.current?.rows.find(r => `${r.scope}:${r.name}` === did);
      if (row) {
        await model.open(row);
      }
      remember();
    };
    const uploads = setupUploads({
      app,
      trans,
      browser,
      tracker,
      showDid: (did, instance) => void showInDatalake(did, instance),
      isVisible: () => panel?.isVisible ?? false,
      instance: () => model.state.instance
    });

    const copy = (text: string, what: string) => {
      Clipboard.copyToSystem(text);
      Notification.success(trans.__('%1 copied to the clipboard.', what), {
        autoClose: 2500
      });
    };
    const remember = () =>
      void stateDB?.save(
        STATE_KEY,
        model.state as unknown as ReadonlyPartialJSONObject
      );

    // A plain Panel as content: one view, no accordion section title.
    panel = new SidePanel({
      content: new Panel(),
      translator: translator ?? nullTranslator
    });
    panel.id = 'escape-datalake';
    panel.addClass('jp-escape-Datalake-panel');
    panel.title.icon = datalakeIcon;
    panel.title.caption = trans.__('Data Lake');
    app.commands.addCommand(CommandIDs.refreshDatalake, {
      // Icon only in the sidebar's toolbar; the caption is its tooltip.
      label: args => (args['toolbar'] ? '' : trans.__('Refresh the Data Lake')),
      caption: trans.__('Reconnect to Rucio and list again'),
      icon: refreshIcon,
      execute: () => {
        void model.connect();
        if (model.levels.length && !model.current?.running) {
          void model.search();
        }
      }
    });
    const editCredentials = async () => {
      let current;
      try {
        current = await credentialsApi.get(model.state.instance);
      } catch (reason) {
        Notification.error(String((reason as Error).message ?? reason));
        return;
      }
      let value: CredentialsUpdate = {};
      const body = ReactWidget.create(
        React.createElement(CredentialsForm, {
          initial: current,
          trans,
          onChange: (next: CredentialsUpdate) => (value = next)
        })
      );
      const buttons = [
        Dialog.cancelButton(),
        Dialog.okButton({ label: trans.__('Save') })
      ];
      if (current.stored) {
        buttons.splice(1, 0, Dialog.warnButton({ label: trans.__('Forget') }));
      }
      const result = await showDialog({
        title: trans.__('Rucio credentials'),
        body,
        buttons
      });
      const label = result.button.label;
      if (!result.button.accept && label !== trans.__('Forget')) {
        return;
      }
      try {
        if (label === trans.__('Forget')) {
          await credentialsApi.forget(model.state.instance);
        } else {
          await credentialsApi.save(
            { auth_type: current.auth_type, ...value },
            model.state.instance
          );
        }
        Notification.success(trans.__('Rucio credentials saved.'), {
          autoClose: 2500
        });
      } catch (reason) {
        Notification.error(String((reason as Error).message ?? reason));
      }
      await model.connect();
    };
    app.commands.addCommand(CommandIDs.datalakeCredentials, {
      label: args => (args['toolbar'] ? '' : trans.__('Rucio Credentials…')),
      caption: trans.__(
        'The Rucio account and password or token the server signs in with'
      ),
      icon: userIcon,
      execute: () => editCredentials()
    });
    // The toolbar's buttons are declared in schema/datalake.json ("DatalakePanel").
    if (toolbarRegistry && settingRegistry) {
      setToolbar(
        panel,
        createToolbarFactory(
          toolbarRegistry,
          settingRegistry,
          'DatalakePanel',
          PluginIDs.datalake,
          translator ?? nullTranslator
        )
      );
    }
    // The fetch actions shown in a DID's details: the sidebar and the table view use the same.
    const fetchPart = (details: IDidDetails): React.ReactNode =>
      React.createElement(DidFetch, {
        did: details.did,
        type: details.type,
        instance: model.state.instance,
        config: model.whoami?.fetch,
        model: fetches,
        actions,
        trans
      });
    const header = ReactWidget.create(
      React.createElement(
        'h2',
        { className: 'jp-escape-SidePanel-title' },
        trans.__('Data Lake')
      )
    );
    panel.header.addWidget(header);
    panel.addWidget(
      ReactWidget.create(
        React.createElement(DatalakePanel, {
          model,
          trans,
          onCopy: copy,
          onSearched: remember,
          onFetch: (dids, ask) =>
            ask ? void actions.fetchTo(dids) : actions.fetch(dids),
          fetchPart,
          fetches: React.createElement(
            React.Fragment,
            null,
            uploads.renderList(),
            React.createElement(FetchList, {
              model: fetches,
              trans,
              onShow: actions.show,
              onOpen: actions.open,
              onInsert: job => void actions.insertJob(job),
              onError: message =>
                Notification.error(message, { autoClose: 8000 })
            })
          )
        })
      )
    );
    // Files and folders dragged from the file browser onto the panel: upload them.
    uploads.acceptDrops(panel);
    app.shell.add(panel, 'left', { rank: 600 });
    restorer?.add(panel, 'escape-datalake');

    const panelId = panel.id;
    app.commands.addCommand(CommandIDs.openDatalake, {
      label: trans.__('Open the Data Lake Browser'),
      caption: trans.__('Browse and search the ESCAPE Data Lake (Rucio)'),
      icon: datalakeIcon,
      describedBy: {
        args: {
          type: 'object',
          properties: {
            did: { type: 'string', description: 'scope:name to show' }
          }
        }
      },
      execute: args => {
        // A DID to show (the Provenance view's links, from notebook metadata): searched like
        // one typed in the panel, on the panel's instance.
        const did = typeof args['did'] === 'string' ? args['did'] : '';
        if (/^[A-Za-z0-9._-]{1,64}:[A-Za-z0-9._+/-]{1,250}$/.test(did)) {
          return showInDatalake(did);
        }
        app.shell.activateById(panelId);
      }
    });
    // The Data Lake in the main area as a table, the details beside it (#21); the sidebar
    // searches, both show the same listing.
    let table: MainAreaWidget | null = null;
    app.commands.addCommand(OPEN_TABLE, {
      label: trans.__('Open the Data Lake as a Table'),
      caption: trans.__(
        'The current Data Lake listing in the main area: sortable columns, details beside'
      ),
      icon: datalakeIcon,
      execute: () => {
        if (table && !table.isDisposed) {
          app.shell.activateById(table.id);
          return;
        }
        const content = ReactWidget.create(
          React.createElement(DidTable, {
            model,
            trans,
            onCopy: copy,
            fetchPart
          })
        );
        table = new DatalakeTableWidget({ content }, model);
        table.id = 'escape-datalake-table';
        table.title.label = trans.__('Data Lake');
        table.title.icon = datalakeIcon;
        table.title.closable = true;
        app.shell.add(table, 'main');
      }
    });
    palette?.addItem({
      command: OPEN_TABLE,
      category: PaletteCategory.datalake
    });

    // Notebooks that record Data Lake DIDs: offer to fetch the missing ones.
    tracker?.widgetAdded.connect((_, notebook) => {
      void actions.checkNotebook(notebook).catch(() => undefined);
    });
    for (const command of [
      CommandIDs.openDatalake,
      CommandIDs.refreshDatalake,
      CommandIDs.datalakeCredentials,
      UploadCommandIDs.upload
    ]) {
      palette?.addItem({ command, category: PaletteCategory.datalake });
    }

    void app.restored.then(async () => {
      const saved = (await stateDB?.fetch(STATE_KEY)) as
        IDatalakeState | undefined;
      if (settingRegistry) {
        const settings = await settingRegistry.load(PluginIDs.datalake);
        model.update({
          limit: settings.get('defaultLimit').composite as number,
          type: settings.get('defaultType').composite as IDatalakeState['type']
        });
      }
      // Jobs survive reloads: list them, polling resumes if one is active.
      void fetches.refresh();
      void uploads.jobs.model.refresh();
      await model.connect();
      if (saved && typeof saved.query === 'string') {
        model.update(saved);
        if (saved.query.trim()) {
          void model.search();
        }
      }
    });
  }
};
