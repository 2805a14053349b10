/**
 * A submission of a notebook cell that did not start a workflow, as an error output of that cell
 * (#21): the server's words as written, and the line of the cell it is about, numbered as the
 * notebook numbers the cell's lines (a refusal of the %%reana line is about line 1; a problem of
 * the YAML carries "(line N)" already counted from the top of the cell).
 */
import { TranslationBundle } from '@jupyterlab/translation';

import { EscapeRequestError, errorMessage } from '../request';

/** The line of the cell a refusal is about, or null when it names none. */
export function refusedLine(reason: unknown, source: string): number | null {
  const message = errorMessage(reason, '');
  const named = /\(line (\d+)\)/.exec(message) ?? /\bline (\d+):/.exec(message);
  if (named) {
    return Number(named[1]);
  }
  if (
    reason instanceof EscapeRequestError &&
    reason.code === 'reana_bad_cell' &&
    source.trimStart().startsWith('%%reana')
  ) {
    return 1;
  }
  return null;
}

/** An nbformat error output (typed here: the package is not a dependency of ours). */
export interface ICellErrorOutput {
  output_type: 'error';
  ename: string;
  evalue: string;
  traceback: string[];
  [key: string]: string | string[];
}

/** The error output a refused cell shows: what the server said, then the numbered line. */
export function cellErrorOutput(
  reason: unknown,
  source: string,
  trans: TranslationBundle
): ICellErrorOutput {
  const message = errorMessage(reason, trans.__('Submitting to REANA'));
  const line = refusedLine(reason, source);
  // JupyterLab shows an error output's traceback: the words first, then the numbered lines.
  const named = /\(line \d+\)|\bline \d+:/.test(message);
  const evalue =
    line !== null && !named
      ? trans.__('%1 (cell line %2)', message, line)
      : message;
  const lines = source.split('\n');
  const traceback = [evalue];
  if (line !== null && line >= 1 && line <= lines.length) {
    const last = Math.min(lines.length, line + 1);
    const width = String(last).length;
    traceback.push('');
    for (let n = Math.max(1, line - 1); n <= last; n++) {
      const mark = n === line ? '-->' : '   ';
      traceback.push(`${mark} ${String(n).padStart(width)} | ${lines[n - 1]}`);
    }
  }
  return {
    output_type: 'error',
    ename: trans.__('REANA did not start the workflow'),
    evalue,
    traceback
  };
}
