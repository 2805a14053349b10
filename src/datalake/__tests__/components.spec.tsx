import { nullTranslator } from '@jupyterlab/translation';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import * as React from 'react';

import { DatalakePanel } from '../components/DatalakePanel';
import { DatalakeModel } from '../model';
import { pythonSnippet, webuiUrl } from '../snippet';
import { details, fakeApi, row, tick } from './fakeApi';

const trans = nullTranslator.load('jupyterlab_escape');

async function renderPanel() {
  const { api, searches, contents } = fakeApi();
  const model = new DatalakeModel(api);
  const onCopy = jest.fn();
  render(<DatalakePanel model={model} trans={trans} onCopy={onCopy} />);
  await act(() => model.connect());
  return { model, searches, contents, onCopy };
}

describe('DatalakePanel', () => {
  it('starts with the identity and the scopes as shortcuts', async () => {
    await renderPanel();
    const instance = screen.getByLabelText(
      'Rucio instance'
    ) as HTMLSelectElement;
    expect(instance.value).toBe('tb');
    expect(screen.getByText('root (userpass)')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'user.jdoe' })).toBeTruthy();
  });

  it('searches on Enter, counts rows live, and offers Stop while running', async () => {
    const { searches } = await renderPanel();
    const input = screen.getByLabelText('Data Lake query');
    fireEvent.change(input, { target: { value: 'escape_cta:cta*' } });
    await act(async () => {
      fireEvent.submit(input.closest('form')!);
      await tick();
    });
    expect(searches[0].params.query).toBe('escape_cta:cta*');
    await act(async () => {
      searches[0].feed.push(row('cta.a', 'dataset'), row('cta.b', 'dataset'));
      await new Promise(resolve => setTimeout(resolve, 120));
    });
    expect(screen.getByText(/2 rows so far/)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Stop' })).toBeTruthy();
    await act(async () => {
      searches[0].feed.end();
      await tick();
    });
    expect(screen.getByText('2 rows')).toBeTruthy();
    expect(screen.getAllByRole('listitem')).toHaveLength(2);
  });

  it('shows an empty state, not a blank panel', async () => {
    const { searches } = await renderPanel();
    fireEvent.click(screen.getByRole('button', { name: 'escape_cta' }));
    await act(async () => {
      await tick();
      searches[0].feed.end();
      await tick();
    });
    expect(
      screen.getByText('Nothing in the Data Lake matches “escape_cta”.')
    ).toBeTruthy();
  });

  it('opens a file and shows checksums, replicas and copy actions', async () => {
    const { searches, onCopy } = await renderPanel();
    fireEvent.click(screen.getByRole('button', { name: 'escape_cta' }));
    await act(async () => {
      await tick();
      searches[0].feed.push(row('f1.h5'));
      searches[0].feed.end();
      await tick();
    });
    await act(async () => {
      fireEvent.click(screen.getByTitle('escape_cta:f1.h5 (file)'));
      await tick();
    });
    const pane = screen.getByRole('region', {
      name: 'Details of escape_cta:f1.h5'
    });
    expect(within(pane).getByText('0a1b2c3d')).toBeTruthy();
    expect(within(pane).getByText('ESCAPE_DISK')).toBeTruthy();
    expect(within(pane).getByText('readable over https')).toBeTruthy();
    fireEvent.click(within(pane).getByRole('button', { name: /Copy DID/ }));
    expect(onCopy).toHaveBeenCalledWith('escape_cta:f1.h5', 'DID');
  });

  it('renders only the visible part of a long listing', async () => {
    const { searches } = await renderPanel();
    fireEvent.click(screen.getByRole('button', { name: 'escape_cta' }));
    await act(async () => {
      await tick();
      for (let i = 0; i < 5000; i++) {
        searches[0].feed.rows.push(row(`file${i}.h5`));
      }
      searches[0].feed.end();
      await new Promise(resolve => setTimeout(resolve, 50));
    });
    expect(screen.getByText('5,000 rows')).toBeTruthy();
    expect(screen.getAllByRole('listitem').length).toBeLessThan(100);
  });
});

describe('snippets', () => {
  it('quotes any DID safely in Python', () => {
    const code = pythonSnippet({
      ...details('escape_lofar:/a/"b".h5', 'file')
    });
    expect(code).toContain('fetched = fetch("escape_lofar:/a/\\"b\\".h5")');
    // Through the extension's kernel API: no Rucio client in the kernel (#21).
    expect(code).toContain('from jupyterlab_escape.kernel import fetch');
    expect(code).not.toContain('rucio');
  });

  it('links to the WebUI only when configured', () => {
    expect(webuiUrl(null, 's', 'n')).toBeNull();
    expect(webuiUrl('https://ui.example/', 'user.jdoe', '/a b')).toBe(
      'https://ui.example/did?scope=user.jdoe&name=%2Fa+b'
    );
  });
});
