import { Widget } from '@lumino/widgets';
import { act, fireEvent, render, screen } from '@testing-library/react';
import * as React from 'react';

import { WORKFLOW_MIME, WorkflowOutput } from '../cellOutput';
import { WorkflowDetail } from '../components/WorkflowDetail';
import { WorkflowModel } from '../model';
import { fakeApi, logDelta, sleep, workflow } from './fakeApi';

/** #21: a cell's "Full log" opens the workflow on its Logs tab (it downloaded a raw file). */
describe('Full log', () => {
  it("the cell's Full log asks for the workflow's Logs tab", async () => {
    const openWorkflow = jest.fn();
    const renderer = new WorkflowOutput({
      api: fakeApi({ logsDownloadUrl: () => '/log' }),
      openWorkflow,
      openPath: jest.fn(),
      observe: () => () => undefined
    });
    Widget.attach(renderer, document.body);
    await renderer.renderModel({
      data: {
        [WORKFLOW_MIME]: {
          id: 'w-1',
          name: 'fit',
          run_number: '1',
          status: 'finished',
          snapshot: workflow('finished')
        }
      },
      metadata: {},
      trusted: true,
      setData: jest.fn()
    } as any);
    await sleep(10);
    const button = [...renderer.node.querySelectorAll('button')].find(
      b => b.textContent === 'Full log'
    );
    expect(button).toBeTruthy();
    fireEvent.click(button!);
    expect(openWorkflow).toHaveBeenCalledWith('w-1', 'logs');
    Widget.detach(renderer);
    renderer.dispose();
  });

  it('the workflow view shows the tab asked for, also when already open', async () => {
    const api = fakeApi({
      get: async () => workflow('finished'),
      logs: async () => logDelta('engine says hi\n', 'c'),
      specification: async () => ({
        files: [],
        directories: [],
        parameters: {},
        specification: {}
      })
    });
    const model = new WorkflowModel('w-1', { api, intervalMs: 10 });
    model.showTab('logs');
    render(
      <WorkflowDetail
        model={model}
        actions={{
          remove: async () => true,
          restart: async () => undefined,
          openFile: jest.fn(),
          logsUrl: '/log',
          reanaUrl: null
        }}
      />
    );
    const selected = () =>
      screen
        .getAllByRole('tab')
        .filter(t => t.getAttribute('aria-selected') === 'true')
        .map(t => t.textContent);
    expect(selected()).toEqual(['Logs']);
    fireEvent.click(screen.getByRole('tab', { name: 'Overview' }));
    expect(selected()).toEqual(['Overview']);
    act(() => model.showTab('logs'));
    expect(selected()).toEqual(['Logs']);
    model.dispose();
  });
});
