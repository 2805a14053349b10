/**
 * State of the workflow launcher, no JSX: the submission form, the workflows list and one
 * workflow's details. Lists and details poll with @lumino/polling: at the server's advertised
 * interval, backing off after failures, standing by while hidden, and a run's details stop
 * polling once it reached a terminal state.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { VDomModel } from '@jupyterlab/ui-components';
import { UUID } from '@lumino/coreutils';
import { IPoll, Poll } from '@lumino/polling';
import { Signal } from '@lumino/signaling';

import { errorMessage, EscapeRequestError } from '../request';
import {
  ILogDelta,
  ISpecification,
  ISubmitEvent,
  IValidation,
  IWorkflow,
  IWorkspaceFile,
  isTerminal,
  ReanaApi,
  reanaApi
} from './api';
import { untranslated } from './components/format';

/** REANA's reana-ui default when the server does not say (GET /api/config polling_secs). */
export const DEFAULT_POLL_SECONDS = 15;

function frequency(ms: number): IPoll.Frequency {
  return { interval: ms, backoff: true, max: Math.max(ms * 8, 60_000) };
}

// -- submission -----------------------------------------------------------------------------------

export type SubmitPhase = 'idle' | 'submitting' | 'done' | 'failed';

export class SubmitModel extends VDomModel {
  constructor(
    path: string,
    private readonly api: ReanaApi = reanaApi,
    readonly trans: TranslationBundle = untranslated()
  ) {
    super();
    this._path = path;
  }

  get path(): string {
    return this._path;
  }
  set path(value: string) {
    if (value !== this._path) {
      this._path = value;
      this._validation = null;
      this.stateChanged.emit();
    }
  }

  get name(): string {
    return this._name;
  }
  set name(value: string) {
    this._name = value;
    this.stateChanged.emit();
  }

  get parameters(): Record<string, string> {
    return this._parameters;
  }

  setParameter(key: string, value: string): void {
    this._parameters = { ...this._parameters, [key]: value };
    this.stateChanged.emit();
  }

  get validation(): IValidation | null {
    return this._validation;
  }
  get validating(): boolean {
    return this._validating;
  }
  get phase(): SubmitPhase {
    return this._phase;
  }
  get progress(): ISubmitEvent | null {
    return this._progress;
  }
  get created(): ISubmitEvent | null {
    return this._created;
  }
  get error(): string | null {
    return this._error;
  }

  /** The idempotency key: one per form, so a double click or a retry never submits twice. */
  get key(): string {
    return this._key;
  }

  get nameProblem(): string | null {
    if (!/^[A-Za-z0-9_-]{1,100}$/.test(this._name)) {
      return this.trans.__('Use letters, digits, "-" and "_" (no dots).');
    }
    return null;
  }

  get canSubmit(): boolean {
    return (
      !!this._validation?.valid &&
      !this.nameProblem &&
      this._phase !== 'submitting' &&
      this._phase !== 'done'
    );
  }

  /** Check the spec on the server (parse, schema, inputs, capabilities). */
  async validate(): Promise<IValidation | null> {
    this._validating = true;
    this._error = null;
    this.stateChanged.emit();
    try {
      const result = await this.api.validate(this._path, this._nonEmpty());
      const first = this._validation === null;
      this._validation = result;
      if (first) {
        this._name = this._name || result.default_name;
        const declared = result.summary.inputs.parameters;
        this._parameters = Object.fromEntries(
          Object.entries(declared).map(([k, v]) => [
            k,
            this._parameters[k] ??
              (typeof v === 'string' ? v : JSON.stringify(v))
          ])
        );
      }
      return result;
    } catch (reason) {
      this._error = errorMessage(
        reason,
        this.trans.__('Checking the reana.yaml')
      );
      return null;
    } finally {
      this._validating = false;
      this.stateChanged.emit();
    }
  }

  /**
   * Validate, then create, upload and start; progress arrives as NDJSON events.
   * `allowMissingInputs`: "Submit anyway" although declared inputs do not exist (a new key).
   */
  async submit(
    options: { allowMissingInputs?: boolean } = {}
  ): Promise<ISubmitEvent | null> {
    if (this._phase === 'submitting' || this._phase === 'done') {
      return this._created;
    }
    if (options.allowMissingInputs) {
      this._key = UUID.uuid4().replace(/-/g, '');
    }
    // Claimed before the first await: a second click while validating does nothing.
    this._phase = 'submitting';
    const checked = await this.validate();
    if (!checked?.valid || this.nameProblem) {
      this._phase = 'idle';
      this.stateChanged.emit();
      return null;
    }
    this._error = null;
    this.stateChanged.emit();
    try {
      for await (const event of this.api.submit({
        path: this._path,
        name: this._name,
        parameters: this._changedParameters(),
        idempotency_key: this._key,
        ...(options.allowMissingInputs ? { allow_missing_inputs: true } : {})
      })) {
        this._progress = event;
        if (event.workflow_id) {
          this._created = event;
        }
        this.stateChanged.emit();
      }
      this._phase = this._progress?.stage === 'started' ? 'done' : 'failed';
      if (this._phase === 'failed') {
        this._error = this.trans.__(
          'The submission ended before the workflow started.'
        );
      }
    } catch (reason) {
      this._phase = 'failed';
      this._error = errorMessage(
        reason,
        this.trans.__('Submitting the workflow')
      );
      if (
        reason instanceof EscapeRequestError &&
        reason.code === 'reana_missing_inputs'
      ) {
        // Inputs vanished since the check: show which, with "Submit anyway".
        void this.validate();
      }
    }
    this.stateChanged.emit();
    return this._phase === 'done' ? this._progress : null;
  }

  private _nonEmpty(): Record<string, string> {
    return Object.fromEntries(
      Object.entries(this._parameters).filter(([, v]) => v !== '')
    );
  }

  /** Only the parameters the user changed are overrides; the rest come from reana.yaml. */
  private _changedParameters(): Record<string, string> {
    const declared = this._validation?.summary.inputs.parameters ?? {};
    return Object.fromEntries(
      Object.entries(this._nonEmpty()).filter(([k, v]) => {
        const original = declared[k];
        return (
          (typeof original === 'string'
            ? original
            : JSON.stringify(original)) !== v
        );
      })
    );
  }

  private _path: string;
  private _name = '';
  private _parameters: Record<string, string> = {};
  private _validation: IValidation | null = null;
  private _validating = false;
  private _phase: SubmitPhase = 'idle';
  private _progress: ISubmitEvent | null = null;
  private _created: ISubmitEvent | null = null;
  private _error: string | null = null;
  private _key = UUID.uuid4().replace(/-/g, '');
}

// -- one state for every view ---------------------------------------------------------------------

/**
 * What any view last read of a run (a detail view, a cell's status output): the sidebar list
 * takes it at once instead of at its own next poll, so no view shows an older state than
 * another (#21: the sidebar lagged the detail view by up to a poll interval, and a run launched
 * from a cell appeared only at the list's next, possibly slowed, poll).
 */
export const workflowSeen = new Signal<object, IWorkflow>({});

// -- workflows list -------------------------------------------------------------------------------

export class WorkflowListModel extends VDomModel {
  constructor(
    options: {
      api?: ReanaApi;
      intervalMs?: number;
      autoStart?: boolean;
      trans?: TranslationBundle;
    } = {}
  ) {
    super();
    this.api = options.api ?? reanaApi;
    this.trans = options.trans ?? untranslated();
    this._interval = options.intervalMs ?? DEFAULT_POLL_SECONDS * 1000;
    this.poll = new Poll({
      auto: options.autoStart ?? false,
      factory: () => this._load(),
      frequency: frequency(this._interval),
      standby: () => (!this._visible ? true : 'when-hidden'),
      name: 'jupyterlab-escape:workflows-list'
    });
    workflowSeen.connect(this._take, this);
  }

  /** A run as another view just read it: the same state here, at once. */
  private _take(_: object, workflow: IWorkflow): void {
    const index = this._items.findIndex(w => w.id === workflow.id);
    if (index < 0) {
      if (this._loaded && !isTerminal(workflow.status)) {
        // A run this list has not listed yet (launched from a cell, a kernel): list again now.
        void this.refresh();
      }
      return;
    }
    if (this._items[index].status === workflow.status) {
      return;
    }
    this._items = this._items.map((w, i) =>
      i === index ? { ...w, ...workflow } : w
    );
    if (!isTerminal(workflow.status)) {
      // Something runs again: back to the full polling pace.
      this.poll.frequency = frequency(this._interval);
    }
    this.stateChanged.emit();
  }

  readonly api: ReanaApi;
  readonly trans: TranslationBundle;
  readonly poll: Poll;

  get items(): IWorkflow[] {
    return this._items;
  }
  get search(): string {
    return this._search;
  }
  get statuses(): string[] {
    return this._statuses;
  }
  get error(): string | null {
    return this._error;
  }
  get loaded(): boolean {
    return this._loaded;
  }

  /** The server's advertised polling interval (GET /api/config polling_secs). */
  setIntervalSeconds(seconds: number): void {
    this._interval = Math.max(1, seconds) * 1000;
    this.poll.frequency = frequency(this._interval);
  }

  /** Hidden panels stand by: no request goes out until they are shown again. */
  set visible(value: boolean) {
    if (value !== this._visible) {
      this._visible = value;
      if (value) {
        void this.refresh();
      }
    }
  }
  get visible(): boolean {
    return this._visible;
  }

  setSearch(value: string): void {
    this._search = value;
    this.stateChanged.emit();
    void this.refresh();
  }

  toggleStatus(status: string): void {
    this._statuses = this._statuses.includes(status)
      ? this._statuses.filter(s => s !== status)
      : [...this._statuses, status];
    this.stateChanged.emit();
    void this.refresh();
  }

  async start(): Promise<void> {
    await this.poll.start();
  }

  refresh(): Promise<void> {
    return this.poll.refresh();
  }

  dispose(): void {
    workflowSeen.disconnect(this._take, this);
    this.poll.dispose();
    super.dispose();
  }

  private async _load(): Promise<void> {
    try {
      const answer = await this.api.list(this._search, this._statuses);
      this._items = answer.items;
      this._error = null;
      this._loaded = true;
      // Nothing can change by itself when every run is over: poll four times less often.
      const active = this._items.some(w => !isTerminal(w.status));
      const wanted = active ? this._interval : this._interval * 4;
      if (this.poll.frequency.interval !== wanted) {
        this.poll.frequency = frequency(wanted);
      }
    } catch (reason) {
      this._error = errorMessage(reason, this.trans.__('Listing workflows'));
      throw reason; // the poll backs off
    } finally {
      if (!this.isDisposed) {
        this.stateChanged.emit();
      }
    }
  }

  private _items: IWorkflow[] = [];
  private _search = '';
  private _statuses: string[] = [];
  private _error: string | null = null;
  private _loaded = false;
  private _visible = true;
  private _interval: number;
}

// -- one workflow ---------------------------------------------------------------------------------

export interface IJobLog {
  id: string;
  name: string;
  status: string | null;
  image: string | null;
  command: string | null;
  log: string;
}

export class WorkflowModel extends VDomModel {
  constructor(
    readonly id: string,
    options: {
      api?: ReanaApi;
      intervalMs?: number;
      trans?: TranslationBundle;
    } = {}
  ) {
    super();
    this.api = options.api ?? reanaApi;
    this.trans = options.trans ?? untranslated();
    const interval = options.intervalMs ?? DEFAULT_POLL_SECONDS * 1000;
    this.poll = new Poll({
      auto: false,
      factory: () => this._load(),
      frequency: frequency(interval),
      standby: () => (!this._visible ? true : 'when-hidden'),
      name: `jupyterlab-escape:workflows-workflow-${id}`
    });
  }

  readonly api: ReanaApi;
  readonly trans: TranslationBundle;
  readonly poll: Poll;

  get workflow(): IWorkflow | null {
    return this._workflow;
  }
  get engineLog(): string {
    return this._engineLog;
  }
  get jobs(): IJobLog[] {
    return this._jobs;
  }
  get error(): string | null {
    return this._error;
  }
  get files(): IWorkspaceFile[] | null {
    return this._files;
  }
  get specification(): ISpecification | null {
    return this._spec;
  }
  /** True while the run can still change and the model polls it. */
  get following(): boolean {
    return this._following;
  }

  /** The tab a caller asked the workflow's view to show ("Full log" asks for the logs). */
  get requestedTab(): string | null {
    return this._requestedTab;
  }
  /** Counts the requests, so that asking twice for the same tab shows it again. */
  get tabRequests(): number {
    return this._tabRequests;
  }
  showTab(tab: string): void {
    this._requestedTab = tab;
    this._tabRequests++;
    this.stateChanged.emit();
  }

  set visible(value: boolean) {
    if (value !== this._visible) {
      this._visible = value;
      if (value && this._following) {
        void this.poll.refresh();
      }
    }
  }

  async start(): Promise<void> {
    this._following = true;
    await this.poll.start();
  }

  refresh(): Promise<void> {
    if (!this._following) {
      return this._load();
    }
    return this.poll.refresh();
  }

  async loadFiles(): Promise<void> {
    try {
      this._files = (await this.api.files(this.id)).items;
    } catch (reason) {
      this._error = errorMessage(
        reason,
        this.trans.__('Listing the workspace')
      );
    }
    this.stateChanged.emit();
  }

  async loadSpecification(): Promise<void> {
    try {
      this._spec = await this.api.specification(this.id);
    } catch (reason) {
      this._error = errorMessage(
        reason,
        this.trans.__('Reading the specification')
      );
    }
    this.stateChanged.emit();
  }

  /** After an action (stop): follow again until the run settles. */
  async follow(): Promise<void> {
    if (!this._following) {
      this._following = true;
      await this.poll.start();
    }
    await this.poll.refresh();
  }

  dispose(): void {
    this.poll.dispose();
    super.dispose();
  }

  private _applyLogs(delta: ILogDelta): void {
    if (delta.reset) {
      this._engineLog = '';
      this._jobs = [];
    }
    this._engineLog += delta.workflow_append;
    for (const job of delta.jobs) {
      const known = this._jobs.find(j => j.id === job.id);
      if (known) {
        known.log += job.append;
        known.status = job.status;
      } else {
        this._jobs.push({
          id: job.id,
          name: job.name ?? job.id,
          status: job.status,
          image: job.image,
          command: job.command,
          log: job.append
        });
      }
    }
    this._jobs = [...this._jobs];
    this._cursor = delta.cursor;
  }

  private async _load(): Promise<void> {
    try {
      const workflow = await this.api.get(this.id);
      this._workflow = workflow;
      workflowSeen.emit(workflow);
      this._applyLogs(await this.api.logs(this.id, this._cursor));
      this._error = null;
      if (isTerminal(workflow.status) && this._following) {
        // The last answer is in: nothing will change any more.
        this._following = false;
        void this.poll.stop();
      }
    } catch (reason) {
      this._error = errorMessage(reason, this.trans.__('Reading the workflow'));
      throw reason;
    } finally {
      if (!this.isDisposed) {
        this.stateChanged.emit();
      }
    }
  }

  private _workflow: IWorkflow | null = null;
  private _engineLog = '';
  private _jobs: IJobLog[] = [];
  private _cursor: string | undefined = undefined;
  private _error: string | null = null;
  private _files: IWorkspaceFile[] | null = null;
  private _spec: ISpecification | null = null;
  private _following = false;
  private _visible = true;
  private _requestedTab: string | null = null;
  private _tabRequests = 0;
}
