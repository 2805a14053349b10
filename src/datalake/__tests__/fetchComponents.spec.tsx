import { nullTranslator } from '@jupyterlab/translation';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import * as React from 'react';

import { DatalakePanel } from '../components/DatalakePanel';
import { DidFetch, replicaState } from '../components/DidFetch';
import { FetchList, jobActions } from '../components/FetchList';
import { FetchModel } from '../fetchModel';
import { DatalakeModel } from '../model';
import { fakeApi, row, tick } from './fakeApi';
import { fakeFetchApi, fakeNotifier, job, replicaStatus } from './fakeFetchApi';

const trans = nullTranslator.load('jupyterlab_escape');

async function renderList(jobs: ReturnType<typeof job>[]) {
  const { api, state } = fakeFetchApi();
  state.jobs = jobs;
  const model = new FetchModel({
    api,
    notifier: fakeNotifier(),
    interval: 60_000
  });
  const props = {
    onShow: jest.fn(),
    onOpen: jest.fn(),
    onInsert: jest.fn(),
    onError: jest.fn()
  };
  render(<FetchList model={model} trans={trans} {...props} />);
  await act(() => model.refresh());
  return { model, api, state, ...props };
}

describe('FetchList', () => {
  it('shows nothing until there is a job', async () => {
    const { model } = await renderList([]);
    expect(screen.queryByRole('region', { name: 'Fetches' })).toBeNull();
    model.dispose();
  });

  it('counts files already there once: the counts add up (#21)', async () => {
    const { model } = await renderList([
      job({
        id: 'all',
        state: 'done',
        files_done: 8,
        files_present: 8,
        bytes_done: 1_440_000,
        throughput: null,
        eta_seconds: null
      }),
      job({ id: 'some', files_done: 5, files_present: 3, eta_seconds: null })
    ]);
    const [all, some] = screen.getAllByRole('listitem', {
      name: 'Fetch of cta.prod5.south.gamma.run0001.dl1'
    });
    expect(all.textContent).toContain(
      'All 8 files already there · 1.44 MB, nothing transferred'
    );
    expect(all.textContent).not.toContain(' / '); // no "1.44 MB / 1.44 MB" as if moved
    expect(all.textContent).not.toMatch(/16|of 8 files/);
    expect(some.textContent).toContain('5 of 8 files (3 already there) · ');
    model.dispose();
  });

  it('shows a running job with progress, throughput and ETA, and only Cancel', async () => {
    const { model, api } = await renderList([job()]);
    const item = screen.getByRole('listitem', {
      name: 'Fetch of cta.prod5.south.gamma.run0001.dl1'
    });
    expect(within(item).getByText('Fetching')).toBeTruthy();
    expect(item.querySelector('.jp-escape-Job-facts')!.textContent).toBe(
      '3 of 8 files · 540 kB / 1.44 MB · 2.10 MB/s · 12 s left'
    );
    expect(
      within(item).getByRole('progressbar').getAttribute('aria-valuenow')
    ).toBe('38');
    expect(within(item).queryByRole('button', { name: 'Remove' })).toBeNull();
    expect(
      within(item).queryByRole('button', { name: 'Insert into notebook' })
    ).toBeNull();
    expect(screen.getByText('1 active')).toBeTruthy();
    await act(async () => {
      fireEvent.click(within(item).getByRole('button', { name: 'Cancel' }));
      await tick();
    });
    expect(api.cancel).toHaveBeenCalledWith('j1');
    expect(within(item).getByText('Cancelled')).toBeTruthy();
    expect(within(item).getByRole('button', { name: 'Retry' })).toBeTruthy();
    model.dispose();
  });

  it('a finished job offers show, insert and remove; a file job also Open', async () => {
    const file = job({
      id: 'j2',
      state: 'done',
      files_total: 1,
      files_done: 1,
      dids: [{ scope: 'escape_cta', name: 'gamma_1.h5', type: 'file' }],
      paths: [
        {
          did: 'escape_cta:gamma_1.h5',
          path: 'datalake/escape_cta/gamma_1.h5',
          type: 'file'
        }
      ]
    });
    const { model, onShow, onOpen, onInsert, api } = await renderList([
      file,
      job({ state: 'done', files_done: 8 })
    ]);
    const item = screen.getByRole('listitem', { name: 'Fetch of gamma_1.h5' });
    fireEvent.click(within(item).getByRole('button', { name: 'Open' }));
    expect(onOpen).toHaveBeenCalledWith('datalake/escape_cta/gamma_1.h5');
    fireEvent.click(
      within(item).getByRole('button', { name: 'Show in file browser' })
    );
    expect(onShow).toHaveBeenCalledWith('datalake/escape_cta/gamma_1.h5');
    fireEvent.click(
      within(item).getByRole('button', { name: 'Insert into notebook' })
    );
    expect(onInsert).toHaveBeenCalledWith(
      expect.objectContaining({ id: 'j2' })
    );
    const dataset = screen.getByRole('listitem', {
      name: 'Fetch of cta.prod5.south.gamma.run0001.dl1'
    });
    expect(within(dataset).queryByRole('button', { name: 'Open' })).toBeNull();
    await act(async () => {
      fireEvent.click(within(item).getByRole('button', { name: 'Remove' }));
      await tick();
    });
    expect(api.remove).toHaveBeenCalledWith('j2');
    expect(
      screen.queryByRole('listitem', { name: 'Fetch of gamma_1.h5' })
    ).toBeNull();
    model.dispose();
  });

  it('a failed job shows its errors on demand and its files', async () => {
    const failed = job({
      state: 'failed',
      message: '1 of 8 files failed',
      files_done: 7,
      files_failed: 1,
      errors: [
        {
          item: 'escape_cta:gamma_3.h5',
          message: 'adler32 mismatch on every replica'
        }
      ],
      errors_count: 1
    });
    const { model, api } = await renderList([failed]);
    expect(screen.getByText('1 of 8 files failed')).toBeTruthy();
    expect(screen.getByText('1 error')).toBeTruthy();
    expect(screen.getByText('adler32 mismatch on every replica')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Retry' })).toBeTruthy();
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Files' }));
      await tick();
    });
    expect(api.get).toHaveBeenCalledWith('j1');
    const files = screen.getByRole('list', {
      name: 'Files of cta.prod5.south.gamma.run0001.dl1'
    });
    expect(within(files).getByText('gamma_1.h5')).toBeTruthy();
    expect(within(files).getByText('50 %')).toBeTruthy();
    model.dispose();
  });

  it('says where a cancel failed', async () => {
    const { model, api, onError } = await renderList([job()]);
    api.cancel.mockRejectedValueOnce(new Error('gone'));
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
      await tick();
    });
    expect(onError).toHaveBeenCalledWith('gone');
    model.dispose();
  });
});

describe('jobActions', () => {
  it('enables buttons per state', () => {
    const on = (state: ReturnType<typeof job>['state']) =>
      Object.entries(jobActions(job({ state })))
        .filter(([, v]) => v)
        .map(([k]) => k)
        .sort();
    expect(on('queued')).toEqual(['cancel']);
    expect(
      Object.entries(jobActions(job({ state: 'running', phase: 'resolving' })))
        .filter(([, v]) => v)
        .map(([k]) => k)
    ).toEqual(['cancel']);
    expect(on('done')).toEqual(['insert', 'remove', 'show']);
    expect(on('interrupted')).toEqual(['remove', 'resume', 'show']);
    expect(jobActions(job({ state: 'failed', files_done: 0 })).show).toBe(
      false
    );
  });
});

describe('DidFetch', () => {
  const actions = () => ({
    fetch: jest.fn(),
    fetchTo: jest.fn(),
    makeAvailable: jest.fn(),
    insert: jest.fn(),
    show: jest.fn(),
    open: jest.fn()
  });

  it('download mode: Fetch, then where it is with Insert into notebook', async () => {
    const { api, state } = fakeFetchApi();
    const model = new FetchModel({
      api,
      notifier: fakeNotifier(),
      interval: 60_000
    });
    const act_ = actions();
    const did = 'escape_cta:cta.prod5.south.gamma.run0001.dl1';
    render(
      <DidFetch
        did={did}
        type="dataset"
        config={{
          mode: 'download',
          destination_rse: null,
          fetch_dir: 'datalake'
        }}
        model={model}
        actions={act_}
        trans={trans}
      />
    );
    fireEvent.click(screen.getByRole('button', { name: 'Fetch' }));
    expect(act_.fetch).toHaveBeenCalledWith([did]);
    expect(screen.queryByRole('button', { name: 'Make available' })).toBeNull();
    state.jobs = [job()];
    await act(() => model.refresh());
    expect(screen.getByText(/Fetching: 3 of 8 files/)).toBeTruthy();
    expect(
      (screen.getByRole('button', { name: 'Fetch' }) as HTMLButtonElement)
        .disabled
    ).toBe(true);
    state.jobs = [job({ state: 'done' })];
    await act(() => model.refresh());
    expect(screen.getByText('In the workspace')).toBeTruthy();
    fireEvent.click(
      screen.getByRole('button', { name: 'Insert into notebook' })
    );
    expect(act_.insert).toHaveBeenCalledWith(did);
    fireEvent.click(
      screen.getByRole('button', { name: 'Show in file browser' })
    );
    expect(act_.show).toHaveBeenCalledWith(
      'datalake/escape_cta/cta.prod5.south.gamma.run0001.dl1'
    );
    model.dispose();
  });

  it('replica mode: Make available, the rule state as it is, local paths once available', async () => {
    const { api } = fakeFetchApi();
    api.replica.mockResolvedValue(replicaStatus({}, null));
    const model = new FetchModel({
      api,
      notifier: fakeNotifier(),
      interval: 60_000
    });
    const act_ = actions();
    render(
      <DidFetch
        did="escape_cta:ds"
        type="dataset"
        config={{
          mode: 'replica',
          destination_rse: 'LOCAL_MOUNT',
          fetch_dir: 'datalake'
        }}
        model={model}
        actions={act_}
        trans={trans}
      />
    );
    await act(tick);
    expect(api.replica).toHaveBeenCalledWith('escape_cta:ds', undefined);
    expect(screen.getByText('Not on LOCAL_MOUNT')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Make available' }));
    expect(act_.makeAvailable).toHaveBeenCalledWith('escape_cta:ds');

    api.replica.mockResolvedValue(
      replicaStatus(
        {
          available: true,
          files: [
            {
              did: 'escape_cta:a',
              path: '/mnt/rse/escape_cta/a',
              available: true
            }
          ]
        },
        {
          state: 'OK',
          locks_ok_cnt: 1,
          locks_replicating_cnt: 0,
          reused: true,
          did: 'escape_cta:parent'
        }
      )
    );
    await act(() => model.lookupReplica('escape_cta:ds'));
    expect(screen.getByText('Available')).toBeTruthy();
    expect(screen.getByText('/mnt/rse/escape_cta/a')).toBeTruthy();
    expect(
      screen.getByText('Through the existing rule on escape_cta:parent')
    ).toBeTruthy();
    fireEvent.click(
      screen.getByRole('button', { name: 'Insert into notebook' })
    );
    expect(act_.insert).toHaveBeenCalledWith('escape_cta:ds');
    model.dispose();
  });

  it('names rule states as what they are', () => {
    const label = (rule: Parameters<typeof replicaStatus>[1]) =>
      replicaState(replicaStatus({}, rule), trans);
    expect(label({ state: 'WAITING_APPROVAL' }).label).toBe(
      'Waiting for approval'
    );
    const stuck = label({
      state: 'STUCK',
      error: 'no space left',
      locks_stuck_cnt: 2
    });
    expect(stuck.label).toBe('Stuck');
    expect(stuck.kind).toBe('error');
    expect(stuck.detail).toContain('no space left');
    expect(label({ state: 'REPLICATING' }).detail).toBe(
      '2 of 8 files on LOCAL_MOUNT'
    );
    expect(label({ state: 'SUSPENDED', error: 'by admin' }).detail).toBe(
      'by admin'
    );
  });
});

describe('selecting rows to fetch', () => {
  it('ticks rows, ctrl-click ticks too, and fetches the selection', async () => {
    const { api, searches } = fakeApi();
    const model = new DatalakeModel(api);
    const onFetch = jest.fn();
    render(
      <DatalakePanel
        model={model}
        trans={trans}
        onCopy={jest.fn()}
        onFetch={onFetch}
      />
    );
    await act(() => model.connect());
    fireEvent.click(screen.getByRole('button', { name: 'escape_cta' }));
    await act(async () => {
      await tick();
      searches[0].feed.push(row('a.h5'), row('b.h5'), row('ds', 'dataset'));
      searches[0].feed.end();
      await tick();
    });
    expect(screen.queryByRole('toolbar', { name: 'Selected DIDs' })).toBeNull();
    fireEvent.click(screen.getByLabelText('Select a.h5'));
    fireEvent.click(screen.getByTitle('escape_cta:ds (dataset)'), {
      ctrlKey: true
    });
    const bar = screen.getByRole('toolbar', { name: 'Selected DIDs' });
    expect(within(bar).getByText('2 selected')).toBeTruthy();
    // The ctrl-click ticked the dataset rather than opening it.
    expect(model.levels).toHaveLength(1);
    fireEvent.click(within(bar).getByRole('button', { name: 'Fetch to…' }));
    expect(onFetch).toHaveBeenLastCalledWith(
      ['escape_cta:a.h5', 'escape_cta:ds'],
      true
    );
    fireEvent.click(within(bar).getByRole('button', { name: 'Fetch' }));
    expect(onFetch).toHaveBeenLastCalledWith(
      ['escape_cta:a.h5', 'escape_cta:ds'],
      false
    );
    expect(screen.queryByRole('toolbar', { name: 'Selected DIDs' })).toBeNull();
  });
});
