import { TranslationBundle } from '@jupyterlab/translation';
import { refreshIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { ErrorBanner } from '../../common/ErrorBanner';
import { formatTime } from '../../common/format';
import { BadgeKind, StatusBadge } from '../../common/StatusBadge';
import { IServiceIdentity, IServiceStatus, IStatusReport } from '../api';

/** A button of a service's card: the command it runs (its panel, its credentials dialog). */
export interface IServiceAction {
  command: string;
  label: string;
}

/** Where each card leads: the service's panel first, then where its identity is set. */
export function serviceActions(
  trans: TranslationBundle
): Record<string, IServiceAction[]> {
  return {
    rucio: [
      {
        command: 'escape:datalake-open',
        label: trans.__('Open the Data Lake')
      },
      {
        command: 'escape:datalake-credentials',
        label: trans.__('Rucio credentials…')
      }
    ],
    reana: [
      {
        command: 'escape:workflows-open',
        label: trans.__('Open REANA workflows')
      }
    ],
    zenodo: [
      {
        command: 'escape:catalogue-open',
        label: trans.__('Open the Software Catalogue')
      },
      {
        command: 'escape:catalogue-uploads',
        label: trans.__('Zenodo token and uploads…')
      }
    ]
  };
}

export interface IServicesViewProps {
  report: IStatusReport | null;
  loading: boolean;
  error: string | null;
  trans: TranslationBundle;
  onRefresh: () => void;
  /** Runs a card's action; without it the cards show no buttons. */
  onAction?: (command: string) => void;
  /** Whether an action's command exists in this JupyterLab (a slice may be disabled). */
  canRun?: (command: string) => boolean;
}

function badgeFor(
  service: IServiceStatus,
  trans: TranslationBundle
): [BadgeKind, string] {
  if (!service.configured) {
    return ['idle', trans.__('Not configured')];
  }
  return service.reachable
    ? ['ok', trans.__('Reachable')]
    : ['error', trans.__('Unreachable')];
}

function identityBadge(
  identity: IServiceIdentity,
  trans: TranslationBundle
): [BadgeKind, string] {
  if (identity.signs_in === true) {
    return ['ok', trans.__('Signs in: yes')];
  }
  if (identity.signs_in === false) {
    return ['error', trans.__('Signs in: no')];
  }
  return ['idle', trans.__('Signs in: not checked')];
}

function expiry(value: string | null, trans: TranslationBundle): string {
  if (!value) {
    return trans.__('does not expire');
  }
  return formatTime(value);
}

function ServiceCard(props: {
  service: IServiceStatus;
  trans: TranslationBundle;
  actions: IServiceAction[];
  onAction?: (command: string) => void;
}): JSX.Element {
  const { service, trans, actions, onAction } = props;
  const [kind, label] = badgeFor(service, trans);
  const identity = service.reachable ? service.identity : undefined;
  const [idKind, idLabel] = identity
    ? identityBadge(identity, trans)
    : ['idle' as BadgeKind, ''];
  return (
    <li
      className="jp-escape-Status-card"
      data-service={service.id}
      aria-label={service.name}
    >
      <div className="jp-escape-Status-card-head">
        <h3 className="jp-escape-Status-card-name">{service.name}</h3>
        <span className="jp-escape-Status-card-badges">
          <StatusBadge kind={kind} label={label} />
          {identity && <StatusBadge kind={idKind} label={idLabel} />}
        </span>
      </div>
      <dl className="jp-escape-Status-card-facts">
        <dt>{trans.__('URL')}</dt>
        <dd className={service.url ? 'jp-escape-mono' : undefined}>
          {service.url || '—'}
        </dd>
        <dt>{trans.__('Version')}</dt>
        <dd>
          {service.version ??
            (service.reachable ? trans.__('not reported') : '—')}
        </dd>
        <dt>{trans.__('Round trip')}</dt>
        <dd>
          {service.rtt_ms === null ? '—' : `${service.rtt_ms.toFixed(0)} ms`}
        </dd>
        {identity?.signs_in && (
          <>
            {identity.account && (
              <>
                <dt>{trans.__('Signed in as')}</dt>
                <dd>{identity.account}</dd>
              </>
            )}
            <dt>{trans.__('Token')}</dt>
            <dd>
              {identity.expires_at
                ? trans.__('expires %1', expiry(identity.expires_at, trans))
                : expiry(null, trans)}
              {identity.detail ? ` · ${identity.detail}` : ''}
            </dd>
          </>
        )}
      </dl>
      {service.reachable && service.detail && (
        <p className="jp-escape-Status-card-detail">{service.detail}</p>
      )}
      {!service.reachable && service.reason && (
        <p
          className={
            service.configured
              ? 'jp-escape-Status-card-reason jp-mod-error'
              : 'jp-escape-Status-card-reason'
          }
        >
          {service.reason}
        </p>
      )}
      {identity && identity.signs_in !== true && identity.reason && (
        <p
          className={
            identity.signs_in === false
              ? 'jp-escape-Status-card-reason jp-mod-error'
              : 'jp-escape-Status-card-reason'
          }
        >
          {identity.signs_in === false
            ? trans.__('Signing in failed: %1', identity.reason)
            : identity.reason}
        </p>
      )}
      {onAction && actions.length > 0 && (
        <div className="jp-escape-Status-card-actions">
          {actions.map(action => (
            <button
              key={action.command}
              className="jp-mod-styled jp-escape-Status-action"
              onClick={() => onAction(action.command)}
            >
              {action.label}
            </button>
          ))}
        </div>
      )}
    </li>
  );
}

/** "ESCAPE services": whether each upstream answers through the server extension right now. */
export function ServicesView(props: IServicesViewProps): JSX.Element {
  const { report, loading, error, trans, onRefresh, onAction, canRun } = props;
  const actions = serviceActions(trans);
  const checked = report ? formatTime(report.checked_at) : null;
  return (
    <div className="jp-escape-Status">
      <header className="jp-escape-Status-header">
        <div>
          <h2 className="jp-escape-Status-title">
            {trans.__('ESCAPE services')}
          </h2>
          <p className="jp-escape-Status-subtitle" aria-live="polite">
            {loading
              ? trans.__('Checking…')
              : checked
                ? trans.__('Last checked at %1', checked)
                : trans.__('Not checked yet')}
          </p>
        </div>
        <button
          className="jp-mod-styled jp-escape-Status-refresh"
          onClick={onRefresh}
          disabled={loading}
          title={trans.__('Check every service again')}
        >
          <refreshIcon.react tag="span" className="jp-escape-inline-icon" />
          {trans.__('Refresh')}
        </button>
      </header>
      {error && (
        <ErrorBanner
          message={error}
          onRetry={onRefresh}
          retryLabel={trans.__('Retry')}
        />
      )}
      {report && (
        <ul className="jp-escape-Status-list">
          {report.services.map(service => (
            <ServiceCard
              key={service.id}
              service={service}
              trans={trans}
              onAction={onAction}
              actions={(actions[service.id] ?? []).filter(
                action => !canRun || canRun(action.command)
              )}
            />
          ))}
        </ul>
      )}
    </div>
  );
}
