/** Typed functions over the /escape/provenance routes. */
import { components } from '../api.gen';
import { requestAPI } from '../request';
import { IProvenanceWorkflow } from './records';

export type IProvenanceExport = components['schemas']['ProvenanceExport'];

export interface IProvenanceApi {
  /** A REANA run as a provenance record, from the configured REANA. */
  workflowRecord(ref: string): Promise<IProvenanceWorkflow>;
  /** Write the notebook's Workflow Run RO-Crate beside it. */
  exportCrate(
    path: string,
    license?: string | null
  ): Promise<IProvenanceExport>;
}

export const provenanceApi: IProvenanceApi = {
  workflowRecord: ref =>
    requestAPI<IProvenanceWorkflow>(
      `provenance/workflows/${encodeURIComponent(ref)}`
    ),
  exportCrate: (path, license) =>
    requestAPI<IProvenanceExport>('provenance/export', {
      method: 'POST',
      body: JSON.stringify({ path, license: license || null })
    })
};
