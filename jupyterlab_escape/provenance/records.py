"""A notebook's provenance (``metadata.escape.provenance``), read as untrusted data.

The frontend writes these records (``src/provenance/records.ts``) from server answers; read back
from a file they are whatever the file says: a shared notebook can carry forged provenance. So the
notebook is bounded in size, each list is cut to its ``maxItems`` before anything looks at it,
every entry is validated against the schema in ``openapi.yaml`` (``components/schemas/
Provenance*``) and dropped when it does not fit, and only the properties of the schema are kept.
What comes out is plain data: names, checksums, ids; nothing in it chooses a host or a path.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from ..openapi import description_text

KINDS = {
    "dids_used": "ProvenanceDidUsed",
    "workflows": "ProvenanceWorkflow",
    "dids_produced": "ProvenanceDidProduced",
    "software": "ProvenanceSoftware",
}
VERSION = 1
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
MAX_PARAMETERS_JSON = 64 * 1024
# control characters, line breaks and the bidirectional overrides that reorder what is shown
_CONTROL = re.compile(r"[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


@lru_cache(maxsize=1)
def _components() -> dict:
    return yaml.safe_load(description_text())["components"]


@lru_cache(maxsize=8)
def validator(name: str) -> Draft202012Validator:
    """A validator of ``components/schemas/<name>`` of openapi.yaml (refs resolved in it)."""
    schema = {"$ref": f"#/components/schemas/{name}", "components": _components()}
    return Draft202012Validator(schema)


def _fields(name: str) -> set[str]:
    """The properties a schema (and its allOf parts) declares."""
    schemas = _components()["schemas"]
    found: set[str] = set()

    def walk(schema: dict) -> None:
        if "$ref" in schema:
            walk(schemas[schema["$ref"].rsplit("/", 1)[1]])
        found.update(schema.get("properties", {}))
        for part in schema.get("allOf", []):
            walk(part)

    walk(schemas[name])
    return found


def clean_text(value: Any, limit: int) -> Any:
    """Free text (titles) as one plain line: control characters and line breaks folded, cut."""
    if not isinstance(value, str):
        return value
    text = unicodedata.normalize("NFC", _CONTROL.sub(" ", value)).strip()
    return text[:limit]


@dataclass
class Provenance:
    dids_used: list[dict] = field(default_factory=list)
    workflows: list[dict] = field(default_factory=list)
    dids_produced: list[dict] = field(default_factory=list)
    software: list[dict] = field(default_factory=list)
    #: Human sentences: entries dropped and why (never the entries themselves).
    refused: list[str] = field(default_factory=list)

    def lists(self) -> dict[str, list[dict]]:
        return {kind: getattr(self, kind) for kind in KINDS}

    def counts(self) -> dict[str, int]:
        return {kind: len(items) for kind, items in self.lists().items()}

    def empty(self) -> bool:
        return not any(self.lists().values())


def _key(kind: str, entry: dict) -> str:
    if kind == "workflows":
        return entry["id"]
    if kind == "software":
        return f"{entry['record_id']}|{entry['action']}"
    return f"{entry['instance']}|{entry['scope']}:{entry['name']}"


def _legacy(escape: dict) -> dict[str, list]:
    """The keys written before ``provenance`` existed, read the same way."""

    def did(entry: Any) -> Any:
        if not isinstance(entry, dict):
            return entry
        out = {"bytes": None, "adler32": None, "md5": None, "instance": "escape"} | entry
        if out.get("uploaded") and "recorded" not in out:
            out["recorded"] = out["uploaded"]
        out.pop("uploaded", None)
        return out

    lists: dict[str, list] = {}
    for key, kind in (("datalake", "dids_used"), ("datalake_produced", "dids_produced")):
        value = escape.get(key)
        if isinstance(value, list):
            lists[kind] = [did(e) for e in value[:1000]]
    return lists


def read(escape: Any) -> Provenance:
    """The validated provenance of a notebook's ``escape`` metadata."""
    out = Provenance()
    if not isinstance(escape, dict):
        return out
    sources: list[dict[str, Any]] = [_legacy(escape)]
    stored = escape.get("provenance")
    if isinstance(stored, dict):
        if stored.get("version") != VERSION:
            out.refused.append(
                f"The provenance record has version {str(stored.get('version'))[:20]!r}; "
                f"only version {VERSION} is read."
            )
        else:
            sources.append(stored)
    schemas = _components()["schemas"]
    for kind, schema in KINDS.items():
        limit = schemas["Provenance"]["properties"][kind]["maxItems"]
        keep = _fields(schema)
        check = validator(schema)
        seen: dict[str, int] = {}
        items: list[dict] = []
        bad = 0
        for source in sources:
            value = source.get(kind)
            if not isinstance(value, list):
                continue
            if len(value) > limit:
                out.refused.append(f"{kind}: {len(value)} entries, only the first {limit} read.")
            for entry in value[:limit]:
                if not isinstance(entry, dict):
                    bad += 1
                    continue
                entry = {k: copy.deepcopy(v) for k, v in entry.items() if k in keep}
                if not check.is_valid(entry) or not _bounded(kind, entry):
                    bad += 1
                    continue
                if "title" in entry:
                    entry["title"] = clean_text(entry["title"], 512)
                key = _key(kind, entry)
                if key in seen:
                    items[seen[key]] = entry
                else:
                    seen[key] = len(items)
                    items.append(entry)
        if bad:
            out.refused.append(f"{kind}: {bad} malformed entries left out.")
        setattr(out, kind, items)
    return out


def _bounded(kind: str, entry: dict) -> bool:
    if kind == "workflows" and "parameters" in entry:
        try:
            size = len(json.dumps(entry["parameters"], ensure_ascii=False).encode())
        except (TypeError, ValueError, RecursionError):
            return False
        return size <= MAX_PARAMETERS_JSON
    return True


def read_notebook(raw: bytes) -> tuple[dict, Provenance]:
    """A notebook file's JSON and its provenance; a 400 refusal for what is not a notebook."""
    from ..http import EscapeError

    if len(raw) > MAX_NOTEBOOK_BYTES:
        raise EscapeError(
            400,
            "provenance_notebook_too_large",
            f"The notebook is larger than {MAX_NOTEBOOK_BYTES // (1024 * 1024)} MiB.",
        )
    try:
        notebook = json.loads(raw)
    except (ValueError, RecursionError):
        raise EscapeError(
            400, "provenance_bad_notebook", "The file is not a notebook (JSON)."
        ) from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells", []), list):
        raise EscapeError(400, "provenance_bad_notebook", "The file is not a notebook.")
    metadata = notebook.get("metadata")
    escape = metadata.get("escape") if isinstance(metadata, dict) else None
    return notebook, read(escape)


def spec_digest(specification: Any) -> str:
    """sha256 of a REANA specification as canonical JSON (sorted keys, no spaces, UTF-8)."""
    text = json.dumps(specification, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
