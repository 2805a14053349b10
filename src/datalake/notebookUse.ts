/**
 * Data Lake DIDs used by a notebook: a code cell with their local paths, and a record of them in
 * the notebook's provenance (`metadata.escape.provenance.dids_used`, written by
 * `src/provenance/records.ts`) so that whoever opens the notebook elsewhere can fetch what is
 * missing.
 */
import { PathExt } from '@jupyterlab/coreutils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { Contents } from '@jupyterlab/services';

import { insertCell } from '../common/cells';
import {
  IProvenanceDidUsed,
  mergeProvenance,
  readProvenance,
  recordProvenance
} from '../provenance/records';
import {
  ILocalDid,
  kernelLanguage,
  KernelLanguage,
  localPathSnippet
} from './snippet';

export { METADATA_KEY } from '../provenance/records';

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

/** A provenance entry as a use: only the DIDs recorded with the path they were put at. */
function asUse(entry: IProvenanceDidUsed): IDatalakeUse | null {
  return typeof entry.path === 'string'
    ? {
        scope: entry.scope,
        name: entry.name,
        type: entry.type,
        adler32: entry.adler32,
        md5: entry.md5,
        path: entry.path,
        instance: entry.instance
      }
    : null;
}

function asProvenance(use: IDatalakeUse): IProvenanceDidUsed {
  return {
    instance: use.instance,
    scope: use.scope,
    name: use.name,
    type: use.type,
    bytes: null,
    adler32: use.adler32,
    md5: use.md5,
    path: use.path,
    mode: use.path.startsWith('/') ? 'replica' : 'download'
  };
}

/** The uses recorded in a notebook's `escape` metadata; anything malformed is dropped. */
export function recordedUses(escape: unknown): IDatalakeUse[] {
  return readProvenance(escape)
    .dids_used.map(asUse)
    .filter((use): use is IDatalakeUse => use !== null);
}

/**
 * The `escape` metadata with `added` merged in: one entry per (instance, scope, name), the newest
 * winning, order of first use kept; other keys of `escape` untouched.
 */
export function mergeUses(
  escape: unknown,
  added: IDatalakeUse[]
): Record<string, unknown> {
  return mergeProvenance(escape, { dids_used: added.map(asProvenance) });
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
  recordProvenance(panel.model, { dids_used: uses.map(asProvenance) });
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
