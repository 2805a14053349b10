/**
 * Data Lake DIDs used by a notebook: a code cell with their local paths, and a record of them in
 * the notebook's metadata (`metadata.escape.datalake`) so that whoever opens the notebook
 * elsewhere can fetch what is missing.
 */
import { PathExt } from '@jupyterlab/coreutils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { Contents } from '@jupyterlab/services';

import { insertCell } from '../common/cells';
import {
  ILocalDid,
  kernelLanguage,
  KernelLanguage,
  localPathSnippet
} from './snippet';

export const METADATA_KEY = 'escape';

/** One DID a notebook uses, as recorded in its metadata. */
export interface IDatalakeUse {
  scope: string;
  name: string;
  type: 'file' | 'dataset' | 'container';
  adler32: string | null;
  md5: string | null;
  /** Workspace-relative path (download mode) or absolute path on the host (replica mode). */
  path: string;
  instance: string;
}

export function didOfUse(use: Pick<IDatalakeUse, 'scope' | 'name'>): string {
  return `${use.scope}:${use.name}`;
}

function isUse(value: unknown): value is IDatalakeUse {
  const v = value as IDatalakeUse | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.scope === 'string' &&
    typeof v.name === 'string' &&
    typeof v.path === 'string'
  );
}

/** The uses recorded in a notebook's `escape` metadata; anything malformed is dropped. */
export function recordedUses(escape: unknown): IDatalakeUse[] {
  const list = (escape as { datalake?: unknown } | null)?.datalake;
  return Array.isArray(list) ? list.filter(isUse) : [];
}

/**
 * The `escape` metadata with `added` merged in: one entry per (instance, scope, name), the newest
 * winning, order of first use kept; other keys of `escape` untouched.
 */
export function mergeUses(
  escape: unknown,
  added: IDatalakeUse[]
): Record<string, unknown> {
  const base =
    typeof escape === 'object' && escape !== null && !Array.isArray(escape)
      ? (escape as Record<string, unknown>)
      : {};
  const merged = recordedUses(base);
  for (const use of added) {
    const key = (u: IDatalakeUse) => `${u.instance}|${u.scope}:${u.name}`;
    const index = merged.findIndex(u => key(u) === key(use));
    if (index >= 0) {
      merged[index] = { ...use };
    } else {
      merged.push({ ...use });
    }
  }
  return { ...base, datalake: merged };
}

/** How the kernel should read a path: relative to the notebook's folder when in the workspace. */
export function pathForNotebook(notebookPath: string, target: string): string {
  if (target.startsWith('/')) {
    return target;
  }
  const relative = PathExt.relative(PathExt.dirname(notebookPath), target);
  return relative || '.';
}

/** The snippet language of the notebook's kernel (Python when unknown). */
export function notebookLanguage(panel: NotebookPanel): KernelLanguage {
  const model = panel.model;
  const info = model?.getMetadata('language_info') as
    { name?: string } | undefined;
  const spec = model?.getMetadata('kernelspec') as
    { language?: string } | undefined;
  const kernel = panel.sessionContext.session?.kernel;
  const live = (kernel as { info?: unknown } | null | undefined)?.info;
  return (
    kernelLanguage(info?.name) ??
    kernelLanguage(spec?.language) ??
    kernelLanguage(
      (live as { language_info?: { name?: string } } | undefined)?.language_info
        ?.name
    ) ??
    'python'
  );
}

/**
 * A code cell below the active cell of the current notebook with the DIDs' paths, recorded in
 * the notebook's metadata. False when no notebook is open.
 */
export function insertUses(
  tracker: Pick<INotebookTracker, 'currentWidget'>,
  uses: IDatalakeUse[],
  code?: (language: KernelLanguage, notebookPath: string) => string
): boolean {
  const panel = tracker.currentWidget;
  if (!panel?.model || uses.length === 0) {
    return false;
  }
  const notebookPath = panel.context.localPath;
  const language = notebookLanguage(panel);
  const dids: ILocalDid[] = uses.map(use => ({
    did: didOfUse(use),
    type: use.type,
    path: pathForNotebook(notebookPath, use.path)
  }));
  const source = code
    ? code(language, notebookPath)
    : localPathSnippet(dids, language);
  if (!insertCell(tracker, 'code', source)) {
    return false;
  }
  panel.model.setMetadata(
    METADATA_KEY,
    mergeUses(panel.model.getMetadata(METADATA_KEY), uses)
  );
  return true;
}

/**
 * The destination folder to fetch a recorded DID to again: its path less `<scope>/<name>`
 * (how the server lays DIDs out below a destination); undefined for the default.
 */
export function destinationOf(use: IDatalakeUse): string | undefined {
  const tail = [use.scope, ...use.name.split('/').filter(Boolean)].join('/');
  if (use.path.endsWith(`/${tail}`)) {
    return use.path.slice(0, -tail.length - 1);
  }
  return undefined;
}

/** The recorded DIDs whose path is not in the workspace (absolute paths are not checked). */
export async function missingUses(
  contents: Pick<Contents.IManager, 'get'>,
  uses: IDatalakeUse[]
): Promise<IDatalakeUse[]> {
  const missing: IDatalakeUse[] = [];
  await Promise.all(
    uses
      .filter(use => !use.path.startsWith('/'))
      .map(async use => {
        try {
          await contents.get(use.path, { content: false });
        } catch {
          missing.push(use);
        }
      })
  );
  return uses.filter(use => missing.includes(use));
}
