import * as React from 'react';

/** How many characters of a name's end always stay in sight. */
export const TAIL_CHARS = 16;

/** A long name's head and tail: the tail (run number, extension) is never cut. */
export function splitName(
  text: string,
  tail: number = TAIL_CHARS
): [string, string] {
  const chars = Array.from(text); // never split a surrogate pair
  if (chars.length <= tail + 4) {
    return [text, ''];
  }
  return [
    chars.slice(0, chars.length - tail).join(''),
    chars.slice(chars.length - tail).join('')
  ];
}

/**
 * A name shortened in the middle when its box is too narrow ("gamma_20deg_1…run0042.h5"), so
 * names that differ only at their end stay distinguishable (#21: eight rows read
 * "gamma_20deg_18…"); the whole name is the tooltip and the accessible text.
 */
export function MiddleEllipsis(props: {
  text: string;
  className?: string;
  tail?: number;
  /** The tooltip, when it says more than the name (several DIDs); the name by default. */
  tooltip?: string;
}): JSX.Element {
  const [head, tail] = splitName(props.text, props.tail);
  return (
    <span
      className={`jp-escape-MiddleEllipsis ${props.className ?? ''}`.trim()}
      title={props.tooltip ?? props.text}
      aria-label={props.text}
    >
      <span className="jp-escape-MiddleEllipsis-head" aria-hidden="true">
        {head}
      </span>
      {tail && (
        <span className="jp-escape-MiddleEllipsis-tail" aria-hidden="true">
          {tail}
        </span>
      )}
    </span>
  );
}
