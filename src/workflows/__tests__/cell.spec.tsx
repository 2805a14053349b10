import { NotebookModel } from '@jupyterlab/notebook';
import { Widget } from '@lumino/widgets';

import { EscapeRequestError } from '../../request';
import { isReanaSource } from '../cell';
import { ReanaApi } from '../api';
import {
  IWorkflowOutputData,
  textSummary,
  WORKFLOW_MIME,
  WorkflowOutput
} from '../cellOutput';
import { baseName, cellRequest, submitCell } from '../cellPlugin';
import { countsText, countWorkflows } from '../notebookCount';
import { events, fakeApi, logDelta, sleep, until, workflow } from './fakeApi';

describe('%%reana cells', () => {
  it('recognises a %%reana code cell; the server reads its options', () => {
    expect(isReanaSource('  %%reana -n fit\nversion: 0.9.0\n')).toBe(true);
    expect(isReanaSource('version: 0.9.0')).toBe(false);
  });

  it('submits through the launcher pipeline with the notebook folder as base', async () => {
    const api = fakeApi({
      submit: () =>
        events([
          { stage: 'validated' },
          { stage: 'uploading', files_done: 1, files_total: 2 },
          {
            stage: 'started',
            workflow_id: 'w-9',
            workflow_name: 'fit.3',
            run_number: '3',
            status: 'queued'
          }
        ])
    });
    const seen: string[] = [];
    const data = await submitCell(
      '%%reana -n fit -p events=5\nversion: 0.9.0\n',
      'analysis/nb/run.ipynb',
      { api, key: 'key-12345678', onEvent: e => seen.push(e.stage) }
    );
    expect(data).toEqual({
      id: 'w-9',
      name: 'fit',
      run_number: '3',
      status: 'queued'
    });
    expect(seen).toEqual(['validated', 'uploading', 'started']);
    // The cell goes as written: the server is the one parser of the %%reana line.
    expect((api.submit as jest.Mock).mock.calls[0][0]).toEqual({
      cell: '%%reana -n fit -p events=5\nversion: 0.9.0\n',
      base: 'analysis/nb',
      idempotency_key: 'key-12345678'
    });
    expect(baseName('a.b.7', '7')).toBe('a.b');
    expect(cellRequest('version: 1', 'top.ipynb', 'k')).toEqual({
      cell: 'version: 1',
      base: '',
      idempotency_key: 'k'
    });
  });

  it('passes the server message of an invalid spec on, with its line', async () => {
    const api = fakeApi({
      submit: () => {
        throw new EscapeRequestError(
          400,
          'reana_invalid_spec',
          'nb/<cell> cannot be submitted:  YAML syntax error (line 3).'
        );
      }
    });
    await expect(
      submitCell('%%reana\nversion: 0.9.0\nworkflow: a: b\n', 'nb/x.ipynb', {
        api
      })
    ).rejects.toThrow('(line 3)');
  });

  it('shows the server message of a bad %%reana line as written', async () => {
    const message =
      "%%reana: unknown option '--bogus'; use -n NAME, -p KEY=VALUE, --wait.";
    const api = fakeApi({
      submit: () => {
        throw new EscapeRequestError(400, 'reana_bad_cell', message);
      }
    });
    await expect(
      submitCell('%%reana --bogus\nversion: 0.9.0\n', 'x.ipynb', { api })
    ).rejects.toThrow(message);
    expect((api.submit as jest.Mock).mock.calls[0][0].cell).toBe(
      '%%reana --bogus\nversion: 0.9.0\n'
    );
  });
});

function mimeModel(data: IWorkflowOutputData) {
  const model = {
    data: { [WORKFLOW_MIME]: data } as Record<string, any>,
    metadata: {},
    trusted: true,
    setData: jest.fn((options: { data?: Record<string, any> }) => {
      model.data = options.data ?? model.data;
    })
  };
  return model;
}

/** A status output, attached, whose visibility the test controls. */
function makeOutput(api: ReanaApi, seen: boolean) {
  let show: (visible: boolean) => void = () => undefined;
  const renderer = new WorkflowOutput({
    api,
    intervalMs: 10,
    openWorkflow: jest.fn(),
    openPath: jest.fn(),
    observe: (_node, onChange) => {
      show = onChange;
      if (seen) {
        onChange(true);
      }
      return () => undefined;
    }
  });
  Widget.attach(renderer, document.body);
  return {
    renderer,
    setVisible: (visible: boolean) => show(visible),
    done: () => {
      Widget.detach(renderer);
      renderer.dispose();
    }
  };
}

describe('the live status output', () => {
  const queued: IWorkflowOutputData = {
    id: 'w-1',
    name: 'fit',
    run_number: '1',
    status: 'queued'
  };

  it('polls while visible, stops on a terminal state and stores it in the output', async () => {
    const statuses = ['running', 'finished'] as const;
    let call = 0;
    const api = fakeApi({
      get: async () => workflow(statuses[Math.min(call++, 1)]),
      logs: async () => logDelta('step fit: 10%\n', 'c'),
      logsDownloadUrl: () => '/log'
    });
    const { renderer, setVisible, done } = makeOutput(api, true);
    const model = mimeModel(queued);
    await renderer.renderModel(model as any);
    await until(() => model.setData.mock.calls.length > 0);
    const stored = model.data[WORKFLOW_MIME] as IWorkflowOutputData;
    expect(stored.status).toBe('finished');
    expect(stored.snapshot?.progress.finished).toBe(2);
    expect(model.data['text/plain']).toBe(
      'REANA workflow fit.1: finished (2/2 jobs)'
    );
    const calls = (api.get as jest.Mock).mock.calls.length;
    setVisible(true);
    await sleep(60);
    expect((api.get as jest.Mock).mock.calls.length).toBe(calls);
    expect(renderer.model?.poll.state.phase).toBe('stopped');
    done();
  });

  it('asks nothing while scrolled away, and resumes when seen again', async () => {
    const api = fakeApi({
      get: async () => workflow('running'),
      logs: async () => logDelta('', 'c'),
      logsDownloadUrl: () => '/log'
    });
    const { renderer, setVisible, done } = makeOutput(api, false);
    await renderer.renderModel(mimeModel(queued) as any);
    await sleep(60);
    // Never seen: not a single request.
    const unseen = (api.get as jest.Mock).mock.calls.length;
    expect(unseen).toBe(0);
    await sleep(60);
    expect((api.get as jest.Mock).mock.calls.length).toBe(unseen);
    setVisible(true);
    await until(() => (api.get as jest.Mock).mock.calls.length > unseen + 1);
    setVisible(false);
    await sleep(30);
    const hidden = (api.get as jest.Mock).mock.calls.length;
    await sleep(80);
    expect((api.get as jest.Mock).mock.calls.length).toBe(hidden);
    done();
  });

  it('shows a stored final state without any request', async () => {
    const api = fakeApi({ logsDownloadUrl: () => '/log' });
    const { renderer, done } = makeOutput(api, true);
    const ended: IWorkflowOutputData = {
      ...queued,
      status: 'finished',
      snapshot: workflow('finished')
    };
    await renderer.renderModel(mimeModel(ended) as any);
    await sleep(30);
    expect(renderer.node.textContent).toContain('finished');
    expect(renderer.node.textContent).toContain('2/2 jobs');
    expect(renderer.node.textContent).toContain(
      'Download outputs into workspace'
    );
    expect(api.get as jest.Mock).not.toHaveBeenCalled();
    expect(textSummary(ended)).toBe(
      'REANA workflow fit.1: finished (2/2 jobs)'
    );
    done();
  });

  it('shows the server message when the workflow cannot be read', async () => {
    const api = fakeApi({
      get: async () => {
        throw new EscapeRequestError(
          401,
          'reana_unauthorized',
          'REANA refused the access token configured on the server.'
        );
      },
      logsDownloadUrl: () => '/log'
    });
    const { renderer, done } = makeOutput(api, true);
    await renderer.renderModel(mimeModel(queued) as any);
    await until(() =>
      (renderer.node.textContent ?? '').includes(
        'REANA refused the access token'
      )
    );
    done();
  });
});

describe('the notebook toolbar count', () => {
  function notebook(statuses: (string | null)[][], trusted = true): any {
    const cells = statuses.map(outs => ({
      type: 'code',
      outputs: {
        length: outs.length,
        get: (j: number) => ({
          trusted,
          data:
            outs[j] === null
              ? { 'text/plain': 'hello' }
              : { [WORKFLOW_MIME]: { id: `w${j}`, status: outs[j] } }
        })
      }
    }));
    cells.push({ type: 'markdown', outputs: undefined as any });
    return { cells: { length: cells.length, get: (i: number) => cells[i] } };
  }

  it('counts running and ended workflows from the outputs', () => {
    const counts = countWorkflows(
      notebook([['queued', null], ['running'], ['finished', 'failed'], []])
    );
    expect(counts).toEqual({
      running: 2,
      finished: 1,
      failed: 1,
      stopped: 0,
      saved: 0
    });
    expect(countsText(counts)).toBe('REANA: 2 running · 1 finished · 1 failed');
    expect(countsText(countWorkflows(notebook([[null]])))).toBe('');
    expect(countsText(countWorkflows(null))).toBe('');
  });

  it('never counts an untrusted output as running: it is a saved status', () => {
    const counts = countWorkflows(
      notebook([['running'], ['finished', 'failed']], false)
    );
    expect(counts).toEqual({
      running: 0,
      finished: 0,
      failed: 0,
      stopped: 0,
      saved: 3
    });
    expect(countsText(counts)).toBe('REANA: 3 saved statuses');
  });

  it('says "saved status" for a stale output of an untrusted notebook until it is trusted', () => {
    const model = new NotebookModel();
    model.fromJSON({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        {
          cell_type: 'code',
          id: 'c1',
          source: '%%reana\nversion: 0.9.0',
          metadata: {},
          execution_count: 1,
          outputs: [
            {
              output_type: 'display_data',
              metadata: {},
              data: {
                [WORKFLOW_MIME]: {
                  id: 'someone-elses',
                  name: 'fit',
                  run_number: '1',
                  status: 'running'
                },
                'text/plain': 'REANA workflow fit.1: running'
              } as any
            }
          ]
        }
      ]
    });
    expect(model.cells.get(0).trusted).toBe(false);
    expect(countsText(countWorkflows(model))).toBe('REANA: 1 saved status');
    model.cells.get(0).trusted = true;
    expect(countsText(countWorkflows(model))).toBe('REANA: 1 running');
  });
});
