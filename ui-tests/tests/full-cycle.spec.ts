/**
 * The full open-science cycle in one notebook (issue 18), no terminal: find a dataset in the Data
 * Lake, use it as the input of a %%reana cell, run it and watch it finish (the server streams the
 * small dataset into the workflow's inputs and says so), upload its outputs to the lake as a new
 * dataset, and find that dataset in the Data Lake with its files and checksums. Then cite an OSSR
 * record from the Software Catalogue, see the whole chain in the Provenance view, export the
 * RO-Crate (checked through the contents API) and publish it to the OSSR as a draft, checked in
 * the Zenodo stand-in's deposit API (title, creators, files).
 *
 * Against the real Rucio testbed (as the plain user jdoe, like the upload journey) and the REANA
 * and Zenodo stand-ins, which scripts/test starts.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import * as path from 'path';

import { darkScreenshot } from './journeys';
import { readableFolder } from './readable';

const REANA = process.env.ESCAPE_REANA_URL;
const ZENODO = process.env.ESCAPE_ZENODO_URL;
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
  // The whole page as jdoe: the Data Lake panel's header names the account the dialogs use
  // (it asked whoami when the page opened, as root).
  await page.reload();
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
  test.skip(
    !REANA || !ZENODO,
    'needs the REANA and Zenodo stand-ins (scripts/test starts them)'
  );
  test.use({
    viewport: { width: 1280, height: 900 },
    // Readable names in the pictures: the folder and the notebooks (s3 §8).
    tmpPath: readableFolder('crab-nebula') as any
  });

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
  const name = 'analysis';
  await page.filebrowser.openDirectory(tmpPath);
  await page.notebook.createNew(`${name}.ipynb`);

  // 1. Find the dataset in the Data Lake; "Use as workflow input" writes a %%reana cell.
  const details = await findInLake(page, DATASET);
  await details.getByRole('button', { name: 'Use as workflow input' }).click();
  const cells = page.locator('.jp-Notebook .jp-Cell');
  // Written into the new notebook's empty cell, none left above it (s3 §18).
  await expect(cells).toHaveCount(1);
  const source = await page.notebook.getCellTextInput(0);
  expect(source.split('\n')[0]).toBe(
    `%%reana -n crab-nebula-sample-analysis -l crab_nebula_sample=${DATASET}`
  );
  // 2. Run it as a REANA workflow and watch it finish.
  await page.notebook.selectCells(0);
  await cells.nth(0).click({ button: 'right' });
  await page
    .getByRole('menuitem', { name: 'Run Cell as REANA Workflow' })
    .click();
  // The cell as the command wrote it (typing it again would let the editor re-indent it).
  const workflow = 'crab-nebula-sample-analysis';
  const output = page.getByRole('region', {
    name: new RegExp(`REANA workflow ${workflow}\\.\\d+`)
  });
  // The cell's output: the live status, or the server's refusal (shown as written).
  await expect(cells.nth(0).locator('.jp-OutputArea-output')).toBeVisible({
    timeout: 60_000
  });
  const said = await cells.nth(0).locator('.jp-OutputArea-output').innerText();
  expect(said).toContain(workflow);
  await expect(output).toBeVisible();
  const lake = output.getByRole('group', { name: 'Data Lake inputs' });
  await expect(lake).toContainText('streamed into the inputs');
  await expect(lake).toContainText('lake/escape_opendata/crab.nebula.sample');
  await expect(output.getByText('finished', { exact: true })).toBeVisible({
    timeout: 90_000
  });
  await output.scrollIntoViewIfNeeded();
  // The reason in words: '20 files', and the server's limit (s3 §18).
  await expect(lake).toContainText('1.75 MB in 20 files, limit 268 MB');
  // The two actions apart, not touching (s3 §18).
  const download = (await output
    .getByRole('button', { name: 'Download outputs into workspace' })
    .boundingBox())!;
  const toLake = (await output
    .getByRole('button', { name: 'Upload outputs to the Data Lake…' })
    .boundingBox())!;
  expect(toLake.x - (download.x + download.width)).toBeGreaterThanOrEqual(6);
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
  // The signed-in account's own scope, the account named (s3 §11).
  const scope = dialog.getByLabel('Scope (as account jdoe)');
  await expect(scope).toHaveValue(SCOPE);
  // The RSE and its room read in full, not clipped (s3 §11), at the UI's input size (s3 §7).
  const storage = dialog.getByLabel('Storage (RSE)');
  await expect(storage.locator('option:checked')).toHaveText(
    /^ESCAPE_USERDISK — /
  );
  const room = await storage.evaluate((select: HTMLSelectElement) => {
    const style = getComputedStyle(select);
    const context = document.createElement('canvas').getContext('2d')!;
    context.font = `${style.fontSize} ${style.fontFamily}`;
    return {
      text: context.measureText(select.selectedOptions[0].text).width,
      room:
        select.clientWidth -
        parseFloat(style.paddingLeft) -
        parseFloat(style.paddingRight)
    };
  });
  expect(room.text).toBeLessThanOrEqual(room.room);
  const uiSize = await page.evaluate(() =>
    getComputedStyle(document.body)
      .getPropertyValue('--jp-ui-font-size1')
      .trim()
  );
  for (const field of [datasetName, scope, storage]) {
    expect(await field.evaluate(e => getComputedStyle(e).fontSize)).toBe(
      uiSize
    );
  }
  await shots(page, 'full-cycle-outputs-dialog');
  // The proposed name, as the README says (<name>.<run>.outputs); REANA numbers runs anew
  // when its stand-in restarts while the lake keeps datasets, so a name already taken gets
  // this run's time.
  const proposed = await datasetName.inputValue();
  const taken = await page.request.get(
    `${page.url().split('/lab')[0]}/escape/datalake/details?did=${SCOPE}:${proposed}`
  );
  const dataset = taken.ok()
    ? `${proposed}-${Date.now().toString(36)}`
    : proposed;
  await datasetName.fill(dataset);
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
  const base = page.url().split('/lab')[0];
  const produced = [`${SCOPE}:${dataset}`, `${file.scope}:${file.name}`];
  const input = (
    await (
      await page.request.get(
        `${base}/escape/datalake/content?did=${DATASET}&limit=1`
      )
    ).text()
  )
    .trim()
    .split('\n')
    .map(line => JSON.parse(line))[0];

  // 5. Cite the OSSR software used: a record from the Software Catalogue sidebar.
  await page.getByRole('tab', { name: `${name}.ipynb` }).click();
  const sidebar = page.locator('#jp-escape-catalogue');
  await page.locator('[data-id="jp-escape-catalogue"]').click();
  await expect(sidebar).toBeVisible();
  const cards = sidebar.locator('.jp-escape-Catalogue-result');
  await expect(cards.first()).toBeVisible();
  const software = (await cards
    .first()
    .locator('.jp-escape-Catalogue-title')
    .textContent())!;
  await cards.first().locator('.jp-escape-Catalogue-title').click();
  await expect(sidebar.getByRole('heading', { name: software })).toBeVisible();
  await sidebar.getByRole('button', { name: 'Insert citation' }).click();
  const citation = () =>
    page.evaluate(() => {
      const panel = (window as any).jupyterapp.shell.currentWidget;
      return (
        panel.content.widgets
          .map((cell: any) => cell.model.sharedModel.getSource())
          .find((s: string) => s.includes('**Software used:**')) ?? ''
      );
    });
  await expect.poll(citation, { timeout: 15_000 }).toContain(software);
  const doi = (await citation()).match(/10\.\d+\/zenodo\.\d+/)![0];

  // 6. The Provenance view: the input DID, the run, the produced dataset and the software.
  await page
    .locator(
      '.jp-NotebookPanel-toolbar [data-jp-item-name="escape-provenance"]'
    )
    .click();
  const view = page.locator('.jp-escape-Provenance');
  const inputs = view.getByRole('region', { name: 'Inputs (Data Lake)' });
  await expect(inputs.getByText(DATASET, { exact: true })).toBeVisible();
  const runs = view.getByRole('region', { name: 'Workflows (REANA)' });
  await expect(
    runs.getByText(new RegExp(`^${workflow}\\.\\d+$`))
  ).toBeVisible();
  await expect(runs.getByText('finished', { exact: true })).toBeVisible({
    timeout: 20_000
  });
  const outputsColumn = view.getByRole('region', {
    name: 'Outputs (Data Lake)'
  });
  await expect(
    outputsColumn.getByText(`${SCOPE}:${dataset}`, { exact: true })
  ).toBeVisible();
  await expect(
    view.getByRole('region', { name: 'Software (OSSR)' }).getByText(software)
  ).toBeVisible();
  // The whole chain in view: the sidebars out of the way for the picture.
  await page.sidebar.close('left');
  await page.sidebar.close('right');
  await shots(page, 'full-cycle-provenance');

  // 7. Export the RO-Crate beside the notebook.
  await view.getByPlaceholder('CC-BY-4.0').fill('CC-BY-4.0');
  const exported = page.waitForResponse(r =>
    r.url().includes('/escape/provenance/export')
  );
  await view.getByRole('button', { name: 'Export RO-Crate' }).click();
  const answer = await (await exported).json();
  expect(answer.profiles).toContain('https://w3id.org/ro/wfrun/workflow/0.5');
  await expect(view.getByRole('status')).toContainText(`${name}-ro-crate.zip`);
  // What the crate says, read back through the Jupyter contents API. Its validity against the
  // RO-Crate profiles (roc-validator) is tested in pytest, jupyterlab_escape/tests/provenance/;
  // here: the chain of this journey is in it.
  const crate = await (
    await page.request.get(
      `${base}/api/contents/${answer.metadata}?content=1&format=text`
    )
  ).json();
  const text = crate.content as string;
  const graph = JSON.parse(text)['@graph'] as any[];
  expect(text).toContain(DATASET);
  for (const sum of [input?.adler32, input?.md5]) {
    if (sum) {
      expect(text).toContain(sum);
    }
  }
  for (const did of produced) {
    expect(text).toContain(did);
  }
  expect(text).toContain(file.adler32);
  expect(text).toContain(file.md5);
  expect(
    graph.some((e: any) => JSON.stringify(e['@type']).includes('CreateAction'))
  ).toBe(true);
  expect(text).toMatch(new RegExp(`${workflow}\\.\\d+`));
  expect(text).toContain(doi);
  // The crate's README, listed as about the crate, names the input and the produced DIDs.
  expect(graph.find((e: any) => e['@id'] === 'README.md')?.about).toEqual({
    '@id': './'
  });
  const readme = await (
    await page.request.get(
      `${base}/api/contents/${answer.folder}/README.md?content=1&format=text`
    )
  ).json();
  const plain = (readme.content as string).replace(/\\/g, '');
  expect(plain).toContain(DATASET);
  for (const did of produced) {
    expect(plain).toContain(did);
  }

  // 8. Publish to the OSSR as a draft (not published): the crate folder, codemeta from the crate.
  const token = 'access_token=standin-zenodo-token';
  const before = new Set(
    (
      await (
        await page.request.get(`${ZENODO}/api/deposit/depositions?${token}`)
      ).json()
    ).map((d: any) => d.id)
  );
  // Straight from the Provenance view to the publish form: no file to edit first.
  await view.getByRole('button', { name: 'Publish to the OSSR…' }).click();
  const publish = page.locator('.jp-escape-Publish');
  await expect(
    publish.getByRole('heading', { name: 'Publish to the OSSR' })
  ).toBeVisible();
  // The user's Zenodo token: stored on the server once (an earlier journey may have done it).
  const tokenBox = publish.getByLabel('Zenodo token', { exact: true });
  const stored = publish.getByText(/Your Zenodo token is stored on the server/);
  await expect(stored.or(tokenBox)).toBeVisible();
  if (!(await stored.isVisible())) {
    await tokenBox.fill('standin-zenodo-token');
    await publish.getByRole('button', { name: 'Save token' }).click();
  }
  await expect(
    publish.getByText(/Your Zenodo token is stored on the server/)
  ).toBeVisible();
  const title = `Provenance of ${name}.ipynb`;
  await expect(publish.locator('[data-field="name"] input')).toHaveValue(title);
  await expect(
    publish.getByText('ro-crate-metadata.json').first()
  ).toBeVisible();
  // What the OSSR requires and the crate cannot say: who the creators are.
  if ((await publish.getByLabel('Given name of creator 1').count()) === 0) {
    await publish.getByRole('button', { name: 'Add creator' }).click();
  }
  await publish.getByLabel('Given name of creator 1').fill('Jane');
  await publish.getByLabel('Family name of creator 1').fill('Doe');
  await publish.getByLabel('Affiliation of creator 1').fill('ESCAPE');
  // The maintainer the OSSR requires: the first creator by default, shown in its own box.
  const maintainer = publish.locator('fieldset[data-field="maintainer"]');
  await expect(
    maintainer.getByLabel('Same as the first creator')
  ).toBeChecked();
  await expect(
    maintainer.getByLabel('Family name of the maintainer')
  ).toHaveValue('Doe');
  await maintainer
    .getByLabel('Email of the maintainer')
    .fill('jane.doe@example.org');
  await expect(
    maintainer.getByLabel('Same as the first creator')
  ).not.toBeChecked();
  await publish
    .getByLabel('README (URL)')
    .fill('https://gitlab.example.org/jdoe/crab-nebula/-/blob/main/README.md');
  await expect(publish.getByText(/^Ready to upload/)).toBeVisible();
  await maintainer.scrollIntoViewIfNeeded();
  await shots(page, 'full-cycle-publish');
  await publish.getByRole('button', { name: 'Create draft' }).click();
  await expect(publish.getByText(/^Draft \d+ is on Zenodo with/)).toBeVisible({
    timeout: 30_000
  });

  // The draft in the Zenodo stand-in, through its deposit API: private, unpublished.
  const drafts = await (
    await page.request.get(`${ZENODO}/api/deposit/depositions?${token}`)
  ).json();
  const draft = drafts.find(
    (d: any) => !before.has(d.id) && d.metadata?.title === title
  );
  expect(draft).toBeTruthy();
  expect(draft.submitted).toBe(false);
  expect(draft.state).not.toBe('done');
  expect(draft.metadata.title).toBe(title);
  expect(draft.metadata.creators).toEqual([
    expect.objectContaining({ name: 'Jane Doe', affiliation: 'ESCAPE' })
  ]);
  // The maintainer from the form, as Zenodo's contact person.
  expect(draft.metadata.contributors).toEqual(
    expect.arrayContaining([
      expect.objectContaining({
        name: 'Jane Doe',
        affiliation: 'ESCAPE',
        type: 'ContactPerson'
      })
    ])
  );
  // The crate went up: a zip of the crate folder and the form's codemeta.json beside it (the
  // stand-in, like Zenodo, does not serve a draft's files back; their sizes and md5 it does).
  const files = await (
    await page.request.get(
      `${ZENODO}/api/deposit/depositions/${draft.id}/files?${token}`
    )
  ).json();
  const names = files.map((f: any) => f.filename as string);
  expect(names).toHaveLength(2);
  expect(names).toContain('codemeta.json');
  expect(names.some((n: string) => n.endsWith('.zip'))).toBe(true);
  for (const f of files) {
    expect(f.filesize).toBeGreaterThan(0);
    expect(f.checksum).toMatch(/^(md5:)?[0-9a-f]{32}$/);
  }

  console.log(`full cycle: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function consent(page: IJupyterLabPageFixture, tmpPath: string) {
  const name = 'dl2-analysis';
  await page.filebrowser.openDirectory(tmpPath);
  await page.notebook.createNew(`${name}.ipynb`);
  await page.notebook.setCell(
    0,
    'code',
    [
      `%%reana -n dl2-read -l dl2=${LARGE}`,
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
  // What is handed over, grouped; the password first, under the sign-in (s3 §1).
  const secretsList = dialog.getByRole('list', {
    name: 'Secrets set in REANA'
  });
  await expect(secretsList.locator(':scope > li').first()).toContainText(
    'Your sign-in (password or token)'
  );
  await expect(secretsList.locator(':scope > li').first()).toContainText(
    'RUCIO_CFG_CLIENT_PASSWORD'
  );
  await expect(dialog).not.toContainText('lake_consent');
  // The safe button has the focus: Enter does not hand the identity over (s3 §1).
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  // One question on screen: no 'Submitting … failed' toast beside the dialog.
  const errors = page.locator('.Toastify__toast--error');
  await expect(errors).toHaveCount(0);
  await shots(page, 'full-cycle-consent');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  // Declining is an outcome, not a failure: the cell says nothing was sent.
  const declined =
    /Not submitted: you chose not to let the workflow read the Data Lake as you/;
  await expect(
    page.locator('.jp-Notebook .jp-Cell').first().locator('.jp-OutputArea')
  ).toContainText(declined);
  // One message: the cell's (no toast repeats it), and no error.
  await expect(
    page.locator('.Toastify__toast', { hasText: declined })
  ).toHaveCount(0);
  await expect(errors).toHaveCount(0);
  await shots(page, 'full-cycle-consent-declined');
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
