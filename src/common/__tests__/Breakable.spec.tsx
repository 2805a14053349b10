import { render, screen } from '@testing-library/react';
import * as React from 'react';

import { Breakable, breakParts } from '../Breakable';

describe('Breakable (review s3 §15)', () => {
  it('lets an identifier break only after its separators', () => {
    expect(breakParts('escape_cta:lst1_calib_run04321.0084.dl1.h5')).toEqual([
      'escape_',
      'cta:',
      'lst1_',
      'calib_',
      'run04321.',
      '0084.',
      'dl1.',
      'h5'
    ]);
    expect(breakParts('a-b/c')).toEqual(['a-', 'b/', 'c']);
    expect(breakParts('plain')).toEqual(['plain']);
    expect(breakParts('http://127.0.0.1:18600/hub/login')).toEqual([
      'http://',
      '127.',
      '0.',
      '0.',
      '1:',
      '18600/',
      'hub/',
      'login'
    ]);
  });

  it('reads as the whole text, with a break opportunity after each separator', () => {
    const did = 'escape_opendata:crab.nebula.sample';
    render(<Breakable text={did} />);
    const span = screen.getByText(did);
    expect(span.textContent).toBe(did);
    expect(span.querySelectorAll('wbr')).toHaveLength(4);
    expect(span.classList.contains('jp-escape-breakable')).toBe(true);
  });
});
