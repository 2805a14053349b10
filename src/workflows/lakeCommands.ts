/**
 * The workflows side of the Data Lake hand-offs, as commands:
 * - `escape:workflows-use-lake-input` {did}: the DID as a `-l` input of the active `%%reana`
 *   cell, or of a new `%%reana` cell below the active cell (the Data Lake panel's "Use as
 *   workflow input" runs it);
 * - `escape:workflows-upload-outputs` {id}: "Upload outputs to the Data Lake" for a finished run
 *   (the workflow detail view and the cell's live output run it).
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import {
  INotebookModel,
  INotebookTracker,
  NotebookActions
} from '@jupyterlab/notebook';
import { TranslationBundle } from '@jupyterlab/translation';

import { provenanceOf, recordProvenance } from '../provenance/records';
import { datalakeIcon } from '../common/icons';
import { CommandIDs } from '../tokens';
import { reanaIcon } from './icon';
import { ILakeInput } from './api';
import { uploadOutputsToLake } from './components/OutputsToLake';
import { addLakeOption, lakeCell, lakeTarget } from './lakeInput';
import { lakeInputsUsed, outputsProduced } from './lakeProvenance';

const DID = /^[A-Za-z0-9._-]{1,64}:[^\s'"\\]{1,500}$/;

/** Record the DIDs a run was given (trusted notebooks only: recordProvenance checks). */
export function recordLakeInputs(
  model: INotebookModel | null,
  lake: ILakeInput[] | null
): void {
  if (model && lake?.length) {
    recordProvenance(model, lakeInputsUsed(lake));
  }
}

export function registerLakeCommands(
  app: JupyterFrontEnd,
  tracker: INotebookTracker,
  trans: TranslationBundle
): void {
  app.commands.addCommand(CommandIDs.useLakeInput, {
    label: trans.__('Use as REANA Workflow Input'),
    icon: reanaIcon,
    caption: trans.__(
      'Add this DID as a Data Lake input (-l) of the %%reana cell, or of a new one'
    ),
    describedBy: {
      args: {
        type: 'object',
        properties: { did: { type: 'string', description: 'scope:name' } }
      }
    },
    execute: args => {
      const did = typeof args['did'] === 'string' ? args['did'] : '';
      if (!DID.test(did)) {
        return;
      }
      const panel = tracker.currentWidget;
      if (!panel) {
        Notification.warning(
          trans.__(
            'Open a notebook first: %1 becomes an input of a %%reana cell there.',
            did
          ),
          { autoClose: 6000 }
        );
        return;
      }
      const cell = panel.content.activeCell;
      const source = cell?.model.sharedModel.getSource() ?? '';
      const target = lakeTarget(
        cell ? { type: cell.model.type, source } : null
      );
      if (cell && target === 'extend') {
        const added = addLakeOption(source, did);
        cell.model.sharedModel.setSource(added.source);
        Notification.success(
          trans.__(
            '%1 is now the input %2 of this %%reana cell.',
            did,
            added.param
          ),
          { autoClose: 4000 }
        );
      } else if (cell && target === 'fill') {
        cell.model.sharedModel.setSource(lakeCell(did, trans));
      } else {
        NotebookActions.insertBelow(panel.content);
        const created = panel.content.activeCell;
        if (created) {
          created.model.sharedModel.setSource(lakeCell(did, trans));
        }
      }
      app.shell.activateById(panel.id);
    }
  });

  app.commands.addCommand(CommandIDs.uploadOutputsToLake, {
    label: trans.__('Upload Outputs to the Data Lake…'),
    icon: datalakeIcon,
    caption: trans.__(
      "A finished run's outputs as a new Data Lake dataset, linked to the workflow"
    ),
    describedBy: {
      args: {
        type: 'object',
        properties: { id: { type: 'string', description: 'workflow id' } }
      }
    },
    execute: async args => {
      const id = typeof args['id'] === 'string' ? args['id'] : '';
      if (!/^[0-9a-f-]{36}$/.test(id)) {
        return;
      }
      await uploadOutputsToLake({
        workflowId: id,
        trans,
        showDid: did =>
          void app.commands.execute(CommandIDs.openDatalake, { did }),
        onDone: job => {
          // Recorded in the notebook that launched the run (its provenance names it).
          tracker.forEach(panel => {
            const model = panel.model;
            if (model && provenanceOf(model).workflows.some(w => w.id === id)) {
              recordProvenance(model, outputsProduced(job, id));
            }
          });
        }
      });
    }
  });
}
