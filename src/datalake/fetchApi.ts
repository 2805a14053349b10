/**
 * Typed calls of the fetch routes: server-side jobs that download DIDs into the workspace, and
 * replica mode ("make available" on an RSE mounted on this host).
 */
import { IJob, IJobError, jobsApi } from '../common/jobs';
import { requestAPI } from '../request';
import { DidType } from './api';

/** Resolving: DIDs to files; transferring: files to the workspace. */
export type FetchPhase = 'resolving' | 'transferring';

/** Where one selected DID landed: a file path, or the folder of a dataset/container. */
export interface IFetchPath {
  did: string;
  path: string;
  type: 'file' | 'dataset' | 'container';
}

/** A Data Lake fetch (kind `datalake.fetch`): a job with its DIDs, folder and files. */
export interface IFetchJob extends IJob {
  instance: string;
  dids: { scope: string; name: string; type: DidType }[];
  dest: string;
  phase: FetchPhase;
  files_total: number;
  files_done: number;
  files_failed: number;
  /** Already in the workspace with the right checksum: skipped. */
  files_present: number;
  /** `item` is the DID. */
  errors: (IJobError & { did?: string })[];
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

/** The fetch jobs are jobs of `/escape/datalake/jobs`; starting one stays `POST datalake/fetch`. */
export const fetchApi = {
  ...jobsApi<IFetchJob, IFetchJobDetail>('datalake'),

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
