/**
 * "Upload outputs to the Data Lake": a finished run's outputs into a new dataset, named from the
 * workflow and run (editable), with metadata linking it to the workflow, on the Data Lake upload
 * job. The dialog asks the server what it proposes (dataset name, metadata, declared outputs) and
 * the upload options (scopes, writable RSEs); the server checks everything again on start.
 */
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { ISignal, Signal } from '@lumino/signaling';
import * as React from 'react';

import { components } from '../../api.gen';
import { ErrorBanner } from '../../common/ErrorBanner';
import { useSignal } from '../../common/useSignal';
import { rseLabel } from '../../datalake/upload/UploadForm';
import { errorMessage, requestAPI } from '../../request';
import { IOutputsToLake, IOutputsUploadJob, ReanaApi, reanaApi } from '../api';

export type IUploadOptions = components['schemas']['DatalakeUploadOptions'];
const NAME = /^[A-Za-z0-9][A-Za-z0-9.\-_]*$/;

/** The Data Lake's upload options and jobs, as the dialog needs them (fakes in tests). */
export interface ILakeUploadApi {
  options: () => Promise<IUploadOptions>;
  job: (id: string) => Promise<IOutputsUploadJob>;
}

export const lakeUploadApi: ILakeUploadApi = {
  options: () => requestAPI<IUploadOptions>('datalake/upload/options'),
  job: id =>
    requestAPI<IOutputsUploadJob>(`datalake/jobs/${encodeURIComponent(id)}`)
};

/** The dialog's state: what the server proposes, the user's choices, and what is wrong. */
export class OutputsToLakeModel {
  constructor(
    readonly workflowId: string,
    private readonly api: ReanaApi = reanaApi,
    private readonly lake: ILakeUploadApi = lakeUploadApi
  ) {}

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  proposal: IOutputsToLake | null = null;
  options: IUploadOptions | null = null;
  dataset = '';
  scope = '';
  rse = '';
  error: string | null = null;
  loading = true;

  async load(): Promise<void> {
    try {
      const [proposal, options] = await Promise.all([
        this.api.outputsToLake(this.workflowId),
        this.lake.options()
      ]);
      this.proposal = proposal;
      this.options = options;
      this.dataset = proposal.dataset;
      this.scope = options.default_scope ?? options.scopes[0] ?? '';
      const writable = options.rses.filter(r => r.writable);
      this.rse = options.default_rse ?? writable[0]?.rse ?? '';
      this.error = null;
    } catch (reason) {
      this.error = errorMessage(reason);
    }
    this.loading = false;
    this._changed.emit();
  }

  fail(message: string): void {
    this.error = message;
    this._changed.emit();
  }

  set(field: 'dataset' | 'scope' | 'rse', value: string): void {
    this[field] = value;
    this._changed.emit();
  }

  /** Why Upload is not possible yet, in words (null: it is). */
  get problem(): string | null {
    if (this.loading || !this.proposal) {
      return 'loading';
    }
    if (!NAME.test(this.dataset) || this.dataset.length > 250) {
      return 'name';
    }
    if (!this.scope || !this.rse) {
      return 'target';
    }
    return null;
  }

  /** Start the upload job (one per idempotency key: a double click starts one job). */
  async start(): Promise<IOutputsUploadJob> {
    return this.api.uploadOutputsToLake(this.workflowId, {
      scope: this.scope,
      rse: this.rse,
      dataset: this.dataset,
      idempotency_key: this._key
    });
  }

  private _key = `out${Date.now()}${Math.random().toString(36).slice(2, 10)}`;
  private _changed = new Signal<this, void>(this);
}

export function OutputsToLakeForm(props: {
  model: OutputsToLakeModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  useSignal(model.changed);
  if (model.loading) {
    return (
      <p className="jp-escape-muted">
        <span className="jp-escape-spinner" aria-hidden="true" />{' '}
        {trans.__('Asking the server…')}
      </p>
    );
  }
  const proposal = model.proposal;
  const options = model.options;
  const problem = model.problem;
  return (
    <div className="jp-escape-Workflows-ToLake">
      {proposal && (
        <p>
          {trans.__(
            'The outputs of %1 become a new dataset in the Data Lake, uploaded and checked like any upload (adler32 and md5).',
            proposal.workflow.full_name ?? ''
          )}
        </p>
      )}
      <label className="jp-escape-Workflows-ToLake-field">
        <span>{trans.__('Dataset name')}</span>
        <input
          className="jp-mod-styled jp-escape-mono"
          value={model.dataset}
          aria-invalid={problem === 'name'}
          onChange={e => model.set('dataset', e.target.value)}
        />
      </label>
      {problem === 'name' && (
        <p className="jp-escape-Workflows-ToLake-invalid" role="alert">
          {options?.name_rule.text ??
            trans.__(
              "Letters, digits, '.', '-', '_', starting with a letter or digit."
            )}
        </p>
      )}
      {options && (
        <>
          <label className="jp-escape-Workflows-ToLake-field">
            <span>
              {/* The account the upload runs as: its own scopes are offered, its own first. */}
              {trans.__('Scope (as account %1)', options.account)}
            </span>
            <select
              className="jp-mod-styled"
              value={model.scope}
              onChange={e => model.set('scope', e.target.value)}
            >
              {options.scopes.map(scope => (
                <option key={scope} value={scope}>
                  {scope}
                </option>
              ))}
            </select>
          </label>
          <label className="jp-escape-Workflows-ToLake-field">
            <span>{trans.__('Storage (RSE)')}</span>
            {/* The whole width: an RSE's name and its room are read in full (s3 §11). */}
            <select
              className="jp-mod-styled"
              value={model.rse}
              onChange={e => model.set('rse', e.target.value)}
            >
              {options.rses.map(rse => (
                <option
                  key={rse.rse}
                  value={rse.rse}
                  disabled={!rse.writable}
                  title={rse.why_not ?? undefined}
                >
                  {rseLabel(rse, trans)}
                </option>
              ))}
            </select>
          </label>
        </>
      )}
      {proposal && (
        <>
          <p className="jp-escape-Workflows-ToLake-label">
            {trans.__('Metadata linking the dataset to its workflow')}
          </p>
          <dl className="jp-escape-Workflows-ToLake-meta">
            <dt>campaign</dt>
            <dd className="jp-escape-mono">
              {String(proposal.meta.campaign ?? '')}
            </dd>
            <dt>stream_name</dt>
            <dd className="jp-escape-mono">
              {String(proposal.meta.stream_name ?? '')}
            </dd>
            <dt>prod_step</dt>
            <dd className="jp-escape-mono">
              {String(proposal.meta.prod_step ?? '')}
            </dd>
          </dl>
          <p className="jp-escape-Workflows-ToLake-label">
            {trans._n(
              'Declared output',
              'Declared outputs (%1)',
              proposal.outputs.length
            )}
          </p>
          <ul className="jp-escape-Workflows-ToLake-outputs">
            {proposal.outputs.slice(0, 20).map(path => (
              <li key={path} className="jp-escape-mono">
                {path}
              </li>
            ))}
          </ul>
        </>
      )}
      {model.error && <ErrorBanner message={model.error} />}
    </div>
  );
}

class OutputsToLakeBody extends ReactWidget {
  constructor(
    readonly model: OutputsToLakeModel,
    private readonly trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-escape-Workflows-ToLakeDialog');
    model.changed.connect(() => this.update());
  }

  getValue(): OutputsToLakeModel {
    return this.model;
  }

  render(): JSX.Element {
    return <OutputsToLakeForm model={this.model} trans={this.trans} />;
  }
}

/**
 * The whole action: the dialog, the start, then a toast that follows the upload job to its end
 * (with "Show in Data Lake"). Resolves with the finished job, or null when cancelled.
 */
export async function uploadOutputsToLake(options: {
  workflowId: string;
  trans: TranslationBundle;
  api?: ReanaApi;
  lake?: ILakeUploadApi;
  showDid?: (did: string) => void;
  onDone?: (job: IOutputsUploadJob) => void;
  intervalMs?: number;
}): Promise<IOutputsUploadJob | null> {
  const { trans } = options;
  const lake = options.lake ?? lakeUploadApi;
  const model = new OutputsToLakeModel(options.workflowId, options.api, lake);
  void model.load();
  let job: IOutputsUploadJob | null = null;
  for (;;) {
    const result = await showDialog({
      title: trans.__('Upload outputs to the Data Lake'),
      // A new body each time: a closed dialog disposes its body; the model (and the
      // server's refusal, shown in it) stays.
      body: new OutputsToLakeBody(model, trans),
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.okButton({ label: trans.__('Upload') })
      ],
      focusNodeSelector: 'input'
    });
    if (!result.button.accept) {
      return null;
    }
    if (model.problem) {
      continue;
    }
    try {
      job = await model.start();
      break;
    } catch (reason) {
      model.fail(errorMessage(reason)); // shown in the form when it opens again
    }
  }
  const dataset = `${model.scope}:${model.dataset}`;
  const id = Notification.emit(
    trans.__('Uploading the outputs to %1…', dataset),
    'in-progress',
    { autoClose: false }
  );
  for (;;) {
    await new Promise(resolve =>
      setTimeout(resolve, options.intervalMs ?? 1000)
    );
    try {
      job = await lake.job(job.id);
    } catch (reason) {
      Notification.update({
        id,
        message: errorMessage(reason),
        type: 'error',
        autoClose: false
      });
      return null;
    }
    if (job.state !== 'queued' && job.state !== 'running') {
      break;
    }
    Notification.update({
      id,
      message: trans.__(
        'Uploading the outputs to %1: %2 of %3 files',
        dataset,
        job.items_done,
        job.items_total
      )
    });
  }
  const done = job.state === 'done';
  Notification.update({
    id,
    message: done
      ? trans.__('The outputs are in the Data Lake: %1', dataset)
      : (job.message ?? trans.__('The upload is %1.', job.state)),
    type: done ? 'success' : 'error',
    autoClose: done ? 8000 : false,
    actions: options.showDid
      ? [
          {
            label: trans.__('Show in Data Lake'),
            callback: () => options.showDid!(dataset)
          }
        ]
      : []
  });
  if (done) {
    options.onDone?.(job);
  }
  return job;
}
