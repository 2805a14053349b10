import { TranslationBundle } from '@jupyterlab/translation';
import { downloadIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { ErrorBanner } from '../../common/ErrorBanner';
import { formatBytes, formatTime } from '../../common/format';
import { BadgeKind, StatusBadge } from '../../common/StatusBadge';
import { useSignal } from '../../common/useSignal';
import { IFetchConfig } from '../api';
import { IReplicaStatus } from '../fetchApi';
import { FetchModel } from '../fetchModel';

/** What the fetch part of the details view does; the plugin implements it. */
export interface IDidFetchActions {
  fetch: (dids: string[], dest?: string) => void;
  fetchTo: (dids: string[]) => void;
  makeAvailable: (did: string) => void;
  /** Insert the DID's local path(s) into the current notebook. */
  insert: (did: string) => void;
  show: (path: string) => void;
  open: (path: string) => void;
  /** The hand-off to workflows: the DID as an input of a %%reana cell. */
  useAsWorkflowInput?: (did: string) => void;
}

export interface IDidFetchProps {
  did: string;
  type: string;
  instance?: string;
  config: IFetchConfig | undefined;
  model: FetchModel;
  actions: IDidFetchActions;
  trans: TranslationBundle;
}

/** A rule state as what it is, with its badge colour. */
export function replicaState(
  status: IReplicaStatus,
  trans: TranslationBundle
): { label: string; kind: BadgeKind; detail: string | null } {
  const rule = status.rule;
  if (status.available) {
    return { label: trans.__('Available'), kind: 'ok', detail: null };
  }
  if (!rule) {
    return {
      label: trans.__('Not on %1', status.rse),
      kind: 'idle',
      detail: null
    };
  }
  const total =
    rule.locks_ok_cnt + rule.locks_replicating_cnt + rule.locks_stuck_cnt;
  const counts = trans.__(
    '%1 of %2 files on %3',
    rule.locks_ok_cnt,
    total,
    status.rse
  );
  switch (rule.state) {
    case 'OK':
      return { label: trans.__('Available'), kind: 'ok', detail: counts };
    case 'REPLICATING':
      return { label: trans.__('Replicating'), kind: 'busy', detail: counts };
    case 'INJECT':
      return { label: trans.__('Being created'), kind: 'busy', detail: null };
    case 'WAITING_APPROVAL':
      return {
        label: trans.__('Waiting for approval'),
        kind: 'busy',
        detail: trans.__('An administrator must approve the rule.')
      };
    case 'STUCK':
      return {
        label: trans.__('Stuck'),
        kind: 'error',
        detail: rule.error ? `${rule.error} (${counts})` : counts
      };
    case 'SUSPENDED':
      return {
        label: trans.__('Suspended'),
        kind: 'error',
        detail: rule.error ?? counts
      };
    default:
      return { label: rule.state, kind: 'idle', detail: counts };
  }
}

function ReplicaView(props: {
  did: string;
  status: IReplicaStatus;
  actions: IDidFetchActions;
  trans: TranslationBundle;
}): JSX.Element {
  const { status, trans } = props;
  const state = replicaState(status, trans);
  const rule = status.rule;
  const total = rule
    ? rule.locks_ok_cnt + rule.locks_replicating_cnt + rule.locks_stuck_cnt
    : 0;
  const shown = status.files.filter(f => f.available).slice(0, 5);
  return (
    <div
      className="jp-escape-Datalake-DidFetch-replica"
      aria-label={trans.__('Replica on %1', status.rse)}
    >
      <div className="jp-escape-Datalake-DidFetch-line">
        <StatusBadge kind={state.kind} label={state.label} />
        {state.detail && (
          <span className="jp-escape-muted">{state.detail}</span>
        )}
      </div>
      {rule && rule.state === 'REPLICATING' && total > 0 && (
        <div
          className="jp-escape-Job-bar"
          role="progressbar"
          aria-valuenow={Math.round((100 * rule.locks_ok_cnt) / total)}
        >
          <div
            className="jp-escape-Job-barFill jp-mod-busy"
            style={{ width: `${(100 * rule.locks_ok_cnt) / total}%` }}
          />
        </div>
      )}
      {rule?.reused && rule.did !== props.did && (
        <p className="jp-escape-muted">
          {trans.__('Through the existing rule on %1', rule.did)}
        </p>
      )}
      {rule?.expires_at && (
        <p className="jp-escape-muted">
          {trans.__('Kept until %1', formatTime(rule.expires_at))}
        </p>
      )}
      {shown.length > 0 && (
        <ul
          className="jp-escape-Datalake-DidFetch-paths"
          aria-label={trans.__('Local paths')}
        >
          {shown.map(file => (
            <li key={file.did} className="jp-escape-mono" title={file.path}>
              {file.path}
            </li>
          ))}
          {(status.files.filter(f => f.available).length > shown.length ||
            status.files_truncated) && (
            <li className="jp-escape-muted">{trans.__('and more')}</li>
          )}
        </ul>
      )}
      {status.available && (
        <div className="jp-escape-Datalake-actions">
          <button
            className="jp-mod-styled jp-mod-accept"
            onClick={() => props.actions.insert(props.did)}
          >
            {trans.__('Insert into notebook')}
          </button>
        </div>
      )}
    </div>
  );
}

/** Fetch / make available, and where the DID is locally: the top of the details view. */
export function DidFetch(props: IDidFetchProps): JSX.Element {
  const { did, model, actions, trans, config } = props;
  useSignal(model.changed);
  const replicaMode = config?.mode === 'replica';
  React.useEffect(() => {
    if (replicaMode) {
      void model.lookupReplica(did, props.instance);
    }
  }, [did, replicaMode, model, props.instance]);
  const fetched = model.fetched(did, props.instance);
  const active = model.activeFor(did);
  const replica = replicaMode ? model.replica(did) : null;
  const fetchLabel = replicaMode ? trans.__('Download') : trans.__('Fetch');
  return (
    <div className="jp-escape-Datalake-DidFetch">
      <div className="jp-escape-Datalake-actions">
        {replicaMode && (
          <button
            className="jp-mod-styled jp-mod-accept"
            disabled={replica?.loading}
            title={trans.__(
              'Replicate to %1, mounted on this host',
              config?.destination_rse ?? ''
            )}
            onClick={() => actions.makeAvailable(did)}
          >
            {trans.__('Make available')}
          </button>
        )}
        <button
          className={`jp-mod-styled${replicaMode ? '' : ' jp-mod-accept'}`}
          disabled={active !== null}
          title={trans.__('Download into the workspace, checksums verified')}
          onClick={() => actions.fetch([did])}
        >
          <downloadIcon.react tag="span" className="jp-escape-inline-icon" />
          {fetchLabel}
        </button>
        <button
          className="jp-mod-styled"
          disabled={active !== null}
          onClick={() => actions.fetchTo([did])}
        >
          {trans.__('Fetch to…')}
        </button>
        {actions.useAsWorkflowInput && (
          <button
            className="jp-mod-styled"
            title={trans.__(
              'Add it as a Data Lake input (-l) of a %%reana cell: the server streams small data into the workflow, large data is read by the workflow from the lake'
            )}
            onClick={() => actions.useAsWorkflowInput!(did)}
          >
            {trans.__('Use as workflow input')}
          </button>
        )}
      </div>
      {active && (
        <p className="jp-escape-Datalake-DidFetch-line" aria-live="polite">
          <span className="jp-escape-spinner" aria-hidden="true" />
          {trans.__(
            'Fetching: %1 of %2 files, %3',
            active.files_done + active.files_present,
            active.files_total,
            formatBytes(active.bytes_done)
          )}
        </p>
      )}
      {fetched && !active && (
        <div className="jp-escape-Datalake-DidFetch-local">
          <div className="jp-escape-Datalake-DidFetch-line">
            <StatusBadge kind="ok" label={trans.__('In the workspace')} />
            <span
              className="jp-escape-mono jp-escape-Datalake-DidFetch-path"
              title={fetched.path}
            >
              {fetched.path}
            </span>
          </div>
          <div className="jp-escape-Datalake-actions">
            <button
              className="jp-mod-styled jp-mod-accept"
              onClick={() => actions.insert(did)}
            >
              {trans.__('Insert into notebook')}
            </button>
            {props.type === 'file' ? (
              <button
                className="jp-mod-styled"
                onClick={() => actions.open(fetched.path)}
              >
                {trans.__('Open')}
              </button>
            ) : null}
            <button
              className="jp-mod-styled"
              onClick={() => actions.show(fetched.path)}
            >
              {trans.__('Show in file browser')}
            </button>
          </div>
        </div>
      )}
      {replica?.error && <ErrorBanner message={replica.error} />}
      {replica?.status && (
        <ReplicaView
          did={did}
          status={replica.status}
          actions={actions}
          trans={trans}
        />
      )}
    </div>
  );
}
