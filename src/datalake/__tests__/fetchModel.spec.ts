import { EscapeRequestError } from '../../request';
import { commonFolder, FetchModel } from '../fetchModel';
import {
  fakeFetchApi,
  fakeNotifier,
  job,
  replicaStatus,
  sleep
} from './fakeFetchApi';

function setup(
  options: Partial<ConstructorParameters<typeof FetchModel>[0]> = {}
) {
  const { api, state } = fakeFetchApi();
  const notifier = fakeNotifier();
  const clock = { now: 1_000_000 };
  const showPath = jest.fn();
  const model = new FetchModel({
    api,
    notifier,
    interval: 10,
    longMs: 3000,
    longFiles: 50,
    now: () => clock.now,
    showPath,
    ...options
  });
  return { api, state, notifier, clock, model, showPath };
}

describe('FetchModel', () => {
  let model: FetchModel | null = null;
  afterEach(() => model?.dispose());

  it('lists the jobs of earlier sessions and polls only while one is active', async () => {
    const t = setup();
    model = t.model;
    t.state.jobs = [job({ state: 'done', files_done: 8 })];
    await model.refresh();
    expect(model.jobs).toHaveLength(1);
    expect(model.polling).toBe(false);
    await sleep(50);
    expect(t.api.list).toHaveBeenCalledTimes(1);

    t.state.jobs = [job({ id: 'j2', state: 'running' }), ...t.state.jobs];
    await model.refresh();
    expect(model.polling).toBe(true);
    await sleep(60);
    const calls = t.api.list.mock.calls.length;
    expect(calls).toBeGreaterThan(2);

    // The job ends: the next poll sees it and polling stops.
    t.state.jobs[0].state = 'done';
    await sleep(60);
    expect(model.jobs[0].state).toBe('done');
    expect(model.polling).toBe(false);
    const after = t.api.list.mock.calls.length;
    await sleep(50);
    expect(t.api.list.mock.calls.length).toBe(after);
  });

  it('stands by while the sidebar is hidden and nothing is notified', async () => {
    let visible = false;
    const t = setup({ isVisible: () => visible });
    model = t.model;
    t.state.jobs = [job({ state: 'running' })];
    await model.refresh();
    const before = t.api.list.mock.calls.length;
    await sleep(60);
    expect(t.api.list.mock.calls.length).toBe(before);
    visible = true;
    await sleep(60);
    expect(t.api.list.mock.calls.length).toBeGreaterThan(before);
  });

  it('starts a job: it is listed at once and followed', async () => {
    const t = setup();
    model = t.model;
    const started = await model.start(['escape_cta:f.h5'], '  ', 'tb');
    expect(t.api.start).toHaveBeenCalledWith(
      ['escape_cta:f.h5'],
      undefined,
      'tb'
    );
    expect(model.jobs[0].id).toBe(started.id);
    expect(model.activeFor('escape_cta:f.h5')?.id).toBe(started.id);
    expect(model.polling).toBe(true);
  });

  it('passes the server refusal on (409: already being fetched)', async () => {
    const t = setup();
    model = t.model;
    t.api.start.mockRejectedValueOnce(
      new EscapeRequestError(409, 'conflict', 'Already being fetched.')
    );
    await expect(model.start(['s:n'])).rejects.toThrow(
      'Already being fetched.'
    );
    expect(model.jobs).toHaveLength(0);
  });

  it('turns a long job into a notification that ends in success with "Show in file browser"', async () => {
    const t = setup();
    model = t.model;
    t.state.jobs = [job({ state: 'running' })];
    await model.refresh();
    // Short so far: no toast.
    expect(t.notifier.emit).not.toHaveBeenCalled();
    t.clock.now += 3500;
    await model.refresh();
    expect(t.notifier.emit).toHaveBeenCalledTimes(1);
    const [message, type, options] = t.notifier.emit.mock
      .calls[0] as unknown as [string, string, { progress: number }];
    expect(type).toBe('in-progress');
    expect(message).toContain('3 of 8 files');
    expect(options.progress).toBeCloseTo(540 / 1440);

    t.state.jobs[0].bytes_done = 1_000_000;
    await model.refresh();
    expect(t.notifier.update).toHaveBeenLastCalledWith(
      expect.objectContaining({ id: 'n1', type: 'in-progress' })
    );

    t.state.jobs[0].state = 'done';
    await model.refresh();
    const last = t.notifier.update.mock.lastCall as unknown as [
      { type: string; message: string; actions: { callback: () => void }[] }
    ];
    expect(last[0].type).toBe('success');
    expect(last[0].message).toContain(
      'datalake/escape_cta/cta.prod5.south.gamma.run0001.dl1'
    );
    last[0].actions[0].callback();
    expect(t.showPath).toHaveBeenCalledWith(
      'datalake/escape_cta/cta.prod5.south.gamma.run0001.dl1'
    );
    // Finished: no further updates.
    const count = t.notifier.update.mock.calls.length;
    await model.refresh();
    expect(t.notifier.update.mock.calls.length).toBe(count);
  });

  it('a job with many files is notified at once; a failure offers Retry', async () => {
    const t = setup();
    model = t.model;
    t.state.jobs = [job({ state: 'running', files_total: 1000 })];
    await model.refresh();
    expect(t.notifier.emit).toHaveBeenCalledTimes(1);
    t.state.jobs[0].state = 'failed';
    t.state.jobs[0].message = '2 files failed their checksum';
    await model.refresh();
    const last = t.notifier.update.mock.lastCall as unknown as [
      {
        type: string;
        message: string;
        actions: { label: string; callback: () => void }[];
      }
    ];
    expect(last[0].type).toBe('error');
    expect(last[0].message).toContain('2 files failed their checksum');
    expect(last[0].actions[0].label).toBe('Retry');
    last[0].actions[0].callback();
    await sleep(0);
    expect(t.api.retry).toHaveBeenCalledWith('j1');
  });

  it('never notifies a job that was already finished when listed', async () => {
    const t = setup();
    model = t.model;
    t.clock.now += 100_000;
    t.state.jobs = [job({ state: 'done', files_total: 5000 })];
    await model.refresh();
    expect(t.notifier.emit).not.toHaveBeenCalled();
    expect(t.notifier.update).not.toHaveBeenCalled();
  });

  it('cancel, retry and remove update the list', async () => {
    const t = setup();
    model = t.model;
    t.state.jobs = [job({ state: 'running' })];
    await model.refresh();
    await model.cancel('j1');
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

  it('knows where a fetched DID is in the workspace', async () => {
    const t = setup();
    model = t.model;
    t.state.jobs = [job({ state: 'done' })];
    await model.refresh();
    expect(
      model.fetched('escape_cta:cta.prod5.south.gamma.run0001.dl1')?.path
    ).toBe('datalake/escape_cta/cta.prod5.south.gamma.run0001.dl1');
    expect(model.fetched('escape_cta:other')).toBeNull();
    expect(
      model.fetched('escape_cta:cta.prod5.south.gamma.run0001.dl1', 'other')
    ).toBeNull();
  });

  it('loads the files of an expanded job and refreshes them while active', async () => {
    const t = setup();
    model = t.model;
    t.state.jobs = [job({ state: 'running' })];
    await model.refresh();
    await model.toggleFiles('j1');
    expect(model.isExpanded('j1')).toBe(true);
    expect(model.detail('j1')?.files[0].state).toBe('downloading');
    await sleep(40);
    expect(t.api.get.mock.calls.length).toBeGreaterThan(1);
    await model.toggleFiles('j1');
    expect(model.isExpanded('j1')).toBe(false);
  });

  it('says why the listing failed', async () => {
    const t = setup();
    model = t.model;
    t.api.list.mockRejectedValueOnce(
      new EscapeRequestError(502, 'rucio_error', 'Rucio is down.')
    );
    await model.refresh();
    expect(model.error).toBe('Rucio is down.');
  });

  it('follows a replication rule until it is OK', async () => {
    const t = setup();
    model = t.model;
    let calls = 0;
    t.api.replica.mockImplementation(async () => {
      calls++;
      return calls < 3
        ? replicaStatus()
        : replicaStatus(
            {
              available: true,
              files: [
                { did: 'escape_cta:a', path: '/mnt/rse/a', available: true }
              ]
            },
            { state: 'OK', locks_ok_cnt: 8, locks_replicating_cnt: 0 }
          );
    });
    await model.makeAvailable('escape_cta:ds', 'tb');
    expect(t.api.makeAvailable).toHaveBeenCalledWith('escape_cta:ds', 'tb');
    expect(model.replica('escape_cta:ds')?.status?.rule?.state).toBe(
      'REPLICATING'
    );
    await sleep(150);
    expect(model.replica('escape_cta:ds')?.status?.available).toBe(true);
    const settled = t.api.replica.mock.calls.length;
    await sleep(80);
    expect(t.api.replica.mock.calls.length).toBe(settled);
  });
});

describe('commonFolder', () => {
  it('is the path itself for one, the shared folder for several', () => {
    expect(commonFolder(['a/b/c.h5'])).toBe('a/b/c.h5');
    expect(commonFolder(['d/s/x/1.h5', 'd/s/y/2.h5'])).toBe('d/s');
    expect(commonFolder(['a/1', 'b/2'])).toBe('');
  });
});
