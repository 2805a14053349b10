import { act, fireEvent, render, screen } from '@testing-library/react';
import * as React from 'react';

import { WorkflowDetail } from '../components/WorkflowDetail';
import { WorkflowModel } from '../model';
import { fakeApi, logDelta, until, workflow } from './fakeApi';

/** #21: any file of a run's workspace can be downloaded and opened, not only declared outputs. */
describe('the Workspace tab', () => {
  it('downloads one undeclared file, then opens it', async () => {
    const downloadOutputs = jest.fn(async () => ({
      folder: 'reana/fit.1',
      files: ['reana/fit.1/logs/debug.txt'],
      missing: [],
      renamed: [],
      skipped: [],
      message: 'Downloaded into reana/fit.1/'
    }));
    const api = fakeApi({
      get: async () => workflow('finished'),
      logs: async () => logDelta('', 'c'),
      specification: async () => ({
        files: ['results/fit.json'],
        directories: [],
        parameters: {},
        specification: {}
      }),
      files: async () => ({
        items: [
          {
            name: 'logs/debug.txt',
            size: 12,
            size_human: '12 Bytes',
            modified: '2026-11-22T10:00:00Z'
          }
        ],
        total: 1
      }),
      downloadOutputs: downloadOutputs as any
    });
    const model = new WorkflowModel('w-1', { api, intervalMs: 10 });
    const openFile = jest.fn();
    model.showTab('files');
    render(
      <WorkflowDetail
        model={model}
        actions={{
          remove: async () => true,
          restart: async () => undefined,
          openFile,
          logsUrl: '/log',
          reanaUrl: null
        }}
      />
    );
    const download = await screen.findByRole('button', {
      name: 'Download logs/debug.txt'
    });
    await act(async () => {
      fireEvent.click(download);
    });
    await until(() => downloadOutputs.mock.calls.length > 0);
    expect(downloadOutputs).toHaveBeenCalledWith('w-1', undefined, [
      'logs/debug.txt'
    ]);
    const open = await screen.findByRole('button', { name: 'Open' });
    fireEvent.click(open);
    expect(openFile).toHaveBeenCalledWith('reana/fit.1/logs/debug.txt');
    model.dispose();
  });
});
