import { expect, test } from '@jupyterlab/galata';

import { checkServicesView } from './journeys';

test.describe('ESCAPE services view', () => {
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
    await palette
      .locator('.lm-CommandPalette-item', { hasText: /^ESCAPE Services/ })
      .first()
      .click();

    const view = page.locator('.jp-escape-Status');
    await expect(view.getByText(/Last checked at/)).toBeVisible();
    const again = page.waitForResponse(r => r.url().includes('/escape/status'));
    await view.getByRole('button', { name: 'Refresh' }).click();
    expect((await again).status()).toBe(200);
    await expect(view.getByRole('listitem')).toHaveCount(3);
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
        hasText: /^ESCAPE Services/
      })
    ).toHaveCount(1);
  });
});
