/** Typed functions over the /escape/workflows routes of the server extension. */
import { ServerConnection } from '@jupyterlab/services';

import { components, operations } from '../api.gen';
import { apiUrl, requestAPI, streamNDJSON } from '../request';

export type WorkflowStatus =
  | 'created'
  | 'queued'
  | 'pending'
  | 'running'
  | 'finished'
  | 'failed'
  | 'stopped'
  | 'deleted';

export const STATUSES: WorkflowStatus[] = [
  'created',
  'queued',
  'pending',
  'running',
  'finished',
  'failed',
  'stopped'
];

/** States after which a run never changes again: polling it stops. */
export const TERMINAL: WorkflowStatus[] = [
  'finished',
  'failed',
  'stopped',
  'deleted'
];

export function isTerminal(status: string | null | undefined): boolean {
  return TERMINAL.includes(status as WorkflowStatus);
}

export type ICapabilities = components['schemas']['Capabilities'];

export type IIssue = components['schemas']['Issue'];

export interface ISpecSummary {
  type: string | null;
  steps: { name: string; environment: string; commands: string[] }[];
  inputs: {
    files: string[];
    directories: string[];
    parameters: Record<string, unknown>;
    options: Record<string, unknown>;
  };
  outputs: { files: string[]; directories: string[] };
  workflow_file: string | null;
}

export interface IValidation {
  lake?: ILakePlan;
  path: string;
  valid: boolean;
  issues: IIssue[];
  summary: ISpecSummary;
  inputs: {
    count: number;
    bytes: number;
    files: { name: string; size: number }[];
    skipped: { name: string; reason: string }[];
  };
  default_name: string;
}

/** One line of the submission stream (validated, created, uploading, started). */
export type ISubmitEvent = components['schemas']['SubmitEvent'];

/**
 * A reana.yaml in the workspace (`path`), or a notebook cell as written (`cell`, with `base`,
 * the notebook's folder: the server reads its %%reana line), or a `spec_text`.
 */
export type ISubmitRequest = Omit<
  components['schemas']['SubmitRequest'],
  'allow_missing_inputs' | 'lake_consent'
> & {
  /** Submit although declared inputs do not exist ("Submit anyway"); the server's default is false. */
  allow_missing_inputs?: boolean;
  /** The user agreed (in our dialog) that their Rucio identity is set as REANA secrets. */
  lake_consent?: boolean;
};

/** One Data Lake input of a workflow: the mode the server chose for it, and why. */
export type ILakeInput = components['schemas']['LakeInput'];
/** The Data Lake inputs of a submission and the secrets mode "lake" needs. */
export type ILakePlan = components['schemas']['LakePlan'];
/** What "Upload outputs to the Data Lake" proposes for a finished run. */
export type IOutputsToLake = components['schemas']['OutputsToLake'];
/** The upload job it starts (followed on /escape/datalake/jobs). */
export type IOutputsUploadJob = components['schemas']['DatalakeUploadJob'];
export interface IOutputsToLakeRequest {
  scope: string;
  rse: string;
  dataset?: string;
  idempotency_key?: string;
}

/** A REANA user secret as listed: its name and type, never its value. */
export type IReanaSecret = components['schemas']['ReanaSecret'];

/** What adding a secret sends: the value as text (`value`) or as bytes (`value_base64`). */
export type IAddSecret =
  operations['addReanaSecret']['requestBody']['content']['application/json'];

export interface IWorkflow {
  id: string;
  name: string;
  run_number: string;
  full_name: string;
  status: WorkflowStatus;
  created: string | null;
  started: string | null;
  finished: string | null;
  progress: {
    total: number;
    finished: number;
    running: number;
    failed: number;
    current_step: string | null;
    current_command: string | null;
  };
  size: string | null;
}

export interface IWorkflowList {
  items: IWorkflow[];
  total: number | null;
  has_next: boolean;
}

export type ILogDelta = components['schemas']['LogDelta'];

export interface IWorkspaceFile {
  name: string;
  modified: string | null;
  size: number | null;
  size_human: string | null;
}

export interface ISpecification {
  files: string[];
  directories: string[];
  parameters: Record<string, unknown>;
  specification: Record<string, unknown>;
}

export type IOutputsResult = components['schemas']['OutputsDownload'];

const post = (body: unknown): RequestInit => ({
  method: 'POST',
  body: JSON.stringify(body)
});

export const reanaApi = {
  capabilities: (): Promise<ICapabilities> =>
    requestAPI<ICapabilities>('workflows/capabilities'),

  validate: (
    path: string,
    parameters?: Record<string, string>
  ): Promise<IValidation> =>
    requestAPI<IValidation>('workflows/validate', post({ path, parameters })),

  /** Check a notebook cell as written (`base`: the notebook's folder); nothing is created. */
  validateCell: (cell: string, base: string): Promise<IValidation> =>
    requestAPI<IValidation>('workflows/validate', post({ cell, base })),

  submit: (
    request: ISubmitRequest,
    signal?: AbortSignal
  ): AsyncGenerator<ISubmitEvent> =>
    streamNDJSON<ISubmitEvent>('workflows/submit', {
      ...post(request),
      signal
    }),

  list: (
    search: string,
    statuses: string[],
    size = 50
  ): Promise<IWorkflowList> =>
    requestAPI<IWorkflowList>('workflows/workflows', {
      params: {
        search: search || undefined,
        status: statuses.length ? statuses.join(',') : undefined,
        size
      }
    }),

  get: (id: string): Promise<IWorkflow> =>
    requestAPI<IWorkflow>(`workflows/workflows/${encodeURIComponent(id)}`),

  logs: (id: string, cursor?: string): Promise<ILogDelta> =>
    requestAPI<ILogDelta>(
      `workflows/workflows/${encodeURIComponent(id)}/logs`,
      {
        params: { cursor }
      }
    ),

  files: (id: string): Promise<{ items: IWorkspaceFile[]; total: number }> =>
    requestAPI(`workflows/workflows/${encodeURIComponent(id)}/files`, {
      params: { size: 500 }
    }),

  specification: (id: string): Promise<ISpecification> =>
    requestAPI<ISpecification>(
      `workflows/workflows/${encodeURIComponent(id)}/specification`
    ),

  stop: (id: string): Promise<IWorkflow> =>
    requestAPI<IWorkflow>(
      `workflows/workflows/${encodeURIComponent(id)}/stop`,
      post({})
    ),

  restart: (
    id: string,
    parameters: Record<string, string>
  ): Promise<{ workflow_id: string; workflow_name: string; status: string }> =>
    requestAPI(
      `workflows/workflows/${encodeURIComponent(id)}/restart`,
      post({ parameters })
    ),

  remove: (id: string): Promise<{ id: string; status: string }> =>
    requestAPI(`workflows/workflows/${encodeURIComponent(id)}`, {
      method: 'DELETE'
    }),

  /** The declared outputs, or the given workspace paths (any file of the run's workspace). */
  downloadOutputs: (
    id: string,
    dest?: string,
    paths?: string[]
  ): Promise<IOutputsResult> =>
    requestAPI<IOutputsResult>(
      `workflows/workflows/${encodeURIComponent(id)}/outputs`,
      post({ ...(dest ? { dest } : {}), ...(paths ? { paths } : {}) })
    ),

  /** The dataset name, metadata and outputs proposed for a finished run's outputs. */
  outputsToLake: (id: string): Promise<IOutputsToLake> =>
    requestAPI<IOutputsToLake>(
      `workflows/workflows/${encodeURIComponent(id)}/outputs/lake`
    ),

  /** Upload a finished run's outputs as a new dataset, on the Data Lake upload job. */
  uploadOutputsToLake: (
    id: string,
    body: IOutputsToLakeRequest
  ): Promise<IOutputsUploadJob> =>
    requestAPI<IOutputsUploadJob>(
      `workflows/workflows/${encodeURIComponent(id)}/outputs/lake`,
      post(body)
    ),

  secrets: async (): Promise<IReanaSecret[]> =>
    (await requestAPI<{ secrets: IReanaSecret[] }>('workflows/secrets'))
      .secrets,

  addSecret: (secret: IAddSecret): Promise<IReanaSecret> =>
    requestAPI<IReanaSecret>('workflows/secrets', post(secret)),

  deleteSecret: (name: string): Promise<{ deleted: string[] }> =>
    requestAPI('workflows/secrets', { method: 'DELETE', params: { name } }),

  logsDownloadUrl: (id: string): string =>
    apiUrl(
      ServerConnection.makeSettings(),
      `workflows/workflows/${encodeURIComponent(id)}/logs/download`
    )
};

export type ReanaApi = typeof reanaApi;

/** A submission on the server's one job system (kind `workflows.submit`). */
export type ISubmitJob = components['schemas']['SubmitJob'];
