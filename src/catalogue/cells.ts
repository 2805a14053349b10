/**
 * Putting catalogue content into the active notebook: a rendered markdown cell for citations,
 * a code cell (not run: the user reviews it) for installs.
 */
import { INotebookTracker, NotebookActions } from '@jupyterlab/notebook';

import { IRecordDetail } from './api';

/** Insert below the active cell (or fill it when it is empty); false without a notebook. */
export function insertCell(
  tracker: INotebookTracker,
  kind: 'markdown' | 'code',
  source: string
): boolean {
  const panel = tracker.currentWidget;
  if (!panel) {
    return false;
  }
  const notebook = panel.content;
  const active = notebook.activeCell;
  if (!active || active.model.sharedModel.getSource().trim() !== '') {
    NotebookActions.insertBelow(notebook);
  }
  if (notebook.activeCell?.model.type !== kind) {
    NotebookActions.changeCellType(notebook, kind);
  }
  const cell = notebook.activeCell;
  if (!cell) {
    return false;
  }
  cell.model.sharedModel.setSource(source);
  if (kind === 'markdown' && 'rendered' in cell) {
    (cell as { rendered: boolean }).rendered = true;
  }
  return true;
}

/** Markdown of a citation cell: the formatted reference, and BibTeX when we have it. */
export function citationMarkdown(
  record: IRecordDetail,
  formatted: string,
  bibtex: string | null
): string {
  const lines = [
    `**Software used:** [${record.title}](${record.html_url})` +
      (record.version ? ` (version ${record.version})` : ''),
    '',
    `> ${formatted.replace(/\n+/g, ' ')}`
  ];
  if (bibtex && bibtex !== formatted) {
    lines.push('', '```bibtex', bibtex, '```');
  }
  return lines.join('\n');
}
