import { FetchApi, IFetchJob, IReplicaStatus } from '../fetchApi';

export function job(partial: Partial<IFetchJob> = {}): IFetchJob {
  return {
    id: 'j1',
    instance: 'tb',
    dids: [
      {
        scope: 'escape_cta',
        name: 'cta.prod5.south.gamma.run0001.dl1',
        type: 'dataset'
      }
    ],
    dest: 'datalake',
    kind: 'datalake.fetch',
    state: 'running',
    phase: 'transferring',
    message: null,
    items_total: 8,
    items_done: 3,
    items_failed: 0,
    transferred: 540_000,
    files_total: 8,
    files_done: 3,
    files_failed: 0,
    files_present: 0,
    bytes_total: 1_440_000,
    bytes_done: 540_000,
    throughput: 2_100_000,
    eta_seconds: 12,
    created: 1_700_000_000,
    started: 1_700_000_001,
    finished: null,
    errors: [],
    errors_count: 0,
    paths: [
      {
        did: 'escape_cta:cta.prod5.south.gamma.run0001.dl1',
        path: 'datalake/escape_cta/cta.prod5.south.gamma.run0001.dl1',
        type: 'dataset'
      }
    ],
    ...partial,
    // The server derives the common item counts from the files.
    ...('files_total' in partial ? { items_total: partial.files_total! } : {}),
    ...('files_done' in partial ? { items_done: partial.files_done! } : {})
  };
}

export function replicaStatus(
  partial: Partial<IReplicaStatus> = {},
  rule: Partial<NonNullable<IReplicaStatus['rule']>> | null = {}
): IReplicaStatus {
  return {
    rse: 'LOCAL_MOUNT',
    rule:
      rule === null
        ? null
        : {
            id: 'r1',
            state: 'REPLICATING',
            locks_ok_cnt: 2,
            locks_replicating_cnt: 6,
            locks_stuck_cnt: 0,
            expires_at: null,
            error: null,
            did: 'escape_cta:ds',
            reused: false,
            ...rule
          },
    available: false,
    files: [],
    files_truncated: false,
    ...partial
  };
}

/** A fetch API double: `jobs` is what the server lists; each call is a jest.fn. */
export function fakeFetchApi() {
  const state = { jobs: [] as IFetchJob[] };
  const api = {
    start: jest.fn(async (dids: string[], dest?: string) => {
      const started = job({
        id: `j${state.jobs.length + 1}`,
        state: 'queued',
        dest: dest ?? 'datalake',
        dids: dids.map(d => ({
          scope: d.split(':')[0],
          name: d.split(':')[1],
          type: 'file' as const
        })),
        files_total: 0,
        files_done: 0,
        bytes_total: 0,
        bytes_done: 0
      });
      state.jobs = [started, ...state.jobs];
      return started;
    }),
    list: jest.fn(async () => state.jobs.map(j => ({ ...j }))),
    get: jest.fn(async (id: string) => ({
      ...state.jobs.find(j => j.id === id)!,
      files: [
        {
          did: 'escape_cta:gamma_1.h5',
          path: 'datalake/escape_cta/ds/gamma_1.h5',
          bytes: 180_000,
          done: 90_000,
          state: 'downloading' as const,
          rse: 'ESCAPE_DISK',
          error: null,
          adler32: '0a1b2c3d',
          md5: null
        }
      ],
      files_truncated: false
    })),
    cancel: jest.fn(async (id: string) => {
      const j = state.jobs.find(x => x.id === id)!;
      j.state = 'cancelled';
      return { ...j };
    }),
    retry: jest.fn(async (id: string) => {
      const j = state.jobs.find(x => x.id === id)!;
      j.state = 'queued';
      return { ...j };
    }),
    remove: jest.fn(async (id: string) => {
      state.jobs = state.jobs.filter(j => j.id !== id);
    }),
    makeAvailable: jest.fn(async () => ({})),
    replica: jest.fn(async () => replicaStatus())
  };
  return { api: api as unknown as FetchApi & typeof api, state };
}

export function fakeNotifier() {
  let next = 0;
  return {
    emit: jest.fn(() => `n${++next}`),
    update: jest.fn(() => true),
    dismiss: jest.fn()
  };
}

export const sleep = (ms: number): Promise<void> =>
  new Promise(resolve => setTimeout(resolve, ms));
