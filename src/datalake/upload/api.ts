/**
 * Typed calls of the upload routes: `GET datalake/upload/options` (what the dialog offers),
 * `POST datalake/upload` with `check: true` (the plan, nothing starts) or without (202, the
 * `datalake.upload` job), and the slice's job routes for following it.
 *
 * The job types are the generated ones; the options and the plan are described loosely in
 * openapi.yaml (`Record<string, never>`, `unknown[]`), so their fields are spelt out here as
 * `jupyterlab_escape/datalake/upload/` and `routes.py` answer them.
 */
import { components } from '../../api.gen';
import { IJob, IJobsApi, jobsApi } from '../../common/jobs';
import { requestAPI } from '../../request';

export type IUploadJob = components['schemas']['DatalakeUploadJob'] & {
  kind: 'datalake.upload';
};

/** A file of an upload, as the job's detail lists it. */
export interface IUploadFile {
  path: string;
  did: string;
  scope: string;
  name: string;
  bytes: number;
  adler32: string | null;
  md5: string | null;
  guid: string;
  pfn: string | null;
  rse: string;
  state: 'waiting' | 'sending' | 'stored' | 'registered' | 'skipped' | 'failed';
  /** What was checked on the storage ("size", "size, adler32, md5 read back"). */
  verified: string | null;
  error: string | null;
}

/** A DID the upload put into the lake, with its checksums: the notebook's provenance. */
export interface IProducedDid {
  did: string;
  scope: string;
  name: string;
  bytes: number;
  adler32: string | null;
  md5: string | null;
  guid: string;
  pfn: string | null;
  rse: string;
  state: string;
}

export type IUploadJobDetail = IUploadJob & {
  files: IUploadFile[];
  files_truncated?: boolean;
  dids?: IProducedDid[];
};

export function isUploadJob(job: IJob): job is IUploadJob {
  return job.kind === 'datalake.upload';
}

/** An RSE the upload can send to (those with an HTTPS/WebDAV write protocol). */
export interface IUploadRse {
  rse: string;
  writable: boolean;
  /** Why this account cannot write there, in words. */
  why_not: string | null;
  /** Bytes; null: unlimited (or no quota at all when not `unlimited`). */
  limit: number | null;
  unlimited: boolean;
  used: number;
  remaining: number | null;
  scheme: string | null;
}

export interface INameRule {
  pattern: string;
  max_length: number;
  text: string;
}

export interface IUploadOptions {
  account: string;
  /** The account's scopes, its own `user.<account>` first. */
  scopes: string[];
  default_scope: string | null;
  other_scopes?: string[];
  /** Writable first. */
  rses: IUploadRse[];
  default_rse: string | null;
  meta_keys?: string[];
  meta_conventions?: string[];
  name_rule: INameRule;
  readback_max?: number;
}

export interface IUploadRequest {
  paths: string[];
  scope: string;
  rse: string;
  dataset?: string | null;
  /** true: create it; false: attach to an existing one; null: the server decides. */
  dataset_new?: boolean | null;
  container?: string | null;
  meta?: Record<string, string | number | boolean>;
  /** Seconds; null: no expiry. */
  lifetime?: number | null;
  copies?: number;
  rse_expression?: string | null;
  /** Workspace path -> DID name, where the default does not suit. */
  names?: Record<string, string>;
  cwd?: string | null;
  idempotency_key?: string;
}

export interface IPlannedFile {
  path: string;
  did: string;
  name: string;
  bytes: number;
  pfn: string | null;
  exists: boolean;
  note?: string;
}

export interface IUploadProblem {
  code: string;
  message: string;
  path?: string;
}

/** The server's plan of an upload (`check: true`): what would be created, and what stops it. */
export interface IUploadPlan {
  instance: string;
  account: string;
  scope: string;
  rse: string;
  rse_expression: string;
  dataset: { scope: string; name: string; new: boolean } | null;
  container: { scope: string; name: string } | null;
  meta: Record<string, unknown>;
  lifetime: number | null;
  copies: number;
  files: IPlannedFile[];
  files_total: number;
  bytes_total: number;
  skipped: { path: string; why: string }[];
  quota: { limit?: number | null; used?: number; remaining?: number | null };
  problems: IUploadProblem[];
  warnings: string[];
  verification?: string;
}

/** What the upload dialog and the upload jobs need from the server (tests pass fakes). */
export interface IUploadApi extends IJobsApi<IUploadJob, IUploadJobDetail> {
  options(instance?: string): Promise<IUploadOptions>;
  check(
    request: IUploadRequest,
    instance?: string,
    signal?: AbortSignal
  ): Promise<IUploadPlan>;
  start(request: IUploadRequest, instance?: string): Promise<IUploadJob>;
}

const datalakeJobs = jobsApi<IUploadJob, IUploadJobDetail>('datalake');

export const uploadApi: IUploadApi = {
  ...datalakeJobs,
  // Only the uploads: the slice's listing also holds the fetches.
  list: async () =>
    (await requestAPI<{ jobs: IUploadJob[] }>('datalake/upload')).jobs.filter(
      isUploadJob
    ),
  options: instance =>
    requestAPI<IUploadOptions>('datalake/upload/options', {
      params: { instance }
    }),
  check: (request, instance, signal) =>
    requestAPI<IUploadPlan>('datalake/upload', {
      method: 'POST',
      body: JSON.stringify({ ...request, check: true }),
      params: { instance },
      signal
    }),
  start: (request, instance) =>
    requestAPI<IUploadJob>('datalake/upload', {
      method: 'POST',
      body: JSON.stringify(request),
      params: { instance }
    })
};
