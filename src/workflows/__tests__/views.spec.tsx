import { act, fireEvent, render, screen, within } from '@testing-library/react';
import * as React from 'react';

import { WorkflowDetail } from '../components/WorkflowDetail';
import { WorkflowsPanel } from '../components/WorkflowsPanel';
import { WorkflowListModel, WorkflowModel } from '../model';
import { fakeApi, logDelta, until, workflow } from './fakeApi';

describe('WorkflowsPanel', () => {
  it('lists runs with run number, status badge and progress, and filters by status', async () => {
    const api = fakeApi({
      list: async () => ({
        items: [
          workflow('running', { id: 'a', full_name: 'fit.2', run_number: '2' }),
          workflow('failed', { id: 'b', full_name: 'fit.1' })
        ],
        total: 2,
        has_next: false
      })
    });
    const model = new WorkflowListModel({ api, intervalMs: 60_000 });
    const opened = jest.fn();
    render(
      <WorkflowsPanel model={model} onOpen={opened} onSubmit={jest.fn()} />
    );
    await act(() => model.start());
    const list = await screen.findByRole('list', { name: 'Workflows' });
    const running = await within(list).findByRole('button', {
      name: 'fit.2 running'
    });
    expect(running.textContent).toContain('#2');
    expect(running.textContent).toContain('0/2 jobs · fit');
    expect(
      within(list).getByRole('button', { name: 'fit.1 failed' })
    ).toBeTruthy();
    fireEvent.click(running);
    expect(opened).toHaveBeenCalledWith('a');

    const filters = screen.getByRole('group', { name: 'Filter by status' });
    await act(async () => {
      fireEvent.click(within(filters).getByRole('button', { name: 'failed' }));
    });
    expect(
      within(filters)
        .getByRole('button', { name: 'failed' })
        .getAttribute('aria-pressed')
    ).toBe('true');
    await until(() =>
      (api.list as jest.Mock).mock.calls.some(c => c[1].join() === 'failed')
    );
    model.dispose();
  });
});

describe('WorkflowDetail', () => {
  const spec = {
    files: ['results/fit.json'],
    directories: ['plots'],
    parameters: { events: '42' },
    specification: { workflow: { type: 'serial' } }
  };

  it('offers Stop only while running, then downloads outputs and opens them', async () => {
    let status: 'running' | 'finished' = 'running';
    const api = fakeApi({
      get: async () => workflow(status),
      logs: async () => logDelta('', 'c'),
      specification: async () => spec,
      downloadOutputs: async () => ({
        folder: 'reana/fit.1',
        files: ['reana/fit.1/results/fit.json'],
        missing: [],
        renamed: [],
        skipped: [],
        message: 'Downloaded into reana/fit.1/'
      })
    });
    const model = new WorkflowModel('w-1', { api, intervalMs: 10 });
    const openFile = jest.fn();
    render(
      <WorkflowDetail
        model={model}
        actions={{
          remove: async () => true,
          restart: async () => undefined,
          openFile,
          logsUrl: '/escape/workflows/workflows/w-1/logs/download',
          reanaUrl: 'https://reana.example/details/w-1'
        }}
      />
    );
    await act(() => model.start());
    await screen.findByRole('button', { name: 'Stop' });
    expect(
      screen.getByRole('button', { name: 'Download outputs' })
    ).toHaveProperty('disabled', true);
    expect(
      screen.getByRole('link', { name: 'Open workspace in REANA' })
    ).toHaveProperty('href', 'https://reana.example/details/w-1');

    status = 'finished';
    await until(() => model.workflow?.status === 'finished');
    await until(() => screen.queryByRole('button', { name: 'Stop' }) === null);
    expect(screen.getByLabelText('Restart parameter events')).toHaveProperty(
      'value',
      '42'
    );
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Download outputs' }));
    });
    const link = await screen.findByRole('button', {
      name: 'reana/fit.1/results/fit.json'
    });
    fireEvent.click(link);
    expect(openFile).toHaveBeenCalledWith('reana/fit.1/results/fit.json');
    expect(api.downloadOutputs).toHaveBeenCalledWith('w-1');
    model.dispose();
  });

  it('shows engine and job logs and links their download', async () => {
    const api = fakeApi({
      get: async () => workflow('finished'),
      logs: async () => logDelta('engine says hi\n', 'c'),
      specification: async () => spec
    });
    const model = new WorkflowModel('w-1', { api, intervalMs: 10 });
    render(
      <WorkflowDetail
        model={model}
        actions={{
          remove: async () => true,
          restart: async () => undefined,
          openFile: jest.fn(),
          logsUrl: '/escape/workflows/workflows/w-1/logs/download',
          reanaUrl: null
        }}
      />
    );
    await act(() => model.start());
    await until(() => model.engineLog !== '');
    fireEvent.click(screen.getByRole('tab', { name: 'Logs' }));
    expect((await screen.findByLabelText('Engine log')).textContent).toBe(
      'engine says hi\n'
    );
    const job = screen.getByRole('region', { name: 'Job fit' });
    expect(job.textContent).toContain('python fit.py');
    expect(
      screen.getByRole('link', { name: 'Download logs' }).getAttribute('href')
    ).toBe('/escape/workflows/workflows/w-1/logs/download');
    expect(
      screen.queryByRole('link', { name: 'Open workspace in REANA' })
    ).toBeNull();
    model.dispose();
  });
});
