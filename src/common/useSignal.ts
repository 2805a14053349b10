import { ISignal } from '@lumino/signaling';
import * as React from 'react';

/** Re-render the calling component whenever `signal` fires. */
export function useSignal(signal: ISignal<unknown, unknown>): void {
  const [, setTick] = React.useState(0);
  React.useEffect(() => {
    const onChange = () => setTick(tick => tick + 1);
    signal.connect(onChange);
    return () => {
      signal.disconnect(onChange);
    };
  }, [signal]);
}
