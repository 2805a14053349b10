import { DocumentRegistry } from '@jupyterlab/docregistry';
import { INotebookModel, NotebookPanel } from '@jupyterlab/notebook';
import { nullTranslator, TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { IDisposable } from '@lumino/disposable';
import * as React from 'react';

import { isTerminal } from './api';
import { WORKFLOW_MIME } from './cellOutput';

export interface IWorkflowCounts {
  running: number;
  finished: number;
  failed: number;
  stopped: number;
  /**
   * Outputs of an untrusted notebook: whatever status they hold was saved by someone and is
   * never refreshed, so it is not counted as running or ended, only as a saved status.
   */
  saved: number;
}

/** The part of an output model the count reads. */
interface IOutputLike {
  trusted: boolean;
  data: Record<string, unknown>;
}

/** How the workflows launched from a notebook stand, from the trusted outputs it holds. */
export function countWorkflows(model: INotebookModel | null): IWorkflowCounts {
  const counts: IWorkflowCounts = {
    running: 0,
    finished: 0,
    failed: 0,
    stopped: 0,
    saved: 0
  };
  const cells = model?.cells;
  if (!cells) {
    return counts;
  }
  for (let i = 0; i < cells.length; i++) {
    const cell = cells.get(i);
    if (cell.type !== 'code') {
      continue;
    }
    const outputs = (cell as any).outputs;
    for (let j = 0; j < (outputs?.length ?? 0); j++) {
      const output = outputs.get(j) as IOutputLike;
      const data = output.data[WORKFLOW_MIME];
      if (!data) {
        continue;
      }
      if (!output.trusted) {
        counts.saved += 1;
        continue;
      }
      const raw = (data as { status?: unknown }).status;
      const status = typeof raw === 'string' ? raw : 'queued';
      if (!isTerminal(status)) {
        counts.running += 1;
      } else if (status === 'finished') {
        counts.finished += 1;
      } else if (status === 'failed') {
        counts.failed += 1;
      } else {
        counts.stopped += 1;
      }
    }
  }
  return counts;
}

export function countsText(
  counts: IWorkflowCounts,
  trans: TranslationBundle = nullTranslator.load('jupyterlab_escape')
): string {
  const parts = [
    trans._n('%1 running', '%1 running', counts.running),
    trans._n('%1 finished', '%1 finished', counts.finished),
    trans._n('%1 failed', '%1 failed', counts.failed),
    trans._n('%1 stopped', '%1 stopped', counts.stopped),
    trans._n('%1 saved status', '%1 saved statuses', counts.saved)
  ].filter(
    (_, i) =>
      [
        counts.running,
        counts.finished,
        counts.failed,
        counts.stopped,
        counts.saved
      ][i] > 0
  );
  return parts.length ? trans.__('REANA: %1', parts.join(' · ')) : '';
}

class WorkflowCount extends ReactWidget {
  constructor(
    private readonly panel: NotebookPanel,
    private readonly trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-escape-Workflows-Count');
    void panel.context.ready.then(() => {
      const model = panel.model;
      model?.contentChanged.connect(() => this.update());
      // Trusting the notebook changes no content: follow each cell's trust too.
      const followTrust = () => {
        const cells = model?.cells;
        for (let i = 0; i < (cells?.length ?? 0); i++) {
          const cell = cells!.get(i);
          if (!this._followed.has(cell)) {
            this._followed.add(cell);
            cell.stateChanged.connect((_, change) => {
              if (change.name === 'trusted') {
                this.update();
              }
            });
          }
        }
      };
      model?.cells.changed.connect(followTrust);
      followTrust();
      this.update();
    });
  }

  render(): JSX.Element {
    const { trans } = this;
    const counts = countWorkflows(this.panel.model);
    return (
      <span
        className="jp-escape-Workflows-Count-text"
        title={
          counts.saved
            ? trans.__(
                'REANA workflows launched from this notebook. Saved statuses come from an untrusted notebook and are not refreshed: trust the notebook to follow them.'
              )
            : trans.__('REANA workflows launched from this notebook')
        }
        aria-label={trans.__('REANA workflows of this notebook')}
      >
        {countsText(counts, trans)}
      </span>
    );
  }

  private _followed = new WeakSet<object>();
}

/** The notebook toolbar item: how many workflows launched from this notebook run, and how
 * the others ended. */
export class WorkflowCountExtension implements DocumentRegistry.IWidgetExtension<
  NotebookPanel,
  INotebookModel
> {
  constructor(
    private readonly trans: TranslationBundle = nullTranslator.load(
      'jupyterlab_escape'
    )
  ) {}

  createNew(panel: NotebookPanel): IDisposable {
    const widget = new WorkflowCount(panel, this.trans);
    panel.toolbar.insertAfter('cellType', 'escape-workflows-count', widget);
    return widget;
  }
}
