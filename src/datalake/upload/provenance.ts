/**
 * Provenance of uploads: the DIDs an upload put into the lake, with their checksums, recorded
 * in the notebook it was started from (`metadata.escape.provenance.dids_produced`, beside the
 * DIDs the notebook used), through the one provenance writer (`src/provenance/records.ts`).
 * Only trusted notebooks are written to: an untrusted notebook is someone else's, its metadata
 * is not ours to extend.
 */
import { INotebookModel } from '@jupyterlab/notebook';

import {
  IProvenanceDidProduced,
  isNotebookTrusted,
  mergeProvenance,
  PATTERNS,
  readProvenance,
  recordProvenance
} from '../../provenance/records';
import { IUploadFile, IUploadJobDetail } from './api';

export { isNotebookTrusted };

/** One DID a notebook produced, as recorded in its metadata. */
export interface IDatalakeProduced {
  scope: string;
  name: string;
  type: 'file' | 'dataset' | 'container';
  bytes: number | null;
  adler32: string | null;
  md5: string | null;
  guid?: string | null;
  rse: string | null;
  /** The workspace path it was uploaded from (files only). */
  path: string | null;
  instance: string;
  /** The upload job, and when it ended (ISO 8601). */
  job: string;
  uploaded: string | null;
  /** The dataset the files were attached to. */
  dataset?: string | null;
}

function asProvenance(p: IDatalakeProduced): IProvenanceDidProduced {
  return {
    instance: p.instance,
    scope: p.scope,
    name: p.name,
    type: p.type,
    bytes: p.bytes,
    adler32: p.adler32,
    md5: p.md5,
    // A guid Rucio would not hand out is left out rather than losing the DID.
    guid: p.guid && PATTERNS.guid.test(p.guid) ? p.guid : null,
    rse: p.rse,
    path: p.path,
    job: p.job,
    dataset: p.dataset ?? null,
    ...(p.uploaded ? { recorded: p.uploaded.replace(/\.\d+Z$/, 'Z') } : {})
  };
}

/** The produced DIDs recorded in a notebook's `escape` metadata; anything malformed dropped. */
export function recordedProduced(escape: unknown): IDatalakeProduced[] {
  return readProvenance(escape).dids_produced.map(p => ({
    scope: p.scope,
    name: p.name,
    type: p.type,
    bytes: p.bytes,
    adler32: p.adler32,
    md5: p.md5,
    guid: p.guid ?? null,
    rse: p.rse ?? null,
    path: p.path ?? null,
    instance: p.instance,
    job: p.job ?? '',
    uploaded: p.recorded ?? null,
    dataset: p.dataset ?? null
  }));
}
const SETTLED: readonly IUploadFile['state'][] = ['registered', 'skipped'];

/** What a finished upload produced: its files in Rucio (with checksums), then its collections. */
export function producedOf(job: IUploadJobDetail): IDatalakeProduced[] {
  const uploaded = job.finished
    ? new Date(job.finished * 1000).toISOString()
    : null;
  const files: IDatalakeProduced[] = job.files
    .filter(file => SETTLED.includes(file.state))
    .map(file => ({
      scope: file.scope,
      name: file.name,
      type: 'file',
      bytes: file.bytes,
      adler32: file.adler32,
      md5: file.md5,
      guid: file.guid,
      rse: file.rse,
      path: file.path,
      instance: job.instance,
      job: job.id,
      uploaded,
      dataset: job.dataset ?? null
    }));
  const collections: IDatalakeProduced[] = [];
  for (const [did, type] of [
    [job.dataset, 'dataset'],
    [job.container, 'container']
  ] as const) {
    if (!did || files.length === 0) {
      continue;
    }
    const colon = did.indexOf(':');
    collections.push({
      scope: did.slice(0, colon),
      name: did.slice(colon + 1),
      type,
      bytes: null,
      adler32: null,
      md5: null,
      rse: job.rse,
      path: null,
      instance: job.instance,
      job: job.id,
      uploaded
    });
  }
  return [...files, ...collections];
}

/**
 * The `escape` metadata with `added` merged into the produced DIDs: one entry per (instance,
 * scope, name), the newest winning, order kept; other keys (the used DIDs) untouched.
 */
export function mergeProduced(
  escape: unknown,
  added: IDatalakeProduced[]
): Record<string, unknown> {
  return mergeProvenance(escape, { dids_produced: added.map(asProvenance) });
}

/**
 * Record what a finished upload produced in the notebook's metadata. Returns how many DIDs
 * were recorded; 0 (and nothing written) for an untrusted notebook or an empty upload.
 */
export function recordProduced(
  model: Pick<INotebookModel, 'cells' | 'getMetadata' | 'setMetadata'>,
  job: IUploadJobDetail
): number {
  return recordProvenance(model, {
    dids_produced: producedOf(job).map(asProvenance)
  });
}
