import { EscapeRequestError } from '../../request';
import { ICatalogueAPI, IFetchJob } from '../api';
import { RecordModel } from '../recordModel';
import { detail, fetchJob } from './fixtures';

function job(state: IFetchJob['state'], done: number): IFetchJob {
  return fetchJob({
    state,
    message: state === 'done' ? '2 file(s) verified in ossr/tool-1.0.0' : null,
    bytes_total: 100,
    bytes_done: done
  });
}

function api(overrides: Partial<ICatalogueAPI> = {}): ICatalogueAPI {
  return {
    search: jest.fn(),
    getRecord: jest.fn().mockResolvedValue(detail()),
    getCitation: jest.fn(async (_id: string, style: string) => ({
      id: '42',
      style,
      text: `cite-${style}`
    })),
    startFetch: jest.fn().mockResolvedValue(job('queued', 0)),
    listJobs: jest.fn().mockResolvedValue([]),
    getJob: jest
      .fn()
      .mockResolvedValueOnce(job('running', 50))
      .mockResolvedValue(job('done', 100)),
    cancelJob: jest.fn().mockResolvedValue(job('running', 50)),
    retryJob: jest.fn().mockResolvedValue(job('queued', 40)),
    removeJob: jest.fn().mockResolvedValue(undefined),
    ...overrides
  };
}

describe('RecordModel', () => {
  it('loads a record, and again with images when asked', async () => {
    const fake = api();
    const model = new RecordModel('42', fake);
    await model.load();
    expect(model.record?.title).toContain('tool 42');
    await model.showImages();
    expect(fake.getRecord).toHaveBeenLastCalledWith('42', { images: true });
    model.dispose();
  });

  it('keeps the server message when loading fails', async () => {
    const fake = api({
      getRecord: jest
        .fn()
        .mockRejectedValue(
          new EscapeRequestError(
            404,
            'zenodo_not_found',
            'Zenodo has no record 42.'
          )
        )
    });
    const model = new RecordModel('42', fake);
    await model.load();
    expect(model.error).toBe('Zenodo has no record 42.');
    model.dispose();
  });

  it('caches citations per style', async () => {
    const fake = api();
    const model = new RecordModel('42', fake);
    expect(await model.citation('apa')).toBe('cite-apa');
    expect(await model.citation('apa')).toBe('cite-apa');
    expect(await model.citation('bibtex')).toBe('cite-bibtex');
    expect(fake.getCitation).toHaveBeenCalledTimes(2);
    model.dispose();
  });

  it('follows a fetch job until it ends', async () => {
    const fake = api();
    const model = new RecordModel('42', fake);
    const seen: number[] = [];
    model.stateChanged.connect(
      () => model.job && seen.push(model.job.bytes_done)
    );
    const final = await model.fetchFiles(true);
    expect(fake.startFetch).toHaveBeenCalledWith('42', {
      extract: true,
      idempotency_key: expect.stringMatching(/^[0-9a-f]{24}$/)
    });
    expect(fake.getJob).toHaveBeenCalledWith('a1b2c3d4e5f6');
    expect(final.state).toBe('done');
    expect(seen).toEqual(expect.arrayContaining([0, 50, 100]));
    model.dispose();
  });

  it('starts one job for a double click', async () => {
    const fake = api();
    const model = new RecordModel('42', fake);
    const [first, second] = await Promise.all([
      model.fetchFiles(true),
      model.fetchFiles(true)
    ]);
    expect(fake.startFetch).toHaveBeenCalledTimes(1);
    expect(first).toBe(second);
    model.dispose();
  });

  it('keeps the server message when a fetch is refused', async () => {
    const fake = api({
      startFetch: jest
        .fn()
        .mockRejectedValue(
          new EscapeRequestError(
            429,
            'too_many_jobs',
            '4 fetch jobs are already running on this server (at most 4).'
          )
        )
    });
    const model = new RecordModel('42', fake);
    await expect(model.fetchFiles(true)).rejects.toThrow();
    expect(model.jobError).toBe(
      '4 fetch jobs are already running on this server (at most 4).'
    );
    model.dispose();
  });

  it('cancels through the cancel route and sees the job end', async () => {
    const fake = api({
      getJob: jest
        .fn()
        .mockResolvedValueOnce(job('running', 50))
        .mockResolvedValue(job('cancelled', 0))
    });
    const model = new RecordModel('42', fake);
    const started = new Promise<void>(resolve => {
      const seen = () => {
        if (model.job) {
          model.stateChanged.disconnect(seen);
          resolve();
        }
      };
      model.stateChanged.connect(seen);
    });
    const final = model.fetchFiles(true);
    await started;
    await model.cancelFetch();
    expect(fake.cancelJob).toHaveBeenCalledWith('a1b2c3d4e5f6');
    expect((await final).state).toBe('cancelled');
    model.dispose();
  });

  it("finds the record's fetch again, resumes it and clears it", async () => {
    const interrupted = fetchJob({
      state: 'interrupted',
      message: 'The server stopped during this fetch: retry to resume it.',
      items_done: 1
    });
    const fake = api({
      listJobs: jest
        .fn()
        .mockResolvedValue([
          fetchJob({ id: 'other', record_id: '7', state: 'done' }),
          interrupted
        ]),
      getJob: jest.fn().mockResolvedValue(job('done', 100))
    });
    const model = new RecordModel('42', fake);
    expect(await model.restoreJob()).toBe(interrupted);
    expect(model.job?.state).toBe('interrupted');
    expect(fake.getJob).not.toHaveBeenCalled(); // a finished job is not polled
    const final = await model.retryFetch();
    expect(fake.retryJob).toHaveBeenCalledWith('a1b2c3d4e5f6');
    expect(final.state).toBe('done');
    await model.removeFetch();
    expect(fake.removeJob).toHaveBeenCalledWith('a1b2c3d4e5f6');
    expect(model.job).toBeNull();
    model.dispose();
  });

  it('follows a fetch that still runs when the record is reopened', async () => {
    const fake = api({
      listJobs: jest.fn().mockResolvedValue([job('running', 50)])
    });
    const model = new RecordModel('42', fake);
    const final = await model.restoreJob();
    expect(final?.state).toBe('done');
    expect(fake.getJob).toHaveBeenCalled();
    model.dispose();
  });

  it('opens without a fetch when the job list cannot be read', async () => {
    const fake = api({
      listJobs: jest.fn().mockRejectedValue(new Error('offline'))
    });
    const model = new RecordModel('42', fake);
    expect(await model.restoreJob()).toBeNull();
    expect(model.job).toBeNull();
    expect(model.jobError).toBeNull();
    model.dispose();
  });
});
