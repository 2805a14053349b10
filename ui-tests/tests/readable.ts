/**
 * Readable names in the README's pictures (review s3 §8): a fixed folder such as
 * `crab-analysis` instead of Galata's test-id folder (`tests-reana-cell-REANA-fro-533f8-…-root`).
 * The folder is emptied before the test and removed after it, like Galata's own, so the tests
 * stay independent and re-runnable; names that REANA numbers (runs) are read from its answers.
 *
 *   test.use({ tmpPath: readableFolder('crab-analysis') });
 */
import { galata } from '@jupyterlab/galata';
import { APIRequestContext } from '@playwright/test';

export function readableFolder(folder: string) {
  return async (
    { request }: { request: APIRequestContext },
    use: (path: string) => Promise<void>
  ): Promise<void> => {
    const contents = galata.newContentsHelper(request);
    if (await contents.directoryExists(folder)) {
      await contents.deleteDirectory(folder);
    }
    await contents.createDirectory(folder);
    await use(folder);
    await contents.deleteDirectory(folder);
  };
}

/** The source of a notebook cell set through its model: typing it would let the editor
 * re-indent a YAML block (the `outputs:` of a %%reana cell drifted right). */
export async function setCellSource(
  page: { evaluate: (f: any, arg: any) => Promise<any> },
  index: number,
  source: string
): Promise<void> {
  await page.evaluate(
    ({ index, source }: { index: number; source: string }) => {
      const panel = (window as any).jupyterapp.shell.currentWidget;
      panel.content.widgets[index].model.sharedModel.setSource(source);
    },
    { index, source }
  );
}
