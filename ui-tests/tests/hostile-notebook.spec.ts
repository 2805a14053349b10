/**
 * A hostile shared notebook (issue #13): Data Lake metadata naming a kernel spec and `../../etc`
 * as places to fetch to, and a workflow status output naming someone's workflow. Opened, it is
 * untrusted (it has rich outputs and no signature): no fetch offer, no request to the REANA or
 * fetch routes, and the notebook stays as it is, in the editor and on disk.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { readableFolder } from './readable';

const SHOTS = process.env.ESCAPE_SCREENSHOTS;
const WORKFLOW_MIME = 'application/vnd.jupyterlab-escape.reana-workflow+json';

/**
 * The kernel metadata JupyterLab would write for this server's python3 kernel. A notebook saved
 * with other values is made dirty by JupyterLab itself when its kernel starts (it records the
 * kernel's language_info), which would hide any change of ours.
 */
async function kernelMetadata(
  page: IJupyterLabPageFixture
): Promise<Record<string, unknown>> {
  return page.evaluate(async () => {
    const app = (window as any).jupyterapp;
    const kernel = await app.serviceManager.kernels.startNew({
      name: 'python3'
    });
    const info = await kernel.info;
    const spec = await kernel.spec;
    await kernel.shutdown();
    return {
      kernelspec: {
        name: 'python3',
        display_name: spec.display_name,
        language: spec.language
      },
      language_info: info.language_info
    };
  });
}

/** `nonce` keeps the content new: the notary remembers every notebook it ever signed. */
function hostileNotebook(
  nonce: string,
  kernel: Record<string, unknown>
): Record<string, unknown> {
  const recorded = (name: string, path: string) => ({
    scope: 'user.mallory',
    name,
    type: 'file',
    adler32: null,
    md5: null,
    path,
    instance: 'testbed'
  });
  const status = {
    id: '3f1c9b6e-0000-4000-8000-000000000000',
    name: 'victim-analysis',
    run_number: '3',
    status: 'running',
    snapshot: {
      id: '3f1c9b6e-0000-4000-8000-000000000000',
      name: 'victim-analysis',
      run_number: '3',
      full_name: 'victim-analysis.3',
      status: 'running',
      created: '2026-01-05T10:00:00Z',
      started: '2026-01-05T10:00:02Z',
      finished: null,
      progress: {
        total: 4,
        finished: 1,
        running: 1,
        failed: 0,
        current_step: 'fit',
        current_command: null
      },
      size: null
    }
  };
  return {
    cells: [
      {
        id: 'intro',
        cell_type: 'markdown',
        source: `# Reproduce our result (${nonce})\nRun the cells below.`,
        metadata: {}
      },
      {
        id: 'launch',
        cell_type: 'code',
        // The file claims trust; the server decides it from the signature, which is missing.
        metadata: { trusted: true },
        source: '%%reana -n victim-analysis\nversion: 0.9.0',
        execution_count: 1,
        outputs: [
          {
            output_type: 'display_data',
            data: {
              [WORKFLOW_MIME]: status,
              'text/plain': 'REANA workflow victim-analysis.3: running'
            },
            metadata: {}
          }
        ]
      }
    ],
    metadata: {
      ...kernel,
      escape: {
        datalake: [
          recorded('kernel.json', '.local/share/jupyter/kernels/x/kernel.json'),
          recorded(
            'kernel.json',
            '.local/share/jupyter/kernels/x/user.mallory/kernel.json'
          ),
          recorded('passwd', '../../etc/user.mallory/passwd')
        ]
      }
    },
    nbformat: 4,
    nbformat_minor: 5
  };
}

test.describe('a hostile shared notebook', () => {
  test.use({
    // One window size for the README's pictures, and a readable folder instead of Galata's
    // test-id one ('tests-…-root'), emptied before and removed after each test (review s3 §8).
    viewport: { width: 1440, height: 900 },
    tmpPath: readableFolder('shared-notebooks') as any
  });

  test('opens with no fetch offer, no polling and no change', async ({
    page,
    request,
    tmpPath
  }) => {
    const path = `${tmpPath}/hostile.ipynb`;
    // Written as a plain file, the way a shared notebook arrives (upload, git clone, copy): the
    // server has never signed it. (Saved through the contents API as a notebook, the server
    // would sign it on the author's behalf.)
    const put = await request.put(`/api/contents/${path}`, {
      data: {
        type: 'file',
        format: 'text',
        content: JSON.stringify(
          hostileNotebook(`${Date.now()}`, await kernelMetadata(page)),
          null,
          1
        )
      }
    });
    expect(put.ok()).toBe(true);
    const before = await (await request.get(`/files/${path}`)).text();
    expect(before).toContain('.local/share/jupyter/kernels/x/kernel.json');

    const seen: string[] = [];
    page.on('request', r => {
      const url = r.url();
      // Anything about one workflow (status, logs, outputs) or a fetch. The workflows panel's
      // own list of the user's runs (`/escape/workflows/workflows?size=`) polls by itself.
      if (
        /\/escape\/workflows\/(?!workflows\?)/.test(url) ||
        /\/escape\/datalake\/(fetch|replica)/.test(url)
      ) {
        seen.push(`${r.method()} ${url}`);
      }
    });

    await page.filebrowser.openDirectory(tmpPath);
    await page.filebrowser.open('hostile.ipynb');
    const output = page.getByRole('region', {
      name: 'Saved REANA workflow status victim-analysis.3'
    });
    await expect(output).toBeVisible();
    await expect(output).toContainText(
      'Saved status (notebook not trusted): not refreshed.'
    );
    await expect(output).toContainText('1/4 jobs · fit');
    await expect(output.locator('a, button')).toHaveCount(0);
    // JupyterLab agrees the notebook is untrusted.
    await expect(page.locator('.jp-StatusItem-trust')).toHaveAttribute(
      'title',
      /^Notebook not trusted/
    );

    // Give a toast or a poll every chance to happen (the live renderer polls within 1-2 s).
    await page.waitForTimeout(4000);
    await expect(
      page.locator('.Toastify__toast', { hasText: 'not in the workspace' })
    ).toHaveCount(0);
    expect(seen).toEqual([]);

    // Not modified: the tab is clean and the file on disk is the one written.
    await expect(page.locator('.lm-TabBar-tab.jp-mod-dirty')).toHaveCount(0);

    if (SHOTS) {
      await page.screenshot({ path: `${SHOTS}/hostile-notebook.png` });
      await page.theme.setDarkTheme();
      await expect(output).toBeVisible();
      await page.screenshot({ path: `${SHOTS}/hostile-notebook-dark.png` });
      await page.theme.setLightTheme();
    }

    await page.notebook.close();
    expect(seen).toEqual([]);
    const after = await (await request.get(`/files/${path}`)).text();
    expect(after).toBe(before);
  });
});
