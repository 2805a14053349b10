/**
 * #21, smaller truths seen in screenshots: an expired sign-in's login address is a link in the
 * Data Lake (the `login_url` of the error envelope), and a fetch card's counts add up (files
 * already there are counted once).
 */
import { expect, test } from '@jupyterlab/galata';

import { darkScreenshot } from './journeys';
import { readableFolder } from './readable';

const SHOTS = process.env.ESCAPE_SCREENSHOTS;
const LOGIN = 'http://127.0.0.1:18600/hub/login';

test.describe('Smaller truths (#21)', () => {
  test.use({
    // One window size for the README's pictures, and a readable folder instead of Galata's
    // test-id one ('tests-…-root'), emptied before and removed after each test (review s3 §8).
    viewport: { width: 1440, height: 900 },
    tmpPath: readableFolder('crab-fetch') as any
  });

  test('an expired sign-in says where to sign in again, as a link', async ({
    page
  }) => {
    // The envelope the server answers under a hub whose refresh token was revoked (the hub
    // journey reaches it for real; here the answer is given to see the view). Its sentence is
    // the server's own, word for word (HubTokens.signin_expired; a pytest compares them).
    await page.route('**/escape/datalake/whoami**', route =>
      route.fulfill({
        status: 401,
        contentType: 'application/json',
        body: JSON.stringify({
          error: {
            code: 'signin_expired',
            message: `Your sign-in expired at 10:32 UTC and the hub could not renew it: sign in again at ${LOGIN}, then retry.`,
            service: 'rucio',
            upstream_status: null,
            login_url: LOGIN
          }
        })
      })
    );
    await page.sidebar.openTab('escape-datalake');
    const panel = page.locator('#escape-datalake');
    // Signed in as root when the page loaded; then the sign-in expires and the panel reconnects.
    await expect(panel.getByText(/^root \(userpass\)/)).toBeVisible({
      timeout: 30_000
    });
    await panel
      .getByRole('button', { name: 'Reconnect to Rucio and list again' })
      .click();
    const link = panel.getByRole('link', { name: LOGIN });
    await expect(link).toBeVisible({ timeout: 30_000 });
    expect(await link.getAttribute('href')).toBe(LOGIN);
    expect(await link.getAttribute('target')).toBe('_blank');
    // It looks like a link (JupyterLab resets link styles), not like the sentence around it.
    const look = await link.evaluate(a => {
      const style = getComputedStyle(a);
      const around = getComputedStyle(a.parentElement!);
      return {
        underline: style.textDecorationLine,
        differs: style.color !== around.color
      };
    });
    expect(look.underline).toContain('underline');
    expect(look.differs).toBe(true);
    // The address is never broken inside a word ('…/hub/log' + 'in', review s3 §13): each
    // part between its separators sits on one line.
    const broken = await link.evaluate(a => {
      const walker = document.createTreeWalker(a, NodeFilter.SHOW_TEXT);
      const split: string[] = [];
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const range = document.createRange();
        range.selectNodeContents(node);
        const tops = new Set(
          Array.from(range.getClientRects()).map(r => Math.round(r.top))
        );
        if (tops.size > 1) {
          split.push(node.textContent ?? '');
        }
      }
      return split;
    });
    expect(broken).toEqual([]);
    // Retry is a neutral button; no scope shortcuts while nothing can be searched.
    await expect(
      panel.getByRole('button', { name: 'Retry', exact: true })
    ).not.toHaveClass(/jp-mod-warn/);
    await expect(panel.locator('.jp-escape-chip')).toHaveCount(0);
    // No account or token expiry of an earlier identity beside it.
    await expect(panel.getByText(/root \(userpass\)|token until/)).toHaveCount(
      0
    );
    if (SHOTS) {
      await page.screenshot({ path: `${SHOTS}/datalake-signin-link.png` });
      await darkScreenshot(page, `${SHOTS}/datalake-signin-link-dark.png`);
    }
  });

  test('a fetch of files already there reads "All 3 files already there"', async ({
    page,
    request,
    baseURL,
    tmpPath
  }) => {
    const dids = [0, 1, 2].map(
      i => `escape_opendata:crab_nebula_sample.00${i}.fits`
    );
    const dest = `${tmpPath}/crab-nebula`;
    const fetchOnce = async () => {
      const started = await request.post(`${baseURL}/escape/datalake/fetch`, {
        data: { dids, dest }
      });
      expect(started.ok()).toBe(true);
      const id = (await started.json()).id as string;
      let job: any = null;
      await expect
        .poll(
          async () => {
            job = await (
              await request.get(`${baseURL}/escape/datalake/jobs/${id}`)
            ).json();
            return job.state;
          },
          { timeout: 60_000 }
        )
        .toBe('done');
      return job;
    };
    const first = await fetchOnce();
    expect(first.files_total).toBe(3);
    // Two of the three removed: the next fetch moves two, one is already there (the README's
    // partial case, review s3 §10).
    for (const file of first.files.slice(1)) {
      const gone = await request.delete(
        `${baseURL}/api/contents/${encodeURI(file.path)}`
      );
      expect(gone.ok()).toBe(true);
    }
    const partial = await fetchOnce();
    expect(partial.files_present).toBe(1);
    expect(partial.files_done).toBe(3);
    const second = await fetchOnce();
    // The server counts the files already there among the done ones.
    expect(second.files_present).toBe(3);
    expect(second.files_done).toBe(3);

    await page.reload();
    await page.sidebar.openTab('escape-datalake');
    const panel = page.locator('#escape-datalake');
    // Nothing moved: no byte count that reads as a transfer (review s3 §10).
    await expect(
      panel
        .getByText(
          /^All 3 files already there · [\d.]+ kB, nothing transferred$/
        )
        .first()
    ).toBeVisible({ timeout: 30_000 });
    await expect(
      panel.getByText(/^3 of 3 files \(1 already there\) · /).first()
    ).toBeVisible();
    await expect(panel.getByText(/\b6\/3 files|\b6 of 3/)).toHaveCount(0);
    // Each fact on one line: no fact is broken across two lines.
    const broken = await panel.locator('.jp-escape-Job-fact').evaluateAll(
      facts =>
        facts.filter(fact => {
          const range = document.createRange();
          range.selectNodeContents(fact);
          const tops = new Set(
            Array.from(range.getClientRects()).map(r => Math.round(r.top))
          );
          return tops.size > 1;
        }).length
    );
    expect(broken).toBe(0);
    // ... and none runs past its card's edge.
    const outside = await panel
      .locator('.jp-escape-Job-fact')
      .evaluateAll(
        facts =>
          facts.filter(
            fact =>
              fact.getBoundingClientRect().right >
              fact.closest('.jp-escape-Job')!.getBoundingClientRect().right
          ).length
      );
    expect(outside).toBe(0);
    if (SHOTS) {
      await page.screenshot({ path: `${SHOTS}/datalake-fetch-counts.png` });
      await darkScreenshot(page, `${SHOTS}/datalake-fetch-counts-dark.png`);
    }
  });
});
