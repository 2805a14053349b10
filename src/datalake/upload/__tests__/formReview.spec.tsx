/** The upload dialog after review s3 §16: the summary says each metadata value, the reason an
 * RSE cannot be chosen reads as text (not muted), the names scroll in a box of their own. */
import { nullTranslator } from '@jupyterlab/translation';
import { act, render, screen, waitFor } from '@testing-library/react';
import * as React from 'react';

import { UploadDialogModel } from '../model';
import { UploadForm } from '../UploadForm';
import { fakeUploadApi } from './fakeUploadApi';

const trans = nullTranslator.load('jupyterlab_escape');

describe('the upload dialog after review s3', () => {
  it('says each metadata key with its value, and the reason an RSE is closed as text', async () => {
    const model = new UploadDialogModel({
      api: fakeUploadApi(),
      paths: ['results'],
      debounceMs: 5
    });
    await model.load();
    render(<UploadForm model={model} trans={trans} />);
    act(() => {
      model.addMeta();
      model.setMeta(0, { key: 'datatype', value: 'results' });
    });
    await waitFor(() =>
      expect(screen.getByText('Metadata: datatype = results')).toBeTruthy()
    );
    const why = screen.getByText('account jdoe has no quota here', {
      selector: 'td'
    });
    expect(why.classList.contains('jp-escape-muted')).toBe(false);
    expect(why.classList.contains('jp-escape-Upload-whyNot')).toBe(true);
    // The DID names in a scrolling box of their own, before the summary.
    const names = document.querySelector('.jp-escape-Upload-filesBox table');
    expect(names).not.toBeNull();
    model.dispose();
  });
});
