/**
 * Typed calls of the catalogue routes (/escape/catalogue/...). The server maps Zenodo's JSON
 * to these shapes; the browser never sees Zenodo's own.
 */
import { ServerConnection } from '@jupyterlab/services';

import { components } from '../api.gen';
import {
  apiUrl,
  errorFromResponse,
  EscapeRequestError,
  requestAPI
} from '../request';

export interface ICreator {
  name: string;
  orcid: string | null;
  affiliation: string | null;
}

export interface IRecordSummary {
  id: string;
  concept_id: string | null;
  title: string;
  version: string | null;
  creators: ICreator[];
  publication_date: string | null;
  resource_type: { id: string; title: string };
  keywords: string[];
  licence: { id: string; title: string; url: string | null } | null;
  doi: string | null;
  concept_doi: string | null;
  access_status: string;
  description_text: string;
  views: number | null;
  downloads: number | null;
  files_count: number;
  total_bytes: number;
  html_url: string;
  is_latest: boolean | null;
}

export interface IFacetBucket {
  key: string;
  label: string;
  count: number;
  selected: boolean;
}

export interface IFacet {
  name: string;
  label: string;
  buckets: IFacetBucket[];
}

export type SortOption =
  'bestmatch' | 'newest' | 'mostviewed' | 'mostdownloaded';
export type Scope = 'community' | 'all';

export interface ISearchParams {
  q: string;
  sort: SortOption;
  scope: Scope;
  page: number;
  size: number;
  filters: Record<string, string[]>;
}

export interface ISearchResult {
  q: string;
  sort: string;
  scope: Scope;
  page: number;
  size: number;
  max_page: number;
  community: string;
  total: number;
  hits: IRecordSummary[];
  facets: IFacet[];
  filters: Record<string, string[]>;
  cached: boolean;
}

export interface IVersion {
  id: string;
  version: string | null;
  publication_date: string | null;
  index: number | null;
  is_latest: boolean;
}

export interface ICodemetaPerson {
  name: string;
  orcid: string | null;
}

export interface ICodemeta {
  source: string;
  programmingLanguage: string[];
  runtimePlatform: string[];
  softwareRequirements: string[];
  buildInstructions: string[];
  installUrl: string[];
  codeRepository: string[];
  issueTracker: string[];
  readme: string[];
  operatingSystem: string[];
  developmentStatus: string[];
  maintainers: ICodemetaPerson[];
  authors: ICodemetaPerson[];
  version: string | null;
}

export interface IRecordDetail extends IRecordSummary {
  description_html: string;
  remote_images: number;
  images_shown: boolean;
  files: {
    key: string;
    size: number;
    md5: string | null;
    mimetype: string | null;
  }[];
  files_restricted: boolean;
  related: {
    identifier: string;
    relation: string;
    scheme: string | null;
    kind: 'repository' | 'documentation' | 'other';
  }[];
  versions: IVersion[];
  codemeta: ICodemeta | null;
  install: { source: 'codemeta' | 'repository' | 'none'; code: string };
}

export interface ICitation {
  id: string;
  style: string;
  text: string;
}

export type { JobState } from '../common/jobs';

/** One file of a record fetch (its `path` may be another name when a different file was there). */
export type IFetchFile =
  components['schemas']['CatalogueFetchJob']['files'][number];

/**
 * A catalogue fetch on the server's one job system (kind `catalogue.fetch`): the fields every
 * job has, then this kind's own. Generated from openapi.yaml.
 */
export type IFetchJob = components['schemas']['CatalogueFetchJob'];

export function isActive(job: IFetchJob | null): boolean {
  return job?.state === 'queued' || job?.state === 'running';
}

/** Zenodo (or the server's own budget) asked to slow down: retry after `retryAfter` seconds. */
export class RateLimitedError extends EscapeRequestError {
  constructor(
    source: EscapeRequestError,
    readonly retryAfter: number
  ) {
    super(
      source.status,
      source.code,
      source.message,
      source.service,
      source.upstreamStatus
    );
  }
}

/** Search through the server; a 429 becomes a RateLimitedError with its Retry-After. */
export async function search(
  params: ISearchParams,
  signal?: AbortSignal
): Promise<ISearchResult> {
  const settings = ServerConnection.makeSettings();
  const query = new URLSearchParams({
    q: params.q,
    sort: params.sort,
    scope: params.scope,
    page: String(params.page),
    size: String(params.size)
  });
  for (const [name, values] of Object.entries(params.filters)) {
    values.forEach(value => query.append(name, value));
  }
  const url = `${apiUrl(settings, 'catalogue/search')}?${query.toString()}`;
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, { signal }, settings);
  } catch (reason) {
    if (signal?.aborted) {
      throw reason;
    }
    throw new EscapeRequestError(
      0,
      'network_error',
      'The Jupyter server could not be reached. Check your connection and retry.'
    );
  }
  if (!response.ok) {
    const retryAfter = Number(response.headers.get('Retry-After'));
    const error = await errorFromResponse(response);
    if (response.status === 429) {
      throw new RateLimitedError(error, retryAfter > 0 ? retryAfter : 5);
    }
    throw error;
  }
  return (await response.json()) as ISearchResult;
}

export function getRecord(
  id: string,
  options: { images?: boolean } = {}
): Promise<IRecordDetail> {
  return requestAPI<IRecordDetail>(
    `catalogue/records/${encodeURIComponent(id)}`,
    { params: { images: options.images ? '1' : undefined } }
  );
}

export function getCitation(id: string, style: string): Promise<ICitation> {
  return requestAPI<ICitation>(
    `catalogue/records/${encodeURIComponent(id)}/citation`,
    { params: { style } }
  );
}

export interface IFetchOptions {
  extract: boolean;
  keys?: string[];
  dest?: string;
  /** The same key returns the job it started before (a double click starts one job). */
  idempotency_key?: string;
}

/** Start fetching a record's files: the server answers 202 with the new job. */
export function startFetch(
  id: string,
  options: IFetchOptions
): Promise<IFetchJob> {
  return requestAPI<IFetchJob>(
    `catalogue/records/${encodeURIComponent(id)}/fetch`,
    { method: 'POST', body: JSON.stringify(options) }
  );
}

const jobPath = (jobId: string, action = ''): string =>
  `catalogue/jobs/${encodeURIComponent(jobId)}${action ? `/${action}` : ''}`;

/** The catalogue's jobs on this server, newest first. */
export async function listJobs(): Promise<IFetchJob[]> {
  return (await requestAPI<{ jobs: IFetchJob[] }>('catalogue/jobs')).jobs;
}

export function getJob(jobId: string): Promise<IFetchJob> {
  return requestAPI<IFetchJob>(jobPath(jobId));
}

export function cancelJob(jobId: string): Promise<IFetchJob> {
  return requestAPI<IFetchJob>(jobPath(jobId, 'cancel'), { method: 'POST' });
}

/** Retry a failed or cancelled fetch, or resume an interrupted one (verified files are kept). */
export function retryJob(jobId: string): Promise<IFetchJob> {
  return requestAPI<IFetchJob>(jobPath(jobId, 'retry'), { method: 'POST' });
}

/** Forget a finished job (the server answers 409 while it runs); its files stay. */
export async function removeJob(jobId: string): Promise<void> {
  await requestAPI<void>(jobPath(jobId), { method: 'DELETE' });
}

/** The functions the models use; tests pass fakes. */
export interface ICatalogueAPI {
  search: typeof search;
  getRecord: typeof getRecord;
  getCitation: typeof getCitation;
  startFetch: typeof startFetch;
  listJobs: typeof listJobs;
  getJob: typeof getJob;
  cancelJob: typeof cancelJob;
  retryJob: typeof retryJob;
  removeJob: typeof removeJob;
}

export const catalogueAPI: ICatalogueAPI = {
  search,
  getRecord,
  getCitation,
  startFetch,
  listJobs,
  getJob,
  cancelJob,
  retryJob,
  removeJob
};
