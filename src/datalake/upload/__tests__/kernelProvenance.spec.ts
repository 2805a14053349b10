/**
 * Provenance from the kernel: an upload started by a notebook's kernel (the kernel API's
 * `upload()`) carries the origin the server recorded (the kernel it checked, the notebook of
 * that kernel's session); the frontend records the produced DIDs in that open notebook once,
 * when the job is done, and never in another notebook or an untrusted one.
 */
import { CommandRegistry } from '@lumino/commands';
import { Signal } from '@lumino/signaling';
import { NotebookModel, NotebookPanel } from '@jupyterlab/notebook';
import { nullTranslator } from '@jupyterlab/translation';

import { kernelNotebook, setupUploads } from '../commands';
import { recordedProduced } from '../provenance';
import { fakeUploadApi, uploadDetail, uploadJob } from './fakeUploadApi';

function model(trusted: boolean): NotebookModel {
  const m = new NotebookModel();
  m.sharedModel.insertCells(0, [{ cell_type: 'code', source: 'upload(...)' }]);
  m.cells.get(0).trusted = trusted;
  return m;
}

interface IFakePanel {
  panel: NotebookPanel;
  status: Signal<unknown, string>;
  model: NotebookModel;
}

function panel(kernel: string, path: string, trusted = true): IFakePanel {
  const status = new Signal<unknown, string>({});
  const m = model(trusted);
  const fake = {
    isDisposed: false,
    model: m,
    context: { path, localPath: path },
    sessionContext: {
      session: { kernel: { id: kernel } },
      statusChanged: status
    }
  };
  return { panel: fake as unknown as NotebookPanel, status, model: m };
}

function tracker(panels: IFakePanel[]) {
  const widgetAdded = new Signal<unknown, NotebookPanel>({});
  return {
    widgetAdded,
    currentWidget: null,
    find: (fn: (p: NotebookPanel) => boolean) =>
      panels.map(p => p.panel).find(fn),
    add: (p: IFakePanel) => {
      panels.push(p);
      widgetAdded.emit(p.panel);
    }
  };
}

const ORIGIN = { kernel: 'k-1', notebook: 'analysis/fit.ipynb' };

describe('kernelNotebook', () => {
  it('finds the open notebook running the job kernel, at the session path', () => {
    const a = panel('k-1', 'analysis/fit.ipynb');
    const b = panel('k-2', 'other.ipynb');
    const t = tracker([b, a]);
    expect(kernelNotebook(t, { origin: ORIGIN })).toBe(a.panel);
    // same kernel, other path (the notebook was renamed or is another view): not guessed
    expect(
      kernelNotebook(t, { origin: { kernel: 'k-1', notebook: 'x.ipynb' } })
    ).toBeNull();
    expect(kernelNotebook(t, { origin: null })).toBeNull();
    expect(
      kernelNotebook(t, { origin: { kernel: 'k-9', notebook: null } })
    ).toBeNull();
    expect(kernelNotebook(null, { origin: ORIGIN })).toBeNull();
  });
});

describe('uploads started by a kernel', () => {
  function setup(panels: IFakePanel[]) {
    const job = uploadJob({ id: 'k-job', state: 'done', origin: ORIGIN });
    const detail = uploadDetail({ id: 'k-job', origin: ORIGIN });
    const api = fakeUploadApi({
      list: jest.fn(async () => [job]),
      get: jest.fn(async () => detail)
    });
    const t = tracker([]);
    const uploads = setupUploads({
      app: {
        commands: new CommandRegistry(),
        shell: { currentWidget: null }
      } as any,
      trans: nullTranslator.load('jupyterlab_escape'),
      browser: null,
      tracker: t as any,
      showDid: () => undefined,
      isVisible: () => false,
      instance: () => undefined,
      api
    });
    for (const p of panels) {
      t.add(p);
    }
    return { uploads, api };
  }

  const settle = () => new Promise(resolve => setTimeout(resolve, 20));

  it('records the DIDs in the kernel notebook once, after its kernel went idle', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    const fit = panel('k-1', 'analysis/fit.ipynb');
    const other = panel('k-2', 'other.ipynb');
    const { uploads, api } = setup([fit, other]);
    fit.status.emit('busy');
    fit.status.emit('idle');
    jest.advanceTimersByTime(600); // the look at the jobs after a kernel went idle
    jest.useRealTimers();
    await settle();
    expect(api.list).toHaveBeenCalled();
    const names = recordedProduced(fit.model.getMetadata('escape')).map(
      p => `${p.name}@${p.job}`
    );
    expect(names).toEqual([
      'hist.json@k-job',
      'plots.a.png@k-job',
      'results@k-job'
    ]);
    expect(other.model.getMetadata('escape')).toBeUndefined();
    // seen again (a later listing, a reload): not recorded twice
    const before = JSON.stringify(fit.model.getMetadata('escape'));
    await uploads.jobs.model.refresh();
    await settle();
    expect(JSON.stringify(fit.model.getMetadata('escape'))).toBe(before);
    expect(api.get).toHaveBeenCalledTimes(1);
    uploads.jobs.dispose();
  });

  it('never records into an untrusted notebook', async () => {
    const fit = panel('k-1', 'analysis/fit.ipynb', false);
    const { uploads } = setup([fit]);
    await uploads.jobs.model.refresh();
    await settle();
    expect(fit.model.getMetadata('escape')).toBeUndefined();
    uploads.jobs.dispose();
  });
});
