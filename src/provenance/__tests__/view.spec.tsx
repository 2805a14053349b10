/**
 * The Provenance view: the chain from the notebook's metadata as text, links into the panels,
 * the untrusted-metadata notice, running runs updated from the server, the export and
 * "Publish to the OSSR…" with the crate folder.
 */
import { NotebookModel } from '@jupyterlab/notebook';
import { nullTranslator } from '@jupyterlab/translation';
import { act, fireEvent, render, screen } from '@testing-library/react';
import * as React from 'react';

import { formatBytes } from '../../common/format';
import { IProvenanceApi, IProvenanceExport } from '../api';
import {
  IProvenanceActions,
  ProvenanceView
} from '../components/ProvenanceView';
import { ProvenanceModel, recordLaunchedRun } from '../model';
import { provenanceOf, recordProvenance } from '../records';
import { didUsed, produced, software, workflow } from './fixtures';

const trans = nullTranslator.load('jupyterlab_escape');

function notebook(trusted = true): NotebookModel {
  const model = new NotebookModel();
  model.sharedModel.insertCells(0, [{ cell_type: 'code', source: 'x = 1' }]);
  model.cells.get(0).trusted = trusted;
  return model;
}

const EXPORTED: IProvenanceExport = {
  notebook: 'analysis/nb.ipynb',
  folder: 'analysis/nb-ro-crate',
  metadata: 'analysis/nb-ro-crate/ro-crate-metadata.json',
  zip: 'analysis/nb-ro-crate.zip',
  profiles: ['https://w3id.org/ro/wfrun/workflow/0.5'],
  counts: { dids_used: 1, workflows: 1, dids_produced: 1, software: 1 },
  workflow_specs: {},
  refused: ['software: 1 malformed entries left out.'],
  warnings: []
};

function fakeApi(): jest.Mocked<IProvenanceApi> {
  return {
    workflowRecord: jest.fn(async id =>
      workflow({ id, status: 'finished', finished: '2026-11-26T03:05:00Z' })
    ),
    exportCrate: jest.fn(
      async (_path: string, _license?: string | null) => EXPORTED
    )
  };
}

function actions(): jest.Mocked<IProvenanceActions> {
  return {
    openDid: jest.fn(),
    openWorkflow: jest.fn(),
    openRecord: jest.fn(),
    openFile: jest.fn(),
    publish: jest.fn()
  };
}

function setup(nb = notebook(), api = fakeApi()) {
  const save = jest.fn(async () => undefined);
  const model = new ProvenanceModel(
    { path: () => 'analysis/nb.ipynb', model: nb, save, dirty: () => true },
    api
  );
  const acts = actions();
  render(<ProvenanceView model={model} actions={acts} trans={trans} />);
  return { model, api, acts, save, nb };
}

describe('ProvenanceView', () => {
  it('shows the chain as text, with links into the panels', () => {
    const nb = notebook();
    recordProvenance(nb, {
      dids_used: [didUsed()],
      workflows: [workflow({ status: 'finished' })],
      dids_produced: [produced()],
      software: [software({ title: '<img src=x onerror=alert(1)>' })]
    });
    const { acts } = setup(nb);
    expect(screen.getByRole('note').textContent).toMatch(
      /Whoever edited this notebook could have written it/
    );
    fireEvent.click(
      screen.getByTitle('Show escape_cta:gamma_1.h5 in the Data Lake panel')
    );
    expect(acts.openDid).toHaveBeenCalledWith(
      'escape_cta:gamma_1.h5',
      'escape'
    );
    expect(screen.getByText('0a1b2c3d')).toBeTruthy();
    fireEvent.click(screen.getByText('analysis.3'));
    expect(acts.openWorkflow).toHaveBeenCalledWith(workflow().id);
    expect(screen.getByText('events=1000')).toBeTruthy();
    fireEvent.click(screen.getByText('<img src=x onerror=alert(1)>'));
    expect(acts.openRecord).toHaveBeenCalledWith('1234567');
    expect(document.querySelector('img')).toBeNull();
    expect(screen.getByText('in escape_opendata:analysis.3')).toBeTruthy();
  });

  it('shows sizes as the rest of the suite does (SI units, one formatter)', () => {
    const nb = notebook();
    recordProvenance(nb, {
      dids_used: [didUsed({ bytes: 1_750_000 })],
      dids_produced: [produced({ bytes: 2048 })]
    });
    setup(nb);
    const text = document.body.textContent!;
    // what the Data Lake panel and the workflow's inputs say of the same dataset
    expect(formatBytes(1_750_000)).toBe('1.75 MB');
    expect(text).toContain('1.75 MB');
    expect(text).toContain('2.05 kB');
    expect(text).not.toMatch(/KiB|MiB/);
  });

  it('counts the DIDs given: a dataset streamed into a run has its files under it, collapsed', () => {
    const nb = notebook();
    const sample = 'lake/escape_opendata/crab.nebula.sample';
    const files = Array.from({ length: 20 }, (_, i) =>
      didUsed({
        scope: 'escape_opendata',
        name: `crab_nebula_sample.${String(i).padStart(3, '0')}.fits`,
        path: `${sample}/crab_nebula_sample.${String(i).padStart(3, '0')}.fits`,
        mode: 'workflow_stream'
      })
    );
    recordProvenance(nb, {
      dids_used: [
        didUsed({
          scope: 'escape_opendata',
          name: 'crab.nebula.sample',
          type: 'dataset',
          bytes: 1_750_000,
          adler32: null,
          md5: null,
          path: sample,
          mode: 'workflow_stream'
        }),
        ...files,
        // Another input beside it: a file fetched on its own stays at the top.
        didUsed()
      ],
      dids_produced: [
        produced({
          name: 'analysis.3',
          type: 'dataset',
          adler32: null,
          md5: null,
          dataset: null
        }),
        produced()
      ]
    });
    setup(nb);
    const inputs = screen.getByRole('region', { name: 'Inputs (Data Lake)' });
    expect(
      inputs.querySelector('.jp-escape-Provenance-count')!.textContent
    ).toBe('2');
    const top = inputs.querySelectorAll(
      ':scope > ul > li > .jp-escape-Provenance-link'
    );
    expect([...top].map(b => b.textContent)).toEqual([
      'escape_opendata:crab.nebula.sample',
      'escape_cta:gamma_1.h5'
    ]);
    const members = inputs.querySelector(
      'details.jp-escape-Provenance-members'
    ) as HTMLDetailsElement;
    expect(members.open).toBe(false);
    expect(members.querySelector('summary')!.textContent).toBe(
      '20 files in it'
    );
    expect(members.querySelectorAll('li')).toHaveLength(20);
    const outputs = screen.getByRole('region', {
      name: 'Outputs (Data Lake)'
    });
    expect(
      outputs.querySelector('.jp-escape-Provenance-count')!.textContent
    ).toBe('1');
    expect(outputs.querySelector('details summary')!.textContent).toBe(
      '1 file in it'
    );
  });

  it('says when the notebook is not trusted and records nothing into it', () => {
    const nb = notebook(false);
    setup(nb);
    expect(screen.getByRole('note').textContent).toMatch(/not trusted/);
    expect(screen.getByText('No DID used yet.')).toBeTruthy();
    expect(
      (screen.getByText('Export RO-Crate') as HTMLButtonElement).disabled
    ).toBe(true);
  });

  it('updates running workflows from the server', async () => {
    const nb = notebook();
    recordProvenance(nb, { workflows: [workflow({ status: 'running' })] });
    const { model, api } = setup(nb);
    expect(model.unfinished).toHaveLength(1);
    await act(() => model.refreshRuns());
    expect(api.workflowRecord).toHaveBeenCalledWith(workflow().id);
    const run = provenanceOf(nb).workflows[0];
    expect(run.status).toBe('finished');
    // What the notebook knew and the server does not: kept.
    expect(run.spec_path).toBe('analysis/reana.yaml');
    expect(run.inputs).toEqual(['escape_cta:gamma_1.h5']);
    expect(screen.getByText('finished')).toBeTruthy();
  });

  it('exports after saving, shows where and offers to publish the crate', async () => {
    const nb = notebook();
    recordProvenance(nb, { software: [software()] });
    const { api, acts, save } = setup(nb);
    fireEvent.change(screen.getByPlaceholderText('CC-BY-4.0'), {
      target: { value: 'javascript:alert(1)' }
    });
    expect(
      (screen.getByText('Export RO-Crate') as HTMLButtonElement).disabled
    ).toBe(true);
    fireEvent.change(screen.getByPlaceholderText('CC-BY-4.0'), {
      target: { value: 'MIT' }
    });
    await act(async () => {
      fireEvent.click(screen.getByText('Export RO-Crate'));
    });
    expect(save).toHaveBeenCalled();
    expect(api.exportCrate).toHaveBeenCalledWith('analysis/nb.ipynb', 'MIT');
    expect(screen.getByRole('status').textContent).toMatch(
      /analysis\/nb-ro-crate and analysis\/nb-ro-crate\.zip/
    );
    expect(
      screen.getByText('software: 1 malformed entries left out.')
    ).toBeTruthy();
    fireEvent.click(screen.getByText('Publish to the OSSR…'));
    expect(acts.publish).toHaveBeenCalledWith('analysis/nb-ro-crate');
    fireEvent.click(screen.getByText('Open ro-crate-metadata.json'));
    expect(acts.openFile).toHaveBeenCalledWith(EXPORTED.metadata);
  });

  it('asks REANA how running runs ended before exporting', async () => {
    const nb = notebook();
    recordProvenance(nb, { workflows: [workflow({ status: 'running' })] });
    const { api } = setup(nb);
    await act(async () => {
      fireEvent.click(screen.getByText('Export RO-Crate'));
    });
    expect(api.workflowRecord).toHaveBeenCalledWith(workflow().id);
    expect(provenanceOf(nb).workflows[0].status).toBe('finished');
    expect(api.exportCrate).toHaveBeenCalled();
  });

  it('shows the server refusal as written', async () => {
    const nb = notebook();
    recordProvenance(nb, { software: [software()] });
    const api = fakeApi();
    api.exportCrate.mockRejectedValue(
      new Error('The notebook is larger than 20 MiB.')
    );
    setup(nb, api);
    await act(async () => {
      fireEvent.click(screen.getByText('Export RO-Crate'));
    });
    expect(screen.getByRole('alert').textContent).toMatch(/larger than 20 MiB/);
  });
});

describe('recordLaunchedRun', () => {
  it('records the run as the server describes it, in trusted notebooks only', async () => {
    const api = fakeApi();
    const nb = notebook();
    expect(await recordLaunchedRun(nb, api, workflow().id)).toBe(1);
    expect(provenanceOf(nb).workflows[0]).toMatchObject({
      id: workflow().id,
      status: 'finished',
      spec_path: null,
      inputs: []
    });
    const untrusted = notebook(false);
    expect(await recordLaunchedRun(untrusted, api, workflow().id)).toBe(0);
    expect(untrusted.getMetadata('escape')).toBeUndefined();
    expect(api.workflowRecord).toHaveBeenCalledTimes(1);
  });
});
