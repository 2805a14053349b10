"""Replica mode: "Make available" asks Rucio for a copy on the RSE mounted into this host.

A rule on ``destination_rse`` that already covers the DID (on the DID itself or on a dataset or
container that contains it) is reused; otherwise one is created for our account, with the
configured lifetime. Progress comes from the rule's lock counters; once a file's replica on the
RSE is AVAILABLE its local path is the PFN's path, minus ``path_begins_at`` parts, under
``rse_mount_path``.
"""

from __future__ import annotations

from typing import Any

from ..http import EscapeError
from .client import RucioClient, did_type
from .details import _rule
from .did import DID
from .transfer import local_path

MAX_FILES = 1000
MAX_PARENT_DEPTH = 4


def _not_configured() -> EscapeError:
    return EscapeError(
        409,
        "replica_mode_off",
        "Replica mode needs EscapeRucio.destination_rse and rse_mount_path "
        "(RUCIO_DESTINATION_RSE, RUCIO_RSE_MOUNT_PATH).",
        service="rucio",
    )


async def find_rule(rucio: RucioClient, did: DID, rse: str) -> tuple[dict | None, DID | None]:
    """A rule with ``rse`` as its expression on ``did`` or on one of its ancestors."""
    frontier, seen = [did], {did}
    for _ in range(MAX_PARENT_DEPTH + 1):
        following: list[DID] = []
        for current in frontier:
            best = None
            async for rule in rucio.rules(current):
                if rule.get("rse_expression") != rse:
                    continue
                # Prefer a healthy rule when several match.
                if best is None or did_type(rule.get("state")).upper() == "OK":
                    best = rule
            if best is not None:
                return best, current
            async for parent in rucio.parents(current):
                candidate = DID(parent["scope"], parent["name"])
                if candidate not in seen:
                    seen.add(candidate)
                    following.append(candidate)
        if not following:
            break
        frontier = following
    return None, None


async def local_files(instance, did: DID) -> tuple[list[dict[str, Any]], bool]:
    config = instance.config
    rse = config.destination_rse
    files: list[dict[str, Any]] = []
    truncated = False
    async for item in instance.client.file_replicas([did], schemes=None, rse_expression=rse):
        if len(files) >= MAX_FILES:
            truncated = True
            break
        states = item.get("states") or {}
        urls = (item.get("rses") or {}).get(rse) or []
        path = None
        for url in urls:
            try:
                path = str(local_path(url, config.rse_mount_path, config.path_begins_at))
                break
            except ValueError:
                continue
        available = did_type(states.get(rse)).upper() == "AVAILABLE" and path is not None
        files.append(
            {
                "did": f"{item['scope']}:{item['name']}",
                "path": path,
                "state": did_type(states.get(rse, "UNKNOWN")).upper(),
                "available": bool(available),
            }
        )
    return files, truncated


async def replica_status(instance, did: DID, create: bool) -> dict[str, Any]:
    config = instance.config
    rse = config.destination_rse
    if not rse or not config.rse_mount_path:
        raise _not_configured()
    rucio = instance.client
    await rucio.did(did)  # 404 for an unknown DID before anything else
    rule, on = await find_rule(rucio, did, rse)
    reused = rule is not None
    if rule is None and create:
        days = config.replication_rule_lifetime_days
        rule_id = await rucio.add_rule(did, rse, days * 86400 if days > 0 else None)
        rule, on = await rucio.rule(rule_id), did
    files, truncated = await local_files(instance, did)
    body_rule = None
    if rule is not None:
        body_rule = _rule(rule) | {"did": str(on), "reused": reused and create}
    state = (body_rule or {}).get("state")
    return {
        "did": str(did),
        "rse": rse,
        "rule": body_rule,
        "available": bool(files) and all(f["available"] for f in files) and state in (None, "OK"),
        "files": files,
        "files_truncated": truncated,
    }
