import { VDomModel } from '@jupyterlab/ui-components';
import * as React from 'react';

/** Re-render the calling component whenever `model` signals a change. */
export function useModel(model: VDomModel | null): void {
  const [, setTick] = React.useState(0);
  React.useEffect(() => {
    if (!model) {
      return;
    }
    const changed = () => setTick(tick => tick + 1);
    model.stateChanged.connect(changed);
    return () => {
      model.stateChanged.disconnect(changed);
    };
  }, [model]);
}
