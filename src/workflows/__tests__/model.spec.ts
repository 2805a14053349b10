import { EscapeRequestError } from '../../request';
import { WorkflowListModel, WorkflowModel } from '../model';
import { fakeApi, logDelta, sleep, until, workflow } from './fakeApi';

describe('WorkflowModel (one run)', () => {
  it('follows a run, appends logs incrementally and stops polling once terminal', async () => {
    const statuses = ['queued', 'running', 'finished'] as const;
    let call = 0;
    const api = fakeApi({
      get: async () => workflow(statuses[Math.min(call++, 2)]),
      logs: async (_id: string, cursor?: string) =>
        logDelta(`line ${cursor ?? 'start'}\n`, `c${call}`)
    });
    const model = new WorkflowModel('w-1', { api, intervalMs: 10 });
    await model.start();
    await until(() => model.workflow?.status === 'finished');
    expect(model.following).toBe(false);
    expect(model.poll.state.phase).toBe('stopped');
    const calls = (api.get as jest.Mock).mock.calls.length;
    await sleep(80);
    expect((api.get as jest.Mock).mock.calls.length).toBe(calls);
    // Each poll sent the cursor of the previous answer and only appended the new text.
    const cursors = (api.logs as jest.Mock).mock.calls.map(c => c[1]);
    expect(cursors).toEqual([undefined, 'c1', 'c2']);
    expect(model.engineLog).toBe('line start\nline c1\nline c2\n');
    expect(model.jobs).toHaveLength(1);
    expect(model.jobs[0].log).toBe('line start\n!line c1\n!line c2\n!');
    model.dispose();
  });

  it('stands by while hidden and resumes when shown', async () => {
    const api = fakeApi({
      get: async () => workflow('running'),
      logs: async () => logDelta('', 'c')
    });
    const model = new WorkflowModel('w-1', { api, intervalMs: 10 });
    await model.start();
    await until(() => (api.get as jest.Mock).mock.calls.length >= 2);
    model.visible = false;
    await sleep(30);
    const hidden = (api.get as jest.Mock).mock.calls.length;
    await sleep(80);
    expect((api.get as jest.Mock).mock.calls.length).toBe(hidden);
    expect(model.poll.state.phase).toBe('standby');
    model.visible = true;
    await until(() => (api.get as jest.Mock).mock.calls.length > hidden + 1);
    model.dispose();
  });
});

describe('WorkflowListModel', () => {
  it('backs off after failures and shows the server message', async () => {
    const api = fakeApi({
      list: async () => {
        throw new EscapeRequestError(
          502,
          'reana_unreachable',
          'REANA at 127.0.0.1:9 refused the connection: is it running?'
        );
      }
    });
    const model = new WorkflowListModel({ api, intervalMs: 20 });
    await model.start();
    await until(() => model.error !== null);
    expect(model.error).toBe(
      'REANA at 127.0.0.1:9 refused the connection: is it running?'
    );
    await until(() => model.poll.state.phase === 'rejected');
    // The next attempt waits longer than the normal interval (exponential backoff, max 60 s).
    await until(() => model.poll.state.interval > 20);
    expect(model.poll.frequency.backoff).toBe(true);
    expect(model.poll.state.interval).toBeLessThanOrEqual(60_000);
    model.dispose();
  });

  it('polls at the server advertised interval, slower when every run is over', async () => {
    const api = fakeApi({
      list: async () => ({
        items: [workflow('finished')],
        total: 1,
        has_next: false
      })
    });
    const model = new WorkflowListModel({ api });
    model.setIntervalSeconds(15);
    expect(model.poll.frequency.interval).toBe(15_000);
    await model.start();
    await until(() => model.loaded);
    expect(model.items.map(w => w.full_name)).toEqual(['fit.1']);
    expect(model.poll.frequency.interval).toBe(60_000);
    model.dispose();
  });

  it('sends the search text and status filter to the server', async () => {
    const api = fakeApi({
      list: async () => ({ items: [], total: 0, has_next: false })
    });
    const model = new WorkflowListModel({ api, intervalMs: 10_000 });
    await model.start();
    model.toggleStatus('running');
    model.toggleStatus('failed');
    model.setSearch('fit');
    await until(() =>
      (api.list as jest.Mock).mock.calls.some(
        c => c[0] === 'fit' && c[1].join() === 'running,failed'
      )
    );
    model.toggleStatus('running');
    expect(model.statuses).toEqual(['failed']);
    model.dispose();
  });

  it('stands by while the panel is hidden', async () => {
    const api = fakeApi({
      list: async () => ({
        items: [workflow('running')],
        total: 1,
        has_next: false
      })
    });
    const model = new WorkflowListModel({ api, intervalMs: 10 });
    model.visible = false;
    await model.start();
    await sleep(60);
    expect((api.list as jest.Mock).mock.calls.length).toBe(0);
    model.visible = true;
    await until(() => (api.list as jest.Mock).mock.calls.length > 0);
    model.dispose();
  });
});
