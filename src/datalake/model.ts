import { ISignal, Signal } from '@lumino/signaling';

import { errorMessage, EscapeRequestError, loginUrlOf } from '../request';
import {
  DatalakeApi,
  datalakeApi,
  didOf,
  IDidDetails,
  IDidRow,
  IMetadataFilter,
  IWhoami,
  SearchType
} from './api';
import { RowFacts } from './rowFacts';

/** One listing on the navigation stack: the search results, or a collection's content. */
export interface ILevel {
  /** null for the search results; the collection's DID otherwise. */
  did: string | null;
  label: string;
  rows: IDidRow[];
  running: boolean;
  error: string | null;
  /** Where to sign in again, when the error says so. */
  loginUrl?: string | null;
  /** As many rows as the limit: there may be more. */
  limitReached: boolean;
  limit: number;
}

/** What the panel remembers across reloads (through IStateDB). */
export interface IDatalakeState {
  /** The Rucio instance; undefined for the server's first one. */
  instance?: string;
  query: string;
  type: SearchType;
  limit: number;
  filters: IMetadataFilter[];
}

export const DEFAULT_LIMIT = 1000;
/** Rows gathered before the view is told (besides every EMIT_MS). */
const EMIT_ROWS = 250;
const EMIT_MS = 100;

function isAbort(reason: unknown): boolean {
  return (reason as Error)?.name === 'AbortError';
}

/**
 * State of the Data Lake panel: identity, query, a stack of streamed listings and the details
 * of the selected DID. Views read it and call its methods; it never renders.
 */
export class DatalakeModel {
  constructor(private readonly api: DatalakeApi = datalakeApi) {}

  /**
   * The table's lazy columns (availability, created): the details of the rows on screen, a few
   * at a time; cancelled when the listing changes.
   */
  readonly rowFacts = new RowFacts({
    load: (did, signal) => this.api.details(did, this._state.instance, signal),
    concurrency: 4
  });

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Bumped on every change, so views can re-render rows mutated in place. */
  get version(): number {
    return this._version;
  }

  get whoami(): IWhoami | null {
    return this._whoami;
  }
  get scopes(): string[] {
    return this._scopes;
  }
  get identityError(): string | null {
    return this._identityError;
  }
  /** Where to sign in again, when the identity failed because the sign-in expired. */
  get identityLoginUrl(): string | null {
    return this._identityLoginUrl;
  }

  get state(): IDatalakeState {
    return {
      ...this._state,
      filters: this._state.filters.map(f => ({ ...f }))
    };
  }

  get levels(): readonly ILevel[] {
    return this._levels;
  }
  get current(): ILevel | null {
    return this._levels[this._levels.length - 1] ?? null;
  }

  get selected(): IDidDetails | null {
    return this._selected;
  }
  get selectedDid(): string | null {
    return this._selectedDid;
  }
  get detailsLoading(): boolean {
    return this._detailsLoading;
  }

  /**
   * Whether the table view is on screen: it shows the selected DID's details beside the
   * table, so the sidebar leaves them out instead of showing them twice (review s3 §9).
   */
  get tableShown(): boolean {
    return this._tableShown;
  }
  set tableShown(shown: boolean) {
    if (shown !== this._tableShown) {
      this._tableShown = shown;
      this._emit();
    }
  }
  get detailsError(): string | null {
    return this._detailsError;
  }

  /** Change query fields; nothing runs until search(). */
  update(partial: Partial<IDatalakeState>): void {
    this._state = { ...this._state, ...partial };
    this._emit();
  }

  /** Switch to another Rucio instance: everything listed so far belonged to the old one. */
  async setInstance(instance: string): Promise<void> {
    if (instance === (this._state.instance ?? this._whoami?.instance.name)) {
      return;
    }
    this._abortAll();
    this._levels = [];
    this._clearSelection();
    this._checked.clear();
    this._whoami = null;
    this._scopes = [];
    this.rowFacts.clear();
    this._state = { ...this._state, instance };
    await this.connect();
    if (this._state.query.trim()) {
      await this.search();
    }
  }

  /** Who we are now, without clearing the header meanwhile (a renewed token's expiry). */
  private async _refreshIdentity(): Promise<void> {
    try {
      this._whoami = await this.api.whoami(this._state.instance);
      this._identityError = null;
      this._identityLoginUrl = null;
    } catch (reason) {
      this._whoami = null;
      this._identityError = errorMessage(reason);
      this._identityLoginUrl = loginUrlOf(reason);
    }
    this._emit();
  }

  /** Who we are in Rucio and which scopes exist. */
  async connect(): Promise<void> {
    // Who we were is not who we are until Rucio says so: no stale account or expiry (#21).
    this._whoami = null;
    this._identityError = null;
    this._identityLoginUrl = null;
    this._emit();
    try {
      const instance = this._state.instance;
      const [whoami, scopes] = await Promise.all([
        this.api.whoami(instance),
        this.api.scopes(instance)
      ]);
      this._whoami = whoami;
      this._scopes = scopes;
    } catch (reason) {
      this._whoami = null;
      this._identityError = errorMessage(reason);
      this._identityLoginUrl = loginUrlOf(reason);
    }
    this._emit();
    // Suggestions only: a server without them leaves the key field free.
    this._metaKeys = await this.api
      .metaKeys(this._state.instance)
      .catch(() => [] as string[]);
    this._emit();
  }

  /** Metadata keys Rucio knows, suggested in the filter's key field (#21). */
  get metaKeys(): string[] {
    return this._metaKeys;
  }

  /** Run the query: the results replace the whole navigation stack. */
  search(): Promise<void> {
    // The server renews its Rucio token; the header's expiry is asked again once it passed.
    const expires = Date.parse(this._whoami?.auth.token_expires_at ?? '');
    if (!isNaN(expires) && expires <= Date.now()) {
      void this._refreshIdentity();
    }
    this._abortAll();
    const { query } = this._state;
    const level = this._newLevel(null, query.trim(), this._state.limit);
    this._levels = [level];
    this._clearSelection();
    return this._fill(level, signal =>
      this.api.search(
        { ...this._state, limit: level.limit },
        signal,
        this._state.instance
      )
    );
  }

  /** Open a row: a collection is drilled into, a file shows its details. */
  open(row: IDidRow): Promise<void> {
    const did = didOf(row);
    if (row.type === 'file') {
      return this.select(did);
    }
    if (this.current?.running) {
      this.stop();
    }
    const level = this._newLevel(did, row.name, DEFAULT_LIMIT);
    this._levels = [...this._levels, level];
    const details = this.select(did);
    const listing = this._fill(level, signal =>
      this.api.content(did, level.limit, signal, this._state.instance)
    );
    return Promise.all([details, listing]).then(() => undefined);
  }

  /** Go back to a level of the breadcrumbs (0 = the search results). */
  goTo(index: number): void {
    if (index < 0 || index >= this._levels.length - 1) {
      return;
    }
    for (const dropped of this._levels.slice(index + 1)) {
      this._controllers.get(dropped)?.abort();
    }
    this._levels = this._levels.slice(0, index + 1);
    const did = this.current?.did ?? null;
    if (did) {
      void this.select(did);
    } else {
      this._clearSelection();
      this._emit();
    }
  }

  back(): void {
    this.goTo(this._levels.length - 2);
  }

  /** Stop the running listing; the rows so far stay. */
  stop(): void {
    const level = this.current;
    if (level) {
      this._controllers.get(level)?.abort();
    }
  }

  /** List again with ten times the limit. */
  raiseLimit(): Promise<void> {
    const level = this.current;
    if (!level) {
      return Promise.resolve();
    }
    const limit = level.limit * 10;
    if (level.did === null) {
      this._state = { ...this._state, limit };
      return this.search();
    }
    level.limit = limit;
    return this._fill(level, signal =>
      this.api.content(level.did!, limit, signal, this._state.instance)
    );
  }

  async select(did: string): Promise<void> {
    this._selectedDid = did;
    this._selected = null;
    this._detailsError = null;
    this._detailsLoading = true;
    this._emit();
    try {
      const details = await this.api.details(did, this._state.instance);
      if (this._selectedDid === did) {
        this._selected = details;
      }
    } catch (reason) {
      if (this._selectedDid === did) {
        this._detailsError = errorMessage(reason);
      }
    } finally {
      if (this._selectedDid === did) {
        this._detailsLoading = false;
        this._emit();
      }
    }
  }

  clearSelection(): void {
    this._clearSelection();
    this._emit();
  }

  /** DIDs ticked in the listings (across levels), for fetching several at once. */
  get checked(): readonly string[] {
    return [...this._checked];
  }

  isChecked(did: string): boolean {
    return this._checked.has(did);
  }

  toggleChecked(did: string): void {
    if (!this._checked.delete(did)) {
      this._checked.add(did);
    }
    this._emit();
  }

  clearChecked(): void {
    this._checked.clear();
    this._emit();
  }

  dispose(): void {
    this._abortAll();
  }

  private _clearSelection(): void {
    this._selected = null;
    this._selectedDid = null;
    this._detailsError = null;
    this._detailsLoading = false;
  }

  private _newLevel(did: string | null, label: string, limit: number): ILevel {
    return {
      did,
      label,
      rows: [],
      running: false,
      error: null,
      limitReached: false,
      limit
    };
  }

  private async _fill(
    level: ILevel,
    open: (signal: AbortSignal) => AsyncGenerator<IDidRow>
  ): Promise<void> {
    this._controllers.get(level)?.abort();
    const controller = new AbortController();
    this._controllers.set(level, controller);
    // Another listing: the rows whose details were on the way are gone from the table.
    this.rowFacts.cancel();
    level.rows = [];
    level.error = null;
    level.loginUrl = null;
    level.limitReached = false;
    level.running = true;
    this._emit();
    // Show the first row at once, then batch: at most one render per EMIT_MS or EMIT_ROWS,
    // and a timer so a pause in the stream never hides rows already received.
    let lastEmit = Date.now();
    let pending = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      if (timer !== null) {
        clearTimeout(timer);
        timer = null;
      }
      pending = 0;
      lastEmit = Date.now();
      this._emit();
    };
    try {
      for await (const row of open(controller.signal)) {
        level.rows.push(row);
        pending++;
        if (
          level.rows.length === 1 ||
          pending >= EMIT_ROWS ||
          Date.now() - lastEmit >= EMIT_MS
        ) {
          flush();
        } else if (timer === null) {
          timer = setTimeout(flush, EMIT_MS);
        }
      }
      level.limitReached = level.rows.length >= level.limit;
    } catch (reason) {
      if (!controller.signal.aborted && !isAbort(reason)) {
        level.error = errorMessage(reason);
        level.loginUrl = loginUrlOf(reason);
        if (reason instanceof EscapeRequestError && reason.status === 401) {
          // Rucio no longer takes the identity the header shows: say so there, not "root".
          this._whoami = null;
          this._identityError = level.error;
          this._identityLoginUrl = level.loginUrl;
        }
      }
    } finally {
      if (timer !== null) {
        clearTimeout(timer);
      }
      level.running = false;
      if (this._controllers.get(level) === controller) {
        this._controllers.delete(level);
      }
      this._emit();
    }
  }

  private _abortAll(): void {
    for (const controller of this._controllers.values()) {
      controller.abort();
    }
    this._controllers.clear();
  }

  private _emit(): void {
    this._version++;
    this._changed.emit();
  }

  private _changed = new Signal<this, void>(this);
  private _version = 0;
  private _whoami: IWhoami | null = null;
  private _scopes: string[] = [];
  private _metaKeys: string[] = [];
  private _identityError: string | null = null;
  private _identityLoginUrl: string | null = null;
  private _state: IDatalakeState = {
    query: '',
    type: 'all',
    limit: DEFAULT_LIMIT,
    filters: []
  };
  private _levels: ILevel[] = [];
  private _controllers = new Map<ILevel, AbortController>();
  private _selected: IDidDetails | null = null;
  private _checked = new Set<string>();
  private _selectedDid: string | null = null;
  private _detailsLoading = false;
  private _detailsError: string | null = null;
  private _tableShown = false;
}
