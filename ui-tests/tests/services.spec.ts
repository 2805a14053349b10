import { expect, test } from '@jupyterlab/galata';

import { checkServicesView, darkScreenshot } from './journeys';
import { readableFolder } from './readable';

const SHOTS = process.env.ESCAPE_SCREENSHOTS;

test.describe('ESCAPE services view', () => {
  test.use({
    // One window size for the README's pictures: the whole view in sight (the Zenodo card was
    // cut by the bottom of a 1024x768 window), light and dark alike (review s3 §20); a readable
    // folder instead of Galata's test-id one ('tests-…-root'), emptied before and removed
    // after each test (review s3 §8).
    viewport: { width: 1440, height: 900 },
    tmpPath: readableFolder('escape-services') as any
  });

  test('opens from the launcher and shows the state of each service', async ({
    page,
    baseURL
  }) => {
    await checkServicesView(page, baseURL!, process.env.ESCAPE_SCREENSHOTS);
  });

  test('opens from the command palette and refreshes on demand', async ({
    page
  }) => {
    await page.keyboard.press('Control+Shift+C');
    const palette = page.locator('#command-palette');
    await palette.locator('input').fill('ESCAPE Services');
    const item = palette.locator('.lm-CommandPalette-item', {
      hasText: /^Open the ESCAPE Services/
    });
    // Under its service's category (the modal palette hides the headings, so labels say
    // their service themselves), with the view's icon (#21).
    await expect(
      palette.locator('.lm-CommandPalette-header', { hasText: /^ESCAPE$/ })
    ).toHaveCount(1);
    await expect(item.locator('.lm-CommandPalette-itemIcon svg')).toHaveCount(
      1
    );
    await item.first().click();

    const view = page.locator('.jp-escape-Status');
    await expect(view.getByText(/Last checked at/)).toBeVisible();
    const again = page.waitForResponse(r => r.url().includes('/escape/status'));
    await view.getByRole('button', { name: 'Refresh' }).click();
    expect((await again).status()).toBe(200);
    await expect(view.getByRole('listitem')).toHaveCount(3);
  });

  test('the palette names every REANA command after REANA, each with its icon (#21)', async ({
    page
  }) => {
    const theme = async (name: string, light: string) => {
      await page.evaluate(
        t =>
          (window as any).jupyterapp.commands.execute('apputils:change-theme', {
            theme: t
          }),
        name
      );
      await expect(page.locator('body')).toHaveAttribute(
        'data-jp-theme-light',
        light
      );
      await expect(page.locator('#jupyterlab-splash')).toHaveCount(0, {
        timeout: 15_000
      });
    };
    const look = async (picture: string | null) => {
      await page.keyboard.press('Control+Shift+C');
      const palette = page.locator('#command-palette');
      await palette.locator('input').fill('REANA');
      const items = palette.locator('.lm-CommandPalette-item:visible');
      await expect(
        items.filter({ hasText: 'Open the REANA Workflows' })
      ).toHaveCount(1);
      await expect(
        items.filter({ hasText: 'Submit a REANA Workflow…' })
      ).toHaveCount(1);
      // Verb first, like the others (review s3 §20).
      await expect(
        items.locator('.lm-CommandPalette-itemLabel', {
          hasText: /^Manage REANA Secrets…$/
        })
      ).toHaveCount(1);
      const labels = await items
        .locator('.lm-CommandPalette-itemLabel')
        .allTextContents();
      for (let i = 0; i < labels.length; i++) {
        if (labels[i].includes('REANA')) {
          await expect(
            items.nth(i).locator('.lm-CommandPalette-itemIcon svg')
          ).toHaveCount(1);
        }
      }
      if (picture) {
        await page.screenshot({ path: picture });
      }
      await page.keyboard.press('Escape');
    };
    await look(SHOTS ? `${SHOTS}/palette-reana.png` : null);
    if (SHOTS) {
      await theme('JupyterLab Dark', 'false');
      await look(`${SHOTS}/palette-reana-dark.png`);
      await theme('JupyterLab Light', 'true');
    }
  });

  test('the command ids of earlier releases still work (aliases)', async ({
    page
  }) => {
    // The command's result is the view widget, which cannot cross into the test: return nothing.
    await page.evaluate(async () => {
      await (window as any).jupyterapp.commands.execute('escape:open-services');
    });
    await expect(
      page.locator('.jp-escape-Status').getByText(/Last checked at/)
    ).toBeVisible();
    // Aliases stay out of the palette.
    const ids = await page.evaluate(() =>
      (window as any).jupyterapp.commands.listCommands()
    );
    expect(ids).toContain('escape:reana-open');
    expect(ids).toContain('escape:workflows-open');
    await page.keyboard.press('Control+Shift+C');
    const palette = page.locator('#command-palette');
    await palette.locator('input').fill('ESCAPE Services');
    await expect(
      palette.locator('.lm-CommandPalette-item', {
        hasText: /^Open the ESCAPE Services/
      })
    ).toHaveCount(1);
  });

  test('a wrong Rucio password is reachable but signs in: no, in red, with the way to fix it', async ({
    page,
    baseURL
  }) => {
    const credentials = `${baseURL}/escape/datalake/credentials`;
    const saved = await page.request.put(credentials, {
      data: { auth_type: 'userpass', username: 'root', password: 'wrong-pw-21' }
    });
    expect(saved.status()).toBe(200);
    try {
      await page.evaluate(async () => {
        await (window as any).jupyterapp.commands.execute('escape:status-open');
      });
      const view = page.locator('.jp-escape-Status');
      const rucio = view.getByRole('listitem', { name: 'Rucio Data Lake' });
      await expect(rucio.getByText('Reachable', { exact: true })).toBeVisible();
      const no = rucio.getByText('Signs in: no', { exact: true });
      await expect(no).toBeVisible();
      await expect(no).toHaveClass(/jp-escape-Badge-error/);
      // Rucio's own words, in the error colour.
      const words = rucio.getByText(/^Signing in failed: Rucio refused/);
      await expect(words).toBeVisible();
      await expect(words).toHaveClass(/jp-mod-error/);
      // The other services still sign in (REANA is the stand-in with its token).
      const reana = view.getByRole('listitem', { name: 'REANA workflows' });
      await expect(reana.getByText('Signs in: yes')).toBeVisible();
      await expect(reana.getByText('jane.doe@escape.example')).toBeVisible();
      if (SHOTS) {
        // The whole window in both themes (the light one was a crop of the view).
        await page.screenshot({ path: `${SHOTS}/services-signin.png` });
        await darkScreenshot(page, `${SHOTS}/services-signin-dark.png`);
      }
      // The card leads to the credentials dialog.
      await rucio.getByRole('button', { name: 'Rucio credentials…' }).click();
      const dialog = page.locator('.jp-Dialog');
      await expect(dialog.getByText('Rucio credentials')).toBeVisible();
      await dialog.getByRole('button', { name: 'Cancel' }).click();
    } finally {
      expect((await page.request.delete(credentials)).status()).toBe(200);
    }
    // Back to the operator's credentials: signs in again.
    const view = page.locator('.jp-escape-Status');
    await view.getByRole('button', { name: 'Refresh' }).click();
    const rucio = view.getByRole('listitem', { name: 'Rucio Data Lake' });
    await expect(rucio.getByText('Signs in: yes')).toBeVisible();
    await expect(rucio.getByText('root', { exact: true })).toBeVisible();
  });
});
