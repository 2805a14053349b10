"""What the details view shows for one DID, gathered concurrently from Rucio."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from .client import RucioClient, did_type
from .did import DID

# DID_COLUMN metadata that the details view shows elsewhere or that only matters to operators.
CORE_META = frozenset(
    "scope name account did_type type bytes length md5 adler32 created_at updated_at monotonic "
    "hidden obsolete is_new purge_replicas transient is_open open complete availability suppressed "
    "expired_at deleted_at accessed_at closed_at eol_at access_cnt is_archive constituent".split()
)

RULE_FIELDS = (
    "id",
    "account",
    "rse_expression",
    "copies",
    "state",
    "error",
    "expires_at",
    "created_at",
    "locks_ok_cnt",
    "locks_replicating_cnt",
    "locks_stuck_cnt",
    "grouping",
    "activity",
)


def user_metadata(meta: dict | None) -> dict[str, Any]:
    return {
        k: v for k, v in sorted((meta or {}).items()) if k not in CORE_META and v not in (None, "")
    }


async def _collect(stream, limit: int = 1000) -> list:
    items = []
    async for item in stream:
        items.append(item)
        if len(items) >= limit:
            break
    return items


def rucio_time(value: Any) -> str | None:
    """A Rucio date ("Thu, 26 Nov 2026 05:00:00 UTC", or ISO 8601) as ISO 8601 UTC, else None."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        when = parsedate_to_datetime(text.replace(" UTC", " GMT"))
    except (TypeError, ValueError):
        try:
            when = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _rule(rule: dict) -> dict:
    out = {key: rule.get(key) for key in RULE_FIELDS}
    out["state"] = did_type(out["state"]).upper() if out["state"] else None
    return out


def _availability(rows: list[dict]) -> list[dict]:
    """Per RSE: files and bytes available, from the dataset replica summary (no replica listing).

    A container yields one row per dataset and RSE; they add up per RSE.
    """
    per_rse: dict[str, dict] = {}
    for row in rows:
        entry = per_rse.setdefault(
            row["rse"],
            {
                "rse": row["rse"],
                "length": 0,
                "available_length": 0,
                "bytes": 0,
                "available_bytes": 0,
                "datasets": 0,
            },
        )
        for key in ("length", "available_length", "bytes", "available_bytes"):
            entry[key] += int(row.get(key) or 0)
        entry["datasets"] += 1
    for entry in per_rse.values():
        entry["state"] = (
            "AVAILABLE"
            if entry["available_length"] >= entry["length"] > 0
            else "PARTIAL"
            if entry["available_length"]
            else "UNAVAILABLE"
        )
    return sorted(per_rse.values(), key=lambda e: (-e["available_length"], e["rse"]))


def _file_replicas(replica: dict | None) -> list[dict]:
    if not replica:
        return []
    states = replica.get("states") or {}
    rses = replica.get("rses") or {}
    out = []
    for rse in sorted(set(states) | set(rses)):
        pfns = rses.get(rse) or []
        out.append(
            {
                "rse": rse,
                "state": did_type(states.get(rse, "UNKNOWN")).upper(),
                "schemes": sorted({urlsplit(pfn).scheme for pfn in pfns if urlsplit(pfn).scheme}),
            }
        )
    return out


# A container's availability is read from its datasets: bounded, for very large containers.
MAX_CONTAINER_DATASETS = 500
MAX_CONTAINER_DEPTH = 5
SUMMARY_CONCURRENCY = 8


async def _container_summary(client: RucioClient, did: DID) -> list[dict]:
    """Rucio keeps replica summaries per dataset (a container's own listing is empty): walk the
    container down to its datasets (each once, bounded) and take theirs."""
    datasets: list[DID] = []
    seen: set[str] = {str(did)}
    level = [did]
    for _ in range(MAX_CONTAINER_DEPTH):
        below: list[DID] = []
        for parent in level:
            async for child in client.content(parent):
                try:
                    found = DID(str(child["scope"]), str(child["name"]))
                except (KeyError, TypeError, ValueError):
                    continue
                if str(found) in seen:
                    continue
                seen.add(str(found))
                kind = did_type(child.get("type"))
                if kind == "dataset":
                    datasets.append(found)
                elif kind == "container":
                    below.append(found)
                if len(datasets) >= MAX_CONTAINER_DATASETS:
                    break
            if len(datasets) >= MAX_CONTAINER_DATASETS:
                break
        level = below
        if not level or len(datasets) >= MAX_CONTAINER_DATASETS:
            break
    gate = asyncio.Semaphore(SUMMARY_CONCURRENCY)

    async def summary(dataset: DID) -> list[dict]:
        async with gate:
            return await _collect(client.dataset_replicas(dataset))

    rows = await asyncio.gather(*(summary(d) for d in datasets))
    return [row for part in rows for row in part]


async def did_details(client: RucioClient, did: DID) -> dict[str, Any]:
    info = await client.did(did)
    kind = did_type(info.get("type") or info.get("did_type"))
    base = {
        "scope": did.scope,
        "name": did.name,
        "did": str(did),
        "type": kind,
        "account": info.get("account"),
        "bytes": info.get("bytes"),
        "length": info.get("length"),
    }
    if kind == "file":
        meta, replicas = await asyncio.gather(
            client.meta(did), _collect(client.file_replicas([did]), 1)
        )
        replica = replicas[0] if replicas else None
        return {
            **base,
            "adler32": info.get("adler32") or (replica or {}).get("adler32"),
            "md5": info.get("md5") or (replica or {}).get("md5"),
            "replicas": _file_replicas(replica),
            "created_at": rucio_time((meta or {}).get("created_at")),
            "metadata": user_metadata(meta),
            "rules": [],
        }
    sized, meta, summary, rules = await asyncio.gather(
        client.get_json(f"dids/{did.path}", dynamic_depth="FILE"),
        client.meta(did),
        _container_summary(client, did)
        if kind == "container"
        else _collect(client.dataset_replicas(did)),
        _collect(client.rules(did)),
    )
    return {
        **base,
        "bytes": sized.get("bytes"),
        "length": sized.get("length"),
        "open": info.get("open"),
        "availability": _availability(summary),
        "rules": [_rule(r) for r in rules],
        "created_at": rucio_time((meta or {}).get("created_at")),
        "metadata": user_metadata(meta),
    }
