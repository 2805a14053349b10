/**
 * #21: "REANA status in the detail view and sidebar within one poll interval of the change",
 * measured against the REANA stand-in (testbed/reana) in the browser. The test asks the stand-in
 * itself for the run's status; every answer the page gets from our workflow route (detail view)
 * and list route (sidebar) is logged in the same order. Counted in polls, never in seconds: once
 * the stand-in says "finished", at most one detail poll (one already on its way) may still say
 * otherwise, the detail view shows it at the first answer that says it, and the sidebar shows it
 * without waiting for a poll of its own.
 */
import { expect, test } from '@jupyterlab/galata';
import * as path from 'path';

const REANA = process.env.ESCAPE_REANA_URL;
const TOKEN = process.env.ESCAPE_REANA_TOKEN ?? 'standin-reana-token';
const EXAMPLE = path.resolve(__dirname, '../../testbed/reana/example');

type Event =
  | { kind: 'standin'; status: string }
  | { kind: 'detail'; status: string }
  | { kind: 'list'; status: string | null }
  | { kind: 'detail-shown' | 'sidebar-shown' };

test.describe('REANA status lag (#21)', () => {
  test.skip(!REANA, 'needs the REANA stand-in (scripts/test starts it)');
  test.use({ viewport: { width: 1440, height: 900 } });

  test('the detail view and the sidebar show "finished" within one poll of the stand-in', async ({
    page,
    request,
    tmpPath
  }) => {
    test.setTimeout(120_000);
    const events: Event[] = [];
    let id = '';
    page.on('response', async response => {
      const url = new URL(response.url());
      if (!id || !url.pathname.includes('/escape/workflows/workflows')) {
        return;
      }
      const body = await response.json().catch(() => null);
      if (!body) {
        return;
      }
      if (url.pathname.endsWith(`/workflows/${id}`)) {
        events.push({ kind: 'detail', status: body.status });
      } else if (url.pathname.endsWith('/escape/workflows/workflows')) {
        const item = (body.items ?? []).find((w: any) => w.id === id);
        events.push({ kind: 'list', status: item?.status ?? null });
      }
    });

    await page.contents.uploadDirectory(EXAMPLE, `${tmpPath}/analysis`);
    await page.filebrowser.openDirectory(`${tmpPath}/analysis`);
    await page
      .locator('.jp-DirListing-item', { hasText: 'reana.yaml' })
      .click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Submit to REANA' }).click();
    const dialog = page.locator('.jp-Dialog');
    const name = `lag${Date.now().toString(36)}`;
    await dialog.locator('input[name="workflow-name"]').fill(name);
    const submitted = page.waitForResponse(r =>
      r.url().includes('/escape/workflows/submit')
    );
    await dialog.getByRole('button', { name: 'Submit' }).click();
    const lines = (await (await submitted).text())
      .split('\n')
      .filter(Boolean)
      .map(line => JSON.parse(line));
    id = lines[lines.length - 1].workflow_id;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    const detail = page.locator('.jp-escape-Workflows-Detail');
    const badge = detail.locator(
      '.jp-escape-Workflows-Detail-header .jp-escape-Badge'
    );
    const sidebar = page.locator('#jp-escape-workflows');
    const sidebarRow = sidebar.getByRole('button', {
      name: `${name}.1 finished`
    });
    await expect(
      sidebar.getByRole('button', { name: new RegExp(`^${name}\\.1 `) })
    ).toBeVisible({ timeout: 30_000 });

    // The truth, asked of the stand-in itself, and what the page shows, in one ordered log.
    let detailShown = false;
    let sidebarShown = false;
    for (
      let round = 0;
      round < 400 && !(detailShown && sidebarShown);
      round++
    ) {
      const truth = await request.get(
        `${REANA}/api/workflows/${id}/status?access_token=${TOKEN}`
      );
      const status = (await truth.json()).status as string;
      if (!events.some(e => e.kind === 'standin' && e.status === status)) {
        events.push({ kind: 'standin', status });
      }
      if (!detailShown && (await badge.textContent()) === 'finished') {
        detailShown = true;
        events.push({ kind: 'detail-shown' });
      }
      if (!sidebarShown && (await sidebarRow.count()) === 1) {
        sidebarShown = true;
        events.push({ kind: 'sidebar-shown' });
      }
      await page.waitForTimeout(100); // the pace of the rounds only
    }
    expect(detailShown && sidebarShown).toBe(true);

    const at = (test: (e: Event) => boolean) => events.findIndex(test);
    const finishedAt = at(e => e.kind === 'standin' && e.status === 'finished');
    const firstFinishedDetail = at(
      e => e.kind === 'detail' && e.status === 'finished'
    );
    const detailShownAt = at(e => e.kind === 'detail-shown');
    const sidebarShownAt = at(e => e.kind === 'sidebar-shown');
    expect(finishedAt).toBeGreaterThanOrEqual(0);
    expect(firstFinishedDetail).toBeGreaterThanOrEqual(0);
    // Our route never says "finished" before the stand-in does... (asked after it, so its
    // answer can only come later in the log, or one round earlier than the test saw it).
    const stale = events
      .slice(finishedAt)
      .filter(e => e.kind === 'detail' && e.status !== 'finished').length;
    // ...and once the stand-in says it, at most one detail poll (already on its way) is stale.
    expect(stale).toBeLessThanOrEqual(1);
    // The detail view shows it at the first answer that says it: no further detail poll first.
    const detailPollsBeforeShown = events
      .slice(firstFinishedDetail + 1, detailShownAt)
      .filter(e => e.kind === 'detail').length;
    expect(detailPollsBeforeShown).toBe(0);
    // The sidebar shows it from what the detail view read: no list poll needed in between.
    const listPollsBeforeSidebar = events
      .slice(firstFinishedDetail + 1, sidebarShownAt)
      .filter(e => e.kind === 'list').length;
    expect(listPollsBeforeSidebar).toBeLessThanOrEqual(1);
    console.log(
      `#21 status lag, in polls: detail polls stale after the stand-in's change ${stale}, ` +
        `detail polls before the view showed it ${detailPollsBeforeShown}, ` +
        `list polls before the sidebar showed it ${listPollsBeforeSidebar}; log ${JSON.stringify(events.map(e => ('status' in e ? `${e.kind}:${e.status}` : e.kind)))}`
    );
  });
});
