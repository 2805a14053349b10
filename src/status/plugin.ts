import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  MainAreaWidget,
  WidgetTracker
} from '@jupyterlab/apputils';
import { ILauncher } from '@jupyterlab/launcher';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { refreshIcon, VDomRenderer } from '@jupyterlab/ui-components';
import { Poll } from '@lumino/polling';
import * as React from 'react';

import { addCommandAliases } from '../common/commandAliases';
import { escapeIcon } from '../common/icons';
import {
  CommandIDs,
  ESCAPE_CATEGORY,
  PaletteCategory,
  PluginIDs
} from '../tokens';
import { ServicesView } from './components/ServicesView';
import { ServicesModel } from './model';

class ServicesWidget extends VDomRenderer<ServicesModel> {
  constructor(
    model: ServicesModel,
    private readonly translator: ITranslator,
    private readonly commands?: JupyterFrontEnd['commands']
  ) {
    super(model);
    this.addClass('jp-escape-Status-widget');
  }

  protected render(): JSX.Element {
    const model = this.model;
    return React.createElement(ServicesView, {
      report: model.report,
      loading: model.loading,
      error: model.error,
      trans: this.translator.load('jupyterlab_escape'),
      onRefresh: () => void model.refresh(),
      onAction: this.commands
        ? (command: string) => void this.commands?.execute(command)
        : undefined,
      canRun: (command: string) => this.commands?.hasCommand(command) ?? false
    });
  }
}

/** The "ESCAPE services" view: proves browser -> server extension -> upstream works. */
export const statusPlugin: JupyterFrontEndPlugin<void> = {
  id: PluginIDs.status,
  description:
    'Shows whether Rucio, REANA and Zenodo answer through the server extension.',
  autoStart: true,
  optional: [
    ICommandPalette,
    ILauncher,
    ILayoutRestorer,
    ITranslator,
    ISettingRegistry
  ],
  activate: (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    launcher: ILauncher | null,
    restorer: ILayoutRestorer | null,
    translator: ITranslator | null,
    settingRegistry: ISettingRegistry | null
  ) => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_escape');
    const tracker = new WidgetTracker<MainAreaWidget<ServicesWidget>>({
      namespace: 'escape-services'
    });

    app.commands.addCommand(CommandIDs.openServices, {
      // The launcher's card keeps the name of the view.
      label: args =>
        args['isLauncher']
          ? trans.__('ESCAPE Services')
          : trans.__('Open the ESCAPE Services'),
      caption: trans.__(
        'Check the Data Lake, the software catalogue and REANA'
      ),
      icon: escapeIcon,
      execute: () => {
        const open = tracker.currentWidget;
        if (open && !open.isDisposed) {
          app.shell.activateById(open.id);
          void open.content.model.refresh();
          return open;
        }
        const model = new ServicesModel();
        const content = new ServicesWidget(
          model,
          translator ?? nullTranslator,
          app.commands
        );
        const widget = new MainAreaWidget({ content });
        widget.id = 'escape-services';
        widget.title.label = trans.__('ESCAPE Services');
        widget.title.icon = escapeIcon;
        widget.title.closable = true;
        void tracker.add(widget);
        app.shell.add(widget, 'main');
        void model.refresh();
        return widget;
      }
    });

    app.commands.addCommand(CommandIDs.refreshServices, {
      label: trans.__('Refresh the ESCAPE Services'),
      caption: trans.__('Check every service and identity again'),
      icon: refreshIcon,
      isEnabled: () => tracker.currentWidget !== null,
      execute: () => tracker.currentWidget?.content.model.refresh()
    });

    addCommandAliases(app.commands, [
      CommandIDs.openServices,
      CommandIDs.refreshServices
    ]);

    // The user's automatic refresh: only while the view is on screen.
    const autoRefresh = new Poll({
      auto: false,
      factory: async () => {
        await tracker.currentWidget?.content.model.refresh();
      },
      frequency: { interval: 60_000, backoff: true, max: 600_000 },
      name: 'jupyterlab-escape:status-refresh',
      standby: () => (tracker.currentWidget?.isVisible ? 'when-hidden' : true)
    });
    void settingRegistry?.load(PluginIDs.status).then(
      settings => {
        const take = () => {
          const seconds = settings.composite['autoRefreshSeconds'] as number;
          if (seconds > 0) {
            autoRefresh.frequency = {
              interval: seconds * 1000,
              backoff: true,
              max: Math.max(seconds * 1000, 600_000)
            };
            void autoRefresh.start();
          } else {
            void autoRefresh.stop();
          }
        };
        take();
        settings.changed.connect(take);
      },
      () => undefined
    );

    palette?.addItem({
      command: CommandIDs.openServices,
      category: PaletteCategory.escape
    });
    palette?.addItem({
      command: CommandIDs.refreshServices,
      category: PaletteCategory.escape
    });
    launcher?.add({
      command: CommandIDs.openServices,
      // The card names the view; the palette and menus say "Open the …".
      args: { isLauncher: true },
      category: ESCAPE_CATEGORY,
      rank: 90
    });
    if (restorer) {
      void restorer.restore(tracker, {
        command: CommandIDs.openServices,
        name: () => 'escape-services'
      });
    }
  }
};
