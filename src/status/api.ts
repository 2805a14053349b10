import { requestAPI } from '../request';

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
}

export interface IStatusReport {
  checked_at: string;
  services: IServiceStatus[];
}

export function fetchStatus(): Promise<IStatusReport> {
  return requestAPI<IStatusReport>('status');
}
