import { requestAPI, streamNDJSON } from '../request';

export type DidType = 'container' | 'dataset' | 'file' | 'unknown';
export type SearchType = 'all' | 'container' | 'dataset' | 'file';

/** How this server gets DIDs next to the notebooks (operator's choice). */
export interface IFetchConfig {
  mode: 'download' | 'replica';
  destination_rse: string | null;
  fetch_dir: string;
}

/** One row of a search or of a collection's content. */
export interface IDidRow {
  scope: string;
  name: string;
  type: DidType;
  bytes: number | null;
  length: number | null;
  adler32?: string | null;
  md5?: string | null;
}

export interface IMetadataFilter {
  key: string;
  op: '=' | '!=' | '>' | '<' | '>=' | '<=';
  value: string;
}

export interface IWhoami {
  instance: {
    name: string;
    display_name: string;
    url: string;
    webui_url: string | null;
  };
  account: {
    account: string;
    account_type: string;
    status: string;
    email: string | null;
  };
  instances: { name: string; display_name: string }[];
  auth: {
    auth_type: string;
    account: string | null;
    token_source?: string;
    token_expires_at?: string;
  };
  /** How DIDs get next to the notebooks; absent from servers older than the fetch routes. */
  fetch?: IFetchConfig;
}

export interface IAvailability {
  rse: string;
  state: 'AVAILABLE' | 'PARTIAL' | 'UNAVAILABLE';
  length: number;
  available_length: number;
  bytes: number;
  available_bytes: number;
}

export interface IRule {
  id: string;
  account: string;
  rse_expression: string;
  copies: number;
  state: string;
  error: string | null;
  expires_at: string | null;
  locks_ok_cnt: number;
  locks_replicating_cnt: number;
  locks_stuck_cnt: number;
}

export interface IFileReplica {
  rse: string;
  state: string;
  schemes: string[];
}

export interface IDidDetails {
  scope: string;
  name: string;
  did: string;
  type: DidType;
  account: string | null;
  bytes: number | null;
  length: number | null;
  adler32?: string | null;
  md5?: string | null;
  replicas?: IFileReplica[];
  availability?: IAvailability[];
  rules: IRule[];
  metadata: Record<string, unknown>;
  /** When Rucio created it (ISO 8601 UTC), if it says. */
  created_at?: string | null;
}

export interface ISearchParams {
  query: string;
  type: SearchType;
  limit: number;
  filters: IMetadataFilter[];
}

/** Every call names the Rucio instance it is for; undefined means the server's first one. */
export const datalakeApi = {
  whoami: (instance?: string): Promise<IWhoami> =>
    requestAPI<IWhoami>('datalake/whoami', { params: { instance } }),

  scopes: async (instance?: string): Promise<string[]> =>
    (
      await requestAPI<{ scopes: string[] }>('datalake/scopes', {
        params: { instance }
      })
    ).scopes,

  /** The metadata keys a search filter can name (Rucio's DID columns and conventions). */
  metaKeys: async (instance?: string): Promise<string[]> =>
    (
      await requestAPI<{ keys: string[] }>('datalake/meta-keys', {
        params: { instance }
      })
    ).keys,

  search: (
    params: ISearchParams,
    signal?: AbortSignal,
    instance?: string
  ): AsyncGenerator<IDidRow> => {
    const filters = params.filters.filter(f => f.key.trim());
    return streamNDJSON<IDidRow>('datalake/search', {
      params: {
        q: params.query,
        type: params.type,
        limit: params.limit,
        filters: filters.length ? JSON.stringify(filters) : undefined,
        instance
      },
      signal
    });
  },

  content: (
    did: string,
    limit: number,
    signal?: AbortSignal,
    instance?: string
  ): AsyncGenerator<IDidRow> =>
    streamNDJSON<IDidRow>('datalake/content', {
      params: { did, limit, instance },
      signal
    }),

  details: (
    did: string,
    instance?: string,
    signal?: AbortSignal
  ): Promise<IDidDetails> =>
    requestAPI<IDidDetails>('datalake/details', {
      params: { did, instance },
      signal
    })
};

export type DatalakeApi = typeof datalakeApi;

export function didOf(row: { scope: string; name: string }): string {
  return `${row.scope}:${row.name}`;
}

/** The user's Rucio credentials as the server describes them: secrets only as "is set". */
export interface ICredentials {
  stored: boolean;
  auth_type: 'userpass' | 'oidc' | 'x509' | 'x509_proxy';
  account: string;
  username: string;
  has_password: boolean;
  oidc_token_file: string;
  client_cert: string;
  client_key: string;
}

export type CredentialsUpdate = Partial<
  Omit<ICredentials, 'stored' | 'has_password'>
> & {
  password?: string;
};

export const credentialsApi = {
  get: (instance?: string): Promise<ICredentials> =>
    requestAPI<ICredentials>('datalake/credentials', { params: { instance } }),
  save: (body: CredentialsUpdate, instance?: string): Promise<ICredentials> =>
    requestAPI<ICredentials>('datalake/credentials', {
      method: 'PUT',
      body: JSON.stringify(body),
      params: { instance }
    }),
  forget: (instance?: string): Promise<ICredentials> =>
    requestAPI<ICredentials>('datalake/credentials', {
      method: 'DELETE',
      params: { instance }
    })
};
