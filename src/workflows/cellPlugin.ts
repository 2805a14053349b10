import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { Cell, CodeCell } from '@jupyterlab/cells';
import { PathExt } from '@jupyterlab/coreutils';
import {
  INotebookTracker,
  NotebookActions,
  NotebookPanel
} from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';

import { CommandIDs, PaletteCategory, PLUGIN_PREFIX } from '../tokens';
import { errorMessage } from '../request';
import {
  IIssue,
  ISubmitEvent,
  ISubmitRequest,
  ReanaApi,
  reanaApi
} from './api';
import { isReanaSource } from './cell';
import { cellErrorOutput } from './cellError';
import {
  IWorkflowOutputData,
  outputBundle,
  workflowRendererFactory
} from './cellOutput';
import {
  confirmMissingInputs,
  isMissingInputsRefusal,
  missingInputIssues
} from './components/MissingInputs';
import { untranslated } from './components/format';
import {
  confirmLakeConsent,
  isLakeConsentRefusal,
  lakeSummary
} from './components/LakeInputs';
import { recordLakeInputs, registerLakeCommands } from './lakeCommands';
import { reanaIcon } from './icon';
import { recordLaunchedRun } from '../provenance/model';
import { provenanceApi } from '../provenance/api';
import { WorkflowCountExtension } from './notebookCount';
import {
  baseName,
  ITrackedSubmission,
  SubmissionNotes
} from './submissionNotes';

export { baseName };

/** The submission request for a cell of the notebook at ``notebookPath``: the cell as
 * written; the server reads its %%reana line. */
export function cellRequest(
  source: string,
  notebookPath: string,
  key: string,
  allowMissingInputs = false,
  lakeConsent = false
): ISubmitRequest {
  return {
    cell: source,
    base: PathExt.dirname(notebookPath),
    idempotency_key: key,
    ...(allowMissingInputs ? { allow_missing_inputs: true } : {}),
    // Only after the user agreed in our dialog: the cell itself can never say it.
    ...(lakeConsent ? { lake_consent: true } : {})
  };
}

/**
 * Submit a cell's specification through the launcher's pipeline; the output data of the
 * started workflow. ``onEvent`` sees every stage (validated, created, uploading, started).
 */
export async function submitCell(
  source: string,
  notebookPath: string,
  options: {
    api?: ReanaApi;
    key?: string;
    onEvent?: (event: ISubmitEvent) => void;
    trans?: TranslationBundle;
    /** "Submit anyway": declared inputs that do not exist are not a refusal. */
    allowMissingInputs?: boolean;
    /** The user agreed that their Rucio identity is set as REANA secrets. */
    lakeConsent?: boolean;
  } = {}
): Promise<IWorkflowOutputData> {
  const key =
    options.key ?? `cell${Date.now()}${Math.random().toString(36).slice(2)}`;
  let last: ISubmitEvent | null = null;
  let lake: unknown = undefined;
  for await (const event of (options.api ?? reanaApi).submit(
    cellRequest(
      source,
      notebookPath,
      key,
      options.allowMissingInputs,
      options.lakeConsent
    )
  )) {
    options.onEvent?.(event);
    lake = event.lake ?? lake;
    last = event;
  }
  if (!last || last.stage !== 'started' || !last.workflow_id) {
    throw new Error(
      (options.trans ?? untranslated()).__(
        'The submission ended without starting the workflow.'
      )
    );
  }
  const run = String(last.run_number ?? '');
  return {
    id: last.workflow_id,
    name: baseName(last.workflow_name ?? '', run),
    run_number: run,
    status: last.status ?? 'queued',
    ...(lake ? { lake: lakeSummary(lake) } : {})
  };
}

/**
 * What follows a refused cell submission. A refusal for want of the user's consent to read
 * the Data Lake as them is a question, not a failure: no toast while the dialog asks, none
 * when they agree (the new submission has its own), a note saying nothing was sent when
 * they decline. Any other refusal ends the toast in error.
 */
export async function settleRefusal(
  reason: unknown,
  tracked: Pick<ITrackedSubmission, 'fail' | 'decline'>,
  options: {
    /** This submission carried the consent already. */
    lakeConsent: boolean;
    askLakeConsent: (message: string) => Promise<boolean>;
    trans: TranslationBundle;
    /** The cell shows the outcome (a code cell): no toast repeats it. */
    cellShowsIt?: boolean;
  }
): Promise<'consented' | 'declined' | 'failed'> {
  if (!options.lakeConsent && isLakeConsentRefusal(reason)) {
    if (await options.askLakeConsent(errorMessage(reason))) {
      return 'consented';
    }
    tracked.decline(declinedMessage(options.trans), options.cellShowsIt);
    return 'declined';
  }
  tracked.fail(reason);
  return 'failed';
}

export function declinedMessage(trans: TranslationBundle): string {
  return trans.__(
    'Not submitted: you chose not to let the workflow read the Data Lake as you. Nothing was sent to REANA and no secret was set; run the cell again to choose again.'
  );
}

function isReanaCell(cell: Cell | null): boolean {
  if (!cell) {
    return false;
  }
  if (cell.model.type === 'raw') {
    return true;
  }
  return (
    cell.model.type === 'code' &&
    isReanaSource(cell.model.sharedModel.getSource())
  );
}

/** "Run cell as REANA workflow" and the renderer of the output it leaves in the cell. */
export const reanaCellPlugin: JupyterFrontEndPlugin<void> = {
  id: `${PLUGIN_PREFIX}:workflows-cell`,
  description:
    'Run a notebook cell holding a REANA specification as a workflow, with a live status output.',
  autoStart: true,
  requires: [INotebookTracker, IRenderMimeRegistry],
  optional: [ICommandPalette, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    rendermime: IRenderMimeRegistry,
    palette: ICommandPalette | null,
    translator: ITranslator | null
  ) => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_escape');
    rendermime.addFactory(
      workflowRendererFactory({
        openWorkflow: (id, tab) =>
          void app.commands.execute(CommandIDs.openWorkflow, {
            id,
            ...(tab ? { tab } : {})
          }),
        openPath: path =>
          void app.commands.execute('docmanager:open', { path }),
        outputsFolder: node => {
          const panel = tracker.find(p => p.node.contains(node));
          return panel ? PathExt.dirname(panel.context.path) : null;
        },
        uploadOutputs: id =>
          void app.commands.execute(CommandIDs.uploadOutputsToLake, { id }),
        trans
      })
    );
    registerLakeCommands(app, tracker, trans);

    app.docRegistry.addWidgetExtension(
      'Notebook',
      new WorkflowCountExtension(trans)
    );

    // Submissions shown as every slice shows long work (the common job toast).
    const notes = new SubmissionNotes({
      trans,
      open: id => void app.commands.execute(CommandIDs.openWorkflow, { id }),
      retry: () => void app.commands.execute(CommandIDs.runCellWorkflow)
    });

    app.commands.addCommand(CommandIDs.runCellWorkflow, {
      label: trans.__('Run Cell as REANA Workflow'),
      caption: trans.__(
        'Submit this cell (a raw cell of YAML, or %%reana and YAML) to REANA'
      ),
      icon: reanaIcon,
      isEnabled: () => isReanaCell(tracker.activeCell),
      isVisible: () => isReanaCell(tracker.activeCell),
      execute: () => {
        const panel = tracker.currentWidget;
        const cell = tracker.activeCell;
        if (panel && cell) {
          return run(panel, cell, false, false);
        }
      }
    });

    const run = async (
      panel: NotebookPanel,
      cell: Cell,
      allowMissingInputs: boolean,
      lakeConsent: boolean
    ): Promise<void> => {
      {
        const key = `cell${Date.now()}${Math.random().toString(36).slice(2)}`;
        const tracked = notes.track(
          key,
          trans.__('the cell of %1', PathExt.basename(panel.context.path))
        );
        const seen: { lake: ISubmitEvent['lake'] | null } = { lake: null };
        try {
          const data = await submitCell(
            cell.model.sharedModel.getSource(),
            panel.context.path,
            {
              key,
              onEvent: event => {
                tracked.onEvent(event);
                seen.lake = event.lake ?? seen.lake;
              },
              trans,
              allowMissingInputs,
              lakeConsent
            }
          );
          let target: Cell = cell;
          if (cell.model.type !== 'code') {
            // A raw cell has no outputs: the status goes into a code cell below it.
            panel.content.activeCellIndex = panel.content.widgets.indexOf(cell);
            NotebookActions.insertBelow(panel.content);
            target = panel.content.activeCell!;
            target.model.sharedModel.setSource(
              trans.__(
                '# REANA workflow %1.%2, launched from the raw cell above',
                data.name,
                data.run_number
              )
            );
          }
          const outputs = (target as CodeCell).model.outputs;
          outputs.clear();
          outputs.add({
            output_type: 'display_data',
            data: outputBundle(data, trans),
            metadata: {}
          });
          // The notebook's provenance: the run as REANA describes it (#18).
          if (panel.model) {
            const inputs = (seen.lake ?? []).map(i => i.did);
            void recordLaunchedRun(panel.model, provenanceApi, data.id, {
              inputs
            }).catch(() => undefined);
            recordLakeInputs(panel.model, seen.lake ?? null);
          }
        } catch (reason) {
          const outcome = await settleRefusal(reason, tracked, {
            lakeConsent,
            askLakeConsent: message => confirmLakeConsent(trans, message),
            trans,
            cellShowsIt: cell.model.type === 'code'
          });
          if (outcome === 'consented') {
            // The user agreed: the same cell again, with their identity set as secrets.
            await run(panel, cell, allowMissingInputs, true);
            return;
          }
          // The refusal also stays in the cell, at the line it is about (#21).
          if (cell.model.type === 'code') {
            const outputs = (cell as CodeCell).model.outputs;
            outputs.clear();
            outputs.add(
              outcome === 'declined'
                ? {
                    // our own sentence, as prose (a stream output breaks words anywhere)
                    output_type: 'display_data',
                    data: { 'text/markdown': declinedMessage(trans) },
                    metadata: {}
                  }
                : cellErrorOutput(
                    reason,
                    cell.model.sharedModel.getSource(),
                    trans
                  )
            );
          }
          if (
            outcome === 'failed' &&
            !allowMissingInputs &&
            isMissingInputsRefusal(reason) &&
            (await askSubmitAnyway(cell.model.sharedModel.getSource(), panel))
          ) {
            // A new submission (a new idempotency key) that accepts the missing inputs.
            await run(panel, cell, true, lakeConsent);
          }
        }
      }
    };

    // The server refused for missing inputs: which ones (validate the cell), then ask.
    const askSubmitAnyway = async (
      source: string,
      panel: NotebookPanel
    ): Promise<boolean> => {
      let issues: IIssue[] = [];
      let message: string | null = null;
      try {
        const checked = await reanaApi.validateCell(
          source,
          PathExt.dirname(panel.context.path)
        );
        issues = missingInputIssues(checked.issues);
      } catch (reason) {
        message = errorMessage(reason);
      }
      return confirmMissingInputs(trans, issues, message);
    };

    // The cell toolbar button shows on %%reana and raw cells only: re-check as the user moves
    // between cells or types the magic.
    const changed = () =>
      app.commands.notifyCommandChanged(CommandIDs.runCellWorkflow);
    tracker.activeCellChanged.connect((_, cell) => {
      changed();
      cell?.model.contentChanged.connect(changed);
    });

    // The context menu item, the cell toolbar button and the shortcut are declared in
    // schema/workflows-cell.json.
    palette?.addItem({
      command: CommandIDs.runCellWorkflow,
      category: PaletteCategory.reana
    });
  }
};
