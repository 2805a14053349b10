/**
 * The Software Catalogue journey against the Zenodo stand-in (testbed/zenodo), which
 * scripts/test starts and exports as ESCAPE_ZENODO_URL.
 */
import { expect, test } from '@jupyterlab/galata';
import { APIRequestContext, Page } from '@playwright/test';
import { readableFolder } from './readable';
import { darkScreenshot } from './journeys';

const ZENODO = process.env.ESCAPE_ZENODO_URL;
const SHOTS = process.env.ESCAPE_SCREENSHOTS;
/**
 * The workspace folder, named as a user would name it (it shows in the file browser; review s3
 * §8); made afresh for each run and deleted after it, as Galata does with its own.
 */
const WORKSPACE = 'crab-nebula-study';

async function standin(request: APIRequestContext, body: object) {
  const response = await request.post(`${ZENODO}/_standin/control`, {
    data: body
  });
  expect(response.ok()).toBe(true);
}

async function upstreamSearches(request: APIRequestContext): Promise<number> {
  return (await (await request.get(`${ZENODO}/_standin/stats`)).json())
    .searches;
}

async function openCatalogue(page: Page) {
  const sidebar = page.locator('#jp-escape-catalogue');
  if (!(await sidebar.isVisible())) {
    await page.locator('[data-id="jp-escape-catalogue"]').click();
  }
  await expect(sidebar).toBeVisible();
  return sidebar;
}

async function cellSources(page: Page): Promise<[string, string][]> {
  return page.evaluate(() => {
    const app = (window as any).jupyterapp;
    const panel = app.shell.currentWidget;
    return panel.content.widgets.map((cell: any) => [
      cell.model.type,
      cell.model.sharedModel.getSource()
    ]);
  });
}

test.describe('Software Catalogue', () => {
  test.skip(!ZENODO, 'needs the Zenodo stand-in (scripts/test starts it)');
  test.use({
    viewport: { width: 1440, height: 900 },
    tmpPath: readableFolder(WORKSPACE)
  });

  test('search, filter, open a record, insert its citation and install cell', async ({
    page,
    request
  }) => {
    await standin(request, { reset: true });
    await page.notebook.createNew('catalogue.ipynb');
    const sidebar = await openCatalogue(page);

    // The first visit lists the newest OSSR records.
    await expect(sidebar.getByText(/^\d+ records$/)).toBeVisible();
    const before = await upstreamSearches(request);

    // A 12-character query typed at human speed: debounced into at most 2 searches.
    const box = sidebar.getByRole('searchbox', {
      name: 'Search the software catalogue'
    });
    const answered = page.waitForResponse(
      r =>
        r.url().includes('/escape/catalogue/search') &&
        r.url().includes('q=cherenkov+te&')
    );
    await box.pressSequentially('cherenkov te', { delay: 150 });
    expect((await answered).status()).toBe(200);
    await page.waitForTimeout(1500); // no late search may follow
    await expect(sidebar.getByText(/^\d+ records$/)).toBeVisible();
    const typed = (await upstreamSearches(request)) - before;
    expect(typed).toBeGreaterThanOrEqual(1);
    expect(typed).toBeLessThanOrEqual(2);

    // Filter by a facet Zenodo returned.
    const types = sidebar.getByRole('group', { name: 'Resource types' });
    await types.getByRole('button', { name: /^Software/ }).click();
    await expect(
      sidebar.getByRole('button', { name: 'software ×' })
    ).toBeVisible();
    const cards = sidebar.locator('.jp-escape-Catalogue-result');
    await expect(cards.first()).toBeVisible();
    for (const type of await cards
      .locator('.jp-escape-Catalogue-type')
      .allTextContents()) {
      expect(type).toBe('Software');
    }
    if (SHOTS) {
      await sidebar.screenshot({ path: `${SHOTS}/catalogue-search.png` });
    }

    // Open the first record.
    const title = await cards
      .first()
      .locator('.jp-escape-Catalogue-title')
      .textContent();
    await cards.first().locator('.jp-escape-Catalogue-title').click();
    await expect(sidebar.getByRole('heading', { name: title! })).toBeVisible();
    await expect(sidebar.getByText('latest', { exact: true })).toBeVisible();
    await expect(sidebar.getByRole('region', { name: 'Files' })).toBeVisible();
    // review s3 §6: the licence by its name and SPDX id, not Zenodo's lower-case id
    await expect(
      sidebar.locator(
        '.jp-escape-Catalogue-record .jp-escape-Catalogue-licence'
      )
    ).toHaveText(/^.+ \((?=[^)]*[A-Z])[^)]+\)$/);
    // review s3 §22: the five actions in one style, each on one line; a select with a chevron
    const actions = sidebar.locator('.jp-escape-Catalogue-actions');
    const buttons = await actions.locator('button').evaluateAll(all =>
      all.map(b => ({
        className: b.className,
        height: Math.round(b.getBoundingClientRect().height)
      }))
    );
    expect(buttons).toHaveLength(5);
    expect(new Set(buttons.map(b => b.className)).size).toBe(1);
    expect(new Set(buttons.map(b => b.height)).size).toBe(1);
    expect(
      await actions
        .getByRole('combobox', { name: 'Citation style' })
        .evaluate(e => getComputedStyle(e).appearance)
    ).not.toBe('none');

    // Insert the citation (APA + BibTeX) and the install cell into the notebook.
    await sidebar.getByRole('button', { name: 'Insert citation' }).click();
    await expect
      .poll(async () => (await cellSources(page)).length)
      .toBeGreaterThanOrEqual(1);
    await sidebar.getByRole('button', { name: 'Insert install cell' }).click();
    await expect
      .poll(async () =>
        (await cellSources(page)).some(
          ([type, source]) => type === 'code' && source.startsWith('# Install ')
        )
      )
      .toBe(true);
    const cells = await cellSources(page);
    const citation = cells.find(([type]) => type === 'markdown');
    expect(citation?.[1]).toContain('**Software used:**');
    expect(citation?.[1]).toMatch(/https:\/\/doi\.org\/10\.5281\/zenodo\.\d+/);
    expect(citation?.[1]).toContain('```bibtex');
    const install = cells.find(([type]) => type === 'code')![1];
    expect(install).toMatch(/%pip install|!git clone|fetch its files/);
    // The citation cell is rendered markdown in the notebook.
    await expect(
      page.locator('.jp-MarkdownCell .jp-RenderedMarkdown', {
        hasText: 'Software used:'
      })
    ).toBeVisible();
    if (SHOTS) {
      await page.mouse.move(700, 700); // no hover left on the last button clicked
      await page.screenshot({ path: `${SHOTS}/catalogue.png` });
      await darkScreenshot(page, `${SHOTS}/catalogue-dark.png`);
    }
  });

  test('slows down on 429 and retries on its own', async ({
    page,
    request
  }) => {
    await standin(request, { reset: true });
    const sidebar = await openCatalogue(page);
    await expect(sidebar.getByText(/^\d+ records$/)).toBeVisible();
    await standin(request, { rate_limit_next: 1, retry_after: 8 });
    const box = sidebar.getByRole('searchbox', {
      name: 'Search the software catalogue'
    });
    await box.fill('pulsar');
    await box.press('Enter');
    await expect(
      sidebar.getByText(/Zenodo asks us to slow down: retrying in \d s/)
    ).toBeVisible();
    await expect(sidebar.getByText(/^\d+ records?$/)).toBeVisible({
      timeout: 15000
    });
  });
});
