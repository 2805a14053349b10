/**
 * The REANA journey against the REANA stand-in (testbed/reana), which scripts/test starts and
 * exports as ESCAPE_REANA_URL: right-click a reana.yaml, submit it, watch it run to finished,
 * read its logs and open an output downloaded into the workspace.
 */
import { expect, test } from '@jupyterlab/galata';
import * as path from 'path';

import { readableFolder } from './readable';

const REANA = process.env.ESCAPE_REANA_URL;
const SHOTS = process.env.ESCAPE_SCREENSHOTS;
const EXAMPLE = path.resolve(__dirname, '../../testbed/reana/example');

test.describe('REANA workflow launcher', () => {
  test.skip(!REANA, 'needs the REANA stand-in (scripts/test starts it)');
  test.use({
    viewport: { width: 1440, height: 900 },
    // Readable names in the pictures: the folder and the workflow (s3 §8).
    tmpPath: readableFolder('crab-analysis') as any
  });

  test('submit a reana.yaml from the file browser and follow it to its outputs', async ({
    page,
    tmpPath
  }) => {
    test.setTimeout(120_000);
    await page.contents.uploadDirectory(EXAMPLE, `${tmpPath}/analysis`);
    await page.filebrowser.openDirectory(`${tmpPath}/analysis`);

    // Right-click the reana.yaml: "Submit to REANA".
    await page
      .locator('.jp-DirListing-item', { hasText: 'reana.yaml' })
      .click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Submit to REANA' }).click();

    const dialog = page.locator('.jp-Dialog');
    const summary = dialog.getByRole('region', {
      name: 'Specification summary'
    });
    await expect(summary).toContainText('serial');
    await expect(summary).toContainText('fit → plot');
    await expect(summary).toContainText('3 files');
    await expect(summary).toContainText('results/fit.json, plots');
    const name = 'crab-fit';
    await dialog.locator('input[name="workflow-name"]').fill(name);
    await dialog.getByLabel('Parameter events').fill('42');
    // One input size in the REANA forms: the UI's 13 px, not JupyterLab's 16 px (s3 §7).
    const uiSize = await page.evaluate(() =>
      getComputedStyle(document.body)
        .getPropertyValue('--jp-ui-font-size1')
        .trim()
    );
    for (const input of await dialog.locator('input.jp-mod-styled').all()) {
      expect(await input.evaluate(e => getComputedStyle(e).fontSize)).toBe(
        uiSize
      );
    }
    if (SHOTS) {
      await dialog
        .locator('.jp-Dialog-content')
        .screenshot({ path: `${SHOTS}/reana-submit.png` });
    }
    const submitted = page.waitForResponse(r =>
      r.url().includes('/escape/workflows/submit')
    );
    await dialog.getByRole('button', { name: 'Submit' }).click();
    expect((await submitted).status()).toBe(200);
    await expect(dialog).toHaveCount(0);

    // The workflow opens in the main area and the sidebar lists it; both follow it live.
    const detail = page.locator('.jp-escape-Workflows-Detail');
    // REANA numbers the runs of a name (the stand-in keeps earlier ones): crab-fit.4.
    const heading = detail.getByRole('heading', {
      name: new RegExp(`^${name}\\.\\d+$`)
    });
    await expect(heading).toBeVisible();
    const run = (await heading.textContent())!;
    const sidebar = page.locator('#jp-escape-workflows');
    // The sidebar shows this journey's runs (the stand-in is shared with other tests).
    await sidebar.getByLabel('Search workflows').fill(name);
    await expect(
      sidebar.getByRole('button', {
        name: new RegExp(`^${run.replace('.', '\\.')} `)
      })
    ).toBeVisible({ timeout: 30_000 });
    await expect(
      detail.locator('.jp-escape-Workflows-Detail-header .jp-escape-Badge')
    ).toHaveText('finished', { timeout: 60_000 });
    await expect(detail.getByText('2/2 jobs', { exact: false })).toBeVisible();
    await expect(
      sidebar.getByRole('button', { name: `${run} finished` })
    ).toBeVisible({
      timeout: 30_000
    });
    if (SHOTS) {
      await sidebar.screenshot({ path: `${SHOTS}/reana-workflows.png` });
    }

    // Its logs: the engine log and one section per job.
    await detail.getByRole('tab', { name: 'Logs' }).click();
    await expect(detail.getByLabel('Engine log')).toContainText(
      `workflow ${run} finished`
    );
    await expect(detail.getByRole('region', { name: 'Job fit' })).toContainText(
      'python code/fit.py --events'
    );
    if (SHOTS) {
      await page.screenshot({ path: `${SHOTS}/reana-logs.png` });
    }
    await detail.getByRole('tab', { name: 'Workspace' }).click();
    const files = detail.getByRole('table', { name: 'Workspace files' });
    await expect(files).toContainText('results/fit.json');
    await expect(files).toContainText('data/events.csv');
    if (SHOTS) {
      await page.screenshot({ path: `${SHOTS}/reana-workspace.png` });
    }

    // Outputs into the workspace, then open one.
    await detail.getByRole('tab', { name: 'Overview' }).click();
    await detail.getByRole('button', { name: 'Download outputs' }).click();
    const downloaded = detail.locator('.jp-escape-Workflows-Detail-downloaded');
    await expect(downloaded).toContainText(`Downloaded into reana/${run}/`);
    // The restart form's inputs at the UI's size too (s3 §7).
    const restart = detail.locator('input.jp-mod-styled');
    expect(await restart.count()).toBeGreaterThan(0);
    for (const input of await restart.all()) {
      expect(await input.evaluate(e => getComputedStyle(e).fontSize)).toBe(
        uiSize
      );
    }
    if (SHOTS) {
      await page.screenshot({ path: `${SHOTS}/reana-detail.png` });
    }
    expect(
      await page.contents.fileExists(`reana/${run}/plots/result.txt`)
    ).toBe(true);
    await downloaded
      .getByRole('button', { name: `reana/${run}/results/fit.json` })
      .click();
    // The JSON viewer opens it: the stand-in wrote {"output", "workflow", "standin"}.
    const opened = page.locator('.jp-MainAreaWidget', {
      has: page.locator('.jp-RenderedJSON, .jp-FileEditor')
    });
    await expect(opened.last()).toContainText(`${run}`);
    await expect(
      page.getByRole('tab', { name: /fit\.json/ }).first()
    ).toBeVisible();

    if (SHOTS) {
      await page.evaluate(() =>
        (window as any).jupyterapp.commands.execute('apputils:change-theme', {
          theme: 'JupyterLab Dark'
        })
      );
      await page
        .locator(`#tab-key-1-0, .lm-TabBar-tab`, { hasText: `${run}` })
        .first()
        .click();
      await expect(page.locator('body')).toHaveAttribute(
        'data-jp-theme-light',
        'false'
      );
      await page.screenshot({ path: `${SHOTS}/reana-detail-dark.png` });
      await page.evaluate(() =>
        (window as any).jupyterapp.commands.execute('apputils:change-theme', {
          theme: 'JupyterLab Light'
        })
      );
    }
  });

  test('the launcher card and a broken spec: problems shown with their lines', async ({
    page,
    tmpPath
  }) => {
    await page.contents.uploadContent(
      'workflow:\n  type: serial\n  specification:\n    steps: 3\n',
      'text',
      `${tmpPath}/broken/reana.yaml`
    );
    await page.filebrowser.openDirectory(`${tmpPath}/broken`);
    await page
      .locator('.jp-LauncherCard', { hasText: 'REANA workflow' })
      .click();
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog.getByRole('list', { name: 'Problems' })).toContainText(
      'Line 4:12 · workflow.specification.steps: must be an array, not number'
    );
    await expect(dialog.getByRole('button', { name: 'Submit' })).toBeDisabled();
    if (SHOTS) {
      await dialog
        .locator('.jp-Dialog-content')
        .screenshot({ path: `${SHOTS}/reana-invalid.png` });
    }
  });
});
