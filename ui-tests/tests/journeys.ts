/** Journeys shared by the root and the JupyterHub-style base_url projects. */
import { expect, Page } from '@playwright/test';

/** Open the services view from the launcher and check what each service shows. */
export async function checkServicesView(
  page: Page,
  labRoot: string,
  screenshots?: string
): Promise<void> {
  const statusCall = page.waitForResponse(r =>
    r.url().includes('/escape/status')
  );
  await page
    .locator('.jp-LauncherCard', { hasText: 'ESCAPE Services' })
    .click();
  const response = await statusCall;
  expect(response.status()).toBe(200);
  // The call goes below the server's base_url, whatever it is.
  expect(response.url().startsWith(`${labRoot}/escape/status`)).toBe(true);

  const view = page.locator('.jp-escape-Status');
  await expect(
    view.getByRole('heading', { name: 'ESCAPE services' })
  ).toBeVisible();

  const rucio = view.getByRole('listitem', { name: 'Rucio Data Lake' });
  await expect(rucio.getByText('Reachable', { exact: true })).toBeVisible();
  await expect(rucio.getByText(/^\d+\.\d+\.\d+/)).toBeVisible();
  await expect(
    rucio.getByText('Local Rucio testbed; account root (userpass)')
  ).toBeVisible();
  await expect(rucio.getByText(/^\d+ ms$/)).toBeVisible();
  // Reachable and signed in: the account whoami names, and when its token expires.
  await expect(rucio.getByText('Signs in: yes', { exact: true })).toBeVisible();
  await expect(rucio.getByText(/^expires .* · userpass sign-in/)).toBeVisible();

  // REANA is the local REANA stand-in (testbed/reana) that scripts/test starts.
  const reana = view.getByRole('listitem', { name: 'REANA workflows' });
  await expect(reana.getByText('Reachable', { exact: true })).toBeVisible();
  // The stand-in reports no version: said once, in the version row (review s3 §20).
  await expect(reana.getByText('not reported', { exact: true })).toBeVisible();
  await expect(reana.getByText(/version not reported/)).toHaveCount(0);

  // Zenodo is the local Zenodo stand-in (testbed/zenodo) that scripts/test starts.
  const zenodo = view.getByRole('listitem', { name: /Zenodo/ });
  await expect(zenodo.getByText('Reachable', { exact: true })).toBeVisible();
  await expect(
    zenodo.getByText(/^\d+ records in community escape2020$/)
  ).toBeVisible();

  // No secret ever reaches the page.
  const password = process.env.RUCIO_PASSWORD;
  expect(password, 'scripts/test exports the testbed password').toBeTruthy();
  expect(await response.text()).not.toContain(password);

  if (screenshots) {
    // Every card whole in the picture (review s3 §20: the last one was cut by the window).
    const last = view.getByRole('listitem').last();
    const [box, viewport] = [await last.boundingBox(), page.viewportSize()];
    expect(box!.y + box!.height).toBeLessThanOrEqual(viewport!.height - 24);
    await page
      .locator('.jp-MainAreaWidget')
      .filter({ has: view })
      .screenshot({ path: `${screenshots}/services-view.png` });
    await page.screenshot({ path: `${screenshots}/services-lab.png` });
    await darkScreenshot(page, `${screenshots}/services-lab-dark.png`);
  }
}

/** A screenshot of the page in JupyterLab Dark; the light theme is back afterwards. */
export async function darkScreenshot(page: Page, path: string) {
  const theme = (name: string) =>
    page.evaluate(
      theme =>
        (window as any).jupyterapp.commands.execute('apputils:change-theme', {
          theme
        }),
      name
    );
  await theme('JupyterLab Dark');
  await expect(page.locator('body')).toHaveAttribute(
    'data-jp-theme-light',
    'false'
  );
  // The theme change shows JupyterLab's splash for a moment: not in the picture.
  await expect(page.locator('#jupyterlab-splash')).toHaveCount(0, {
    timeout: 15_000
  });
  await page.screenshot({ path });
  await theme('JupyterLab Light');
  await expect(page.locator('body')).toHaveAttribute(
    'data-jp-theme-light',
    'true'
  );
}
