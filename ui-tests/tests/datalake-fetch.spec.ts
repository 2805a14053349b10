import { expect, galata, test } from '@jupyterlab/galata';

import { darkScreenshot } from './journeys';
import { dismissToasts } from './toasts';
import { readableFolder } from './readable';

const SHOTS = process.env.ESCAPE_SCREENSHOTS;
const DATASET = 'cta.prod5.south.gamma.run0001.dl1';
const DATASET_PATH = `datalake/escape_cta/${DATASET}`;

test.describe('Data Lake fetch', () => {
  test.use({
    // One window size for the README's pictures, and a readable folder instead of Galata's
    // test-id one ('tests-…-root'), emptied before and removed after each test (review s3 §8).
    viewport: { width: 1440, height: 900 },
    tmpPath: readableFolder('gamma-analysis') as any
  });

  test('fetch a dataset, watch it finish, find its files and use them in a notebook', async ({
    page,
    request
  }) => {
    await page.sidebar.openTab('escape-datalake');
    const panel = page.locator('#escape-datalake');
    await panel
      .getByLabel('Data Lake query')
      .fill('escape_cta:cta.prod5.south.gamma.run0001*');
    await panel.getByLabel('Type').selectOption('dataset');
    await panel.getByLabel('Data Lake query').press('Enter');
    await panel
      .locator('.jp-escape-Datalake-row', { hasText: DATASET })
      .click();
    const details = panel.getByRole('region', {
      name: `Details of escape_cta:${DATASET}`
    });
    await expect(details.getByText('8 of 8 files · 1.44 MB')).toBeVisible();

    // "Fetch to…" shows where the files would land; cancelled here.
    await details.getByRole('button', { name: 'Fetch to…' }).click();
    const dialog = page.locator('.jp-Dialog');
    await dialog.getByLabel('Destination folder').fill('mine/cta');
    await expect(dialog).toContainText(
      `Lands in mine/cta/escape_cta/${DATASET}`
    );
    if (SHOTS) {
      await page.screenshot({ path: `${SHOTS}/datalake-fetch-dialog.png` });
    }
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    // Fetch: the server answers with the queued job, which the Fetches section follows.
    const started = page.waitForResponse(
      r =>
        r.url().includes('/escape/datalake/fetch') &&
        r.request().method() === 'POST'
    );
    await details.getByRole('button', { name: 'Fetch', exact: true }).click();
    expect((await started).status()).toBe(202);
    const fetches = panel.getByRole('region', { name: 'Fetches' });
    const job = fetches
      .getByRole('listitem', { name: `Fetch of ${DATASET}` })
      .first();
    await expect(job).toBeVisible();
    await expect(job.getByText('Done', { exact: true })).toBeVisible({
      timeout: 60_000
    });
    await expect(
      job.getByText(
        /^(8 of 8 files · 1\.44 MB \/ 1\.44 MB|All 8 files already there · 1\.44 MB, nothing transferred)/
      )
    ).toBeVisible();
    await expect(job.getByRole('progressbar')).toHaveAttribute(
      'aria-valuenow',
      '100'
    );
    // The details know where the dataset now is.
    await expect(details.getByText('In the workspace')).toBeVisible();
    await expect(details.getByText(DATASET_PATH)).toBeVisible();

    // Every file verified (or already there from an earlier run).
    if (SHOTS) {
      await panel.screenshot({ path: `${SHOTS}/datalake-fetch-details.png` });
    }
    await job.getByRole('button', { name: 'Files' }).click();
    const files = job.getByRole('list', { name: `Files of ${DATASET}` });
    await expect(files.getByRole('listitem')).toHaveCount(8);
    await expect(files.getByText(/^(verified|already there)$/)).toHaveCount(8);
    if (SHOTS) {
      await page.screenshot({ path: `${SHOTS}/datalake-fetch-done.png` });
      await panel.screenshot({ path: `${SHOTS}/datalake-fetch-panel.png` });
    }
    await job.getByRole('button', { name: 'Files' }).click();

    // Show in file browser: the dataset's folder with its eight files.
    await job.getByRole('button', { name: 'Show in file browser' }).click();
    const listing = page.locator('#filebrowser .jp-DirListing-content');
    await expect(page.locator('#filebrowser .jp-BreadCrumbs')).toContainText(
      DATASET
    );
    await expect(
      listing.locator('.jp-DirListing-item', { hasText: /\.dl1\.h5/ })
    ).toHaveCount(8);
    if (SHOTS) {
      await page.screenshot({
        path: `${SHOTS}/datalake-fetch-filebrowser.png`
      });
    }

    // A single file fetched and opened: the CSV catalogue lands in the CSV viewer.
    const csv = 'source-catalog_4FGL-DR4.v34.csv';
    await page.sidebar.openTab('escape-datalake');
    await panel.getByLabel('Data Lake query').fill(`escape_opendata:${csv}`);
    await panel.getByLabel('Type').selectOption('file');
    await panel.getByLabel('Data Lake query').press('Enter');
    await panel.locator('.jp-escape-Datalake-row', { hasText: csv }).click();
    const fileDetails = panel.getByRole('region', {
      name: `Details of escape_opendata:${csv}`
    });
    await fileDetails
      .getByRole('button', { name: 'Fetch', exact: true })
      .click();
    const csvJob = fetches
      .getByRole('listitem', { name: `Fetch of ${csv}` })
      .first();
    await expect(csvJob.getByText('Done', { exact: true })).toBeVisible({
      timeout: 60_000
    });
    await csvJob.getByRole('button', { name: 'Open', exact: true }).click();
    await expect(
      page.locator('.lm-TabBar-tab', { hasText: csv }).first()
    ).toBeVisible();
    await expect(page.locator('.jp-CSVViewer').first()).toBeVisible();
    if (SHOTS) {
      await page.screenshot({ path: `${SHOTS}/datalake-fetch-open.png` });
    }

    // A new Python notebook at the root of the workspace, then Insert into notebook.
    await page.sidebar.openTab('filebrowser');
    await page.filebrowser.openHomeDirectory();
    const name = `fetch-${Date.now()}.ipynb`;
    await page.notebook.createNew(name);
    await page.sidebar.openTab('escape-datalake');
    await job.getByRole('button', { name: 'Insert into notebook' }).click();
    const cell = page.locator('.jp-Notebook .jp-CodeCell').first();
    await expect(cell).toContainText(`Path("${DATASET_PATH}")`);
    await page.notebook.runCell(0);
    const output = cell.locator('.jp-OutputArea-output');
    await expect(output).toContainText(`PosixPath('${DATASET_PATH}/gamma_`);
    expect(
      ((await output.textContent()) ?? '').match(/PosixPath\(/g)
    ).toHaveLength(8);
    if (SHOTS) {
      // The README's picture of a fetch (datalake-fetch.png): the dataset in the workspace, its
      // job, its path in a cell; no "Path inserted into …" toast over it (review s3 §19).
      await dismissToasts(page);
      await page.screenshot({ path: `${SHOTS}/datalake-fetch.png` });
      await darkScreenshot(page, `${SHOTS}/datalake-fetch-dark.png`);
    }

    // The notebook records the DID it uses.
    await page.notebook.save();
    const contents = galata.newContentsHelper(request);
    expect(await contents.fileExists(name)).toBe(true);
    const saved = await request.get(`/api/contents/${name}?content=1`);
    const notebook = (await saved.json()).content;
    expect(notebook.metadata.escape.provenance.dids_used).toEqual([
      expect.objectContaining({
        scope: 'escape_cta',
        name: DATASET,
        type: 'dataset',
        path: DATASET_PATH
      })
    ]);
  });

  test('a notebook whose DIDs are missing offers to fetch them', async ({
    page,
    request,
    tmpPath
  }) => {
    // A file of the dataset, recorded by a notebook as fetched into datalake/<tmpPath> (a
    // notebook may only name places inside the fetch folder).
    const search = await request.get(
      `/escape/datalake/content?did=escape_cta:${DATASET}&limit=1`
    );
    const file = JSON.parse((await search.text()).trim().split('\n')[0]);
    const path = `datalake/${tmpPath}/escape_cta/${file.name}`;
    // Missing for real on every run: a file fetched by an earlier run is taken away first.
    const before = galata.newContentsHelper(request);
    if (await before.directoryExists(`datalake/${tmpPath}`)) {
      await before.deleteDirectory(`datalake/${tmpPath}`);
    }
    // Saved through the contents API with no outputs, the server signs it: it opens trusted.
    // (Untrusted notebooks get no offer at all: hostile-notebook.spec.ts.)
    const notebook = {
      cells: [
        {
          // With its id: the server signs what it is given and checks what it reads back.
          id: 'uses',
          cell_type: 'code',
          source: 'print("uses a Data Lake file")',
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
          datalake: [
            {
              scope: 'escape_cta',
              name: file.name,
              type: 'file',
              adler32: file.adler32 ?? null,
              md5: file.md5 ?? null,
              path,
              instance: 'testbed'
            }
          ]
        }
      },
      nbformat: 4,
      nbformat_minor: 5
    };
    const put = await request.put(`/api/contents/${tmpPath}/uses.ipynb`, {
      data: { type: 'notebook', format: 'json', content: notebook }
    });
    expect(put.ok()).toBe(true);

    await page.filebrowser.openDirectory(tmpPath);
    await page.filebrowser.open('uses.ipynb');
    const toast = page.locator('.Toastify__toast', {
      hasText: 'not in the workspace'
    });
    await expect(toast).toContainText(
      'uses.ipynb uses a Data Lake DID that is not in the workspace.'
    );
    await toast.getByRole('button', { name: 'Which?' }).click();
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog).toContainText(`escape_cta:${file.name}`);
    await expect(dialog).toContainText(path);
    await dialog.getByRole('button', { name: 'Ok' }).click();
    if (SHOTS) {
      await page.screenshot({ path: `${SHOTS}/datalake-fetch-missing.png` });
    }
    await toast.getByRole('button', { name: 'Fetch' }).click();
    // Nothing starts before the user has seen where each DID lands, as the server says.
    const confirm = page.locator('.jp-Dialog', {
      hasText: 'Fetch the DIDs uses.ipynb uses?'
    });
    await expect(confirm.getByLabel('Lands at')).toHaveText(path);
    await confirm.getByRole('button', { name: 'Fetch' }).click();
    await page.sidebar.openTab('escape-datalake');
    const job = page
      .locator('#escape-datalake')
      .getByRole('listitem', { name: `Fetch of ${file.name}` })
      .first();
    await expect(job.getByText('Done', { exact: true })).toBeVisible({
      timeout: 60_000
    });
    const contents = galata.newContentsHelper(request);
    await expect
      .poll(() => contents.fileExists(path), { timeout: 10_000 })
      .toBe(true);
  });
});
