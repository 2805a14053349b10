import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  Dialog,
  ICommandPalette,
  MainAreaWidget,
  Notification,
  ReactWidget,
  showDialog,
  WidgetTracker
} from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ILauncher } from '@jupyterlab/launcher';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { addCommandAliases } from '../common/commandAliases';
import { errorMessage } from '../request';
import {
  CommandIDs,
  ESCAPE_CATEGORY,
  PaletteCategory,
  PluginIDs
} from '../tokens';
import { ICapabilities, reanaApi } from './api';
import { SubmitForm } from './components/SubmitForm';
import { WorkflowDetail } from './components/WorkflowDetail';
import { WorkflowsPanel } from './components/WorkflowsPanel';
import { SecretsView } from './components/SecretsView';
import { SecretsModel } from './components/secretsModel';
import { reanaIcon } from './icon';
import {
  DEFAULT_POLL_SECONDS,
  SubmitModel,
  WorkflowListModel,
  WorkflowModel
} from './model';

const SPEC_NAME = /^reana\.ya?ml$/i;

/** The secrets view; its context-menu entry is declared in schema/workflows.json. */
const SECRETS_COMMAND = 'escape:workflows-secrets';

/** A React view whose model stands by while the view is hidden. */
class PollingView extends ReactWidget {
  constructor(
    private readonly target: { visible: boolean },
    private readonly view: () => JSX.Element
  ) {
    super();
  }
  protected render(): JSX.Element {
    return this.view();
  }
  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.target.visible = true;
  }
  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.target.visible = false;
  }
}

/** The REANA workflow launcher: submit reana.yaml files and follow runs to their outputs. */
export const workflowsPlugin: JupyterFrontEndPlugin<void> = {
  id: PluginIDs.workflows,
  description:
    'Submit REANA workflows from the file browser and follow them: status, logs, outputs.',
  autoStart: true,
  optional: [
    ILayoutRestorer,
    ICommandPalette,
    ILauncher,
    IDefaultFileBrowser,
    ITranslator,
    ISettingRegistry
  ],
  activate: (
    app: JupyterFrontEnd,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    launcher: ILauncher | null,
    browser: IDefaultFileBrowser | null,
    translator: ITranslator | null,
    settingRegistry: ISettingRegistry | null
  ) => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_escape');
    let capabilities: ICapabilities | null = null;
    const preferences = { openAfterSubmit: true, refreshSeconds: 0 };
    // The user's refresh interval when set, else the one the server suggests.
    const pollSeconds = () =>
      preferences.refreshSeconds ||
      capabilities?.polling_secs ||
      DEFAULT_POLL_SECONDS;
    const list = new WorkflowListModel({ trans });
    const settingsLoaded = settingRegistry
      ? settingRegistry.load(PluginIDs.workflows).then(
          settings => {
            const take = () => {
              preferences.openAfterSubmit = settings.composite[
                'openAfterSubmit'
              ] as boolean;
              preferences.refreshSeconds = settings.composite[
                'refreshSeconds'
              ] as number;
              list.setIntervalSeconds(pollSeconds());
            };
            take();
            settings.changed.connect(take);
          },
          () => undefined
        )
      : Promise.resolve();
    const ready = Promise.all([
      reanaApi.capabilities().then(
        caps => {
          capabilities = caps;
        },
        () => undefined // the list shows the error when it polls
      ),
      settingsLoaded
    ]).then(() => list.setIntervalSeconds(pollSeconds()));

    const tracker = new WidgetTracker<MainAreaWidget<PollingView>>({
      namespace: 'escape-workflows-workflow'
    });

    const openModels = new Map<string, WorkflowModel>();
    const openWorkflow = async (id: string, tab?: string) => {
      const open = tracker.find(w => w.id === `jp-escape-workflows-${id}`);
      if (open) {
        app.shell.activateById(open.id);
        if (tab) {
          openModels.get(id)?.showTab(tab);
        }
        return open;
      }
      await ready;
      const model = new WorkflowModel(id, {
        intervalMs: pollSeconds() * 1000,
        trans
      });
      if (tab) {
        model.showTab(tab);
      }
      openModels.set(id, model);
      const view = new PollingView(model, () => (
        <WorkflowDetail
          model={model}
          trans={trans}
          actions={{
            logsUrl: reanaApi.logsDownloadUrl(id),
            reanaUrl: capabilities?.ui_url
              ? `${capabilities.ui_url}/details/${id}`
              : null,
            openFile: path =>
              void app.commands.execute('docmanager:open', { path }),
            uploadOutputsToLake: workflowId =>
              void app.commands.execute(CommandIDs.uploadOutputsToLake, {
                id: workflowId
              }),
            restart: async parameters => {
              const started = await reanaApi.restart(id, parameters);
              Notification.success(
                trans.__('Restarted as %1.', started.workflow_name),
                { autoClose: 4000 }
              );
              void list.refresh();
              await openWorkflow(started.workflow_id);
            },
            remove: async () => {
              const name = model.workflow?.full_name ?? id;
              const answer = await showDialog({
                title: trans.__('Delete %1?', name),
                body: trans.__(
                  'The run and its REANA workspace are deleted. A running workflow is stopped first.'
                ),
                buttons: [
                  Dialog.cancelButton(),
                  Dialog.warnButton({ label: trans.__('Delete') })
                ]
              });
              if (!answer.button.accept) {
                return false;
              }
              await reanaApi.remove(id);
              Notification.success(trans.__('%1 deleted.', name), {
                autoClose: 4000
              });
              void list.refresh();
              widget.dispose();
              return true;
            }
          }}
        />
      ));
      model.stateChanged.connect(() => view.update());
      const widget = new MainAreaWidget({ content: view });
      widget.id = `jp-escape-workflows-${id}`;
      widget.title.label = trans.__('REANA %1', id.slice(0, 8));
      widget.title.icon = reanaIcon;
      widget.title.closable = true;
      model.stateChanged.connect(() => {
        if (model.workflow) {
          widget.title.label = model.workflow.full_name;
        }
      });
      widget.disposed.connect(() => {
        openModels.delete(id);
        model.dispose();
      });
      app.shell.add(widget, 'main');
      void tracker.add(widget);
      await model.start();
      return widget;
    };

    const submit = (path: string) => {
      const model = new SubmitModel(path, reanaApi, trans);
      const body = new PollingView({ visible: true }, () => (
        <SubmitForm
          model={model}
          trans={trans}
          onStarted={workflowId => {
            dialog.resolve(0);
            Notification.success(
              trans.__(
                '%1 started on REANA.',
                model.created?.workflow_name ?? ''
              ),
              { autoClose: 4000 }
            );
            void list.refresh();
            app.shell.activateById(panel.id);
            if (preferences.openAfterSubmit) {
              void openWorkflow(workflowId);
            }
          }}
        />
      ));
      model.stateChanged.connect(() => body.update());
      body.addClass('jp-escape-Workflows-Submit-dialog');
      const dialog = new Dialog({
        title: trans.__('Submit to REANA'),
        body,
        buttons: [Dialog.cancelButton({ label: trans.__('Close') })]
      });
      void dialog.launch().then(() => model.dispose());
    };

    const panel = new PollingView(list, () => (
      <WorkflowsPanel
        model={list}
        trans={trans}
        onOpen={id =>
          void openWorkflow(id).catch(reason =>
            Notification.error(errorMessage(reason))
          )
        }
        onSubmit={() => void app.commands.execute(CommandIDs.newWorkflow)}
        onSecrets={() => void app.commands.execute(SECRETS_COMMAND)}
      />
    ));
    list.stateChanged.connect(() => panel.update());
    panel.id = 'jp-escape-workflows';
    panel.title.icon = reanaIcon;
    panel.title.caption = trans.__('REANA workflows');
    panel.addClass('jp-escape-Workflows-panel');
    app.shell.add(panel, 'left', { rank: 700 });
    restorer?.add(panel, 'escape-workflows');
    void ready.then(() => list.start());

    const selectedSpec = (): string | null => {
      const item = browser?.selectedItems().next();
      const model = item && !item.done ? item.value : null;
      return model && model.type !== 'directory' && SPEC_NAME.test(model.name)
        ? model.path
        : null;
    };

    app.commands.addCommand(CommandIDs.openWorkflows, {
      label: trans.__('Open the REANA Workflows'),
      caption: trans.__('Your REANA workflows, live'),
      icon: reanaIcon,
      execute: () => app.shell.activateById(panel.id)
    });
    app.commands.addCommand(CommandIDs.submitWorkflow, {
      label: trans.__('Submit to REANA'),
      caption: trans.__(
        'Check this reana.yaml, upload its inputs and start it'
      ),
      icon: reanaIcon,
      isVisible: () => selectedSpec() !== null,
      describedBy: {
        args: { type: 'object', properties: { path: { type: 'string' } } }
      },
      execute: args => {
        const path = (args['path'] as string) || selectedSpec();
        if (path) {
          submit(path);
        }
      }
    });
    app.commands.addCommand(CommandIDs.newWorkflow, {
      label: args =>
        args['isLauncher']
          ? trans.__('REANA workflow')
          : trans.__('Submit a REANA Workflow…'),
      caption: trans.__('Submit a reana.yaml to REANA'),
      icon: reanaIcon,
      execute: () => {
        const folder = browser?.model.path ?? '';
        submit(selectedSpec() ?? PathExt.join(folder, 'reana.yaml'));
      }
    });
    app.commands.addCommand(CommandIDs.openWorkflow, {
      label: trans.__('Open a REANA Workflow'),
      caption: trans.__('Status, logs, files and specification of one run'),
      icon: reanaIcon,
      describedBy: {
        args: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            tab: {
              type: 'string',
              enum: ['overview', 'logs', 'files', 'specification']
            }
          },
          required: ['id']
        }
      },
      execute: args =>
        openWorkflow(
          String(args['id']),
          typeof args['tab'] === 'string' ? args['tab'] : undefined
        )
    });

    // REANA user secrets: one view, opened from the panel and its context menu.
    let secretsWidget: MainAreaWidget<ReactWidget> | null = null;
    app.commands.addCommand(SECRETS_COMMAND, {
      label: trans.__('Manage REANA Secrets…'),
      caption: trans.__(
        'List, add and delete the secrets your REANA workflow jobs receive'
      ),
      icon: reanaIcon,
      execute: () => {
        if (secretsWidget && !secretsWidget.isDisposed) {
          app.shell.activateById(secretsWidget.id);
          return;
        }
        const model = new SecretsModel(
          reanaApi,
          async path => {
            const file = await app.serviceManager.contents.get(path, {
              type: 'file',
              format: 'base64',
              content: true
            });
            return String(file.content);
          },
          trans
        );
        const view = ReactWidget.create(
          <SecretsView
            model={model}
            trans={trans}
            selectedFile={() => {
              const item = browser?.selectedItems().next();
              return item && !item.done && item.value.type !== 'directory'
                ? item.value.path
                : null;
            }}
          />
        );
        secretsWidget = new MainAreaWidget({ content: view });
        secretsWidget.id = 'jp-escape-workflows-secrets';
        secretsWidget.title.label = trans.__('REANA Secrets');
        secretsWidget.title.icon = reanaIcon;
        secretsWidget.title.closable = true;
        secretsWidget.disposed.connect(() => model.dispose());
        app.shell.add(secretsWidget, 'main');
      }
    });
    palette?.addItem({
      command: SECRETS_COMMAND,
      category: PaletteCategory.reana
    });

    // The file browser's context menu item is declared in schema/workflows.json.
    addCommandAliases(app.commands, [
      CommandIDs.openWorkflows,
      CommandIDs.submitWorkflow,
      CommandIDs.newWorkflow,
      CommandIDs.openWorkflow,
      // Registered by the cell plugin; its old id lives here with the others.
      CommandIDs.runCellWorkflow
    ]);
    launcher?.add({
      command: CommandIDs.newWorkflow,
      // The card says "REANA workflow" like the other "new" cards (JupyterLab passes no flag).
      args: { isLauncher: true },
      category: ESCAPE_CATEGORY,
      rank: 3
    });
    for (const command of [CommandIDs.newWorkflow, CommandIDs.openWorkflows]) {
      palette?.addItem({ command, category: PaletteCategory.reana });
    }
  }
};
