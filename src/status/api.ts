import { requestAPI } from '../request';

/** Whether the configured identity signs in (checked only when the service is reachable). */
export interface IServiceIdentity {
  /** null: not checked, or nothing to check (no identity configured). */
  signs_in: boolean | null;
  account: string | null;
  expires_at: string | null;
  detail: string | null;
  /** The upstream's words when it refused, or why nothing was checked. */
  reason: string | null;
  code?: string;
}

/** One upstream service as GET /escape/status reports it. */
export interface IServiceStatus {
  id: 'rucio' | 'reana' | 'zenodo' | string;
  name: string;
  configured: boolean;
  url: string;
  reachable: boolean;
  version: string | null;
  rtt_ms: number | null;
  detail: string | null;
  reason: string | null;
  code?: string;
  identity?: IServiceIdentity;
}

export interface IStatusReport {
  checked_at: string;
  services: IServiceStatus[];
}

export function fetchStatus(): Promise<IStatusReport> {
  return requestAPI<IStatusReport>('status');
}
