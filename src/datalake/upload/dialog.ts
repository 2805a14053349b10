/**
 * The upload dialog: JupyterLab's Dialog around `UploadForm`, whose Upload button starts the job
 * from inside the dialog (a refusal is shown there, the choices kept) and is disabled while the
 * plan has problems or is being checked.
 */
import { Dialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IUploadJob } from './api';
import { UploadDialogModel } from './model';
import { UploadForm } from './UploadForm';

class UploadDialog extends Dialog<void> {
  constructor(
    options: Partial<Dialog.IOptions<void>>,
    private readonly _model: UploadDialogModel,
    private readonly _buttonList: readonly Dialog.IButton[]
  ) {
    super(options);
    _model.changed.connect(() => this._checkValidation(), this);
  }

  /** Upload starts the job and closes only once the server took it; Cancel closes at once. */
  resolve(index?: number): void {
    const at = index ?? this._buttonList.length - 1;
    const button = this._buttonList[at];
    if (!button?.accept) {
      super.resolve(at);
      return;
    }
    if (!this._model.canStart && !this._model.starting) {
      return;
    }
    void this._model.start().then(job => {
      if (job && !this.isDisposed) {
        // Closed, not accepted: the Dialog refuses an accept while its validation marker
        // (still rendered for the start in flight) is there; the job is the model's anyway.
        this.reject();
      }
    });
  }
}

/** Show the dialog; the started job, or null when cancelled. */
export async function showUploadDialog(
  model: UploadDialogModel,
  trans: TranslationBundle,
  note?: string
): Promise<IUploadJob | null> {
  const buttons = [
    Dialog.cancelButton(),
    Dialog.okButton({ label: trans.__('Upload') })
  ];
  const body = ReactWidget.create(
    React.createElement(
      React.Fragment,
      null,
      React.createElement(UploadForm, { model, trans }),
      note
        ? React.createElement('p', { className: 'jp-escape-muted' }, note)
        : null
    )
  );
  body.addClass('jp-escape-Upload-body');
  const dialog = new UploadDialog(
    {
      title: trans.__('Upload to the Data Lake'),
      body,
      buttons,
      defaultButton: 1,
      focusNodeSelector: 'select'
    },
    model,
    buttons
  );
  dialog.addClass('jp-escape-Upload-dialog');
  void model.load();
  try {
    await dialog.launch();
    return model.started;
  } finally {
    model.dispose();
  }
}
