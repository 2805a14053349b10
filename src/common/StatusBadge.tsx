import * as React from 'react';

export type BadgeKind = 'ok' | 'error' | 'idle' | 'busy';

/** A small coloured pill with a text label: colour is never the only signal. */
export function StatusBadge(props: {
  kind: BadgeKind;
  label: string;
}): JSX.Element {
  return (
    <span className={`jp-escape-Badge jp-escape-Badge-${props.kind}`}>
      <span className="jp-escape-Badge-dot" aria-hidden="true" />
      {props.label}
    </span>
  );
}
