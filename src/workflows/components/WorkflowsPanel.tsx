import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { ErrorBanner } from '../../common/ErrorBanner';
import { StatusBadge } from '../../common/StatusBadge';
import { useSignal } from '../../common/useSignal';
import { STATUSES } from '../api';
import { WorkflowListModel } from '../model';
import { badgeKind, formatTime, progressText } from './format';

/** The sidebar list of the user's REANA workflows: search, status filter, live status. */
export function WorkflowsPanel(props: {
  model: WorkflowListModel;
  onOpen: (id: string) => void;
  onSubmit: () => void;
  onSecrets?: () => void;
  trans?: TranslationBundle;
}): JSX.Element {
  const { model } = props;
  const trans = props.trans ?? model.trans;
  useSignal(model.stateChanged);
  const [query, setQuery] = React.useState(model.search);
  React.useEffect(() => {
    if (query === model.search) {
      return;
    }
    const timer = setTimeout(() => model.setSearch(query), 400);
    return () => clearTimeout(timer);
  }, [query, model]);

  return (
    <div className="jp-escape-Workflows">
      <div className="jp-escape-Workflows-header">
        <h2>{trans.__('REANA workflows')}</h2>
        <div className="jp-escape-Workflows-headerActions">
          <button
            className="jp-mod-styled jp-mod-accept"
            onClick={props.onSubmit}
          >
            {trans.__('Submit…')}
          </button>
          <button
            className="jp-mod-styled"
            onClick={() => void model.refresh()}
            title={trans.__('Refresh now')}
          >
            {trans.__('Refresh')}
          </button>
          {props.onSecrets && (
            <button
              className="jp-mod-styled"
              onClick={props.onSecrets}
              title={trans.__('Your REANA secrets: list, add, delete')}
            >
              {trans.__('Secrets…')}
            </button>
          )}
        </div>
      </div>
      <input
        type="search"
        className="jp-mod-styled jp-escape-Workflows-search"
        placeholder={trans.__('Search by name')}
        aria-label={trans.__('Search workflows')}
        value={query}
        onChange={e => setQuery(e.target.value)}
      />
      <div
        className="jp-escape-Workflows-filters"
        role="group"
        aria-label={trans.__('Filter by status')}
      >
        {STATUSES.map(status => (
          <button
            key={status}
            className="jp-escape-Workflows-chip"
            aria-pressed={model.statuses.includes(status)}
            onClick={() => model.toggleStatus(status)}
          >
            {status}
          </button>
        ))}
      </div>
      {model.error && (
        <ErrorBanner
          message={model.error}
          onRetry={() => void model.refresh()}
        />
      )}
      {model.loaded && model.items.length === 0 && !model.error && (
        <p className="jp-escape-Workflows-empty">
          {model.search || model.statuses.length
            ? trans.__('No workflow matches.')
            : trans.__(
                'No workflows yet. Right-click a reana.yaml and choose "Submit to REANA".'
              )}
        </p>
      )}
      <ul
        className="jp-escape-Workflows-list"
        aria-label={trans.__('Workflows')}
      >
        {model.items.map(w => (
          <li key={w.id}>
            <button
              className="jp-escape-Workflows-row"
              onClick={() => props.onOpen(w.id)}
              aria-label={`${w.full_name} ${w.status}`}
            >
              <span className="jp-escape-Workflows-rowTop">
                <span className="jp-escape-Workflows-title">
                  <span className="jp-escape-Workflows-name">{w.name}</span>
                  <span className="jp-escape-Workflows-run">
                    #{w.run_number}
                  </span>
                </span>
                <StatusBadge kind={badgeKind(w.status)} label={w.status} />
              </span>
              <progress
                className="jp-escape-Workflows-progress"
                max={w.progress.total || 1}
                value={w.progress.finished}
              />
              <span className="jp-escape-Workflows-meta">
                {progressText(
                  w.progress.total,
                  w.progress.finished,
                  w.status === 'running' ? w.progress.current_step : null,
                  trans
                )}
              </span>
              <span
                className="jp-escape-Workflows-meta"
                title={
                  trans.__('created %1', formatTime(w.created)) +
                  (w.started
                    ? '\n' + trans.__('started %1', formatTime(w.started))
                    : '') +
                  (w.finished
                    ? '\n' + trans.__('ended %1', formatTime(w.finished))
                    : '')
                }
              >
                {w.finished
                  ? trans.__('ended %1', formatTime(w.finished))
                  : w.started
                    ? trans.__('started %1', formatTime(w.started))
                    : trans.__('created %1', formatTime(w.created))}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
