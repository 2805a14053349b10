/**
 * The table's "availability" and "created" columns (#21): Rucio's listing does not carry them,
 * the DID details do. They are asked for lazily, only for the rows on screen, a few at a time
 * (bounded concurrency), kept once known (per instance), and a request whose row scrolled out or
 * whose listing changed is cancelled before it costs more.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { IDidDetails } from './api';

/** What the columns show for one DID. */
export interface IRowFacts {
  /** "On 2 RSEs", "Partial: 60 %", "None". */
  availability: string;
  /** Sort value: 1 + complete RSEs when complete somewhere, else the best fraction (0..1). */
  availabilityRank: number;
  /** ISO 8601 UTC, or null when Rucio does not say. */
  created: string | null;
}

export type RowFactsState =
  | { state: 'loading' }
  | { state: 'done'; facts: IRowFacts }
  | { state: 'error'; message: string };

/** The facts of a DID from its details. */
export function factsOf(details: IDidDetails): IRowFacts {
  let complete = 0;
  let best = 0;
  if (details.type === 'file') {
    complete = (details.replicas ?? []).filter(
      r => r.state === 'AVAILABLE'
    ).length;
  } else {
    for (const entry of details.availability ?? []) {
      if (entry.length > 0 && entry.available_length >= entry.length) {
        complete++;
      } else if (entry.length > 0) {
        best = Math.max(best, entry.available_length / entry.length);
      }
    }
  }
  const availability =
    complete > 0
      ? complete === 1
        ? 'On 1 RSE'
        : `On ${complete} RSEs`
      : best > 0
        ? `Partial: ${Math.floor(best * 100)} %`
        : 'None';
  return {
    availability,
    availabilityRank: complete > 0 ? 1 + complete : best,
    created: details.created_at ?? null
  };
}

export interface IRowFactsOptions {
  load: (did: string, signal: AbortSignal) => Promise<IDidDetails>;
  /** Details asked at once, at most. */
  concurrency?: number;
}

export class RowFacts {
  constructor(options: IRowFactsOptions) {
    this._load = options.load;
    this._concurrency = options.concurrency ?? 4;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Requests started so far (for tests and the README's claim: no N requests for N rows). */
  get started(): number {
    return this._started;
  }

  /** Requests in flight now. */
  get inFlight(): number {
    return this._running.size;
  }

  get(did: string): RowFactsState | undefined {
    return this._known.get(did);
  }

  /**
   * The rows on screen now: the ones not known yet are queued (in this order), queued or
   * running ones no longer on screen are dropped or cancelled.
   */
  want(dids: readonly string[]): void {
    const wanted = new Set(dids);
    this._queue = this._queue.filter(did => wanted.has(did));
    for (const [did, controller] of this._running) {
      if (!wanted.has(did)) {
        controller.abort();
        this._running.delete(did);
        this._known.delete(did);
      }
    }
    for (const did of dids) {
      if (!this._known.has(did) && !this._queue.includes(did)) {
        this._queue.push(did);
      }
    }
    this._pump();
  }

  /** The listing changed: cancel everything on the way; what is known stays known. */
  cancel(): void {
    this._queue = [];
    for (const [did, controller] of this._running) {
      controller.abort();
      this._known.delete(did);
    }
    this._running.clear();
    this._changed.emit();
  }

  /** Another Rucio instance: nothing known holds any more. */
  clear(): void {
    this.cancel();
    this._known.clear();
    this._changed.emit();
  }

  private _pump(): void {
    while (this._running.size < this._concurrency && this._queue.length) {
      const did = this._queue.shift()!;
      const controller = new AbortController();
      this._running.set(did, controller);
      this._known.set(did, { state: 'loading' });
      this._started++;
      this._load(did, controller.signal).then(
        details =>
          this._settle(did, controller, {
            state: 'done',
            facts: factsOf(details)
          }),
        reason =>
          this._settle(did, controller, {
            state: 'error',
            message: String((reason as Error)?.message ?? reason)
          })
      );
    }
    this._changed.emit();
  }

  private _settle(
    did: string,
    controller: AbortController,
    result: RowFactsState
  ): void {
    if (controller.signal.aborted || this._running.get(did) !== controller) {
      return;
    }
    this._running.delete(did);
    this._known.set(did, result);
    this._pump();
  }

  private _load: IRowFactsOptions['load'];
  private _concurrency: number;
  private _queue: string[] = [];
  private _running = new Map<string, AbortController>();
  private _known = new Map<string, RowFactsState>();
  private _started = 0;
  private _changed = new Signal<this, void>(this);
}
