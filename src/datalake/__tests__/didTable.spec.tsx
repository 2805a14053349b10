import { nullTranslator } from '@jupyterlab/translation';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import * as React from 'react';

import { DidTable, sortRows } from '../components/DidTable';
import { DatalakeModel } from '../model';
import { fakeApi, row, tick } from './fakeApi';

const trans = nullTranslator.load('jupyterlab_escape');

/** #21: the Data Lake as a table in the main area, with the details beside it. */
describe('the Data Lake table', () => {
  it('sorts by a column, numbers as numbers, ties in the listing order', () => {
    const rows = [
      { ...row('b.run10', 'file'), bytes: 5 },
      { ...row('a.run9', 'file'), bytes: 50 },
      { ...row('c.run100', 'dataset'), bytes: null, length: 3 }
    ];
    expect(sortRows(rows, 'name', true).map(r => r.name)).toEqual([
      'a.run9',
      'b.run10',
      'c.run100'
    ]);
    expect(sortRows(rows, 'bytes', false).map(r => r.name)).toEqual([
      'a.run9',
      'b.run10',
      'c.run100'
    ]);
    expect(sortRows(rows, 'type', true).map(r => r.type)).toEqual([
      'dataset',
      'file',
      'file'
    ]);
  });

  async function table() {
    const { api, searches } = fakeApi();
    const model = new DatalakeModel(api);
    model.update({ query: 'escape_cta:*', type: 'all', limit: 50 });
    const done = model.search();
    await tick();
    searches[0].feed.push(
      { ...row('gamma_20deg_180deg_run0042.h5', 'file'), bytes: 10 },
      { ...row('gamma_20deg_180deg_run0041.h5', 'file'), bytes: 30 },
      { ...row('gamma_20deg_180deg_run0043.h5', 'file'), bytes: 20 }
    );
    searches[0].feed.end();
    await done;
    const open = jest.spyOn(model, 'open');
    render(<DidTable model={model} trans={trans} onCopy={() => undefined} />);
    return { model, open };
  }

  it('shows names cut in the middle, sorts on a header click, and is driven by keys', async () => {
    const { open } = await table();
    const grid = screen.getByRole('table');
    const names = () =>
      within(grid)
        .getAllByRole('row')
        .slice(1)
        .map(r => r.querySelector('[title]')?.getAttribute('title'));
    expect(names()).toEqual([
      'gamma_20deg_180deg_run0041.h5',
      'gamma_20deg_180deg_run0042.h5',
      'gamma_20deg_180deg_run0043.h5'
    ]);
    // A file holds no files: "—" in Files, not an empty cell (review s3 §9).
    expect(
      within(grid)
        .getAllByRole('row')
        .slice(1)
        .map(r => r.querySelectorAll('td')[3].textContent)
    ).toEqual(['—', '—', '—']);
    fireEvent.click(screen.getByRole('button', { name: /^Size/ }));
    expect(names()[0]).toBe('gamma_20deg_180deg_run0042.h5');
    expect(
      screen
        .getByRole('columnheader', { name: /Size/ })
        .getAttribute('aria-sort')
    ).toBe('ascending');
    fireEvent.click(screen.getByRole('button', { name: /^Size/ }));
    expect(names()[0]).toBe('gamma_20deg_180deg_run0041.h5');

    const rows = within(grid).getAllByRole('row').slice(1);
    rows[0].focus();
    fireEvent.keyDown(rows[0], { key: 'ArrowDown' });
    expect(document.activeElement).toBe(rows[1]);
    fireEvent.keyDown(rows[1], { key: 'End' });
    expect(document.activeElement).toBe(rows[2]);
    await act(async () => {
      fireEvent.keyDown(rows[2], { key: 'Enter' });
    });
    expect(open).toHaveBeenCalledWith(
      expect.objectContaining({ name: 'gamma_20deg_180deg_run0042.h5' })
    );
    // The details of the opened file beside the table.
    expect(
      await screen.findByRole('region', {
        name: /Details of escape_cta:gamma_20deg_180deg_run0042\.h5/
      })
    ).toBeTruthy();
  });
});
