/**
 * Typed calls of the publish routes (/escape/catalogue/publish/...). Every wire type comes from
 * src/api.gen.ts (openapi.yaml): codemeta documents, Zenodo metadata, uploads, the identity.
 */
import { components } from '../../api.gen';
import { IJobsApi, jobsApi } from '../../common/jobs';
import { requestAPI } from '../../request';

type Schemas = components['schemas'];

/** A codemeta.json document as the user edits it (any JSON object on the wire). */
export type Codemeta = Schemas['CodemetaDocument'];
/** Zenodo deposit metadata (what the server converted codemeta into, or what Zenodo holds). */
export type ZenodoMetadata = Schemas['ZenodoMetadata'];
export type CodemetaProblem = Schemas['CodemetaProblem'];
export type NamedReason = Schemas['NamedReason'];
export type CodemetaCheck = Schemas['CodemetaCheck'];
export type PublishPreparation = Schemas['PublishPreparation'];
export type ZenodoUpload = Schemas['ZenodoUpload'];
export type PublishJob = Schemas['CataloguePublishJob'];
export type PublishRequest = Schemas['PublishRequest'];
/** Whether a token is stored and for which Zenodo (never the token). */
export type IZenodoIdentity = Schemas['ZenodoIdentity'];
export type UploadActionRequest = Schemas['UploadActionRequest'];

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
    body?: UploadActionRequest
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
