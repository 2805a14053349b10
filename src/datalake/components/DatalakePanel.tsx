import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { ErrorBanner } from '../../common/ErrorBanner';
import { formatClock, formatCount, formatTime } from '../../common/format';
import { useSignal } from '../../common/useSignal';
import { IDidDetails } from '../api';
import { DatalakeModel } from '../model';
import { Breadcrumbs } from './Breadcrumbs';
import { SelectedDidDetails } from './DidDetails';
import { DidList } from './DidList';
import { SearchForm } from './SearchForm';

export interface IDatalakePanelProps {
  model: DatalakeModel;
  trans: TranslationBundle;
  onCopy: (text: string, what: string) => void;
  /** Called after each search starts, to remember the query. */
  onSearched?: () => void;
  /** Fetch the ticked DIDs (with a destination dialog when `ask`). */
  onFetch?: (dids: string[], ask: boolean) => void;
  /** The fetch part of the details view. */
  fetchPart?: (details: IDidDetails) => React.ReactNode;
  /** The fetches section, below everything. */
  fetches?: React.ReactNode;
}

/** "3 selected · Fetch · Fetch to… · Clear": what to do with the ticked rows. */
function SelectionBar(props: {
  model: DatalakeModel;
  trans: TranslationBundle;
  onFetch: (dids: string[], ask: boolean) => void;
}): JSX.Element | null {
  const { model, trans } = props;
  const checked = model.checked;
  if (checked.length === 0) {
    return null;
  }
  return (
    <div
      className="jp-escape-Datalake-selection"
      role="toolbar"
      aria-label={trans.__('Selected DIDs')}
    >
      <span title={checked.join('\n')}>
        {trans._n('%1 selected', '%1 selected', checked.length)}
      </span>
      <button
        className="jp-mod-styled jp-mod-accept"
        onClick={() => {
          props.onFetch(checked.slice(), false);
          model.clearChecked();
        }}
      >
        {trans.__('Fetch')}
      </button>
      <button
        className="jp-mod-styled"
        onClick={() => props.onFetch(checked.slice(), true)}
      >
        {trans.__('Fetch to…')}
      </button>
      <button
        className="jp-escape-linkButton"
        onClick={() => model.clearChecked()}
      >
        {trans.__('Clear')}
      </button>
    </div>
  );
}

/** "08:05 UTC" within the day, the date too when further away. */
export function tokenExpiry(iso: string, now: number = Date.now()): string {
  const at = Date.parse(iso);
  return !isNaN(at) && Math.abs(at - now) < 20 * 3600 * 1000
    ? formatClock(iso)
    : formatTime(iso);
}

function Identity(props: {
  model: DatalakeModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  const who = model.whoami;
  if (model.identityError) {
    return (
      <ErrorBanner
        message={model.identityError}
        loginUrl={model.identityLoginUrl}
        onRetry={() => void model.connect()}
        retryLabel={trans.__('Retry')}
      />
    );
  }
  if (!who) {
    return (
      <p className="jp-escape-muted">{trans.__('Connecting to Rucio…')}</p>
    );
  }
  const expires = who.auth.token_expires_at
    ? tokenExpiry(who.auth.token_expires_at)
    : null;
  const instances = who.instances ?? [];
  return (
    <div className="jp-escape-Datalake-identity" title={who.instance.url}>
      {instances.length > 1 ? (
        <select
          className="jp-mod-styled jp-escape-Datalake-instance"
          aria-label={trans.__('Rucio instance')}
          value={who.instance.name}
          onChange={event => void model.setInstance(event.target.value)}
        >
          {instances.map(instance => (
            <option key={instance.name} value={instance.name}>
              {instance.display_name}
            </option>
          ))}
        </select>
      ) : (
        <strong>{who.instance.display_name}</strong>
      )}
      <span className="jp-escape-Datalake-account">
        {trans.__('%1 (%2)', who.account.account, who.auth.auth_type)}
      </span>
      {expires && (
        // Its own line, never cut: the time is the useful part (review s3 §15).
        <span className="jp-escape-Datalake-token jp-escape-muted">
          {trans.__('token until %1', expires)}
        </span>
      )}
    </div>
  );
}

/** The Data Lake sidebar: who we are, the query, the streamed listing and the details. */
export function DatalakePanel(props: IDatalakePanelProps): JSX.Element {
  const { model, trans } = props;
  useSignal(model.changed);
  const level = model.current;
  const state = model.state;
  const search = () => {
    void model.search();
    props.onSearched?.();
  };

  let status: React.ReactNode = null;
  if (level) {
    const count = formatCount(level.rows.length);
    status = (
      <div className="jp-escape-Datalake-status" aria-live="polite">
        {level.running ? (
          <span>
            <span className="jp-escape-spinner" aria-hidden="true" />
            {trans.__('%1 rows so far…', count)}
          </span>
        ) : (
          <span>
            {level.rows.length === 1
              ? trans.__('1 row')
              : trans.__('%1 rows', count)}
          </span>
        )}
        {!level.running && level.limitReached && (
          <span>
            {' · '}
            {trans.__('limit of %1 reached', formatCount(level.limit))}{' '}
            <button
              className="jp-escape-linkButton"
              onClick={() => void model.raiseLimit()}
            >
              {trans.__('Show up to %1', formatCount(level.limit * 10))}
            </button>
          </span>
        )}
      </div>
    );
  }

  let body: React.ReactNode;
  if (!level) {
    body = (
      <div className="jp-escape-Datalake-empty">
        <p>
          {trans.__(
            'Type a scope to browse it, or scope:name with * wildcards, then press Enter.'
          )}
        </p>
        {/* No shortcuts to browse while nothing can be searched (signed out). */}
        {model.scopes.length > 0 && !model.identityError && (
          <div className="jp-escape-chips" aria-label={trans.__('Scopes')}>
            {model.scopes.map(scope => (
              <button
                key={scope}
                className="jp-escape-chip"
                onClick={() => {
                  model.update({ query: scope });
                  search();
                }}
              >
                {scope}
              </button>
            ))}
          </div>
        )}
      </div>
    );
  } else if (level.error) {
    body = (
      <ErrorBanner
        message={level.error}
        loginUrl={level.loginUrl}
        retryLabel={trans.__('Retry')}
        onRetry={() =>
          level.did === null ? search() : void model.raiseLimit()
        }
      />
    );
  } else if (!level.running && level.rows.length === 0) {
    body = (
      <div className="jp-escape-Datalake-empty">
        <p>
          {level.did === null
            ? trans.__('Nothing in the Data Lake matches “%1”.', level.label)
            : trans.__('This collection is empty.')}
        </p>
      </div>
    );
  } else {
    body = (
      <DidList
        rows={level.rows}
        version={model.version}
        selectedDid={model.selectedDid}
        trans={trans}
        onOpen={row => void model.open(row)}
        isChecked={props.onFetch ? did => model.isChecked(did) : undefined}
        onToggle={props.onFetch ? did => model.toggleChecked(did) : undefined}
      />
    );
  }

  return (
    <div className="jp-escape-Datalake">
      <Identity model={model} trans={trans} />
      <SearchForm
        state={state}
        scopes={model.scopes}
        metaKeys={model.metaKeys}
        running={level?.running ?? false}
        trans={trans}
        onChange={partial => model.update(partial)}
        onSearch={search}
        onStop={() => model.stop()}
      />
      <Breadcrumbs
        levels={model.levels}
        trans={trans}
        onGoTo={index => model.goTo(index)}
      />
      {status}
      {props.onFetch && (
        <SelectionBar model={model} trans={trans} onFetch={props.onFetch} />
      )}
      {/* Without a listing the body takes only its height: the jobs below get the room. */}
      <div
        className={
          level && !level.error && level.rows.length > 0
            ? 'jp-escape-Datalake-body'
            : 'jp-escape-Datalake-body jp-mod-empty'
        }
      >
        {body}
      </div>
      {!model.tableShown && (
        <SelectedDidDetails
          model={model}
          trans={trans}
          onCopy={props.onCopy}
          fetchPart={props.fetchPart}
        />
      )}
      {props.fetches}
    </div>
  );
}
