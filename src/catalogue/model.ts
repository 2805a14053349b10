/**
 * State of the catalogue search: query, sort, scope, filters, pages of results, and the
 * loading, error and "slowing down" states. Typing is debounced so that a query typed at
 * human speed costs one or two upstream searches; only the newest answer is ever shown.
 */
import { VDomModel } from '@jupyterlab/ui-components';
import { Debouncer } from '@lumino/polling';

import { EscapeRequestError } from '../request';
import {
  catalogueAPI,
  IFacet,
  IRecordSummary,
  ISearchParams,
  ISearchResult,
  RateLimitedError,
  Scope,
  SortOption
} from './api';

export interface ISearchModelOptions {
  search?: (
    params: ISearchParams,
    signal?: AbortSignal
  ) => Promise<ISearchResult>;
  debounceMs?: number;
  pageSize?: number;
  scope?: Scope;
}

export class SearchModel extends VDomModel {
  constructor(options: ISearchModelOptions = {}) {
    super();
    this._search = options.search ?? catalogueAPI.search;
    this._pageSize = options.pageSize ?? 10;
    this._scope = options.scope ?? 'community';
    this._debouncer = new Debouncer(
      () => this._run(1),
      options.debounceMs ?? 600
    );
  }

  get query(): string {
    return this._query;
  }
  get sort(): SortOption {
    return this._sort;
  }
  get scope(): Scope {
    return this._scope;
  }
  get filters(): Record<string, string[]> {
    return this._filters;
  }
  get results(): IRecordSummary[] {
    return this._results;
  }
  get facets(): IFacet[] {
    return this._facets;
  }
  get total(): number | null {
    return this._total;
  }
  get community(): string {
    return this._community;
  }
  get loading(): boolean {
    return this._loading;
  }
  get error(): string | null {
    return this._error;
  }
  /** Seconds until the automatic retry after Zenodo asked us to slow down, else null. */
  get slowDown(): number | null {
    return this._slowDown;
  }
  /** More pages exist and Zenodo's 10 000-result window allows them. */
  get canLoadMore(): boolean {
    return (
      this._total !== null &&
      this._results.length < this._total &&
      this._page < this._maxPage &&
      !this._loading
    );
  }
  get searched(): boolean {
    return this._total !== null;
  }

  /** Typing: searches after a pause (debounced). */
  setQuery(query: string): void {
    if (query === this._query) {
      return;
    }
    this._query = query;
    this.stateChanged.emit();
    void this._debouncer.invoke();
  }

  /** Enter, or any explicit control: search at once. */
  submit(): Promise<void> {
    void this._debouncer.stop();
    return this._run(1);
  }

  setSort(sort: SortOption): Promise<void> {
    this._sort = sort;
    return this.submit();
  }

  setScope(scope: Scope): Promise<void> {
    this._scope = scope;
    this._filters = {};
    return this.submit();
  }

  toggleFilter(name: string, key: string): Promise<void> {
    const values = this._filters[name] ?? [];
    const next = values.includes(key)
      ? values.filter(v => v !== key)
      : [...values, key];
    this._filters = { ...this._filters, [name]: next };
    if (!next.length) {
      delete this._filters[name];
    }
    return this.submit();
  }

  clearFilters(): Promise<void> {
    this._filters = {};
    return this.submit();
  }

  loadMore(): Promise<void> {
    return this.canLoadMore ? this._run(this._page + 1) : Promise.resolve();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._debouncer.dispose();
    this._abort?.abort();
    window.clearTimeout(this._retryTimer);
    window.clearInterval(this._countdown);
    super.dispose();
  }

  private async _run(page: number): Promise<void> {
    const sequence = ++this._sequence;
    this._abort?.abort();
    const abort = new AbortController();
    this._abort = abort;
    this._clearSlowDown();
    this._loading = true;
    this._error = null;
    this.stateChanged.emit();
    const params: ISearchParams = {
      q: this._query.trim(),
      sort:
        this._sort === 'bestmatch' && !this._query.trim()
          ? 'newest'
          : this._sort,
      scope: this._scope,
      page,
      size: this._pageSize,
      filters: this._filters
    };
    try {
      const result = await this._search(params, abort.signal);
      if (sequence !== this._sequence || this.isDisposed) {
        return; // a newer search was started: this answer is stale
      }
      this._results =
        page === 1 ? result.hits : [...this._results, ...result.hits];
      this._facets = result.facets;
      this._total = result.total;
      this._page = page;
      this._maxPage = result.max_page;
      this._community = result.community;
    } catch (reason) {
      if (sequence !== this._sequence || this.isDisposed) {
        return;
      }
      if (reason instanceof RateLimitedError) {
        this._startSlowDown(reason.retryAfter, page);
      } else if (reason instanceof EscapeRequestError) {
        this._error = reason.message;
      } else if ((reason as Error)?.name !== 'AbortError') {
        this._error = `The search failed: ${String(reason)}`;
      }
    }
    this._loading = false;
    this.stateChanged.emit();
  }

  /** Show "slowing down", count down, then retry the same page on our own. */
  private _startSlowDown(seconds: number, page: number): void {
    this._slowDown = seconds;
    this._countdown = window.setInterval(() => {
      if (this._slowDown !== null && this._slowDown > 1) {
        this._slowDown -= 1;
        this.stateChanged.emit();
      }
    }, 1000);
    this._retryTimer = window.setTimeout(() => {
      void this._run(page);
    }, seconds * 1000);
  }

  private _clearSlowDown(): void {
    window.clearTimeout(this._retryTimer);
    window.clearInterval(this._countdown);
    this._slowDown = null;
  }

  private readonly _search: NonNullable<ISearchModelOptions['search']>;
  private readonly _pageSize: number;
  private readonly _debouncer: Debouncer;
  private _query = '';
  private _sort: SortOption = 'bestmatch';
  private _scope: Scope;
  private _filters: Record<string, string[]> = {};
  private _results: IRecordSummary[] = [];
  private _facets: IFacet[] = [];
  private _total: number | null = null;
  private _page = 1;
  private _maxPage = 1;
  private _community = '';
  private _loading = false;
  private _error: string | null = null;
  private _slowDown: number | null = null;
  private _sequence = 0;
  private _abort: AbortController | null = null;
  private _retryTimer = 0;
  private _countdown = 0;
}
