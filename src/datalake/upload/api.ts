/**
 * Typed calls of the upload routes: `GET datalake/upload/options` (what the dialog offers),
 * `POST datalake/upload` with `check: true` (the plan, nothing starts) or without (202, the
 * `datalake.upload` job), and the slice's job routes for following it.
 *
 * Every shape is the generated one (`openapi.yaml`: DatalakeUploadRequest, DatalakeUploadPlan,
 * DatalakeUploadOptions, DatalakeUploadJob(Detail), DatalakeUploadFile, ...); the pytest plugin
 * validates every answer of `jupyterlab_escape/datalake/upload/` and `routes.py` against them.
 */
import { components } from '../../api.gen';
import { IJob, IJobsApi, jobsApi } from '../../common/jobs';
import { requestAPI } from '../../request';

type Schemas = components['schemas'];

export type IUploadJob = Schemas['DatalakeUploadJob'] & {
  kind: 'datalake.upload';
};

/** A file of an upload, as the job's detail lists it. */
export type IUploadFile = Schemas['DatalakeUploadFile'];

/** A DID the upload put into the lake, with its checksums: the notebook's provenance. */
export type IProducedDid = Schemas['DatalakeProducedDid'];

export type IUploadJobDetail = IUploadJob &
  Omit<Schemas['DatalakeUploadJobDetail'], keyof Schemas['DatalakeUploadJob']>;

export function isUploadJob(job: IJob): job is IUploadJob {
  return job.kind === 'datalake.upload';
}

/** An RSE the upload can send to (those with an HTTPS/WebDAV write protocol). */
export type IUploadRse = Schemas['DatalakeUploadRse'];

export type IUploadOptions = Schemas['DatalakeUploadOptions'];

export type INameRule = IUploadOptions['name_rule'];

export type IUploadRequest = Schemas['DatalakeUploadRequest'];

/** The server's plan of an upload (`check: true`): what would be created, and what stops it. */
export type IUploadPlan = Schemas['DatalakeUploadPlan'];

export type IPlannedFile = IUploadPlan['files'][number];

export type IUploadProblem = Schemas['DatalakeUploadProblem'];

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
