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
}): JSX.Element {
  const { model } = props;
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
        <h2>REANA workflows</h2>
        <div className="jp-escape-Workflows-headerActions">
          <button
            className="jp-mod-styled jp-mod-accept"
            onClick={props.onSubmit}
          >
            Submit…
          </button>
          <button
            className="jp-mod-styled"
            onClick={() => void model.refresh()}
            title="Refresh now"
          >
            Refresh
          </button>
          {props.onSecrets && (
            <button
              className="jp-mod-styled"
              onClick={props.onSecrets}
              title="Your REANA secrets: list, add, delete"
            >
              Secrets…
            </button>
          )}
        </div>
      </div>
      <input
        type="search"
        className="jp-mod-styled jp-escape-Workflows-search"
        placeholder="Search by name"
        aria-label="Search workflows"
        value={query}
        onChange={e => setQuery(e.target.value)}
      />
      <div
        className="jp-escape-Workflows-filters"
        role="group"
        aria-label="Filter by status"
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
            ? 'No workflow matches.'
            : 'No workflows yet. Right-click a reana.yaml and choose "Submit to REANA".'}
        </p>
      )}
      <ul className="jp-escape-Workflows-list" aria-label="Workflows">
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
                  w.status === 'running' ? w.progress.current_step : null
                )}
              </span>
              <span
                className="jp-escape-Workflows-meta"
                title={
                  `created ${formatTime(w.created)}` +
                  (w.started ? `\nstarted ${formatTime(w.started)}` : '') +
                  (w.finished ? `\nended ${formatTime(w.finished)}` : '')
                }
              >
                {w.finished
                  ? `ended ${formatTime(w.finished)}`
                  : w.started
                    ? `started ${formatTime(w.started)}`
                    : `created ${formatTime(w.created)}`}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
