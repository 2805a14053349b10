/** Documentation screenshots show what they document: no incidental toast (review s3 §19). */
import { expect, Page } from '@playwright/test';

/** Close every toast on screen (their "Hide notification" buttons) and wait until none is left. */
export async function dismissToasts(page: Page): Promise<void> {
  const toasts = page.locator('.Toastify__toast');
  for (let round = 0; round < 10 && (await toasts.count()) > 0; round++) {
    const close = page.locator('.Toastify__toast [title="Hide notification"]');
    if ((await close.count()) > 0) {
      // Toasts slide in and out: a click that waits for a still element may never come.
      await close.first().dispatchEvent('click');
    }
    await page.waitForTimeout(100);
  }
  await expect(toasts).toHaveCount(0);
}
