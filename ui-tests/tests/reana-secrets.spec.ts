/**
 * REANA secrets and "Submit anyway" (#17) against the REANA stand-in (testbed/reana), which
 * scripts/test starts and exports as ESCAPE_REANA_URL: a user adds a secret from the workflows
 * sidebar and sees it listed without its value; a reana.yaml with a missing input shows which
 * and is submitted with "Submit anyway".
 */
import { expect, test } from '@jupyterlab/galata';
import * as path from 'path';

const REANA = process.env.ESCAPE_REANA_URL;
const SHOTS = process.env.ESCAPE_SCREENSHOTS;
const EXAMPLE = path.resolve(__dirname, '../../testbed/reana/example');

test.describe('REANA secrets and missing inputs', () => {
  test.skip(!REANA, 'needs the REANA stand-in (scripts/test starts it)');
  test.use({ viewport: { width: 1280, height: 1000 } });

  test('add a secret from the workflows sidebar: listed by name and type, never its value', async ({
    page,
    baseURL
  }) => {
    // A name a user would give (s3 §8); the stand-in is shared and kept between runs: start
    // without it.
    const name = 'EOS_ACCOUNT';
    await page.request.delete(
      `${baseURL}/escape/workflows/secrets?name=${name}`
    );
    const value = `v-${Math.random().toString(36).slice(2)}`;
    await page.locator('.jp-SideBar [data-id="jp-escape-workflows"]').click();
    await page
      .locator('#jp-escape-workflows')
      .getByRole('button', { name: 'Secrets…' })
      .click();
    const view = page.locator('.jp-escape-Secrets');
    await expect(
      view.getByRole('heading', { name: 'REANA secrets' })
    ).toBeVisible();
    await expect(view.getByText('Asking REANA…')).toHaveCount(0);

    await view.getByLabel('Secret name').fill(name);
    const field = view.getByLabel('Secret value');
    await expect(field).toHaveAttribute('type', 'password');
    // One input size in the REANA forms: the UI's 13 px, not JupyterLab's 16 px (s3 §7).
    const uiSize = await page.evaluate(() =>
      getComputedStyle(document.body)
        .getPropertyValue('--jp-ui-font-size1')
        .trim()
    );
    for (const input of [view.getByLabel('Secret name'), field]) {
      expect(await input.evaluate(e => getComputedStyle(e).fontSize)).toBe(
        uiSize
      );
    }
    await field.fill(value);
    const added = page.waitForResponse(
      r =>
        r.url().includes('/escape/workflows/secrets') &&
        r.request().method() === 'POST'
    );
    await view.getByRole('button', { name: 'Add secret' }).click();
    expect((await added).status()).toBe(201);
    await expect(view.getByRole('status')).toHaveText(`${name} added.`);
    const row = view.getByRole('row', { name: new RegExp(name) });
    await expect(row).toContainText('environment variable');
    await expect(row).toContainText('hidden');
    await expect(field).toHaveValue('');
    expect(await page.content()).not.toContain(value);

    // The same name again: REANA's 409, shown as the server wrote it.
    await view.getByLabel('Secret name').fill(name);
    await field.fill('other');
    await view.getByRole('button', { name: 'Add secret' }).click();
    await expect(view.getByRole('alert')).toContainText(name);

    if (SHOTS) {
      await view.getByLabel('Secret name').fill('');
      await field.fill('');
      await view.getByLabel('File').check();
      await view.getByLabel('Secret name').fill('usercert.pem');
      await view.getByLabel('Workspace file path').fill('certs/usercert.pem');
      await page.locator('.jp-escape-Secrets').screenshot({
        path: `${SHOTS}/reana-secrets.png`
      });
      await page.theme.setDarkTheme();
      await page.locator('.jp-escape-Secrets').screenshot({
        path: `${SHOTS}/reana-secrets-dark.png`
      });
      await page.theme.setLightTheme();
    }

    // Delete it again, after confirming.
    await view.getByRole('button', { name: `Delete ${name}` }).click();
    await view
      .getByRole('group', { name: 'Confirm deletion' })
      .getByRole('button', { name: 'Delete' })
      .click();
    await expect(view.getByRole('status')).toHaveText(`${name} deleted.`);
    await expect(view.getByRole('row', { name: new RegExp(name) })).toHaveCount(
      0
    );
  });

  test('a reana.yaml with a missing input: the dialog says which, "Submit anyway" submits', async ({
    page,
    tmpPath
  }) => {
    test.setTimeout(120_000);
    const folder = `${tmpPath}/missing`;
    await page.contents.uploadDirectory(EXAMPLE, folder);
    const spec = (
      await page.evaluate(async p => {
        const r = await fetch(
          `${document.baseURI.replace(/lab.*$/, '')}files/${p}`
        );
        return r.text();
      }, `${folder}/reana.yaml`)
    ).replace(
      '    - code/fit.py\n',
      '    - code/fit.py\n    - data/calibration.csv\n'
    );
    expect(spec).toContain('data/calibration.csv');
    await page.evaluate(
      async ({ p, text }) => {
        const app = (window as any).jupyterapp;
        await app.serviceManager.contents.save(p, {
          type: 'file',
          format: 'text',
          content: text
        });
      },
      { p: `${folder}/reana.yaml`, text: spec }
    );
    await page.filebrowser.openDirectory(folder);
    await page
      .locator('.jp-DirListing-item', { hasText: 'reana.yaml' })
      .click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Submit to REANA' }).click();

    const dialog = page.locator('.jp-Dialog');
    const warning = dialog.getByRole('group', { name: 'Missing inputs' });
    await expect(warning).toContainText('This declared input does not exist');
    await expect(warning).toContainText('data/calibration.csv');
    await expect(
      dialog.getByRole('button', { name: 'Submit', exact: true })
    ).toHaveCount(0);
    await dialog.locator('input[name="workflow-name"]').fill('crab-fit-anyway');
    if (SHOTS) {
      await dialog
        .locator('.jp-Dialog-content')
        .screenshot({ path: `${SHOTS}/reana-missing-inputs.png` });
    }
    const submitted = page.waitForResponse(r =>
      r.url().includes('/escape/workflows/submit')
    );
    await dialog.getByRole('button', { name: 'Submit anyway' }).click();
    const response = await submitted;
    expect(response.status()).toBe(200);
    expect(response.request().postDataJSON()).toMatchObject({
      allow_missing_inputs: true
    });
    await expect(dialog).toHaveCount(0);
  });
});
