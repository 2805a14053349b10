import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

/** The body of "Fetch to…": which DIDs, and an optional destination folder. */
export function FetchDialogBody(props: {
  dids: string[];
  fetchDir: string;
  trans: TranslationBundle;
  onChange: (dest: string) => void;
}): JSX.Element {
  const { dids, trans } = props;
  const [dest, setDest] = React.useState('');
  const folder = dest.trim().replace(/^\/+|\/+$/g, '') || props.fetchDir;
  const first = dids[0] ?? '';
  const [scope, ...rest] = first.split(':');
  return (
    <div className="jp-escape-FetchDialog">
      <p>
        {dids.length === 1
          ? trans.__('Fetch %1 into the workspace.', first)
          : trans.__('Fetch %1 DIDs into the workspace.', dids.length)}
      </p>
      <label className="jp-escape-FetchDialog-field">
        <span>{trans.__('Destination folder')}</span>
        <input
          className="jp-mod-styled jp-escape-mono"
          aria-label={trans.__('Destination folder')}
          placeholder={props.fetchDir}
          value={dest}
          autoFocus
          onChange={event => {
            setDest(event.target.value);
            props.onChange(event.target.value);
          }}
        />
      </label>
      <p className="jp-escape-muted">
        {trans.__('Relative to the workspace; empty for the default.')}{' '}
        {trans.__('Lands in')}{' '}
        <span className="jp-escape-mono">
          {`${folder}/${scope}/${rest.join(':').replace(/^\/+/, '')}`}
        </span>
        {dids.length > 1 ? ' …' : ''}
      </p>
    </div>
  );
}
