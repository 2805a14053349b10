/**
 * The full open-science cycle in one notebook (issue 18), no terminal: find a dataset in the Data
 * Lake, use it as the input of a %%reana cell, run it and watch it finish (the server streams the
 * small dataset into the workflow's inputs and says so), upload its outputs to the lake as a new
 * dataset, and find that dataset in the Data Lake with its files and checksums.
 *
 * The provenance steps (citation, RO-Crate export, publish as a draft) are added to this file by
 * their owner after the step marked "provenance steps go here".
 *
 * Against the real Rucio testbed (as the plain user jdoe, like the upload journey) and the REANA
 * stand-in, which scripts/test starts.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import * as path from 'path';

import { darkScreenshot } from './journeys';

const REANA = process.env.ESCAPE_REANA_URL;
const SHOTS = process.env.ESCAPE_SCREENSHOTS;
const DOCS = path.resolve(__dirname, '..', '..', 'docs');
const SCOPE = 'user.jdoe';
const DATASET = 'escape_opendata:crab.nebula.sample'; // 20 files, 1.75 MB (testbed seed)
const LARGE = 'escape_opendata:lst1.crab.2020.dl2'; // over the 256 MB streamed by the server
const JDOE = {
  auth_type: 'userpass',
  account: 'jdoe',
  username: 'jdoe',
  password: 'jdoe-secret'
};

async function asJdoe(
  page: IJupyterLabPageFixture,
  baseURL: string | undefined,
  work: () => Promise<void>
): Promise<void> {
  const credentials = `${baseURL}/escape/datalake/credentials`;
  expect((await page.request.put(credentials, { data: JDOE })).status()).toBe(
    200
  );
  try {
    await work();
  } finally {
    // Back to the operator's account for the other journeys.
    expect((await page.request.delete(credentials)).status()).toBe(200);
  }
}

async function shots(page: IJupyterLabPageFixture, name: string) {
  if (SHOTS) {
    await page.screenshot({ path: `${DOCS}/${name}.png` });
    await darkScreenshot(page, `${DOCS}/${name}-dark.png`);
  }
}

test.describe('the full open-science cycle', () => {
  test.skip(!REANA, 'needs the REANA stand-in (scripts/test starts it)');
  test.use({ viewport: { width: 1280, height: 900 } });

  test('lake dataset -> %%reana input -> run -> outputs -> new dataset in the lake', async ({
    page,
    baseURL,
    tmpPath
  }) => {
    test.setTimeout(300_000);
    await asJdoe(page, baseURL, () => cycle(page, tmpPath));
  });

  test('a dataset too large to stream asks before the identity goes to REANA', async ({
    page,
    baseURL,
    tmpPath
  }) => {
    test.setTimeout(120_000);
    await asJdoe(page, baseURL, () => consent(page, tmpPath));
  });
});

async function findInLake(page: IJupyterLabPageFixture, did: string) {
  await page.sidebar.openTab('escape-datalake');
  const panel = page.locator('#escape-datalake');
  await panel.getByLabel('Data Lake query').fill(did);
  await panel.getByLabel('Data Lake query').press('Enter');
  const name = did.split(':')[1];
  await panel
    .locator('.jp-escape-Datalake-row', { hasText: name })
    .first()
    .click();
  const details = panel.getByRole('region', {
    name: new RegExp(`Details of ${did.replace(/[.]/g, '\\.')}`)
  });
  await expect(details).toBeVisible();
  return details;
}

async function cycle(page: IJupyterLabPageFixture, tmpPath: string) {
  const started = Date.now();
  const name = `cycle${Date.now().toString(36)}`;
  await page.filebrowser.openDirectory(tmpPath);
  await page.notebook.createNew(`${name}.ipynb`);

  // 1. Find the dataset in the Data Lake; "Use as workflow input" writes a %%reana cell.
  const details = await findInLake(page, DATASET);
  await details.getByRole('button', { name: 'Use as workflow input' }).click();
  const cells = page.locator('.jp-Notebook .jp-Cell');
  await expect(cells).toHaveCount(2);
  const source = await page.notebook.getCellTextInput(1);
  expect(source.split('\n')[0]).toBe(
    `%%reana -n crab-nebula-sample-analysis -l crab_nebula_sample=${DATASET}`
  );
  // 2. Run it as a REANA workflow and watch it finish.
  await page.notebook.selectCells(1);
  await cells.nth(1).click({ button: 'right' });
  await page
    .getByRole('menuitem', { name: 'Run Cell as REANA Workflow' })
    .click();
  // The cell as the command wrote it (typing it again would let the editor re-indent it).
  const workflow = 'crab-nebula-sample-analysis';
  const output = page.getByRole('region', {
    name: new RegExp(`REANA workflow ${workflow}\\.\\d+`)
  });
  // The cell's output: the live status, or the server's refusal (shown as written).
  await expect(cells.nth(1).locator('.jp-OutputArea-output')).toBeVisible({
    timeout: 60_000
  });
  const said = await cells.nth(1).locator('.jp-OutputArea-output').innerText();
  expect(said).toContain(workflow);
  await expect(output).toBeVisible();
  const lake = output.getByRole('group', { name: 'Data Lake inputs' });
  await expect(lake).toContainText('streamed into the inputs');
  await expect(lake).toContainText('lake/escape_opendata/crab.nebula.sample');
  await expect(output.getByText('finished', { exact: true })).toBeVisible({
    timeout: 90_000
  });
  await output.scrollIntoViewIfNeeded();
  await shots(page, 'full-cycle-run');

  // 3. Upload its outputs to the Data Lake as a new dataset.
  await output
    .getByRole('button', { name: 'Upload outputs to the Data Lake…' })
    .click();
  const dialog = page.locator('.jp-Dialog');
  const datasetName = dialog.getByLabel('Dataset name');
  await expect(datasetName).toHaveValue(
    new RegExp(`^${workflow}\\.\\d+\\.outputs$`)
  );
  await expect(dialog.getByText(`reana@`, { exact: false })).toBeVisible();
  await expect(dialog.getByText('results/summary.txt')).toBeVisible();
  await shots(page, 'full-cycle-outputs-dialog');
  const dataset = `${name}-results`;
  await datasetName.fill(dataset);
  await expect(dialog.getByLabel('Scope')).toHaveValue(SCOPE);
  await dialog.getByRole('button', { name: 'Upload', exact: true }).click();
  const toast = page.locator('.Toastify__toast', {
    hasText: `The outputs are in the Data Lake: ${SCOPE}:${dataset}`
  });
  await expect(toast).toBeVisible({ timeout: 90_000 });

  // 4. The new dataset in the lake: its file, with the checksums the upload verified.
  await toast.getByRole('button', { name: 'Show in Data Lake' }).click();
  const found = page.locator('#escape-datalake').getByRole('region', {
    name: new RegExp(`Details of ${SCOPE}:${dataset}`)
  });
  await expect(found).toBeVisible();
  await expect(found.getByText('1 of 1 files', { exact: false })).toBeVisible();
  const jobs = await (
    await page.request.get(
      `${page.url().split('/lab')[0]}/escape/datalake/jobs`
    )
  ).json();
  const job = jobs.jobs.find((j: any) => j.dataset === `${SCOPE}:${dataset}`);
  expect(job.state).toBe('done');
  const detail = await (
    await page.request.get(
      `${page.url().split('/lab')[0]}/escape/datalake/jobs/${job.id}`
    )
  ).json();
  const [file] = detail.files;
  expect(file.name).toBe(`${dataset}.results.summary.txt`);
  expect(file.adler32).toMatch(/^[0-9a-f]{8}$/);
  expect(file.md5).toMatch(/^[0-9a-f]{32}$/);
  await page
    .locator('#escape-datalake .jp-escape-Datalake-row', {
      hasText: file.name
    })
    .first()
    .click();
  await expect(
    page.locator('#escape-datalake').getByText(file.adler32)
  ).toBeVisible();
  await shots(page, 'full-cycle-dataset');

  // provenance steps go here (citation, RO-Crate export, publish as a draft)

  console.log(`full cycle: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function consent(page: IJupyterLabPageFixture, tmpPath: string) {
  const name = `large${Date.now().toString(36)}`;
  await page.filebrowser.openDirectory(tmpPath);
  await page.notebook.createNew(`${name}.ipynb`);
  await page.notebook.setCell(
    0,
    'code',
    [
      `%%reana -n ${name} -l dl2=${LARGE}`,
      'version: 0.9.0',
      'workflow:',
      '  type: serial',
      '  specification:',
      '    steps:',
      '      - name: read',
      '        environment: docker.io/rucio/rucio-clients:release-41.0.0',
      '        rucio: true',
      '        commands:',
      '          - rucio download ${dl2}'
    ].join('\n')
  );
  // A stand-in shared with earlier tests may hold this secret already: start without it.
  const base = page.url().split('/lab')[0];
  await page.request.delete(
    `${base}/escape/workflows/secrets?name=RUCIO_CFG_CLIENT_PASSWORD`
  );
  const submits: number[] = [];
  page.on('response', response => {
    if (response.url().includes('/escape/workflows/submit')) {
      submits.push(response.status());
    }
  });
  await page.notebook.selectCells(0);
  await page
    .locator('.jp-Notebook .jp-Cell')
    .first()
    .click({ button: 'right' });
  await page
    .getByRole('menuitem', { name: 'Run Cell as REANA Workflow' })
    .click();
  const dialog = page.locator('.jp-Dialog');
  await expect(
    dialog.getByText('Let the workflow read the Data Lake as you?')
  ).toBeVisible({ timeout: 60_000 });
  await expect(dialog).toContainText('too large to stream');
  await expect(dialog).toContainText('RUCIO_CFG_CLIENT_PASSWORD');
  await shots(page, 'full-cycle-consent');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  // Refused once (400), and nothing sent again without the user's yes.
  expect(submits).toEqual([400]);
  const secrets = await (
    await page.request.get(
      `${page.url().split('/lab')[0]}/escape/workflows/secrets`
    )
  ).json();
  expect(
    secrets.secrets
      .map((s: any) => s.name)
      .includes('RUCIO_CFG_CLIENT_PASSWORD')
  ).toBe(false);
}
