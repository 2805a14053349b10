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
  'maintainer',
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

/** Open licences Zenodo knows: their SPDX names (SPDX licence list), by SPDX id. */
export const LICENCE_NAMES: Readonly<Record<string, string>> = {
  MIT: 'MIT License',
  'Apache-2.0': 'Apache License 2.0',
  'BSD-3-Clause': 'BSD 3-Clause "New" or "Revised" License',
  'BSD-2-Clause': 'BSD 2-Clause "Simplified" License',
  'GPL-3.0-or-later': 'GNU General Public License v3.0 or later',
  'GPL-3.0-only': 'GNU General Public License v3.0 only',
  'LGPL-3.0-or-later': 'GNU Lesser General Public License v3.0 or later',
  'MPL-2.0': 'Mozilla Public License 2.0',
  'CC-BY-4.0': 'Creative Commons Attribution 4.0 International',
  'CC0-1.0': 'Creative Commons Zero v1.0 Universal'
};

const SPDX = 'https://spdx.org/licenses/';

/** The same licences as the SPDX URLs codemeta uses. */
export const LICENCES = Object.keys(LICENCE_NAMES).map(id => `${SPDX}${id}`);

/**
 * The name to show for a codemeta licence (an SPDX URL, with or without ".html", or an SPDX
 * id): "MIT License (MIT)"; null when it is not one of the known licences.
 */
export function licenceName(value: string): string | null {
  const given = value
    .trim()
    .replace(/^https?:\/\/spdx\.org\/licenses\//, '')
    .replace(/\.html$/, '');
  // Zenodo stores the SPDX id in lower case ("mit", "gpl-3.0-or-later"): same licence.
  const id = SPDX_IDS.get(given.toLowerCase());
  return id ? `${LICENCE_NAMES[id]} (${id})` : null;
}

const SPDX_IDS = new Map(
  Object.keys(LICENCE_NAMES).map(id => [id.toLowerCase(), id])
);

/**
 * A licence as every view names it (review s3 §6): "MIT License (MIT)" for the known ones,
 * whether given as codemeta's SPDX URL or Zenodo's id ("mit"); another licence as Zenodo
 * titles it, "Its Title (its-id)", or its id alone.
 */
export function licenceLabel(id: string, title?: string | null): string {
  const known = licenceName(id);
  if (known) {
    return known;
  }
  return title && title !== id ? `${title} (${id})` : id;
}

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
    .map(a => rowOf(a as Record<string, unknown>));
}

/** Normalise an ORCID to the URL form codemeta uses; anything else is kept for the check. */
export function orcidUrl(value: string): string {
  const v = value.trim();
  return /^\d{4}-\d{4}-\d{4}-\d{3}[0-9X]$/.test(v)
    ? `https://orcid.org/${v}`
    : v;
}

/** One person as codemeta holds it: the row's fields over what the form does not show. */
function writePerson(
  old: Record<string, unknown>,
  row: IPersonRow
): Record<string, unknown> {
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
}

function rowOf(person: Record<string, unknown>): IPersonRow {
  return {
    givenName: text(person['givenName']),
    familyName: text(person['familyName'] ?? person['name']),
    orcid: orcidOf(person),
    affiliation: affiliationOf(person)
  };
}

/** Write the authors back, keeping what the form does not show (email, @type, ...). */
export function setAuthors(meta: Codemeta, rows: IPersonRow[]): Codemeta {
  const before = list(meta['author']) as Record<string, unknown>[];
  const authors = rows.map((row, index) =>
    writePerson(
      typeof before[index] === 'object' && before[index] !== null
        ? { ...before[index] }
        : {},
      row
    )
  );
  return { ...meta, author: authors };
}

/** The maintainer the OSSR requires (the first one when codemeta lists several). */
export interface IMaintainerRow extends IPersonRow {
  /** The OSSR curators ask for it; optional. */
  email: string;
}

function firstMaintainer(meta: Codemeta): Record<string, unknown> | null {
  const first = list(meta['maintainer'])[0];
  return typeof first === 'object' && first !== null
    ? (first as Record<string, unknown>)
    : null;
}

export function hasMaintainer(meta: Codemeta): boolean {
  return meta['maintainer'] !== undefined && meta['maintainer'] !== null;
}

export function getMaintainer(meta: Codemeta): IMaintainerRow {
  const person = firstMaintainer(meta) ?? {};
  return { ...rowOf(person), email: text(person['email']) };
}

/** Write the (first) maintainer back; other maintainers of a list are kept after it. */
export function setMaintainer(meta: Codemeta, row: IMaintainerRow): Codemeta {
  const person = writePerson({ ...(firstMaintainer(meta) ?? {}) }, row);
  if (row.email.trim()) {
    person['email'] = row.email.trim();
  } else {
    delete person['email'];
  }
  const before = meta['maintainer'];
  const maintainer = Array.isArray(before)
    ? [person, ...before.slice(1)]
    : person;
  return { ...meta, maintainer };
}

/**
 * The default maintainer: a copy of the first creator (name, ORCID, affiliation, email), or
 * none while there is no creator (the OSSR's "maintainer is required" then shows).
 */
export function followFirstCreator(meta: Codemeta): Codemeta {
  const first = list(meta['author'])[0];
  const next = { ...meta };
  if (typeof first === 'object' && first !== null) {
    next['maintainer'] = JSON.parse(JSON.stringify(first));
  } else {
    delete next['maintainer'];
  }
  return next;
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
