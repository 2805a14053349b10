import { act, fireEvent } from '@testing-library/react';
import { Widget } from '@lumino/widgets';

import { shownPath, WORKFLOW_MIME, WorkflowOutput } from '../cellOutput';
import { fakeApi, sleep, until, workflow } from './fakeApi';

/** #21: outputs of a cell-launched run land next to the notebook, where its code looks. */
describe('downloading the outputs of a cell', () => {
  async function download(
    outputsFolder?: (node: HTMLElement) => string | null,
    files: string[] = [],
    look?: (renderer: WorkflowOutput) => void
  ) {
    const api = fakeApi({
      logsDownloadUrl: () => '/log',
      downloadOutputs: jest.fn(async () => ({
        folder: 'x',
        files,
        missing: [],
        renamed: [],
        skipped: [],
        message: ''
      })) as any
    });
    const renderer = new WorkflowOutput({
      api,
      openWorkflow: jest.fn(),
      openPath: jest.fn(),
      outputsFolder,
      observe: () => () => undefined
    });
    Widget.attach(renderer, document.body);
    const data = {
      id: 'w-1',
      name: 'fit',
      run_number: '3',
      status: 'finished',
      snapshot: workflow('finished')
    };
    const model = {
      data: { [WORKFLOW_MIME]: data },
      metadata: {},
      trusted: true,
      setData: jest.fn()
    };
    await renderer.renderModel(model as any);
    await sleep(10);
    const button = [...renderer.node.querySelectorAll('button')].find(b =>
      (b.textContent ?? '').includes('Download outputs into workspace')
    )!;
    await act(async () => {
      fireEvent.click(button);
    });
    await until(() => (api.downloadOutputs as jest.Mock).mock.calls.length > 0);
    const call = (api.downloadOutputs as jest.Mock).mock.calls[0];
    await sleep(10);
    look?.(renderer);
    Widget.detach(renderer);
    renderer.dispose();
    return { call, renderer };
  }

  it('asks for reana/<name>.<run> in the folder of the notebook showing the output', async () => {
    let asked: HTMLElement | null = null;
    const { call, renderer } = await download(node => {
      asked = node;
      return 'papers/crab';
    });
    expect(call).toEqual(['w-1', 'papers/crab/reana/fit.3']);
    expect(asked).toBe(renderer.node);
  });

  it('keeps the server default when it is shown outside a notebook', async () => {
    const { call } = await download(() => null);
    expect(call).toEqual(['w-1', undefined]);
  });

  it('lists the downloaded files relative to the notebook, each titled with its workspace path', async () => {
    const full = 'papers/crab/reana/fit.3/results/fit.json';
    let shown: string[] = [];
    let opened: HTMLButtonElement | null = null;
    await download(
      () => 'papers/crab',
      [full, 'elsewhere/plots/a.png'],
      renderer => {
        const list = renderer.node.querySelector(
          '[aria-label="Downloaded outputs"]'
        )!;
        const links = [...list.querySelectorAll('button')];
        shown = links.map(b => b.textContent ?? '');
        opened = links[0];
      }
    );
    expect(shown).toEqual([
      'reana/fit.3/results/fit.json',
      'elsewhere/plots/a.png'
    ]);
    expect(opened!.title).toBe(full);
  });

  it('shows a path relative to the folder only when it is inside it', () => {
    expect(shownPath('a/b/reana/x.1/f.json', 'a/b')).toBe('reana/x.1/f.json');
    expect(shownPath('a/bc/f.json', 'a/b')).toBe('a/bc/f.json');
    expect(shownPath('reana/x.1/f.json', '')).toBe('reana/x.1/f.json');
    expect(shownPath('a/b/f.json', null)).toBe('a/b/f.json');
  });
});
