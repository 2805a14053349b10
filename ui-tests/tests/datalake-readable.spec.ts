/**
 * #21, a Data Lake that reads well at the sidebar's width: names that differ at their end stay
 * apart (cut in the middle, whole in the tooltip), the metadata filter suggests Rucio's keys and
 * explains an unknown one without clipping, a bad row limit is explained and searches nothing,
 * and a container's availability adds up its datasets.
 */
import { expect, test } from '@jupyterlab/galata';

import { darkScreenshot } from './journeys';
import { readableFolder } from './readable';

const SHOTS = process.env.ESCAPE_SCREENSHOTS;

test.describe('A Data Lake that reads well', () => {
  test.use({
    // One window size for the README's pictures, and a readable folder instead of Galata's
    // test-id one ('tests-…-root'), emptied before and removed after each test (review s3 §8).
    viewport: { width: 1440, height: 900 },
    tmpPath: readableFolder('lst-calibration') as any
  });

  test('names, metadata keys, limit and container availability', async ({
    page
  }) => {
    await page.sidebar.openTab('escape-datalake');
    const panel = page.locator('#escape-datalake');
    await expect(panel.getByLabel('Rucio instance')).toHaveValue('testbed', {
      timeout: 30_000
    });
    // Files whose names differ only near their end (lst1_calib_run04321.0000.dl1.h5, ...).
    await panel
      .getByLabel('Data Lake query')
      .fill('escape_cta:lst1_calib_run04321.00*');
    await panel.getByLabel('Data Lake query').press('Enter');
    // Rows whose names differ only at their end show their ends.
    const rows = panel.locator('.jp-escape-Datalake-row');
    await expect(rows.first()).toBeVisible();
    const tails = await panel
      .locator('.jp-escape-MiddleEllipsis-tail')
      .allTextContents();
    expect(tails.length).toBeGreaterThan(1);
    expect(new Set(tails).size).toBe(tails.length);
    const first = panel.locator('.jp-escape-MiddleEllipsis').first();
    const full = await first.getAttribute('title');
    expect(full).toMatch(/^lst1_calib_run04321\.00\d\d\.dl1\.h5$/);

    // A container: availability from its datasets, never "No replica on any storage".
    await panel.getByLabel('Data Lake query').fill('escape_cta:cta.prod5*');
    await panel.getByLabel('Type').selectOption('container');
    await panel.getByLabel('Data Lake query').press('Enter');
    await panel
      .locator('.jp-escape-Datalake-row[data-type=container]')
      .first()
      .click();
    const details = panel.getByRole('region', {
      name: /Details of escape_cta/
    });
    await expect(details.getByText(/ of \d+ files · /).first()).toBeVisible();
    await expect(details.getByText('No replica on any storage.')).toHaveCount(
      0
    );
    await panel.getByLabel('Type').selectOption('all');

    // Metadata filter: Rucio's keys suggested, an unknown one explained.
    await panel.getByRole('button', { name: /^Metadata filters/ }).click();
    await panel
      .getByRole('button', { name: /Add a filter|Add filter/ })
      .click();
    const key = panel.getByLabel('Filter key');
    const list = await key.getAttribute('list');
    const options = await page
      .locator(`datalist#${list} option`)
      .evaluateAll(o => o.map(x => (x as HTMLOptionElement).value));
    expect(options).toEqual(expect.arrayContaining(['datatype', 'project']));
    await key.fill('datatyp');
    await expect(panel.getByRole('note')).toContainText(
      'Rucio knows no metadata key “datatyp” here'
    );
    const box = await key.boundingBox();
    expect(box!.width).toBeGreaterThan(80); // not clipped at the sidebar's width

    // A limit of -5 is explained and searches nothing.
    const limit = panel.getByRole('spinbutton');
    await limit.fill('-5');
    await expect(panel.getByRole('alert')).toContainText('The limit is');
    await expect(
      panel.getByRole('button', { name: 'Search', exact: true })
    ).toBeDisabled();
    if (SHOTS) {
      await page.screenshot({ path: `${SHOTS}/datalake-readable.png` });
      await darkScreenshot(page, `${SHOTS}/datalake-readable-dark.png`);
    }
    await limit.fill('1000');
    await expect(panel.getByRole('alert')).toHaveCount(0);

    // The same listing in the main area as a table, the details beside it.
    await panel
      .getByLabel('Data Lake query')
      .fill('escape_cta:lst1_calib_run04321.00*');
    // The filters are still open: take the unknown key away.
    await panel.getByRole('button', { name: 'Remove this filter' }).click();
    await panel.getByLabel('Data Lake query').press('Enter');
    // The details the table asks for its lazy columns, counted per DID.
    const asked = new Map<string, number>();
    page.on('request', request => {
      const url = new URL(request.url());
      if (url.pathname.endsWith('/escape/datalake/details')) {
        const did = url.searchParams.get('did') ?? '';
        asked.set(did, (asked.get(did) ?? 0) + 1);
      }
    });
    await page.evaluate(async () => {
      await (window as any).jupyterapp.commands.execute(
        'escape:datalake-open-table'
      );
    });
    const table = page.locator('.jp-escape-DatalakeTable');
    await expect(table.getByRole('table')).toBeVisible();

    // Availability and created, loaded per row on screen from the DID details (#21).
    const dataRows = table.locator('tbody tr');
    const count = await dataRows.count();
    expect(count).toBeGreaterThan(1);
    const column = (n: number) =>
      table.locator(`tbody tr td:nth-child(${n})`).allTextContents();
    // The rows on screen get their details; the rows far below are not asked (100 rows here).
    await expect
      .poll(
        async () =>
          (await column(5)).slice(0, 15).filter(t => t !== '…').length,
        { timeout: 30_000 }
      )
      .toBe(Math.min(15, count));
    const loaded = (await column(5)).filter(t => t !== '…');
    for (const text of loaded) {
      expect(text).toMatch(/^(On \d+ RSEs?|Partial: \d+ %|None|unknown)$/);
    }
    // The testbed's calibration files each have a replica on one RSE.
    expect(loaded).toContain('On 1 RSE');
    expect((await column(6)).slice(0, 15).join('\n')).toMatch(
      /^(\d{4}-\d\d-\d\d \d\d:\d\d UTC\n?)+$/
    );
    if (count > 60) {
      expect(asked.size).toBeLessThan(count);
    }
    // Sorted by creation, newest first: the ISO times (tooltips) in descending order.
    await table.getByRole('button', { name: 'Created' }).click();
    await table.getByRole('button', { name: /^Created/ }).click();
    const created = await table
      .locator('tbody tr td:nth-child(6)')
      .evaluateAll(cells => cells.map(c => c.getAttribute('title') ?? ''));
    // The loaded rows first, newest first; the rows not loaded yet after them.
    const known = created.filter(Boolean);
    expect(created.slice(0, known.length)).toEqual([...known].sort().reverse());
    // Each DID asked once (kept once known), none for rows the table does not show.
    const shown = await dataRows.evaluateAll(r =>
      r.map(x => x.getAttribute('data-did'))
    );
    for (const [did, times] of asked) {
      expect(shown).toContain(did);
      expect(times).toBe(1);
    }
    if (SHOTS) {
      await page.screenshot({ path: `${SHOTS}/datalake-table-columns.png` });
      await darkScreenshot(page, `${SHOTS}/datalake-table-columns-dark.png`);
    }
    await table.getByRole('button', { name: /^Size/ }).click();
    const firstRow = table.getByRole('row').nth(1);
    await firstRow.click();
    await expect(
      table.getByRole('region', { name: /Details of escape_cta:/ })
    ).toBeVisible();
    await firstRow.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect(table.getByText('Loading details…')).toHaveCount(0, {
      timeout: 30_000
    });
    // No loading placeholder left on screen (review s3 §9): the rows in view have their facts.
    await expect
      .poll(
        () =>
          table.locator('tbody td[aria-busy="true"]').evaluateAll(
            cells =>
              cells.filter(c => {
                const box = c.getBoundingClientRect();
                return box.bottom > 0 && box.top < window.innerHeight;
              }).length
          ),
        { timeout: 30_000 }
      )
      .toBe(0);
    // The details once, beside the table: not in the sidebar too.
    await expect(
      panel.getByRole('region', { name: /Details of escape_cta:/ })
    ).toHaveCount(0);
    // With the details beside it, the Created column is whole (cut at '01:1' before).
    const clipped = await table
      .locator('tbody tr td:nth-child(6)')
      .evaluateAll(
        cells => cells.filter(c => c.scrollWidth > c.clientWidth + 1).length
      );
    expect(clipped).toBe(0);
    const main = await table
      .locator('.jp-escape-DatalakeTable-main')
      .evaluate(m => m.scrollWidth - m.clientWidth);
    expect(main).toBeLessThanOrEqual(1);
    if (SHOTS) {
      await page.screenshot({ path: `${SHOTS}/datalake-table.png` });
      await darkScreenshot(page, `${SHOTS}/datalake-table-dark.png`);
    }
  });
});
