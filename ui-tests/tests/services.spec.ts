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
});
