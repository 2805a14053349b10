"""The plan of an upload, before anything runs: what each file becomes (DID, PFN), the quota,
the permission, name clashes, and every problem in words."""

from __future__ import annotations

import asyncio
from pathlib import Path, PurePosixPath
from typing import Any

from ...http import EscapeError
from ...workspace import Workspace
from ..instances import RucioInstances
from .rules import (
    READBACK_MAX,
    STATUS,
    WRITE_SCHEMES,
    UploadRequest,
    _problem,
    name_problem,
    scope_problem,
    select_files,
)


class UploadPlanner:
    """The plan of an upload: what each file becomes, and every problem, before anything runs."""

    def __init__(self, instances: RucioInstances, workspace: Workspace, protected):
        self.instances = instances
        self.workspace = workspace
        self.protected = protected

    async def plan(self, instance_name: str | None, request: UploadRequest) -> dict:
        instance = self.instances.get(instance_name)
        client = instance.client
        loop = asyncio.get_running_loop()
        selection = await loop.run_in_executor(
            None, select_files, self.workspace, request, self._protected()
        )
        problems = list(selection.problems)
        warnings: list[str] = []
        scope, rse = request.scope, request.rse
        why = scope_problem(scope)
        if why:
            problems.append(_problem("bad_did_name", why))
        dataset = request.dataset
        dataset_new = request.dataset_new
        if dataset is None and selection.folder is not None:
            dataset = PurePosixPath(selection.folder).name  # a folder becomes a dataset
            dataset_new = True if dataset_new is None else dataset_new
        for label, value in (("dataset", dataset), ("container", request.container)):
            if value and name_problem(value):
                problems.append(
                    _problem("bad_did_name", f"The {label} name: {name_problem(value)}.")
                )
        seen: dict[str, str] = {}
        for path, name, _bytes in selection.files:
            why = name_problem(name)
            if why:
                problems.append(_problem("bad_did_name", f"{path}: {why}.", path))
            if name in seen:
                problems.append(
                    _problem(
                        "did_clash",
                        f"{path} and {seen[name]} would both be {scope}:{name}; rename one.",
                        path,
                    )
                )
            seen.setdefault(name, path)
            if dataset and name == dataset:
                problems.append(_problem("did_clash", f"{name} is also the dataset's name.", path))
        if not selection.files and not problems:
            problems.append(_problem("bad_path", "Nothing to upload: no files in the selection."))
        total = sum(n for _p, _n, n in selection.files)
        account = await client.account_name()
        quota: dict[str, Any] = {}
        pfns: dict[str, str] = {}
        existing: dict[tuple[str, str], dict] = {}
        if not scope_problem(scope):
            known = await client.scopes()
            mine = await client.account_scopes(account)
            if scope not in known:
                problems.append(_problem("rucio_scope_not_found", f"There is no scope {scope!r}."))
            elif scope not in mine:
                warnings.append(
                    f"{scope} is not one of {account}'s scopes; Rucio lets only its owner or an "
                    "admin add to it."
                )
        try:
            info = await client.rse(rse)
        except EscapeError as err:
            problems.append(_problem("rucio_rse_not_found", err.message))
            info = None
        if info is not None:
            write = [
                p
                for p in info.get("protocols") or []
                if p.get("scheme") in WRITE_SCHEMES
                and ((p.get("domains") or {}).get("wan") or {}).get("write") is not None
            ]
            if not info.get("availability_write", True):
                problems.append(
                    _problem("rucio_rse_blocked", f"{rse} does not accept writes at the moment.")
                )
            if not write:
                problems.append(
                    _problem(
                        "rucio_no_write_protocol",
                        f"{rse} offers no HTTPS/WebDAV write protocol this server can use.",
                    )
                )
            refusal = await client.may_add_replicas(rse)
            if refusal:
                problems.append(
                    _problem(
                        "rucio_forbidden",
                        f"Account {account} may not add files on {rse}: {refusal.rstrip('. ')}. "
                        "Choose an RSE you may write to (see the list of RSEs).",
                    )
                )
            limits = await client.account_limits(account)
            usage = await client.account_usage(account)
            limit = limits.get(rse, 0) if rse in limits else 0
            used = usage.get(rse, 0)
            quota = {"limit": limit, "used": used, "remaining": None}
            if rse not in limits:
                problems.append(
                    _problem(
                        "rucio_quota_exceeded",
                        f"Account {account} has no quota on {rse}; Rucio will refuse the rule.",
                    )
                )
            elif limit is not None:
                quota["remaining"] = max(0, limit - used)
                if total > limit - used:
                    problems.append(
                        _problem(
                            "rucio_quota_exceeded",
                            f"{_size(total)} to upload, but account {account} has "
                            f"{_size(max(0, limit - used))} left of its {_size(limit)} quota on "
                            f"{rse}. Free space, ask for more, or choose another RSE.",
                        )
                    )
            if selection.files and write and not problems:
                lfns = [f"{scope}:{name}" for _p, name, _s in selection.files]
                pfns = await client.lfns2pfns(rse, lfns, write[0]["scheme"])
        if selection.files and not scope_problem(scope):
            # only names Rucio accepts: it refuses the whole listing for one bad name
            dids = [
                {"scope": scope, "name": n} for _p, n, _s in selection.files if not name_problem(n)
            ]
            if dataset and not name_problem(dataset):
                dids.append({"scope": scope, "name": dataset})
            if request.container and not name_problem(request.container):
                dids.append({"scope": scope, "name": request.container})
            existing = await client.bulk_meta(dids)
        files = []
        for path, name, size in selection.files:
            meta = existing.get((scope, name))
            entry = {
                "path": path,
                "did": f"{scope}:{name}",
                "name": name,
                "bytes": size,
                "pfn": pfns.get(f"{scope}:{name}"),
                "exists": bool(meta),
            }
            if meta:
                if str(meta.get("did_type", "")).upper().endswith("FILE") is False:
                    problems.append(
                        _problem("did_clash", f"{scope}:{name} exists and is not a file.", path)
                    )
                elif meta.get("bytes") is not None and int(meta["bytes"]) != size:
                    problems.append(
                        _problem(
                            "did_clash",
                            f"{scope}:{name} is already registered with other bytes "
                            f"({meta['bytes']} bytes, yours {size}); choose another name.",
                            path,
                        )
                    )
                else:
                    entry["note"] = "registered already: skipped if its checksum matches"
            files.append(entry)
        if dataset:
            found = existing.get((scope, dataset))
            if dataset_new and found:
                problems.append(
                    _problem(
                        "did_clash",
                        f"The dataset {scope}:{dataset} exists already; attach to it instead or "
                        "choose another name.",
                    )
                )
            if dataset_new is False and not found:
                problems.append(
                    _problem("rucio_did_not_found", f"There is no dataset {scope}:{dataset}.")
                )
            if found and str(found.get("did_type", "")).upper().rsplit(".", 1)[-1] != "DATASET":
                problems.append(_problem("did_clash", f"{scope}:{dataset} is not a dataset."))
            elif found and found.get("is_open") is False:
                problems.append(
                    _problem("rucio_closed", f"The dataset {scope}:{dataset} is closed.")
                )
            if dataset_new is None:
                dataset_new = not found
        if request.container and not dataset:
            problems.append(_problem("bad_request", "A container needs a dataset to hold."))
        return {
            "instance": instance.name,
            "account": account,
            "scope": scope,
            "rse": rse,
            "rse_expression": request.rse_expression or rse,
            "dataset": {"scope": scope, "name": dataset, "new": bool(dataset_new)}
            if dataset
            else None,
            "container": {"scope": scope, "name": request.container} if request.container else None,
            "meta": request.meta,
            "lifetime": request.lifetime,
            "copies": request.copies,
            "files": files,
            "files_total": len(files),
            "bytes_total": total,
            "skipped": selection.skipped,
            "quota": quota,
            "problems": problems,
            "warnings": warnings,
            # In SI like every other size of the dialog ("1.44 MB"): 64 MiB was the odd one out.
            "verification": f"files up to {_size(READBACK_MAX)} are read back and their size, "
            "adler32 and md5 compared; larger ones by the size the storage reports",
        }

    def _protected(self) -> tuple[Path, ...]:
        return tuple(self.protected() if callable(self.protected) else self.protected)


def _size(n: int) -> str:
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n} bytes" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000
    return str(n)


def refusal(plan: dict) -> EscapeError:
    """The first problems of a plan as one error (its status and code from the first)."""
    problems = plan["problems"]
    first = problems[0]
    status = STATUS.get(first["code"], 403 if first["code"] == "rucio_forbidden" else 409)
    if first["code"] in ("rucio_scope_not_found", "rucio_did_not_found", "rucio_rse_not_found"):
        status = 404
    text = " ".join(p["message"] for p in problems[:5])
    if len(problems) > 5:
        text += f" (and {len(problems) - 5} more problems)"
    return EscapeError(status, first["code"], text, service="rucio")
