import { nullTranslator } from '@jupyterlab/translation';

import { IFetchJob } from '../api';
import { CatalogueFetchNotes, catalogueJobsApi } from '../fetchNotes';

const trans = nullTranslator.load('jupyterlab_escape');

function fetchJob(partial: Partial<IFetchJob> = {}): IFetchJob {
  return {
    id: 'c1',
    kind: 'catalogue.fetch',
    state: 'running',
    message: null,
    items_total: 2,
    items_done: 1,
    items_failed: 0,
    bytes_total: 0,
    bytes_done: 0,
    transferred: 0,
    throughput: null,
    eta_seconds: null,
    errors: [],
    errors_count: 0,
    created: 1,
    started: 1,
    finished: null,
    record_id: '42',
    title: 'gammapy',
    dest: 'catalogue/gammapy',
    extract: false,
    phase: 'downloading',
    files: [],
    files_count: 2,
    extracted: [],
    extracted_count: 0,
    renamed: [],
    renamed_count: 0,
    skipped: [],
    skipped_count: 0,
    ...partial
  };
}

function notifier() {
  const calls: any[] = [];
  return {
    calls,
    emit: jest.fn((message: string, type: string, options: any) => {
      calls.push({ message, type, ...options });
      return 'n1';
    }),
    update: jest.fn((args: any) => {
      calls.push(args);
      return true;
    }),
    dismiss: jest.fn()
  };
}

function fakeApi(jobs: IFetchJob[][]): any {
  let i = 0;
  return {
    listJobs: jest.fn(async () => jobs[Math.min(i++, jobs.length - 1)]),
    getJob: jest.fn(),
    cancelJob: jest.fn(),
    retryJob: jest.fn(async () => fetchJob({ state: 'queued' })),
    removeJob: jest.fn()
  };
}

const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i++) {
    await new Promise(resolve => setTimeout(resolve, 10));
  }
  expect(check()).toBe(true);
};

describe('catalogue fetches on the common job toast', () => {
  it('lists only fetches (not other catalogue jobs)', async () => {
    const api = fakeApi([
      [
        fetchJob(),
        { ...fetchJob({ id: 'p1' }), kind: 'catalogue.publish' } as any
      ]
    ]);
    expect((await catalogueJobsApi(api).list()).map(j => j.id)).toEqual(['c1']);
  });

  it('follows a started fetch at once, on to success with "Show in file browser", after the view closed', async () => {
    const done = fetchJob({
      state: 'done',
      items_done: 2,
      message: 'Fetched 2 files into catalogue/gammapy'
    });
    const api = fakeApi([[fetchJob()], [done]]);
    const fake = notifier();
    const showFolder = jest.fn();
    const notes = new CatalogueFetchNotes({
      trans,
      api,
      notifier: fake,
      showFolder,
      interval: 10
    });
    notes.follow(fetchJob());
    expect(fake.calls[0]).toMatchObject({
      type: 'in-progress',
      message: 'Fetching the files of gammapy: 1 of 2'
    });
    await until(() => fake.calls.some(c => c.type === 'success'));
    const end = fake.calls.find(c => c.type === 'success');
    expect(end.message).toBe('Fetched 2 files into catalogue/gammapy');
    end.actions[0].callback();
    expect(showFolder).toHaveBeenCalledWith('catalogue/gammapy');
    notes.dispose();
  });

  it('ends a failed fetch in an error with Resume when interrupted', async () => {
    const api = fakeApi([[fetchJob({ state: 'interrupted', message: null })]]);
    const fake = notifier();
    const notes = new CatalogueFetchNotes({
      trans,
      api,
      notifier: fake,
      interval: 10
    });
    notes.follow(fetchJob());
    await until(() => fake.calls.some(c => c.type === 'error'));
    const end = fake.calls.find(c => c.type === 'error');
    expect(end.message).toBe('The fetch of gammapy was interrupted');
    expect(end.actions.map((a: any) => a.label)).toEqual(['Resume']);
    end.actions[0].callback();
    await until(() => api.retryJob.mock.calls.length === 1);
    notes.dispose();
  });
});
