/**
 * Through a real JupyterHub signing in at a real OpenID Connect provider (testbed/hub): sign in,
 * open JupyterLab, browse and fetch from the Data Lake (Rucio validating the provider's JWTs),
 * wait past the access tokens' lifetime, keep browsing and fetching and submit a workflow (REANA
 * stand-in in bearer mode, checking JWTs with the provider's keys): no error, no restart. Then the
 * refresh token is revoked at the provider and the next call says "sign in again", with the
 * hub's login link.
 *
 * Measured (25-second tokens): sign-in to JupyterLab 10.7 s, the journey up to the finished
 * workflow 62 s, all of it with the revocation 1.6 min.
 */
import { expect, Page, test } from '@playwright/test';
import { execFileSync } from 'child_process';
import * as path from 'path';

const REPO = path.resolve(__dirname, '../..');
const SHOTS = process.env.ESCAPE_SCREENSHOTS;
const DATASET = 'cta.prod5.south.gamma.run0001.dl1';
const SCOPE = 'escape_cta';

function hub(...args: string[]): string {
  return execFileSync(path.join(REPO, 'testbed/hub/hub'), args, {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 300_000
  });
}

async function browse(page: Page, query: string, type: string, row: string) {
  const panel = page.locator('#escape-datalake');
  await panel.getByLabel('Data Lake query').fill(query);
  await panel.getByLabel('Type').selectOption(type);
  await panel.getByLabel('Data Lake query').press('Enter');
  await panel.locator('.jp-escape-Datalake-row', { hasText: row }).click();
  return panel.getByRole('region', { name: `Details of ${SCOPE}:${row}` });
}

async function fetchDetails(page: Page, details: ReturnType<Page['locator']>) {
  const started = page.waitForResponse(
    r =>
      r.url().includes('/escape/datalake/fetch') &&
      r.request().method() === 'POST'
  );
  await details.getByRole('button', { name: 'Fetch', exact: true }).click();
  expect((await started).status()).toBe(202);
}

// Leave the machine as found: the hub, its provider and its REANA stand-in stop afterwards.
test.afterAll(() => {
  hub('stop');
});

test('hub journey: fresh tokens past their lifetime, then sign in again', async ({
  page
}) => {
  test.setTimeout(300_000);
  const setup = JSON.parse(hub('journey').trim().split('\n').pop()!);
  const ttl = Number(setup.ttl);
  const errors: string[] = [];
  page.on('console', m => {
    if (m.type() === 'error') {
      console.log(`browser console: ${m.text()}`);
    }
  });
  page.on('response', async r => {
    if (r.url().includes('/escape/') && r.status() >= 400) {
      errors.push(`${r.status()} ${r.url()} ${await r.text().catch(() => '')}`);
    }
  });

  // Sign in: the hub sends the browser to the provider's login page and back.
  const t0 = Date.now();
  await page.goto(`${setup.url}/hub/oauth_login?next=/hub/spawn`);
  await expect(
    page.getByRole('heading', { name: 'ESCAPE test identity provider' })
  ).toBeVisible();
  await page.getByLabel('Username').fill(setup.user);
  await page.getByLabel('Password').fill(setup.password);
  if (SHOTS) {
    await page.screenshot({ path: `${SHOTS}/hub-signin.png` });
  }
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/user\/alice\/lab/, { timeout: 120_000 });
  await expect(page.locator('#jp-main-dock-panel')).toBeVisible({
    timeout: 120_000
  });
  await page.locator('#jupyterlab-splash').waitFor({ state: 'detached' });
  console.log(
    'sidebar tabs: ' +
      (await page
        .locator('.lm-TabBar-tab')
        .evaluateAll(tabs => tabs.map(t => t.getAttribute('data-id'))))
  );
  const signedIn = Date.now();
  if (SHOTS) {
    await page.screenshot({ path: `${SHOTS}/hub-lab.png` });
  }

  // Browse and fetch from the Data Lake: Rucio takes the hub's token for the audience rucio.
  await page
    .locator('.jp-SideBar .lm-TabBar-tab[data-id="escape-datalake"]')
    .click();
  let details = await browse(
    page,
    `${SCOPE}:cta.prod5.south.gamma.run0001*`,
    'dataset',
    DATASET
  );
  await expect(details.getByText('8 of 8 files · 1.44 MB')).toBeVisible();
  await fetchDetails(page, details);
  const fetches = page.getByRole('region', { name: 'Fetches' });
  await expect(
    fetches
      .getByRole('listitem', { name: `Fetch of ${DATASET}` })
      .first()
      .getByText('Done', { exact: true })
  ).toBeVisible({ timeout: 60_000 });

  // Past the lifetime of the tokens the hub handed out at sign-in.
  await page.waitForTimeout((ttl + 5) * 1000);
  details = await browse(
    page,
    `${SCOPE}:cta.prod5.south.gamma.run0002*`,
    'dataset',
    'cta.prod5.south.gamma.run0002.dl1'
  );
  await expect(details.getByText(/of \d+ files/)).toBeVisible();
  await fetchDetails(page, details);
  await expect(
    fetches
      .getByRole('listitem', {
        name: 'Fetch of cta.prod5.south.gamma.run0002.dl1'
      })
      .first()
      .getByText('Done', { exact: true })
  ).toBeVisible({ timeout: 60_000 });

  // Submit the example workflow: REANA takes the hub's token for the audience reana.
  await page
    .locator('.jp-SideBar .lm-TabBar-tab[data-id="filebrowser"]')
    .click();
  await page.locator('.jp-DirListing-item', { hasText: 'analysis' }).dblclick();
  await page
    .locator('.jp-DirListing-item', { hasText: 'reana.yaml' })
    .click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Submit to REANA' }).click();
  const dialog = page.locator('.jp-Dialog');
  const name = `hub${Date.now().toString(36)}`;
  await dialog.locator('input[name="workflow-name"]').fill(name);
  const submitted = page.waitForResponse(r =>
    r.url().includes('/escape/workflows/submit')
  );
  await dialog.getByRole('button', { name: 'Submit' }).click();
  expect((await submitted).status()).toBe(200);
  const detail = page.locator('.jp-escape-Workflows-Detail');
  await expect(
    detail.locator('.jp-escape-Workflows-Detail-header .jp-escape-Badge')
  ).toHaveText('finished', { timeout: 90_000 });
  expect(
    errors,
    'no /escape/ call failed while the tokens were renewed'
  ).toEqual([]);
  if (SHOTS) {
    await page.screenshot({ path: `${SHOTS}/hub-journey.png` });
  }
  console.log(
    `hub journey: sign-in to JupyterLab ${((signedIn - t0) / 1000).toFixed(1)} s, ` +
      `whole journey before revocation ${((Date.now() - t0) / 1000).toFixed(1)} s, token TTL ${ttl} s`
  );

  // The refresh token is revoked: once the tokens expire, one clear message with the login link.
  hub('revoke');
  await page.waitForTimeout((ttl + 3) * 1000);
  await page
    .locator('.jp-SideBar .lm-TabBar-tab[data-id="escape-datalake"]')
    .click();
  const panel = page.locator('#escape-datalake');
  await panel.getByLabel('Data Lake query').fill(`${SCOPE}:*`);
  await panel.getByLabel('Data Lake query').press('Enter');
  const banner = panel.locator('.jp-escape-ErrorBanner').first();
  await expect(banner).toContainText('sign in again at', { timeout: 30_000 });
  await expect(banner).toContainText(`${setup.url}/hub/login`);
  await expect(banner).not.toContainText('Traceback');
  if (SHOTS) {
    await page.screenshot({ path: `${SHOTS}/hub-signin-again.png` });
  }
});
