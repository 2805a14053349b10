import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';

import { darkScreenshot } from './journeys';
import { readableFolder } from './readable';

/** docs/ screenshots are written when ESCAPE_SCREENSHOTS names a folder (scripts/test: docs). */
const SHOTS = process.env.ESCAPE_SCREENSHOTS;

// The Galata server's Rucio account (scripts/lib/testbed_env.py) is the testbed's root; this
// journey signs in as the plain user jdoe instead (the Data Lake credentials route, as the
// credentials dialog does) and uploads into jdoe's own scope, on the RSE where jdoe has a quota
// (testbed/rucio/handle.py's upload_rse); ESCAPE_DATADISK is offered but admin-only.
const SCOPE = 'user.jdoe';
const RSE = 'ESCAPE_USERDISK';
const DENIED = 'ESCAPE_DATADISK';
const JDOE = {
  auth_type: 'userpass',
  account: 'jdoe',
  username: 'jdoe',
  password: 'jdoe-secret'
};

test.describe('Data Lake upload', () => {
  test.use({
    // One window size for the README's pictures, and a readable folder instead of Galata's
    // test-id one ('tests-…-root'), emptied before and removed after each test (review s3 §8).
    viewport: { width: 1440, height: 900 },
    tmpPath: readableFolder('my-analysis') as any
  });

  test('upload a results folder as a new dataset, watch it, find it in the Data Lake', async ({
    page,
    baseURL
  }) => {
    test.setTimeout(180_000); // an upload job and the panel, on a shared 2-core machine
    const credentials = `${baseURL}/escape/datalake/credentials`;
    expect((await page.request.put(credentials, { data: JDOE })).status()).toBe(
      200
    );
    try {
      // The panel and the dialog ask the server afresh: jdoe from the first view on.
      await page.reload();
      await journey(page);
    } finally {
      // Back to the operator's account for the other journeys.
      expect((await page.request.delete(credentials)).status()).toBe(200);
    }
  });
});

async function journey(page: IJupyterLabPageFixture): Promise<void> {
  {
    // A unique folder per run: it names the new dataset.
    const folder = `results_${Date.now().toString(36)}`;
    const dataset = `${SCOPE}:${folder}`;
    await page.contents.uploadContent(
      JSON.stringify({ bins: [1, 2, 3], counts: [4, 5, 6] }),
      'text',
      `${folder}/histogram.json`
    );
    await page.contents.uploadContent(
      'energy,flux\n1.0,2.5e-11\n'.repeat(60_000),
      'text',
      `${folder}/spectrum.csv`
    );
    await page.contents.uploadContent(
      'theta2 cut 0.04\n',
      'text',
      `${folder}/plots/cuts.txt`
    );
    // At the top of the workspace, as a user keeps results (names stay short in the dialog).
    await page.filebrowser.openHomeDirectory();
    await page.filebrowser.refresh();

    console.log('step: right-click');
    // Right-click the folder in the file browser.
    await page
      .locator('.jp-DirListing-item', { hasText: folder })
      .click({ button: 'right' });
    await page
      .locator('.lm-Menu-item', { hasText: 'Upload to the Data Lake…' })
      .click();

    console.log('step: dialog');
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog.getByText('Upload to the Data Lake')).toBeVisible();
    await expect(
      dialog.getByText(`as Rucio account jdoe`, { exact: false })
    ).toBeVisible();
    // The user's own scope comes first and is chosen.
    await expect(dialog.getByLabel('Scope')).toHaveValue(SCOPE);
    await dialog.getByLabel('Destination RSE').selectOption(RSE);
    // Usage and quota on every RSE offered, and why jdoe cannot write to the admin-only one.
    const quotas = dialog.getByRole('table', {
      name: 'Quota on the RSEs offered'
    });
    const writable = quotas.getByRole('row', { name: new RegExp(`^${RSE}`) });
    await expect(writable).toContainText(/free of/);
    await expect(writable).toContainText('yes');
    await expect(writable).toHaveAttribute('aria-current', 'true');
    const denied = quotas.getByRole('row', { name: new RegExp(`^${DENIED}`) });
    await expect(denied).toBeVisible();
    await expect(denied).not.toContainText('yes');
    const summary = dialog.getByRole('region', {
      name: 'What will be created'
    });
    await expect(summary).toContainText(`New dataset ${dataset} holding them`);
    await expect(summary).toContainText(`3 files`);
    await expect(summary).toContainText(`into ${SCOPE} on ${RSE}`);
    // The DID names are the server's defaults, editable.
    await expect(
      dialog.getByLabel(`DID name of ${folder}/plots/cuts.txt`)
    ).toHaveValue(`${folder}.plots.cuts.txt`);
    // A name that breaks Rucio's rule: said before asking, Upload disabled.
    const name = dialog.getByLabel(`DID name of ${folder}/histogram.json`);
    await name.fill('plots/histogram.json');
    await expect(summary).toContainText('breaks the naming rule');
    const upload = dialog.getByRole('button', { name: 'Upload' });
    await expect(upload).toBeDisabled();
    await name.fill(`${folder}.histogram.json`);
    await dialog.getByRole('button', { name: 'Add metadata' }).click();
    await dialog.getByLabel('Metadata key 1').fill('datatype');
    await dialog.getByLabel('Metadata value 1').fill('results');
    await expect(summary).toContainText('Metadata: datatype = results');
    await expect(summary.getByLabel('Problems')).toHaveCount(0);
    await expect(upload).toBeEnabled();
    // Review s3 §16 and §7: the summary covers no DID name, every field has one font size,
    // and the name fields sit on their file's line.
    const last = dialog.getByLabel(`DID name of ${folder}/plots/cuts.txt`);
    const [lastBox, summaryBox] = [
      await last.boundingBox(),
      await summary.boundingBox()
    ];
    expect(lastBox!.y + lastBox!.height).toBeLessThanOrEqual(summaryBox!.y);
    const sizes = await dialog
      .locator('input.jp-mod-styled:not(.jp-escape-mono), select.jp-mod-styled')
      .evaluateAll(fields => [
        ...new Set(fields.map(f => getComputedStyle(f).fontSize))
      ]);
    expect(sizes).toHaveLength(1);
    const uiSize = await dialog
      .locator('.jp-escape-Upload-intro')
      .evaluate(p => getComputedStyle(p).fontSize);
    expect(sizes[0]).toBe(uiSize);
    const why = await denied
      .locator('td')
      .last()
      .evaluate(td => ({
        size: getComputedStyle(td).fontSize,
        color: getComputedStyle(td).color,
        text: getComputedStyle(td.closest('.jp-escape-Upload')!).color
      }));
    expect(why.size).toBe(uiSize);
    expect(why.color).toBe(why.text);
    const row = last.locator('xpath=ancestor::tr');
    const pathBox = await row.locator('td').first().boundingBox();
    expect(
      Math.abs(
        pathBox!.y + pathBox!.height / 2 - (lastBox!.y + lastBox!.height / 2)
      )
    ).toBeLessThanOrEqual(3);
    if (SHOTS) {
      // The choices from the top, the plan below them.
      await dialog.locator('.jp-Dialog-body').evaluate(node => {
        node.scrollTop = 0;
      });
      await page.screenshot({ path: `${SHOTS}/datalake-upload.png` });
      await darkScreenshot(page, `${SHOTS}/datalake-upload-dark.png`);
    }

    console.log('step: start');
    // A double click starts one job.
    const started = page.waitForResponse(
      r =>
        r.url().includes('/escape/datalake/upload') &&
        r.request().method() === 'POST' &&
        !(r.request().postData() ?? '').includes('"check":true')
    );
    await upload.dblclick();
    expect((await started).status()).toBe(202);
    await expect(dialog).toHaveCount(0);

    console.log('step: toast');
    // A toast follows it to its end.
    const toast = page.locator('.Toastify__toast', {
      hasText: `Uploaded ${dataset} to ${RSE}`
    });
    await expect(toast).toBeVisible({ timeout: 60_000 });

    // The Uploads section of the Data Lake panel: one job, done, every file registered.
    await page.sidebar.openTab('escape-datalake');
    const panel = page.locator('#escape-datalake');
    const uploads = panel.getByRole('region', { name: 'Uploads' });
    const job = uploads.getByRole('listitem', {
      name: `Upload of ${dataset}`
    });
    await expect(job).toHaveCount(1);
    await expect(job.getByText('Done', { exact: true })).toBeVisible();
    await expect(job.getByText(/^3 of 3 files · /)).toBeVisible();
    await expect(job.getByRole('progressbar')).toHaveAttribute(
      'aria-valuenow',
      '100'
    );
    await job.getByRole('button', { name: 'Files' }).click();
    const files = job.getByRole('list', { name: `Files of ${dataset}` });
    await expect(files.getByText('registered')).toHaveCount(3);
    await expect(files.getByText(/^adler32 [0-9a-f]{8} · md5/)).toHaveCount(3);
    const sums = await files
      .getByRole('listitem')
      .filter({ hasText: `${folder}.spectrum.csv` })
      .locator('.jp-escape-Upload-sums')
      .textContent();
    const [, adler32, md5] =
      /^adler32 ([0-9a-f]{8}) · md5 ([0-9a-f]{32})$/.exec(sums ?? '') ?? [];
    expect(md5, 'the job lists the checksums it computed').toBeTruthy();

    console.log('step: show');
    // "Show in Data Lake": the dataset in the panel, its files with replicas and checksums.
    await job.getByRole('button', { name: 'Show in Data Lake' }).click();
    const details = panel.getByRole('region', {
      name: `Details of ${dataset}`
    });
    await expect(details).toBeVisible();
    await expect(details).toContainText('3 of 3 files');
    await panel
      .locator('.jp-escape-Datalake-row[data-type=file]', {
        hasText: `${folder}.spectrum.csv`
      })
      .click();
    const file = panel.getByRole('region', {
      name: `Details of ${SCOPE}:${folder}.spectrum.csv`
    });
    // Rucio has the checksums the upload computed.
    await expect(file.getByText(adler32, { exact: true })).toBeVisible();
    await expect(file.getByText(md5, { exact: true })).toBeVisible();
    const replicas = file.getByRole('list', { name: 'Replicas' });
    await expect(replicas).toContainText(RSE);
    await expect(replicas).toContainText('AVAILABLE');
    await expect(
      panel.getByText('jdoe (userpass)', { exact: false })
    ).toBeVisible();
    if (SHOTS) {
      // The file's checksums and its replica in sight.
      await replicas.scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${SHOTS}/datalake-upload-result.png` });
      await darkScreenshot(page, `${SHOTS}/datalake-upload-result-dark.png`);
    }
  }
}
