/**
 * The one place a notebook's provenance is kept: `metadata.escape.provenance` (the format is
 * `components/schemas/Provenance` of openapi.yaml). Every slice that records provenance (DIDs
 * used, workflows launched, DIDs produced, OSSR records cited or installed) goes through
 * `recordProvenance`: entries are validated (malformed ones dropped), deduplicated (the newest
 * wins, first-seen order kept) and bounded, and nothing is written into an untrusted notebook
 * (someone else's: its metadata is not ours to extend).
 *
 * Read back, the record is untrusted: a shared notebook may carry forged provenance. Readers get
 * plain data from `readProvenance` (anything malformed dropped) and show it as text.
 */
import { INotebookModel } from '@jupyterlab/notebook';

import { components } from '../api.gen';

type Schemas = components['schemas'];

export type IProvenance = Schemas['Provenance'];
export type IProvenanceDidUsed = Schemas['ProvenanceDidUsed'];
export type IProvenanceDidProduced = Schemas['ProvenanceDidProduced'];
export type IProvenanceWorkflow = Schemas['ProvenanceWorkflow'];
export type IProvenanceSoftware = Schemas['ProvenanceSoftware'];

/** The notebook metadata key of everything this extension records. */
export const METADATA_KEY = 'escape';
export const PROVENANCE_KEY = 'provenance';
export const PROVENANCE_VERSION = 1;

/** What can be added at once: any of the four lists. */
export interface IProvenanceAdditions {
  dids_used?: IProvenanceDidUsed[];
  workflows?: IProvenanceWorkflow[];
  dids_produced?: IProvenanceDidProduced[];
  software?: IProvenanceSoftware[];
}

/** Lists always present, for readers. */
export interface IProvenanceLists {
  dids_used: IProvenanceDidUsed[];
  workflows: IProvenanceWorkflow[];
  dids_produced: IProvenanceDidProduced[];
  software: IProvenanceSoftware[];
}

/** The same bounds as the schema (maxItems). */
export const LIMITS = {
  dids_used: 1000,
  workflows: 200,
  dids_produced: 1000,
  software: 200
} as const;

// The patterns of the schema, kept identical (tests/provenance checks them against openapi.yaml).
export const PATTERNS = {
  time: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/,
  instance: /^[A-Za-z0-9._-]{1,64}$/,
  scope: /^[A-Za-z0-9._-]{1,64}$/,
  name: /^[A-Za-z0-9._+/-]{1,250}$/,
  adler32: /^[0-9a-f]{8}$/,
  md5: /^[0-9a-f]{32}$/,
  did: /^[A-Za-z0-9._-]{1,64}:[A-Za-z0-9._+/-]{1,250}$/,
  rule: /^[0-9a-f]{32}$/,
  rse: /^[A-Za-z0-9_-]{1,64}$/,
  guid: /^[0-9a-fA-F-]{32,36}$/,
  job: /^[A-Za-z0-9_-]{1,64}$/,
  workflowRef: /^[0-9a-f-]{36}$/,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  workflowName: /^[A-Za-z0-9._-]{1,128}$/,
  runNumber: /^[0-9]{1,9}(\.[0-9]{1,9})?$/,
  sha256: /^[0-9a-f]{64}$/,
  recordId: /^[0-9]{1,12}$/,
  doi: /^10\.[0-9]{4,9}\/[A-Za-z0-9._;()/:-]{1,200}$/
};

const DID_TYPES = ['file', 'dataset', 'container'];
const MODES = ['download', 'replica', 'workflow_stream', 'workflow_rucio'];
const ENGINES = ['serial', 'cwl', 'yadage', 'snakemake'];
const STATUSES = [
  'created',
  'queued',
  'pending',
  'running',
  'finished',
  'failed',
  'stopped',
  'deleted'
];
const MAX_PARAMETERS_JSON = 64 * 1024;

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function matches(value: unknown, pattern: RegExp): value is string {
  return typeof value === 'string' && pattern.test(value);
}

function nullOr(value: unknown, ok: (v: unknown) => boolean): boolean {
  return value === null || ok(value);
}

function optional(
  entry: Obj,
  key: string,
  ok: (v: unknown) => boolean
): boolean {
  return !(key in entry) || entry[key] === undefined || ok(entry[key]);
}

function isText(max: number) {
  return (v: unknown) => typeof v === 'string' && v.length <= max;
}

const isTime = (v: unknown) => matches(v, PATTERNS.time);

function isDid(entry: Obj): boolean {
  return (
    matches(entry.instance, PATTERNS.instance) &&
    matches(entry.scope, PATTERNS.scope) &&
    matches(entry.name, PATTERNS.name) &&
    DID_TYPES.includes(entry.type as string) &&
    nullOr(
      entry.bytes,
      v => typeof v === 'number' && Number.isInteger(v) && v >= 0
    ) &&
    nullOr(entry.adler32, v => matches(v, PATTERNS.adler32)) &&
    nullOr(entry.md5, v => matches(v, PATTERNS.md5)) &&
    optional(entry, 'recorded', isTime)
  );
}

export function isDidUsed(value: unknown): value is IProvenanceDidUsed {
  return (
    isObject(value) &&
    isDid(value) &&
    optional(value, 'path', v => nullOr(v, isText(1024))) &&
    optional(value, 'mode', v => nullOr(v, m => MODES.includes(m as string)))
  );
}

export function isDidProduced(value: unknown): value is IProvenanceDidProduced {
  const pattern = (p: RegExp) => (v: unknown) => nullOr(v, x => matches(x, p));
  return (
    isObject(value) &&
    isDid(value) &&
    optional(value, 'dataset', pattern(PATTERNS.did)) &&
    optional(value, 'rule', pattern(PATTERNS.rule)) &&
    optional(value, 'rse', pattern(PATTERNS.rse)) &&
    optional(value, 'guid', pattern(PATTERNS.guid)) &&
    optional(value, 'path', v => nullOr(v, isText(1024))) &&
    optional(value, 'job', pattern(PATTERNS.job)) &&
    optional(value, 'workflow', pattern(PATTERNS.workflowRef))
  );
}

function isParameters(value: unknown): boolean {
  if (!isObject(value) || Object.keys(value).length > 100) {
    return false;
  }
  try {
    return JSON.stringify(value).length <= MAX_PARAMETERS_JSON;
  } catch {
    return false;
  }
}

export function isWorkflow(value: unknown): value is IProvenanceWorkflow {
  const time = (v: unknown) => nullOr(v, isTime);
  return (
    isObject(value) &&
    matches(value.id, PATTERNS.uuid) &&
    matches(value.name, PATTERNS.workflowName) &&
    matches(value.run_number, PATTERNS.runNumber) &&
    nullOr(value.engine, v => ENGINES.includes(v as string)) &&
    nullOr(value.spec_sha256, v => matches(v, PATTERNS.sha256)) &&
    STATUSES.includes(value.status as string) &&
    optional(value, 'spec_path', v => nullOr(v, isText(1024))) &&
    optional(value, 'parameters', isParameters) &&
    optional(value, 'created', time) &&
    optional(value, 'started', time) &&
    optional(value, 'finished', time) &&
    optional(
      value,
      'inputs',
      v =>
        Array.isArray(v) &&
        v.length <= 1000 &&
        v.every(d => matches(d, PATTERNS.did))
    ) &&
    optional(value, 'recorded', isTime)
  );
}

export function isSoftware(value: unknown): value is IProvenanceSoftware {
  return (
    isObject(value) &&
    matches(value.record_id, PATTERNS.recordId) &&
    (value.action === 'cited' || value.action === 'installed') &&
    optional(value, 'doi', v => nullOr(v, d => matches(d, PATTERNS.doi))) &&
    optional(value, 'version', v => nullOr(v, isText(128))) &&
    optional(value, 'title', v => nullOr(v, isText(512))) &&
    optional(value, 'recorded', isTime)
  );
}

const CHECKS = {
  dids_used: isDidUsed,
  workflows: isWorkflow,
  dids_produced: isDidProduced,
  software: isSoftware
} as const;

type Kind = keyof IProvenanceLists;
const KINDS: Kind[] = ['dids_used', 'workflows', 'dids_produced', 'software'];

/** The identity of an entry: a later entry with the same key replaces it. */
export function keyOf(kind: Kind, entry: Obj): string {
  switch (kind) {
    case 'workflows':
      return String(entry.id);
    case 'software':
      return `${entry.record_id}|${entry.action}`;
    default:
      return `${entry.instance}|${entry.scope}:${entry.name}`;
  }
}

/** Only the properties the schema knows, so nothing else rides along in a record. */
const FIELDS: Record<Kind, string[]> = {
  dids_used: [
    'instance',
    'scope',
    'name',
    'type',
    'bytes',
    'adler32',
    'md5',
    'recorded',
    'path',
    'mode'
  ],
  dids_produced: [
    'instance',
    'scope',
    'name',
    'type',
    'bytes',
    'adler32',
    'md5',
    'recorded',
    'dataset',
    'rule',
    'rse',
    'guid',
    'path',
    'job',
    'workflow'
  ],
  workflows: [
    'id',
    'name',
    'run_number',
    'engine',
    'spec_sha256',
    'spec_path',
    'parameters',
    'status',
    'created',
    'started',
    'finished',
    'inputs',
    'recorded'
  ],
  software: ['record_id', 'doi', 'version', 'title', 'action', 'recorded']
};

function pick(kind: Kind, entry: Obj): Obj {
  const out: Obj = {};
  for (const field of FIELDS[kind]) {
    if (entry[field] !== undefined) {
      out[field] = entry[field];
    }
  }
  return out;
}

/** Old keys (`escape.datalake`, `escape.datalake_produced`) read as provenance. */
function legacy(escape: Obj): IProvenanceAdditions {
  const instance = (v: unknown) => (typeof v === 'string' ? v : 'escape');
  const did = (v: Obj): Obj => ({
    ...v,
    instance: instance(v.instance),
    bytes: typeof v.bytes === 'number' ? v.bytes : null,
    adler32: v.adler32 ?? null,
    md5: v.md5 ?? null
  });
  const list = (v: unknown) => (Array.isArray(v) ? v.filter(isObject) : []);
  return {
    dids_used: list(escape.datalake).map(did) as IProvenanceDidUsed[],
    dids_produced: list(escape.datalake_produced).map(v => ({
      ...did(v),
      recorded: v.uploaded ?? undefined
    })) as IProvenanceDidProduced[]
  };
}

function merge(
  base: IProvenanceLists,
  added: IProvenanceAdditions
): IProvenanceLists {
  const out: IProvenanceLists = {
    dids_used: [...base.dids_used],
    workflows: [...base.workflows],
    dids_produced: [...base.dids_produced],
    software: [...base.software]
  };
  for (const kind of KINDS) {
    const list = out[kind] as unknown as Obj[];
    for (const raw of (added[kind] ?? []) as unknown[]) {
      if (!isObject(raw)) {
        continue;
      }
      const entry = pick(kind, raw);
      if (!CHECKS[kind](entry)) {
        continue;
      }
      const key = keyOf(kind, entry);
      const index = list.findIndex(e => keyOf(kind, e) === key);
      if (index >= 0) {
        list[index] = entry;
      } else if (list.length < LIMITS[kind]) {
        list.push(entry);
      }
    }
  }
  return out;
}

const EMPTY: IProvenanceLists = {
  dids_used: [],
  workflows: [],
  dids_produced: [],
  software: []
};

/**
 * The provenance in a notebook's `escape` metadata, as plain validated data: malformed entries
 * dropped, duplicates folded, lists bounded; the old keys folded in. Never trust it more than that.
 */
export function readProvenance(escape: unknown): IProvenanceLists {
  if (!isObject(escape)) {
    return { ...EMPTY };
  }
  const from = merge(EMPTY, legacy(escape));
  const stored = escape[PROVENANCE_KEY];
  if (!isObject(stored) || stored.version !== PROVENANCE_VERSION) {
    return from;
  }
  const lists: IProvenanceAdditions = {};
  for (const kind of KINDS) {
    const value = stored[kind];
    if (Array.isArray(value)) {
      // Bounded before validation: a forged notebook's huge array costs nothing.
      (lists as Record<Kind, unknown[]>)[kind] = value.slice(0, LIMITS[kind]);
    }
  }
  return merge(from, lists);
}

/** True when the notebook holds no provenance at all. */
export function isEmpty(lists: IProvenanceLists): boolean {
  return KINDS.every(kind => lists[kind].length === 0);
}

/** The `escape` metadata with `added` merged into `provenance`, the old keys folded in. */
export function mergeProvenance(
  escape: unknown,
  added: IProvenanceAdditions
): Record<string, unknown> {
  const base = isObject(escape) ? { ...escape } : {};
  const lists = merge(readProvenance(base), stampRecorded(added));
  delete base.datalake;
  delete base.datalake_produced;
  return {
    ...base,
    [PROVENANCE_KEY]: { version: PROVENANCE_VERSION, ...lists }
  };
}

function stampRecorded(added: IProvenanceAdditions): IProvenanceAdditions {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const out: IProvenanceAdditions = {};
  for (const kind of KINDS) {
    const list = added[kind] as Obj[] | undefined;
    if (list) {
      (out as Record<Kind, Obj[]>)[kind] = list.map(entry =>
        isObject(entry) && entry.recorded === undefined
          ? { ...entry, recorded: now }
          : entry
      );
    }
  }
  return out;
}

/** A notebook is trusted when every code cell is (JupyterLab's "Notebook trusted"). */
export function isNotebookTrusted(
  model: Pick<INotebookModel, 'cells'>
): boolean {
  const cells = model.cells;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells.get(i);
    if (cell.type === 'code' && !cell.trusted) {
      return false;
    }
  }
  return true;
}

/**
 * Record provenance in the notebook's metadata. Returns how many entries were accepted; 0 (and
 * nothing written) for an untrusted notebook or when nothing valid was given.
 */
export function recordProvenance(
  model: Pick<INotebookModel, 'cells' | 'getMetadata' | 'setMetadata'>,
  added: IProvenanceAdditions
): number {
  const accepted = KINDS.reduce(
    (n, kind) =>
      n +
      ((added[kind] ?? []) as unknown[]).filter(
        e => isObject(e) && CHECKS[kind](pick(kind, e))
      ).length,
    0
  );
  if (accepted === 0 || !isNotebookTrusted(model)) {
    return 0;
  }
  model.setMetadata(
    METADATA_KEY,
    mergeProvenance(model.getMetadata(METADATA_KEY), added)
  );
  return accepted;
}

/** The provenance of a notebook model (plain, validated data). */
export function provenanceOf(
  model: Pick<INotebookModel, 'getMetadata'>
): IProvenanceLists {
  return readProvenance(model.getMetadata(METADATA_KEY));
}
