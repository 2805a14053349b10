/**
 * Publish to the OSSR against the Zenodo stand-in (testbed/zenodo; scripts/test exports its URL
 * as ESCAPE_ZENODO_URL): a folder of code with a codemeta.json becomes a draft, its metadata is
 * reviewed and fixed, it is published after the confirmation, its DOI shown, and the record is
 * found in the catalogue sidebar and cited.
 */
import { expect, test } from '@jupyterlab/galata';
import { APIRequestContext, Page } from '@playwright/test';
import { readableFolder } from './readable';

const ZENODO = process.env.ESCAPE_ZENODO_URL;
const SHOTS = process.env.ESCAPE_SCREENSHOTS;
const FOLDER = 'photon-tools';
/**
 * The workspace folder the test works in, named as a user would name it: it shows in the file
 * browser and in the panel's text (review s3 §8), where Galata's default is the test's title.
 * Made afresh for each run and deleted after it, as Galata does with its own.
 */
const WORKSPACE = 'my-software';

const CODEMETA = {
  '@context': 'https://doi.org/10.5063/schema/codemeta-2.0',
  '@type': 'SoftwareSourceCode',
  name: 'Photon Tols',
  description: 'Reconstruct Cherenkov photon showers from the command line.',
  license: 'https://spdx.org/licenses/MIT',
  softwareVersion: '1.2.0',
  datePublished: '2026-01-15',
  codeRepository: 'https://gitlab.example.org/escape/photon-tools',
  readme:
    'https://gitlab.example.org/escape/photon-tools/-/blob/main/README.md',
  author: [
    {
      '@type': 'Person',
      givenName: 'Ada',
      familyName: 'Lovelace',
      '@id': 'https://orcid.org/0000-0002-1825-0097',
      affiliation: { '@type': 'Organization', name: 'CTAO' }
    }
  ],
  maintainer: {
    '@type': 'Person',
    givenName: 'Ada',
    familyName: 'Lovelace',
    email: 'ada@example.org'
  }
};

/** A dark-theme screenshot, taken once JupyterLab's theme-switch splash has gone. */
async function darkShot(page: Page, path: string) {
  const theme = async (name: string, light: string) => {
    await page.evaluate(
      theme =>
        (window as any).jupyterapp.commands.execute('apputils:change-theme', {
          theme
        }),
      name
    );
    await expect(page.locator('body')).toHaveAttribute(
      'data-jp-theme-light',
      light
    );
    await expect(page.locator('#jupyterlab-splash')).toHaveCount(0, {
      timeout: 15000
    });
  };
  await theme('JupyterLab Dark', 'false');
  await page.screenshot({ path });
  await theme('JupyterLab Light', 'true');
}

async function standin(request: APIRequestContext, body: object) {
  const response = await request.post(`${ZENODO}/_standin/control`, {
    data: body
  });
  expect(response.ok()).toBe(true);
}

/** The community's curator accepts every open inclusion request (what the OSSR team does). */
async function curatorAccepts(request: APIRequestContext) {
  const token = 'access_token=standin-zenodo-curator';
  const listed = await (
    await request.get(`${ZENODO}/api/requests?${token}`)
  ).json();
  for (const hit of listed.hits.hits) {
    if (hit.status === 'submitted') {
      const accept = `${ZENODO}/api/requests/${hit.id}/actions/accept?${token}`;
      expect((await request.post(accept, { data: {} })).ok()).toBe(true);
    }
  }
}

/** Drafts an earlier run left on the stand-in are deleted (published records stay). */
async function discardDrafts(request: APIRequestContext) {
  const token = 'access_token=standin-zenodo-token';
  const mine = await (
    await request.get(`${ZENODO}/api/deposit/depositions?${token}`)
  ).json();
  for (const d of mine) {
    if (!d.submitted) {
      await request.delete(
        `${ZENODO}/api/deposit/depositions/${d.id}?${token}`
      );
    }
  }
}

async function writeFolder(page: Page, dir: string) {
  const FOLDER = `${dir}/photon-tools`;
  await page.contents.createDirectory(FOLDER);
  await page.contents.uploadContent(
    JSON.stringify(CODEMETA, null, 2),
    'text',
    `${FOLDER}/codemeta.json`
  );
  await page.contents.uploadContent(
    'def reconstruct(shower):\n    return shower\n',
    'text',
    `${FOLDER}/photon.py`
  );
  await page.contents.uploadContent(
    '# Photon Tools\n',
    'text',
    `${FOLDER}/README.md`
  );
}

test.describe('Publish to the OSSR', () => {
  test.skip(!ZENODO, 'needs the Zenodo stand-in (scripts/test starts it)');
  test.use({
    viewport: { width: 1440, height: 900 },
    tmpPath: readableFolder(WORKSPACE)
  });

  test('draft, review and fix, publish, DOI, find and cite', async ({
    page,
    request,
    baseURL,
    tmpPath
  }) => {
    test.setTimeout(180000);
    await standin(request, { reset: true });
    await discardDrafts(request);
    await request.delete(`${baseURL}/escape/catalogue/publish/token`);
    // An abandoned draft from an earlier try, which the user discards from My uploads.
    const stale = await request.post(
      `${ZENODO}/api/deposit/depositions?access_token=standin-zenodo-token`,
      {
        data: {
          metadata: {
            upload_type: 'software',
            title: 'Photon Tools (first try)',
            description: 'An upload abandoned half-way.',
            creators: [{ name: 'Lovelace, Ada', affiliation: 'CTAO' }],
            license: 'mit'
          }
        }
      }
    );
    expect(stale.status()).toBe(201);
    const staleId = String((await stale.json()).id);
    await page.notebook.createNew('cite.ipynb');
    await writeFolder(page, tmpPath);

    // The file browser's context menu on the folder.
    await page.filebrowser.refresh();
    await page
      .locator('.jp-DirListing-item[data-isdir="true"]', { hasText: FOLDER })
      .click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Publish to the OSSR…' }).click();
    const panel = page.locator('.jp-escape-Publish');
    await expect(
      panel.getByRole('heading', { name: 'Publish to the OSSR' })
    ).toBeVisible();

    // The token: stored on the server, never shown back.
    const tokenBox = panel.getByLabel('Zenodo token', { exact: true });
    await tokenBox.fill('standin-zenodo-token');
    await panel.getByRole('button', { name: 'Save token' }).click();
    await expect(
      panel.getByText(/Your Zenodo token is stored on the server/)
    ).toBeVisible();
    expect(await page.content()).not.toContain('standin-zenodo-token');

    // The form is prefilled from codemeta.json; the files that go are listed.
    const title = panel.locator('[data-field="name"] input');
    await expect(title).toHaveValue('Photon Tols');
    // The licence by its name, kept as codemeta's SPDX URL (#21).
    const licence = panel.getByRole('combobox', { name: 'Licence' });
    await expect(licence).toHaveValue('https://spdx.org/licenses/MIT');
    await expect(licence.locator('option:checked')).toHaveText(
      'MIT License (MIT)'
    );
    await expect(panel.getByText('photon.py')).toBeVisible();
    // review s3 §17: the files' sum before compression, and the form's codemeta.json beside
    await expect(
      panel.getByText(
        /^A zip of photon-tools: 3 files, \d+ B before compression\.$/
      )
    ).toBeVisible();
    await expect(
      panel.getByText('Beside the zip: codemeta.json (from this form).')
    ).toBeVisible();
    await expect(
      panel.locator('.jp-escape-Publish-fileList li', {
        hasText: 'codemeta.json'
      })
    ).toContainText('your folder’s, unchanged in the zip');

    // review s3 §3: problems in the form's words; what the form cannot set folded apart.
    await expect(
      panel.locator('[data-field="funding"] .jp-escape-Publish-problem')
    ).toHaveText('The OSSR recommends funding (grant ids).');
    await expect(
      panel.locator('[data-field="keywords"] .jp-escape-Publish-problem')
    ).toHaveText('The OSSR recommends keywords.');
    const folded = panel.locator('details.jp-escape-Publish-suggestions');
    await expect(folded.locator('summary')).toHaveText(
      /^\d+ suggestions \(optional\), not in this form: edit codemeta\.json$/
    );
    await expect(folded.locator('li').first()).toBeHidden();
    for (const shown of await panel
      .locator('.jp-escape-Publish-problem:visible')
      .allTextContents()) {
      expect(shown).not.toMatch(/softwareVersion|codeRepository|funder/);
    }
    await expect(
      panel.getByText(/^Ready to upload \(\d+ optional suggestions\)$/)
    ).toBeVisible();

    // review s3 §7: the licence select is sized as the inputs of the form.
    const size = (selector: string) =>
      panel.locator(selector).evaluate(e => {
        const style = getComputedStyle(e);
        return {
          font: style.fontSize,
          height: Math.round(e.getBoundingClientRect().height)
        };
      });
    const select = await size('[data-field="license"] select');
    const input = await size('[data-field="softwareVersion"] input');
    expect(select.font).toBe(input.font);
    expect(Math.abs(select.height - input.height)).toBeLessThanOrEqual(2);

    // A problem shows by its field, and nothing can be uploaded meanwhile.
    const description = panel.locator('[data-field="description"] textarea');
    await description.fill('');
    await expect(
      panel.locator(
        '[data-field="description"] .jp-escape-Publish-problem.jp-mod-error'
      )
    ).toBeVisible();
    await expect(
      panel.getByRole('button', { name: 'Create draft' })
    ).toBeDisabled();
    await expect(
      panel.getByText(
        /^1 error to fix before uploading; \d+ suggestions \(optional\)$/
      )
    ).toBeVisible();
    if (SHOTS) {
      // the top of the form: the summary, what the form cannot set folded, the error in place
      await panel
        .getByRole('heading', { name: 'Publish to the OSSR' })
        .scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${SHOTS}/publish-problems.png` });
      await darkShot(page, `${SHOTS}/publish-problems-dark.png`);
    }
    await description.fill(CODEMETA.description);
    await expect(panel.getByText(/^Ready to upload/)).toBeVisible();

    // The draft: a job on the shared job system.
    await panel.getByRole('button', { name: 'Create draft' }).click();
    await expect(
      panel.getByText(/^Draft \d+ is on Zenodo with 2 files/)
    ).toBeVisible({
      timeout: 30000
    });

    // Review and fix: the title had a typo; keywords were missing.
    await title.fill('Photon Tools');
    await panel
      .locator('[data-field="keywords"] input')
      .fill('CTA, Cherenkov, ESCAPE');
    await expect(
      panel.getByRole('button', { name: 'Publish…' })
    ).toBeDisabled();
    await panel
      .getByRole('button', { name: 'Save metadata to the draft' })
      .click();
    await expect(panel.getByRole('button', { name: 'Publish…' })).toBeEnabled();
    if (SHOTS) {
      await page.screenshot({ path: `${SHOTS}/publish.png` });
      await darkShot(page, `${SHOTS}/publish-dark.png`);
    }

    // Publish: the confirmation shows what becomes public and that it cannot be undone.
    await panel.getByRole('button', { name: 'Publish…' }).click();
    const dialog = page.locator('.jp-Dialog');
    await expect(
      dialog.getByText('Photon Tools', { exact: true })
    ).toBeVisible();
    await expect(
      dialog.getByText(
        'Ada Lovelace (CTAO) · ORCID https://orcid.org/0000-0002-1825-0097'
      )
    ).toBeVisible();
    await expect(dialog.getByText(/photon-tools-1\.2\.0\.zip/)).toBeVisible();
    await expect(dialog.getByText(/^codemeta\.json/)).toBeVisible();
    // review s3 §6: named as in the form, not by Zenodo's lower-case id
    await expect(
      dialog.getByText('MIT License (MIT)', { exact: true })
    ).toBeVisible();
    await expect(
      dialog.getByText(/^escape2020 \(an inclusion request/)
    ).toBeVisible();
    await expect(
      dialog.getByText(/mints a DOI\. This cannot be undone/)
    ).toBeVisible();
    if (SHOTS) {
      await page.screenshot({ path: `${SHOTS}/publish-confirm.png` });
      await darkShot(page, `${SHOTS}/publish-confirm-dark.png`);
    }
    await dialog
      .getByRole('button', { name: 'Publish and mint a DOI' })
      .click();
    const doi = panel.locator('.jp-escape-Publish-doi');
    await expect(doi).toHaveText(/^10\.\d+\/zenodo\.\d+$/);
    const published = (await doi.textContent())!;
    // review s3 §21: the community request in the words My uploads uses
    await expect(
      panel.getByText('Community escape2020: waiting for the curators')
    ).toBeVisible();

    // My uploads lists it as published, its community request waiting for the curators.
    await page.evaluate(async () => {
      await (window as any).jupyterapp.commands.execute(
        'escape:catalogue-uploads'
      );
    });
    const sidebar = page.locator('#jp-escape-catalogue');
    const item = sidebar.locator(
      '.jp-escape-Uploads-item[data-status="published"]',
      { hasText: published }
    );
    await expect(item.getByText('Photon Tools')).toBeVisible();
    await expect(
      item.getByText('Community escape2020: waiting for the curators')
    ).toBeVisible();
    await expect(
      item.getByRole('button', { name: 'New version' })
    ).toBeVisible();
    const staleItem = sidebar.locator(
      `.jp-escape-Uploads-item[data-id="${staleId}"]`
    );
    await expect(staleItem.getByText('draft (private)')).toBeVisible();
    await expect(staleItem.getByText('Photon Tools (first try)')).toBeVisible();
    await expect(item.getByRole('button', { name: 'Discard' })).toHaveCount(0); // never on a published record
    await staleItem.getByRole('button', { name: 'Discard' }).click();
    await expect(
      staleItem.getByText(
        'Delete this draft and its files on Zenodo? Nothing was public.'
      )
    ).toBeVisible();
    if (SHOTS) {
      // the whole window, as the dark one: My uploads beside the panel saying the same
      await page.screenshot({ path: `${SHOTS}/publish-uploads.png` });
      await darkShot(page, `${SHOTS}/publish-uploads-dark.png`);
    }
    await staleItem.getByRole('button', { name: 'Delete draft' }).click();
    await expect(staleItem).toHaveCount(0);
    await expect(sidebar.getByText('No drafts.')).toBeVisible();

    // The curators accept it; the user finds it in the catalogue and cites it.
    await curatorAccepts(request);
    await sidebar.getByRole('tab', { name: 'Search' }).click();
    const box = sidebar.getByRole('searchbox', {
      name: 'Search the software catalogue'
    });
    await box.fill('"Photon Tools"');
    await box.press('Enter');
    await sidebar
      .getByRole('button', { name: /Photon Tools/ })
      .first()
      .click();
    await expect(
      sidebar.getByRole('heading', { name: 'Photon Tools' })
    ).toBeVisible();
    await expect(sidebar.getByText(published).first()).toBeVisible();
    await page.getByRole('tab', { name: 'cite.ipynb' }).click();
    await sidebar.getByRole('button', { name: 'Insert citation' }).click();
    const citation = async () =>
      page.evaluate(() => {
        const panel = (window as any).jupyterapp.shell.currentWidget;
        return (
          panel.content.widgets
            .map((cell: any) => cell.model.sharedModel.getSource())
            .find((s: string) => s.includes('**Software used:**')) ?? ''
        );
      });
    await expect.poll(citation, { timeout: 15000 }).toContain(published);
    expect(await citation()).toContain('Photon Tools');
    if (SHOTS) {
      await page.screenshot({ path: `${SHOTS}/publish-cited.png` });
    }
  });
});
