/**
 * Provenance of uploads: the DIDs an upload put into the lake, with their checksums, recorded
 * in the metadata of the notebook it was started from (`metadata.escape.datalake_produced`,
 * beside `metadata.escape.datalake`, the DIDs the notebook used). Only trusted notebooks are
 * written to: an untrusted notebook is someone else's, its metadata is not ours to extend.
 */
import { INotebookModel } from '@jupyterlab/notebook';

import { METADATA_KEY } from '../notebookUse';
import { IUploadFile, IUploadJobDetail } from './api';

export const PRODUCED_KEY = 'datalake_produced';

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
}

function isProduced(value: unknown): value is IDatalakeProduced {
  const v = value as IDatalakeProduced | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.scope === 'string' &&
    typeof v.name === 'string'
  );
}

/** The produced DIDs recorded in a notebook's `escape` metadata; anything malformed dropped. */
export function recordedProduced(escape: unknown): IDatalakeProduced[] {
  const list = (escape as Record<string, unknown> | null)?.[PRODUCED_KEY];
  return Array.isArray(list) ? list.filter(isProduced) : [];
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
      uploaded
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
 * The `escape` metadata with `added` merged into `datalake_produced`: one entry per (instance,
 * scope, name), the newest winning, order kept; other keys (the used DIDs) untouched.
 */
export function mergeProduced(
  escape: unknown,
  added: IDatalakeProduced[]
): Record<string, unknown> {
  const base =
    typeof escape === 'object' && escape !== null && !Array.isArray(escape)
      ? (escape as Record<string, unknown>)
      : {};
  const merged = recordedProduced(base);
  const key = (p: IDatalakeProduced) => `${p.instance}|${p.scope}:${p.name}`;
  for (const entry of added) {
    const index = merged.findIndex(p => key(p) === key(entry));
    if (index >= 0) {
      merged[index] = { ...entry };
    } else {
      merged.push({ ...entry });
    }
  }
  return { ...base, [PRODUCED_KEY]: merged };
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
 * Record what a finished upload produced in the notebook's metadata. Returns how many DIDs
 * were recorded; 0 (and nothing written) for an untrusted notebook or an empty upload.
 */
export function recordProduced(
  model: Pick<INotebookModel, 'cells' | 'getMetadata' | 'setMetadata'>,
  job: IUploadJobDetail
): number {
  const produced = producedOf(job);
  if (produced.length === 0 || !isNotebookTrusted(model)) {
    return 0;
  }
  model.setMetadata(
    METADATA_KEY,
    mergeProduced(model.getMetadata(METADATA_KEY), produced)
  );
  return produced.length;
}
