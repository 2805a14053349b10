import { MainAreaWidget } from '@jupyterlab/apputils';
import type { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

/**
 * The table in the main area; it tells the model whether it is on screen (shown, attached, not
 * behind another tab), so the sidebar does not show the details the table shows beside it.
 */
export class DatalakeTableWidget extends MainAreaWidget {
  constructor(
    options: MainAreaWidget.IOptions<Widget>,
    private _model: { tableShown: boolean }
  ) {
    super(options);
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._model.tableShown = this.isVisible;
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this._model.tableShown = this.isVisible;
  }

  protected onBeforeHide(msg: Message): void {
    super.onBeforeHide(msg);
    this._model.tableShown = false;
  }

  protected onBeforeDetach(msg: Message): void {
    this._model.tableShown = false;
    super.onBeforeDetach(msg);
  }

  dispose(): void {
    this._model.tableShown = false;
    super.dispose();
  }
}
