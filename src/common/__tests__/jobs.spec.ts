import { nullTranslator } from '@jupyterlab/translation';

import {
  IJob,
  IJobsApi,
  isJobActive,
  JobNotifications,
  JobsModel
} from '../jobs';
import { EscapeRequestError } from '../../request';

const trans = nullTranslator.load('jupyterlab_escape');
const sleep = (ms: number): Promise<void> =>
  new Promise(resolve => setTimeout(resolve, ms));

function job(partial: Partial<IJob> = {}): IJob {
  return {
    id: 'j1',
    kind: 'datalake.fetch',
    state: 'running',
    message: null,
    items_total: 4,
    items_done: 1,
    items_failed: 0,
    bytes_total: 400,
    bytes_done: 100,
    transferred: 100,
    throughput: 50,
    eta_seconds: 6,
    errors: [],
    errors_count: 0,
    created: 1_700_000_000,
    started: 1_700_000_001,
    finished: null,
    ...partial
  };
}

/** The job routes of a slice, answered from `state.jobs`; every call is a jest.fn. */
function fakeApi() {
  const state = { jobs: [] as IJob[] };
  const find = (id: string) => state.jobs.find(j => j.id === id)!;
  const api = {
    list: jest.fn(async () => state.jobs.map(j => ({ ...j }))),
    get: jest.fn(async (id: string) => ({ ...find(id) })),
    cancel: jest.fn(async (id: string) => {
      find(id).state = 'cancelled';
      return { ...find(id) };
    }),
    retry: jest.fn(async (id: string) => {
      find(id).state = 'queued';
      return { ...find(id) };
    }),
    remove: jest.fn(async (id: string) => {
      if (isJobActive(find(id).state)) {
        throw new EscapeRequestError(409, 'job_running', 'Cancel it first.');
      }
      state.jobs = state.jobs.filter(j => j.id !== id);
    })
  };
  return { api: api as IJobsApi & typeof api, state };
}

function fakeNotifier() {
  let next = 0;
  return {
    emit: jest.fn((..._args: unknown[]) => `n${++next}`),
    update: jest.fn((..._args: unknown[]) => true),
    dismiss: jest.fn()
  };
}

interface IUpdate {
  id: string;
  type: string;
  message: string;
  autoClose: number | false;
  progress?: number;
  actions: { label: string; callback: () => void }[];
}

function setup(options: { visible?: () => boolean; interval?: number } = {}) {
  const { api, state } = fakeApi();
  const model = new JobsModel({
    api,
    name: 'test:jobs',
    interval: options.interval ?? 10,
    isVisible: options.visible
  });
  return { api, state, model };
}

describe('JobsModel', () => {
  let model: JobsModel | null = null;
  afterEach(() => {
    model?.dispose();
    jest.restoreAllMocks();
  });

  it('polls only while a job is active and stops when none is', async () => {
    const t = setup();
    model = t.model;
    t.state.jobs = [job({ state: 'done' })];
    await model.refresh();
    expect(model.loaded).toBe(true);
    expect(model.polling).toBe(false);
    await sleep(50);
    expect(t.api.list).toHaveBeenCalledTimes(1);

    t.state.jobs = [job({ id: 'j2' }), ...t.state.jobs];
    await model.refresh();
    expect(model.polling).toBe(true);
    expect(model.activeCount).toBe(1);
    await sleep(60);
    expect(t.api.list.mock.calls.length).toBeGreaterThan(3);

    t.state.jobs[0].state = 'done';
    await sleep(40);
    expect(model.find('j2')?.state).toBe('done');
    expect(model.polling).toBe(false);
    const settled = t.api.list.mock.calls.length;
    await sleep(60);
    expect(t.api.list.mock.calls.length).toBe(settled);
  });

  it('stands by while hidden and polls again once shown', async () => {
    let visible = false;
    const t = setup({ visible: () => visible });
    model = t.model;
    t.state.jobs = [job()];
    await model.refresh();
    const before = t.api.list.mock.calls.length;
    await sleep(60);
    expect(t.api.list.mock.calls.length).toBe(before);
    visible = true;
    await sleep(60);
    expect(t.api.list.mock.calls.length).toBeGreaterThan(before + 2);
  });

  it('keeps polling while hidden as long as a follower holds it', async () => {
    let held = true;
    const t = setup({ visible: () => false });
    model = t.model;
    model.holdWhile(() => held);
    t.state.jobs = [job()];
    await model.refresh();
    await sleep(60);
    const polled = t.api.list.mock.calls.length;
    expect(polled).toBeGreaterThan(3);
    held = false;
    await sleep(30);
    const standing = t.api.list.mock.calls.length;
    await sleep(60);
    expect(t.api.list.mock.calls.length).toBe(standing);
  });

  it('backs off while the server fails, says why, and recovers', async () => {
    // Poll picks each backoff interval at random up to 3x the last: take the top.
    jest.spyOn(Math, 'random').mockReturnValue(0.999);
    const t = setup({ interval: 10 });
    model = t.model;
    t.state.jobs = [job()];
    await model.refresh();

    // Healthy: about one listing per 10 ms.
    let start = t.api.list.mock.calls.length;
    await sleep(200);
    const healthy = t.api.list.mock.calls.length - start;
    expect(healthy).toBeGreaterThan(8);

    t.api.list.mockImplementation(async () => {
      throw new EscapeRequestError(502, 'upstream', 'The server is down.');
    });
    start = t.api.list.mock.calls.length;
    await sleep(200);
    // 10, 30, 90, 270 ms between tries: a handful at most.
    const failing = t.api.list.mock.calls.length - start;
    expect(failing).toBeLessThanOrEqual(4);
    expect(failing).toBeLessThan(healthy / 2);
    expect(model.error).toBe('The server is down.');
    expect(model.polling).toBe(true);

    t.api.list.mockImplementation(async () =>
      t.state.jobs.map(j => ({ ...j }))
    );
    await model.refresh();
    expect(model.error).toBeNull();
  });

  it('cancel, retry and remove go to the api and update the list', async () => {
    const t = setup();
    model = t.model;
    t.state.jobs = [job()];
    await model.refresh();
    await expect(model.remove('j1')).rejects.toThrow('Cancel it first.');
    expect(model.jobs).toHaveLength(1);
    expect(model.isBusy('j1')).toBe(false);
    await model.cancel('j1');
    expect(t.api.cancel).toHaveBeenCalledWith('j1');
    expect(model.jobs[0].state).toBe('cancelled');
    expect(model.polling).toBe(false);
    await model.retry('j1');
    expect(model.jobs[0].state).toBe('queued');
    expect(model.polling).toBe(true);
    t.state.jobs[0].state = 'done';
    await model.refresh();
    await model.remove('j1');
    expect(model.jobs).toHaveLength(0);
  });

  it('adds a job it started and loads the items of an expanded one', async () => {
    const t = setup();
    model = t.model;
    t.state.jobs = [job()];
    model.add(job());
    expect(model.jobs.map(j => j.id)).toEqual(['j1']);
    expect(model.polling).toBe(true);
    await model.toggleDetail('j1');
    expect(model.isExpanded('j1')).toBe(true);
    expect(model.detail('j1')?.id).toBe('j1');
    await sleep(40);
    expect(t.api.get.mock.calls.length).toBeGreaterThan(1);
    await model.toggleDetail('j1');
    expect(model.isExpanded('j1')).toBe(false);
  });
});

describe('JobNotifications', () => {
  let model: JobsModel | null = null;
  afterEach(() => model?.dispose());

  function notified(
    options: { retry?: boolean; visible?: () => boolean } = {}
  ) {
    const t = setup({ visible: options.visible });
    model = t.model;
    const notifier = fakeNotifier();
    const clock = { now: 1_000_000 };
    const show = jest.fn();
    const notes = new JobNotifications({
      model: t.model,
      trans,
      notifier,
      longMs: 3000,
      longItems: 50,
      now: () => clock.now,
      retry: options.retry,
      words: {
        progress: j => `Copying ${j.items_done} of ${j.items_total}`,
        done: j => `Copied ${j.id}`,
        doneActions: j => [
          { label: 'Show in file browser', callback: () => show(j.id) }
        ]
      }
    });
    return { ...t, notifier, clock, show, notes };
  }

  const last = (notifier: ReturnType<typeof fakeNotifier>) =>
    notifier.update.mock.lastCall![0] as IUpdate;

  it('a long job becomes a progress toast that ends in success with its actions', async () => {
    const t = notified();
    t.state.jobs = [job()];
    await t.model.refresh();
    // Short so far: no toast.
    expect(t.notifier.emit).not.toHaveBeenCalled();
    t.clock.now += 3500;
    await t.model.refresh();
    expect(t.notifier.emit).toHaveBeenCalledTimes(1);
    const [message, type, options] = t.notifier.emit.mock.calls[0] as [
      string,
      string,
      { progress: number; autoClose: boolean }
    ];
    expect(message).toBe('Copying 1 of 4');
    expect(type).toBe('in-progress');
    expect(options).toEqual({ autoClose: false, progress: 0.25 });
    expect(t.notes.isNotified('j1')).toBe(true);

    t.state.jobs[0].bytes_done = 300;
    t.state.jobs[0].items_done = 3;
    await t.model.refresh();
    expect(last(t.notifier)).toEqual({
      id: 'n1',
      type: 'in-progress',
      message: 'Copying 3 of 4',
      progress: 0.75
    });

    t.state.jobs[0].state = 'done';
    await t.model.refresh();
    const done = last(t.notifier);
    expect(done.id).toBe('n1');
    expect(done.type).toBe('success');
    expect(done.message).toBe('Copied j1');
    expect(done.progress).toBeUndefined();
    expect(done.autoClose).toBe(8000);
    expect(done.actions.map(a => a.label)).toEqual(['Show in file browser']);
    done.actions[0].callback();
    expect(t.show).toHaveBeenCalledWith('j1');

    // Over: nothing more for this job.
    const count = t.notifier.update.mock.calls.length;
    await t.model.refresh();
    expect(t.notifier.update.mock.calls.length).toBe(count);
    expect(t.notes.isNotified('j1')).toBe(false);
  });

  it('a failure turns the toast into an error with Retry, which retries', async () => {
    const t = notified();
    t.state.jobs = [job({ items_total: 500 })];
    await t.model.refresh();
    // Many items: notified at once.
    expect(t.notifier.emit).toHaveBeenCalledTimes(1);
    t.state.jobs[0].state = 'failed';
    t.state.jobs[0].message = '2 items failed their checksum';
    await t.model.refresh();
    const failed = last(t.notifier);
    expect(failed.type).toBe('error');
    expect(failed.autoClose).toBe(false);
    expect(failed.message).toBe('2 items failed their checksum');
    expect(failed.actions.map(a => a.label)).toEqual(['Retry']);
    failed.actions[0].callback();
    await sleep(0);
    expect(t.api.retry).toHaveBeenCalledWith('j1');
    // The retried job is followed by a new toast at once.
    expect(t.notifier.emit).toHaveBeenCalledTimes(2);
    expect(t.notifier.emit.mock.calls[1][1]).toBe('in-progress');
  });

  it('an interrupted job offers Resume; a kind that cannot retry offers nothing', async () => {
    const t = notified();
    t.notes.watch('j1', true);
    t.state.jobs = [job()];
    await t.model.refresh();
    t.state.jobs[0].state = 'interrupted';
    t.state.jobs[0].message = 'The server stopped during this job.';
    await t.model.refresh();
    expect(last(t.notifier).actions.map(a => a.label)).toEqual(['Resume']);
    t.model.dispose();

    const u = notified({ retry: false });
    u.notes.watch('j1', true);
    u.state.jobs = [job()];
    await u.model.refresh();
    u.state.jobs[0].state = 'failed';
    await u.model.refresh();
    expect(last(u.notifier).type).toBe('error');
    expect(last(u.notifier).actions).toEqual([]);
  });

  it('a cancelled job ends in a plain toast without actions', async () => {
    const t = notified();
    t.notes.watch('j1', true);
    t.state.jobs = [job()];
    await t.model.refresh();
    await t.model.cancel('j1');
    const cancelled = last(t.notifier);
    expect(cancelled.type).toBe('default');
    expect(cancelled.actions).toEqual([]);
  });

  it('never notifies a job that was already finished when listed', async () => {
    const t = notified();
    t.clock.now += 100_000;
    t.state.jobs = [job({ state: 'done', items_total: 5000 })];
    await t.model.refresh();
    expect(t.notifier.emit).not.toHaveBeenCalled();
    expect(t.notifier.update).not.toHaveBeenCalled();
  });

  it('a toast keeps the model polling while the view is hidden', async () => {
    const t = notified({ visible: () => false });
    t.notes.watch('j1', true);
    t.state.jobs = [job()];
    await t.model.refresh();
    expect(t.notes.isNotified('j1')).toBe(true);
    const before = t.api.list.mock.calls.length;
    await sleep(60);
    expect(t.api.list.mock.calls.length).toBeGreaterThan(before + 2);
    // The job ends: the toast is done and the hidden model stands by.
    t.state.jobs[0].state = 'done';
    await sleep(40);
    expect(last(t.notifier).type).toBe('success');
    expect(t.model.polling).toBe(false);
  });
});

describe('JobNotifications and a toast that does not exist yet', () => {
  afterEach(() => jest.useRealTimers());

  it('a job ending within milliseconds of its start does not leave a spinner', () => {
    jest.useFakeTimers();
    const { model } = setup();
    try {
      // As JupyterLab: a toast is made on a later tick, and an update of one not made yet is lost.
      const toasts = new Map<string, string>();
      let next = 0;
      const notifier = {
        emit: jest.fn((_message: string, type: string) => {
          const id = `n${++next}`;
          setTimeout(() => toasts.set(id, type), 0);
          return id;
        }),
        update: jest.fn((args: { id: string; type?: string }) => {
          if (!toasts.has(args.id)) {
            return false;
          }
          toasts.set(args.id, args.type ?? toasts.get(args.id)!);
          return true;
        }),
        dismiss: jest.fn()
      };
      const notes = new JobNotifications({
        model,
        trans,
        notifier,
        words: { progress: j => `Copying ${j.id}`, done: j => `Copied ${j.id}` }
      });
      notes.watch('j1', true);
      notes.follow(job());
      notes.follow(job({ state: 'done', items_done: 4, bytes_done: 400 }));
      expect(notifier.emit).toHaveBeenCalledTimes(1);
      jest.advanceTimersByTime(0);
      // The first final update came before the toast: lost.
      expect(toasts.get('n1')).toBe('in-progress');
      jest.advanceTimersByTime(5000);
      expect(toasts.get('n1')).toBe('success');
      expect(notes.isNotified('j1')).toBe(false);
    } finally {
      model.dispose();
    }
  });
});
