import * as React from 'react';

import { ErrorBanner } from '../../common/ErrorBanner';
import { formatBytes, formatCount } from '../../common/format';
import { useSignal } from '../../common/useSignal';
import { SubmitModel } from '../model';
import { MissingInputsWarning, missingInputIssues } from './MissingInputs';

/**
 * The body of the "Submit to REANA" dialog: the spec's summary and problems, the workflow name
 * and parameters, and the upload progress once submitted.
 */
export function SubmitForm(props: {
  model: SubmitModel;
  onStarted: (workflowId: string) => void;
}): JSX.Element {
  const { model } = props;
  useSignal(model.stateChanged);
  React.useEffect(() => {
    if (!model.validation && !model.validating) {
      void model.validate();
    }
  }, [model]);
  // Long paths: show their end (the file name), not their start.
  const pathInput = React.useRef<HTMLInputElement>(null);
  React.useEffect(() => {
    if (pathInput.current) {
      pathInput.current.scrollLeft = pathInput.current.scrollWidth;
    }
  }, []);
  const v = model.validation;
  const summary = v?.summary;
  const errors = v?.issues.filter(i => i.severity === 'error') ?? [];
  const missing = missingInputIssues(v?.issues);
  const warnings =
    v?.issues.filter(
      i => i.severity === 'warning' && i.code !== 'missing_input'
    ) ?? [];
  const progress = model.progress;
  const busy = model.phase === 'submitting';
  const submit = async () => {
    // Missing inputs were shown above: this button is then "Submit anyway".
    const started = await model.submit({
      allowMissingInputs: missing.length > 0
    });
    if (started?.workflow_id) {
      props.onStarted(started.workflow_id);
    }
  };

  return (
    <form
      className="jp-escape-Workflows-Submit"
      aria-label="Submit a REANA workflow"
      onSubmit={e => {
        e.preventDefault();
        void submit();
      }}
    >
      <label className="jp-escape-Workflows-Submit-field">
        <span>Specification</span>
        <input
          ref={pathInput}
          className="jp-mod-styled"
          aria-label="reana.yaml path"
          value={model.path}
          disabled={busy}
          onChange={e => (model.path = e.target.value)}
          onBlur={() => void model.validate()}
        />
      </label>
      {model.validating && !v && (
        <p className="jp-escape-Workflows-Submit-muted">
          Checking the reana.yaml…
        </p>
      )}
      {summary && (
        <section
          className="jp-escape-Workflows-Submit-summary"
          aria-label="Specification summary"
        >
          <dl>
            <dt>Type</dt>
            <dd>{summary.type ?? '—'}</dd>
            <dt>Steps</dt>
            <dd>
              {summary.steps.length
                ? summary.steps.map(s => s.name).join(' → ')
                : summary.type === 'serial'
                  ? 'none'
                  : `defined by ${summary.workflow_file ?? 'the engine'}`}
            </dd>
            <dt>Inputs</dt>
            <dd>
              {formatCount(v.inputs.count)}{' '}
              {v.inputs.count === 1 ? 'file' : 'files'},{' '}
              {formatBytes(v.inputs.bytes)}
              {v.inputs.skipped.length > 0 &&
                ` (${v.inputs.skipped.length} skipped: ignored or links)`}
            </dd>
            <dt>Outputs</dt>
            <dd>
              {[...summary.outputs.files, ...summary.outputs.directories].join(
                ', '
              ) || 'none declared'}
            </dd>
          </dl>
        </section>
      )}
      {errors.length > 0 && (
        <ul className="jp-escape-Workflows-Issues" aria-label="Problems">
          {errors.map((issue, i) => (
            <li key={i} className="jp-escape-Workflows-Issue-error">
              {issue.line ? `Line ${issue.line}:${issue.column ?? 1} · ` : ''}
              {issue.path}: {issue.message}
            </li>
          ))}
        </ul>
      )}
      {warnings.length > 0 && (
        <ul className="jp-escape-Workflows-Issues" aria-label="Warnings">
          {warnings.map((issue, i) => (
            <li key={i} className="jp-escape-Workflows-Issue-warning">
              {issue.line ? `Line ${issue.line} · ` : ''}
              {issue.message}
            </li>
          ))}
        </ul>
      )}
      {errors.length === 0 && missing.length > 0 && (
        <MissingInputsWarning issues={missing} />
      )}
      {v && (
        <>
          <label className="jp-escape-Workflows-Submit-field">
            <span>Workflow name</span>
            <input
              className="jp-mod-styled"
              name="workflow-name"
              value={model.name}
              disabled={busy || model.phase === 'done'}
              onChange={e => (model.name = e.target.value)}
            />
          </label>
          {model.name && model.nameProblem && (
            <p className="jp-escape-Workflows-Issue-error">
              {model.nameProblem}
            </p>
          )}
          {Object.keys(model.parameters).length > 0 && (
            <fieldset className="jp-escape-Workflows-Submit-params">
              <legend>Parameters</legend>
              {Object.entries(model.parameters).map(([key, value]) => (
                <label key={key} className="jp-escape-Workflows-Submit-field">
                  <span>{key}</span>
                  <input
                    className="jp-mod-styled"
                    aria-label={`Parameter ${key}`}
                    value={value}
                    disabled={busy || model.phase === 'done'}
                    onChange={e => model.setParameter(key, e.target.value)}
                  />
                </label>
              ))}
            </fieldset>
          )}
        </>
      )}
      {progress && (
        <div className="jp-escape-Workflows-Submit-progress" role="status">
          {progress.stage === 'uploading' || progress.stage === 'validated' ? (
            <>
              <progress
                max={progress.bytes_total || 1}
                value={progress.bytes_done ?? 0}
              />
              <span>
                Uploading {formatCount(progress.files_done ?? 0)}/
                {formatCount(progress.files_total ?? 0)} files (
                {formatBytes(progress.bytes_done ?? 0)} of{' '}
                {formatBytes(progress.bytes_total ?? 0)})
              </span>
            </>
          ) : progress.stage === 'created' ? (
            <span>Created {progress.workflow_name}; uploading inputs…</span>
          ) : (
            <span>
              Started {progress.workflow_name} ({progress.status})
            </span>
          )}
        </div>
      )}
      {model.error && <ErrorBanner message={model.error} />}
      <div className="jp-escape-Workflows-Submit-actions">
        <button
          type="button"
          className="jp-mod-styled"
          disabled={busy || model.validating}
          onClick={() => void model.validate()}
        >
          Check again
        </button>
        <button
          type="submit"
          className="jp-mod-styled jp-mod-accept"
          disabled={!model.canSubmit}
        >
          {busy
            ? 'Submitting…'
            : model.phase === 'done'
              ? 'Submitted'
              : missing.length > 0 && errors.length === 0
                ? 'Submit anyway'
                : 'Submit'}
        </button>
      </div>
    </form>
  );
}
