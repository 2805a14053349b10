import {
  ILogDelta,
  ISubmitEvent,
  IValidation,
  IWorkflow,
  ReanaApi,
  reanaApi
} from '../api';

export function workflow(
  status: IWorkflow['status'],
  overrides: Partial<IWorkflow> = {}
): IWorkflow {
  return {
    id: 'w-1',
    name: 'fit',
    run_number: '1',
    full_name: 'fit.1',
    status,
    created: '2026-11-22T10:00:00Z',
    started: status === 'created' ? null : '2026-11-22T10:00:01Z',
    finished: null,
    progress: {
      total: 2,
      finished: status === 'finished' ? 2 : 0,
      running: status === 'running' ? 1 : 0,
      failed: 0,
      current_step: 'fit',
      current_command: null
    },
    size: null,
    ...overrides
  };
}

export const validation: IValidation = {
  path: 'analysis/reana.yaml',
  valid: true,
  issues: [
    {
      path: 'workflow.colour',
      message: "unknown key 'colour' (REANA ignores it)",
      severity: 'warning',
      line: 9,
      column: 3
    }
  ],
  summary: {
    type: 'serial',
    steps: [
      { name: 'fit', environment: 'python', commands: ['python fit.py'] },
      { name: 'plot', environment: 'python', commands: ['python plot.py'] }
    ],
    inputs: {
      files: ['fit.py'],
      directories: ['data'],
      parameters: { events: 100, model: 'gauss' },
      options: {}
    },
    outputs: { files: ['results/fit.json'], directories: ['plots'] },
    workflow_file: null
  },
  inputs: { count: 3, bytes: 2048, files: [], skipped: [] },
  default_name: 'analysis'
};

export function logDelta(append: string, cursor: string): ILogDelta {
  return {
    reset: false,
    workflow_append: append,
    jobs: [
      {
        id: 'j1',
        name: 'fit',
        status: 'running',
        image: 'python',
        command: 'python fit.py',
        started: null,
        finished: null,
        append: `${append}!`
      }
    ],
    cursor
  };
}

export async function* events(
  list: ISubmitEvent[]
): AsyncGenerator<ISubmitEvent> {
  for (const event of list) {
    yield event;
  }
}

/** A ReanaApi whose functions are jest mocks (unimplemented ones throw). */
export function fakeApi(overrides: Partial<ReanaApi> = {}): ReanaApi {
  const api: Record<string, unknown> = {};
  for (const key of Object.keys(reanaApi)) {
    api[key] = jest.fn(() => {
      throw new Error(`${key} not expected`);
    });
  }
  for (const [key, value] of Object.entries(overrides)) {
    api[key] = jest.fn(value as (...args: unknown[]) => unknown);
  }
  return api as unknown as ReanaApi;
}

export const sleep = (ms: number) =>
  new Promise<void>(resolve => setTimeout(resolve, ms));

export async function until(
  check: () => boolean,
  timeout = 2000
): Promise<void> {
  const end = Date.now() + timeout;
  while (!check()) {
    if (Date.now() > end) {
      throw new Error('condition not reached in time');
    }
    await sleep(5);
  }
}
