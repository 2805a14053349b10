/**
 * The codemeta fields the publish form edits, read from and written back into the document.
 * Keys the form does not know are kept as they are (the document is the user's).
 */
import { Codemeta, CodemetaProblem } from './api';

export interface IPersonRow {
  givenName: string;
  familyName: string;
  /** An ORCID iD, as a URL or the bare number. */
  orcid: string;
  affiliation: string;
}

/** The form's own fields; each is a codemeta property (or the first of two). */
export const FORM_FIELDS = [
  'name',
  'author',
  'description',
  'license',
  'keywords',
  'softwareVersion',
  'codeRepository',
  'readme',
  'citation',
  'funding'
] as const;
export type FormField = (typeof FORM_FIELDS)[number];

/** Open licences Zenodo knows, as the SPDX URLs codemeta uses. */
export const LICENCES = [
  'MIT',
  'Apache-2.0',
  'BSD-3-Clause',
  'BSD-2-Clause',
  'GPL-3.0-or-later',
  'GPL-3.0-only',
  'LGPL-3.0-or-later',
  'MPL-2.0',
  'CC-BY-4.0',
  'CC0-1.0'
].map(id => `https://spdx.org/licenses/${id}`);

function text(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number') {
    return String(value);
  }
  return '';
}

function list(value: unknown): unknown[] {
  if (Array.isArray(value)) {
    return value;
  }
  return value === undefined || value === null || value === '' ? [] : [value];
}

export function getText(meta: Codemeta, key: string): string {
  return text(meta[key]);
}

/** A list field shown as one line: "a, b, c". */
export function getList(meta: Codemeta, key: string): string[] {
  return list(meta[key]).map(text).filter(Boolean);
}

export function orcidOf(person: Record<string, unknown>): string {
  return text(person['@id'] ?? person['identifier']);
}

function affiliationOf(person: Record<string, unknown>): string {
  const aff = person['affiliation'];
  const names = list(aff).map(org =>
    typeof org === 'string'
      ? org
      : text((org as Record<string, unknown>)?.['name'])
  );
  return names.filter(Boolean).join('; ');
}

export function getAuthors(meta: Codemeta): IPersonRow[] {
  return list(meta['author'])
    .filter(a => typeof a === 'object' && a !== null)
    .map(a => {
      const person = a as Record<string, unknown>;
      return {
        givenName: text(person['givenName']),
        familyName: text(person['familyName'] ?? person['name']),
        orcid: orcidOf(person),
        affiliation: affiliationOf(person)
      };
    });
}

/** Normalise an ORCID to the URL form codemeta uses; anything else is kept for the check. */
export function orcidUrl(value: string): string {
  const v = value.trim();
  return /^\d{4}-\d{4}-\d{4}-\d{3}[0-9X]$/.test(v)
    ? `https://orcid.org/${v}`
    : v;
}

/** Write the authors back, keeping what the form does not show (email, @type, ...). */
export function setAuthors(meta: Codemeta, rows: IPersonRow[]): Codemeta {
  const before = list(meta['author']) as Record<string, unknown>[];
  const authors = rows.map((row, index) => {
    const old =
      typeof before[index] === 'object' && before[index] !== null
        ? { ...before[index] }
        : {};
    const person: Record<string, unknown> = { '@type': 'Person', ...old };
    delete person['name'];
    person['givenName'] = row.givenName;
    person['familyName'] = row.familyName;
    if (!row.givenName) {
      delete person['givenName'];
    }
    if (!row.familyName) {
      delete person['familyName'];
    }
    const idKey = 'identifier' in old && !('@id' in old) ? 'identifier' : '@id';
    if (row.orcid.trim()) {
      person[idKey] = orcidUrl(row.orcid);
    } else {
      delete person['@id'];
      delete person['identifier'];
    }
    if (row.affiliation.trim()) {
      const orgs = row.affiliation
        .split(';')
        .map(s => s.trim())
        .filter(Boolean)
        .map(name => ({ '@type': 'Organization', name }));
      person['affiliation'] = orgs.length === 1 ? orgs[0] : orgs;
    } else {
      delete person['affiliation'];
    }
    return person;
  });
  return { ...meta, author: authors };
}

/** Set a text field; an empty text removes the key (so "required" is reported, not ""). */
export function setText(meta: Codemeta, key: string, value: string): Codemeta {
  const next = { ...meta };
  if (value === '') {
    delete next[key];
  } else {
    next[key] = value;
  }
  if (key === 'softwareVersion' && 'version' in meta) {
    // eossr collapses both into Zenodo's version: keep them equal.
    if (value === '') {
      delete next['version'];
    } else {
      next['version'] = value;
    }
  }
  return next;
}

/** Set a list field from its items; one item stays a list, none removes the key. */
export function setList(
  meta: Codemeta,
  key: string,
  items: string[]
): Codemeta {
  const next = { ...meta };
  const clean = items.map(s => s.trim()).filter(Boolean);
  if (clean.length === 0) {
    delete next[key];
  } else {
    next[key] = clean;
  }
  return next;
}

export function splitList(value: string, separator: RegExp = /,/): string[] {
  return value.split(separator).map(s => s.trim());
}

/** The codemeta property a problem is about: `author[0].identifier` -> `author`. */
export function problemRoot(field: string): string {
  const root = field.split(/[.[]/)[0];
  return root === 'version' ? 'softwareVersion' : root;
}

/** The problems of one form field (and of one author row when `index` is given). */
export function problemsOf(
  problems: readonly CodemetaProblem[],
  field: FormField,
  index?: number
): CodemetaProblem[] {
  return problems.filter(p => {
    if (problemRoot(p.field) !== field) {
      return false;
    }
    if (index === undefined) {
      return field !== 'author' || !/^author\[\d+\]/.test(p.field);
    }
    return p.field.startsWith(`author[${index}]`);
  });
}

/** Problems about fields the form does not show (they still block or warn). */
export function otherProblems(
  problems: readonly CodemetaProblem[]
): CodemetaProblem[] {
  const known = new Set<string>(FORM_FIELDS);
  return problems.filter(p => !known.has(problemRoot(p.field)));
}
