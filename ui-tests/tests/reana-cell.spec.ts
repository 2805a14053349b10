/**
 * REANA from a notebook cell, against the REANA stand-in that scripts/test starts: a %%reana
 * cell run with the cell command, followed live to finished, an output downloaded and opened,
 * the notebook reopened with its stored final state (no new submission, no polling); then the
 * same launch through the kernel magic with Shift+Enter.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import * as fs from 'fs';
import * as path from 'path';

import { darkScreenshot } from './journeys';
import { readableFolder, setCellSource } from './readable';

const REANA = process.env.ESCAPE_REANA_URL;
const SHOTS = process.env.ESCAPE_SCREENSHOTS;
const EXAMPLE = path.resolve(__dirname, '../../testbed/reana/example');
const SPEC = fs
  .readFileSync(path.join(EXAMPLE, 'reana.yaml'), 'utf-8')
  .split('\n')
  .filter(line => !line.startsWith('#'))
  .join('\n');

/** The example analysis uploaded, and a new notebook in its folder. */
async function notebookBesideExample(
  page: IJupyterLabPageFixture,
  tmpPath: string,
  notebook: string
): Promise<void> {
  await page.contents.uploadDirectory(EXAMPLE, `${tmpPath}/analysis`);
  await page.filebrowser.openDirectory(`${tmpPath}/analysis`);
  await page.notebook.createNew(notebook);
}

/** The run the cell's output shows (REANA numbers the runs of a name: crab-fit.4). */
async function runShown(page: IJupyterLabPageFixture, name: string) {
  const output = page.getByRole('region', {
    name: new RegExp(`^REANA workflow ${name}\\.\\d+$`)
  });
  await expect(output).toBeVisible({ timeout: 60_000 });
  const label = (await output.getAttribute('aria-label'))!;
  return { output, run: label.replace('REANA workflow ', '') };
}

test.describe('REANA from a notebook cell', () => {
  test.skip(!REANA, 'needs the REANA stand-in (scripts/test starts it)');
  test.use({
    viewport: { width: 1280, height: 900 },
    // Readable names in the pictures: the folder, the notebook, the workflow (s3 §8).
    tmpPath: readableFolder('crab-analysis') as any
  });

  test('run a %%reana cell with the cell command, follow it, reopen it', async ({
    page,
    tmpPath
  }) => {
    test.setTimeout(150_000);
    const name = 'crab-fit';
    const notebook = 'analysis.ipynb';
    await notebookBesideExample(page, tmpPath, notebook);
    // Set through the model: the spec reads as the file is indented (s3 §12).
    const source = `%%reana -n ${name} -p events=7\n${SPEC}`;
    await setCellSource(page, 0, source);
    expect(await page.notebook.getCellTextInput(0)).toBe(source);

    const submits: string[] = [];
    const polls: string[] = [];
    page.on('request', request => {
      const url = request.url();
      if (url.includes('/escape/workflows/submit')) {
        submits.push(url);
      } else if (url.includes('/escape/workflows/workflows/')) {
        polls.push(url);
      }
    });

    // The cell toolbar offers the command on a %%reana cell.
    await page.notebook.selectCells(0);
    await expect(
      page
        .locator('.jp-Notebook .jp-Cell')
        .first()
        .locator('.jp-cell-toolbar [data-command="escape:workflows-run-cell"]')
    ).toBeVisible();

    // The cell's context menu: Run Cell as REANA Workflow.
    await page
      .locator('.jp-Notebook .jp-Cell')
      .first()
      .click({ button: 'right' });
    await page
      .getByRole('menuitem', { name: 'Run Cell as REANA Workflow' })
      .click();

    const { output, run } = await runShown(page, name);
    await expect(output.getByText('finished', { exact: true })).toBeVisible({
      timeout: 60_000
    });
    await expect(output).toContainText('2/2 jobs');
    expect(submits).toHaveLength(1);

    await output
      .getByRole('button', { name: 'Download outputs into workspace' })
      .click();
    const downloaded = output.getByRole('list', { name: 'Downloaded outputs' });
    // Next to the notebook (#21): in its folder, where the notebook's own code looks; shown
    // relative to it, the workspace path in the title (s3 §12).
    const fitJson = `reana/${run}/results/fit.json`;
    const link = downloaded.getByRole('button', { name: fitJson });
    await expect(link).toHaveAttribute(
      'title',
      `${tmpPath}/analysis/reana/${run}/results/fit.json`
    );
    // Left-aligned beside its bullet, not centred (s3 §12).
    const item = (await link.locator('xpath=..').boundingBox())!;
    const box = (await link.boundingBox())!;
    expect(Math.abs(box.x - item.x)).toBeLessThan(2);
    expect(await link.evaluate(b => getComputedStyle(b).textAlign)).toBe(
      'left'
    );
    if (SHOTS) {
      await page.screenshot({ path: `${SHOTS}/reana-cell.png` });
      await darkScreenshot(page, `${SHOTS}/reana-cell-dark.png`);
    }
    await link.click();
    await expect(
      page.locator('.lm-TabBar-tab', { hasText: 'fit.json' }).first()
    ).toBeVisible();

    // Close and reopen: the stored final state, without submitting or polling again.
    await page.activity.activateTab(notebook);
    await page.notebook.save();
    await page.notebook.close();
    const before = { submits: submits.length, polls: polls.length };
    await page.filebrowser.open(notebook);
    const reopened = page.getByRole('region', {
      name: `REANA workflow ${run}`
    });
    await expect(reopened.getByText('finished', { exact: true })).toBeVisible();
    await expect(reopened).toContainText('2/2 jobs');
    // The notebook toolbar sums up the workflows launched from it.
    await expect(
      page.getByLabel('REANA workflows of this notebook')
    ).toHaveText('REANA: 1 finished');
    await page.waitForTimeout(2000);
    expect(submits.length).toBe(before.submits);
    expect(polls.length).toBe(before.polls);
  });

  test('Shift+Enter on a %%reana cell launches it through the kernel magic', async ({
    page,
    tmpPath
  }) => {
    test.setTimeout(150_000);
    const name = 'crab-fit';
    await notebookBesideExample(page, tmpPath, 'analysis.ipynb');
    await page.notebook.setCell(0, 'code', '%load_ext jupyterlab_escape');
    await page.notebook.addCell('code', '');
    await setCellSource(page, 1, `%%reana -n ${name}\n${SPEC}`);
    await page.notebook.runCell(0);
    await page.notebook.runCell(1);
    const { output } = await runShown(page, name);
    await expect(output.getByText('finished', { exact: true })).toBeVisible({
      timeout: 60_000
    });
    if (SHOTS) {
      await page.screenshot({ path: `${SHOTS}/reana-cell-magic.png` });
    }
  });
});
