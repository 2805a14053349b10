import { TranslationBundle } from '@jupyterlab/translation';
import { refreshIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { ErrorBanner } from '../../common/ErrorBanner';
import { BadgeKind, StatusBadge } from '../../common/StatusBadge';
import { IServiceStatus, IStatusReport } from '../api';

export interface IServicesViewProps {
  report: IStatusReport | null;
  loading: boolean;
  error: string | null;
  trans: TranslationBundle;
  onRefresh: () => void;
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

function ServiceCard(props: {
  service: IServiceStatus;
  trans: TranslationBundle;
}): JSX.Element {
  const { service, trans } = props;
  const [kind, label] = badgeFor(service, trans);
  return (
    <li
      className="jp-escape-Status-card"
      data-service={service.id}
      aria-label={service.name}
    >
      <div className="jp-escape-Status-card-head">
        <h3 className="jp-escape-Status-card-name">{service.name}</h3>
        <StatusBadge kind={kind} label={label} />
      </div>
      <dl className="jp-escape-Status-card-facts">
        <dt>{trans.__('URL')}</dt>
        <dd className={service.url ? 'jp-escape-mono' : undefined}>
          {service.url || '—'}
        </dd>
        <dt>{trans.__('Version')}</dt>
        <dd>{service.version ?? '—'}</dd>
        <dt>{trans.__('Round trip')}</dt>
        <dd>
          {service.rtt_ms === null ? '—' : `${service.rtt_ms.toFixed(0)} ms`}
        </dd>
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
    </li>
  );
}

/** "ESCAPE services": whether each upstream answers through the server extension right now. */
export function ServicesView(props: IServicesViewProps): JSX.Element {
  const { report, loading, error, trans, onRefresh } = props;
  const checked = report
    ? new Date(report.checked_at).toLocaleTimeString()
    : null;
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
            <ServiceCard key={service.id} service={service} trans={trans} />
          ))}
        </ul>
      )}
    </div>
  );
}
