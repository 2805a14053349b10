import { EscapeRequestError } from '../../request';
import { DatalakeModel } from '../model';
import { fakeApi, row, tick } from './fakeApi';

describe('DatalakeModel', () => {
  it('connects: who we are and which scopes exist', async () => {
    const { api } = fakeApi();
    const model = new DatalakeModel(api);
    await model.connect();
    expect(model.whoami?.account.account).toBe('root');
    expect(model.scopes).toEqual(['escape_cta', 'user.jdoe']);
  });

  it('shows the connection failure as written by the server', async () => {
    const { api } = fakeApi();
    (api.whoami as jest.Mock).mockRejectedValue(
      new EscapeRequestError(
        401,
        'rucio_token_expired',
        'Your Rucio token expired at 14:02.'
      )
    );
    const model = new DatalakeModel(api);
    await model.connect();
    expect(model.identityError).toBe('Your Rucio token expired at 14:02.');
  });

  it('streams rows into the listing as they arrive, then stops running', async () => {
    const { api, searches } = fakeApi();
    const model = new DatalakeModel(api);
    model.update({ query: 'escape_cta:*', type: 'dataset', limit: 50 });
    const done = model.search();
    await tick();
    expect(searches[0].params).toMatchObject({
      query: 'escape_cta:*',
      type: 'dataset',
      limit: 50
    });
    expect(model.current?.running).toBe(true);
    searches[0].feed.push(row('a', 'dataset'), row('b', 'dataset'));
    await tick();
    expect(model.current?.rows.map(r => r.name)).toEqual(['a', 'b']);
    expect(model.current?.running).toBe(true);
    searches[0].feed.push(row('c', 'dataset'));
    searches[0].feed.end();
    await done;
    expect(model.current?.rows).toHaveLength(3);
    expect(model.current?.running).toBe(false);
    expect(model.current?.limitReached).toBe(false);
  });

  it('stops a running search and keeps the rows so far', async () => {
    const { api, searches } = fakeApi();
    const model = new DatalakeModel(api);
    model.update({ query: 'escape_cta' });
    const done = model.search();
    await tick();
    searches[0].feed.push(row('a'));
    await tick();
    model.stop();
    await done;
    expect(searches[0].feed.signal?.aborted).toBe(true);
    expect(model.current?.running).toBe(false);
    expect(model.current?.error).toBeNull();
    expect(model.current?.rows.map(r => r.name)).toEqual(['a']);
  });

  it('a new search cancels the previous one', async () => {
    const { api, searches } = fakeApi();
    const model = new DatalakeModel(api);
    model.update({ query: 'escape_cta:a*' });
    void model.search();
    await tick();
    model.update({ query: 'escape_cta:b*' });
    void model.search();
    await tick();
    expect(searches[0].feed.signal?.aborted).toBe(true);
    expect(searches[1].feed.signal?.aborted).toBe(false);
  });

  it('marks the limit as reached and raises it tenfold', async () => {
    const { api, searches } = fakeApi();
    const model = new DatalakeModel(api);
    model.update({ query: 'escape_cta', limit: 2 });
    const first = model.search();
    await tick();
    searches[0].feed.push(row('a'), row('b'));
    searches[0].feed.end();
    await first;
    expect(model.current?.limitReached).toBe(true);
    const second = model.raiseLimit();
    await tick();
    expect(searches[1].params.limit).toBe(20);
    searches[1].feed.end();
    await second;
    expect(model.state.limit).toBe(20);
  });

  it('reports a failure in the middle of a stream', async () => {
    const { api, searches } = fakeApi();
    const model = new DatalakeModel(api);
    model.update({ query: 'escape_cta' });
    const done = model.search();
    await tick();
    searches[0].feed.push(row('a'));
    searches[0].feed.fail(
      new EscapeRequestError(504, 'rucio_timeout', 'Rucio did not answer.')
    );
    await done;
    expect(model.current?.error).toBe('Rucio did not answer.');
    expect(model.current?.rows).toHaveLength(1);
  });

  it('drills into collections with breadcrumbs, shows details, and goes back', async () => {
    const { api, searches, contents } = fakeApi();
    const model = new DatalakeModel(api);
    model.update({ query: 'escape_cta' });
    const search = model.search();
    await tick();
    searches[0].feed.push(row('prod5', 'container'));
    searches[0].feed.end();
    await search;

    const openContainer = model.open(model.current!.rows[0]);
    await tick();
    expect(contents[0].did).toBe('escape_cta:prod5');
    contents[0].feed.push(row('run1.dataset', 'dataset'));
    contents[0].feed.end();
    await openContainer;
    expect(model.levels.map(l => l.label)).toEqual(['escape_cta', 'prod5']);
    expect(model.selectedDid).toBe('escape_cta:prod5');

    const openDataset = model.open(model.current!.rows[0]);
    await tick();
    contents[1].feed.push(row('f1.h5'), row('f2.h5'));
    contents[1].feed.end();
    await openDataset;
    expect(model.levels).toHaveLength(3);
    expect(model.selected?.availability?.[0].state).toBe('PARTIAL');

    await model.open(model.current!.rows[1]);
    expect(model.levels).toHaveLength(3); // a file opens its details, not a level
    expect(model.selected?.adler32).toBe('0a1b2c3d');

    model.goTo(0);
    expect(model.levels).toHaveLength(1);
    expect(model.current?.rows.map(r => r.name)).toEqual(['prod5']); // not searched again
    expect(searches).toHaveLength(1);
    expect(model.selectedDid).toBeNull();
  });

  it('ignores details that arrive after another selection', async () => {
    const { api } = fakeApi();
    let release: (v: any) => void = () => undefined;
    (api.details as jest.Mock).mockImplementationOnce(
      () => new Promise(resolve => (release = resolve))
    );
    const model = new DatalakeModel(api);
    const slow = model.select('escape_cta:slow.h5');
    await model.select('escape_cta:fast.h5');
    release({ did: 'escape_cta:slow.h5' });
    await slow;
    expect(model.selected?.did).toBe('escape_cta:fast.h5');
  });

  it('switches instance: forgets the old listing, reconnects and searches there', async () => {
    const { api, searches } = fakeApi();
    const model = new DatalakeModel(api);
    await model.connect();
    model.update({ query: 'escape_cta' });
    const first = model.search();
    await tick();
    searches[0].feed.push(row('a'));
    await tick();
    const switched = model.setInstance('other');
    await tick();
    expect(searches[0].feed.signal?.aborted).toBe(true);
    expect(model.whoami?.account.account).toBe('jdoe');
    expect(searches[1].instance).toBe('other');
    expect(model.current?.rows).toEqual([]);
    searches[1].feed.end();
    await Promise.all([first, switched]);
    expect(model.state.instance).toBe('other');
  });
});
