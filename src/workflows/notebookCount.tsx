import { DocumentRegistry } from '@jupyterlab/docregistry';
import { INotebookModel, NotebookPanel } from '@jupyterlab/notebook';
import { ReactWidget } from '@jupyterlab/ui-components';
import { IDisposable } from '@lumino/disposable';
import * as React from 'react';

import { isTerminal } from './api';
import { IWorkflowOutputData, WORKFLOW_MIME } from './cellOutput';

export interface IWorkflowCounts {
  running: number;
  finished: number;
  failed: number;
  stopped: number;
}

/** How the workflows launched from a notebook stand, from the outputs it holds. */
export function countWorkflows(model: INotebookModel | null): IWorkflowCounts {
  const counts: IWorkflowCounts = {
    running: 0,
    finished: 0,
    failed: 0,
    stopped: 0
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
      const data = outputs.get(j).data[WORKFLOW_MIME] as
        IWorkflowOutputData | undefined;
      if (!data) {
        continue;
      }
      const status = data.status ?? 'queued';
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

export function countsText(counts: IWorkflowCounts): string {
  const parts = (
    [
      ['running', counts.running],
      ['finished', counts.finished],
      ['failed', counts.failed],
      ['stopped', counts.stopped]
    ] as const
  )
    .filter(([, n]) => n > 0)
    .map(([label, n]) => `${n} ${label}`);
  return parts.length ? `REANA: ${parts.join(' · ')}` : '';
}

class WorkflowCount extends ReactWidget {
  constructor(private readonly panel: NotebookPanel) {
    super();
    this.addClass('jp-escape-Workflows-Count');
    panel.context.ready.then(() => {
      panel.model?.contentChanged.connect(() => this.update());
      this.update();
    });
  }

  render(): JSX.Element {
    const text = countsText(countWorkflows(this.panel.model));
    return (
      <span
        className="jp-escape-Workflows-Count-text"
        title="REANA workflows launched from this notebook"
        aria-label="REANA workflows of this notebook"
      >
        {text}
      </span>
    );
  }
}

/** The notebook toolbar item: how many workflows launched from this notebook run, and how
 * the others ended. */
export class WorkflowCountExtension implements DocumentRegistry.IWidgetExtension<
  NotebookPanel,
  INotebookModel
> {
  createNew(panel: NotebookPanel): IDisposable {
    const widget = new WorkflowCount(panel);
    panel.toolbar.insertAfter('cellType', 'escape-workflows-count', widget);
    return widget;
  }
}
