/**
 * The `%%reana` cell: options on the first line, the REANA specification (YAML) below.
 *
 *     %%reana -n fit -p events=1000 --wait
 *     version: 0.9.0
 *
 * A raw cell is all YAML. The server is the one parser of this grammar
 * (jupyterlab_escape/workflows/cell.py): the cell is sent as written, and a bad
 * option comes back as the server's 400 message.
 */

export const MAGIC = '%%reana';

/** Does a code cell's source start with the magic (the command shows on such cells)? */
export function isReanaSource(source: string): boolean {
  return source.trimStart().startsWith(MAGIC);
}
