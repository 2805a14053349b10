/**
 * The provenance facts of Data Lake inputs and outputs, from the server's answers (never from the
 * notebook): the DIDs a run was given (`dids_used`, mode workflow_stream or workflow_rucio, each
 * streamed file with the checksums the server verified) and the DIDs its outputs became
 * (`dids_produced`, with the upload job and the run's id). Written by the provenance slice's one
 * writer, `recordProvenance`.
 */
import {
  IProvenanceAdditions,
  IProvenanceDidProduced,
  IProvenanceDidUsed
} from '../provenance/records';
import { ILakeInput, IOutputsUploadJob } from './api';

function split(did: string): { scope: string; name: string } {
  const at = did.indexOf(':');
  return { scope: did.slice(0, at), name: did.slice(at + 1) };
}

function kind(type: string): 'file' | 'dataset' | 'container' {
  return type === 'file' || type === 'container' ? type : 'dataset';
}

/** Each input DID (and each file the server streamed, with its checksums). */
export function lakeInputsUsed(
  inputs: (ILakeInput & { instance?: string | null })[],
  fallbackInstance = 'rucio'
): IProvenanceAdditions {
  const used: IProvenanceDidUsed[] = [];
  for (const input of inputs) {
    if (input.error) {
      continue;
    }
    const instance = input.instance || fallbackInstance;
    const mode = input.mode === 'lake' ? 'workflow_rucio' : 'workflow_stream';
    const single = input.type === 'file' ? input.file_list[0] : undefined;
    used.push({
      instance,
      ...split(input.did),
      type: kind(input.type),
      bytes: input.bytes_complete ? input.bytes : null,
      adler32: single?.adler32 ?? null,
      md5: single?.md5 ?? null,
      path: input.path ?? null,
      mode
    });
    if (input.type !== 'file') {
      for (const file of input.file_list) {
        used.push({
          instance,
          ...split(file.did),
          type: 'file',
          bytes: file.bytes,
          adler32: file.adler32 ?? null,
          md5: file.md5 ?? null,
          path: file.path,
          mode
        });
      }
    }
  }
  return { dids_used: used };
}

/** The files and the dataset an outputs upload registered, linked to the run. */
export function outputsProduced(
  job: IOutputsUploadJob & { files?: any[]; dids?: any[] },
  workflowId: string
): IProvenanceAdditions {
  const produced: IProvenanceDidProduced[] = [];
  const dataset = job.dataset ?? null;
  const rule = Array.isArray(job.rules) ? (job.rules[0] ?? null) : null;
  for (const file of job.files ?? []) {
    if (file.state !== 'registered' && file.state !== 'skipped') {
      continue;
    }
    produced.push({
      instance: job.instance,
      ...split(String(file.did)),
      type: 'file',
      bytes: file.bytes ?? null,
      adler32: file.adler32 ?? null,
      md5: file.md5 ?? null,
      guid: file.guid ?? null,
      rse: job.rse ?? null,
      dataset,
      rule: typeof rule === 'string' ? rule : null,
      // The run's workspace path (the upload went through a scratch folder, now gone).
      path: null,
      job: job.id,
      workflow: workflowId
    });
  }
  if (dataset) {
    produced.push({
      instance: job.instance,
      ...split(dataset),
      type: 'dataset',
      bytes: null,
      adler32: null,
      md5: null,
      rse: job.rse ?? null,
      rule: typeof rule === 'string' ? rule : null,
      job: job.id,
      workflow: workflowId
    });
  }
  return { dids_produced: produced };
}
