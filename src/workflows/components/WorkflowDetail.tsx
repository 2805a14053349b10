import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { ErrorBanner } from '../../common/ErrorBanner';
import { StatusBadge } from '../../common/StatusBadge';
import { useSignal } from '../../common/useSignal';
import { errorMessage } from '../../request';
import { IOutputsResult, isTerminal } from '../api';
import { WorkflowModel } from '../model';
import { badgeKind, formatTime, progressText } from './format';

type Tab = 'overview' | 'logs' | 'files' | 'specification';

export interface IWorkflowActions {
  /** Ask, stop if running, delete; resolves true when deleted. */
  remove: () => Promise<boolean>;
  restart: (parameters: Record<string, string>) => Promise<void>;
  openFile: (path: string) => void;
  /** "Upload outputs to the Data Lake…": the dialog for a finished run. */
  uploadOutputsToLake?: (id: string) => void;
  logsUrl: string;
  reanaUrl: string | null;
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** One workflow: status and progress, logs, workspace files, specification and actions. */
export function WorkflowDetail(props: {
  model: WorkflowModel;
  actions: IWorkflowActions;
  trans?: TranslationBundle;
}): JSX.Element {
  const { model, actions } = props;
  const trans = props.trans ?? model.trans;
  useSignal(model.stateChanged);
  const [tab, setTab] = React.useState<Tab>(
    (model.requestedTab as Tab | null) ?? 'overview'
  );
  // A tab asked for from outside (the cell's "Full log"), also when the view is already open.
  React.useEffect(() => {
    if (model.requestedTab) {
      setTab(model.requestedTab as Tab);
    }
  }, [model.tabRequests, model.requestedTab]);
  const [busy, setBusy] = React.useState<string | null>(null);
  const [problem, setProblem] = React.useState<string | null>(null);
  /** Workspace files downloaded from the Workspace tab: name -> path in our workspace. */
  const [fetched, setFetched] = React.useState<Record<string, string>>({});
  const [outputs, setOutputs] = React.useState<IOutputsResult | null>(null);
  const [params, setParams] = React.useState<Record<string, string> | null>(
    null
  );
  const w = model.workflow;
  React.useEffect(() => {
    if (!model.specification) {
      void model.loadSpecification();
    }
  }, [model]);
  React.useEffect(() => {
    if (tab === 'files') {
      void model.loadFiles();
    }
  }, [tab, w?.status, model]);
  const spec = model.specification;
  React.useEffect(() => {
    if (spec && params === null) {
      setParams(
        Object.fromEntries(
          Object.entries(spec.parameters).map(([k, v]) => [k, asText(v)])
        )
      );
    }
  }, [spec, params]);

  const run = async (label: string, action: () => Promise<unknown>) => {
    setBusy(label);
    setProblem(null);
    try {
      await action();
    } catch (reason) {
      setProblem(errorMessage(reason, label));
    } finally {
      setBusy(null);
    }
  };
  const over = isTerminal(w?.status);
  const outputsDeclared = spec
    ? [...spec.files, ...spec.directories]
    : ([] as string[]);

  const tabs: [Tab, string][] = [
    ['overview', trans.__('Overview')],
    ['logs', trans.__('Logs')],
    ['files', trans.__('Workspace')],
    ['specification', trans.__('Specification')]
  ];
  return (
    <div className="jp-escape-Workflows-Detail">
      <div className="jp-escape-Workflows-Detail-header">
        <h2>{w ? w.full_name : model.id}</h2>
        {w && <StatusBadge kind={badgeKind(w.status)} label={w.status} />}
        {model.following && (
          <span className="jp-escape-Workflows-meta">
            {trans.__('following live')}
          </span>
        )}
        {actions.reanaUrl && (
          <a
            className="jp-escape-Workflows-Detail-link"
            href={actions.reanaUrl}
            target="_blank"
            rel="noopener noreferrer"
          >
            {trans.__('Open workspace in REANA')}
          </a>
        )}
      </div>
      <div className="jp-escape-Workflows-Detail-tabs" role="tablist">
        {tabs.map(([id, label]) => (
          <button
            key={id}
            role="tab"
            aria-selected={tab === id}
            className="jp-escape-Workflows-Detail-tab"
            onClick={() => setTab(id)}
          >
            {label}
          </button>
        ))}
      </div>
      {(problem || model.error) && (
        <ErrorBanner message={(problem || model.error) as string} />
      )}
      {tab === 'overview' && w && (
        <div className="jp-escape-Workflows-Detail-body">
          <dl className="jp-escape-Workflows-Detail-facts">
            <dt>{trans.__('Progress')}</dt>
            <dd className="jp-escape-Workflows-Detail-progress">
              <progress
                className="jp-escape-Workflows-progress"
                max={w.progress.total || 1}
                value={w.progress.finished}
                aria-label={trans.__('Jobs finished')}
              />
              {progressText(
                w.progress.total,
                w.progress.finished,
                w.progress.current_step,
                trans
              )}
              {w.progress.failed
                ? trans.__(' · %1 failed', w.progress.failed)
                : ''}
            </dd>
            <dt>{trans.__('Created')}</dt>
            <dd>{formatTime(w.created)}</dd>
            <dt>{trans.__('Started')}</dt>
            <dd>{formatTime(w.started)}</dd>
            <dt>{trans.__('Ended')}</dt>
            <dd>{formatTime(w.finished)}</dd>
            <dt>{trans.__('Workflow id')}</dt>
            <dd>
              <code>{w.id}</code>
            </dd>
          </dl>
          <h3>{trans.__('Outputs')}</h3>
          {outputsDeclared.length ? (
            <ul className="jp-escape-Workflows-Detail-outputs">
              {outputsDeclared.map(o => (
                <li key={o}>
                  <code>{o}</code>
                </li>
              ))}
            </ul>
          ) : (
            <p className="jp-escape-Workflows-meta">
              {trans.__('No outputs declared.')}
            </p>
          )}
          {outputs && (
            <div
              role="status"
              className="jp-escape-Workflows-Detail-downloaded"
            >
              <p>
                {trans.__('Downloaded into')} <code>{outputs.folder}/</code>
                {outputs.missing.length > 0 &&
                  trans.__(' (not produced: %1)', outputs.missing.join(', '))}
              </p>
              <ul>
                {outputs.files.map(f => (
                  <li key={f}>
                    <button
                      className="jp-escape-Workflows-Detail-fileLink"
                      onClick={() => actions.openFile(f)}
                    >
                      {f}
                    </button>
                  </li>
                ))}
              </ul>
            </div>
          )}
          <div className="jp-escape-Workflows-Detail-actions">
            <button
              className="jp-mod-styled jp-mod-accept"
              disabled={
                !outputsDeclared.length || w.status !== 'finished' || !!busy
              }
              onClick={() =>
                void run(trans.__('Downloading outputs'), async () =>
                  setOutputs(await model.api.downloadOutputs(w.id))
                )
              }
            >
              {busy === trans.__('Downloading outputs')
                ? trans.__('Downloading…')
                : trans.__('Download outputs')}
            </button>
            {actions.uploadOutputsToLake && (
              <button
                className="jp-mod-styled"
                disabled={
                  !outputsDeclared.length || w.status !== 'finished' || !!busy
                }
                onClick={() => actions.uploadOutputsToLake!(w.id)}
              >
                {trans.__('Upload outputs to the Data Lake…')}
              </button>
            )}
            {!over && (
              <button
                className="jp-mod-styled jp-mod-warn"
                disabled={!!busy}
                onClick={() =>
                  void run(trans.__('Stopping'), async () => {
                    await model.api.stop(w.id);
                    await model.follow();
                  })
                }
              >
                {trans.__('Stop')}
              </button>
            )}
            <button
              className="jp-mod-styled jp-mod-reject"
              disabled={!!busy}
              onClick={() =>
                void run(trans.__('Deleting'), () => actions.remove())
              }
            >
              {trans.__('Delete…')}
            </button>
          </div>
          {params && over && w.status !== 'deleted' && (
            <fieldset className="jp-escape-Workflows-Submit-params">
              <legend>{trans.__('Restart with parameters')}</legend>
              {Object.keys(params).length === 0 && (
                <p className="jp-escape-Workflows-meta">
                  {trans.__('No parameters.')}
                </p>
              )}
              {Object.entries(params).map(([key, value]) => (
                <label key={key} className="jp-escape-Workflows-Submit-field">
                  <span>{key}</span>
                  <input
                    className="jp-mod-styled"
                    aria-label={trans.__('Restart parameter %1', key)}
                    value={value}
                    onChange={e =>
                      setParams({ ...params, [key]: e.target.value })
                    }
                  />
                </label>
              ))}
              <button
                className="jp-mod-styled jp-escape-Workflows-Detail-restart"
                disabled={!!busy}
                onClick={() =>
                  void run(trans.__('Restarting'), () =>
                    actions.restart(params)
                  )
                }
              >
                {trans.__('Restart')}
              </button>
            </fieldset>
          )}
        </div>
      )}
      {tab === 'logs' && (
        <div className="jp-escape-Workflows-Detail-body">
          <div className="jp-escape-Workflows-Detail-actions">
            <a
              className="jp-mod-styled jp-escape-Workflows-Detail-button"
              href={actions.logsUrl}
              download
            >
              {trans.__('Download logs')}
            </a>
          </div>
          <h3>{trans.__('Engine')}</h3>
          <pre
            className="jp-escape-Workflows-Log"
            aria-label={trans.__('Engine log')}
          >
            {model.engineLog || trans.__('No engine log yet.')}
          </pre>
          {model.jobs.map(job => (
            <section key={job.id} aria-label={trans.__('Job %1', job.name)}>
              <h3>
                {job.name}{' '}
                <StatusBadge
                  kind={badgeKind(job.status)}
                  label={job.status ?? trans.__('unknown')}
                />
              </h3>
              <p className="jp-escape-Workflows-meta">
                <code>{job.image}</code> · <code>{job.command}</code>
              </p>
              <pre className="jp-escape-Workflows-Log">{job.log || '…'}</pre>
            </section>
          ))}
        </div>
      )}
      {tab === 'files' && (
        <div className="jp-escape-Workflows-Detail-body">
          {model.files === null ? (
            <p className="jp-escape-Workflows-meta">
              {trans.__('Listing the workspace…')}
            </p>
          ) : (
            <table
              className="jp-escape-Workflows-Files"
              aria-label={trans.__('Workspace files')}
            >
              <thead>
                <tr>
                  <th>{trans.__('Name')}</th>
                  <th>{trans.__('Size')}</th>
                  <th>{trans.__('Modified')}</th>
                  <th aria-label={trans.__('Actions')} />
                </tr>
              </thead>
              <tbody>
                {model.files.map(f => (
                  <tr key={f.name}>
                    <td>
                      <code>{f.name}</code>
                    </td>
                    <td>{f.size_human ?? f.size}</td>
                    <td>{formatTime(f.modified)}</td>
                    <td>
                      {fetched[f.name] ? (
                        <button
                          className="jp-escape-Link"
                          title={fetched[f.name]}
                          onClick={() => actions.openFile(fetched[f.name])}
                        >
                          {trans.__('Open')}
                        </button>
                      ) : (
                        <button
                          className="jp-mod-styled"
                          aria-label={trans.__('Download %1', f.name)}
                          disabled={busy !== null}
                          onClick={() =>
                            void run(
                              trans.__('Downloading %1', f.name),
                              async () => {
                                // Any file of the workspace, not only declared outputs (#21).
                                const got = await model.api.downloadOutputs(
                                  model.id,
                                  undefined,
                                  [f.name]
                                );
                                const path = got.files[0];
                                if (path) {
                                  setFetched(previous => ({
                                    ...previous,
                                    [f.name]: path
                                  }));
                                } else {
                                  setProblem(got.message);
                                }
                              }
                            )
                          }
                        >
                          {trans.__('Download')}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
      {tab === 'specification' && (
        <div className="jp-escape-Workflows-Detail-body">
          <pre
            className="jp-escape-Workflows-Log"
            aria-label={trans.__('Specification')}
          >
            {spec ? JSON.stringify(spec.specification, null, 2) : '…'}
          </pre>
          {spec && Object.keys(spec.parameters).length > 0 && (
            <>
              <h3>{trans.__('Parameters of this run')}</h3>
              <pre className="jp-escape-Workflows-Log">
                {JSON.stringify(spec.parameters, null, 2)}
              </pre>
            </>
          )}
        </div>
      )}
    </div>
  );
}
