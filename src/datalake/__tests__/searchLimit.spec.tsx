import { nullTranslator } from '@jupyterlab/translation';
import { fireEvent, render, screen } from '@testing-library/react';
import * as React from 'react';

import { limitProblem, SearchForm } from '../components/SearchForm';

const trans = nullTranslator.load('jupyterlab_escape');

/** #21: a limit of -5 silently became 1; now it is refused and explained, nothing searched. */
describe('the row limit', () => {
  function form() {
    const onChange = jest.fn();
    const onSearch = jest.fn();
    const state = {
      query: 'escape_cta',
      type: 'all',
      limit: 1000,
      filters: []
    } as any;
    render(
      <SearchForm
        state={state}
        scopes={[]}
        running={false}
        trans={trans}
        onChange={onChange}
        onSearch={onSearch}
        onStop={() => undefined}
      />
    );
    return { onChange, onSearch };
  }

  it.each(['-5', '0', '2.5', 'abc', '', '1000001'])(
    'refuses %p with a reason and searches nothing',
    text => {
      const { onChange, onSearch } = form();
      const input = screen.getByRole('spinbutton');
      fireEvent.change(input, { target: { value: text } });
      expect(onChange).not.toHaveBeenCalledWith(
        expect.objectContaining({ limit: expect.anything() })
      );
      expect(input.getAttribute('aria-invalid')).toBe('true');
      expect(screen.getByRole('alert').textContent).toMatch(
        /^The limit is (a whole number of rows, )?from 1 to 1000000/
      );
      const search = screen.getByRole('button', { name: /Search/ });
      expect((search as HTMLButtonElement).disabled).toBe(true);
      fireEvent.submit(search.closest('form')!);
      expect(onSearch).not.toHaveBeenCalled();
    }
  );

  it('takes a good limit as typed', () => {
    const { onChange } = form();
    fireEvent.change(screen.getByRole('spinbutton'), {
      target: { value: '250' }
    });
    expect(onChange).toHaveBeenCalledWith({ limit: 250 });
    expect(screen.queryByRole('alert')).toBeNull();
    expect(limitProblem('1', trans)).toBeNull();
  });
});
