/**
 * A workflow status output in an untrusted notebook (crafted by anyone) is drawn as the static
 * status it says, labelled as not live: no request to our server, no change to the notebook.
 * Rendered through JupyterLab's own OutputArea and rendermime, so the trust decision is theirs.
 */
import { OutputArea, OutputAreaModel } from '@jupyterlab/outputarea';
import { defaultRenderMime } from '@jupyterlab/testutils';
import { Widget } from '@lumino/widgets';

import { ReanaApi, reanaApi } from '../api';
import {
  IWorkflowOutputData,
  outputBundle,
  savedStatus,
  WORKFLOW_MIME,
  workflowRendererFactory
} from '../cellOutput';
import { logDelta, sleep, until, workflow } from './fakeApi';

/** An API where every call is counted (and answers like a running workflow). */
function countingApi(): { api: ReanaApi; calls: () => number } {
  const api: Record<string, jest.Mock> = {};
  for (const key of Object.keys(reanaApi)) {
    api[key] = jest.fn(async () => undefined);
  }
  api.get = jest.fn(async () => workflow('finished'));
  api.logs = jest.fn(async () => logDelta('', 'c'));
  api.logsDownloadUrl = jest.fn(() => '/escape/workflows/workflows/x/logs');
  const calls = () =>
    Object.values(api).reduce((n, fn) => n + fn.mock.calls.length, 0);
  return { api: api as unknown as ReanaApi, calls };
}

const CRAFTED: IWorkflowOutputData = {
  id: 'victims-workflow-id',
  name: 'someone-elses-analysis',
  run_number: '7',
  status: 'running',
  snapshot: {
    ...workflow('running'),
    progress: {
      total: 4,
      finished: 1,
      running: 1,
      failed: 0,
      current_step: 'fit',
      current_command: null
    }
  }
};

function outputArea(trusted: boolean, data: unknown) {
  const { api, calls } = countingApi();
  const rendermime = defaultRenderMime();
  rendermime.addFactory(
    workflowRendererFactory({
      api,
      intervalMs: 10,
      openWorkflow: jest.fn(),
      openPath: jest.fn(),
      // Always on screen: the live renderer would poll at once.
      observe: (_node, onChange) => {
        onChange(true);
        return () => undefined;
      }
    })
  );
  const model = new OutputAreaModel({
    trusted,
    values: [
      {
        output_type: 'display_data',
        data: (typeof data === 'object' &&
        data !== null &&
        WORKFLOW_MIME in data
          ? data
          : { [WORKFLOW_MIME]: data, 'text/plain': 'x' }) as any,
        metadata: {}
      }
    ]
  });
  const changes = jest.fn();
  model.changed.connect(changes);
  const area = new OutputArea({ model, rendermime });
  Widget.attach(area, document.body);
  return {
    area,
    model,
    calls,
    changes,
    done: () => {
      Widget.detach(area);
      area.dispose();
      model.dispose();
    }
  };
}

describe('a workflow status output in an untrusted notebook', () => {
  it('shows what it says, not live, and asks the server nothing', async () => {
    const { area, model, calls, changes, done } = outputArea(
      false,
      outputBundle(CRAFTED)
    );
    await until(() => (area.node.textContent ?? '').includes('Saved status'));
    await sleep(100);
    const text = area.node.textContent ?? '';
    expect(text).toContain(
      'Saved status (notebook not trusted): not refreshed.'
    );
    expect(text).toContain('someone-elses-analysis.7');
    expect(text).toContain('running');
    expect(text).toContain('1/4 jobs · fit');
    expect(calls()).toBe(0);
    // No link to the logs, no button that would ask for the workflow.
    expect(area.node.querySelector('a')).toBeNull();
    expect(area.node.querySelector('button')).toBeNull();
    // The notebook is untouched: the output is what the file holds.
    expect(changes).not.toHaveBeenCalled();
    expect(model.get(0).data[WORKFLOW_MIME]).toEqual(CRAFTED);
    done();
  });

  it('goes live once trusted, as before', async () => {
    const { area, model, calls, done } = outputArea(
      true,
      outputBundle(CRAFTED)
    );
    await until(() => calls() > 0);
    await until(
      () =>
        (model.get(0).data[WORKFLOW_MIME] as unknown as IWorkflowOutputData)
          .status === 'finished'
    );
    expect(area.node.textContent).not.toContain('Saved status');
    done();
  });

  it('survives any shape of crafted data without rendering anything active', async () => {
    for (const data of [
      null,
      'a string',
      { name: { toString: 1 }, run_number: [], status: 5 },
      { snapshot: { progress: { total: 'all', finished: -3 } } }
    ]) {
      const { area, calls, done } = outputArea(false, data);
      await until(() => (area.node.textContent ?? '').includes('Saved status'));
      expect(calls()).toBe(0);
      done();
    }
    expect(savedStatus({ name: 'n'.repeat(10_000), status: 3 })).toEqual({
      name: 'n'.repeat(200),
      run: '?',
      status: '3',
      total: 0,
      finished: 0,
      step: null
    });
  });
});
