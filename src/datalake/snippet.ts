import { formatBytes } from '../common/format';
import { IDidDetails } from './api';

/**
 * Text safe on a `#` comment line: a DID name comes from the Data Lake (anyone can register
 * one), and a line break in it would end the comment and put the rest into the code we insert.
 */
export function commentText(text: string): string {
  return text.replace(
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
    c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  );
}

/** A Python string literal for any DID name (quotes, backslashes, unicode). */
function pyString(text: string): string {
  return JSON.stringify(text);
}

/** Ready-to-paste Python that fetches the DID with the Rucio client of the kernel. */
export function pythonSnippet(
  details: Pick<IDidDetails, 'did' | 'type' | 'bytes' | 'length'>
): string {
  const size =
    details.type === 'file'
      ? formatBytes(details.bytes)
      : `${details.length ?? '?'} files, ${formatBytes(details.bytes)}`;
  return [
    'from rucio.client.downloadclient import DownloadClient',
    '',
    `# ${commentText(details.did)} (${details.type}, ${size})`,
    `did = ${pyString(details.did)}`,
    'DownloadClient().download_dids([{"did": did, "base_dir": "datalake"}])',
    ''
  ].join('\n');
}

/** The Rucio WebUI page of a DID, when the operator configured the WebUI. */
export function webuiUrl(
  webui: string | null | undefined,
  scope: string,
  name: string
): string | null {
  if (!webui) {
    return null;
  }
  const query = new URLSearchParams({ scope, name });
  return `${webui.replace(/\/$/, '')}/did?${query.toString()}`;
}

export type KernelLanguage = 'python' | 'r' | 'julia';

/** One DID as it sits in the workspace (or on a mounted RSE), for a notebook cell. */
export interface ILocalDid {
  did: string;
  type: 'file' | 'dataset' | 'container';
  /** As the kernel should read it: relative to the notebook, or absolute. */
  path: string;
}

/** The snippet language of a kernel language name; null when we have none for it. */
export function kernelLanguage(
  name: string | null | undefined
): KernelLanguage | null {
  const lower = (name ?? '').toLowerCase();
  if (lower === 'python' || lower.startsWith('python')) {
    return 'python';
  }
  if (lower === 'r') {
    return 'r';
  }
  if (lower === 'julia') {
    return 'julia';
  }
  return null;
}

/** A string literal valid in Python, R and Julia (JSON escapes; `$` escaped for Julia). */
function literal(text: string, language: KernelLanguage): string {
  const json = JSON.stringify(text);
  return language === 'julia' ? json.replace(/\$/g, '\\$') : json;
}

/** A variable name for the n-th of several DIDs. */
function varName(index: number, count: number): string {
  return count === 1 ? 'path' : `path${index + 1}`;
}

/**
 * A code cell that names the local path(s) of fetched DIDs in the kernel's language, and ends
 * with an expression that shows they are there: the size of a file, the files of a folder.
 */
export function localPathSnippet(
  dids: ILocalDid[],
  language: KernelLanguage = 'python'
): string {
  const lines: string[] = [];
  const comment = language === 'python' || language === 'r' ? '#' : '#';
  const checks: string[] = [];
  if (language === 'python') {
    lines.push('from pathlib import Path', '');
  }
  dids.forEach((entry, index) => {
    const name = varName(index, dids.length);
    const value = literal(entry.path, language);
    lines.push(`${comment} ${commentText(entry.did)} (${entry.type})`);
    if (language === 'python') {
      lines.push(`${name} = Path(${value})`);
      checks.push(
        entry.type === 'file'
          ? `${name}.stat().st_size`
          : `sorted(p for p in ${name}.rglob("*") if p.is_file())`
      );
    } else if (language === 'r') {
      lines.push(`${name} <- ${value}`);
      checks.push(
        entry.type === 'file'
          ? `file.size(${name})`
          : `list.files(${name}, recursive = TRUE, full.names = TRUE)`
      );
    } else {
      lines.push(`${name} = ${value}`);
      checks.push(
        entry.type === 'file'
          ? `filesize(${name})`
          : `[joinpath(root, f) for (root, _, fs) in walkdir(${name}) for f in fs]`
      );
    }
  });
  if (checks.length === 1) {
    lines.push(checks[0]);
  } else if (language === 'python') {
    lines.push(`[${checks.join(', ')}]`);
  } else if (language === 'r') {
    lines.push(`list(${checks.join(', ')})`);
  } else {
    lines.push(`(${checks.join(', ')})`);
  }
  return lines.join('\n');
}

/** A cell listing the local files of a DID made available on a mounted RSE (replica mode). */
export function fileListSnippet(
  did: string,
  paths: string[],
  truncated: boolean,
  language: KernelLanguage = 'python'
): string {
  const items = paths.map(p => `    ${literal(p, language)}`);
  const note = truncated ? ['# (only the first files are listed)'] : [];
  if (language === 'r') {
    return [
      `# ${commentText(did)} on a mounted RSE`,
      ...note,
      'paths <- c(',
      items.join(',\n'),
      ')',
      'file.size(paths)'
    ].join('\n');
  }
  return [
    `# ${commentText(did)} on a mounted RSE`,
    ...note,
    'paths = [',
    items.join(',\n'),
    ']',
    language === 'julia'
      ? 'filesize.(paths)'
      : 'import os\n[os.path.getsize(p) for p in paths]'
  ].join('\n');
}
