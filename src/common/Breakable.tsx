import * as React from 'react';

/**
 * An identifier's parts, each ending after a separator (":", ".", "_", "-", "/"): where a line
 * may break ("escape_cta:" "lst1_" "calib_" "run04321." "0084." "dl1." "h5").
 */
export function breakParts(text: string): string[] {
  // Never between the slashes of "://" (or before any "/"): "http:/" + "/host" reads badly.
  return text.split(/(?<=[:._/-])(?!\/)/).filter(Boolean);
}

/**
 * A DID or a name that wraps only after its separators (review s3 §15: "cta.prod5.south.gamma.
 * run00" / "01.dl1" broke inside a word); a part wider than the line still breaks, last resort.
 */
export function Breakable(props: {
  text: string;
  className?: string;
}): JSX.Element {
  const parts = breakParts(props.text);
  return (
    <span className={`jp-escape-breakable ${props.className ?? ''}`.trim()}>
      {parts.map((part, index) => (
        <React.Fragment key={index}>
          {part}
          {index < parts.length - 1 && <wbr />}
        </React.Fragment>
      ))}
    </span>
  );
}
