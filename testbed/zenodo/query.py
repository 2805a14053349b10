"""Search semantics of the Zenodo stand-in: a small subset of the OpenSearch query-string syntax.

Supported: free terms (all must match), ``"phrases"``, ``field:value`` and ``field:"phrase"``
for the fields the catalogue uses (native names and Zenodo's legacy aliases), ``-term`` / ``NOT
term`` exclusion, ``AND`` (the default) and wildcard ``*``. Unbalanced quotes or parentheses are a
syntax error, as on Zenodo. Sorts and facets are those of zenodo.org.
"""

from __future__ import annotations

import re
import shlex
from collections import Counter

from .seed import Record

FIELDS = {
    "title": "title",
    "metadata.title": "title",
    "description": "description",
    "metadata.description": "description",
    "keywords": "subjects",
    "metadata.subjects.subject": "subjects",
    "subject": "subjects",
    "creators.name": "creators",
    "metadata.creators.person_or_org.name": "creators",
    "doi": "doi",
    "pids.doi.identifier": "doi",
    "recid": "id",
    "id": "id",
    "conceptrecid": "parent",
    "parent.id": "parent",
    "resource_type.type": "type",
    "metadata.resource_type.id": "type",
    "type": "type",
    "version": "version",
    "metadata.version": "version",
    "license.identifier": "rights",
    "metadata.rights.id": "rights",
}

SORTS = {
    "bestmatch", "newest", "oldest", "version", "mostviewed", "mostdownloaded",
    "publication-desc", "publication-asc", "updated-desc", "updated-asc",
    "mostrecent", "-mostrecent", "-bestmatch",
}  # fmt: skip


class QuerySyntaxError(ValueError):
    pass


def _texts(record: Record) -> dict[str, str]:
    m = record.json["metadata"]
    return {
        "title": m["title"].lower(),
        "description": record.json["ui"]["description_stripped"].lower(),
        "subjects": " | ".join(s["subject"].lower() for s in m["subjects"]),
        "creators": " | ".join(c["person_or_org"]["name"].lower() for c in m["creators"]),
        "doi": record.json["pids"]["doi"]["identifier"].lower(),
        "id": record.json["id"],
        "parent": record.json["parent"]["id"],
        "type": m["resource_type"]["id"],
        "version": m["version"].lower(),
        "rights": " ".join(r["id"] for r in m["rights"]),
    }


def parse(q: str) -> list[tuple[bool, str | None, str]]:
    """Terms as (negated, field or None, value)."""
    if q.count('"') % 2 or q.count("(") != q.count(")"):
        raise QuerySyntaxError(f"Failed to parse query: {q!r}")
    try:
        tokens = shlex.split(q.replace("(", " ").replace(")", " "), posix=True)
    except ValueError as exc:
        raise QuerySyntaxError(f"Failed to parse query: {q!r}") from exc
    terms: list[tuple[bool, str | None, str]] = []
    negate = False
    for token in tokens:
        if token in ("AND", "OR", "&&", "||", "+"):
            continue
        if token == "NOT":
            negate = True
            continue
        if token.startswith("-") and len(token) > 1:
            negate, token = True, token[1:]
        field, value = None, token
        if ":" in token and not token.startswith("http"):
            name, value = token.split(":", 1)
            if name not in FIELDS:
                raise QuerySyntaxError(f"Unknown field {name!r} in query.")
            field = FIELDS[name]
        if value:
            terms.append((negate, field, value.lower()))
        negate = False
    return terms


def _matches(value: str, text: str) -> bool:
    if "*" in value:
        pattern = re.escape(value).replace(r"\*", r"\S*")
        return re.search(pattern, text) is not None
    return value in text


def score(record: Record, terms) -> float:
    """0 means no match; higher is a better match."""
    texts = _texts(record)
    total = 1.0
    for negated, field, value in terms:
        if field:
            hit = (
                _matches(value, texts[field])
                if field not in ("id", "parent", "type")
                else texts[field] == value
            )
            weight = 2.0 if hit else 0.0
        else:
            weight = (
                3.0 * _matches(value, texts["title"])
                + 2.0 * _matches(value, texts["subjects"])
                + 1.0 * _matches(value, texts["description"])
                + 1.0 * _matches(value, texts["creators"])
            )
            hit = weight > 0
        if hit == negated:
            return 0.0
        total += 0 if negated else weight
    return total


def sort_key(sort: str):
    def stats(r: Record, what: str) -> int:
        return r.json["stats"]["all_versions"][what]

    return {
        "newest": lambda r: r.json["created"],
        "mostrecent": lambda r: r.json["created"],
        "oldest": lambda r: r.json["created"],
        "-mostrecent": lambda r: r.json["created"],
        "publication-desc": lambda r: r.json["metadata"]["publication_date"],
        "publication-asc": lambda r: r.json["metadata"]["publication_date"],
        "updated-desc": lambda r: r.json["updated"],
        "updated-asc": lambda r: r.json["updated"],
        "mostviewed": lambda r: stats(r, "unique_views"),
        "mostdownloaded": lambda r: stats(r, "unique_downloads"),
        "version": lambda r: r.json["versions"]["index"],
    }.get(sort)


DESCENDING = {
    "newest", "mostrecent", "publication-desc", "updated-desc", "mostviewed", "mostdownloaded",
    "version",
}  # fmt: skip


def _bucket(key: str, label: str, count: int, selected: set[str]) -> dict:
    return {"key": key, "doc_count": count, "label": label, "is_selected": key in selected}


def aggregations(records: list[Record], selected: dict[str, set[str]]) -> dict:
    """zenodo.org's facets: access_status, resource_type, subject, file_type."""
    types, type_labels, subjects, access, file_types = (
        Counter(),
        {},
        Counter(),
        Counter(),
        Counter(),
    )
    for r in records:
        m = r.json["metadata"]
        types[m["resource_type"]["id"]] += 1
        type_labels[m["resource_type"]["id"]] = m["resource_type"]["title"]["en"]
        subjects.update({s["subject"] for s in m["subjects"]})
        access[r.json["access"]["status"]] += 1
        entries = r.json["files"].get("entries") or {}
        file_types.update({e["ext"] for e in entries.values()})
    access_labels = {
        "open": "Open",
        "restricted": "Restricted",
        "embargoed": "Embargoed",
        "metadata-only": "Metadata-only",
    }

    def facet(label, counter, labels, name, limit=10):
        chosen = selected.get(name, set())
        return {
            "label": label,
            "buckets": [
                _bucket(k, labels.get(k, k), n, chosen)
                for k, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
            ],
        }

    return {
        "access_status": facet("Access status", access, access_labels, "access_status"),
        "resource_type": facet("Resource types", types, type_labels, "resource_type"),
        "subject": facet("Keywords", subjects, {}, "subject"),
        "file_type": facet("File type", file_types, {}, "file_type"),
    }


def facet_match(record: Record, selected: dict[str, set[str]]) -> bool:
    m = record.json["metadata"]
    checks = {
        "resource_type": {m["resource_type"]["id"], m["resource_type"]["id"].split("-")[0]},
        "subject": {s["subject"] for s in m["subjects"]},
        "access_status": {record.json["access"]["status"]},
        "file_type": {e["ext"] for e in (record.json["files"].get("entries") or {}).values()},
    }
    return all(not values or values & checks[name] for name, values in selected.items())
