/**
 * #21: the table's availability and created columns, loaded lazily per visible row from the DID
 * details: bounded concurrency, cached, cancelled when a row scrolls out or the listing changes;
 * sortable once loaded, unloaded rows after the loaded ones.
 */
import { nullTranslator } from '@jupyterlab/translation';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import * as React from 'react';

import { IDidDetails } from '../api';
import { DidTable, sortRows } from '../components/DidTable';
import { DatalakeModel } from '../model';
import { factsOf, RowFacts } from '../rowFacts';
import { details, fakeApi, row, tick } from './fakeApi';

const trans = nullTranslator.load('jupyterlab_escape');

/** A details loader whose answers the test gives, one by one. */
function loader() {
  const calls: {
    did: string;
    signal: AbortSignal;
    answer: (d: IDidDetails) => void;
  }[] = [];
  const load = (did: string, signal: AbortSignal) =>
    new Promise<IDidDetails>(resolve =>
      calls.push({ did, signal, answer: resolve })
    );
  return { calls, load };
}

const dids = (n: number) =>
  Array.from({ length: n }, (_, i) => `escape_cta:f${i}`);

describe('RowFacts', () => {
  it('asks for the rows on screen only, a few at a time, not 1000 requests for 1000 rows', async () => {
    const { calls, load } = loader();
    const facts = new RowFacts({ load, concurrency: 4 });
    const all = dids(1000);
    facts.want(all.slice(0, 30)); // the rows on screen
    expect(calls).toHaveLength(4);
    expect(facts.inFlight).toBe(4);
    calls[0].answer(details(calls[0].did, 'file'));
    await tick();
    expect(calls).toHaveLength(5); // one done, the next one starts
    expect(facts.get(all[0])).toMatchObject({ state: 'done' });
    // Scrolling on: the rows that left the screen are cancelled or never asked.
    facts.want(all.slice(500, 510));
    expect(calls.slice(1, 5).every(c => c.signal.aborted)).toBe(true);
    expect(facts.inFlight).toBe(4);
    expect(calls.slice(5).map(c => c.did)).toEqual(all.slice(500, 504));
    // A cancelled answer arriving late changes nothing.
    calls[1].answer(details(calls[1].did, 'file'));
    await tick();
    expect(facts.get(all[1])).toBeUndefined();
    for (const call of calls.slice(5)) {
      call.answer(details(call.did, 'file'));
    }
    await tick();
    while (
      calls.some(
        c => !c.signal.aborted && facts.get(c.did)?.state === 'loading'
      )
    ) {
      for (const call of calls.filter(
        c => facts.get(c.did)?.state === 'loading'
      )) {
        call.answer(details(call.did, 'file'));
      }
      await tick();
    }
    expect(all.slice(500, 510).every(d => facts.get(d)?.state === 'done')).toBe(
      true
    );
    expect(facts.started).toBeLessThanOrEqual(30);
    // Cached: back to the first row, nothing asked again.
    const before = facts.started;
    facts.want([all[0], all[500]]);
    expect(facts.started).toBe(before);
  });

  it('a new listing cancels what is on the way, keeps what is known', async () => {
    const { calls, load } = loader();
    const facts = new RowFacts({ load, concurrency: 2 });
    facts.want(dids(3));
    calls[0].answer(details(calls[0].did, 'file'));
    await tick();
    facts.cancel();
    expect(calls.filter(c => c.signal.aborted)).toHaveLength(2);
    expect(facts.inFlight).toBe(0);
    expect(facts.get('escape_cta:f0')?.state).toBe('done');
    facts.clear(); // another Rucio instance
    expect(facts.get('escape_cta:f0')).toBeUndefined();
  });

  it('reads availability and created from the details', () => {
    const file = details('s:a', 'file');
    expect(factsOf({ ...file, created_at: '2026-11-20T10:00:00Z' })).toEqual({
      availability: 'On 1 RSE',
      availabilityRank: 2,
      created: '2026-11-20T10:00:00Z'
    });
    expect(factsOf({ ...file, replicas: [] }).availability).toBe('None');
    const partial = details('s:d', 'dataset'); // 2 of 3 files on one RSE
    expect(factsOf(partial)).toMatchObject({
      availability: 'Partial: 66 %',
      created: null
    });
    expect(factsOf(partial).availabilityRank).toBeCloseTo(2 / 3);
  });
});

describe('the table columns availability and created', () => {
  it('sort the loaded rows; rows not loaded yet follow in the listing order', () => {
    const rows = [
      row('u1', 'file'),
      row('old', 'file'),
      row('u2', 'file'),
      row('new', 'file')
    ];
    const known: Record<string, ReturnType<RowFacts['get']>> = {
      'escape_cta:old': {
        state: 'done',
        facts: {
          availability: 'None',
          availabilityRank: 0,
          created: '2020-01-01T00:00:00Z'
        }
      },
      'escape_cta:new': {
        state: 'done',
        facts: {
          availability: 'On 2 RSEs',
          availabilityRank: 3,
          created: '2026-01-01T00:00:00Z'
        }
      },
      'escape_cta:u2': { state: 'loading' }
    };
    const by = (key: 'created' | 'availability', asc: boolean) =>
      sortRows(rows, key, asc, did => known[did]).map(r => r.name);
    expect(by('created', true)).toEqual(['old', 'new', 'u1', 'u2']);
    expect(by('created', false)).toEqual(['new', 'old', 'u1', 'u2']);
    expect(by('availability', false)).toEqual(['new', 'old', 'u1', 'u2']);
  });

  /** The rows' IntersectionObserver, driven by the test: which rows are on screen. */
  let observers: { cb: IntersectionObserverCallback; rows: Element[] }[] = [];
  const realObserver = (globalThis as any).IntersectionObserver;
  beforeEach(() => {
    observers = [];
    (globalThis as any).IntersectionObserver = class {
      private _me: { cb: IntersectionObserverCallback; rows: Element[] };
      constructor(cb: IntersectionObserverCallback) {
        this._me = { cb, rows: [] };
        observers.push(this._me);
      }
      observe(row: Element) {
        this._me.rows.push(row);
      }
      disconnect() {
        observers = observers.filter(o => o !== this._me);
      }
    };
  });
  afterEach(() => {
    (globalThis as any).IntersectionObserver = realObserver;
  });
  const screenShows = (from: number, to: number) => {
    for (const o of observers) {
      const body = o.rows[0]?.parentElement;
      const all = body ? Array.from(body.children) : [];
      o.cb(
        o.rows.map(target => {
          const at = all.indexOf(target);
          return {
            target,
            isIntersecting: at >= from && at < to
          } as unknown as IntersectionObserverEntry;
        }),
        o as unknown as IntersectionObserver
      );
    }
  };

  it('show each row once its details arrive, asked through the model, at most 4 at once', async () => {
    const { api, searches } = fakeApi();
    const pending: { did: string; answer: (d: IDidDetails) => void }[] = [];
    (api.details as jest.Mock).mockImplementation(
      (did: string) =>
        new Promise<IDidDetails>(resolve =>
          pending.push({ did, answer: resolve })
        )
    );
    const model = new DatalakeModel(api);
    model.update({ query: 'escape_cta:*', type: 'all', limit: 100 });
    const done = model.search();
    await tick();
    searches[0].feed.push(
      ...Array.from({ length: 60 }, (_, i) =>
        row(`r${String(i).padStart(2, '0')}`, 'file')
      )
    );
    searches[0].feed.end();
    await done;
    render(<DidTable model={model} trans={trans} onCopy={() => undefined} />);
    await act(tick);
    // Nothing on screen yet: nothing asked.
    expect(pending).toHaveLength(0);
    // 20 rows on screen (with the observer's margin): 4 asked at once.
    screenShows(0, 20);
    await act(tick);
    expect(pending).toHaveLength(4);
    const grid = screen.getByRole('table');
    expect(
      within(grid).getByRole('button', { name: 'Availability' })
    ).toBeTruthy();
    const cells = (name: string) =>
      within(
        grid.querySelector(`tr[data-did="escape_cta:${name}"]`) as HTMLElement
      )
        .getAllByRole('cell')
        .map(c => c.textContent);
    expect(cells('r00').slice(4)).toEqual(['…', '…']);
    await act(async () => {
      pending[0].answer({
        ...details(pending[0].did, 'file'),
        created_at: '2026-11-20T10:00:00Z'
      });
      await tick();
    });
    expect(cells('r00')[4]).toBe('On 1 RSE');
    // As every view gives times (review s3 §14), in UTC whatever the browser's zone.
    expect(cells('r00')[5]).toBe('2026-11-20 10:00 UTC');
    // A file holds no files: the Files column says so (review s3 §9).
    expect(cells('r00')[3]).toBe('—');
    expect(pending).toHaveLength(5);
    // Sorting by created: the loaded row first, the others in the listing order after it.
    await act(async () => {
      pending[1].answer({
        ...details(pending[1].did, 'file'),
        created_at: '2026-11-25T10:00:00Z'
      });
      await tick();
    });
    fireEvent.click(within(grid).getByRole('button', { name: 'Created' }));
    fireEvent.click(within(grid).getByRole('button', { name: /Created/ }));
    const order = within(grid)
      .getAllByRole('row')
      .slice(1, 4)
      .map(r => r.getAttribute('data-did'));
    expect(order).toEqual([
      'escape_cta:r01',
      'escape_cta:r00',
      'escape_cta:r02'
    ]);
    // Scrolled far down: what was asked for the rows above is cancelled, the new rows asked.
    const before = pending.length;
    screenShows(40, 50);
    await act(tick);
    expect(model.rowFacts.inFlight).toBe(4);
    expect(pending.slice(before).map(p => p.did)).toEqual(
      ['r40', 'r41', 'r42', 'r43'].map(n => `escape_cta:${n}`)
    );
    expect(model.rowFacts.started).toBeLessThan(12);
    // A new search: the requests on the way are cancelled.
    const again = model.search();
    await tick();
    expect(model.rowFacts.inFlight).toBe(0);
    searches[1].feed.end();
    await again;
    model.dispose();
  });
});
