/**
 * Upload jobs: a started upload is toasted at once, its progress in files and bytes, ending in
 * success with "Show in Data Lake" (the dataset) or error with Retry; the Uploads section lists
 * each job with its files and checksums. The dialog form shows the server's problems as written.
 */
import { nullTranslator } from '@jupyterlab/translation';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import * as React from 'react';

import { INotifier } from '../../../common/jobs';
import { UploadJobs, uploadWords } from '../jobs';
import { UploadDialogModel } from '../model';
import { UploadForm } from '../UploadForm';
import { UploadList } from '../UploadList';
import { fakeUploadApi, uploadDetail, uploadJob } from './fakeUploadApi';

const trans = nullTranslator.load('jupyterlab_escape');

function fakeNotifier() {
  const calls: { kind: string; args: any }[] = [];
  const notifier: INotifier = {
    emit: jest.fn((message, type, options) => {
      calls.push({ kind: 'emit', args: { message, type, options } });
      return 'n1';
    }),
    update: jest.fn(args => {
      calls.push({ kind: 'update', args });
      return true;
    }),
    dismiss: jest.fn()
  };
  return { notifier, calls };
}

describe('upload toasts', () => {
  it('toasts a started upload at once and ends with Show in Data Lake', async () => {
    const running = uploadJob({
      state: 'running',
      files_done: 1,
      items_done: 1,
      bytes_done: 1200
    });
    const done = uploadJob({
      state: 'done',
      files_done: 2,
      items_done: 2,
      bytes_done: 5200,
      files_skipped: 1
    });
    const api = fakeUploadApi({
      list: jest.fn().mockResolvedValueOnce([running]).mockResolvedValue([done])
    });
    const { notifier, calls } = fakeNotifier();
    const shown: string[] = [];
    const jobs = new UploadJobs({
      api,
      trans,
      notifier,
      interval: 5,
      showDid: did => shown.push(did)
    });
    jobs.adopt(uploadJob());
    expect(calls[0].args.message).toBe(
      'Uploading user.jdoe:results to TB_WRITE: 0 of 2 files, 0 B of 5.20 kB'
    );
    await jobs.model.refresh();
    expect(calls[1].args.message).toBe(
      'Uploading user.jdoe:results to TB_WRITE: 1 of 2 files, 1.20 kB of 5.20 kB'
    );
    expect(calls[1].args.progress).toBeCloseTo(1200 / 5200);
    await waitFor(() =>
      expect(calls[calls.length - 1].args.type).toBe('success')
    );
    const ending = calls[calls.length - 1].args;
    expect(ending.message).toBe(
      'Uploaded user.jdoe:results to TB_WRITE: 1 files registered, 1 already there'
    );
    ending.actions[0].callback();
    expect(shown).toEqual(['user.jdoe:results']);
    jobs.dispose();
  });

  it('says a failure in the server words, with Retry', () => {
    const words = uploadWords(trans);
    expect(
      words.failed!(
        uploadJob({
          state: 'failed',
          message:
            'Account jdoe has 0 bytes left of its 10.0 MB quota on TB_WRITE.'
        })
      )
    ).toBe(
      'Upload of user.jdoe:results failed: Account jdoe has 0 bytes left of its 10.0 MB quota on TB_WRITE.'
    );
  });
});

describe('Uploads section', () => {
  it('lists the job and its files with checksums', async () => {
    const api = fakeUploadApi({
      list: jest.fn(async () => [uploadDetail()])
    });
    const jobs = new UploadJobs({ api, trans });
    await jobs.model.refresh();
    const shown: string[] = [];
    render(
      <UploadList
        jobs={jobs}
        trans={trans}
        onShow={did => shown.push(did)}
        onError={() => undefined}
      />
    );
    const item = screen.getByRole('listitem', {
      name: 'Upload of user.jdoe:results'
    });
    expect(item.textContent).toContain('2 of 2 files');
    fireEvent.click(screen.getByRole('button', { name: 'Files' }));
    await screen.findByText(
      'adler32 0a1b2c3d · md5 9e107d9d372bb6826bd81d3542a419d6'
    );
    expect(screen.getByText('already there')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Show in Data Lake' }));
    expect(shown).toEqual(['user.jdoe:results']);
    jobs.dispose();
  });
});

describe('UploadForm', () => {
  it('offers writable RSEs first and disables the others with the reason', async () => {
    const model = new UploadDialogModel({
      api: fakeUploadApi(),
      paths: ['results'],
      debounceMs: 5
    });
    await model.load();
    render(<UploadForm model={model} trans={trans} />);
    const rse = screen.getByLabelText('Destination RSE') as HTMLSelectElement;
    const options = Array.from(rse.options);
    expect(options.map(o => [o.textContent, o.disabled])).toEqual([
      ['TB_WRITE — 9.00 MB free of 10.0 MB', false],
      ['TB_TAPE — account jdoe has no quota here', true]
    ]);
    expect((screen.getByLabelText('Scope') as HTMLSelectElement).value).toBe(
      'user.jdoe'
    );
    expect(
      screen.getByText('New dataset user.jdoe:results holding them')
    ).toBeTruthy();
    expect(document.querySelector('.jp-mod-error')).toBeNull();
  });

  it('shows usage and quota for every RSE offered, the chosen one marked', async () => {
    const model = new UploadDialogModel({
      api: fakeUploadApi(),
      paths: ['results'],
      debounceMs: 5
    });
    await model.load();
    render(<UploadForm model={model} trans={trans} />);
    const table = screen.getByRole('table', {
      name: 'Quota on the RSEs offered'
    });
    const rows = Array.from(table.querySelectorAll('tbody tr')).map(row =>
      Array.from(row.children).map(cell => cell.textContent)
    );
    expect(rows).toEqual([
      ['TB_WRITE', '1.00 MB', '9.00 MB free of 10.0 MB', 'yes'],
      ['TB_TAPE', '0 B', 'no quota', 'account jdoe has no quota here']
    ]);
    expect(table.querySelector('tr[aria-current="true"] th')?.textContent).toBe(
      'TB_WRITE'
    );
    model.dispose();
  });

  it('shows the server problem as written and marks the dialog invalid', async () => {
    const model = new UploadDialogModel({
      api: fakeUploadApi(),
      paths: ['results'],
      debounceMs: 5
    });
    await model.load();
    render(<UploadForm model={model} trans={trans} />);
    fireEvent.change(screen.getByLabelText('Dataset name'), {
      target: { value: 'old' }
    });
    await screen.findByText(
      'The dataset user.jdoe:old exists already; attach to it instead or choose another name.'
    );
    expect(document.querySelector('.jp-mod-error')).not.toBeNull();
    model.dispose();
  });
});
