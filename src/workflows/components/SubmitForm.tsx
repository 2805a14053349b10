import { TranslationBundle } from '@jupyterlab/translation';
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
  trans?: TranslationBundle;
}): JSX.Element {
  const { model } = props;
  const trans = props.trans ?? model.trans;
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
      aria-label={trans.__('Submit a REANA workflow')}
      onSubmit={e => {
        e.preventDefault();
        void submit();
      }}
    >
      <label className="jp-escape-Workflows-Submit-field">
        <span>{trans.__('Specification')}</span>
        <input
          ref={pathInput}
          className="jp-mod-styled"
          aria-label={trans.__('reana.yaml path')}
          value={model.path}
          disabled={busy}
          onChange={e => (model.path = e.target.value)}
          onBlur={() => void model.validate()}
        />
      </label>
      {model.validating && !v && (
        <p className="jp-escape-Workflows-Submit-muted">
          {trans.__('Checking the reana.yaml…')}
        </p>
      )}
      {summary && (
        <section
          className="jp-escape-Workflows-Submit-summary"
          aria-label={trans.__('Specification summary')}
        >
          <dl>
            <dt>{trans.__('Type')}</dt>
            <dd>{summary.type ?? '—'}</dd>
            <dt>{trans.__('Steps')}</dt>
            <dd>
              {summary.steps.length
                ? summary.steps.map(s => s.name).join(' → ')
                : summary.type === 'serial'
                  ? trans.__('none')
                  : trans.__(
                      'defined by %1',
                      summary.workflow_file ?? trans.__('the engine')
                    )}
            </dd>
            <dt>{trans.__('Inputs')}</dt>
            <dd>
              {trans._n(
                '%2 file, %3',
                '%2 files, %3',
                v.inputs.count,
                formatCount(v.inputs.count),
                formatBytes(v.inputs.bytes)
              )}
              {v.inputs.skipped.length > 0 &&
                trans.__(
                  ' (%1 skipped: ignored or links)',
                  v.inputs.skipped.length
                )}
            </dd>
            <dt>{trans.__('Outputs')}</dt>
            <dd>
              {[...summary.outputs.files, ...summary.outputs.directories].join(
                ', '
              ) || trans.__('none declared')}
            </dd>
          </dl>
        </section>
      )}
      {errors.length > 0 && (
        <ul
          className="jp-escape-Workflows-Issues"
          aria-label={trans.__('Problems')}
        >
          {errors.map((issue, i) => (
            <li key={i} className="jp-escape-Workflows-Issue-error">
              {issue.line
                ? trans.__('Line %1:%2 · ', issue.line, issue.column ?? 1)
                : ''}
              {trans.__('%1: %2', issue.path, issue.message)}
            </li>
          ))}
        </ul>
      )}
      {warnings.length > 0 && (
        <ul
          className="jp-escape-Workflows-Issues"
          aria-label={trans.__('Warnings')}
        >
          {warnings.map((issue, i) => (
            <li key={i} className="jp-escape-Workflows-Issue-warning">
              {issue.line ? trans.__('Line %1 · ', issue.line) : ''}
              {issue.message}
            </li>
          ))}
        </ul>
      )}
      {errors.length === 0 && missing.length > 0 && (
        <MissingInputsWarning issues={missing} trans={trans} />
      )}
      {v && (
        <>
          <label className="jp-escape-Workflows-Submit-field">
            <span>{trans.__('Workflow name')}</span>
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
              <legend>{trans.__('Parameters')}</legend>
              {Object.entries(model.parameters).map(([key, value]) => (
                <label key={key} className="jp-escape-Workflows-Submit-field">
                  <span>{key}</span>
                  <input
                    className="jp-mod-styled"
                    aria-label={trans.__('Parameter %1', key)}
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
                {trans.__(
                  'Uploading %1/%2 files (%3 of %4)',
                  formatCount(progress.files_done ?? 0),
                  formatCount(progress.files_total ?? 0),
                  formatBytes(progress.bytes_done ?? 0),
                  formatBytes(progress.bytes_total ?? 0)
                )}
              </span>
            </>
          ) : progress.stage === 'created' ? (
            <span>
              {trans.__(
                'Created %1; uploading inputs…',
                progress.workflow_name
              )}
            </span>
          ) : (
            <span>
              {trans.__(
                'Started %1 (%2)',
                progress.workflow_name,
                progress.status
              )}
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
          {trans.__('Check again')}
        </button>
        <button
          type="submit"
          className="jp-mod-styled jp-mod-accept"
          disabled={!model.canSubmit}
        >
          {busy
            ? trans.__('Submitting…')
            : model.phase === 'done'
              ? trans.__('Submitted')
              : missing.length > 0 && errors.length === 0
                ? trans.__('Submit anyway')
                : trans.__('Submit')}
        </button>
      </div>
    </form>
  );
}
