/**
 * Typed calls of the publish routes (/escape/catalogue/publish/...). The wire types come from
 * src/api.gen.ts; a codemeta document is any JSON object (the generated `Record<string, never>`
 * of an untyped object is widened here, nothing else is changed).
 */
import { components } from '../../api.gen';
import { IJobsApi, jobsApi } from '../../common/jobs';
import { requestAPI } from '../../request';

type Schemas = components['schemas'];

/** A codemeta.json document as the user edits it. */
export type Codemeta = Record<string, unknown>;
/** Zenodo deposit metadata (what the server converted codemeta into). */
export type ZenodoMetadata = Record<string, unknown>;

export type CodemetaProblem = Schemas['CodemetaProblem'];
export type NamedReason = Schemas['NamedReason'];

export type CodemetaCheck = Omit<Schemas['CodemetaCheck'], 'zenodo'> & {
  zenodo: ZenodoMetadata | null;
};

export type PublishPreparation = Omit<
  Schemas['PublishPreparation'],
  'codemeta' | 'zenodo'
> & { codemeta: Codemeta; zenodo: ZenodoMetadata | null };

export type ZenodoUpload = Omit<Schemas['ZenodoUpload'], 'metadata'> & {
  metadata?: ZenodoMetadata;
};

export type PublishJob = Schemas['CataloguePublishJob'];

export type PublishRequest = Omit<Schemas['PublishRequest'], 'codemeta'> & {
  codemeta: Codemeta;
};

/** Whether a token is stored and for which Zenodo (never the token). */
export interface IZenodoIdentity {
  stored: boolean;
  sandbox: boolean;
  scopes: string[];
  url: string;
  sandbox_url: string;
  community: string;
}

export type UploadAction = 'publish' | 'edit' | 'discard' | 'metadata';

export interface IPublishApi {
  identity(): Promise<IZenodoIdentity>;
  saveToken(token: string, sandbox: boolean): Promise<IZenodoIdentity>;
  clearToken(): Promise<void>;
  prepare(path: string, files?: string[] | null): Promise<PublishPreparation>;
  check(codemeta: Codemeta): Promise<CodemetaCheck>;
  start(request: PublishRequest): Promise<PublishJob>;
  uploads(): Promise<{ sandbox: boolean; uploads: ZenodoUpload[] }>;
  upload(id: string): Promise<ZenodoUpload>;
  /** publish needs `confirm: true`; discard of a new draft answers null (it is deleted). */
  act(
    id: string,
    action: UploadAction,
    body?: { confirm?: boolean; codemeta?: Codemeta }
  ): Promise<ZenodoUpload | null>;
}

const BASE = 'catalogue/publish';

function post<T>(path: string, body: unknown): Promise<T> {
  return requestAPI<T>(path, { method: 'POST', body: JSON.stringify(body) });
}

/** The real routes. */
export const publishApi: IPublishApi = {
  identity: () => requestAPI<IZenodoIdentity>(`${BASE}/token`),
  saveToken: (token, sandbox) =>
    requestAPI<IZenodoIdentity>(`${BASE}/token`, {
      method: 'PUT',
      body: JSON.stringify({ token, sandbox })
    }),
  clearToken: async () => {
    await requestAPI<void>(`${BASE}/token`, { method: 'DELETE' });
  },
  prepare: (path, files) =>
    post<PublishPreparation>(`${BASE}/prepare`, { path, files: files ?? null }),
  check: codemeta => post<CodemetaCheck>(`${BASE}/check`, { codemeta }),
  start: request => post<PublishJob>(BASE, request),
  uploads: () =>
    requestAPI<{ sandbox: boolean; uploads: ZenodoUpload[] }>(
      `${BASE}/uploads`
    ),
  upload: id =>
    requestAPI<ZenodoUpload>(`${BASE}/uploads/${encodeURIComponent(id)}`),
  act: async (id, action, body = {}) =>
    (await post<ZenodoUpload | undefined>(
      `${BASE}/uploads/${encodeURIComponent(id)}/${action}`,
      body
    )) ?? null
};

/** The catalogue's job routes; the publish views keep the `catalogue.publish` jobs only. */
export function publishJobsApi(): IJobsApi<PublishJob> {
  return jobsApi<PublishJob>('catalogue');
}

export function isPublishJob(job: { kind?: string }): boolean {
  return job.kind === 'catalogue.publish';
}
