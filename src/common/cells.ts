/** Putting a cell into the active notebook: shared by the slices that write cells. */
import { INotebookTracker, NotebookActions } from '@jupyterlab/notebook';

/** Insert below the active cell (or fill it when it is empty); false without a notebook. */
export function insertCell(
  tracker: Pick<INotebookTracker, 'currentWidget'>,
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
