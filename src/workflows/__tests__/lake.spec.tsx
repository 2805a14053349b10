import { dismissDialog, waitForDialog } from '@jupyterlab/testutils';
import { act, fireEvent, render, screen } from '@testing-library/react';
import { nullTranslator } from '@jupyterlab/translation';
import * as React from 'react';

import { isDidProduced, isDidUsed } from '../../provenance/records';
import { EscapeRequestError } from '../../request';
import { ILakeInput, IOutputsToLake, IOutputsUploadJob } from '../api';
import { cellRequest, submitCell } from '../cellPlugin';
import {
  confirmLakeConsent,
  consentParts,
  isLakeConsentRefusal,
  lakeSummary,
  LakeInputsView
} from '../components/LakeInputs';
import {
  IUploadOptions,
  OutputsToLakeForm,
  OutputsToLakeModel
} from '../components/OutputsToLake';
import {
  addLakeOption,
  isReanaMagic,
  lakeCell,
  lakeParams,
  lakeTarget,
  paramName
} from '../lakeInput';
import { lakeInputsUsed, outputsProduced } from '../lakeProvenance';
import { fakeApi } from './fakeApi';

const trans = nullTranslator.load('jupyterlab_escape');
const ID = '0b8c3a7e-1d2f-4c5b-9a6e-7f8d9c0b1a2e';

const streamed: ILakeInput & { instance: string } = {
  param: 'sample',
  did: 'escape_opendata:crab.nebula.sample',
  type: 'dataset',
  bytes: 85000,
  files: 2,
  bytes_complete: true,
  mode: 'stream',
  why: "85.0 kB in 2 files, limit 268 MB: this server streams it into the workflow's inputs at lake/escape_opendata/crab.nebula.sample (checksums verified, no copy in your workspace).",
  path: 'lake/escape_opendata/crab.nebula.sample',
  error: null,
  instance: 'testbed',
  file_list: [
    {
      did: 'escape_opendata:crab_nebula_sample.000.fits',
      bytes: 40000,
      adler32: '0a1b2c3d',
      md5: '0123456789abcdef0123456789abcdef',
      path: 'lake/escape_opendata/crab.nebula.sample/crab_nebula_sample.000.fits'
    },
    {
      did: 'escape_opendata:crab_nebula_sample.001.fits',
      bytes: 45000,
      adler32: '1a1b2c3d',
      md5: 'f123456789abcdef0123456789abcdef',
      path: 'lake/escape_opendata/crab.nebula.sample/crab_nebula_sample.001.fits'
    }
  ]
};
const large: ILakeInput & { instance: string } = {
  ...streamed,
  param: 'dl2',
  did: 'escape_opendata:lst1.crab.2020.dl2',
  bytes: 268435456,
  bytes_complete: false,
  mode: 'lake',
  why: 'more than 268.4 MB, over the 268.4 MB this server streams: the workflow reads it from the lake itself.',
  path: null,
  file_list: []
};

describe('the %%reana -l option from "Use as workflow input"', () => {
  it('derives a parameter name from the DID, never one already used', () => {
    expect(paramName('escape_opendata:crab.nebula.sample')).toBe(
      'crab_nebula_sample'
    );
    expect(paramName('escape_lofar:/lofar/lta/2024/L645678/SAP000')).toBe(
      'sap000'
    );
    expect(paramName('s:2024-run.h5')).toBe('data_2024_run');
    expect(paramName('s:x.root', ['x', 'x_2'])).toBe('x_3');
  });

  it('extends the %%reana line, quoting what the shell would split', () => {
    const cell = '%%reana -n fit -l events=s:a\nversion: 0.9.0\n';
    expect(lakeParams(cell.split('\n')[0])).toEqual(['events']);
    const added = addLakeOption(cell, 'escape_opendata:events.root');
    expect(added.param).toBe('events_2');
    expect(added.source.split('\n')[0]).toBe(
      '%%reana -n fit -l events=s:a -l events_2=escape_opendata:events.root'
    );
    expect(added.source.split('\n').slice(1)).toEqual(['version: 0.9.0', '']);
    const odd = addLakeOption('%%reana\nv: 1', "s:it's here");
    expect(odd.source.split('\n')[0]).toBe(
      "%%reana -l 'it_s_here=s:it'\\''s here'"
    );
  });

  it("uses an empty code cell (a new notebook's first) instead of leaving it above", () => {
    expect(lakeTarget({ type: 'code', source: '' })).toBe('fill');
    expect(lakeTarget({ type: 'code', source: '  \n' })).toBe('fill');
    expect(lakeTarget({ type: 'code', source: '%%reana\nv: 1' })).toBe(
      'extend'
    );
    expect(lakeTarget({ type: 'code', source: 'x = 1' })).toBe('below');
    expect(lakeTarget({ type: 'markdown', source: '' })).toBe('below');
    expect(lakeTarget(null)).toBe('below');
  });

  it('makes a new %%reana cell with the DID as its input and a step that reads it', () => {
    const cell = lakeCell('escape_opendata:crab.nebula.sample', trans);
    expect(isReanaMagic(cell)).toBe(true);
    expect(cell.split('\n')[0]).toBe(
      '%%reana -n crab-nebula-sample-analysis -l crab_nebula_sample=escape_opendata:crab.nebula.sample'
    );
    expect(cell).toContain('${crab_nebula_sample}');
    expect(cell).toContain('- results/summary.txt');
    // Its explanation wraps: no comment line runs off a notebook's right edge (s3 §18).
    const comments = cell.split('\n').filter(l => l.trim().startsWith('#'));
    expect(comments.join(' ')).toContain(
      'rucio download ${crab_nebula_sample}'
    );
    expect(Math.max(...comments.map(l => l.length))).toBeLessThanOrEqual(90);
    expect(isReanaMagic('%%reanax\n')).toBe(false);
  });
});

describe('consent', () => {
  it('is sent only when the dialog said yes, never from the cell', () => {
    expect(cellRequest('%%reana\nv: 1', 'a/n.ipynb', 'k1234567')).toEqual({
      cell: '%%reana\nv: 1',
      base: 'a',
      idempotency_key: 'k1234567'
    });
    expect(
      cellRequest('%%reana', 'n.ipynb', 'k1234567', false, true).lake_consent
    ).toBe(true);
    const refusal = new EscapeRequestError(
      400,
      'reana_lake_consent',
      'dl2 (escape_opendata:lst1.crab.2020.dl2) is too large to stream'
    );
    expect(isLakeConsentRefusal(refusal)).toBe(true);
    expect(isLakeConsentRefusal(new Error('x'))).toBe(false);
  });

  it('keeps each input mode in the cell output data', async () => {
    const api = fakeApi({
      submit: async function* () {
        yield { stage: 'validated', lake: [streamed, large] } as any;
        yield {
          stage: 'started',
          workflow_id: ID,
          workflow_name: 'fit.1',
          run_number: '1',
          status: 'queued'
        };
      }
    });
    const data = await submitCell('%%reana\nv: 1', 'n.ipynb', {
      api,
      lakeConsent: true
    });
    expect((api.submit as jest.Mock).mock.calls[0][0].lake_consent).toBe(true);
    expect(data.lake?.map(i => [i.param, i.mode])).toEqual([
      ['sample', 'stream'],
      ['dl2', 'lake']
    ]);
    expect(JSON.stringify(data.lake)).not.toContain('file_list');
  });
});

// The server's sentence, as jupyterlab_escape/workflows/prepare.py consent_needed writes it.
const CONSENT =
  'dl2 (escape_opendata:lst1.crab.2020.dl2) is too large to stream: the workflow must read it ' +
  'from the lake at https://rucio.example.org with your Rucio identity, set as REANA secrets ' +
  '(RUCIO_AUTH_HOST, RUCIO_CFG_CLIENT_ACCOUNT, RUCIO_CFG_CLIENT_AUTH_HOST, ' +
  'RUCIO_CFG_CLIENT_AUTH_TYPE, RUCIO_CFG_CLIENT_PASSWORD, RUCIO_CFG_CLIENT_RUCIO_HOST, ' +
  'RUCIO_CFG_CLIENT_USERNAME, RUCIO_RUCIO_HOST, RUCIO_USERNAME, VONAME; existing ones with ' +
  'these names are replaced). Agree to that (lake_consent) to submit.';

describe('the consent dialog', () => {
  afterEach(async () => {
    await dismissDialog();
  });

  it('focuses Cancel: Enter never hands the Rucio identity to REANA', async () => {
    const answer = confirmLakeConsent(trans, CONSENT);
    await waitForDialog();
    const node = document.querySelector('.jp-Dialog') as HTMLElement;
    const focused = document.activeElement as HTMLElement;
    expect(focused.tagName).toBe('BUTTON');
    expect(focused.textContent).toBe('Cancel');
    // Enter on the dialog takes its default button.
    act(() => {
      node.dispatchEvent(
        new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })
      );
    });
    await expect(answer).resolves.toBe(false);
  });

  it('lists the secrets grouped, without the API field name', async () => {
    const answer = confirmLakeConsent(trans, CONSENT);
    await waitForDialog();
    const node = document.querySelector('.jp-Dialog') as HTMLElement;
    expect(node.textContent).not.toContain('lake_consent');
    expect(node.textContent).toContain(
      'is too large to stream: the workflow must read it from the lake at https://rucio.example.org with your Rucio identity.'
    );
    const list = node.querySelector(
      '[aria-label="Secrets set in REANA"]'
    ) as HTMLElement;
    const groups = Array.from(list.children).map(li => [
      li.querySelector('.jp-escape-Workflows-LakeConsent-group')!.textContent,
      Array.from(li.querySelectorAll('code')).map(c => c.textContent)
    ]);
    expect(groups).toEqual([
      [
        'Your sign-in (password or token)',
        ['RUCIO_CFG_CLIENT_PASSWORD', 'RUCIO_CFG_CLIENT_USERNAME']
      ],
      [
        'Your Rucio account',
        [
          'RUCIO_CFG_CLIENT_ACCOUNT',
          'RUCIO_CFG_CLIENT_AUTH_TYPE',
          'RUCIO_USERNAME',
          'VONAME'
        ]
      ],
      [
        'Where the Data Lake is',
        [
          'RUCIO_AUTH_HOST',
          'RUCIO_CFG_CLIENT_AUTH_HOST',
          'RUCIO_CFG_CLIENT_RUCIO_HOST',
          'RUCIO_RUCIO_HOST'
        ]
      ]
    ]);
    act(() => {
      (
        Array.from(node.querySelectorAll('button')).find(
          b => b.textContent === 'Set secrets and submit'
        ) as HTMLButtonElement
      ).click();
    });
    await expect(answer).resolves.toBe(true);
  });

  it('shows a sentence it does not know as written, and an OIDC token file as a sign-in', () => {
    expect(consentParts('Something else entirely.')).toBeNull();
    expect(
      consentParts(
        'x is too large to stream: the workflow must read it from the lake at h with your Rucio identity, set as REANA secrets (rucio-oidc-token, RUCIO_CFG_CLIENT_AUTH_TOKEN_FILE_PATH; existing ones with these names are replaced).'
      )?.secrets
    ).toEqual(['rucio-oidc-token', 'RUCIO_CFG_CLIENT_AUTH_TOKEN_FILE_PATH']);
  });
});

describe('the mode display', () => {
  it("shows each DID, its mode and the server's reason", () => {
    render(
      <LakeInputsView inputs={lakeSummary([streamed, large])} trans={trans} />
    );
    const group = screen.getByRole('group', { name: 'Data Lake inputs' });
    expect(group.textContent).toContain('streamed into the inputs');
    expect(group.textContent).toContain('read by the workflow from the lake');
    expect(group.textContent).toContain('over 268 MB');
    expect(screen.getByText(streamed.why)).toBeTruthy();
  });

  it('shows nothing for a run without Data Lake inputs, and bounds hostile data', () => {
    const { container } = render(
      <LakeInputsView inputs={lakeSummary(undefined)} trans={trans} />
    );
    expect(container.textContent).toBe('');
    const hostile = lakeSummary([
      { param: 'x'.repeat(500), why: 7, mode: 'evil' }
    ]);
    expect(hostile[0].param).toHaveLength(64);
    expect(hostile[0].mode).toBe('stream');
    expect(hostile[0].why).toBe('7');
  });
});

describe('provenance facts', () => {
  it('records the inputs a run was given, streamed files with their checksums', () => {
    const { dids_used } = lakeInputsUsed([streamed, large]);
    expect(dids_used).toHaveLength(4);
    expect(dids_used!.every(isDidUsed)).toBe(true);
    expect(dids_used![1]).toMatchObject({
      scope: 'escape_opendata',
      name: 'crab_nebula_sample.000.fits',
      adler32: '0a1b2c3d',
      mode: 'workflow_stream'
    });
    expect(dids_used![3]).toMatchObject({
      name: 'lst1.crab.2020.dl2',
      bytes: null,
      mode: 'workflow_rucio'
    });
  });

  it('records the outputs an upload registered, linked to the run', () => {
    const job = {
      id: 'a1b2c3d4e5f6',
      instance: 'testbed',
      scope: 'user.jdoe',
      rse: 'ESCAPE_USERDISK',
      dataset: 'user.jdoe:fit.1.outputs',
      rules: ['0123456789abcdef0123456789abcdef'],
      files: [
        {
          did: 'user.jdoe:fit.1.outputs.results.fit.json',
          bytes: 70,
          adler32: '9ad91403',
          md5: 'aa23456789abcdef0123456789abcdef',
          guid: '0123456789abcdef0123456789abcdef',
          state: 'registered'
        },
        { did: 'user.jdoe:bad', state: 'failed' }
      ]
    } as unknown as IOutputsUploadJob;
    const { dids_produced } = outputsProduced(job, ID);
    expect(dids_produced!.map(d => d.name)).toEqual([
      'fit.1.outputs.results.fit.json',
      'fit.1.outputs'
    ]);
    expect(dids_produced!.every(isDidProduced)).toBe(true);
    expect(dids_produced![0]).toMatchObject({ workflow: ID, job: job.id });
  });
});

describe('Upload outputs to the Data Lake', () => {
  const proposal: IOutputsToLake = {
    workflow: {
      id: ID,
      name: 'fit',
      run_number: '1',
      full_name: 'fit.1',
      status: 'finished'
    },
    reana_server: 'https://reana.example.org',
    dataset: 'fit.1.outputs',
    meta: {
      campaign: 'fit.1',
      stream_name: ID,
      prod_step: 'reana@reana.example.org'
    },
    outputs: ['results/fit.json', 'plots']
  };
  const options = {
    account: 'jdoe',
    scopes: ['user.jdoe', 'escape_opendata'],
    default_scope: 'user.jdoe',
    other_scopes: [],
    rses: [
      {
        rse: 'ESCAPE_USERDISK',
        writable: true,
        why_not: null,
        limit: 1e9,
        unlimited: false,
        used: 0,
        remaining: 1e9,
        scheme: 'https'
      },
      {
        rse: 'ESCAPE_DATADISK',
        writable: false,
        why_not: 'jdoe may not write there',
        limit: null,
        unlimited: false,
        used: 0,
        remaining: null,
        scheme: 'https'
      }
    ],
    default_rse: 'ESCAPE_USERDISK',
    meta_keys: [],
    meta_conventions: [],
    name_rule: { pattern: '', max_length: 250, text: 'Rucio names: letters…' },
    readback_max: 1
  } as IUploadOptions;

  function model() {
    const api = fakeApi({
      outputsToLake: async () => proposal,
      uploadOutputsToLake: async () => ({ id: 'job1' }) as IOutputsUploadJob
    });
    const lake = {
      options: jest.fn(async () => options),
      job: jest.fn()
    };
    return { api, m: new OutputsToLakeModel(ID, api, lake) };
  }

  it('proposes the dataset from the run, the user scope and a writable RSE', async () => {
    const { api, m } = model();
    await m.load();
    expect([m.dataset, m.scope, m.rse]).toEqual([
      'fit.1.outputs',
      'user.jdoe',
      'ESCAPE_USERDISK'
    ]);
    expect(m.problem).toBeNull();
    await m.start();
    await m.start();
    const calls = (api.uploadOutputsToLake as jest.Mock).mock.calls;
    expect(calls[0][0]).toBe(ID);
    expect(calls[0][1]).toMatchObject({
      scope: 'user.jdoe',
      rse: 'ESCAPE_USERDISK',
      dataset: 'fit.1.outputs'
    });
    // A double click: one idempotency key, one job on the server.
    expect(calls[1][1].idempotency_key).toBe(calls[0][1].idempotency_key);
  });

  it('edits the name, says the rule for a bad one, and shows the metadata', async () => {
    const { m } = model();
    await m.load();
    render(<OutputsToLakeForm model={m} trans={trans} />);
    const input = screen.getByDisplayValue('fit.1.outputs');
    act(() => {
      fireEvent.change(input, { target: { value: '../x' } });
    });
    expect(m.problem).toBe('name');
    expect(screen.getByRole('alert').textContent).toBe('Rucio names: letters…');
    expect(screen.getByText('reana@reana.example.org')).toBeTruthy();
    expect(screen.getByText('results/fit.json')).toBeTruthy();
    // Each RSE in full, worded as the upload dialog words it; one that cannot be written says why.
    const datadisk = screen.getByRole('option', {
      name: 'ESCAPE_DATADISK — jdoe may not write there'
    });
    expect((datadisk as HTMLOptionElement).disabled).toBe(true);
    expect(
      screen.getByRole('option', {
        name: 'ESCAPE_USERDISK — 1.00 GB free of 1.00 GB'
      })
    ).toBeTruthy();
    // Each select on its own line, the whole width of the form (s3 §11: not clipped).
    const selects = [...document.querySelectorAll('select')];
    expect(selects).toHaveLength(2);
    expect(
      selects.every(
        select =>
          select.parentElement!.parentElement ===
          document.querySelector('.jp-escape-Workflows-ToLake')
      )
    ).toBe(true);
    act(() => {
      fireEvent.change(input, { target: { value: 'my-results' } });
    });
    expect(m.problem).toBeNull();
  });

  it("proposes the signed-in account's own scope and names the account", async () => {
    const api = fakeApi({ outputsToLake: async () => proposal });
    const asRoot = {
      ...options,
      account: 'root',
      scopes: ['root', 'escape_opendata'],
      default_scope: 'root',
      other_scopes: ['user.jdoe']
    } as IUploadOptions;
    const m = new OutputsToLakeModel(ID, api, {
      options: async () => asRoot,
      job: jest.fn()
    });
    await m.load();
    expect(m.scope).toBe('root');
    render(<OutputsToLakeForm model={m} trans={trans} />);
    expect(screen.getByText('Scope (as account root)')).toBeTruthy();
    expect(screen.queryByRole('option', { name: 'user.jdoe' })).toBeNull();
  });

  it("shows the server's refusal as written", async () => {
    const api = fakeApi({
      outputsToLake: async () => {
        throw new EscapeRequestError(
          409,
          'reana_not_finished',
          'fit.1 is running: only the outputs of a finished run go to the Data Lake.'
        );
      }
    });
    const m = new OutputsToLakeModel(ID, api, {
      options: async () => options,
      job: jest.fn()
    });
    await m.load();
    render(<OutputsToLakeForm model={m} trans={trans} />);
    expect(
      screen.getByText(
        'fit.1 is running: only the outputs of a finished run go to the Data Lake.'
      )
    ).toBeTruthy();
    expect(m.problem).toBe('loading');
  });
});
