/**
 * #21: snippets that run. "Copy Python" fetches through the kernel API (no Rucio client), and a
 * file of a known format is opened with its reader, saying how to install it when missing.
 * Every snippet is parsed by a real Python.
 */
import {
  hasReader,
  localPathSnippet,
  pythonSnippet,
  readerLines
} from '../snippet';

// Node's own modules in a jest test (the project has no @types/node).
declare const require: (name: string) => any;
declare const __dirname: string;
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const VENV = path.resolve(__dirname, '../../../.venv/bin/python');
const PYTHON = fs.existsSync(VENV) ? VENV : 'python3';

/** Python's own parser on the code: throws with its SyntaxError otherwise. */
function parses(code: string): void {
  execFileSync(PYTHON, ['-c', 'import ast, sys; ast.parse(sys.stdin.read())'], {
    input: code
  });
}

const FILES: [string, string, string][] = [
  ['escape_lofar:obs/L123.h5', 'import h5py', 'h5py.File(path)'],
  ['escape_lofar:cube.hdf5', 'import h5py', 'f.visit(print)'],
  ['escape_opendata:crab.fits', 'import astropy.io.fits', 'hdul.info()'],
  ['escape_opendata:crab.fits.gz', 'import astropy.io.fits', 'hdul.info()'],
  ['escape_cms:events.root', 'import uproot', 'uproot.open(path)'],
  ['escape_cta:runs.csv', 'import pandas', 'pandas.read_csv(path)'],
  ['escape_cta:runs.parquet', 'import pandas', 'pandas.read_parquet(path)']
];

describe('snippets that run', () => {
  it.each(FILES)('%s: its reader, with how to install it', (did, imp, call) => {
    const code = pythonSnippet({ did, type: 'file', bytes: 10, length: null });
    expect(code).toContain('from jupyterlab_escape.kernel import fetch');
    expect(code).not.toMatch(/rucio/);
    expect(code).toContain(imp);
    expect(code).toContain(call);
    expect(code).toMatch(/except ImportError as err:/);
    expect(code).toMatch(/install it with %pip install \w+/);
    parses(code);
    const cell = localPathSnippet([
      { did, type: 'file', path: 'data/' + did.slice(did.indexOf(':') + 1) }
    ]);
    expect(cell).toContain(call);
    parses(cell);
  });

  it('a dataset gives its local paths; an unknown format its path', () => {
    const dataset = pythonSnippet({
      did: 'escape_cta:ds',
      type: 'dataset',
      bytes: 10,
      length: 2
    });
    expect(dataset).toContain('fetched["local_paths"]');
    parses(dataset);
    const other = pythonSnippet({
      did: 'escape_cta:notes.txt',
      type: 'file',
      bytes: 1,
      length: null
    });
    expect(other.trim().endsWith('path')).toBe(true);
    parses(other);
    expect(readerLines('notes.txt', 'path')).toBeNull();
  });

  it('binary formats are for a reader, not the text editor', () => {
    expect(hasReader('a/b.h5')).toBe(true);
    expect(hasReader('a/b.fits')).toBe(true);
    expect(hasReader('a/b.root')).toBe(true);
    expect(hasReader('a/b.parquet')).toBe(true);
    expect(hasReader('a/b.csv')).toBe(false); // text: the editor shows it well
    expect(hasReader('a/b.txt')).toBe(false);
  });
});
