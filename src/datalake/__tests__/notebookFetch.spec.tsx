/**
 * A shared notebook's `metadata.escape.datalake` must not choose where a fetch writes: no offer
 * for untrusted notebooks, a confirmation listing each DID and where the server says it lands,
 * and requests marked `origin: "notebook"` so the server confines them to its fetch folder.
 */
import { Notification } from '@jupyterlab/apputils';
import { NotebookModel } from '@jupyterlab/notebook';
import { ServerConnection } from '@jupyterlab/services';
import { dismissDialog, waitForDialog } from '@jupyterlab/testutils';
import { nullTranslator } from '@jupyterlab/translation';
import { render, screen, waitFor } from '@testing-library/react';
import * as React from 'react';

import { EscapeRequestError } from '../../request';
import { NotebookFetchConfirm } from '../components/NotebookFetchConfirm';
import { FetchActions, IFetchDeps } from '../fetchActions';
import { fetchApi, IFetchCheck } from '../fetchApi';
import {
  groupMissing,
  isNotebookTrusted,
  planNotebookFetch,
  startPlans
} from '../notebookFetch';
import { IDatalakeUse } from '../notebookUse';
import { job } from './fakeFetchApi';

const trans = nullTranslator.load('jupyterlab_escape');

const BAD_PATH = new EscapeRequestError(
  400,
  'bad_path',
  "Refused to write to '.local/share/jupyter/kernels/x': a notebook may only name places inside datalake/."
);

function didUse(partial: Partial<IDatalakeUse> = {}): IDatalakeUse {
  return {
    scope: 'user.mallory',
    name: 'kernel.json',
    type: 'file',
    adler32: null,
    md5: null,
    path: 'datalake/user.mallory/kernel.json',
    instance: 'tb',
    ...partial
  };
}

const HOSTILE = didUse({
  path: '.local/share/jupyter/kernels/x/user.mallory/kernel.json'
});
const PLAIN = didUse({
  scope: 'escape_cta',
  name: 'gamma_1.h5',
  path: 'datalake/escape_cta/gamma_1.h5'
});

/** A notebook model as JupyterLab builds it from a file the server marked (or not) trusted. */
function notebook(
  cells: { type: 'code' | 'markdown'; trusted?: boolean; source?: string }[],
  uses: IDatalakeUse[] = [HOSTILE, PLAIN]
): NotebookModel {
  const model = new NotebookModel();
  model.fromJSON({
    cells: cells.map(c =>
      c.type === 'code'
        ? {
            cell_type: 'code',
            source: c.source ?? 'print(1)',
            metadata: c.trusted === undefined ? {} : { trusted: c.trusted },
            outputs: [],
            execution_count: null
          }
        : { cell_type: 'markdown', source: '# x', metadata: {} }
    ),
    metadata: { escape: { datalake: uses as any } },
    nbformat: 4,
    nbformat_minor: 5
  });
  return model;
}

function fakeFetches() {
  return {
    check: jest.fn(
      async (dids: string[], dest?: string): Promise<IFetchCheck> => {
        if (dest?.startsWith('.')) {
          throw BAD_PATH;
        }
        return {
          dest: dest ?? 'datalake',
          paths: dids.map(did => ({
            did,
            path: `${dest ?? 'datalake'}/${did.replace(':', '/')}`
          }))
        };
      }
    ),
    start: jest.fn(async () => job())
  };
}

function actionsFor(model: NotebookModel) {
  const fetches = fakeFetches();
  const contents = {
    get: jest.fn(async () => Promise.reject(new Error('404')))
  };
  const deps = {
    app: { serviceManager: { contents } },
    browse: {},
    fetches,
    tracker: null,
    trans
  } as unknown as IFetchDeps;
  const panel = {
    context: { ready: Promise.resolve(), localPath: 'shared/hostile.ipynb' },
    model
  } as any;
  return { actions: new FetchActions(deps), fetches, contents, panel };
}

afterEach(async () => {
  await dismissDialog();
  jest.restoreAllMocks();
});

describe('notebook trust (JupyterLab 4: every code cell trusted)', () => {
  it('trusts a notebook only when it has code cells and all are trusted', () => {
    expect(isNotebookTrusted(notebook([{ type: 'code', trusted: true }]))).toBe(
      true
    );
    expect(
      isNotebookTrusted(
        notebook([
          { type: 'code', trusted: true },
          { type: 'markdown' },
          { type: 'code', trusted: true }
        ])
      )
    ).toBe(true);
    expect(
      isNotebookTrusted(
        notebook([
          { type: 'code', trusted: true },
          { type: 'code', trusted: false }
        ])
      )
    ).toBe(false);
    expect(isNotebookTrusted(notebook([{ type: 'code' }]))).toBe(false);
    // No code cell: no signature evidence at all.
    expect(isNotebookTrusted(notebook([{ type: 'markdown' }]))).toBe(false);
    // JupyterLab gives a notebook without cells a trusted empty code cell: not evidence.
    expect(isNotebookTrusted(notebook([]))).toBe(false);
    expect(
      isNotebookTrusted(notebook([{ type: 'code', trusted: true, source: '' }]))
    ).toBe(false);
    expect(isNotebookTrusted(null)).toBe(false);
  });

  it('follows the Trust Notebook command (cells trusted in the model)', () => {
    const model = notebook([{ type: 'code', trusted: false }]);
    expect(isNotebookTrusted(model)).toBe(false);
    for (const cell of model.cells) {
      cell.trusted = true;
    }
    expect(isNotebookTrusted(model)).toBe(true);
  });
});

describe('the missing-DIDs offer', () => {
  it('is not made for an untrusted notebook, which is not even looked at', async () => {
    const warning = jest.spyOn(Notification, 'warning');
    for (const cells of [
      [{ type: 'code' as const, trusted: false }],
      [{ type: 'markdown' as const }],
      [
        { type: 'code' as const, trusted: true },
        { type: 'code' as const, trusted: false }
      ]
    ]) {
      const { actions, contents, fetches, panel } = actionsFor(notebook(cells));
      await actions.checkNotebook(panel);
      expect(contents.get).not.toHaveBeenCalled();
      expect(fetches.check).not.toHaveBeenCalled();
      expect(fetches.start).not.toHaveBeenCalled();
    }
    expect(warning).not.toHaveBeenCalled();
  });

  it('is made for a trusted notebook, and its Fetch starts nothing before a confirmation', async () => {
    const warning = jest.spyOn(Notification, 'warning');
    const { actions, fetches, panel } = actionsFor(
      notebook([{ type: 'code', trusted: true }])
    );
    await actions.checkNotebook(panel);
    expect(warning).toHaveBeenCalledTimes(1);
    expect(warning.mock.calls[0][0]).toBe(
      'hostile.ipynb uses 2 Data Lake DIDs that are not in the workspace.'
    );
    const fetch = warning.mock.calls[0][1]!.actions!.find(
      a => a.label === 'Fetch'
    )!;
    fetch.callback(new MouseEvent('click') as any);
    await waitForDialog();
    const dialog = document.querySelector('.jp-Dialog')!;
    // The server was asked where each lands (nothing started), and the dialog says it.
    expect(fetches.start).not.toHaveBeenCalled();
    expect(fetches.check).toHaveBeenCalledWith(
      ['user.mallory:kernel.json'],
      '.local/share/jupyter/kernels/x',
      'tb',
      'notebook'
    );
    expect(fetches.check).toHaveBeenCalledWith(
      ['escape_cta:gamma_1.h5'],
      'datalake',
      'tb',
      'notebook'
    );
    await waitFor(() => expect(dialog.textContent).toContain(BAD_PATH.message));
    expect(dialog.textContent).toContain(
      'escape_cta:gamma_1.h5 → datalake/escape_cta/gamma_1.h5'
    );
    const cancel = [...dialog.querySelectorAll('button')].find(
      b => b.textContent === 'Cancel'
    )!;
    cancel.click();
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(fetches.start).not.toHaveBeenCalled();
  });

  it('after confirmation starts only what the server accepted, marked as from a notebook', async () => {
    const { actions, fetches, panel } = actionsFor(
      notebook([{ type: 'code', trusted: true }])
    );
    const done = actions.confirmMissing(panel, [HOSTILE, PLAIN]);
    await waitForDialog();
    const dialog = document.querySelector('.jp-Dialog')!;
    const accept = [...dialog.querySelectorAll('button')].find(
      b => b.textContent === 'Fetch'
    )!;
    accept.click();
    await done;
    expect(fetches.start).toHaveBeenCalledTimes(1);
    expect(fetches.start).toHaveBeenCalledWith(
      ['escape_cta:gamma_1.h5'],
      'datalake',
      'tb',
      'notebook'
    );
  });

  it('offers no Fetch when the server refuses everything', async () => {
    const { actions, fetches, panel } = actionsFor(
      notebook([{ type: 'code', trusted: true }])
    );
    const done = actions.confirmMissing(panel, [HOSTILE]);
    await waitForDialog();
    const dialog = document.querySelector('.jp-Dialog')!;
    const labels = [...dialog.querySelectorAll('button')].map(
      b => b.textContent
    );
    expect(labels).not.toContain('Fetch');
    await waitFor(() => expect(dialog.textContent).toContain(BAD_PATH.message));
    (
      [...dialog.querySelectorAll('button')].find(
        b => b.textContent === 'Close'
      ) as HTMLButtonElement
    ).click();
    await done;
    expect(fetches.start).not.toHaveBeenCalled();
  });
});

describe('planning and starting a notebook fetch', () => {
  it('groups by instance and destination; a path not laid out by us gets the default', () => {
    const groups = groupMissing([
      HOSTILE,
      PLAIN,
      didUse({ name: 'odd', path: 'somewhere/else.h5' }),
      didUse({ name: 'b', path: 'datalake/user.mallory/b' }),
      didUse({ name: 'c', path: 'datalake/user.mallory/c', instance: 'second' })
    ]);
    expect(groups.map(g => [g.instance, g.dest, g.uses.length])).toEqual([
      ['tb', '.local/share/jupyter/kernels/x', 1],
      ['tb', 'datalake', 2],
      ['tb', undefined, 1],
      ['second', 'datalake', 1]
    ]);
  });

  it('shows the refusal as written and never trusts an answer without paths', async () => {
    const fetches = fakeFetches();
    fetches.check.mockImplementationOnce(async () => job() as any);
    const plans = await planNotebookFetch(fetches.check, [
      didUse({ name: 'a', path: 'datalake/user.mallory/a' }),
      HOSTILE
    ]);
    expect(plans[0].error).toMatch(/did not say where/);
    expect(plans[1].error).toBe(BAD_PATH.message);
    expect(await startPlans(fetches.start, plans)).toEqual([]);
    expect(fetches.start).not.toHaveBeenCalled();
  });

  it('says a full server as it says it (429 too_many_jobs)', async () => {
    const fetches = fakeFetches();
    const busy =
      'The server is already running 8 jobs; wait for one to finish and retry.';
    fetches.start.mockRejectedValueOnce(
      new EscapeRequestError(429, 'too_many_jobs', busy)
    );
    const plans = await planNotebookFetch(fetches.check, [PLAIN]);
    expect(await startPlans(fetches.start, plans)).toEqual([busy]);
  });

  it('renders each DID with the path the server gave, and what the notebook named', () => {
    render(
      <NotebookFetchConfirm
        notebook="hostile.ipynb"
        trans={trans}
        plans={[
          {
            instance: 'tb',
            dest: 'datalake',
            uses: [PLAIN],
            paths: [
              {
                did: 'escape_cta:gamma_1.h5',
                path: 'datalake/escape_cta/gamma_1.h5'
              }
            ],
            error: null
          },
          {
            instance: 'tb',
            dest: '.local/share/jupyter/kernels/x',
            uses: [HOSTILE],
            paths: [],
            error: BAD_PATH.message
          }
        ]}
      />
    );
    expect(screen.getByText(BAD_PATH.message)).toBeTruthy();
    expect(screen.getByLabelText('Lands at').textContent).toBe(
      'datalake/escape_cta/gamma_1.h5'
    );
    expect(screen.getByText(HOSTILE.path)).toBeTruthy();
  });
});

describe('the fetch request body', () => {
  it('carries origin "notebook" and check exactly as the server contract says', async () => {
    const bodies: unknown[] = [];
    jest
      .spyOn(ServerConnection, 'makeRequest')
      .mockImplementation(async (url, init) => {
        bodies.push(JSON.parse(String(init.body)));
        const answer = JSON.stringify(
          (init.body as string).includes('"check"')
            ? { dest: 'datalake', paths: [] }
            : job()
        );
        return new Response(answer, { status: 200 }) as any;
      });
    await fetchApi.start(['s:n'], 'datalake/x', 'tb', 'notebook');
    await fetchApi.check(['s:n'], '../../etc', 'tb');
    await fetchApi.start(['s:n']);
    expect(bodies).toEqual([
      { dids: ['s:n'], dest: 'datalake/x', origin: 'notebook' },
      { dids: ['s:n'], dest: '../../etc', check: true },
      { dids: ['s:n'] }
    ]);
  });
});
