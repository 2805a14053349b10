/**
 * A fake of the upload routes that plans as the server does for the cases the tests need: a
 * folder becomes a new dataset named after it, names are checked, an existing dataset clashes,
 * a size above the quota is a problem; start answers the queued job, once per idempotency key.
 */
import { EscapeRequestError } from '../../../request';
import {
  IUploadApi,
  IUploadJob,
  IUploadJobDetail,
  IUploadOptions,
  IUploadPlan,
  IUploadRequest
} from '../api';

export const OPTIONS: IUploadOptions = {
  account: 'jdoe',
  scopes: ['user.jdoe', 'escape_cta'],
  default_scope: 'user.jdoe',
  other_scopes: ['escape_lofar'],
  rses: [
    {
      rse: 'TB_WRITE',
      writable: true,
      why_not: null,
      limit: 10_000_000,
      unlimited: false,
      used: 1_000_000,
      remaining: 9_000_000,
      scheme: 'davs'
    },
    {
      rse: 'TB_TAPE',
      writable: false,
      why_not: 'account jdoe has no quota here',
      limit: null,
      unlimited: false,
      used: 0,
      remaining: null,
      scheme: 'https'
    }
  ],
  default_rse: 'TB_WRITE',
  meta_keys: ['campaign', 'datatype', 'project'],
  meta_conventions: [],
  name_rule: {
    pattern: '^[A-Za-z0-9][A-Za-z0-9.\\-_]*$',
    max_length: 250,
    text: "letters, digits, '.', '-', '_'; starts with a letter or digit; no '/'"
  },
  readback_max: 64 * 1024 * 1024
};

/** The workspace as the fake sees it: folder -> files with sizes. */
export const FILES: Record<string, number> = {
  'results/hist.json': 1200,
  'results/plots/a.png': 4000
};

export function uploadJob(partial: Partial<IUploadJob> = {}): IUploadJob {
  return {
    id: 'u1',
    kind: 'datalake.upload',
    state: 'queued',
    message: null,
    items_total: 2,
    items_done: 0,
    items_failed: 0,
    bytes_total: 5200,
    bytes_done: 0,
    transferred: 0,
    throughput: null,
    eta_seconds: null,
    errors: [],
    errors_count: 0,
    created: 1_700_000_000,
    started: null,
    finished: null,
    instance: 'tb',
    scope: 'user.jdoe',
    rse: 'TB_WRITE',
    dataset: 'user.jdoe:results',
    container: null,
    phase: 'queued',
    files_total: 2,
    files_done: 0,
    files_failed: 0,
    files_skipped: 0,
    rules: [],
    skipped_paths: [],
    origin: null,
    ...partial
  };
}

export function uploadDetail(
  partial: Partial<IUploadJobDetail> = {}
): IUploadJobDetail {
  const base = uploadJob({
    state: 'done',
    files_done: 2,
    items_done: 2,
    bytes_done: 5200,
    finished: 1_700_000_100
  });
  return {
    ...base,
    files: [
      {
        path: 'results/hist.json',
        did: 'user.jdoe:hist.json',
        scope: 'user.jdoe',
        name: 'hist.json',
        bytes: 1200,
        adler32: '0a1b2c3d',
        md5: '9e107d9d372bb6826bd81d3542a419d6',
        guid: 'g1',
        pfn: 'davs://tb/user.jdoe/hist.json',
        rse: 'TB_WRITE',
        state: 'registered',
        verified: 'size, adler32, md5 read back',
        error: null
      },
      {
        path: 'results/plots/a.png',
        did: 'user.jdoe:plots.a.png',
        scope: 'user.jdoe',
        name: 'plots.a.png',
        bytes: 4000,
        adler32: 'deadbeef',
        md5: 'e4d909c290d0fb1ca068ffaddf22cbd0',
        guid: 'g2',
        pfn: 'davs://tb/user.jdoe/plots.a.png',
        rse: 'TB_WRITE',
        state: 'skipped',
        verified: null,
        error: null
      }
    ],
    files_truncated: false,
    dids: [],
    ...partial
  };
}

export interface IFakeUploadApi extends IUploadApi {
  checks: IUploadRequest[];
  starts: IUploadRequest[];
  /** Datasets that exist already. */
  existing: Set<string>;
}

export function fakeUploadApi(
  overrides: Partial<IUploadApi> = {}
): IFakeUploadApi {
  const checks: IUploadRequest[] = [];
  const starts: IUploadRequest[] = [];
  const existing = new Set<string>(['user.jdoe:old']);
  const jobsByKey = new Map<string, IUploadJob>();
  const rule = new RegExp(OPTIONS.name_rule.pattern);

  const plan = (request: IUploadRequest): IUploadPlan => {
    const problems: IUploadPlan['problems'] = [];
    const files = Object.entries(FILES)
      .filter(([path]) =>
        request.paths.some(p => path === p || path.startsWith(`${p}/`))
      )
      .map(([path, bytes]) => {
        const folder = request.paths.find(p => path.startsWith(`${p}/`));
        const rel = folder ? path.slice(folder.length + 1) : path;
        const name = request.names?.[path] ?? rel.split('/').join('.');
        if (!rule.test(name)) {
          problems.push({
            code: 'bad_did_name',
            message: `${path}: '${name}' breaks Rucio's naming rule.`,
            path
          });
        }
        return {
          path,
          did: `${request.scope}:${name}`,
          name,
          bytes,
          pfn: `davs://tb/${request.scope}/${name}`,
          exists: false
        };
      });
    let dataset: IUploadPlan['dataset'] = null;
    const folder =
      request.paths.length === 1 && !(request.paths[0] in FILES)
        ? request.paths[0]
        : null;
    let name: string | null | undefined = request.dataset;
    let isNew = request.dataset_new;
    if (name === undefined || name === null) {
      name = folder ? folder.split('/').pop()! : null;
      isNew = isNew ?? true;
    }
    if (name) {
      const did = `${request.scope}:${name}`;
      if (isNew && existing.has(did)) {
        problems.push({
          code: 'did_clash',
          message: `The dataset ${did} exists already; attach to it instead or choose another name.`
        });
      }
      if (isNew === false && !existing.has(did)) {
        problems.push({
          code: 'rucio_did_not_found',
          message: `There is no dataset ${did}.`
        });
      }
      dataset = {
        scope: request.scope,
        name,
        new: isNew ?? !existing.has(did)
      };
    }
    const total = files.reduce((n, f) => n + f.bytes, 0);
    const rse = OPTIONS.rses.find(r => r.rse === request.rse)!;
    if (!rse.writable) {
      problems.push({
        code: 'rucio_forbidden',
        message: `Account jdoe may not add files on ${request.rse}: ${rse.why_not}.`
      });
    }
    return {
      instance: 'tb',
      account: 'jdoe',
      scope: request.scope,
      rse: request.rse,
      rse_expression: request.rse_expression ?? request.rse,
      dataset,
      container: request.container
        ? { scope: request.scope, name: request.container }
        : null,
      meta: request.meta ?? {},
      lifetime: request.lifetime ?? null,
      copies: request.copies ?? 1,
      files,
      files_total: files.length,
      bytes_total: total,
      skipped: [{ path: 'results/.cache', why: 'hidden folder' }],
      quota: { limit: rse.limit, used: rse.used, remaining: rse.remaining },
      problems,
      warnings:
        request.scope === 'escape_lofar'
          ? [
              "escape_lofar is not one of jdoe's scopes; Rucio lets only its owner or an admin add to it."
            ]
          : [],
      verification: 'size from the storage'
    };
  };

  return {
    checks,
    starts,
    existing,
    options: jest.fn(async () => OPTIONS),
    check: jest.fn(async (request: IUploadRequest) => {
      checks.push(request);
      return plan(request);
    }),
    start: jest.fn(async (request: IUploadRequest) => {
      starts.push(request);
      const answer = plan(request);
      if (answer.problems.length) {
        throw new EscapeRequestError(
          409,
          answer.problems[0].code,
          answer.problems.map(p => p.message).join(' ')
        );
      }
      const key = request.idempotency_key ?? String(starts.length);
      if (!jobsByKey.has(key)) {
        jobsByKey.set(key, uploadJob({ id: `u${jobsByKey.size + 1}` }));
      }
      return jobsByKey.get(key)!;
    }),
    list: jest.fn(async () => []),
    get: jest.fn(async () => uploadDetail()),
    cancel: jest.fn(async (id: string) =>
      uploadJob({ id, state: 'cancelled' })
    ),
    retry: jest.fn(async (id: string) => uploadJob({ id, state: 'queued' })),
    remove: jest.fn(async () => undefined),
    ...overrides
  };
}
