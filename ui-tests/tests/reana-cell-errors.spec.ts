/**
 * Errors of the "Run Cell as REANA Workflow" command end in the cell and in the toast (#21):
 * an option the %%reana line does not know, a -p without key=value, and a refusal of the server
 * (an invalid specification), each shown in the cell's output with the cell's line numbers,
 * never a "Submitting…" spinner without an end.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';

import { darkScreenshot } from './journeys';
import { setCellSource } from './readable';

const REANA = process.env.ESCAPE_REANA_URL;
const SHOTS = process.env.ESCAPE_SCREENSHOTS;

const SPEC = `version: 0.9.0
inputs:
  parameters:
    events: 10
workflow:
  type: serial
  specification:
    steps:
      - environment: docker.io/library/python:3.12-slim
        commands:
          - echo \${events}`;

async function runCellCommand(page: IJupyterLabPageFixture): Promise<void> {
  await page.notebook.selectCells(0);
  await page
    .locator('.jp-Notebook .jp-Cell')
    .first()
    .click({ button: 'right' });
  await page
    .getByRole('menuitem', { name: 'Run Cell as REANA Workflow' })
    .click();
}

test.describe('REANA cell command errors', () => {
  test.skip(!REANA, 'needs the REANA stand-in (scripts/test starts it)');
  test.use({ viewport: { width: 1280, height: 800 } });

  for (const [option, words] of [
    ['--bogus', /unknown option '--bogus'/],
    ['-p nokey', /-p takes key=value, got 'nokey'/]
  ] as const) {
    test(`%%reana ${option} ends in error, in the cell and in the toast`, async ({
      page,
      tmpPath
    }) => {
      await page.contents.createDirectory(tmpPath);
      await page.filebrowser.openDirectory(tmpPath);
      await page.notebook.createNew('errors.ipynb');
      // Through the model: typed, the editor would re-indent the YAML (s3 §12).
      await setCellSource(page, 0, `%%reana ${option}\n${SPEC}`);
      await runCellCommand(page);

      const cell = page.locator('.jp-Notebook .jp-Cell').first();
      const error = cell.locator('.jp-OutputArea-output');
      await expect(error).toContainText(words, { timeout: 30_000 });
      await expect(error).toContainText('(cell line 1)');
      await expect(error).toContainText(`--> 1 | %%reana ${option}`);
      const toast = page.locator('.jp-Notification-Toast-error', {
        hasText: words
      });
      await expect(toast).toBeVisible();
      await expect(page.getByText(/^Submitting .* to REANA…$/)).toHaveCount(0);
      if (SHOTS && option === '--bogus') {
        await page.screenshot({ path: `${SHOTS}/reana-cell-error.png` });
        await darkScreenshot(page, `${SHOTS}/reana-cell-error-dark.png`);
      }
    });
  }

  test('a refusal of the server ends in the cell with the line of the cell', async ({
    page,
    tmpPath
  }) => {
    await page.contents.createDirectory(tmpPath);
    await page.filebrowser.openDirectory(tmpPath);
    await page.notebook.createNew('refused.ipynb');
    // Line 7 of the cell (line 6 of the YAML) has a type REANA does not know.
    const bad = SPEC.replace('type: serial', 'type: nonsense');
    await setCellSource(page, 0, `%%reana -n refused\n${bad}`);
    await runCellCommand(page);
    const cell = page.locator('.jp-Notebook .jp-Cell').first();
    const error = cell.locator('.jp-OutputArea-output');
    await expect(error).toContainText(/nonsense/, { timeout: 30_000 });
    // Line 7 of the cell: the output shows it numbered as the cell numbers it, with an arrow.
    await expect(error).toContainText(/'nonsense' \(line 7\)/);
    await expect(error).toContainText(/--> 7 \|\s+type: nonsense/);
    await expect(
      page.locator('.jp-Notification-Toast-error', {
        hasText: /refused\.ipynb to REANA failed: .*cannot be sub/
      })
    ).toBeVisible();
  });
});
