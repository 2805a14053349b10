/**
 * The `%%reana` cell: options on the first line, the REANA specification (YAML) below.
 *
 *     %%reana -n fit -p events=1000 --wait
 *     version: 0.9.0
 *
 * A raw cell is all YAML. The same grammar as jupyterlab_escape/kernel/cell.py.
 */

export const MAGIC = '%%reana';

export class CellError extends Error {}

export interface IReanaCell {
  spec: string;
  name: string | null;
  parameters: Record<string, string>;
  wait: boolean;
  /** Lines of the cell before the YAML (the %%reana line). */
  lineOffset: number;
}

/** Split like a POSIX shell (quotes and backslashes), enough for option values. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === quote) {
        quote = null;
      } else if (ch === '\\' && quote === '"' && i + 1 < line.length) {
        word += line[++i];
      } else {
        word += ch;
      }
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) {
        words.push(word);
        word = '';
        inWord = false;
      }
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote) {
    throw new CellError('%%reana options: No closing quotation.');
  }
  if (inWord) {
    words.push(word);
  }
  return words;
}

export function parseOptions(
  line: string
): Pick<IReanaCell, 'name' | 'parameters' | 'wait'> {
  const words = shellWords(line);
  const out = {
    name: null as string | null,
    parameters: {} as Record<string, string>,
    wait: false
  };
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (['-n', '--name', '-p', '--parameter'].includes(word)) {
      if (i + 1 >= words.length) {
        throw new CellError(`%%reana: ${word} needs a value.`);
      }
      const value = words[++i];
      if (word === '-n' || word === '--name') {
        out.name = value;
        continue;
      }
      const eq = value.indexOf('=');
      if (eq <= 0) {
        throw new CellError(`%%reana: -p takes key=value, got '${value}'.`);
      }
      out.parameters[value.slice(0, eq)] = value.slice(eq + 1);
    } else if (word === '--wait') {
      out.wait = true;
    } else {
      throw new CellError(
        `%%reana: unknown option '${word}'; use -n NAME, -p KEY=VALUE, --wait.`
      );
    }
  }
  return out;
}

/** A cell's specification and options; raw cells are all YAML. */
export function parseReanaCell(source: string): IReanaCell {
  const lines = source.split('\n');
  const first = (lines[0] ?? '').trim();
  if (first.startsWith(MAGIC)) {
    const rest = first.slice(MAGIC.length);
    if (rest && !/^\s/.test(rest)) {
      throw new CellError(`'${first.split(/\s/)[0]}' is not %%reana.`);
    }
    return {
      spec: lines.slice(1).join('\n'),
      ...parseOptions(rest),
      lineOffset: 1
    };
  }
  return {
    spec: source,
    name: null,
    parameters: {},
    wait: false,
    lineOffset: 0
  };
}
