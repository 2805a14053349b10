/**
 * "Use as workflow input": a Data Lake DID becomes a `-l PARAM=SCOPE:NAME` option of a
 * `%%reana` cell (the one grammar, read by the server's cell.py). The active cell is extended
 * when it is a `%%reana` cell; otherwise a new `%%reana` cell is inserted below it. Nothing here
 * decides how the data reaches REANA: the server chooses per DID, and says why, at submission.
 */
import { TranslationBundle } from '@jupyterlab/translation';

const MAGIC = '%%reana';
const PARAM = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const PLAIN = /^[A-Za-z0-9_.:/+=-]+$/;

/** A workflow parameter name from a DID's name, not one of ``taken``. */
export function paramName(did: string, taken: Iterable<string> = []): string {
  const last = did.split(':').slice(1).join(':').split('/').filter(Boolean);
  let base = (last[last.length - 1] ?? 'data')
    .replace(/\.[A-Za-z0-9]{1,5}$/, '')
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase()
    .slice(0, 40);
  if (!base || !PARAM.test(base)) {
    base = `data_${base}`.replace(/_+$/, '').slice(0, 40);
  }
  if (!PARAM.test(base)) {
    base = 'data';
  }
  const used = new Set(taken);
  let name = base;
  for (let n = 2; used.has(name); n++) {
    name = `${base}_${n}`;
  }
  return name;
}

/** The words of a %%reana line as the server's shlex reads them (quotes are kept simple). */
function quoted(word: string): string {
  return PLAIN.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

/** The `-l` parameters already on a `%%reana` line. */
export function lakeParams(firstLine: string): string[] {
  const found: string[] = [];
  const re = /(?:^|\s)(?:-l|--lake)\s+'?([A-Za-z_][A-Za-z0-9_]*)=/g;
  let match: RegExpExecArray | null;
  while ((match = re.exec(firstLine))) {
    found.push(match[1]);
  }
  return found;
}

export function isReanaMagic(source: string): boolean {
  const first = source.split('\n', 1)[0].trim();
  return first === MAGIC || first.startsWith(`${MAGIC} `);
}

/** The cell's source with ``did`` as one more Data Lake input; the parameter chosen. */
export function addLakeOption(
  source: string,
  did: string
): { source: string; param: string } {
  const lines = source.split('\n');
  const param = paramName(did, lakeParams(lines[0]));
  lines[0] = `${lines[0].replace(/\s+$/, '')} -l ${quoted(`${param}=${did}`)}`;
  return { source: lines.join('\n'), param };
}

/** A new `%%reana` cell reading ``did``: a small serial workflow to start from. */
/**
 * What "Use as workflow input" does with the active cell: adds the DID to a %%reana cell,
 * writes the new %%reana cell into an empty code cell (a new notebook's first one, s3 §18),
 * and otherwise inserts the new cell below, leaving the active one as it is.
 */
export function lakeTarget(
  cell: { type: string; source: string } | null
): 'extend' | 'fill' | 'below' {
  if (!cell || cell.type !== 'code') {
    return 'below';
  }
  if (isReanaMagic(cell.source)) {
    return 'extend';
  }
  return cell.source.trim() === '' ? 'fill' : 'below';
}

export function lakeCell(did: string, trans: TranslationBundle): string {
  const param = paramName(did);
  return [
    `${MAGIC} -n ${param.replace(/_/g, '-')}-analysis -l ${quoted(`${param}=${did}`)}`,
    'version: 0.9.0',
    'workflow:',
    '  type: serial',
    '  specification:',
    '    steps:',
    '      - name: analyse',
    '        environment: docker.io/library/python:3.12-slim',
    '        commands:',
    // The line that explains the cell, in lines a notebook shows without scrolling (s3 §18).
    `          # ${trans.__('${%1} holds the DID. A small DID is streamed to', param)}`,
    `          # ${trans.__('lake/<scope>/<name>; a large one is read with')}`,
    `          # ${trans.__('"rucio download ${%1}" (add "rucio: true" to the step).', param)}`,
    `          - mkdir -p results && (ls -lR lake || echo \${${param}}) > results/summary.txt`,
    'outputs:',
    '  files:',
    '    - results/summary.txt',
    ''
  ].join('\n');
}
