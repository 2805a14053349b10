/**
 * #21: a run's state reaches the detail view and the sidebar within one poll of the change.
 * The fake server moves a run through REANA's states (created, queued, running, finished) as
 * the REANA stand-in does; the tests count polls and state transitions, never wall time.
 */
import { IWorkflow } from '../api';
import { WorkflowListModel, WorkflowModel } from '../model';
import { fakeApi, logDelta, sleep, until, workflow } from './fakeApi';

/** A REANA whose runs change state when the test says so; it counts every request. */
function server() {
  const runs = new Map<string, IWorkflow['status']>([['w-1', 'queued']]);
  const api = fakeApi({
    list: jest.fn(async () => ({
      items: [...runs].map(([id, status]) => workflow(status, { id })),
      total: runs.size,
      has_next: false
    })) as any,
    get: jest.fn(async (id: string) => workflow(runs.get(id)!, { id })) as any,
    logs: jest.fn(async () => logDelta('', 'c')) as any
  });
  return { runs, api };
}

// Intervals far longer than a test: every poll is one the test asks for (refresh), so counts
// are exact.
const LONG = 3_600_000;

const calls = (fn: unknown) => (fn as jest.Mock).mock.calls.length;

async function started(list: WorkflowListModel): Promise<void> {
  await list.start();
  await until(() => list.loaded);
}

describe('one state for every view', () => {
  it('the sidebar shows what the detail view read, with no poll of its own', async () => {
    const { runs, api } = server();
    const list = new WorkflowListModel({ api, intervalMs: LONG });
    const detail = new WorkflowModel('w-1', { api, intervalMs: LONG });
    await started(list);
    await detail.start();
    await until(() => detail.workflow !== null);
    const listed = calls(api.list);
    const seen: string[] = [];
    list.stateChanged.connect(() => seen.push(list.items[0].status!));

    for (const status of ['running', 'finished'] as const) {
      runs.set('w-1', status);
      const before = calls(api.get);
      void detail.refresh(); // one poll of the detail view after the change
      await until(() => detail.workflow?.status === status);
      expect(calls(api.get)).toBe(before + 1);
      expect(list.items[0].status).toBe(status);
    }
    // Each change reached the sidebar exactly once, in order, without a list request.
    expect(seen).toEqual(['running', 'finished']);
    expect(calls(api.list)).toBe(listed);
    list.dispose();
    detail.dispose();
  });

  it('alone, the sidebar shows a change at its first poll after it', async () => {
    const { runs, api } = server();
    const list = new WorkflowListModel({ api, intervalMs: LONG });
    await started(list);
    expect(list.items[0].status).toBe('queued');
    runs.set('w-1', 'running');
    void list.refresh();
    await until(() => calls(api.list) === 2);
    await until(() => list.items[0].status === 'running');
    await sleep(20);
    expect(calls(api.list)).toBe(2);
    list.dispose();
  });

  it('a run launched elsewhere (a cell) is listed as soon as a view reads it', async () => {
    const { runs, api } = server();
    runs.set('w-1', 'finished');
    const list = new WorkflowListModel({ api, intervalMs: LONG });
    await started(list);
    // Everything is over: the list slowed down to a quarter of its pace.
    expect(list.poll.frequency.interval).toBe(4 * LONG);
    runs.set('w-2', 'queued');
    const cell = new WorkflowModel('w-2', { api, intervalMs: LONG });
    await cell.start(); // the cell's status output reads its run once
    await until(() => list.items.some(w => w.id === 'w-2'));
    expect(list.items.map(w => [w.id, w.status])).toContainEqual([
      'w-2',
      'queued'
    ]);
    await sleep(20);
    expect(calls(api.list)).toBe(2);
    expect(list.poll.frequency.interval).toBe(LONG);
    list.dispose();
    cell.dispose();
  });
});
