import { EscapeRequestError } from '../../request';
import { ISearchParams, ISearchResult, RateLimitedError } from '../api';
import { SearchModel } from '../model';
import { result } from './fixtures';

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('SearchModel', () => {
  it('debounces typing into one search after the pause', async () => {
    const search = jest.fn(async (p: ISearchParams) =>
      result(p, 3, ['1', '2', '3'])
    );
    const model = new SearchModel({ search, debounceMs: 80 });
    for (const prefix of ['g', 'ga', 'gam', 'gamm', 'gamma']) {
      model.setQuery(prefix);
      await sleep(15);
    }
    expect(search).not.toHaveBeenCalled();
    await sleep(200);
    expect(search).toHaveBeenCalledTimes(1);
    expect(search.mock.calls[0][0]).toMatchObject({
      q: 'gamma',
      page: 1,
      sort: 'bestmatch'
    });
    expect(model.results.map(r => r.id)).toEqual(['1', '2', '3']);
    model.dispose();
  });

  it('searches at once on Enter and drops the pending debounced search', async () => {
    const search = jest.fn(async (p: ISearchParams) => result(p, 1, ['1']));
    const model = new SearchModel({ search, debounceMs: 80 });
    model.setQuery('ctapipe');
    await model.submit();
    await sleep(200);
    expect(search).toHaveBeenCalledTimes(1);
    model.dispose();
  });

  it('uses newest for an empty query and sends sort, scope and filters', async () => {
    const search = jest.fn(async (p: ISearchParams) => result(p, 1, ['1']));
    const model = new SearchModel({ search, pageSize: 5, scope: 'community' });
    await model.submit();
    expect(search.mock.calls[0][0]).toMatchObject({
      q: '',
      sort: 'newest',
      size: 5
    });
    await model.setSort('mostviewed');
    await model.toggleFilter('resource_type', 'software');
    expect(search.mock.calls[2][0]).toMatchObject({
      sort: 'mostviewed',
      filters: { resource_type: ['software'] }
    });
    await model.toggleFilter('resource_type', 'software');
    expect(model.filters).toEqual({});
    await model.toggleFilter('subject', 'CTA');
    await model.setScope('all');
    expect(model.filters).toEqual({});
    expect(search.mock.calls[5][0]).toMatchObject({
      scope: 'all',
      filters: {}
    });
    model.dispose();
  });

  it('appends pages while more results exist', async () => {
    const search = jest.fn(async (p: ISearchParams) =>
      result(
        p,
        5,
        p.page === 1 ? ['1', '2'] : p.page === 2 ? ['3', '4'] : ['5']
      )
    );
    const model = new SearchModel({ search, pageSize: 2 });
    await model.submit();
    expect(model.canLoadMore).toBe(true);
    await model.loadMore();
    await model.loadMore();
    expect(model.results.map(r => r.id)).toEqual(['1', '2', '3', '4', '5']);
    expect(model.canLoadMore).toBe(false);
    await model.loadMore();
    expect(search).toHaveBeenCalledTimes(3);
    model.dispose();
  });

  it('ignores a stale answer that arrives after a newer one', async () => {
    const slow = deferred<ISearchResult>();
    const search = jest
      .fn()
      .mockImplementationOnce(() => slow.promise)
      .mockImplementationOnce(async (p: ISearchParams) =>
        result(p, 1, ['new'])
      );
    const model = new SearchModel({ search });
    model.setQuery('old');
    const first = model.submit();
    model.setQuery('new');
    await model.submit();
    slow.resolve(
      result(
        {
          q: 'old',
          sort: 'bestmatch',
          scope: 'community',
          page: 1,
          size: 10,
          filters: {}
        },
        1,
        ['old']
      )
    );
    await first;
    expect(model.results.map(r => r.id)).toEqual(['new']);
    // The first request was aborted when the second started.
    expect((search.mock.calls[0][1] as AbortSignal).aborted).toBe(true);
    model.dispose();
  });

  it('shows the server message on failure', async () => {
    const search = jest
      .fn()
      .mockRejectedValue(
        new EscapeRequestError(
          400,
          'zenodo_bad_query',
          'Zenodo could not run this search.'
        )
      );
    const model = new SearchModel({ search });
    await model.submit();
    expect(model.error).toBe('Zenodo could not run this search.');
    expect(model.loading).toBe(false);
    model.dispose();
  });

  it('slows down on 429 and retries on its own after Retry-After', async () => {
    jest.useFakeTimers();
    try {
      const limited = new RateLimitedError(
        new EscapeRequestError(
          429,
          'zenodo_rate_limited',
          'slow down',
          'zenodo',
          429
        ),
        3
      );
      const search = jest
        .fn()
        .mockRejectedValueOnce(limited)
        .mockImplementation(async (p: ISearchParams) => result(p, 1, ['1']));
      const model = new SearchModel({ search });
      await model.submit();
      expect(model.slowDown).toBe(3);
      expect(model.error).toBeNull();
      jest.advanceTimersByTime(1000);
      expect(model.slowDown).toBe(2);
      jest.advanceTimersByTime(2000);
      await Promise.resolve();
      await Promise.resolve();
      expect(search).toHaveBeenCalledTimes(2);
      jest.useRealTimers();
      await sleep(0);
      expect(model.slowDown).toBeNull();
      expect(model.results).toHaveLength(1);
      model.dispose();
    } finally {
      jest.useRealTimers();
    }
  });
});
