import { expect, test } from '@jupyterlab/galata';

import { contrastOf } from './contrast';
import { darkScreenshot } from './journeys';
import { readableFolder } from './readable';

const SHOTS = process.env.ESCAPE_SCREENSHOTS;

test.describe('Data Lake browser', () => {
  test.use({
    // One window size for the README's pictures, and a readable folder instead of Galata's
    // test-id one ('tests-…-root'), emptied before and removed after each test (review s3 §8).
    viewport: { width: 1440, height: 900 },
    tmpPath: readableFolder('cta-analysis') as any
  });

  test('browse a scope, open a dataset, see a file checksum and replicas', async ({
    page
  }) => {
    await page.sidebar.openTab('escape-datalake');
    const panel = page.locator('#escape-datalake');
    // Two instances are configured (see jupyter_server_test_config.py): a picker shows them.
    // The first connection gets a Rucio token: on a loaded machine that can take a while.
    await expect(panel.getByLabel('Rucio instance')).toHaveValue('testbed', {
      timeout: 30_000
    });
    await expect(
      panel.getByLabel('Rucio instance').locator('option:checked')
    ).toHaveText('Local Rucio testbed');
    await expect(panel.getByText('root (userpass)')).toBeVisible();
    // The token's expiry on its own line, whole, with its zone (review s3 §15).
    const token = panel.locator('.jp-escape-Datalake-token');
    await expect(token).toHaveText(
      /^token until (\d{4}-\d\d-\d\d )?\d\d:\d\d UTC$/
    );
    expect(await token.evaluate(t => t.scrollWidth <= t.clientWidth + 1)).toBe(
      true
    );
    // The fields at the sidebar's size, not JupyterLab's 16 px: the query's placeholder fits.
    const query = panel.getByLabel('Data Lake query');
    const fits = await query.evaluate(input => {
      const style = getComputedStyle(input);
      const canvas = document.createElement('canvas').getContext('2d')!;
      canvas.font = `${style.fontSize} ${style.fontFamily}`;
      const text = (input as HTMLInputElement).placeholder;
      const room =
        input.clientWidth -
        parseFloat(style.paddingLeft) -
        parseFloat(style.paddingRight);
      return { width: canvas.measureText(text).width, room, text };
    });
    expect(fits.width, JSON.stringify(fits)).toBeLessThanOrEqual(fits.room);

    // Browse the whole scope from its shortcut.
    const listing = page.waitForResponse(r =>
      r.url().includes('/escape/datalake/search')
    );
    await panel
      .getByRole('button', { name: 'escape_cta', exact: true })
      .click();
    expect((await listing).status()).toBe(200);
    await expect(panel.getByText(/^1,000 rows/)).toBeVisible();
    await expect(panel.getByText('limit of 1,000 reached')).toBeVisible();
    if (SHOTS) {
      await page.screenshot({ path: `${SHOTS}/datalake-browse.png` });
    }

    // Search one dataset with a wildcard and open it.
    await panel
      .getByLabel('Data Lake query')
      .fill('escape_cta:cta.prod5.south.gamma.run0001*');
    await panel.getByLabel('Type').selectOption('dataset');
    await panel.getByLabel('Data Lake query').press('Enter');
    const dataset = panel.locator('.jp-escape-Datalake-row', {
      hasText: 'cta.prod5.south.gamma.run0001.dl1'
    });
    await dataset.click();
    await expect(panel.getByText('8 rows')).toBeVisible();
    const details = panel.getByRole('region', {
      name: /Details of escape_cta:cta\.prod5/
    });
    await expect(details.getByText('ESCAPE_DISK')).toBeVisible();
    await expect(details.getByText('8 of 8 files · 1.44 MB')).toBeVisible();
    await expect(details.getByText('cta_prod5')).toBeVisible();
    if (SHOTS) {
      await page.screenshot({ path: `${SHOTS}/datalake-dataset.png` });
      await darkScreenshot(page, `${SHOTS}/datalake-dataset-dark.png`);
    }

    // A file: checksum and replicas.
    await panel
      .locator('.jp-escape-Datalake-row[data-type=file]')
      .first()
      .click();
    const file = panel.getByRole('region', {
      name: /Details of escape_cta:gamma_/
    });
    await expect(file.getByText(/^[0-9a-f]{8}$/)).toBeVisible();
    await expect(file.getByText(/^[0-9a-f]{32}$/)).toBeVisible();
    const replicas = file.getByRole('list', { name: 'Replicas' });
    await expect(replicas).toContainText('ESCAPE_DISK');
    await expect(replicas).toContainText('AVAILABLE');
    await expect(replicas).toContainText('readable over https');
    // The selected row is readable in both themes (review s3 §4: light text on light blue in
    // the dark theme), one colour across the row: the inner button and the size paint nothing.
    const selected = panel.locator(
      '.jp-escape-Datalake-rowWrap.jp-mod-selected'
    );
    await expect(selected).toHaveCount(1);
    for (const dark of [true, false]) {
      await page.evaluate(
        theme =>
          (window as any).jupyterapp.commands.execute('apputils:change-theme', {
            theme
          }),
        dark ? 'JupyterLab Dark' : 'JupyterLab Light'
      );
      await expect(page.locator('body')).toHaveAttribute(
        'data-jp-theme-light',
        dark ? 'false' : 'true'
      );
      await selected.hover();
      for (const part of [
        selected.locator('.jp-escape-Datalake-row'),
        selected.locator('.jp-escape-Datalake-rowName'),
        selected.locator('.jp-escape-Datalake-rowSize')
      ]) {
        const seen = await contrastOf(part);
        expect(seen.ratio, JSON.stringify(seen)).toBeGreaterThanOrEqual(4.5);
      }
      const inner = await contrastOf(
        selected.locator('.jp-escape-Datalake-row')
      );
      expect(inner.own).toBe('rgba(0, 0, 0, 0)');
    }
    if (SHOTS) {
      await page.screenshot({ path: `${SHOTS}/datalake-file.png` });
    }

    // Back to the results through the breadcrumbs.
    await panel
      .getByRole('navigation', { name: 'Data Lake location' })
      .getByText('Results')
      .click();
    await expect(dataset).toBeVisible();
  });

  test('explains a malformed query and an empty result', async ({ page }) => {
    await page.sidebar.openTab('escape-datalake');
    const panel = page.locator('#escape-datalake');
    await panel.getByLabel('Data Lake query').fill('bad scope!:x');
    await panel.getByLabel('Data Lake query').press('Enter');
    await expect(panel.getByRole('alert')).toContainText(
      "'bad scope!' is not a valid scope"
    );
    await panel
      .getByLabel('Data Lake query')
      .fill('escape_cta:nothing-like-this-*');
    await panel.getByLabel('Data Lake query').press('Enter');
    await expect(
      panel.getByText(
        'Nothing in the Data Lake matches “escape_cta:nothing-like-this-*”.'
      )
    ).toBeVisible();
  });

  test('the credentials dialog never shows a secret', async ({ page }) => {
    await page.sidebar.openTab('escape-datalake');
    const panel = page.locator('#escape-datalake');
    await panel.getByTitle(/^The Rucio account and password or token/).click();
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog.getByText('Rucio credentials')).toBeVisible();
    // The operator configured userpass for root: the form shows it, without the password.
    await expect(dialog.getByLabel('Method', { exact: true })).toHaveValue(
      'userpass'
    );
    await expect(
      dialog.getByLabel('Username', { exact: true })
    ).not.toHaveValue('');
    await expect(dialog.getByLabel('Password', { exact: true })).toHaveValue(
      ''
    );
    await dialog.getByLabel('Method', { exact: true }).selectOption('oidc');
    await expect(dialog.getByLabel('Token file')).toBeVisible();
    if (SHOTS) {
      await page.screenshot({ path: `${SHOTS}/datalake-credentials.png` });
    }
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toHaveCount(0);
  });

  test('switches between Rucio instances', async ({ page }) => {
    await page.sidebar.openTab('escape-datalake');
    const panel = page.locator('#escape-datalake');
    const instance = panel.getByLabel('Rucio instance');
    await expect(instance).toHaveValue('testbed');
    const whoami = page.waitForResponse(
      r =>
        r.url().includes('/escape/datalake/whoami') &&
        r.url().includes('instance=second')
    );
    await instance.selectOption({ label: 'Second testbed server' });
    expect((await whoami).status()).toBe(200);
    await expect(panel.locator('.jp-escape-Datalake-identity')).toHaveAttribute(
      'title',
      process.env.ESCAPE_TESTBED_SECOND_URL!
    );
    await panel
      .getByRole('button', { name: 'escape_lofar', exact: true })
      .click();
    await expect(panel.getByText(/^\d+ rows$/)).toBeVisible();
  });
});
