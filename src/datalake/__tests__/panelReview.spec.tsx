/**
 * Review s3 of the Data Lake sidebar: the token's expiry on its own line with its zone (§15),
 * no scope shortcuts while signed out (§13), the details once when the table shows them (§9).
 */
import { nullTranslator } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import { act, render, screen } from '@testing-library/react';
import * as React from 'react';

import { DatalakePanel, tokenExpiry } from '../components/DatalakePanel';
import { DatalakeModel } from '../model';
import { DatalakeTableWidget } from '../tableWidget';
import { fakeApi, row, tick } from './fakeApi';

const trans = nullTranslator.load('jupyterlab_escape');

describe('the Data Lake sidebar after review s3', () => {
  it('gives the token expiry a line of its own, the time whole with its zone', async () => {
    const { api } = fakeApi();
    const whoami = api.whoami as jest.Mock;
    const base = whoami.getMockImplementation()!;
    const expires = new Date(Date.now() + 3600_000).toISOString();
    whoami.mockImplementation(async (instance?: string) => {
      const who = await base(instance);
      return { ...who, auth: { ...who.auth, token_expires_at: expires } };
    });
    const model = new DatalakeModel(api);
    render(<DatalakePanel model={model} trans={trans} onCopy={jest.fn()} />);
    await act(() => model.connect());
    const token = document.querySelector('.jp-escape-Datalake-token')!;
    expect(token.textContent).toMatch(/^token until \d\d:\d\d UTC$/);
    // Not inside the account, whose overflow is cut with an ellipsis.
    expect(token.closest('.jp-escape-Datalake-account')).toBeNull();
    expect(
      document.querySelector('.jp-escape-Datalake-account')!.textContent
    ).toBe('root (userpass)');
  });

  it('says the day too when the expiry is not within the day', () => {
    const now = Date.parse('2026-11-26T07:00:00Z');
    expect(tokenExpiry('2026-11-26T08:05:00Z', now)).toBe('08:05 UTC');
    expect(tokenExpiry('2026-11-28T08:05:00Z', now)).toBe(
      '2026-11-28 08:05 UTC'
    );
  });

  it('offers no scope shortcuts while signed out', async () => {
    const { api } = fakeApi();
    const model = new DatalakeModel(api);
    render(<DatalakePanel model={model} trans={trans} onCopy={jest.fn()} />);
    await act(() => model.connect());
    expect(screen.getByRole('button', { name: 'escape_cta' })).toBeTruthy();
    (api.whoami as jest.Mock).mockRejectedValue(
      new Error('Your sign-in expired at 10:32 UTC.')
    );
    await act(() => model.connect());
    expect(screen.getByRole('alert').textContent).toContain('expired');
    expect(screen.queryByRole('button', { name: 'escape_cta' })).toBeNull();
  });

  it('leaves the details to the table while the table is on screen', async () => {
    const { api, searches } = fakeApi();
    const model = new DatalakeModel(api);
    render(<DatalakePanel model={model} trans={trans} onCopy={jest.fn()} />);
    await act(() => model.connect());
    // No listing yet: the body takes no room from the jobs below (§10: a blank band).
    const body = () => document.querySelector('.jp-escape-Datalake-body')!;
    expect(body().classList.contains('jp-mod-empty')).toBe(true);
    act(() => {
      model.update({ query: 'escape_cta' });
      void model.search();
    });
    const file = row('a.h5', 'file');
    await act(async () => {
      searches[0].feed.push(file);
      searches[0].feed.end();
      await tick();
    });
    expect(body().classList.contains('jp-mod-empty')).toBe(false);
    await act(() => model.open(file));
    const details = () =>
      screen.queryByRole('region', { name: /Details of escape_cta:a\.h5/ });
    expect(details()).toBeTruthy();
    // The title and the DID wrap after their separators only (§15).
    expect(details()!.querySelector('h3 .jp-escape-breakable')).not.toBeNull();
    expect(
      details()!.querySelector('dd.jp-escape-mono .jp-escape-breakable')
        ?.textContent
    ).toBe('escape_cta:a.h5');

    const table = new DatalakeTableWidget({ content: new Widget() }, model);
    act(() => Widget.attach(table, document.body));
    expect(model.tableShown).toBe(true);
    expect(details()).toBeNull();
    act(() => table.hide()); // behind another tab
    expect(model.tableShown).toBe(false);
    expect(details()).toBeTruthy();
    act(() => table.show());
    expect(details()).toBeNull();
    act(() => Widget.detach(table)); // closed
    expect(model.tableShown).toBe(false);
    expect(details()).toBeTruthy();
    await act(() => tick());
    table.dispose();
    expect(model.tableShown).toBe(false);
  });
});
