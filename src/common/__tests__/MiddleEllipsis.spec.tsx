import { nullTranslator } from '@jupyterlab/translation';
import { render, screen } from '@testing-library/react';
import * as React from 'react';

import { DidList } from '../../datalake/components/DidList';
import { splitName } from '../MiddleEllipsis';

/** #21: eight rows read "gamma_20deg_18…": names differing at their end must stay apart. */
describe('names cut in the middle', () => {
  it('keeps the end of a long name whole, never splitting a character', () => {
    expect(splitName('gamma_20deg_180deg_run0042.h5', 10)).toEqual([
      'gamma_20deg_180deg_',
      'run0042.h5'
    ]);
    expect(splitName('short.h5')).toEqual(['short.h5', '']);
    const [head, tail] = splitName('a'.repeat(20) + '😀'.repeat(10), 5);
    expect(tail).toBe('😀'.repeat(5));
    expect(head + tail).toBe('a'.repeat(20) + '😀'.repeat(10));
  });

  it('the Data Lake rows show each name whole as tooltip and accessible text', () => {
    const names = [
      'gamma_20deg_180deg_run0041.h5',
      'gamma_20deg_180deg_run0042.h5'
    ];
    render(
      <DidList
        rows={
          names.map(name => ({
            scope: 'escape_cta',
            name,
            type: 'file',
            bytes: 10,
            length: null
          })) as any
        }
        version={1}
        selectedDid={null}
        trans={nullTranslator.load('jupyterlab_escape')}
        onOpen={() => undefined}
      />
    );
    for (const name of names) {
      const label = screen.getByLabelText(name);
      expect(label.getAttribute('title')).toBe(name);
      expect(
        label.querySelector('.jp-escape-MiddleEllipsis-tail')?.textContent
      ).toBe(name.slice(-16));
    }
  });
});
