/** Valid provenance entries of each kind, for the provenance tests. */
import {
  IProvenanceDidProduced,
  IProvenanceDidUsed,
  IProvenanceSoftware,
  IProvenanceWorkflow
} from '../records';

export function didUsed(
  partial: Partial<IProvenanceDidUsed> = {}
): IProvenanceDidUsed {
  return {
    instance: 'escape',
    scope: 'escape_cta',
    name: 'gamma_1.h5',
    type: 'file',
    bytes: 1024,
    adler32: '0a1b2c3d',
    md5: '9e107d9d372bb6826bd81d3542a419d6',
    path: 'datalake/escape_cta/gamma_1.h5',
    mode: 'download',
    ...partial
  };
}

export function workflow(
  partial: Partial<IProvenanceWorkflow> = {}
): IProvenanceWorkflow {
  return {
    id: '3fa85f64-5717-4562-b3fc-2c963f66afa6',
    name: 'analysis',
    run_number: '3',
    engine: 'serial',
    spec_sha256: 'a'.repeat(64),
    spec_path: 'analysis/reana.yaml',
    parameters: { events: 1000 },
    status: 'running',
    created: '2026-11-26T03:00:00Z',
    started: null,
    finished: null,
    inputs: ['escape_cta:gamma_1.h5'],
    ...partial
  };
}

export function produced(
  partial: Partial<IProvenanceDidProduced> = {}
): IProvenanceDidProduced {
  return {
    instance: 'escape',
    scope: 'escape_opendata',
    name: 'analysis.3.hist.json',
    type: 'file',
    bytes: 2048,
    adler32: 'deadbeef',
    md5: 'e4d909c290d0fb1ca068ffaddf22cbd0',
    dataset: 'escape_opendata:analysis.3',
    rse: 'ESCAPE_USERDISK',
    job: 'u1',
    workflow: '3fa85f64-5717-4562-b3fc-2c963f66afa6',
    ...partial
  };
}

export function software(
  partial: Partial<IProvenanceSoftware> = {}
): IProvenanceSoftware {
  return {
    record_id: '1234567',
    doi: '10.5281/zenodo.1234567',
    version: 'v1.2',
    title: 'gammapy',
    action: 'cited',
    ...partial
  };
}
