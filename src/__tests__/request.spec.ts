import { ServerConnection } from '@jupyterlab/services';

import {
  apiUrl,
  errorMessage,
  EscapeRequestError,
  requestAPI,
  streamNDJSON
} from '../request';

interface IFakeResponse {
  ok: boolean;
  status: number;
  statusText: string;
  text: () => Promise<string>;
  body: { getReader: () => any } | null;
}

/** A reader whose chunks the test releases one at a time. */
class ControlledReader {
  chunks: Uint8Array[] = [];
  waiting: ((r: { done: boolean; value?: Uint8Array }) => void) | null = null;
  ended = false;
  cancelled = false;
  released = false;

  push(text: string | Uint8Array): void {
    const chunk =
      typeof text === 'string' ? new TextEncoder().encode(text) : text;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ done: false, value: chunk });
    } else {
      this.chunks.push(chunk);
    }
  }

  end(): void {
    this.ended = true;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ done: true });
    }
  }

  read(): Promise<{ done: boolean; value?: Uint8Array }> {
    const next = this.chunks.shift();
    if (next) {
      return Promise.resolve({ done: false, value: next });
    }
    if (this.ended) {
      return Promise.resolve({ done: true });
    }
    return new Promise(resolve => (this.waiting = resolve));
  }

  cancel(): Promise<void> {
    this.cancelled = true;
    return Promise.resolve();
  }

  releaseLock(): void {
    this.released = true;
  }
}

function response(
  status: number,
  text: string,
  reader?: ControlledReader
): IFakeResponse {
  return {
    ok: status >= 200 && status < 300,
    status,
    statusText: status === 500 ? 'Internal Server Error' : '',
    text: async () => text,
    body: reader ? { getReader: () => reader } : null
  };
}

function settingsWith(
  answer: (url: string) => IFakeResponse | Promise<IFakeResponse>,
  seen: Request[] = []
): ServerConnection.ISettings {
  return ServerConnection.makeSettings({
    baseUrl: 'http://localhost:8888/user/demo/',
    token: 'jupyter-token',
    fetch: ((request: Request) => {
      seen.push(request);
      return Promise.resolve(answer(request.url));
    }) as any
  });
}

/** The rejection reason of a call that must fail. */
function failure(promise: Promise<unknown>): Promise<any> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (reason: unknown) => reason
  );
}

describe('apiUrl', () => {
  it('joins below the base_url and encodes parameters', () => {
    const settings = ServerConnection.makeSettings({
      baseUrl: 'http://host/user/a b/'
    });
    expect(
      apiUrl(settings, 'datalake/dids', {
        scope: 'user.jdoe',
        q: 'a&b',
        x: undefined
      })
    ).toBe(
      'http://host/user/a%20b/escape/datalake/dids?scope=user.jdoe&q=a%26b'
    );
  });
});

describe('requestAPI', () => {
  it('calls /user/<name>/escape/... with the Jupyter token and parses JSON', async () => {
    const seen: Request[] = [];
    const settings = settingsWith(() => response(200, '{"services":[]}'), seen);
    const body = await requestAPI<{ services: unknown[] }>('status', {
      settings
    });
    expect(body).toEqual({ services: [] });
    expect(seen).toHaveLength(1);
    expect(seen[0].url).toMatch(
      /^http:\/\/localhost:8888\/user\/demo\/escape\/status\?\d+$/
    );
    expect(seen[0].headers.get('Authorization')).toBe('token jupyter-token');
  });

  it('turns the error envelope into a typed error with the message as written', async () => {
    const envelope = {
      error: {
        code: 'rucio_unauthorized',
        message: 'Your Rucio token expired at 14:02; refresh it and retry.',
        service: 'rucio',
        upstream_status: 401
      }
    };
    const settings = settingsWith(() =>
      response(401, JSON.stringify(envelope))
    );
    const error = await failure(requestAPI('datalake/scopes', { settings }));
    expect(error).toBeInstanceOf(EscapeRequestError);
    expect(error.status).toBe(401);
    expect(error.code).toBe('rucio_unauthorized');
    expect(error.message).toBe(
      'Your Rucio token expired at 14:02; refresh it and retry.'
    );
    expect(error.service).toBe('rucio');
    expect(error.upstreamStatus).toBe(401);
  });

  it('gives a readable error when the body is not an envelope', async () => {
    const settings = settingsWith(() => response(500, '<html>oops</html>'));
    const error = await failure(requestAPI('status', { settings }));
    expect(error.code).toBe('http_500');
    expect(error.message).toBe(
      'The server answered HTTP 500 Internal Server Error.'
    );
  });

  it('reports an unreachable Jupyter server as a network error', async () => {
    const settings = ServerConnection.makeSettings({
      baseUrl: 'http://localhost:8888/',
      fetch: (() => Promise.reject(new TypeError('Failed to fetch'))) as any
    });
    const error = await failure(requestAPI('status', { settings }));
    expect(error).toBeInstanceOf(EscapeRequestError);
    expect(error.code).toBe('network_error');
  });
});

describe('streamNDJSON', () => {
  it('yields items as their lines complete, across chunk and UTF-8 boundaries', async () => {
    const reader = new ControlledReader();
    const settings = settingsWith(() => response(200, '', reader));
    const items: any[] = [];
    const stream = streamNDJSON<{ name: string }>('datalake/dids', {
      settings
    });

    const first = stream.next();
    reader.push('{"name":"a.r');
    reader.push('oot"}\n{"name":"');
    expect((await first).value).toEqual({ name: 'a.root' });
    // "é" is two bytes in UTF-8; split them across chunks.
    const bytes = new TextEncoder().encode('caf\u00e9"}\n{"name":"last"}');
    reader.push(bytes.slice(0, 4));
    reader.push(bytes.slice(4));
    reader.end();
    for await (const item of { [Symbol.asyncIterator]: () => stream }) {
      items.push(item);
    }
    expect(items).toEqual([{ name: 'caf\u00e9' }, { name: 'last' }]);
    expect(reader.cancelled).toBe(false);
    expect(reader.released).toBe(true);
  });

  it('stops with the envelope error sent in the middle of a stream', async () => {
    const reader = new ControlledReader();
    reader.push(
      '{"n":1}\n{"error":{"code":"rucio_timeout","message":"Rucio did not answer"}}\n'
    );
    reader.push('{"n":2}\n');
    reader.end();
    const settings = settingsWith(() => response(200, '', reader));
    const items: any[] = [];
    const error: any = await (async () => {
      for await (const item of streamNDJSON('datalake/dids', { settings })) {
        items.push(item);
      }
    })().catch((e: any) => e);
    expect(items).toEqual([{ n: 1 }]);
    expect(error).toBeInstanceOf(EscapeRequestError);
    expect(error.code).toBe('rucio_timeout');
    expect(reader.cancelled).toBe(true);
  });

  it('cancels the upstream read when the consumer stops early', async () => {
    const reader = new ControlledReader();
    reader.push('{"n":1}\n{"n":2}\n');
    const settings = settingsWith(() => response(200, '', reader));
    for await (const item of streamNDJSON<{ n: number }>('datalake/dids', {
      settings
    })) {
      expect(item.n).toBe(1);
      break;
    }
    expect(reader.cancelled).toBe(true);
  });

  it('still yields every item when the response has no readable body', async () => {
    const settings = settingsWith(() => response(200, '{"n":1}\n\n{"n":2}'));
    const items: any[] = [];
    for await (const item of streamNDJSON('x', { settings })) {
      items.push(item);
    }
    expect(items).toEqual([{ n: 1 }, { n: 2 }]);
  });
});

describe('errorMessage', () => {
  it('shows the server message as written, and names what failed otherwise', () => {
    const served = new EscapeRequestError(
      404,
      'x',
      'There is no scope escape_x.'
    );
    expect(errorMessage(served, 'Searching')).toBe(
      'There is no scope escape_x.'
    );
    expect(errorMessage(new TypeError('boom'), 'Searching')).toBe(
      'Searching failed: TypeError: boom'
    );
    expect(errorMessage('plain')).toBe('plain');
  });
});
