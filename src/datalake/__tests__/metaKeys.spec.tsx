import { nullTranslator } from '@jupyterlab/translation';
import { render, screen } from '@testing-library/react';
import * as React from 'react';

import { SearchForm } from '../components/SearchForm';
import { DatalakeModel } from '../model';
import { fakeApi } from './fakeApi';

const trans = nullTranslator.load('jupyterlab_escape');

/** #21: the metadata filter suggests the keys Rucio offers and explains a key it does not know. */
describe('metadata filter keys', () => {
  function form(key: string, metaKeys = ['datatype', 'project', 'run_number']) {
    const state = {
      query: 'escape_cta',
      type: 'all',
      limit: 1000,
      filters: [{ key, op: '=', value: 'x' }]
    } as any;
    return render(
      <SearchForm
        state={state}
        scopes={[]}
        metaKeys={metaKeys}
        running={false}
        trans={trans}
        onChange={() => undefined}
        onSearch={() => undefined}
        onStop={() => undefined}
      />
    );
  }

  it('suggests the keys Rucio knows in the key field', () => {
    const { container } = form('datatype');
    const input = screen.getByLabelText('Filter key');
    const list = container.querySelector(
      `datalist#${input.getAttribute('list')}`
    );
    expect([...list!.querySelectorAll('option')].map(o => o.value)).toEqual([
      'datatype',
      'project',
      'run_number'
    ]);
    expect(input.getAttribute('aria-invalid')).toBe('false');
    expect(screen.queryByRole('note')).toBeNull();
  });

  it('explains a key Rucio does not know, and one that cannot be a key', () => {
    form('datatyp');
    expect(
      screen.getByLabelText('Filter key').getAttribute('aria-invalid')
    ).toBe('true');
    expect(screen.getByRole('note').textContent).toBe(
      'Rucio knows no metadata key “datatyp” here; it may refuse the search. Did you mean datatype?'
    );
  });

  it('a key that cannot be one says why', () => {
    form('data type');
    expect(screen.getByRole('note').textContent).toMatch(
      /is not a metadata key/
    );
  });

  it('the model loads the suggestions of the instance', async () => {
    const { api } = fakeApi();
    const model = new DatalakeModel(api);
    await model.connect();
    expect(model.metaKeys).toEqual(['datatype', 'project', 'run_number']);
  });
});
