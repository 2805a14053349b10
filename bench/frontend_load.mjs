// Driven by bench/frontend_load.py: loads JupyterLab from two servers (the suite enabled, and
// disabled) in turn, in one Debian Chromium, a fresh browser context (cold cache) per load, and
// prints one JSON line per load: {"which", "ms"} from navigation start to the restored shell.
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url + '/../../ui-tests/');
const { chromium } = require('playwright-core');

const [withUrl, withoutUrl, runsText] = process.argv.slice(2);
const runs = Number(runsText || 5);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--disable-dev-shm-usage', '--disable-gpu', '--no-first-run']
});

async function load(url) {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 }
  });
  const page = await context.newPage();
  await page.goto(url, { waitUntil: 'commit' });
  // JupyterLab removes its splash screen once the shell is restored (plugins activated,
  // layout restored); the launcher is then shown.
  await page.waitForSelector('#jupyterlab-splash', {
    state: 'detached',
    timeout: 120000
  });
  await page.waitForSelector('.jp-Launcher', {
    state: 'visible',
    timeout: 120000
  });
  const ms = await page.evaluate(() => performance.now());
  await context.close();
  return ms;
}

await load(withUrl); // warm-up of both servers (first compile of the page, lazy imports)
await load(withoutUrl);
for (let i = 0; i < runs; i++) {
  // alternate which goes first, so a drift of the machine hits both alike
  const order =
    i % 2
      ? [
          ['without', withoutUrl],
          ['with', withUrl]
        ]
      : [
          ['with', withUrl],
          ['without', withoutUrl]
        ];
  for (const [which, url] of order) {
    console.log(JSON.stringify({ which, ms: await load(url) }));
  }
}
await browser.close();
