"""Export formats of the Zenodo stand-in, chosen by the ``Accept`` header as on Zenodo."""

from __future__ import annotations

import json

JSON_TYPES = ("application/vnd.inveniordm.v1+json", "application/json")
BIBTEX = "application/x-bibtex"
BIBLIOGRAPHY = "text/x-bibliography"
CSL_JSON = "application/vnd.citationstyles.csl+json"
DATACITE_JSON = "application/vnd.datacite.datacite+json"
SCHEMA_ORG = "application/ld+json"
EXPORTS = (BIBTEX, BIBLIOGRAPHY, CSL_JSON, DATACITE_JSON, SCHEMA_ORG)
STYLES = ("apa", "harvard-cite-them-right", "chicago-author-date", "ieee", "vancouver")
DEFAULT_STYLE = "harvard-cite-them-right"


class StyleNotFound(ValueError):
    pass


def _names(record: dict) -> list[tuple[str, str]]:
    return [
        (c["person_or_org"].get("family_name", ""), c["person_or_org"].get("given_name", ""))
        for c in record["metadata"]["creators"]
    ]


def _year(record: dict) -> str:
    return record["metadata"]["publication_date"][:4]


def _doi(record: dict) -> str:
    return record["pids"]["doi"]["identifier"]


def bibtex(record: dict) -> str:
    m = record["metadata"]
    first = _names(record)[0][0] or "anon"
    key = "".join(ch for ch in first.lower() if ch.isalnum()) + f"_{_year(record)}_{record['id']}"
    entry = "software" if m["resource_type"]["id"] == "software" else "misc"
    authors = " and ".join(f"{family}, {given}" for family, given in _names(record))
    fields = [
        ("author", authors),
        ("title", m["title"]),
        ("month", m["publication_date"][5:7].lstrip("0") or "1"),
        ("year", _year(record)),
        ("publisher", "Zenodo"),
        ("version", m["version"]),
        ("doi", _doi(record)),
        ("url", f"https://doi.org/{_doi(record)}"),
    ]
    body = ",\n".join(f"  {name:<9} = {{{value}}}" for name, value in fields)
    return f"@{entry}{{{key},\n{body},\n}}"


def _initials(given: str) -> str:
    return " ".join(f"{part[0]}." for part in given.split() if part)


def bibliography(record: dict, style: str) -> str:
    if style not in STYLES:
        raise StyleNotFound("Citation string style not found.")
    m = record["metadata"]
    names = _names(record)
    doi = f"https://doi.org/{_doi(record)}"
    year, title, version = _year(record), m["title"], m["version"]
    if style == "apa":
        people = [f"{f}, {_initials(g)}" for f, g in names]
        who = people[0] if len(people) == 1 else ", ".join(people[:-1]) + ", & " + people[-1]
        return f"{who} ({year}). {title} ({version}). Zenodo. {doi}"
    if style == "ieee":
        people = [f"{_initials(g)} {f}" for f, g in names]
        return f'{", ".join(people)}, "{title}". Zenodo, {year}. doi: {_doi(record)}.'
    if style == "vancouver":
        people = [f"{f} {''.join(p[0] for p in g.split())}" for f, g in names]
        return f"{', '.join(people)}. {title}. Zenodo; {year}. doi:{_doi(record)}"
    if style == "chicago-author-date":
        people = [f"{f}, {g}" if i == 0 else f"{g} {f}" for i, (f, g) in enumerate(names)]
        return f"{', and '.join(people)}. {year}. “{title}”. Zenodo. {doi}."
    people = [f"{f}, {_initials(g)}" for f, g in names]
    return f"{', '.join(people)} ({year}) “{title}”. Zenodo. doi:{_doi(record)}."


def csl_json(record: dict) -> str:
    m = record["metadata"]
    return json.dumps(
        {
            "id": record["id"],
            "type": "software" if m["resource_type"]["id"] == "software" else "dataset",
            "title": m["title"],
            "author": [{"family": f, "given": g} for f, g in _names(record)],
            "issued": {"date-parts": [[int(x) for x in m["publication_date"].split("-")]]},
            "publisher": "Zenodo",
            "version": m["version"],
            "DOI": _doi(record),
        }
    )


def datacite_json(record: dict) -> str:
    m = record["metadata"]
    return json.dumps(
        {
            "types": {"resourceTypeGeneral": m["resource_type"]["title"]["en"]},
            "creators": [{"name": f"{f}, {g}"} for f, g in _names(record)],
            "titles": [{"title": m["title"]}],
            "publisher": "Zenodo",
            "publicationYear": _year(record),
            "identifiers": [{"identifierType": "DOI", "identifier": _doi(record)}],
            "version": m["version"],
            "schemaVersion": "http://datacite.org/schema/kernel-4",
        }
    )


def schema_org(record: dict) -> str:
    m = record["metadata"]
    return json.dumps(
        {
            "@context": "http://schema.org",
            "@type": "SoftwareSourceCode" if m["resource_type"]["id"] == "software" else "Dataset",
            "@id": f"https://doi.org/{_doi(record)}",
            "name": m["title"],
            "version": m["version"],
            "creator": [{"@type": "Person", "name": f"{f}, {g}"} for f, g in _names(record)],
        }
    )


def render(record: dict, accept: str, style: str | None) -> tuple[str, str]:
    """(content type, body) of one export format."""
    if accept == BIBTEX:
        return accept, bibtex(record)
    if accept == BIBLIOGRAPHY:
        return "text/plain; charset=utf-8", bibliography(record, style or DEFAULT_STYLE)
    if accept == CSL_JSON:
        return accept, csl_json(record)
    if accept == DATACITE_JSON:
        return accept, datacite_json(record)
    return accept, schema_org(record)
