import {
  destinationOf,
  IDatalakeUse,
  mergeUses,
  missingUses,
  pathForNotebook,
  recordedUses
} from '../notebookUse';
import {
  fileListSnippet,
  kernelLanguage,
  localPathSnippet,
  pythonSnippet
} from '../snippet';

function use(partial: Partial<IDatalakeUse> = {}): IDatalakeUse {
  return {
    scope: 'escape_cta',
    name: 'gamma_1.h5',
    type: 'file',
    adler32: '0a1b2c3d',
    md5: null,
    path: 'datalake/escape_cta/gamma_1.h5',
    instance: 'tb',
    ...partial
  };
}

describe('notebook metadata of the DIDs used', () => {
  it('adds uses, one per instance and DID, and keeps other escape keys', () => {
    const first = mergeUses({ reana: { id: 'w1' } }, [use()]);
    expect(first.reana).toEqual({ id: 'w1' });
    expect(recordedUses(first)).toEqual([use()]);
    const second = mergeUses(first, [
      use({ path: 'elsewhere/escape_cta/gamma_1.h5', adler32: 'ffffffff' }),
      use({ name: 'ds', type: 'dataset', path: 'datalake/escape_cta/ds' }),
      use({ instance: 'other' })
    ]);
    const uses = recordedUses(second);
    expect(uses).toHaveLength(3);
    // The newer record of the same DID wins, in place.
    expect(uses[0].path).toBe('elsewhere/escape_cta/gamma_1.h5');
    expect(uses[0].adler32).toBe('ffffffff');
    expect(uses.map(u => `${u.instance}:${u.name}`)).toEqual([
      'tb:gamma_1.h5',
      'tb:ds',
      'other:gamma_1.h5'
    ]);
  });

  it('survives metadata written by someone else', () => {
    expect(recordedUses(undefined)).toEqual([]);
    expect(recordedUses({ datalake: 'nonsense' })).toEqual([]);
    expect(recordedUses({ datalake: [{ scope: 1 }, use()] })).toEqual([use()]);
    expect(recordedUses(mergeUses([1, 2], [use()]))).toEqual([use()]);
  });

  it('paths are relative to the notebook folder; absolute ones stay', () => {
    expect(pathForNotebook('nb.ipynb', 'datalake/s/f.h5')).toBe(
      'datalake/s/f.h5'
    );
    expect(pathForNotebook('analysis/cta/nb.ipynb', 'datalake/s/f.h5')).toBe(
      '../../datalake/s/f.h5'
    );
    expect(pathForNotebook('datalake/nb.ipynb', 'datalake/s/f.h5')).toBe(
      's/f.h5'
    );
    expect(pathForNotebook('a/nb.ipynb', '/mnt/rse/f.h5')).toBe(
      '/mnt/rse/f.h5'
    );
  });

  it('fetches a missing DID back to the folder it was recorded in', () => {
    expect(destinationOf(use())).toBe('datalake');
    expect(
      destinationOf(
        use({
          name: '/lofar/obs 1/f.ms',
          path: 'data/x/escape_cta/lofar/obs 1/f.ms'
        })
      )
    ).toBe('data/x');
    expect(destinationOf(use({ path: 'somewhere/else.h5' }))).toBeUndefined();
  });

  it('finds which recorded DIDs are missing from the workspace', async () => {
    const present = new Set(['datalake/escape_cta/gamma_1.h5']);
    const contents = {
      get: jest.fn(async (path: string) => {
        if (!present.has(path)) {
          throw new Error('404');
        }
        return {} as any;
      })
    };
    const missing = await missingUses(contents, [
      use(),
      use({ name: 'ds', path: 'datalake/escape_cta/ds', type: 'dataset' }),
      use({ name: 'r', path: '/mnt/rse/r' })
    ]);
    expect(missing.map(u => u.name)).toEqual(['ds']);
    expect(contents.get).toHaveBeenCalledTimes(2);
  });
});

describe('path snippets per kernel language', () => {
  const file = {
    did: 'escape_cta:gamma_1.h5',
    type: 'file' as const,
    path: '../datalake/escape_cta/gamma_1.h5'
  };
  const dataset = {
    did: 'escape_cta:ds',
    type: 'dataset' as const,
    path: 'datalake/escape_cta/ds'
  };

  it('knows the languages it writes', () => {
    expect(kernelLanguage('python')).toBe('python');
    expect(kernelLanguage('Python3')).toBe('python');
    expect(kernelLanguage('R')).toBe('r');
    expect(kernelLanguage('julia')).toBe('julia');
    expect(kernelLanguage('c++')).toBeNull();
    expect(kernelLanguage(undefined)).toBeNull();
  });

  it('Python: a Path, and the size or the files as last expression', () => {
    const text = { ...file, did: 'escape_cta:notes.txt', path: 'notes.txt' };
    expect(localPathSnippet([text])).toBe(
      [
        'from pathlib import Path',
        '',
        '# escape_cta:notes.txt (file)',
        'path = Path("notes.txt")',
        'path.stat().st_size'
      ].join('\n')
    );
    // A known format is opened with its reader (#21).
    expect(localPathSnippet([file])).toContain('with h5py.File(path) as f:');
    const two = localPathSnippet([file, dataset], 'python');
    expect(two).toContain('path1 = Path(');
    expect(two).toContain('path2 = Path("datalake/escape_cta/ds")');
    expect(two).toContain(
      '[path1.stat().st_size, sorted(p for p in path2.rglob("*") if p.is_file())]'
    );
  });

  it('R and Julia', () => {
    expect(localPathSnippet([file], 'r')).toBe(
      [
        '# escape_cta:gamma_1.h5 (file)',
        'path <- "../datalake/escape_cta/gamma_1.h5"',
        'file.size(path)'
      ].join('\n')
    );
    expect(localPathSnippet([dataset], 'r')).toContain(
      'list.files(path, recursive = TRUE, full.names = TRUE)'
    );
    expect(localPathSnippet([file], 'julia')).toContain('filesize(path)');
    expect(localPathSnippet([dataset], 'julia')).toContain('walkdir(path)');
  });

  it('quotes any name safely, $ included for Julia', () => {
    const odd = { ...file, path: 'datalake/s/a "b" $x\\.h5' };
    expect(localPathSnippet([odd])).toContain(
      'Path("datalake/s/a \\"b\\" $x\\\\.h5")'
    );
    expect(localPathSnippet([odd], 'julia')).toContain(
      'path = "datalake/s/a \\"b\\" \\$x\\\\.h5"'
    );
  });

  it('lists the files of a replica', () => {
    const code = fileListSnippet('escape_cta:ds', ['/mnt/a', '/mnt/b'], true);
    expect(code).toContain('paths = [\n    "/mnt/a",\n    "/mnt/b"\n]');
    expect(code).toContain('only the first files');
    expect(fileListSnippet('s:d', ['/m/a'], false, 'r')).toContain(
      'paths <- c(\n    "/m/a"\n)'
    );
  });
});

describe('DID names in inserted code', () => {
  it('cannot end the comment line and smuggle code into the cell', () => {
    const hostile = 'user.mallory:x\nimport os; os.system("id")\r# \u2028y';
    const cells = [
      localPathSnippet([{ did: hostile, type: 'file', path: 'datalake/x' }]),
      localPathSnippet([{ did: hostile, type: 'file', path: 'x' }], 'r'),
      localPathSnippet([{ did: hostile, type: 'file', path: 'x' }], 'julia'),
      fileListSnippet(hostile, ['/mnt/x'], false),
      fileListSnippet(hostile, ['/mnt/x'], false, 'r'),
      pythonSnippet({ did: hostile, type: 'file', bytes: 1, length: null })
    ];
    for (const cell of cells) {
      const lines = cell.split(/\r\n|\r|\n|\u2028|\u2029/);
      expect(lines.some(line => line.startsWith('import os; os.system'))).toBe(
        false
      );
      expect(cell).toContain(
        'user.mallory:x\\u000aimport os; os.system("id")\\u000d# \\u2028y'
      );
    }
  });
});
