/**
 * Putting catalogue content into the active notebook: a rendered markdown cell for citations,
 * a code cell (not run: the user reviews it) for installs.
 */
import { insertCell } from '../common/cells';
import { IRecordDetail } from './api';

export { insertCell };

/** Markdown of a citation cell: the formatted reference, and BibTeX when we have it. */
export function citationMarkdown(
  record: IRecordDetail,
  formatted: string,
  bibtex: string | null
): string {
  const lines = [
    `**Software used:** [${record.title}](${record.html_url})` +
      (record.version ? ` (version ${record.version})` : ''),
    '',
    `> ${formatted.replace(/\n+/g, ' ')}`
  ];
  if (bibtex && bibtex !== formatted) {
    lines.push('', '```bibtex', bibtex, '```');
  }
  return lines.join('\n');
}
