import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { PathExt } from '@jupyterlab/coreutils';
import * as React from 'react';

import { ErrorBanner } from '../common/ErrorBanner';
import { StatusBadge } from '../common/StatusBadge';
import { errorMessage } from '../request';
import {
  IOutputsResult,
  IWorkflow,
  isTerminal,
  ReanaApi,
  reanaApi
} from './api';
import { badgeKind, progressText, untranslated } from './components/format';
import {
  ILakeInputSummary,
  lakeSummary,
  LakeInputsView
} from './components/LakeInputs';
import { WorkflowModel } from './model';

/** The output a notebook cell gets when it launches a REANA workflow. Never holds a secret. */
export const WORKFLOW_MIME =
  'application/vnd.jupyterlab-escape.reana-workflow+json';

export interface IWorkflowOutputData {
  id: string;
  name: string | null;
  run_number: string | null;
  status: string | null;
  /** The last state seen, stored when the run ended: shown again when the notebook reopens. */
  snapshot?: IWorkflow;
  /** The Data Lake inputs: each DID's mode and why, as the server said at submission. */
  lake?: ILakeInputSummary[];
}

/** The text other tools (nbviewer, GitHub) show instead of our renderer. */
export function textSummary(
  data: IWorkflowOutputData,
  trans: TranslationBundle = untranslated()
): string {
  const progress = data.snapshot?.progress;
  const jobs = progress
    ? trans.__(' (%1/%2 jobs)', progress.finished, progress.total)
    : '';
  return trans.__(
    'REANA workflow %1.%2: %3%4',
    data.name,
    data.run_number,
    data.status,
    jobs
  );
}

export function outputBundle(
  data: IWorkflowOutputData,
  trans?: TranslationBundle
): Record<string, any> {
  return {
    [WORKFLOW_MIME]: data as any,
    'text/plain': textSummary(data, trans)
  };
}

/** What an untrusted output says, as plain values; nothing in it is acted upon. */
export interface ISavedStatus {
  name: string;
  run: string;
  status: string;
  total: number;
  finished: number;
  step: string | null;
}

function text(value: unknown, max = 200): string | null {
  if (typeof value === 'string') {
    return value.slice(0, max);
  }
  return typeof value === 'number' && Number.isFinite(value)
    ? String(value)
    : null;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0
    ? Math.floor(value)
    : 0;
}

/** The saved status of an output from a notebook that may have been written by anyone. */
export function savedStatus(data: unknown): ISavedStatus {
  const d = (typeof data === 'object' && data !== null ? data : {}) as Record<
    string,
    unknown
  >;
  const snapshot = (
    typeof d.snapshot === 'object' && d.snapshot !== null ? d.snapshot : {}
  ) as Record<string, unknown>;
  const progress = (
    typeof snapshot.progress === 'object' && snapshot.progress !== null
      ? snapshot.progress
      : {}
  ) as Record<string, unknown>;
  return {
    name: text(d.name) ?? '?',
    run: text(d.run_number, 20) ?? '?',
    status: text(d.status, 40) ?? 'unknown',
    total: count(progress.total),
    finished: count(progress.finished),
    step: text(progress.current_step)
  };
}

/**
 * An output of an untrusted notebook: what it says, labelled as not live. It asks the server
 * nothing (no status, no logs, no links to our routes) and never writes into the notebook:
 * the output may name someone else's workflow, or be there to collect ours when saved.
 */
export function SavedStatus(props: {
  saved: ISavedStatus;
  trans?: TranslationBundle;
}): JSX.Element {
  const { saved } = props;
  const trans = props.trans ?? untranslated();
  return (
    <div
      className="jp-escape-Workflows-Cell jp-mod-untrusted"
      role="region"
      aria-label={trans.__(
        'Saved REANA workflow status %1.%2',
        saved.name,
        saved.run
      )}
    >
      <div className="jp-escape-Workflows-Cell-head">
        <strong>
          {saved.name}
          <span className="jp-escape-muted">.{saved.run}</span>
        </strong>
        <StatusBadge kind="idle" label={saved.status} />
      </div>
      <div className="jp-escape-Workflows-Cell-progress">
        <span>
          {progressText(saved.total, saved.finished, saved.step, trans)}
        </span>
      </div>
      <p className="jp-escape-Workflows-Cell-untrusted">
        {trans.__(
          'Saved status (notebook not trusted): not refreshed. Trust the notebook to follow this workflow live.'
        )}
      </p>
    </div>
  );
}

export interface IOutputContext {
  api?: ReanaApi;
  /** Opens the run in the workflows panel, on the given tab ("Full log": the logs). */
  openWorkflow: (id: string, tab?: string) => void;
  openPath: (path: string) => void;
  /** "Upload outputs to the Data Lake…" for a finished run (the dialog). */
  uploadOutputs?: (id: string) => void;
  /**
   * The workspace folder of the notebook showing this output (found from where the output is
   * on screen, never from the notebook's content): its outputs download next to it.
   */
  outputsFolder?: (node: HTMLElement) => string | null;
  /** Poll interval while visible and running (the server's advertised one by default). */
  intervalMs?: number;
  /** The extension's strings; untranslated when not given. */
  trans?: TranslationBundle;
  /** Visibility source; IntersectionObserver by default (tests pass their own). */
  observe?: (
    node: HTMLElement,
    onChange: (visible: boolean) => void
  ) => () => void;
}

/**
 * A downloaded file as the notebook's own code would name it: relative to the notebook's folder
 * when it is inside it (reana/fit.3/results/fit.json), the workspace path otherwise.
 */
export function shownPath(path: string, folder: string | null): string {
  if (folder === null) {
    return path;
  }
  const base = folder.replace(/^\/+|\/+$/g, '');
  if (!base) {
    return path.replace(/^\/+/, '');
  }
  return path.startsWith(`${base}/`) ? path.slice(base.length + 1) : path;
}

function intersection(
  node: HTMLElement,
  onChange: (visible: boolean) => void
): () => void {
  if (typeof IntersectionObserver === 'undefined') {
    onChange(true);
    return () => undefined;
  }
  const observer = new IntersectionObserver(entries => {
    onChange(entries.some(entry => entry.isIntersecting));
  });
  observer.observe(node);
  return () => observer.disconnect();
}

function elapsed(
  workflow: IWorkflow | undefined | null,
  trans: TranslationBundle
): string | null {
  if (!workflow?.started) {
    return null;
  }
  const end = workflow.finished ? Date.parse(workflow.finished) : Date.now();
  const seconds = Math.max(
    0,
    Math.round((end - Date.parse(workflow.started)) / 1000)
  );
  const m = Math.floor(seconds / 60);
  return m
    ? trans.__('%1 min %2 s', m, seconds % 60)
    : trans.__('%1 s', seconds);
}

/**
 * Live status of the workflow a cell launched. It polls only while it is on screen and the run
 * can still change; once the run ends it stores the final state in the output, so a reopened
 * notebook shows it without asking anything.
 */
export class WorkflowOutput
  extends ReactWidget
  implements IRenderMime.IRenderer
{
  constructor(private readonly context: IOutputContext) {
    super();
    this.addClass('jp-escape-Workflows-CellOutput');
  }

  get model(): WorkflowModel | null {
    return this._model;
  }

  async renderModel(mime: IRenderMime.IMimeModel): Promise<void> {
    if (!mime.trusted) {
      // Untrusted (a notebook from elsewhere): a static picture, no model, no requests, and no
      // reference to the output model, so nothing here can ever change the notebook.
      this._model?.dispose();
      this._model = null;
      this._mime = null;
      this._data = null;
      this._saved = savedStatus(mime.data[WORKFLOW_MIME]);
      this.update();
      return;
    }
    this._saved = null;
    this._mime = mime;
    const data = mime.data[WORKFLOW_MIME] as unknown as IWorkflowOutputData;
    this._data = data;
    if (!isTerminal(data.status) && this._model?.id !== data.id) {
      this._model?.dispose();
      const model = new WorkflowModel(data.id, {
        api: this.context.api ?? reanaApi,
        intervalMs: this.context.intervalMs,
        trans: this.trans
      });
      model.visible = this._visible;
      model.stateChanged.connect(this._changed, this);
      this._model = model;
      this._started = false;
      this._startWhenSeen();
    }
    this.update();
  }

  /** The first request waits until the output is on screen: an unseen output asks nothing. */
  private _startWhenSeen(): void {
    if (this._model && this._visible && !this._started) {
      this._started = true;
      void this._model.start().catch(() => undefined);
    }
  }

  protected onAfterAttach(msg: any): void {
    super.onAfterAttach(msg);
    this._unobserve = (this.context.observe ?? intersection)(
      this.node,
      visible => {
        this._visible = visible;
        if (this._model) {
          this._model.visible = visible;
        }
        this._startWhenSeen();
      }
    );
  }

  protected onBeforeDetach(msg: any): void {
    this._unobserve?.();
    this._unobserve = null;
    this._visible = false;
    if (this._model) {
      this._model.visible = false;
    }
    super.onBeforeDetach(msg);
  }

  dispose(): void {
    this._model?.dispose();
    this._model = null;
    super.dispose();
  }

  private _changed(): void {
    const workflow = this._model?.workflow;
    if (workflow && isTerminal(workflow.status) && this._mime && this._data) {
      // Keep the final state in the notebook; nothing will change any more.
      const stored: IWorkflowOutputData = {
        ...this._data,
        status: workflow.status,
        snapshot: workflow
      };
      this._data = stored;
      this._mime.setData({ data: outputBundle(stored, this.trans) });
    }
    this.update();
  }

  private async _download(): Promise<void> {
    const data = this._data;
    if (!data) {
      return;
    }
    this._busy = true;
    this.update();
    try {
      // Next to the notebook (reana/<name>.<run> in its folder), where its code looks (#21).
      const folder = this.context.outputsFolder?.(this.node) ?? null;
      this._folder = folder;
      const base = data.name ?? data.id;
      const run = data.run_number ? `${base}.${data.run_number}` : base;
      const dest =
        folder !== null ? PathExt.join(folder, 'reana', run) : undefined;
      this._outputs = await (this.context.api ?? reanaApi).downloadOutputs(
        data.id,
        dest
      );
      this._error = null;
    } catch (reason) {
      this._error = errorMessage(
        reason,
        this.trans.__('Downloading the outputs')
      );
    }
    this._busy = false;
    this.update();
  }

  render(): JSX.Element {
    if (this._saved) {
      return <SavedStatus saved={this._saved} trans={this.trans} />;
    }
    const data = this._data;
    if (!data) {
      return <div />;
    }
    const workflow = this._model?.workflow ?? data.snapshot ?? null;
    const status = workflow?.status ?? data.status ?? 'created';
    const progress = workflow?.progress;
    const total = progress?.total ?? 0;
    const done = progress?.finished ?? 0;
    const lastLines = this._model
      ? [this._model.engineLog, ...this._model.jobs.map(j => j.log)]
          .join('\n')
          .split('\n')
          .filter(line => line.trim())
          .slice(-6)
      : [];
    const error = this._error ?? this._model?.error ?? null;
    const trans = this.trans;
    const took = elapsed(workflow, trans);
    return (
      <div
        className="jp-escape-Workflows-Cell"
        role="region"
        aria-label={trans.__(
          'REANA workflow %1.%2',
          data.name,
          data.run_number
        )}
      >
        <div className="jp-escape-Workflows-Cell-head">
          <strong>
            {data.name}
            <span className="jp-escape-muted">.{data.run_number}</span>
          </strong>
          <StatusBadge kind={badgeKind(status)} label={status} />
          {took && <span className="jp-escape-muted">{took}</span>}
          <span className="jp-escape-Workflows-Cell-links">
            <button
              className="jp-escape-Link"
              onClick={() => this.context.openWorkflow(data.id)}
            >
              {trans.__('Open in workflows panel')}
            </button>
            <button
              className="jp-escape-Link"
              onClick={() => this.context.openWorkflow(data.id, 'logs')}
            >
              {trans.__('Full log')}
            </button>
          </span>
        </div>
        <div className="jp-escape-Workflows-Cell-progress">
          <progress
            max={Math.max(total, 1)}
            value={done}
            aria-label={trans.__('Jobs finished')}
          />
          <span>
            {progressText(total, done, progress?.current_step, trans)}
          </span>
        </div>
        <LakeInputsView inputs={lakeSummary(data.lake)} trans={trans} />
        {lastLines.length > 0 && !isTerminal(status) && (
          <pre
            className="jp-escape-Workflows-Cell-log"
            aria-label={trans.__('Last log lines')}
          >
            {lastLines.join('\n')}
          </pre>
        )}
        {status === 'finished' && (
          <div className="jp-escape-Workflows-Cell-outputs">
            {this._outputs ? (
              <ul aria-label={trans.__('Downloaded outputs')}>
                {this._outputs.files.map(path => (
                  <li key={path}>
                    <button
                      className="jp-escape-Link"
                      title={path}
                      onClick={() => this.context.openPath(path)}
                    >
                      {shownPath(path, this._folder)}
                    </button>
                  </li>
                ))}
              </ul>
            ) : (
              <button
                className="jp-mod-styled jp-mod-accept"
                disabled={this._busy}
                onClick={() => void this._download()}
              >
                {this._busy
                  ? trans.__('Downloading…')
                  : trans.__('Download outputs into workspace')}
              </button>
            )}
            {this.context.uploadOutputs && (
              <button
                className="jp-mod-styled"
                onClick={() => this.context.uploadOutputs!(data.id)}
              >
                {trans.__('Upload outputs to the Data Lake…')}
              </button>
            )}
          </div>
        )}
        {error && <ErrorBanner message={error} />}
      </div>
    );
  }

  private get trans(): TranslationBundle {
    return this.context.trans ?? untranslated();
  }

  private _saved: ISavedStatus | null = null;
  private _mime: IRenderMime.IMimeModel | null = null;
  private _data: IWorkflowOutputData | null = null;
  private _model: WorkflowModel | null = null;
  private _visible = false;
  private _started = false;
  private _unobserve: (() => void) | null = null;
  private _outputs: IOutputsResult | null = null;
  /** The notebook's folder the outputs were downloaded next to (null: not known). */
  private _folder: string | null = null;
  private _busy = false;
  private _error: string | null = null;
}

/**
 * `safe: true` on purpose. JupyterLab 4 renders an untrusted output with the best factory marked
 * safe (`preferredMimeType(data, 'ensure')`) and hands the renderer the model's `trusted` flag;
 * a safe factory is one whose rendering of untrusted data is still useful. Ours is: for an
 * untrusted model it draws the saved status, labelled as not live, and does nothing else. With
 * `safe: false` the same output would fall back to its `text/plain` summary, with no sign that
 * it is stale. Trusting the notebook re-renders the output trusted, and it goes live.
 */
export function workflowRendererFactory(
  context: IOutputContext
): IRenderMime.IRendererFactory {
  return {
    safe: true,
    mimeTypes: [WORKFLOW_MIME],
    defaultRank: 50,
    createRenderer: () => new WorkflowOutput(context)
  };
}
