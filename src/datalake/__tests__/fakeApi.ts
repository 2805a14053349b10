import { DatalakeApi, IDidDetails, IDidRow, ISearchParams } from '../api';

/** A listing whose rows the test releases on demand, to observe streaming. */
export class Feed {
  rows: IDidRow[] = [];
  private waiting: (() => void) | null = null;
  done = false;
  failure: Error | null = null;
  signal: AbortSignal | null = null;

  push(...rows: IDidRow[]): void {
    this.rows.push(...rows);
    this.waiting?.();
  }

  end(): void {
    this.done = true;
    this.waiting?.();
  }

  fail(error: Error): void {
    this.failure = error;
    this.waiting?.();
  }

  async *stream(signal?: AbortSignal): AsyncGenerator<IDidRow> {
    this.signal = signal ?? null;
    let index = 0;
    for (;;) {
      if (signal?.aborted) {
        const abort = new Error('aborted');
        abort.name = 'AbortError';
        throw abort;
      }
      if (index < this.rows.length) {
        yield this.rows[index++];
        continue;
      }
      if (this.failure) {
        throw this.failure;
      }
      if (this.done) {
        return;
      }
      await new Promise<void>(resolve => {
        this.waiting = resolve;
        signal?.addEventListener('abort', () => resolve());
      });
      this.waiting = null;
    }
  }
}

export function row(
  name: string,
  type: IDidRow['type'] = 'file',
  scope = 'escape_cta'
): IDidRow {
  return { scope, name, type, bytes: 1000, length: type === 'file' ? null : 3 };
}

export function details(did: string, type: IDidDetails['type']): IDidDetails {
  const [scope, name] = did.split(':');
  return {
    scope,
    name,
    did,
    type,
    account: 'root',
    bytes: 1000,
    length: type === 'file' ? null : 3,
    adler32: type === 'file' ? '0a1b2c3d' : undefined,
    md5: type === 'file' ? '0123456789abcdef0123456789abcdef' : undefined,
    replicas:
      type === 'file'
        ? [{ rse: 'ESCAPE_DISK', state: 'AVAILABLE', schemes: ['https'] }]
        : undefined,
    availability:
      type === 'file'
        ? undefined
        : [
            {
              rse: 'ESCAPE_DISK',
              state: 'PARTIAL',
              length: 3,
              available_length: 2,
              bytes: 1000,
              available_bytes: 700
            }
          ],
    rules: [],
    metadata: { project: 'cta_prod5' }
  };
}

/** An API double: searches and contents come from Feeds the test controls. */
export function fakeApi() {
  const searches: { params: ISearchParams; feed: Feed; instance?: string }[] =
    [];
  const contents: { did: string; limit: number; feed: Feed }[] = [];
  const api: DatalakeApi = {
    whoami: jest.fn(async (instance?: string) => ({
      instance: {
        name: instance ?? 'tb',
        display_name: instance === 'other' ? 'Other Rucio' : 'Testbed',
        url: 'http://x',
        webui_url: null
      },
      instances: [
        { name: 'tb', display_name: 'Testbed' },
        { name: 'other', display_name: 'Other Rucio' }
      ],
      account: {
        account: instance === 'other' ? 'jdoe' : 'root',
        account_type: 'SERVICE',
        status: 'ACTIVE',
        email: null
      },
      auth: { auth_type: 'userpass', account: 'root' }
    })),
    scopes: jest.fn().mockResolvedValue(['escape_cta', 'user.jdoe']),
    metaKeys: jest
      .fn()
      .mockResolvedValue(['datatype', 'project', 'run_number']),
    search: (
      params: ISearchParams,
      signal?: AbortSignal,
      instance?: string
    ) => {
      const feed = new Feed();
      searches.push({ params, feed, instance });
      return feed.stream(signal);
    },
    content: (did: string, limit: number, signal?: AbortSignal) => {
      const feed = new Feed();
      contents.push({ did, limit, feed });
      return feed.stream(signal);
    },
    details: jest.fn(async (did: string) =>
      details(did, did.includes('dataset') ? 'dataset' : 'file')
    )
  };
  return { api, searches, contents };
}

export const tick = (): Promise<void> =>
  new Promise(resolve => setTimeout(resolve, 0));
