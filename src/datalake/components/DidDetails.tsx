import { TranslationBundle } from '@jupyterlab/translation';
import { closeIcon, copyIcon, launchIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { Breakable } from '../../common/Breakable';
import { ErrorBanner } from '../../common/ErrorBanner';
import { formatBytes, formatCount } from '../../common/format';
import { BadgeKind, StatusBadge } from '../../common/StatusBadge';
import { IDidDetails, IRule } from '../api';
import { DatalakeModel } from '../model';
import { pythonSnippet, webuiUrl } from '../snippet';

export interface IDidDetailsProps {
  did: string;
  details: IDidDetails | null;
  loading: boolean;
  error: string | null;
  webui: string | null;
  trans: TranslationBundle;
  onCopy: (text: string, what: string) => void;
  onClose: () => void;
  onRetry: () => void;
  /** Fetch actions and local state (from the fetch model), shown above the facts. */
  fetchPart?: (details: IDidDetails) => React.ReactNode;
}

function stateKind(state: string): BadgeKind {
  if (state === 'AVAILABLE' || state === 'OK') {
    return 'ok';
  }
  if (
    [
      'PARTIAL',
      'REPLICATING',
      'COPYING',
      'WAITING_APPROVAL',
      'INJECT'
    ].includes(state)
  ) {
    return 'busy';
  }
  return 'error';
}

function ruleProgress(rule: IRule): string {
  const total =
    rule.locks_ok_cnt + rule.locks_replicating_cnt + rule.locks_stuck_cnt;
  return `${rule.locks_ok_cnt}/${total} ok · ${rule.locks_replicating_cnt} replicating · ${rule.locks_stuck_cnt} stuck`;
}

/** Storage elements with a state badge and one line of facts each (replicas, availability). */
function RseSection(props: {
  title: string;
  empty: string;
  items: { rse: string; state: string; facts: string }[];
}): JSX.Element {
  return (
    <>
      <h4>{props.title}</h4>
      {props.items.length === 0 ? (
        <p className="jp-escape-muted">{props.empty}</p>
      ) : (
        <ul className="jp-escape-Datalake-rses" aria-label={props.title}>
          {props.items.map(item => (
            <li key={item.rse}>
              <span className="jp-escape-Datalake-rseName">{item.rse}</span>
              <StatusBadge kind={stateKind(item.state)} label={item.state} />
              <span className="jp-escape-muted jp-escape-Datalake-rseFacts">
                {item.facts}
              </span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** Everything about one DID: size, checksums, where it is, rules, metadata, and actions. */
export function DidDetails(props: IDidDetailsProps): JSX.Element {
  const { details, trans } = props;
  const link = details
    ? webuiUrl(props.webui, details.scope, details.name)
    : null;
  return (
    <section
      className="jp-escape-Datalake-details"
      aria-label={trans.__('Details of %1', props.did)}
    >
      <header className="jp-escape-Datalake-detailsHead">
        <h3 title={props.did}>
          <Breakable
            text={details?.name ?? props.did.split(':').slice(1).join(':')}
          />
        </h3>
        <button
          className="jp-escape-iconButton"
          title={trans.__('Close the details')}
          onClick={props.onClose}
        >
          <closeIcon.react tag="span" />
        </button>
      </header>
      {props.loading && (
        <p className="jp-escape-muted">{trans.__('Loading details…')}</p>
      )}
      {props.error && (
        <ErrorBanner message={props.error} onRetry={props.onRetry} />
      )}
      {details && (
        <>
          <div className="jp-escape-Datalake-actions">
            <button
              className="jp-mod-styled"
              onClick={() => props.onCopy(details.did, trans.__('DID'))}
            >
              <copyIcon.react tag="span" className="jp-escape-inline-icon" />
              {trans.__('Copy DID')}
            </button>
            <button
              className="jp-mod-styled"
              onClick={() =>
                props.onCopy(pythonSnippet(details), trans.__('Python snippet'))
              }
            >
              <copyIcon.react tag="span" className="jp-escape-inline-icon" />
              {trans.__('Copy Python')}
            </button>
            {link && (
              <a
                className="jp-mod-styled jp-escape-linkButton"
                href={link}
                target="_blank"
                rel="noopener noreferrer"
              >
                <launchIcon.react
                  tag="span"
                  className="jp-escape-inline-icon"
                />
                {trans.__('Rucio WebUI')}
              </a>
            )}
          </div>
          {props.fetchPart?.(details)}
          <dl className="jp-escape-facts">
            <dt>{trans.__('DID')}</dt>
            <dd className="jp-escape-mono">
              <Breakable text={details.did} />
            </dd>
            <dt>{trans.__('Type')}</dt>
            <dd>{details.type}</dd>
            {details.type !== 'file' && (
              <>
                <dt>{trans.__('Files')}</dt>
                <dd>
                  {details.length === null ? '—' : formatCount(details.length)}
                </dd>
              </>
            )}
            <dt>{trans.__('Size')}</dt>
            <dd
              title={
                details.bytes === null
                  ? ''
                  : `${formatCount(details.bytes)} bytes`
              }
            >
              {formatBytes(details.bytes)}
            </dd>
            {details.type === 'file' && (
              <>
                <dt>adler32</dt>
                <dd className="jp-escape-mono">{details.adler32 ?? '—'}</dd>
                <dt>md5</dt>
                <dd className="jp-escape-mono">{details.md5 ?? '—'}</dd>
              </>
            )}
            {details.account && (
              <>
                <dt>{trans.__('Owner')}</dt>
                <dd>{details.account}</dd>
              </>
            )}
          </dl>
          {details.replicas && (
            <RseSection
              title={trans.__('Replicas')}
              empty={trans.__('No replica: the file is nowhere.')}
              items={details.replicas.map(replica => ({
                rse: replica.rse,
                state: replica.state,
                facts: replica.schemes.length
                  ? trans.__('readable over %1', replica.schemes.join(', '))
                  : trans.__('no protocol for reading')
              }))}
            />
          )}
          {details.availability && (
            <RseSection
              title={trans.__('Availability')}
              empty={trans.__('No replica on any storage.')}
              items={details.availability.map(a => ({
                rse: a.rse,
                state: a.state,
                facts: trans.__(
                  '%1 of %2 files · %3',
                  formatCount(a.available_length),
                  formatCount(a.length),
                  formatBytes(a.available_bytes)
                )
              }))}
            />
          )}
          {details.type !== 'file' && (
            <>
              <h4>{trans.__('Replication rules')}</h4>
              {details.rules.length === 0 ? (
                <p className="jp-escape-muted">{trans.__('No rule.')}</p>
              ) : (
                <ul className="jp-escape-Datalake-rules">
                  {details.rules.map(rule => (
                    <li key={rule.id}>
                      <StatusBadge
                        kind={stateKind(rule.state)}
                        label={rule.state}
                      />{' '}
                      <span className="jp-escape-mono">
                        {rule.rse_expression}
                      </span>{' '}
                      <span className="jp-escape-muted">
                        {trans.__('by %1', rule.account)} · {ruleProgress(rule)}
                      </span>
                    </li>
                  ))}
                </ul>
              )}
            </>
          )}
          <h4>{trans.__('Metadata')}</h4>
          {Object.keys(details.metadata).length === 0 ? (
            <p className="jp-escape-muted">{trans.__('No metadata.')}</p>
          ) : (
            <dl className="jp-escape-facts">
              {Object.entries(details.metadata).map(([key, value]) => (
                <React.Fragment key={key}>
                  <dt>{key}</dt>
                  <dd>{String(value)}</dd>
                </React.Fragment>
              ))}
            </dl>
          )}
        </>
      )}
    </section>
  );
}

/** The details of the model's selected DID (the sidebar and the table view show the same). */
export function SelectedDidDetails(props: {
  model: DatalakeModel;
  trans: TranslationBundle;
  onCopy: (text: string, what: string) => void;
  fetchPart?: (details: IDidDetails) => React.ReactNode;
}): JSX.Element | null {
  const { model } = props;
  const did = model.selectedDid;
  if (!did) {
    return null;
  }
  return (
    <DidDetails
      did={did}
      details={model.selected}
      loading={model.detailsLoading}
      error={model.detailsError}
      webui={model.whoami?.instance.webui_url ?? null}
      trans={props.trans}
      onCopy={props.onCopy}
      onClose={() => model.clearSelection()}
      onRetry={() => void model.select(did)}
      fetchPart={props.fetchPart}
    />
  );
}
