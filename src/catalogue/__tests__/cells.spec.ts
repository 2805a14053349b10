/**
 * Citation cells carry record authors' and Zenodo's text: it must render as text. The Markdown
 * is rendered with marked, the parser JupyterLab's markdown cells use, so the assertions are
 * about what a user would see, not about the escaping characters.
 */
import { citationMarkdown, escapeMarkdown, fencedBlock } from '../cells';
import { detail } from './fixtures';

// marked's package exports only its ES module; its UMD build is the same parser for jest.
declare const require: {
  (id: string): { marked: { parse(md: string, options: object): string } };
  resolve(id: string): string;
};
const { marked } = require(
  require
    .resolve('marked/package.json')
    .replace(/package\.json$/, 'lib/marked.umd.js')
);

function render(markdown: string): string {
  return marked.parse(markdown, { async: false, gfm: true });
}

function hrefs(html: string): string[] {
  return [...html.matchAll(/href="([^"]*)"/g)].map(m => m[1]);
}

/** Links other than the record page: only literal URLs that show exactly where they go. */
function hiddenLinks(html: string): string[] {
  return [...html.matchAll(/<a href="([^"]*)"[^>]*>([^<]*)<\/a>/g)]
    .filter(m => m[1] !== URL && m[1] !== m[2])
    .map(m => m[1]);
}

const URL = 'https://zenodo.org/records/42';

describe('citationMarkdown escapes what records say', () => {
  it.each([
    ['a javascript: link', '[click](javascript:alert(1))'],
    ['an autolink', '<javascript:alert(1)>'],
    ['a reference-style link', '[x][1]\n\n[1]: javascript:alert(1)'],
    ['an image', '![x](https://tracker.example/p.png)'],
    ['a link closing ours', 'tool](javascript:alert(1)) [more'],
    ['an HTML entity for "<"', '&lt;img src=x onerror=alert(1)&gt;']
  ])('%s in the title stays text', (_name, title) => {
    const html = render(citationMarkdown(detail({ title }), 'Ref.', null));
    expect(hrefs(html)[0]).toBe(URL);
    expect(hiddenLinks(html)).toEqual([]);
    expect(hrefs(html).filter(h => !h.startsWith('https://'))).toEqual([]);
    expect(html).not.toMatch(/<img|<script/);
  });

  it('keeps an HTML title as visible text', () => {
    const title = '<img src=x onerror=alert(1)><script>alert(2)</script>';
    const html = render(citationMarkdown(detail({ title }), 'Ref.', null));
    expect(html).not.toMatch(/<img|<script/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('folds line breaks so a title cannot start a block', () => {
    const title = 'tool\n\n# Heading\n\n<div onclick=x>\n\n- item\r\u2028$x$';
    const markdown = citationMarkdown(
      detail({ title, version: null }),
      'Ref.',
      null
    );
    expect(markdown.split('\n')[0]).toBe(
      '**Software used:** [tool # Heading \\<div onclick=x\\> - item \\$x\\$](' +
        URL +
        ')'
    );
    const html = render(markdown);
    expect(html).not.toMatch(/<h1|<div|<li/);
  });

  it('escapes the version and the formatted citation too', () => {
    const markdown = citationMarkdown(
      detail({ version: '1.0 <b onmouseover=x>' }),
      '# Doe, J.\n\n<iframe src=//evil></iframe> `code` *em*',
      null
    );
    const html = render(markdown);
    expect(html).not.toMatch(/<h1|<iframe|<b |<code|<em/);
    expect(markdown).toContain('(version 1.0 \\<b onmouseover=x\\>)');
    expect(markdown.split('\n')[2]).toBe(
      '> \\# Doe, J. \\<iframe src=//evil\\>\\</iframe\\> \\`code\\` \\*em\\*'
    );
  });

  it('leaves out a version that is not text and a link that is not http(s)', () => {
    const record = detail({
      version: 3 as unknown as string,
      html_url: 'javascript:alert(1)'
    });
    expect(citationMarkdown(record, 'Ref.', null).split('\n')[0]).toBe(
      '**Software used:** tool 42: a pipeline'
    );
  });

  it('keeps BibTeX inside its code block whatever it contains', () => {
    const bibtex =
      '@software{x,\n title = {a}\n}\n```\n<img src=x onerror=alert(1)>\n' +
      '[c](javascript:alert(1))\n````\n~~~\n';
    const markdown = citationMarkdown(detail(), 'Ref.', bibtex);
    const html = render(markdown);
    expect(html.match(/<pre>/g)).toHaveLength(1);
    expect(html).not.toMatch(/<img|<a href="javascript/);
    expect(hrefs(html)).toEqual([URL]);
    expect(markdown.endsWith('\n`````')).toBe(true);
  });
});

describe('escapeMarkdown and fencedBlock', () => {
  it('escapes block starts and inline syntax, keeps plain text', () => {
    expect(escapeMarkdown('1. first', true)).toBe('\\1. first');
    expect(escapeMarkdown('- x', true)).toBe('\\- x');
    expect(escapeMarkdown('1.0.0')).toBe('1.0.0');
    expect(escapeMarkdown('a_b*c|d~e')).toBe('a\\_b\\*c\\|d\\~e');
    expect(escapeMarkdown('Doe, J. (2024). Tool. Zenodo.')).toBe(
      'Doe, J. \\(2024\\). Tool. Zenodo.'
    );
    expect(escapeMarkdown(null)).toBe('');
  });

  it('makes a fence longer than any backtick run inside', () => {
    expect(fencedBlock('a\n``````\nb', 'x')).toBe(
      '```````x\na\n``````\nb\n```````'
    );
    expect(fencedBlock('plain\r\n')).toBe('```\nplain\n```');
  });
});
