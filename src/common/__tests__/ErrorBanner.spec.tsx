import { fireEvent, render, screen } from '@testing-library/react';
import * as React from 'react';

import { ErrorBanner } from '../ErrorBanner';

describe('ErrorBanner', () => {
  it('offers Retry as a neutral button, not a red danger one (review s3 §13)', () => {
    const onRetry = jest.fn();
    render(<ErrorBanner message="Rucio did not answer." onRetry={onRetry} />);
    const retry = screen.getByRole('button', { name: 'Retry' });
    expect(retry.classList.contains('jp-mod-styled')).toBe(true);
    expect(retry.classList.contains('jp-mod-warn')).toBe(false);
    fireEvent.click(retry);
    expect(onRetry).toHaveBeenCalledTimes(1);
  });
});
