"""The catalogue's operations: search, record view, versions, citation (over ZenodoClient)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..http import EscapeError
from . import records
from .client import RESULT_WINDOW, ZenodoClient, parse_json, record_path
from .install import install_cell

SORTS = ("bestmatch", "newest", "mostviewed", "mostdownloaded", "publication-desc", "oldest")
FACET_PARAMS = ("resource_type", "subject", "access_status", "file_type")
SCOPES = ("community", "all")
RECORD_ID = re.compile(r"^\d{1,12}$")
STYLE = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")
CITATION_ACCEPT = {
    "bibtex": "application/x-bibtex",
    "csl": "application/vnd.citationstyles.csl+json",
    "datacite": "application/vnd.datacite.datacite+json",
}
MAX_QUERY = 500
CODEMETA_MAX_BYTES = 512 * 1024


def bad_input(message: str, code: str = "bad_request") -> EscapeError:
    return EscapeError(400, code, message, service="zenodo")


def check_record_id(record_id: str) -> str:
    if not RECORD_ID.match(record_id or ""):
        raise bad_input(f"{record_id!r} is not a Zenodo record id (digits only).", "bad_record_id")
    return record_id


def _int(value: str | None, name: str, default: int) -> int:
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise bad_input(f"{name} must be a whole number, got {value!r}.") from None


class Catalogue:
    def __init__(self, client: ZenodoClient):
        self.client = client

    @property
    def community(self) -> str:
        return self.client.config.community

    def search_params(self, args: Mapping[str, Sequence[str]]) -> tuple[dict[str, Any], dict]:
        """Validated upstream parameters, and what we echo back to the browser."""
        one = lambda name: (args.get(name) or [None])[0]  # noqa: E731
        q = (one("q") or "").strip()
        if len(q) > MAX_QUERY:
            raise bad_input(f"The search text is too long (at most {MAX_QUERY} characters).")
        sort = one("sort") or ("bestmatch" if q else "newest")
        if sort not in SORTS:
            raise bad_input(f"Unknown sort {sort!r}; use one of {', '.join(SORTS)}.")
        scope = one("scope") or "community"
        if scope not in SCOPES:
            raise bad_input("scope is 'community' or 'all'.")
        size = _int(one("size"), "size", 10)
        limit = self.client.max_page_size
        if not 1 <= size <= limit:
            raise bad_input(f"size must be between 1 and {limit} (Zenodo's page size limit).")
        page = _int(one("page"), "page", 1)
        if page < 1 or page * size > RESULT_WINDOW:
            raise bad_input(
                f"Zenodo shows only the first {RESULT_WINDOW} results: refine the search "
                "instead of paging further."
            )
        params: list[tuple[str, Any]] = [("q", q), ("sort", sort), ("page", page), ("size", size)]
        if scope == "community":
            if not self.community:
                raise bad_input("No community is configured (EscapeZenodo.community).")
            params.append(("communities", self.community))
        filters: dict[str, list[str]] = {}
        for name in FACET_PARAMS:
            values = [v for v in args.get(name) or [] if v]
            if any(len(v) > 200 for v in values):
                raise bad_input(f"A {name} filter value is too long.")
            if values:
                filters[name] = values
                params.extend((name, v) for v in values)
        echo = {
            "q": q,
            "sort": sort,
            "scope": scope,
            "page": page,
            "size": size,
            "filters": filters,
        }
        return params, echo

    async def search(self, args: Mapping[str, Sequence[str]]) -> dict:
        params, echo = self.search_params(args)
        body, cached = await self.client.get(
            "api/records",
            params,
            search=True,
            errors={
                400: (
                    "bad_query",
                    lambda detail: (
                        f"Zenodo could not run this search: {detail}. "
                        "Check quotes, parentheses and field names."
                    ),
                )
            },
        )
        hits = body.get("hits") if isinstance(body, dict) else None
        if not isinstance(hits, dict):
            raise EscapeError(
                502, "zenodo_bad_response", "Zenodo's answer has no search hits.", service="zenodo"
            )
        total = hits.get("total")
        if isinstance(total, dict):
            total = total.get("value")
        base = self.client.base_url
        return {
            **echo,
            "community": self.community,
            "total": int(total or 0),
            "max_page": RESULT_WINDOW // echo["size"],
            "hits": [records.summary(h, base) for h in hits.get("hits") or []],
            "facets": records.facets(body.get("aggregations") or {}),
            "cached": cached,
        }

    async def _json(self, path: str, what: str, record_id: str) -> dict:
        body, _ = await self.client.get(
            path,
            errors={
                404: ("not_found", f"Zenodo has no record {record_id}."),
                410: ("gone", f"Zenodo record {record_id} was deleted."),
                403: ("forbidden", f"The {what} of record {record_id} are restricted."),
            },
        )
        return body

    async def record(self, record_id: str, *, images: bool = False) -> dict:
        check_record_id(record_id)
        raw = await self._json(record_path(record_id), "metadata", record_id)
        if not isinstance(raw, dict):
            raise EscapeError(
                502, "zenodo_bad_response", "Zenodo's answer is not a record.", service="zenodo"
            )
        # The id is the one we asked for and validated, whatever the upstream's "id" says.
        detail = records.detail({**raw, "id": record_id}, self.client.base_url, images=images)
        versions, codemeta = await asyncio.gather(
            self.versions(record_id), self._codemeta(record_id, detail["files"])
        )
        detail["versions"] = versions
        detail["codemeta"] = codemeta
        detail["install"] = install_cell(detail, codemeta, detail["related"], record_id=record_id)
        return detail

    async def versions(self, record_id: str) -> list[dict]:
        check_record_id(record_id)
        body = await self._json(record_path(record_id, "versions"), "versions", record_id)
        hits = (body.get("hits") or {}).get("hits") or []
        return [records.version(h) for h in hits]

    async def _codemeta(self, record_id: str, files: list[dict]) -> dict | None:
        """The record's own codemeta.json (the shortest such key), when it has one."""
        keys = sorted(
            (f for f in files if f["key"].rsplit("/", 1)[-1] == "codemeta.json"),
            key=lambda f: len(f["key"]),
        )
        if not keys or keys[0]["size"] > CODEMETA_MAX_BYTES:
            return None
        try:
            text, _ = await self.client.get(
                record_path(record_id, "files", keys[0]["key"], "content"), accept="*/*"
            )
        except EscapeError:
            return None
        document = parse_json(text)
        if not isinstance(document, dict):
            return None
        return {"source": "file", **records.codemeta(document)}

    async def citation(self, record_id: str, style: str) -> dict:
        check_record_id(record_id)
        style = (style or "bibtex").lower()
        if not STYLE.match(style):
            raise bad_input(f"{style!r} is not a citation style name.")
        if style in CITATION_ACCEPT:
            accept, params = CITATION_ACCEPT[style], None
        else:
            accept, params = "text/x-bibliography", {"style": style, "locale": "en-US"}
        text, _ = await self.client.get(
            record_path(record_id),
            params,
            accept=accept,
            errors={
                400: ("bad_style", f"Zenodo does not know the citation style {style!r}."),
                404: ("not_found", f"Zenodo has no record {record_id}."),
                406: ("bad_style", f"Zenodo cannot export record {record_id} as {style!r}."),
            },
        )
        return {"id": record_id, "style": style, "text": text.strip()}
