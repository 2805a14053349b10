/**
 * Putting catalogue content into the active notebook: a rendered markdown cell for citations,
 * a code cell (not run: the user reviews it) for installs.
 *
 * Titles, versions and citations come from record authors and from Zenodo: they are text, so
 * everything Markdown, HTML or math would act on is escaped before it reaches a markdown cell
 * (a title like `[x](javascript:…)`, `<img onerror=…>` or a closing code fence stays inert).
 */
import { insertCell } from '../common/cells';
import { IRecordDetail } from './api';

export { insertCell };

/**
 * Characters that start Markdown/GFM syntax, inline HTML, entities or JupyterLab's math.
 * Parentheses too: inside link text marked re-reads `\[x\](url)` as a link unless the
 * parentheses are escaped as well.
 */
const INLINE = /[\\`*_[\]()<>!|~&$]/g;
/** Line starts that open a block (heading, list, quote, setext underline, ordered list). */
const BLOCK_START = /^([#+=-]|\d+[.)])/;

/**
 * Upstream text as one line of inert Markdown: whitespace folded, syntax backslash-escaped.
 * `lineStart`: the text begins a line (or a quote), where `#`, `-` or `1.` would open a block.
 */
export function escapeMarkdown(text: unknown, lineStart = false): string {
  const line = String(text ?? '')
    // Control characters and every kind of line break become plain spaces.
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\s]+/g, ' ')
    .trim()
    .replace(INLINE, '\\$&');
  return lineStart ? line.replace(BLOCK_START, '\\$&') : line;
}

/** A fenced code block that nothing inside can close: the fence outruns every backtick run. */
export function fencedBlock(text: string, info = ''): string {
  const body = text.replace(/\r\n?/g, '\n').replace(/\n+$/, '');
  const longest = Math.max(
    0,
    ...(body.match(/`+/g) ?? []).map(run => run.length)
  );
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${body}\n${fence}`;
}

/** Only a plain http(s) URL becomes a link target; anything else is left out. */
function linkTarget(url: string): string | null {
  return /^https?:\/\/[^\s<>()\\`]+$/.test(url) ? url : null;
}

/** Markdown of a citation cell: the formatted reference, and BibTeX when we have it. */
export function citationMarkdown(
  record: IRecordDetail,
  formatted: string,
  bibtex: string | null
): string {
  const title = escapeMarkdown(record.title);
  const target = linkTarget(record.html_url);
  const version =
    typeof record.version === 'string' && record.version.trim()
      ? ` (version ${escapeMarkdown(record.version)})`
      : '';
  const lines = [
    `**Software used:** ${target ? `[${title}](${target})` : title}${version}`,
    '',
    `> ${escapeMarkdown(formatted, true)}`
  ];
  if (bibtex && bibtex !== formatted) {
    lines.push('', fencedBlock(bibtex, 'bibtex'));
  }
  return lines.join('\n');
}
