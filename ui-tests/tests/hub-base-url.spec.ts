/**
 * The same journey under JupyterHub's URL layout (--ServerApp.base_url=/user/demo/).
 * Plain Playwright: Galata's fixtures create their temporary folder at the server root.
 */
import { expect, test } from '@playwright/test';

import { checkServicesView } from './journeys';

test('services view works under /user/demo/', async ({ page, baseURL }) => {
  await page.goto(`${baseURL}/lab`);
  await expect(
    page.locator('.jp-LauncherCard', { hasText: 'ESCAPE Services' })
  ).toBeVisible({
    timeout: 60000
  });
  await checkServicesView(page, baseURL!);
});
