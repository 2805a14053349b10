/**
 * Typed calls of the fetch routes: server-side jobs that download DIDs into the workspace, and
 * replica mode ("make available" on an RSE mounted on this host).
 */
import { requestAPI } from '../request';
import { DidType } from './api';

export type FetchState =
  | 'queued'
  | 'resolving'
  | 'running'
  | 'done'
  | 'failed'
  | 'cancelled'
  | 'interrupted';

export const ACTIVE_STATES: readonly FetchState[] = [
  'queued',
  'resolving',
  'running'
];

export function isActive(state: FetchState): boolean {
  return ACTIVE_STATES.includes(state);
}

/** Where one selected DID landed: a file path, or the folder of a dataset/container. */
export interface IFetchPath {
  did: string;
  path: string;
  type: 'file' | 'dataset' | 'container';
}

export interface IFetchJob {
  id: string;
  instance: string;
  dids: { scope: string; name: string; type: DidType }[];
  dest: string;
  state: FetchState;
  message: string | null;
  files_total: number;
  files_done: number;
  files_failed: number;
  /** Already in the workspace with the right checksum: skipped. */
  files_present: number;
  bytes_total: number;
  bytes_done: number;
  /** Bytes per second, when running. */
  throughput: number | null;
  eta_seconds: number | null;
  /** Epoch seconds. */
  created: number;
  started: number | null;
  finished: number | null;
  /** The first 20 errors. */
  errors: { did: string; message: string }[];
  errors_count: number;
  paths: IFetchPath[];
}

export type FileState =
  'waiting' | 'downloading' | 'verified' | 'present' | 'failed';

export interface IFetchFile {
  did: string;
  /** Workspace-relative. */
  path: string;
  bytes: number;
  done: number;
  state: FileState;
  rse: string | null;
  error: string | null;
  adler32: string | null;
  md5: string | null;
}

export interface IFetchJobDetail extends IFetchJob {
  /** Failed first, then active, then the rest; at most 500. */
  files: IFetchFile[];
  files_truncated: boolean;
}

/** How this server gets DIDs next to the notebooks (operator's choice). */
export interface IFetchConfig {
  mode: 'download' | 'replica';
  destination_rse: string | null;
  fetch_dir: string;
}

export type RuleState =
  'OK' | 'REPLICATING' | 'STUCK' | 'SUSPENDED' | 'WAITING_APPROVAL' | 'INJECT';

export interface IReplicaRule {
  id: string;
  state: RuleState;
  locks_ok_cnt: number;
  locks_replicating_cnt: number;
  locks_stuck_cnt: number;
  expires_at: string | null;
  error: string | null;
  /** The DID the rule is on: the DID itself or a parent. */
  did: string;
  reused: boolean;
}

export interface IReplicaStatus {
  rse: string;
  rule: IReplicaRule | null;
  available: boolean;
  /** Absolute paths on the JupyterLab host. */
  files: { did: string; path: string; available: boolean }[];
  files_truncated: boolean;
}

/**
 * Where a fetch request comes from. `notebook`: the destination was read from a notebook's
 * metadata (written by someone else, perhaps), so the server confines it to its fetch folder.
 */
export type FetchOrigin = 'notebook';

/** What the server would do with a fetch request, without starting anything. */
export interface IFetchCheck {
  dest: string;
  /** Where each DID lands: a workspace path. */
  paths: { did: string; path: string }[];
}

function fetchBody(
  dids: string[],
  dest: string | undefined,
  origin: FetchOrigin | undefined,
  check: boolean
): string {
  return JSON.stringify({
    dids,
    ...(dest ? { dest } : {}),
    ...(origin ? { origin } : {}),
    ...(check ? { check: true } : {})
  });
}

export const fetchApi = {
  /** Starts one job (202). 400 `bad_path` for a refused destination, 429 `too_many_jobs`. */
  start: (
    dids: string[],
    dest?: string,
    instance?: string,
    origin?: FetchOrigin
  ) =>
    requestAPI<IFetchJob>('datalake/fetch', {
      method: 'POST',
      body: fetchBody(dids, dest, origin, false),
      params: { instance }
    }),

  /**
   * The server's answer to the same request, with nothing started: where each DID would land,
   * or the refusal (400 `bad_path`) a real start would get.
   */
  check: (
    dids: string[],
    dest?: string,
    instance?: string,
    origin?: FetchOrigin,
    signal?: AbortSignal
  ) =>
    requestAPI<IFetchCheck>('datalake/fetch', {
      method: 'POST',
      body: fetchBody(dids, dest, origin, true),
      params: { instance },
      signal
    }),

  list: async (): Promise<IFetchJob[]> =>
    (await requestAPI<{ jobs: IFetchJob[] }>('datalake/fetch')).jobs,

  get: (id: string) =>
    requestAPI<IFetchJobDetail>(`datalake/fetch/${encodeURIComponent(id)}`),

  cancel: (id: string) =>
    requestAPI<IFetchJob>(`datalake/fetch/${encodeURIComponent(id)}/cancel`, {
      method: 'POST'
    }),

  /** Also resumes an interrupted job: verified files are not downloaded again. */
  retry: (id: string) =>
    requestAPI<IFetchJob>(`datalake/fetch/${encodeURIComponent(id)}/retry`, {
      method: 'POST'
    }),

  remove: (id: string) =>
    requestAPI<void>(`datalake/fetch/${encodeURIComponent(id)}`, {
      method: 'DELETE'
    }),

  /** Creates or reuses a replication rule; follow it with replica(). */
  makeAvailable: (did: string, instance?: string) =>
    requestAPI<unknown>('datalake/replica', {
      method: 'POST',
      body: JSON.stringify({ did }),
      params: { instance }
    }),

  replica: (did: string, instance?: string) =>
    requestAPI<IReplicaStatus>('datalake/replica', {
      params: { did, instance }
    })
};

export type FetchApi = typeof fetchApi;

/**
 * Where the server puts a DID by default: `datalake/<scope>/<name>`, slashes in names becoming
 * folders and leading slashes dropped (the same for a file and for a collection's folder).
 */
export function defaultPath(did: string, fetchDir = 'datalake'): string {
  const colon = did.indexOf(':');
  const scope = did.slice(0, colon);
  const name = did
    .slice(colon + 1)
    .replace(/^\/+/, '')
    .replace(/\/+/g, '/');
  return `${fetchDir}/${scope}/${name}`;
}
