"""The one place that maps Zenodo's JSON to the catalogue's own model.

The client pins ``Accept: application/vnd.inveniordm.v1+json`` (InvenioRDM's native shape) and
everything below reads that shape only. The browser sees these dictionaries, never Zenodo's.
"""

from __future__ import annotations

import re
from typing import Any, TypedDict
from urllib.parse import quote

from .sanitize import remote_images, sanitize_description


class Creator(TypedDict):
    name: str
    orcid: str | None
    affiliation: str | None


class Licence(TypedDict):
    id: str
    title: str
    url: str | None


class RecordSummary(TypedDict):
    id: str
    concept_id: str | None
    title: str
    version: str | None
    creators: list[Creator]
    publication_date: str | None
    resource_type: dict[str, str]
    keywords: list[str]
    licence: Licence | None
    doi: str | None
    concept_doi: str | None
    access_status: str
    description_text: str
    views: int | None
    downloads: int | None
    files_count: int
    total_bytes: int
    html_url: str
    is_latest: bool | None


class FileEntry(TypedDict):
    key: str
    size: int
    md5: str | None
    mimetype: str | None


class Related(TypedDict):
    identifier: str
    relation: str
    scheme: str | None
    kind: str  # repository | documentation | other


ORCID = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
FORGES = ("github.com", "gitlab.", "bitbucket.org", "codeberg.org", "git.")
SUMMARY_TEXT = 320


VERSION_MAX = 100


def version_text(value: Any) -> str | None:
    """A record's version as text, or None: upstream metadata may hold a number, a list or an
    object where a string belongs, and nothing downstream should have to guess."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        value = str(value)
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())[:VERSION_MAX]
    return value or None


def _text(value: Any) -> str:
    """Localised titles are ``{"en": ...}`` in the native shape."""
    if isinstance(value, dict):
        return str(value.get("en") or next(iter(value.values()), ""))
    return str(value or "")


def _creator(entry: dict) -> Creator:
    person = entry.get("person_or_org") or {}
    orcid = next(
        (
            i.get("identifier")
            for i in person.get("identifiers") or []
            if i.get("scheme") == "orcid" and ORCID.match(str(i.get("identifier", "")))
        ),
        None,
    )
    affiliations = entry.get("affiliations") or []
    return {
        "name": str(person.get("name") or ""),
        "orcid": orcid,
        "affiliation": (affiliations[0].get("name") if affiliations else None),
    }


def _licence(metadata: dict) -> Licence | None:
    rights = metadata.get("rights") or []
    if not rights:
        return None
    first = rights[0]
    url = (first.get("props") or {}).get("url") or first.get("link")
    return {
        "id": str(first.get("id") or ""),
        "title": _text(first.get("title")) or str(first.get("id") or ""),
        "url": url if isinstance(url, str) and url.startswith("https://") else None,
    }


def _doi(record: dict, parent: bool = False) -> str | None:
    source = (record.get("parent") or {}) if parent else record
    return ((source.get("pids") or {}).get("doi") or {}).get("identifier")


def _stripped(record: dict) -> str:
    text = (record.get("ui") or {}).get("description_stripped")
    if not text:
        text = re.sub(r"<[^>]+>", " ", (record.get("metadata") or {}).get("description") or "")
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= SUMMARY_TEXT else text[: SUMMARY_TEXT - 1].rstrip() + "…"


def summary(record: dict, base_url: str) -> RecordSummary:
    """A search hit or record, as the result list shows it."""
    metadata = record.get("metadata") or {}
    files = record.get("files") or {}
    stats = (record.get("stats") or {}).get("all_versions") or {}
    rtype = metadata.get("resource_type") or {}
    record_id = str(record.get("id"))
    return {
        "id": record_id,
        "concept_id": str((record.get("parent") or {}).get("id") or "") or None,
        "title": str(metadata.get("title") or "(untitled)"),
        "version": version_text(metadata.get("version")),
        "creators": [_creator(c) for c in metadata.get("creators") or []],
        "publication_date": metadata.get("publication_date"),
        "resource_type": {"id": str(rtype.get("id") or ""), "title": _text(rtype.get("title"))},
        "keywords": [
            str(s.get("subject")) for s in metadata.get("subjects") or [] if s.get("subject")
        ],
        "licence": _licence(metadata),
        "doi": _doi(record),
        "concept_doi": _doi(record, parent=True),
        "access_status": str((record.get("access") or {}).get("status") or "open"),
        "description_text": _stripped(record),
        "views": stats.get("unique_views"),
        "downloads": stats.get("unique_downloads"),
        "files_count": int(files.get("count") or len(files.get("entries") or {})),
        "total_bytes": int(files.get("total_bytes") or 0),
        # Built from the configured base URL, never from links the upstream sent.
        "html_url": f"{base_url}/records/{quote(record_id, safe='')}",
        "is_latest": (record.get("versions") or {}).get("is_latest"),
    }


def files(record: dict) -> list[FileEntry]:
    entries = (record.get("files") or {}).get("entries") or {}
    values = entries.values() if isinstance(entries, dict) else entries
    out: list[FileEntry] = []
    for entry in values:
        checksum = str(entry.get("checksum") or "")
        out.append(
            {
                "key": str(entry.get("key")),
                "size": int(entry.get("size") or 0),
                "md5": checksum[4:] if checksum.startswith("md5:") else None,
                "mimetype": entry.get("mimetype"),
            }
        )
    return sorted(out, key=lambda f: f["key"])


def _kind(identifier: str, relation: str) -> str:
    if relation in ("isdocumentedby", "documents"):
        return "documentation"
    if identifier.startswith("https://") and any(f in identifier for f in FORGES):
        return "repository"
    return "other"


def related(record: dict) -> list[Related]:
    out: list[Related] = []
    for entry in (record.get("metadata") or {}).get("related_identifiers") or []:
        identifier = str(entry.get("identifier") or "")
        relation = str((entry.get("relation_type") or {}).get("id") or "")
        out.append(
            {
                "identifier": identifier,
                "relation": _text((entry.get("relation_type") or {}).get("title")) or relation,
                "scheme": entry.get("scheme"),
                "kind": _kind(identifier, relation),
            }
        )
    return out


def version(record: dict) -> dict:
    versions = record.get("versions") or {}
    return {
        "id": str(record.get("id")),
        "version": version_text((record.get("metadata") or {}).get("version")),
        "publication_date": (record.get("metadata") or {}).get("publication_date"),
        "index": versions.get("index"),
        "is_latest": bool(versions.get("is_latest")),
    }


def detail(record: dict, base_url: str, *, images: bool) -> dict:
    """Everything the record view shows, description sanitized."""
    raw = (record.get("metadata") or {}).get("description") or ""
    return {
        **summary(record, base_url),
        "description_html": sanitize_description(raw, images=images),
        "remote_images": remote_images(raw),
        "images_shown": images,
        "files": files(record),
        "files_restricted": (record.get("access") or {}).get("files") not in (None, "public"),
        "related": related(record),
    }


def facets(aggregations: dict) -> list[dict]:
    """Every bucket-style aggregation Zenodo returned (range facets such as dates skipped)."""
    out = []
    for name, facet in (aggregations or {}).items():
        buckets = facet.get("buckets") if isinstance(facet, dict) else None
        if not isinstance(buckets, list):
            continue
        out.append(
            {
                "name": name,
                "label": _text(facet.get("label")) or name,
                "buckets": [
                    {
                        "key": str(b.get("key")),
                        "label": _text(b.get("label")) or str(b.get("key")),
                        "count": int(b.get("doc_count") or 0),
                        "selected": bool(b.get("is_selected")),
                    }
                    for b in buckets
                ],
            }
        )
    return out


CODEMETA_FIELDS = (
    "name",
    "programmingLanguage",
    "runtimePlatform",
    "softwareRequirements",
    "buildInstructions",
    "installUrl",
    "codeRepository",
    "issueTracker",
    "readme",
    "operatingSystem",
    "developmentStatus",
)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    values = value if isinstance(value, list) else [value]
    out = []
    for v in values:
        if isinstance(v, dict):
            v = v.get("name") or v.get("identifier") or v.get("@id")
        if v:
            out.append(str(v))
    return out


def _people(value: Any) -> list[dict]:
    people = value if isinstance(value, list) else [value] if value else []
    out = []
    for p in people:
        if not isinstance(p, dict):
            continue
        name = " ".join(x for x in (p.get("givenName"), p.get("familyName")) if x) or p.get("name")
        pid = str(p.get("@id") or "")
        out.append({"name": str(name or ""), "orcid": pid if "orcid.org/" in pid else None})
    return out


def codemeta(document: dict) -> dict:
    """The codemeta.json fields the record view shows, each as a list of strings or people."""
    out: dict[str, Any] = {key: _as_list(document.get(key)) for key in CODEMETA_FIELDS}
    out["maintainers"] = _people(document.get("maintainer"))
    out["authors"] = _people(document.get("author"))
    out["version"] = str(document.get("softwareVersion") or document.get("version") or "") or None
    return out
