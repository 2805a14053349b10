/**
 * Galata in Debian's Chromium: never a downloaded browser, never video (it needs Playwright's
 * own ffmpeg). Two JupyterLab servers: one at the root, one under a JupyterHub-style base_url.
 */
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

const HUB_BASE = '/user/demo/';
// Two ports from ESCAPE_UI_PORT (default 8888): the root server and the base_url server.
const PORT = Number(process.env.ESCAPE_UI_PORT || 8888);

function lab(port, baseUrl) {
  return {
    command: 'jupyter lab --config jupyter_server_test_config.py',
    url: `http://localhost:${port}${baseUrl}lab`,
    timeout: 120 * 1000,
    reuseExistingServer: false,
    env: {
      ...process.env,
      ESCAPE_UI_PORT: String(port),
      ESCAPE_UI_BASE_URL: baseUrl
    }
  };
}

module.exports = {
  ...baseConfig,
  workers: 1,
  retries: 0,
  reporter: [
    ['list'],
    [
      'json',
      { outputFile: process.env.ESCAPE_UI_JSON || 'test-results/results.json' }
    ]
  ],
  use: {
    ...baseConfig.use,
    video: 'off',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: [
        '--disable-dev-shm-usage',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run'
      ]
    }
  },
  projects: [
    {
      name: 'root',
      testIgnore: /hub-base-url|hub-journey/,
      use: { baseURL: `http://localhost:${PORT}` }
    },
    {
      name: 'hub-base-url',
      testMatch: /hub-base-url\.spec\.ts/,
      use: {
        baseURL: `http://localhost:${PORT + 1}${HUB_BASE.replace(/\/$/, '')}`
      }
    },
    {
      // A real JupyterHub + OpenID Connect provider (testbed/hub), started by the spec itself;
      // the provider serves HTTPS with the testbed's self-signed certificate.
      name: 'hub',
      testMatch: /hub-journey\.spec\.ts/,
      use: { ignoreHTTPSErrors: true }
    }
  ],
  webServer: [lab(PORT, '/'), lab(PORT + 1, HUB_BASE)]
};
