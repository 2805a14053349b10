"""Upload jobs (kind ``datalake.upload``): workspace files and folders into Rucio, on the shared
job system. What ``rucio upload --register-after-upload`` does, in parallel and visibly.

Order of the calls for each file (chosen so that a crash can never leave a replica registered
without its bytes, and so that a plain account can do it: ``update_replicas_states`` is an admin
right in every permission policy, so Rucio's default register-first order fails for users):

1. plan (before anything starts): workspace rules on every path, Rucio's name rules, the scope,
   the RSE's write protocol, the ``add_replicas`` permission, the quota, name clashes;
2. the PFN from Rucio (``GET /rses/{rse}/lfns2pfns``, operation write), never computed here;
3. PUT to a temporary name beside the PFN, adler32 and md5 computed on the bytes as they are sent;
4. verify: the size the storage reports (PROPFIND), and for files up to ``READBACK_MAX`` the
   bytes read back and their adler32 and md5 compared; MOVE to the final PFN;
5. register (``POST /replicas``, state A: it creates the file DID with its size, adler32, md5
   and a GUID), in batches; then metadata (``POST /dids/bulkdidsmeta``) and attachment to the
   dataset (``POST /dids/attachments``); a registration Rucio refuses deletes the bytes;
6. when every file is settled: the container attachment and the replication rule.

A file already registered with the same adler32 is skipped (or, when the RSE has no replica of
it yet, sent and registered as a new replica of the existing DID); the same name with other
bytes fails with a clear message. Cancel deletes the temporary files and the bytes of files not
yet registered. A server stop leaves them (the job is ``interrupted``); ``retry`` deletes the
temporary files first and goes on; files already registered are not sent again.
"""

from __future__ import annotations

import asyncio
import os
import re
import stat
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..http import EscapeError
from ..jobs import Job, JobFailed, JobStore, Runner
from ..workspace import Workspace, is_protected
from .checksums import Checksums, HashStopped, adler_equal, adler_hex, hash_file
from .instances import RucioInstances
from .transfer import StorageRefused, Transient
from .webdav import Stopped, WriteRefused, WriteStorage, temporary_url

KIND = "datalake.upload"
MiB = 1024 * 1024
READBACK_MAX = 64 * MiB  # files up to this size are read back and their checksums compared
REGISTER_BATCH = 500
MAX_FILES = 100_000
TRIES = 3
WRITE_SCHEMES = ("https", "davs")
# Rucio's naming rules (common/schema): ESCAPE's schema allows no '/' in names; the generic
# one does but WebDAV servers escape such paths in PROPFIND answers. We apply the stricter one.
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-_]*$")
NAME_MAX = 250
SCOPE_RE = re.compile(r"^[a-zA-Z_\-.0-9]+$")
SCOPE_MAX = 25
# Rucio's DID columns (metadata any server stores; free keys need the JSON plugin).
DID_COLUMNS = (
    "project", "datatype", "run_number", "stream_name", "prod_step", "version", "campaign",
    "task_id", "panda_id", "lumiblocknr", "provenance", "phys_group", "transient", "guid",
)  # fmt: skip
STATUS = {"bad_path": 400, "bad_did_name": 400, "did_clash": 409, "rucio_quota_exceeded": 409}


def name_problem(name: str) -> str | None:
    if not isinstance(name, str) or not name:
        return "a DID name cannot be empty"
    if len(name) > NAME_MAX:
        return f"{name[:40]}… is longer than Rucio's {NAME_MAX} characters"
    if not NAME_RE.match(name):
        return (
            f"{name!r} breaks Rucio's naming rule (letters, digits, '.', '-', '_'; starting "
            "with a letter or digit; no '/')"
        )
    return None


def scope_problem(scope: str) -> str | None:
    if not isinstance(scope, str) or not SCOPE_RE.match(scope) or len(scope) > SCOPE_MAX:
        return f"{scope!r} is not a Rucio scope (letters, digits, '_', '-', '.'; at most 25)"
    return None


def default_name(rel_in_selection: str) -> str:
    """A DID name from a path inside the selection: folders joined with '.' (ESCAPE: no '/')."""
    return ".".join(PurePosixPath(rel_in_selection).parts)


# ---------------------------------------------------------------------------- request and state
@dataclass
class UploadRequest:
    paths: list[str]
    scope: str
    rse: str
    dataset: str | None = None
    dataset_new: bool | None = None
    container: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    lifetime: int | None = None
    copies: int = 1
    rse_expression: str | None = None
    names: dict[str, str] = field(default_factory=dict)
    cwd: str | None = None

    @classmethod
    def parse(cls, body: dict) -> UploadRequest:
        def bad(message: str) -> EscapeError:
            return EscapeError(400, "bad_request", message, service="rucio")

        paths = body.get("paths")
        if isinstance(paths, str):
            paths = [paths]
        if not isinstance(paths, list) or not paths or not all(isinstance(p, str) for p in paths):
            raise bad("paths must be a list of workspace paths (files or folders).")
        for key in ("scope", "rse"):
            if not isinstance(body.get(key), str) or not body.get(key):
                raise bad(f"{key} is required.")
        for key in ("dataset", "container", "rse_expression", "cwd"):
            if body.get(key) is not None and not isinstance(body.get(key), str):
                raise bad(f"{key} must be a string.")
        meta = body.get("meta") or {}
        if not isinstance(meta, dict) or not all(isinstance(k, str) for k in meta):
            raise bad("meta must be an object of key: value.")
        for key, value in meta.items():
            if not isinstance(value, str | int | float | bool) or not re.match(
                r"^[A-Za-z_]\w*$", key
            ):
                raise bad(f"metadata {key!r} must be a simple key with a text or number value.")
        names = body.get("names") or {}
        if not isinstance(names, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in names.items()
        ):
            raise bad("names must map workspace paths to DID names.")
        lifetime = body.get("lifetime")
        if lifetime is not None and (
            isinstance(lifetime, bool) or not isinstance(lifetime, int) or lifetime <= 0
        ):
            raise bad("lifetime is a number of seconds (or null for no expiry).")
        copies = body.get("copies", 1)
        if isinstance(copies, bool) or not isinstance(copies, int) or not 1 <= copies <= 10:
            raise bad("copies is a number from 1 to 10.")
        dataset_new = body.get("dataset_new")
        if dataset_new is not None and not isinstance(dataset_new, bool):
            raise bad("dataset_new is true (create it) or false (attach to an existing one).")
        return cls(
            paths=paths,
            scope=body["scope"],
            rse=body["rse"],
            dataset=body.get("dataset") or None,
            dataset_new=dataset_new,
            container=body.get("container") or None,
            meta=meta,
            lifetime=lifetime,
            copies=copies,
            rse_expression=body.get("rse_expression") or None,
            names=names,
            cwd=body.get("cwd"),
        )


@dataclass
class UploadItem:
    path: str  # workspace path
    name: str  # DID name (scope is the job's)
    bytes: int
    pfn: str | None = None
    adler32: str | None = None
    md5: str | None = None
    guid: str = field(default_factory=lambda: uuid.uuid4().hex)
    state: str = "waiting"  # waiting sending stored registered skipped failed
    existing: bool = False  # the DID was registered before this job
    registered_adler32: str | None = None  # its adler32 in Rucio then
    final: bool = False  # failed for a reason a retry cannot change (Rucio refused it)
    verified: str | None = None  # what was checked on the storage
    attached: bool = False
    error: str | None = None
    done: int = 0
    sent: int = 0

    @property
    def settled(self) -> bool:
        return self.state in ("registered", "skipped")

    def to_json(self, scope: str, rse: str) -> dict:
        return {
            "path": self.path,
            "did": f"{scope}:{self.name}",
            "scope": scope,
            "name": self.name,
            "bytes": self.bytes,
            "adler32": self.adler32,
            "md5": self.md5,
            "guid": self.guid,
            "pfn": self.pfn,
            "rse": rse,
            "state": self.state,
            "verified": self.verified,
            "error": self.error,
        }


@dataclass
class UploadState:
    instance: str
    scope: str
    rse: str
    items: list[UploadItem]
    dataset: str | None = None
    dataset_new: bool = False
    container: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    lifetime: int | None = None
    copies: int = 1
    rse_expression: str | None = None
    skipped_paths: list[dict] = field(default_factory=list)
    phase: str = "queued"
    dataset_created: bool = False
    container_done: bool = False
    rules: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    job_id: str = ""

    def dump(self) -> dict:
        return asdict(self)

    @classmethod
    def load(cls, body: dict) -> UploadState:
        items = [UploadItem(**i) for i in body.pop("items")]
        return cls(items=items, **body)

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for item in self.items:
            counts[item.state] = counts.get(item.state, 0) + 1
        return counts


# ---------------------------------------------------------------------------- planning
@dataclass
class Selection:
    files: list[tuple[str, str, int]]  # (workspace path, DID name, bytes)
    skipped: list[dict]  # [{path, why}] left out of folder walks
    problems: list[dict]  # [{code, message, path?}]
    folder: str | None  # the one folder selected, if so (its name is the default dataset)


def _problem(code: str, message: str, path: str | None = None) -> dict:
    return {"code": code, "message": message} | ({"path": path} if path else {})


def select_files(
    workspace: Workspace,
    request: UploadRequest,
    protected: tuple[Path, ...] = (),
) -> Selection:
    """Every file the request names, each through the workspace rules (in a thread)."""
    base = ""
    if request.cwd is not None:
        from ..workflows.prepare import base_of  # the one kernel-folder rule (a named hand-off)

        base = base_of(workspace, request.cwd)
    files: list[tuple[str, str, int]] = []
    skipped: list[dict] = []
    problems: list[dict] = []
    folders = []
    root = workspace.root

    def add_file(target: Path, in_selection: str) -> None:
        rel = workspace.relative(target)
        if is_protected(target, protected):
            problems.append(
                _problem(
                    "bad_path",
                    f"{rel} is one of the Jupyter server's own runtime or credential files; "
                    "it is never uploaded.",
                    rel,
                )
            )
            return
        info = target.stat()
        if not stat.S_ISREG(info.st_mode):
            problems.append(_problem("bad_path", f"{rel} is not a regular file.", rel))
            return
        name = request.names.get(rel) or default_name(in_selection)
        files.append((rel, name, info.st_size))

    for raw in request.paths:
        joined = f"{base}/{raw}" if base and not raw.startswith("/") else raw
        try:
            if raw.startswith("/"):  # an absolute path is accepted only inside the workspace
                resolved = Path(raw)
                joined = str(resolved.relative_to(root)) if root in resolved.parents else raw
            parts = workspace.parts(joined, "rucio")
            target = workspace.target("/".join(parts), "rucio")
        except EscapeError as err:
            message = err.message.replace("Refused to write to", "Refused to upload", 1)
            problems.append(_problem("bad_path", message, raw))
            continue
        if not target.exists():
            problems.append(_problem("bad_path", f"{joined} does not exist.", raw))
            continue
        if target.is_file():
            add_file(target, target.name)
            continue
        if not target.is_dir():
            problems.append(_problem("bad_path", f"{joined} is not a file or folder.", raw))
            continue
        folders.append(workspace.relative(target))
        if is_protected(target, protected):
            problems.append(
                _problem("bad_path", f"{joined} holds the Jupyter server's own files.", raw)
            )
            continue
        for dirpath, dirnames, filenames in os.walk(target, followlinks=False):
            here = Path(dirpath)
            for entry in sorted(dirnames):
                full = here / entry
                rel = workspace.relative(full)
                if entry.startswith(".") and not workspace.allow_hidden:
                    skipped.append({"path": rel, "why": "hidden folder"})
                    dirnames.remove(entry)
                elif full.is_symlink():
                    skipped.append({"path": rel, "why": "symbolic link"})
            for entry in sorted(filenames):
                full = here / entry
                rel = workspace.relative(full)
                if entry.startswith(".") and not workspace.allow_hidden:
                    skipped.append({"path": rel, "why": "hidden file"})
                    continue
                if full.is_symlink():
                    skipped.append({"path": rel, "why": "symbolic link"})
                    continue
                # the folder's name leads: a user scope is one flat namespace
                add_file(full, str(full.relative_to(target.parent)))
                if len(files) > MAX_FILES:
                    raise EscapeError(
                        400, "too_many_files", f"More than {MAX_FILES} files in one upload."
                    )
    folder = folders[0] if len(folders) == 1 and len(request.paths) == 1 else None
    return Selection(files, skipped, problems, folder)


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
            "verification": f"size from the storage; files up to {READBACK_MAX // MiB} MiB are "
            "also read back and their adler32 and md5 compared",
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


# ---------------------------------------------------------------------------- the runner
class UploadRunner(Runner):
    kind = KIND
    cancelled_message = (
        "Cancelled; files not registered yet were removed from the storage, registered ones stay."
    )

    def __init__(
        self, instances: RucioInstances, workspace: Workspace, store: JobStore, protected=()
    ):
        self.instances = instances
        self.workspace = workspace
        self.store = store
        self.planner = UploadPlanner(instances, workspace, protected)
        self._storage: dict[str, WriteStorage] = {}
        store.register(self)

    def max_running(self) -> int:  # type: ignore[override]
        return self.instances.default.config.fetch_max_jobs

    # ------------------------------------------------------------------ starting
    async def check(self, instance: str | None, body: dict) -> dict:
        return await self.planner.plan(instance, UploadRequest.parse(body))

    async def start(self, instance: str | None, body: dict) -> Job:
        request = UploadRequest.parse(body)
        plan = await self.planner.plan(instance, request)
        if plan["problems"]:
            raise refusal(plan)
        dataset = plan["dataset"]
        state = UploadState(
            instance=plan["instance"],
            scope=plan["scope"],
            rse=plan["rse"],
            items=[UploadItem(f["path"], f["name"], f["bytes"], f["pfn"]) for f in plan["files"]],
            dataset=dataset["name"] if dataset else None,
            dataset_new=bool(dataset and dataset["new"]),
            container=request.container,
            meta=request.meta,
            lifetime=request.lifetime,
            copies=request.copies,
            rse_expression=request.rse_expression,
            skipped_paths=plan["skipped"],
        )
        key = body.get("idempotency_key") if isinstance(body.get("idempotency_key"), str) else None
        job = self.store.start(KIND, state, idempotency_key=key)
        state.job_id = job.id
        return job

    def conflict(self, job: Job, other: Job) -> str | None:
        mine, theirs = job.data, other.data
        names = {i.name for i in mine.items} & {i.name for i in theirs.items}
        if mine.scope == theirs.scope and mine.instance == theirs.instance and names:
            return (
                f"Job {other.id} is already uploading {mine.scope}:{sorted(names)[0]}; wait for "
                "it or cancel it."
            )
        return None

    # ------------------------------------------------------------------ the job's JSON
    def refresh(self, job: Job) -> None:
        state: UploadState = job.data
        counts = state.counts()
        job.items_total = len(state.items)
        job.items_done = counts.get("registered", 0) + counts.get("skipped", 0)
        job.items_failed = counts.get("failed", 0)
        job.bytes_total = sum(i.bytes for i in state.items)
        job.bytes_done = sum(i.bytes if i.settled else i.done for i in state.items)
        job.transferred = sum(i.sent for i in state.items)
        failures = [(e["item"], e["message"]) for e in state.errors]
        failures += [(i.path, i.error or "") for i in state.items if i.state == "failed"]
        job.errors = [{"item": item, "message": text} for item, text in failures]

    def describe(self, job: Job) -> dict[str, Any]:
        state: UploadState = job.data
        counts = state.counts()
        return {
            "instance": state.instance,
            "scope": state.scope,
            "rse": state.rse,
            "dataset": f"{state.scope}:{state.dataset}" if state.dataset else None,
            "container": f"{state.scope}:{state.container}" if state.container else None,
            "phase": state.phase,
            "files_total": len(state.items),
            "files_done": job.items_done,
            "files_failed": job.items_failed,
            "files_skipped": counts.get("skipped", 0),
            "rules": state.rules,
            "skipped_paths": state.skipped_paths[:100],
        }

    def detail(self, job: Job, limit: int = 2000) -> dict[str, Any]:
        state: UploadState = job.data
        order = {"failed": 0, "sending": 1, "stored": 2, "waiting": 3}
        items = sorted(state.items, key=lambda i: order.get(i.state, 4))
        return self.describe(job) | {
            "files": [i.to_json(state.scope, state.rse) for i in items[:limit]],
            "files_truncated": len(items) > limit,
            # provenance: what this job put into the lake (for the notebook's metadata)
            "dids": [
                {k: i.to_json(state.scope, state.rse)[k] for k in PROVENANCE}
                for i in state.items
                if i.settled
            ][:limit],
        }

    def dump(self, data: UploadState) -> dict:
        return data.dump()

    def load(self, body: dict) -> UploadState:
        return UploadState.load(dict(body))

    def before_retry(self, job: Job) -> None:
        state: UploadState = job.data
        state.errors = []
        for item in state.items:
            if item.state == "failed" and not item.final:
                item.state, item.error = "waiting", None

    def on_interrupted(self, job: Job) -> None:
        job.message = "The server stopped during this upload: retry to go on."
        for item in job.data.items:
            if item.state == "sending":
                item.state, item.done = "waiting", 0

    # ------------------------------------------------------------------ the work
    def _storage_of(self, instance) -> WriteStorage:
        storage = self._storage.get(instance.name)
        if storage is None:
            config = instance.config
            workers = max(1, min(64, config.fetch_concurrency))
            storage = WriteStorage(config, instance.client.http.tls_context(), workers)
            self._storage[instance.name] = storage
        return storage

    def close(self) -> None:
        for storage in self._storage.values():
            storage.close()
        self._storage.clear()

    async def run(self, job: Job) -> None:
        state: UploadState = job.data
        state.job_id = state.job_id or job.id
        instance = self.instances.get(state.instance)
        client = instance.client
        storage = self._storage_of(instance)
        storage.checked.clear()
        token_box: dict[str, str | None] = {"token": None}
        storage.token = lambda: token_box["token"]
        try:
            token_box["token"] = (await client.auth.token()).value
        except Exception:  # noqa: BLE001 - the storage may need no token at all
            token_box["token"] = None
        state.phase = "preparing"
        try:
            await self._prepare(state, client)
            state.phase = "transferring"
            self.store.save()
            await self._transfer_all(job, state, client, storage)
            state.phase = "finishing"
            if not any(i.state == "failed" for i in state.items):
                await self._finish(state, client)
        finally:
            for item in state.items:
                if item.state == "sending":
                    item.state = "waiting"
            self.refresh(job)
        job.message = self._final_message(state)
        state.phase = "done"
        job.state = "failed" if job.items_failed or state.errors else "done"

    async def _prepare(self, state: UploadState, client) -> None:
        """Existing DIDs, the dataset, the PFNs: everything before the first byte."""
        scope = state.scope
        todo = [i for i in state.items if not i.settled]
        existing = await client.bulk_meta([{"scope": scope, "name": i.name} for i in todo])
        for item in todo:
            meta = existing.get((scope, item.name))
            if meta and item.state != "stored":
                item.existing = True
                item.registered_adler32 = meta.get("adler32")
        if state.dataset and state.dataset_new and not state.dataset_created:
            body: dict[str, Any] = {"type": "DATASET"}
            try:
                await client.post_json(f"dids/{scope}/{state.dataset}", body)
            except EscapeError as err:
                if err.upstream_status != 409:
                    raise JobFailed(
                        f"Rucio refused the dataset {scope}:{state.dataset}: {err.message}"
                    ) from None
            state.dataset_created = True
            if state.meta:
                await self._set_meta(client, [{"scope": scope, "name": state.dataset}], state)
        missing = [i for i in todo if not i.pfn]
        if missing:
            pfns = await client.lfns2pfns(state.rse, [f"{scope}:{i.name}" for i in missing])
            for item in missing:
                item.pfn = pfns.get(f"{scope}:{item.name}")

    async def _set_meta(self, client, dids: list[dict], state: UploadState) -> None:
        if not state.meta:
            return
        for start in range(0, len(dids), REGISTER_BATCH):
            body = {
                "dids": [d | {"meta": state.meta} for d in dids[start : start + REGISTER_BATCH]],
                "recursive": False,
            }
            try:
                await client.post_json("dids/bulkdidsmeta", body)
            except EscapeError as err:
                state.errors.append(
                    {"item": "metadata", "message": f"Rucio refused the metadata: {err.message}"}
                )
                return

    async def _transfer_all(self, job: Job, state: UploadState, client, storage) -> None:
        todo = [i for i in state.items if i.state in ("waiting", "stored")]
        if not todo:
            return
        workers = max(
            1, min(64, self.instances.get(state.instance).config.fetch_concurrency, len(todo))
        )
        threads = ThreadPoolExecutor(workers + 2, thread_name_prefix=f"escape-upload-{job.id}")
        queue: asyncio.Queue = asyncio.Queue()
        for item in todo:
            queue.put_nowait(item)
        stored: list[UploadItem] = [i for i in todo if i.state == "stored"]
        ready = asyncio.Event()
        if stored:
            ready.set()
        finished = asyncio.Event()
        pending: list[UploadItem] = list(stored)

        async def worker() -> None:
            while True:
                try:
                    item = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                if item.state == "stored":
                    continue
                await self._send_file(job, state, item, storage, threads)
                if item.state == "stored":
                    pending.append(item)
                    ready.set()
                self.store.save(force=False)

        async def registrar() -> None:
            while True:
                if not pending:
                    if finished.is_set():
                        return
                    ready.clear()
                    waiter = asyncio.ensure_future(ready.wait())
                    done_waiter = asyncio.ensure_future(finished.wait())
                    await asyncio.wait({waiter, done_waiter}, return_when=asyncio.FIRST_COMPLETED)
                    waiter.cancel()
                    done_waiter.cancel()
                    continue
                batch = pending[:REGISTER_BATCH]
                del pending[: len(batch)]
                await self._register(state, batch, client, storage, threads)
                self.store.save(force=False)

        workers_tasks = [asyncio.ensure_future(worker()) for _ in range(workers)]
        register_task = asyncio.ensure_future(registrar())
        try:
            await asyncio.gather(*workers_tasks)
            finished.set()
            await register_task
        except BaseException:
            for task in [*workers_tasks, register_task]:
                task.cancel()
            await asyncio.gather(*workers_tasks, register_task, return_exceptions=True)
            if not self.store.stopping:
                # cancelled: bytes that are not registered must not stay on the storage
                leftover = [i for i in state.items if i.state == "stored"]
                loop = asyncio.get_running_loop()
                for item in leftover:
                    await loop.run_in_executor(threads, self._delete_quietly, storage, item.pfn)
                    item.state, item.done = "waiting", 0
            raise
        finally:
            threads.shutdown(wait=False, cancel_futures=True)

    @staticmethod
    def _delete_quietly(storage: WriteStorage, url: str | None) -> None:
        if not url:
            return
        try:
            storage.delete(url)
        except Exception:  # noqa: BLE001 - best effort tidy-up
            pass

    async def _send_file(
        self, job: Job, state: UploadState, item: UploadItem, storage, threads
    ) -> None:
        loop = asyncio.get_running_loop()
        stop = threading.Event()
        work = None
        item.state, item.done, item.error = "sending", 0, None
        try:
            for attempt in range(TRIES):
                work = loop.run_in_executor(threads, self._send_bytes, state, item, storage, stop)
                try:
                    await asyncio.shield(work)
                except Transient as err:
                    item.error = str(err)
                    await asyncio.sleep(0.2 * (attempt + 1))
                    continue
                except _Skip:
                    item.state, item.done = "skipped", item.bytes
                    return
                except _Fail as err:
                    item.state, item.error, item.done = "failed", err.args[0], 0
                    return
                except (WriteRefused, StorageRefused) as err:
                    item.state, item.error, item.done = "failed", f"Not uploaded: {err}.", 0
                    return
                except Stopped:
                    if stop.is_set():
                        raise asyncio.CancelledError() from None
                    item.state, item.done = "failed", 0
                    item.error = f"{item.path} changed while it was sent; start a new upload."
                    return
                except EscapeError as err:
                    item.state, item.error, item.done = "failed", err.message, 0
                    return
                except OSError as err:
                    item.state, item.done = "failed", 0
                    item.error = f"Cannot read {item.path}: {err.strerror or err}."
                    return
                item.state, item.error = "stored", None
                return
        except asyncio.CancelledError:
            stop.set()
            if work is not None:
                await asyncio.gather(work, return_exceptions=True)
            if not self.store.stopping and item.pfn:
                tmp = temporary_url(item.pfn, state.job_id)
                await loop.run_in_executor(threads, self._delete_quietly, storage, tmp)
            raise
        item.state, item.done = "failed", 0
        item.error = f"Not uploaded after {TRIES} tries: {item.error}."

    def _send_bytes(
        self, state: UploadState, item: UploadItem, storage: WriteStorage, stop
    ) -> None:
        """In a worker thread: one file to its PFN, verified (or skipped when it is there)."""
        target = self.workspace.target(item.path, "rucio")  # the rules again, at send time
        info = os.lstat(target)
        if not stat.S_ISREG(info.st_mode):
            raise _Fail(f"{item.path} is no longer a regular file; not uploaded.")
        if info.st_size != item.bytes:
            raise _Fail(
                f"{item.path} changed size since the upload was planned ({item.bytes} -> "
                f"{info.st_size} bytes); start a new upload."
            )
        if not item.pfn:
            raise _Fail(f"Rucio gave no PFN for {state.scope}:{item.name} on {state.rse}.")
        registered = item.registered_adler32
        if item.existing:
            # The DID exists: same bytes -> skip (or add our replica), other bytes -> refuse.
            sums = _hash(target, stop)
            adler = adler_hex(sums)
            if registered and not adler_equal(registered, adler):
                raise _Fail(
                    f"{state.scope}:{item.name} is already registered with other bytes (adler32 "
                    f"{registered}, yours {adler}); choose another name. Nothing was uploaded."
                )
            item.adler32, item.md5 = adler, sums.md5.hexdigest()
            present = storage.size(item.pfn)
            if present == item.bytes:
                item.verified = "already in the lake with the same adler32"
                raise _Skip()
        tmp = temporary_url(item.pfn, state.job_id)
        storage.delete(tmp)  # a leftover of an interrupted run

        def on_bytes(n: int) -> None:
            item.done += n
            item.sent += n

        item.done = 0
        sums = storage.put(tmp, target, item.bytes, on_bytes, stop)
        item.adler32, item.md5 = adler_hex(sums), sums.md5.hexdigest()
        size = storage.size(tmp)
        if size != item.bytes:
            storage.delete(tmp)
            raise Transient(f"the storage holds {size} bytes of {item.bytes} after the upload")
        verified = "size"
        if item.bytes <= READBACK_MAX:
            back, back_size = storage.read_back(tmp, stop)
            if (
                back_size != item.bytes
                or adler_hex(back) != item.adler32
                or (back.md5.hexdigest() != item.md5)
            ):
                storage.delete(tmp)
                raise Transient("the bytes read back differ from the bytes sent")
            verified = "size, adler32 and md5 read back"
        storage.move(tmp, item.pfn)
        if storage.size(item.pfn) != item.bytes:
            raise Transient("the file is not at its final name after the rename")
        item.verified = verified + " (the storage reports no checksum)"
        item.done = item.bytes

    async def _register(
        self, state: UploadState, batch: list[UploadItem], client, storage, threads
    ) -> None:
        """Replicas (and thereby new file DIDs) in one call; per file when Rucio refuses the
        batch, so that one bad file does not hold the others. A refused file's bytes go."""
        scope = state.scope

        def row(item: UploadItem) -> dict:
            return {
                "scope": scope,
                "name": item.name,
                "bytes": item.bytes,
                "adler32": item.adler32,
                "md5": item.md5,
                "meta": {"guid": item.guid},
                "state": "A",
            }

        async def add(items: list[UploadItem]) -> None:
            await client.post_json("replicas", {"rse": state.rse, "files": [row(i) for i in items]})

        try:
            await add(batch)
            good = batch
        except EscapeError:
            good = []
            loop = asyncio.get_running_loop()
            for item in batch:
                try:
                    await add([item])
                    good.append(item)
                except EscapeError as err:
                    await loop.run_in_executor(threads, self._delete_quietly, storage, item.pfn)
                    item.state, item.done = "failed", 0
                    item.error = f"Rucio refused to register {scope}:{item.name}: {err.message}"
                    item.final = True
        for item in good:
            item.state = "registered"
        new = [{"scope": scope, "name": i.name} for i in good if not i.existing]
        await self._set_meta(client, new, state)
        if state.dataset:
            await self._attach(client, state, good)

    async def _attach(self, client, state: UploadState, items: list[UploadItem]) -> None:
        todo = [i for i in items if not i.attached]
        for start in range(0, len(todo), REGISTER_BATCH):
            part = todo[start : start + REGISTER_BATCH]
            body = {
                "attachments": [
                    {
                        "scope": state.scope,
                        "name": state.dataset,
                        "dids": [{"scope": state.scope, "name": i.name} for i in part],
                        "rse": state.rse,
                    }
                ],
                "ignore_duplicate": True,
            }
            try:
                await client.post_json("dids/attachments", body)
            except EscapeError as err:
                state.errors.append(
                    {
                        "item": f"{state.scope}:{state.dataset}",
                        "message": f"Rucio refused to attach files to the dataset: {err.message}",
                    }
                )
                return
            for item in part:
                item.attached = True

    async def _finish(self, state: UploadState, client) -> None:
        scope = state.scope
        if state.dataset:
            await self._attach(client, state, [i for i in state.items if i.settled])
        if state.container and state.dataset and not state.container_done:
            try:
                await client.post_json(f"dids/{scope}/{state.container}", {"type": "CONTAINER"})
            except EscapeError as err:
                if err.upstream_status != 409:
                    raise JobFailed(f"Rucio refused the container: {err.message}") from None
            body = {
                "attachments": [
                    {
                        "scope": scope,
                        "name": state.container,
                        "dids": [{"scope": scope, "name": state.dataset}],
                    }
                ],
                "ignore_duplicate": True,
            }
            await client.post_json("dids/attachments", body)
            state.container_done = True
        if state.rules or state.errors:
            return
        if state.dataset:
            dids = [{"scope": scope, "name": state.dataset}]
        else:  # like rucio upload: no rule for a file that was registered before
            dids = [
                {"scope": scope, "name": i.name}
                for i in state.items
                if i.state == "registered" and not i.existing
            ]
        if not dids:
            return
        account = await client.account_name()
        for start in range(0, len(dids), REGISTER_BATCH):
            body = {
                "dids": dids[start : start + REGISTER_BATCH],
                "copies": state.copies,
                "rse_expression": state.rse_expression or state.rse,
                "grouping": "DATASET",
                "lifetime": state.lifetime,
                "account": account,
                "comment": "uploaded from JupyterLab (jupyterlab-escape)",
            }
            try:
                state.rules += list(await client.post_json("rules/", body) or [])
            except EscapeError as err:
                if err.code == "rucio_duplicate_rule":
                    # this account already keeps the dataset there: the new files are covered
                    state.rules.append("existing")
                    continue
                state.errors.append(
                    {
                        "item": "rule",
                        "message": "The files are registered, but Rucio refused the "
                        f"replication rule on {body['rse_expression']}: {err.message} "
                        "Retry once this is fixed.",
                    }
                )
                return

    @staticmethod
    def _final_message(state: UploadState) -> str:
        counts = state.counts()
        registered, skipped = counts.get("registered", 0), counts.get("skipped", 0)
        failed = counts.get("failed", 0)
        where = f" to {state.scope}:{state.dataset}" if state.dataset else f" in {state.scope}"
        parts = [f"{registered} file(s) uploaded{where} on {state.rse}"]
        if skipped:
            parts.append(f"{skipped} already there (same checksum), skipped")
        if failed:
            parts.append(f"{failed} failed")
        message = "; ".join(parts) + "."
        if state.rules:
            message += f" Rule {', '.join(state.rules[:3])}."
        if state.errors:
            message += " " + " ".join(e["message"] for e in state.errors[:2])
        if state.skipped_paths:
            message += f" {len(state.skipped_paths)} hidden or linked path(s) left out."
        return message


PROVENANCE = ("did", "scope", "name", "bytes", "adler32", "md5", "guid", "pfn", "rse", "state")


class _Skip(Exception):
    pass


class _Fail(Exception):
    pass


def _hash(path: Path, stop: threading.Event) -> Checksums:
    try:
        return hash_file(path, stop=stop, chunk=4 * MiB)[0]
    except HashStopped:
        raise Stopped() from None
