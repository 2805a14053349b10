import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { errorMessage } from '../../request';
import { IFetchCheck } from '../fetchApi';

/** Where the typed destination stands: the server's answer to a `check` request. */
export interface IDestinationState {
  dest: string;
  /** A check for `dest` is waiting or under way. */
  checking: boolean;
  /** The server's refusal, as written. */
  refused: string | null;
  /** Where the first DID lands, as the server says (null until it said). */
  landsAt: string | null;
}

/** Ask the server where the DIDs would land in `dest` ('' for the default); nothing starts. */
export type CheckDestination = (
  dest: string,
  signal: AbortSignal
) => Promise<IFetchCheck>;

/**
 * The body of "Fetch to…": which DIDs, and an optional destination folder. The folder is
 * checked by the server as it is typed (debounced), with the very rule a start would meet, so a
 * refused folder is said here and the Fetch button stays disabled; the path shown is the
 * server's, never a guess.
 */
export function FetchDialogBody(props: {
  dids: string[];
  fetchDir: string;
  trans: TranslationBundle;
  check: CheckDestination;
  onChange: (state: IDestinationState) => void;
  debounceMs?: number;
}): JSX.Element {
  const { dids, trans, check, onChange } = props;
  const debounceMs = props.debounceMs ?? 300;
  const node = React.useRef<HTMLDivElement>(null);
  const [state, setState] = React.useState<IDestinationState>({
    dest: '',
    checking: true,
    refused: null,
    landsAt: null
  });

  React.useEffect(() => {
    onChange(state);
    // JupyterLab's Dialog disables its accept button while the dialog holds an element with
    // `.jp-mod-error`; it looks again on each `input` event, and our answer comes later.
    node.current?.dispatchEvent(new Event('input', { bubbles: true }));
  }, [state, onChange]);

  React.useEffect(() => {
    const controller = new AbortController();
    const dest = state.dest;
    const timer = setTimeout(
      () => {
        check(dest.trim(), controller.signal).then(
          answer => {
            if (!controller.signal.aborted) {
              setState(s => ({
                ...s,
                checking: false,
                refused: null,
                landsAt: answer.paths[0]?.path ?? answer.dest
              }));
            }
          },
          reason => {
            if (!controller.signal.aborted) {
              setState(s => ({
                ...s,
                checking: false,
                refused: errorMessage(reason, 'Checking the destination'),
                landsAt: null
              }));
            }
          }
        );
      },
      dest.trim() ? debounceMs : 0
    );
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [state.dest, check, debounceMs]);

  const first = dids[0] ?? '';
  return (
    <div className="jp-escape-Datalake-FetchDialog" ref={node}>
      <p>
        {dids.length === 1
          ? trans.__('Fetch %1 into the workspace.', first)
          : trans.__('Fetch %1 DIDs into the workspace.', dids.length)}
      </p>
      <label className="jp-escape-Datalake-FetchDialog-field">
        <span>{trans.__('Destination folder')}</span>
        <input
          className={`jp-mod-styled jp-escape-mono${
            state.refused !== null ? ' jp-mod-error' : ''
          }`}
          aria-label={trans.__('Destination folder')}
          aria-invalid={state.refused !== null}
          placeholder={props.fetchDir}
          value={state.dest}
          autoFocus
          onChange={event => {
            const dest = event.target.value;
            setState({ dest, checking: true, refused: null, landsAt: null });
          }}
        />
      </label>
      {state.checking && (
        // Keeps Fetch disabled until the server has answered for what is typed.
        <span className="jp-mod-error" hidden />
      )}
      {state.refused !== null ? (
        <p className="jp-escape-Datalake-FetchDialog-refused" role="alert">
          {state.refused}
        </p>
      ) : (
        <p className="jp-escape-muted" aria-live="polite">
          {trans.__('Relative to the workspace; empty for the default.')}{' '}
          {state.checking ? (
            trans.__('Checking…')
          ) : (
            <>
              {trans.__('Lands in')}{' '}
              <span className="jp-escape-mono">{state.landsAt}</span>
              {dids.length > 1 ? ' …' : ''}
            </>
          )}
        </p>
      )}
    </div>
  );
}
