import { EscapeRequestError } from '../../request';
import { ICatalogueAPI, IFetchJob } from '../api';
import { RecordModel } from '../recordModel';
import { detail } from './fixtures';

function job(state: IFetchJob['state'], done: number): IFetchJob {
  return {
    id: 'f1',
    record_id: '42',
    title: 'tool',
    dest: 'ossr/tool-1.0.0',
    extract: true,
    state,
    message: state === 'done' ? '1 file(s) verified in ossr/tool-1.0.0' : null,
    files: [],
    total_bytes: 100,
    done_bytes: done,
    extracted: [],
    extracted_count: 0
  };
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
    getFetch: jest
      .fn()
      .mockResolvedValueOnce(job('running', 50))
      .mockResolvedValue(job('done', 100)),
    cancelFetch: jest.fn().mockResolvedValue(job('cancelled', 50)),
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
      () => model.job && seen.push(model.job.done_bytes)
    );
    const final = await model.fetchFiles(true);
    expect(fake.startFetch).toHaveBeenCalledWith('42', { extract: true });
    expect(final.state).toBe('done');
    expect(seen).toEqual(expect.arrayContaining([0, 50, 100]));
    model.dispose();
  });
});
