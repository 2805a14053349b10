/**
 * "Fetch to…" checks the typed folder with the server's rule while the dialog is open: the
 * refusal is said inline and Fetch stays disabled; the path shown is the server's.
 */
import { Dialog, Notification, ReactWidget } from '@jupyterlab/apputils';
import { dismissDialog, waitForDialog } from '@jupyterlab/testutils';
import { nullTranslator } from '@jupyterlab/translation';
import { fireEvent, waitFor } from '@testing-library/react';
import * as React from 'react';

import { EscapeRequestError } from '../../request';
import { FetchDialogBody } from '../components/FetchDialog';
import { FetchActions, IFetchDeps } from '../fetchActions';
import { IFetchCheck } from '../fetchApi';
import { job } from './fakeFetchApi';

const trans = nullTranslator.load('jupyterlab_escape');
const DID = 'escape_cta:gamma_1.h5';
const REFUSAL =
  "Refused to write to '../../etc': the destination must stay inside the workspace.";

/** The server's check: refuses `..` and hidden parts, answers where the DID lands otherwise. */
function fakeCheck() {
  return jest.fn(async (dest: string | undefined): Promise<IFetchCheck> => {
    const folder = dest || 'datalake';
    if (folder.split('/').some(part => part.startsWith('.'))) {
      throw new EscapeRequestError(400, 'bad_path', REFUSAL);
    }
    return {
      dest: folder,
      paths: [{ did: DID, path: `${folder}/escape_cta/gamma_1.h5` }]
    };
  });
}

function dialogParts() {
  const node = document.querySelector('.jp-Dialog') as HTMLElement;
  const input = node.querySelector('input') as HTMLInputElement;
  const accept = node.querySelector(
    'button.jp-mod-accept'
  ) as HTMLButtonElement;
  return { node, input, accept };
}

afterEach(async () => {
  await dismissDialog();
  jest.restoreAllMocks();
});

describe('Fetch to… destination', () => {
  it('says a refused folder inline and disables Fetch; debounced; the server path otherwise', async () => {
    const check = fakeCheck();
    const dialog = new Dialog({
      title: 'Fetch to…',
      body: ReactWidget.create(
        <FetchDialogBody
          dids={[DID]}
          fetchDir="datalake"
          trans={trans}
          check={(dest, signal) => check(dest || undefined)}
          onChange={() => undefined}
          debounceMs={20}
        />
      ),
      buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Fetch' })]
    });
    const shown = dialog.launch();
    await waitForDialog();
    await waitFor(() =>
      expect(dialogParts().node.textContent).toContain(
        'Lands in datalake/escape_cta/gamma_1.h5'
      )
    );
    expect(dialogParts().accept.disabled).toBe(false);

    // Typed one key at a time: one check, for what stands when typing pauses.
    check.mockClear();
    for (const value of ['.', '..', '../', '../../etc']) {
      fireEvent.change(dialogParts().input, { target: { value } });
    }
    // Until the server answers, Fetch waits.
    expect(dialogParts().accept.disabled).toBe(true);
    await waitFor(() =>
      expect(dialogParts().node.textContent).toContain(REFUSAL)
    );
    expect(check).toHaveBeenCalledTimes(1);
    expect(check).toHaveBeenCalledWith('../../etc');
    const { node, input, accept } = dialogParts();
    expect(accept.disabled).toBe(true);
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(node.querySelector('[role="alert"]')!.textContent).toBe(REFUSAL);
    // Never a preview of the refused place.
    expect(node.textContent).not.toContain('Lands in ../../etc');

    fireEvent.change(dialogParts().input, { target: { value: 'results' } });
    await waitFor(() =>
      expect(dialogParts().node.textContent).toContain(
        'Lands in results/escape_cta/gamma_1.h5'
      )
    );
    expect(dialogParts().accept.disabled).toBe(false);
    dialog.reject();
    await shown;
  });

  it('starts nothing for a refused folder, Enter included', async () => {
    const check = fakeCheck();
    const start = jest.fn(async () => job());
    const error = jest.spyOn(Notification, 'error');
    const deps = {
      app: {},
      browse: {
        state: { instance: 'tb' },
        whoami: { fetch: { fetch_dir: 'datalake' } },
        clearChecked: jest.fn()
      },
      fetches: {
        check: (dids: string[], dest?: string) => check(dest),
        start
      },
      tracker: null,
      trans
    } as unknown as IFetchDeps;
    const done = new FetchActions(deps).fetchTo([DID]);
    await waitForDialog();
    await waitFor(() => expect(dialogParts().input).toBeTruthy());
    fireEvent.change(dialogParts().input, { target: { value: '../../etc' } });
    await waitFor(() =>
      expect(dialogParts().node.textContent).toContain(REFUSAL)
    );
    // JupyterLab's Dialog refuses to accept while it holds an error: Enter does nothing.
    dialogParts().node.dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })
    );
    await new Promise(resolve => setTimeout(resolve, 50));
    expect(document.querySelector('.jp-Dialog')).not.toBeNull();
    expect(start).not.toHaveBeenCalled();
    await dismissDialog();
    await done;
    expect(start).not.toHaveBeenCalled();
    expect(error).not.toHaveBeenCalled();
  });
});
