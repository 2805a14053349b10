/**
 * The state of one upload dialog: the choices (scope, names, dataset, metadata, RSE, lifetime,
 * copies), the server's plan of them (`check: true`, debounced, the latest answer wins) and the
 * start, sent once with an idempotency key. No JSX.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { errorMessage } from '../../request';
import {
  INameRule,
  IUploadApi,
  IUploadJob,
  IUploadOptions,
  IUploadPlan,
  IUploadRequest,
  IUploadRse
} from './api';

/** A new dataset, an existing one to attach to, or none (loose files; not for a folder). */
export type DatasetMode = 'new' | 'existing' | 'none';

export interface IMetaRow {
  key: string;
  value: string;
}

/** A problem found before asking the server (a DID name against the rule). */
export interface ILocalProblem {
  message: string;
  path?: string;
}

export interface IUploadDialogModelOptions {
  api: IUploadApi;
  /** Workspace paths of the files and folders to upload. */
  paths: string[];
  instance?: string;
  /** Milliseconds of calm before the plan is asked again. */
  debounceMs?: number;
  /** A fresh idempotency key; tests pass a fixed one. */
  newKey?: () => string;
}

const DAY = 24 * 3600;

export function newIdempotencyKey(): string {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (c && typeof c.randomUUID === 'function') {
    return c.randomUUID();
  }
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/** Why a DID name breaks Rucio's rule as the server states it; null when it is fine. */
export function nameRuleProblem(name: string, rule: INameRule): string | null {
  if (!name) {
    return 'a DID name cannot be empty';
  }
  if (name.length > rule.max_length) {
    return `longer than ${rule.max_length} characters`;
  }
  let pattern: RegExp;
  try {
    pattern = new RegExp(rule.pattern);
  } catch {
    return null; // a rule this browser cannot read: the server checks it anyway
  }
  return pattern.test(name) ? null : `breaks the naming rule (${rule.text})`;
}

/** Metadata values as the server takes them: numbers stay numbers, the rest text. */
export function metaValue(text: string): string | number {
  const trimmed = text.trim();
  return /^-?\d+(\.\d+)?$/.test(trimmed) && trimmed.length < 16
    ? Number(trimmed)
    : trimmed;
}

export class UploadDialogModel {
  constructor(options: IUploadDialogModelOptions) {
    this._api = options.api;
    this.paths = options.paths.slice();
    this.instance = options.instance;
    this._debounceMs = options.debounceMs ?? 400;
    this.idempotencyKey = (options.newKey ?? newIdempotencyKey)();
  }

  readonly paths: string[];
  readonly instance: string | undefined;
  /** Sent with the start: a second start of this dialog is the same job. */
  readonly idempotencyKey: string;

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get options(): IUploadOptions | null {
    return this._options;
  }
  /** Why the options could not be loaded (no credentials, Rucio down). */
  get optionsError(): string | null {
    return this._optionsError;
  }
  get plan(): IUploadPlan | null {
    return this._plan;
  }
  /** A check is waiting or in flight: the plan shown may be stale. */
  get checking(): boolean {
    return this._timer !== null || this._inFlight !== null;
  }
  /** Why the last check was refused as a request (400 for a malformed choice). */
  get checkError(): string | null {
    return this._checkError;
  }
  get starting(): boolean {
    return this._starting;
  }
  get startError(): string | null {
    return this._startError;
  }

  get scope(): string {
    return this._scope;
  }
  get rse(): string {
    return this._rse;
  }
  get datasetMode(): DatasetMode {
    return this._datasetMode;
  }
  get dataset(): string {
    return this._dataset;
  }
  get container(): string {
    return this._container;
  }
  get meta(): readonly IMetaRow[] {
    return this._meta;
  }
  /** Days; '' for no expiry. */
  get lifetimeDays(): string {
    return this._lifetimeDays;
  }
  get copies(): number {
    return this._copies;
  }
  /** Whether "no dataset" may be chosen: not when a folder is uploaded (it becomes one). */
  get datasetOptional(): boolean {
    return this._datasetOptional;
  }

  /** The RSE entry chosen, with its quota. */
  get rseInfo(): IUploadRse | null {
    return this._options?.rses.find(r => r.rse === this._rse) ?? null;
  }

  /** The DID name a path will get: the user's, else the server's default. */
  nameOf(path: string): string {
    return (
      this._names[path] ??
      this._plan?.files.find(f => f.path === path)?.name ??
      ''
    );
  }

  /** Whether the user renamed this file. */
  isRenamed(path: string): boolean {
    return path in this._names;
  }

  /** Problems the browser sees by itself: names against the rule, half-filled metadata. */
  get localProblems(): ILocalProblem[] {
    const rule = this._options?.name_rule;
    const out: ILocalProblem[] = [];
    if (rule) {
      for (const [path, name] of Object.entries(this._names)) {
        const why = nameRuleProblem(name, rule);
        if (why) {
          out.push({ message: `${path}: ${name || '""'} ${why}.`, path });
        }
      }
      if (this._datasetMode !== 'none' && this._datasetTouched) {
        const why = nameRuleProblem(this._dataset, rule);
        if (why) {
          out.push({ message: `The dataset name ${why}.` });
        }
      }
      if (this._container) {
        const why = nameRuleProblem(this._container, rule);
        if (why) {
          out.push({ message: `The container name ${why}.` });
        }
      }
    }
    const keys = new Set<string>();
    for (const row of this._meta) {
      const key = row.key.trim();
      if (!key && !row.value.trim()) {
        continue;
      }
      if (!/^[A-Za-z_]\w*$/.test(key)) {
        out.push({
          message: `Metadata key ${key || '""'}: letters, digits and '_', not starting with a digit.`
        });
      } else if (keys.has(key)) {
        out.push({ message: `Metadata key ${key} is given twice.` });
      }
      keys.add(key);
    }
    const days = this._lifetimeDays.trim();
    if (days && !(Number(days) > 0)) {
      out.push({ message: 'The lifetime is a number of days above 0.' });
    }
    return out;
  }

  /** Upload may be pressed: a fresh plan without problems, nothing local, nothing in flight. */
  get canStart(): boolean {
    return (
      this._options !== null &&
      this._plan !== null &&
      !this.checking &&
      this._checkError === null &&
      this._plan.problems.length === 0 &&
      this._plan.files.length > 0 &&
      this.localProblems.length === 0 &&
      !this._starting
    );
  }

  /** The request as the server takes it (without `check` or the key). */
  request(): IUploadRequest {
    const request: IUploadRequest = {
      paths: this.paths,
      scope: this._scope,
      rse: this._rse
    };
    if (this._datasetTouched) {
      if (this._datasetMode === 'none') {
        request.dataset = null;
      } else {
        request.dataset = this._dataset.trim() || null;
        request.dataset_new = this._datasetMode === 'new';
      }
    }
    if (this._container.trim()) {
      request.container = this._container.trim();
    }
    const meta: Record<string, string | number> = {};
    for (const row of this._meta) {
      if (row.key.trim()) {
        meta[row.key.trim()] = metaValue(row.value);
      }
    }
    if (Object.keys(meta).length) {
      request.meta = meta;
    }
    const days = Number(this._lifetimeDays.trim());
    if (this._lifetimeDays.trim() && days > 0) {
      request.lifetime = Math.round(days * DAY);
    }
    if (this._copies !== 1) {
      request.copies = this._copies;
    }
    if (Object.keys(this._names).length) {
      request.names = { ...this._names };
    }
    return request;
  }

  /** Load what the dialog offers, then plan with the defaults. */
  async load(): Promise<void> {
    try {
      const options = await this._api.options(this.instance);
      this._options = options;
      this._optionsError = null;
      this._scope = options.default_scope ?? options.scopes[0] ?? '';
      this._rse =
        options.default_rse ??
        options.rses.find(r => r.writable)?.rse ??
        options.rses[0]?.rse ??
        '';
    } catch (reason) {
      this._optionsError = errorMessage(reason);
      this._emit();
      return;
    }
    this._emit();
    await this.checkNow();
  }

  setScope(scope: string): void {
    this._scope = scope;
    this._changedChoice();
  }

  setRse(rse: string): void {
    this._rse = rse;
    this._changedChoice();
  }

  setDatasetMode(mode: DatasetMode): void {
    this._datasetMode = mode;
    this._datasetTouched = true;
    this._changedChoice();
  }

  setDataset(name: string): void {
    this._dataset = name;
    this._datasetTouched = true;
    this._changedChoice();
  }

  setContainer(name: string): void {
    this._container = name;
    this._changedChoice();
  }

  /** Rename a file's DID; the server's default name again when `name` is null. */
  setName(path: string, name: string | null): void {
    if (name === null) {
      delete this._names[path];
    } else {
      this._names[path] = name;
    }
    this._changedChoice();
  }

  setMeta(index: number, row: IMetaRow): void {
    this._meta = this._meta.map((r, i) => (i === index ? { ...row } : r));
    this._changedChoice();
  }

  addMeta(key = ''): void {
    this._meta = [...this._meta, { key, value: '' }];
    this._emit();
  }

  removeMeta(index: number): void {
    this._meta = this._meta.filter((_, i) => i !== index);
    this._changedChoice();
  }

  setLifetimeDays(days: string): void {
    this._lifetimeDays = days;
    this._changedChoice();
  }

  setCopies(copies: number): void {
    this._copies = Math.max(1, Math.min(10, Math.round(copies) || 1));
    this._changedChoice();
  }

  /** Ask the server for the plan of the current choices now (the debounce skipped). */
  async checkNow(): Promise<void> {
    this._clearTimer();
    this._inFlight?.abort();
    if (!this._options || !this._scope || !this._rse) {
      this._emit();
      return;
    }
    const controller = new AbortController();
    this._inFlight = controller;
    const seq = ++this._seq;
    this._emit();
    try {
      const plan = await this._api.check(
        this.request(),
        this.instance,
        controller.signal
      );
      if (seq !== this._seq || this._disposed) {
        return;
      }
      this._plan = plan;
      this._checkError = null;
      this._adoptDefaults(plan);
    } catch (reason) {
      if (seq !== this._seq || this._disposed) {
        return;
      }
      this._checkError = errorMessage(reason);
    } finally {
      if (seq === this._seq) {
        this._inFlight = null;
      }
    }
    this._emit();
  }

  /**
   * Start the upload: once. A second call while the first runs (a double click) gets the same
   * promise; the idempotency key makes a repeated request after a lost answer the same job.
   */
  start(): Promise<IUploadJob | null> {
    if (this._startPromise) {
      return this._startPromise;
    }
    if (!this.canStart) {
      return Promise.resolve(null);
    }
    this._starting = true;
    this._startError = null;
    this._emit();
    this._startPromise = this._api
      .start(
        { ...this.request(), idempotency_key: this.idempotencyKey },
        this.instance
      )
      .then(
        job => {
          this._started = job;
          return job;
        },
        reason => {
          this._startError = errorMessage(reason);
          // The server refused (a race with another upload, a quota gone): the user may
          // change something and try again, with the same key (nothing was started).
          this._startPromise = null;
          return null;
        }
      )
      .finally(() => {
        this._starting = false;
        this._emit();
      });
    return this._startPromise;
  }

  /** The job this dialog started, if any. */
  get started(): IUploadJob | null {
    return this._started;
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._clearTimer();
    this._inFlight?.abort();
    Signal.clearData(this);
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** The server's defaults shown as choices until the user changes them. */
  private _adoptDefaults(plan: IUploadPlan): void {
    if (this._datasetTouched) {
      return;
    }
    if (plan.dataset) {
      this._dataset = plan.dataset.name;
      this._datasetMode = plan.dataset.new ? 'new' : 'existing';
      this._datasetOptional = false;
    } else {
      this._dataset = '';
      this._datasetMode = 'none';
      this._datasetOptional = true;
    }
  }

  private _changedChoice(): void {
    this._startError = null;
    this._schedule();
    this._emit();
  }

  private _schedule(): void {
    this._clearTimer();
    // A stale answer in flight is of no use any more.
    this._inFlight?.abort();
    this._inFlight = null;
    this._seq++;
    this._timer = setTimeout(() => {
      this._timer = null;
      void this.checkNow();
    }, this._debounceMs);
  }

  private _clearTimer(): void {
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
  }

  private _emit(): void {
    if (!this._disposed) {
      this._changed.emit();
    }
  }

  private readonly _api: IUploadApi;
  private readonly _debounceMs: number;
  private _changed = new Signal<this, void>(this);
  private _options: IUploadOptions | null = null;
  private _optionsError: string | null = null;
  private _plan: IUploadPlan | null = null;
  private _checkError: string | null = null;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _inFlight: AbortController | null = null;
  private _seq = 0;
  private _starting = false;
  private _startError: string | null = null;
  private _startPromise: Promise<IUploadJob | null> | null = null;
  private _started: IUploadJob | null = null;
  private _disposed = false;
  private _scope = '';
  private _rse = '';
  private _datasetMode: DatasetMode = 'new';
  private _datasetTouched = false;
  private _datasetOptional = false;
  private _dataset = '';
  private _container = '';
  private _names: Record<string, string> = {};
  private _meta: IMetaRow[] = [];
  private _lifetimeDays = '';
  private _copies = 1;
}
