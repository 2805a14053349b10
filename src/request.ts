/**
 * The one REST helper of the suite: every call to the server extension goes through here.
 *
 * URLs are built with URLExt.join from the server settings, so the extension works under any
 * base_url (JupyterHub serves at /user/<name>/). Failures become an EscapeRequestError carrying
 * the server's error envelope, whose message is written for users and shown as is.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/** The namespace of every route of the server extension. */
export const API_NAMESPACE = 'escape';

/** The error envelope every /escape/ route answers with on failure. */
export interface IErrorEnvelope {
  error: {
    code: string;
    message: string;
    service?: string | null;
    upstream_status?: number | null;
    /** Where to sign in again (an expired sign-in under a hub). */
    login_url?: string;
  };
}

/** A failed call: the HTTP status, and the envelope's code, message and service. */
export class EscapeRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly service: string | null = null,
    readonly upstreamStatus: number | null = null,
    readonly loginUrl: string | null = null
  ) {
    super(message);
    this.name = 'EscapeRequestError';
  }

  static fromEnvelope(
    status: number,
    envelope: IErrorEnvelope
  ): EscapeRequestError {
    const { code, message, service, upstream_status, login_url } =
      envelope.error;
    return new EscapeRequestError(
      status,
      code,
      message,
      service ?? null,
      upstream_status ?? null,
      typeof login_url === 'string' && /^(https?:\/\/|\/)/.test(login_url)
        ? login_url
        : null
    );
  }
}

/** Where the user signs in again, when the failure says so (a web address, or null). */
export function loginUrlOf(reason: unknown): string | null {
  return reason instanceof EscapeRequestError ? reason.loginUrl : null;
}

/**
 * The sentence to show for a failure: the server's message as written, else `what` failed with
 * the raw reason (a bug on our side rather than an answer from the server).
 */
export function errorMessage(reason: unknown, what?: string): string {
  if (reason instanceof EscapeRequestError) {
    return reason.message;
  }
  return what ? `${what} failed: ${String(reason)}` : String(reason);
}

export interface IRequestOptions extends RequestInit {
  /** Query parameters, encoded with URLSearchParams. */
  params?: Record<string, string | number | boolean | undefined>;
  /** Server settings; defaults to ServerConnection.makeSettings(). */
  settings?: ServerConnection.ISettings;
}

function isEnvelope(value: unknown): value is IErrorEnvelope {
  const error = (value as IErrorEnvelope | null)?.error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof error.code === 'string' &&
    typeof error.message === 'string'
  );
}

/** The URL of a route below /escape/, safe under any base_url. */
export function apiUrl(
  settings: ServerConnection.ISettings,
  path: string,
  params?: IRequestOptions['params']
): string {
  let url = URLExt.join(settings.baseUrl, API_NAMESPACE, path);
  if (params) {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      if (value !== undefined) {
        query.append(key, String(value));
      }
    }
    const text = query.toString();
    if (text) {
      url += `?${text}`;
    }
  }
  return url;
}

async function send(path: string, options: IRequestOptions): Promise<Response> {
  const { params, settings: given, ...init } = options;
  const settings = given ?? ServerConnection.makeSettings();
  const url = apiUrl(settings, path, params);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (reason) {
    if (init.signal?.aborted) {
      throw reason;
    }
    throw new EscapeRequestError(
      0,
      'network_error',
      'The Jupyter server could not be reached. Check your connection and retry.'
    );
  }
  if (!response.ok) {
    throw await errorFromResponse(response);
  }
  return response;
}

/** Build the typed error for a non-2xx response, with or without an envelope. */
export async function errorFromResponse(
  response: Response
): Promise<EscapeRequestError> {
  const text = await response.text();
  try {
    const body = JSON.parse(text);
    if (isEnvelope(body)) {
      return EscapeRequestError.fromEnvelope(response.status, body);
    }
    if (typeof body?.message === 'string' && body.message) {
      return new EscapeRequestError(
        response.status,
        `http_${response.status}`,
        body.message
      );
    }
  } catch {
    // not JSON: fall through
  }
  const reason =
    response.status === 403
      ? 'The Jupyter server refused the request: your session may have expired. Reload the page.'
      : `The server answered HTTP ${response.status} ${response.statusText}`.trim() +
        '.';
  return new EscapeRequestError(
    response.status,
    `http_${response.status}`,
    reason
  );
}

/** Call a JSON route of the server extension. */
export async function requestAPI<T>(
  path: string,
  options: IRequestOptions = {}
): Promise<T> {
  const response = await send(path, options);
  if (response.status === 204) {
    return undefined as T;
  }
  const text = await response.text();
  if (!text) {
    return undefined as T;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new EscapeRequestError(
      response.status,
      'bad_response',
      'The server answered with something that is not JSON.'
    );
  }
}

/**
 * Parse one NDJSON line. A line that is an error envelope ends the stream with that error:
 * the server reports failures in the middle of a listing this way, since the status is sent.
 */
function parseLine<T>(line: string, status: number): T {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new EscapeRequestError(
      status,
      'bad_response',
      'The server sent a malformed line.'
    );
  }
  if (isEnvelope(value)) {
    throw EscapeRequestError.fromEnvelope(status, value);
  }
  return value as T;
}

/**
 * Call a streaming route and yield each NDJSON item as it arrives, without buffering the listing.
 * Pass `signal` in the options to cancel.
 */
export async function* streamNDJSON<T>(
  path: string,
  options: IRequestOptions = {}
): AsyncGenerator<T, void, undefined> {
  const response = await send(path, options);
  const body = response.body;
  if (!body || typeof body.getReader !== 'function') {
    // Environments without streams still get the items, just not progressively.
    for (const line of (await response.text()).split('\n')) {
      if (line.trim()) {
        yield parseLine<T>(line, response.status);
      }
    }
    return;
  }
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      buffered += done
        ? decoder.decode()
        : decoder.decode(value, { stream: true });
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.trim()) {
          yield parseLine<T>(line, response.status);
        }
        newline = buffered.indexOf('\n');
      }
      if (done) {
        finished = true;
        break;
      }
    }
    if (buffered.trim()) {
      yield parseLine<T>(buffered, response.status);
    }
  } finally {
    if (!finished) {
      // The consumer stopped early or a line failed: tell the server to stop sending.
      await reader.cancel().catch(() => undefined);
    }
    reader.releaseLock();
  }
}
