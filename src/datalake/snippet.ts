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

/** A reader of a known file format: the package, how to open, what the cell shows. */
interface IReader {
  module: string;
  pip: string;
  what: string;
  lines: (path: string) => string[];
}

const READERS: { pattern: RegExp; reader: IReader }[] = [
  {
    pattern: /\.(h5|hdf5|he5)$/i,
    reader: {
      module: 'h5py',
      pip: 'h5py',
      what: 'HDF5',
      lines: path => [
        `with h5py.File(${path}) as f:`,
        '    f.visit(print)  # every group and dataset'
      ]
    }
  },
  {
    pattern: /\.(fits|fit|fts)(\.gz)?$/i,
    reader: {
      module: 'astropy.io.fits',
      pip: 'astropy',
      what: 'FITS',
      lines: path => [
        `with astropy.io.fits.open(${path}) as hdul:`,
        '    hdul.info()'
      ]
    }
  },
  {
    pattern: /\.root$/i,
    reader: {
      module: 'uproot',
      pip: 'uproot',
      what: 'ROOT',
      lines: path => [`f = uproot.open(${path})`, 'f.classnames()']
    }
  },
  {
    pattern: /\.csv(\.gz)?$/i,
    reader: {
      module: 'pandas',
      pip: 'pandas',
      what: 'CSV',
      lines: path => [`df = pandas.read_csv(${path})`, 'df.head()']
    }
  },
  {
    pattern: /\.parquet$/i,
    reader: {
      module: 'pandas',
      pip: 'pandas pyarrow',
      what: 'Parquet',
      lines: path => [`df = pandas.read_parquet(${path})`, 'df.head()']
    }
  }
];

/** The reader of a file name's format, or null for formats we have none for. */
function readerFor(name: string): IReader | null {
  return READERS.find(r => r.pattern.test(name))?.reader ?? null;
}

/** Whether a file is of a binary format a reader opens (not a text editor). */
export function hasReader(name: string): boolean {
  return readerFor(name) !== null && !/\.csv$/i.test(name);
}

/**
 * Python lines that open `variable` (a path) with the reader of the file's format, saying how
 * to install the reader when the kernel lacks it; null for formats we have no reader for.
 */
export function readerLines(
  fileName: string,
  variable: string
): string[] | null {
  const reader = readerFor(fileName);
  if (!reader) {
    return null;
  }
  return [
    'try:',
    `    import ${reader.module}`,
    'except ImportError as err:',
    '    raise ImportError(',
    `        "Reading ${reader.what} needs ${reader.module}: install it with %pip install ${reader.pip}"`,
    '    ) from err',
    ...reader.lines(variable)
  ];
}

/** A cell that reads a fetched binary file at `path` (as the notebook sees it) with its reader. */
export function binaryReaderCell(workspacePath: string, path: string): string {
  return [
    'from pathlib import Path',
    '',
    `# ${commentText(workspacePath)}`,
    `path = Path(${pyString(path)})`,
    ...(readerLines(workspacePath, 'path') ?? ['path.stat().st_size'])
  ].join('\n');
}

/**
 * Ready-to-paste Python that fetches the DID through this extension's kernel API (the Jupyter
 * server does the transfer: no Rucio client or credentials in the kernel), then opens a file of
 * a known format with its reader.
 */
export function pythonSnippet(
  details: Pick<IDidDetails, 'did' | 'type' | 'bytes' | 'length'>
): string {
  const size =
    details.type === 'file'
      ? formatBytes(details.bytes)
      : `${details.length ?? '?'} files, ${formatBytes(details.bytes)}`;
  const head = [
    'from jupyterlab_escape.kernel import fetch',
    '',
    `# ${commentText(details.did)} (${details.type}, ${size})`,
    `fetched = fetch(${pyString(details.did)})`
  ];
  if (details.type !== 'file') {
    return [...head, 'fetched["local_paths"]', ''].join('\n');
  }
  const read = readerLines(details.did, 'path') ?? ['path'];
  return [...head, 'path = fetched["local_paths"][0]', ...read, ''].join('\n');
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
  const only = dids.length === 1 ? dids[0] : null;
  const read =
    only && only.type === 'file' && language === 'python'
      ? readerLines(only.path, 'path')
      : null;
  if (read) {
    // A known format: open it with its reader rather than show its size.
    lines.push(...read);
  } else if (checks.length === 1) {
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
