/**
 * Provenance and the RO-Crate (#18) against the real Rucio testbed and the REANA and Zenodo
 * stand-ins: a notebook records a Data Lake file it used, a REANA run (recorded while it ran),
 * the run's outputs uploaded to the lake and an OSSR record it cites. The notebook toolbar's
 * "Provenance" opens the chain; the run is updated from REANA; a DID opens in the Data Lake
 * panel; the crate is exported beside the notebook (every DID and checksum in it) and offered to
 * the publish flow, which opens on the crate folder with codemeta generated from the crate.
 *
 * The records are the ones the frontend writes from server answers (the same routes); they are
 * put into the notebook through the contents API so the journey does not depend on the other
 * slices' dialogs (their own journeys cover them).
 */
import { expect, galata, test } from '@jupyterlab/galata';
import { APIRequestContext } from '@playwright/test';
import * as path from 'path';
import { darkScreenshot } from './journeys';
import { readableFolder } from './readable';

const REANA = process.env.ESCAPE_REANA_URL;
const ZENODO = process.env.ESCAPE_ZENODO_URL;
const SHOTS = process.env.ESCAPE_SCREENSHOTS;
const EXAMPLE = path.resolve(__dirname, '../../testbed/reana/example');
const DATASET = 'cta.prod5.south.gamma.run0001.dl1';
const SCOPE = 'escape_opendata';
const RSE = 'ESCAPE_USERDISK';

async function json(request: APIRequestContext, url: string): Promise<any> {
  const response = await request.get(url);
  expect(response.ok(), `${url}: ${response.status()}`).toBe(true);
  return response.json();
}

async function until<T>(
  what: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 60_000
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await what();
    if (done(value) || Date.now() > end) {
      return value;
    }
    await new Promise(resolve => setTimeout(resolve, 500));
  }
}

test.describe('Provenance and the RO-Crate', () => {
  test.skip(!REANA || !ZENODO, 'needs the REANA and Zenodo stand-ins');
  test.use({
    viewport: { width: 1440, height: 900 },
    // Readable names in the pictures: the folder and the workflow (s3 §8).
    tmpPath: readableFolder('crab-analysis') as any
  });

  test('record, view, update a run, export the crate, offer it to the OSSR', async ({
    page,
    request,
    tmpPath
  }) => {
    test.setTimeout(240_000);
    const stamp = Date.now().toString(36);

    // A Data Lake file the notebook used (the testbed's, with Rucio's checksums).
    const listing = await request.get(
      `/escape/datalake/content?did=escape_cta:${DATASET}&limit=1`
    );
    const file = JSON.parse((await listing.text()).trim().split('\n')[0]);
    expect(file.adler32).toMatch(/^[0-9a-f]{8}$/);

    // A REANA run of the example analysis, recorded as the server describes it.
    await page.contents.uploadDirectory(EXAMPLE, `${tmpPath}/analysis`);
    const name = 'crab-fit';
    const submitted = await request.post('/escape/workflows/submit', {
      data: {
        path: `${tmpPath}/analysis/reana.yaml`,
        name,
        idempotency_key: `prov-${stamp}`
      }
    });
    expect(submitted.ok()).toBe(true);
    const lines = (await submitted.text()).trim().split('\n');
    const started = JSON.parse(lines[lines.length - 1]);
    const run = started.workflow_id as string;
    // REANA numbers the runs of a name (the stand-in keeps earlier ones): crab-fit.4.
    const full = `${name}.${started.run_number}`;
    expect(full).toMatch(/^crab-fit\.\d+$/);
    expect(run).toMatch(/^[0-9a-f-]{36}$/);
    const record = await json(request, `/escape/provenance/workflows/${run}`);
    expect(record.spec_sha256).toMatch(/^[0-9a-f]{64}$/);
    const finished = await until(
      () => json(request, `/escape/workflows/workflows/${run}`),
      w => w.status === 'finished'
    );
    expect(finished.status).toBe('finished');

    // Its outputs into the workspace, then into the lake as a new dataset (the upload job).
    const outputs = await request.post(
      `/escape/workflows/workflows/${run}/outputs`,
      { data: {} }
    );
    expect(outputs.ok()).toBe(true);
    const downloaded = (await outputs.json()).files as string[];
    // Named as "Upload outputs to the Data Lake" proposes (<name>.<run>.outputs); a name the
    // lake already holds (the stand-in restarted and numbers runs anew) gets this run's time.
    const taken = await request.get(
      `/escape/datalake/details?did=${SCOPE}:${full}.outputs`
    );
    const datasetName = taken.ok()
      ? `${full}.outputs-${stamp}`
      : `${full}.outputs`;
    const dataset = `${SCOPE}:${datasetName}`;
    const upload = await request.post('/escape/datalake/upload', {
      data: {
        paths: downloaded,
        scope: SCOPE,
        rse: RSE,
        dataset: datasetName,
        dataset_new: true,
        names: Object.fromEntries(
          downloaded.map(p => [p, `${datasetName}.${p.split('/').pop()}`])
        )
      }
    });
    expect(upload.status(), await upload.text()).toBe(202);
    const jobId = (await upload.json()).id as string;
    const job = await until(
      () => json(request, `/escape/datalake/jobs/${jobId}`),
      j => ['done', 'failed', 'cancelled'].includes(j.state),
      90_000
    );
    expect(job.state, job.message).toBe('done');
    const produced = [
      ...job.files.map((f: any) => ({
        instance: job.instance,
        scope: f.scope,
        name: f.name,
        type: 'file',
        bytes: f.bytes,
        adler32: f.adler32,
        md5: f.md5,
        rse: f.rse,
        path: f.path,
        job: job.id,
        dataset,
        workflow: run
      })),
      {
        instance: job.instance,
        scope: SCOPE,
        name: datasetName,
        type: 'dataset',
        bytes: null,
        adler32: null,
        md5: null,
        rse: RSE,
        job: job.id,
        workflow: run
      }
    ];

    // An OSSR record it cites (the Zenodo stand-in's catalogue).
    const hits = await json(request, '/escape/catalogue/search?size=1');
    const cited = hits.hits[0];

    // The notebook, saved through the contents API (signed: it opens trusted). The run is
    // recorded as it was when launched: running.
    const notebookPath = `${tmpPath}/analysis/analysis.ipynb`;
    const notebook = {
      cells: [
        {
          id: 'analysis',
          cell_type: 'code',
          source: `%%reana -n ${name}\n# the run of analysis/reana.yaml`,
          metadata: {},
          outputs: [],
          execution_count: null
        }
      ],
      metadata: {
        kernelspec: {
          name: 'python3',
          display_name: 'Python 3',
          language: 'python'
        },
        escape: {
          provenance: {
            version: 1,
            dids_used: [
              {
                instance: job.instance,
                scope: 'escape_cta',
                name: file.name,
                type: 'file',
                bytes: file.bytes ?? null,
                adler32: file.adler32 ?? null,
                md5: file.md5 ?? null,
                path: `datalake/escape_cta/${file.name}`,
                mode: 'download'
              }
            ],
            workflows: [
              {
                ...record,
                status: 'running',
                finished: null,
                spec_path: `${tmpPath}/analysis/reana.yaml`,
                inputs: [`escape_cta:${file.name}`]
              }
            ],
            dids_produced: produced,
            software: [
              {
                record_id: String(cited.id),
                doi: cited.doi ?? null,
                version: cited.version ?? null,
                title: cited.title,
                action: 'cited'
              }
            ]
          }
        }
      },
      nbformat: 4,
      nbformat_minor: 5
    };
    const put = await request.put(`/api/contents/${notebookPath}`, {
      data: { type: 'notebook', format: 'json', content: notebook }
    });
    expect(put.ok()).toBe(true);
    await page.filebrowser.openDirectory(`${tmpPath}/analysis`);
    await page.filebrowser.open('analysis.ipynb');

    // The toolbar button opens the view; the run is asked about and shows how it ended.
    await page
      .locator(
        '.jp-NotebookPanel-toolbar [data-jp-item-name="escape-provenance"]'
      )
      .click();
    const view = page.locator('.jp-escape-Provenance');
    await expect(view.getByRole('note')).toContainText(
      'Whoever edited this notebook could have written it'
    );
    const runs = view.getByRole('region', { name: 'Workflows (REANA)' });
    await expect(runs.getByText(full, { exact: true })).toBeVisible();
    await expect(runs.getByText('finished', { exact: true })).toBeVisible({
      timeout: 20_000
    });
    const inputs = view.getByRole('region', { name: 'Inputs (Data Lake)' });
    await expect(inputs.getByText(file.adler32)).toBeVisible();
    const outputsColumn = view.getByRole('region', {
      name: 'Outputs (Data Lake)'
    });
    await expect(
      outputsColumn.getByText(dataset, { exact: true })
    ).toBeVisible();
    // The column counts the DIDs: the dataset, its uploaded files folded under it (s3 §11).
    await expect(
      outputsColumn.locator('.jp-escape-Provenance-count')
    ).toHaveText('1');
    await expect(
      outputsColumn.locator('details > summary', {
        hasText: `${job.files.length} file`
      })
    ).toBeVisible();
    await expect(
      view
        .getByRole('region', { name: 'Software (OSSR)' })
        .getByText(cited.title)
    ).toBeVisible();
    const widget = page.locator('.jp-MainAreaWidget').filter({ has: view });
    // The Data Lake panel's own offer (the used file is not fetched here): out of the way.
    const offer = page.locator('.Toastify__toast', {
      hasText: 'not in the workspace'
    });
    await expect(offer).toBeVisible();
    await offer.getByRole('button', { name: /close|hide|dismiss/i }).click();
    await expect(offer).toBeHidden();
    if (SHOTS) {
      await page.screenshot({ path: `${SHOTS}/provenance.png` });
    }

    // A DID opens in the Data Lake panel.
    await inputs
      .getByRole('button', { name: `escape_cta:${file.name}` })
      .click();
    await expect(page.locator('#escape-datalake')).toBeVisible();
    await expect(
      page.locator('#escape-datalake').getByText(file.name).first()
    ).toBeVisible();

    // Export: the crate beside the notebook, every DID and checksum in it.
    await page
      .locator('.lm-TabBar-tab', { hasText: 'Provenance: analysis.ipynb' })
      .click();
    await view.getByPlaceholder('CC-BY-4.0').fill('CC-BY-4.0');
    const exported = page.waitForResponse(r =>
      r.url().includes('/escape/provenance/export')
    );
    await view.getByRole('button', { name: 'Export RO-Crate' }).click();
    const answer = await (await exported).json();
    expect(answer.profiles).toContain('https://w3id.org/ro/wfrun/workflow/0.5');
    expect(answer.workflow_specs[run].source).toBe('reana');
    expect(answer.workflow_specs[run].digest_matches).toBe(true);
    await expect(view.getByRole('status')).toContainText(
      `${tmpPath}/analysis/analysis-ro-crate.zip`
    );
    const contents = galata.newContentsHelper(request);
    expect(await contents.fileExists(answer.zip)).toBe(true);
    const crate = await json(
      request,
      `/api/contents/${answer.metadata}?content=1&format=text`
    );
    const text = crate.content as string;
    for (const did of [
      ...notebook.metadata.escape.provenance.dids_used,
      ...produced
    ]) {
      expect(text).toContain(`${did.scope}:${did.name}`);
      for (const sum of [did.adler32, did.md5]) {
        if (sum) {
          expect(text).toContain(sum);
        }
      }
    }
    if (SHOTS) {
      await widget.screenshot({ path: `${SHOTS}/provenance-export.png` });
      await darkScreenshot(page, `${SHOTS}/provenance-dark.png`);
    }

    // Publish to the OSSR: the publish flow on the crate folder, codemeta from the crate.
    await view.getByRole('button', { name: 'Publish to the OSSR…' }).click();
    const publish = page.locator('.jp-escape-Publish');
    await expect(
      publish.getByRole('heading', { name: 'Publish to the OSSR' })
    ).toBeVisible();
    await expect(publish.locator('[data-field="name"] input')).toHaveValue(
      'Provenance of analysis.ipynb'
    );
    await expect(
      publish.getByText('ro-crate-metadata.json').first()
    ).toBeVisible();
    if (SHOTS) {
      await page.screenshot({ path: `${SHOTS}/provenance-publish.png` });
    }
  });
});
