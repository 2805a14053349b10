"""Fetch jobs: Data Lake files, datasets and containers into the workspace.

A job resolves the selected DIDs to files, keeping the dataset and container structure as
folders, asks Rucio for the replicas it can read, and downloads up to ``fetch_concurrency`` files
at once. Each file streams to a hidden temporary name beside its target and is verified (adler32,
and md5 when Rucio has one) before it is renamed: a file with a wrong checksum never carries its
final name. An interrupted transfer resumes with an HTTP Range request; a failing replica gives
way to the next one (the locally mounted RSE first, then Rucio's priority order).

Jobs are saved to disk, so they survive a browser reload and a server restart; after a restart an
unfinished job is ``interrupted`` and ``retry`` resumes it without fetching completed files again.
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import json
import logging
import os
import socket
import threading
import time
import uuid
import zlib
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import urllib3

from ..config import public_url
from ..http import USER_AGENT, EscapeError
from ..workspace import Workspace, confined, open_part, place, refuse
from .client import RucioClient, did_type
from .did import DID, bad_input
from .instances import RucioInstances

log = logging.getLogger("jupyterlab_escape.datalake")

ACTIVE = ("queued", "resolving", "running")
FINISHED = ("done", "failed", "cancelled", "interrupted")
SCHEMES = ["https", "davs", "http"]  # what this server can read with HTTP
REPLICA_BATCH = 5000  # DIDs per replica listing: Rucio answers large batches faster
TRIES_PER_REPLICA = 3
CHUNK = 1024 * 1024
MAX_SELECTION = 1000
MAX_DEPTH = 16  # containers of containers
KEEP_FINISHED = 50
SAVE_EVERY = 5.0
PART_SUFFIX = ".escape-part"
MAX_REDIRECTS = 5
REDIRECTS = (301, 302, 303, 307, 308)
# What urllib3 can read: WebDAV's davs/dav are HTTPS/HTTP on the wire.
WIRE_SCHEME = {"https": "https", "davs": "https", "http": "http"}


class ChecksumMismatch(Exception):
    pass


class ReplicaGone(Exception):
    """This replica cannot serve the file (404, 403, ...): try the next one."""


class Transient(Exception):
    """The connection dropped or the storage is busy: try this replica again."""


@dataclass
class FileItem:
    scope: str
    name: str
    path: str  # relative to the workspace
    bytes: int
    adler32: str | None = None
    md5: str | None = None
    state: str = "waiting"  # waiting | downloading | verified | present | failed
    done: int = 0
    rse: str | None = None
    error: str | None = None
    received: int = 0  # bytes read from storage by the latest run; only its worker writes it
    unchecked: bool = False  # Rucio lists no checksum: only the size could be verified

    @property
    def did(self) -> str:
        return f"{self.scope}:{self.name}"

    def to_json(self) -> dict[str, Any]:
        body = asdict(self)
        body["did"] = self.did
        return body

    @property
    def complete(self) -> bool:
        return self.state in ("verified", "present")


@dataclass
class Candidate:
    rse: str
    url: str
    local: Path | None = None  # the replica seen through the local mount of destination_rse


@dataclass
class Job:
    id: str
    instance: str
    dids: list[dict[str, str]]
    dest: str
    state: str = "queued"
    message: str | None = None
    files: list[FileItem] = field(default_factory=list)
    paths: list[dict[str, str]] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)  # DIDs that did not resolve
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    samples: deque = field(default_factory=lambda: deque(maxlen=64), repr=False)

    def counts(self) -> dict[str, int]:
        out = {"verified": 0, "present": 0, "failed": 0}
        for f in self.files:
            if f.state in out:
                out[f.state] += 1
        return out

    def summary(self) -> dict[str, Any]:
        counts = self.counts()
        total = sum(f.bytes for f in self.files)
        done = sum(f.bytes if f.complete else f.done for f in self.files)
        throughput, eta = self._rate(done, total)
        failures = self.errors + [
            {"did": f.did, "message": f.error or ""} for f in self.files if f.state == "failed"
        ]
        return {
            "id": self.id,
            "instance": self.instance,
            "dids": self.dids,
            "dest": self.dest,
            "state": self.state,
            "message": self.message,
            "files_total": len(self.files),
            "files_done": counts["verified"] + counts["present"],
            "files_failed": counts["failed"],
            "files_present": counts["present"],
            "bytes_total": total,
            "bytes_done": done,
            "transferred": self.transferred,  # a resume reads less than bytes_total
            "throughput": throughput,
            "eta_seconds": eta,
            "created": self.created,
            "started": self.started,
            "finished": self.finished,
            "errors": failures[:20],
            "errors_count": len(failures),
            "paths": self.paths,
        }

    @property
    def transferred(self) -> int:
        return sum(f.received for f in self.files)

    def _rate(self, done: int, total: int) -> tuple[float | None, float | None]:
        """Bytes per second over the last few seconds, and the time left at that rate."""
        now = time.monotonic()
        if self.state != "running":
            if self.started and self.finished and self.finished > self.started:
                return self.transferred / (self.finished - self.started), None
            return None, None
        self.samples.append((now, done))
        while len(self.samples) > 2 and now - self.samples[0][0] > 10:
            self.samples.popleft()
        first_t, first_done = self.samples[0]
        if now - first_t < 0.5:
            return None, None
        rate = max(0.0, (done - first_done) / (now - first_t))
        return rate, ((total - done) / rate if rate > 0 else None)

    def to_state(self) -> dict[str, Any]:
        body = {k: getattr(self, k) for k in JOB_FIELDS}
        body["files"] = [[getattr(f, k) for k in FILE_FIELDS] for f in self.files]
        return body

    @classmethod
    def from_state(cls, body: dict[str, Any]) -> Job:
        rows = body.pop("files", [])
        # Rows saved by an older version have fewer columns: the missing ones take defaults.
        files = [FileItem(**dict(zip(FILE_FIELDS, row, strict=False))) for row in rows]
        return cls(**{k: v for k, v in body.items() if k in JOB_FIELDS}, files=files)


FILE_FIELDS = tuple(f.name for f in fields(FileItem))
JOB_FIELDS = tuple(f.name for f in fields(Job) if f.name not in ("files", "samples"))


def name_parts(name: str) -> list[str]:
    """A Rucio name as path components: '/lofar/lta//x.h5' -> ['lofar', 'lta', 'x.h5']."""
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        raise refuse(name, "the name leaves its folder")
    return parts


def child_parts(parent: str, child: str) -> list[str]:
    """A child's folder inside its parent's: path-like names drop the parent's own path.

    '/lofar/L1' in '/lofar' -> ['L1']; 'run1.h5' in 'dataset' -> ['run1.h5'].
    """
    mine, theirs = name_parts(child), [p for p in parent.split("/") if p not in ("", ".")]
    if len(mine) > len(theirs) and mine[: len(theirs)] == theirs:
        return mine[len(theirs) :]
    return mine


def local_path(pfn: str, mount: str, begins_at: int) -> Path:
    """The file behind ``pfn`` on the mounted RSE: mount + the PFN path minus its first parts."""
    parts = [p for p in PurePosixPath(urlsplit(pfn).path).parts if p != "/"]
    rest = parts[begins_at:]
    if not rest or ".." in rest:
        raise ValueError(pfn)
    return Path(mount, *rest)


def rank_replicas(item: dict, mount_rse: str | None, mount: str, begins_at: int) -> list[Candidate]:
    """The readable AVAILABLE replicas of one file, best first."""
    states = item.get("states") or {}
    pfns = item.get("pfns") or {}
    ranked: list[tuple[tuple, Candidate]] = []
    for rse, urls in (item.get("rses") or {}).items():
        if did_type(states.get(rse)).upper() != "AVAILABLE":
            continue
        for url in urls:
            if urlsplit(url).scheme not in SCHEMES:
                continue
            priority = int((pfns.get(url) or {}).get("priority") or 1000)
            if rse == mount_rse and mount:
                try:
                    local = local_path(url, mount, begins_at)
                except ValueError:
                    local = None
                if local is not None:
                    ranked.append(((0, 0, rse), Candidate(rse, url, local)))
            ranked.append(((1, priority, rse), Candidate(rse, url)))
    return [c for _, c in sorted(ranked, key=lambda pair: pair[0])]


class Checksums:
    def __init__(self) -> None:
        self.adler = 1
        self.md5 = hashlib.md5()

    def update(self, data: bytes) -> None:
        self.adler = zlib.adler32(data, self.adler)
        self.md5.update(data)

    def check(self, item: FileItem, size: int) -> None:
        adler = f"{self.adler & 0xFFFFFFFF:08x}"
        if size != item.bytes:
            raise ChecksumMismatch(f"got {size} bytes, Rucio lists {item.bytes}")
        item.unchecked = not (item.adler32 or item.md5)
        if item.adler32 and adler != item.adler32.lower().zfill(8):
            raise ChecksumMismatch(f"adler32 {adler}, Rucio lists {item.adler32}")
        if item.md5 and self.md5.hexdigest() != item.md5.lower():
            raise ChecksumMismatch(f"md5 {self.md5.hexdigest()}, Rucio lists {item.md5}")


def hash_file(path: Path, limit: int | None = None) -> tuple[Checksums, int]:
    sums, size = Checksums(), 0
    with open(path, "rb") as handle:
        while chunk := handle.read(4 * CHUNK if limit is None else min(4 * CHUNK, limit - size)):
            sums.update(chunk)
            size += len(chunk)
    return sums, size


class Sink:
    """Appends to the temporary file and feeds the checksums, in a worker thread."""

    def __init__(self, path: Path, offset: int, sums: Checksums):
        self.handle = open_part(path, offset)  # O_EXCL | O_NOFOLLOW: never through a link
        self.sums = sums
        self.size = offset

    def write(self, data: bytes) -> None:
        self.handle.write(data)
        self.sums.update(data)
        self.size += len(data)

    def close(self) -> None:
        self.handle.close()


def _size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


class StorageRefused(Exception):
    """A storage URL or redirect this server will not contact."""


def wire_url(url: str) -> str:
    """The URL as urllib3 reads it: ``davs://`` is WebDAV over HTTPS, ``dav://`` over HTTP."""
    parts = urlsplit(url)
    scheme = WIRE_SCHEME.get(parts.scheme.lower())
    if scheme is None:
        raise StorageRefused(f"scheme {parts.scheme!r} is not read by this server")
    return urlunsplit((scheme, *parts[1:]))


def origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    default = 443 if parts.scheme == "https" else 80
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default


def check_address(host: str, port: int, allow_private: bool) -> None:
    """Refuse storage hosts that resolve to link-local (cloud metadata) addresses, and to
    loopback or private ones unless the operator allows them (a local testbed)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as err:
        raise ReplicaGone(f"{host} does not resolve ({err})") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if address.is_link_local:
            raise StorageRefused(f"{host} is a link-local address")
        private = (
            address.is_loopback or address.is_private or address.is_reserved
        ) or address.is_unspecified
        if private and not allow_private:
            raise StorageRefused(
                f"{host} is a private or loopback address (EscapeRucio.allow_private_storage)"
            )


def part_path(target: Path) -> Path:
    name = f".{target.name}{PART_SUFFIX}"
    if len(name.encode()) > 255:  # long Rucio names: keep within the filesystem's limit
        name = f".{hashlib.sha1(target.name.encode()).hexdigest()}{PART_SUFFIX}"
    return target.with_name(name)


class FetchJobs:
    """Every fetch job of this server, across Rucio instances; saved to ``state_file``."""

    def __init__(self, instances: RucioInstances, workspace: Workspace, state_file: Path):
        self.instances = instances
        self.workspace = workspace
        self.root = workspace.root
        self.state_file = state_file
        # Job lists are encoded and written in this one thread, in order, off the event loop.
        self._saver = ThreadPoolExecutor(1, thread_name_prefix="escape-fetch-save")
        self._checked_hosts: dict[tuple[str, int], str | None] = {}
        self.jobs: dict[str, Job] = {}
        self._tasks: dict[str, asyncio.Task] = {}
        self._storage: dict[str, urllib3.PoolManager] = {}
        self._stopping = False
        self._last_save = 0.0
        self.load()

    # ------------------------------------------------------------------ persistence
    def load(self) -> None:
        try:
            saved = json.loads(self.state_file.read_text())
        except FileNotFoundError:
            return
        except (OSError, ValueError):
            log.warning("jupyterlab_escape: ignoring unreadable %s", self.state_file)
            return
        for body in saved.get("jobs", []):
            try:
                job = Job.from_state(body)
            except (TypeError, ValueError):
                continue
            if job.state in ACTIVE:
                job.state = "interrupted"
                job.message = "The server stopped during this fetch: resume it to go on."
                job.finished = job.finished or time.time()
                for f in job.files:
                    if f.state == "downloading":
                        f.state = "waiting"
            self.jobs[job.id] = job

    def save(self, force: bool = True) -> None:
        now = time.monotonic()
        if not force and now - self._last_save < SAVE_EVERY:
            return
        self._last_save = now
        finished = [j for j in self.jobs.values() if j.state in FINISHED]
        for old in sorted(finished, key=lambda j: j.created)[:-KEEP_FINISHED]:
            self.jobs.pop(old.id, None)
        # A snapshot of plain values now; encoding and writing happen in the saver thread.
        body = {"version": 1, "jobs": [j.to_state() for j in self.jobs.values()]}
        self._saver.submit(self._write, body)

    def _write(self, body: dict) -> None:
        try:
            self.state_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            temp = self.state_file.with_name(self.state_file.name + ".tmp")
            data = json.dumps(body, separators=(",", ":")).encode()
            temp.unlink(missing_ok=True)
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temp, self.state_file)
        except OSError as err:
            log.warning("jupyterlab_escape: could not save fetch jobs: %s", err)

    def flush(self) -> None:
        """Wait until every save so far is on disk (tests, shutdown)."""
        self._saver.submit(lambda: None).result()

    # ------------------------------------------------------------------ API
    def list(self) -> list[dict]:
        return [j.summary() for j in sorted(self.jobs.values(), key=lambda j: -j.created)]

    def get(self, job_id: str) -> Job:
        job = self.jobs.get(job_id)
        if job is None:
            raise EscapeError(404, "fetch_not_found", f"No fetch job {job_id!r}.", service="rucio")
        return job

    def detail(self, job_id: str, limit: int = 500) -> dict:
        job = self.get(job_id)
        order = {"failed": 0, "downloading": 1, "waiting": 2}
        files = sorted(job.files, key=lambda f: order.get(f.state, 3))
        return job.summary() | {
            "files": [f.to_json() for f in files[:limit]],
            "files_truncated": len(files) > limit,
        }

    def plan(
        self, instance: str | None, dids: list[str], dest: str | None, origin: str | None = None
    ) -> tuple[str, list[DID], list[dict[str, str]]]:
        """The checked destination, the DIDs and where each lands; refused before any job.

        A destination from a notebook's metadata (``origin="notebook"``) may only be a folder
        inside the configured fetch folder: a shared notebook never chooses where we write."""
        config = self.instances.get(instance).config
        if not isinstance(dids, list) or not dids:
            raise bad_input("Choose at least one DID to fetch.")
        if len(dids) > MAX_SELECTION:
            raise bad_input(f"Fetch at most {MAX_SELECTION} DIDs at once.")
        parsed = list(dict.fromkeys(DID.parse(str(d)) for d in dids))
        home = (config.fetch_dir or "datalake").strip().strip("/") or "datalake"
        dest = (dest or home).strip().rstrip("/")
        if origin == "notebook":
            dest = confined(home, dest, "rucio")
        elif origin not in (None, "user"):
            raise bad_input("origin is 'notebook' or 'user'.")
        self.workspace.target(dest, "rucio")  # refuse early, before any job exists
        paths = []
        for did in parsed:
            path = "/".join([dest, did.scope, *name_parts(did.name)])
            self.workspace.parts(path, "rucio")
            paths.append({"did": str(did), "path": path})
        return dest, parsed, paths

    def start(
        self,
        instance: str | None,
        dids: list[str],
        dest: str | None,
        origin: str | None = None,
    ) -> Job:
        config = self.instances.get(instance).config
        dest, parsed, _paths = self.plan(instance, dids, dest, origin)
        running = sum(1 for j in self.jobs.values() if j.state in ACTIVE)
        if running >= max(1, config.fetch_max_jobs):
            raise EscapeError(
                429,
                "too_many_jobs",
                f"{running} fetches are already running on this server (at most "
                f"{config.fetch_max_jobs}); wait for one to finish or cancel one, then retry.",
                service="rucio",
            )
        selection = [{"scope": d.scope, "name": d.name, "type": "unknown"} for d in parsed]
        for job in self.jobs.values():
            same = [(d["scope"], d["name"]) for d in job.dids] == [
                (d.scope, d.name) for d in parsed
            ]
            if job.state in ACTIVE and same and job.dest == dest:
                raise EscapeError(
                    409,
                    "fetch_running",
                    f"This selection is already being fetched into {dest} (job {job.id}).",
                    service="rucio",
                )
        job = Job(uuid.uuid4().hex[:12], config.instance_name, selection, dest)
        self.jobs[job.id] = job
        self._launch(job)
        return job

    def cancel(self, job_id: str) -> Job:
        job = self.get(job_id)
        task = self._tasks.get(job_id)
        if task and not task.done():
            task.cancel()
        return job

    def retry(self, job_id: str) -> Job:
        job = self.get(job_id)
        if job.state in ACTIVE:
            raise EscapeError(409, "fetch_running", "This fetch is still running.", service="rucio")
        for f in job.files:
            if f.state == "failed":
                f.state, f.error = "waiting", None
        job.state, job.message, job.finished = "queued", None, None
        self._launch(job)
        return job

    def remove(self, job_id: str) -> None:
        job = self.get(job_id)
        if job.state in ACTIVE:
            raise EscapeError(
                409, "fetch_running", "Cancel this fetch before removing it.", service="rucio"
            )
        self.jobs.pop(job_id, None)
        self.save()

    async def wait(self, job_id: str) -> Job:
        task = self._tasks.get(job_id)
        if task:
            await asyncio.wait({task})
        return self.get(job_id)

    async def shutdown(self) -> None:
        """Server stop: running jobs become ``interrupted``; partial files stay for a resume."""
        self._stopping = True
        tasks = [t for t in self._tasks.values() if not t.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)
        self.save()
        await asyncio.get_running_loop().run_in_executor(None, self.flush)
        self._saver.shutdown(wait=True)
        for pool in self._storage.values():
            pool.clear()
        self._storage.clear()

    # ------------------------------------------------------------------ the job
    def _launch(self, job: Job) -> None:
        self._tasks[job.id] = asyncio.ensure_future(self._run(job))
        self.save()

    def _pool(self, instance) -> urllib3.PoolManager:
        """Connections to the storage endpoints of one instance, kept alive across files."""
        pool = self._storage.get(instance.name)
        if pool is None:
            config = instance.config
            pool = urllib3.PoolManager(
                num_pools=16,
                maxsize=max(1, min(64, config.fetch_concurrency)),
                ssl_context=instance.client.http.tls_context(),
                timeout=urllib3.Timeout(connect=config.connect_timeout, read=config.read_timeout),
                # Redirects are followed by _open, which checks where each one leads.
                retries=urllib3.Retry(total=5, connect=0, read=0, status=0, other=0, redirect=0),
                headers={"User-Agent": USER_AGENT},
            )
            pool.escape_config = config  # type: ignore[attr-defined]
            self._storage[instance.name] = pool
        return pool

    async def _run(self, job: Job) -> None:
        try:
            instance = self.instances.get(job.instance)
            rucio = instance.client
            previous = {f.path: f for f in job.files}
            self._checked_hosts.clear()  # addresses are checked afresh for every run
            job.state = "resolving"
            job.samples.clear()
            job.files, job.paths, job.errors = [], [], []
            await self._resolve(job, rucio)
            for f in job.files:  # a resume keeps what the previous run completed
                old = previous.get(f.path)
                if old and old.complete and old.did == f.did:
                    f.state, f.rse, f.done = old.state, old.rse, old.bytes
            job.state, job.started = "running", time.time()
            self.save()
            await self._download_all(job, instance)
            counts = job.counts()
            ok = counts["verified"] + counts["present"]
            failed = len(job.files) - ok
            if failed or job.errors:
                job.state = "failed"
                parts = [f"{ok} of {len(job.files)} files fetched into {job.dest}"]
                if failed:
                    parts.append(f"{failed} failed")
                if job.errors:
                    parts.append(f"{len(job.errors)} DID(s) could not be listed")
                job.message = "; ".join(parts) + "."
            else:
                job.state = "done"
                job.message = f"{ok} file(s) verified in {job.dest}."
            unchecked = sum(1 for f in job.files if f.complete and f.unchecked)
            if unchecked:
                job.message += (
                    f" {unchecked} file(s) have no checksum in Rucio: only their size was checked."
                )
            moved = [f for f in job.files if f.complete and f.error]
            if moved:
                job.message += f" {len(moved)} file(s) took another name: {moved[0].error}"
        except asyncio.CancelledError:
            if self._stopping:
                job.state = "interrupted"
                job.message = "The server stopped during this fetch: resume it to go on."
            else:
                job.state = "cancelled"
                job.message = "Cancelled; partial files were removed."
        except EscapeError as err:
            job.state, job.message = "failed", err.message
        except Exception:  # noqa: BLE001 - a job must always end in a state
            log.exception("fetch job %s failed", job.id)
            job.state, job.message = "failed", "Internal error while fetching; see the server log."
        finally:
            job.finished = time.time()
            for f in job.files:
                if f.state == "downloading":
                    f.state = "waiting"
            self.save()

    async def _resolve(self, job: Job, rucio: RucioClient) -> None:
        by_path: dict[str, FileItem] = {}

        def add(item: FileItem) -> None:
            other = by_path.get(item.path)
            if other is not None:
                if other.did != item.did:  # two names that become one path
                    item.state = "failed"
                    item.error = f"{other.did} is fetched to the same path; fetch it separately."
                    job.files.append(item)
                return
            by_path[item.path] = item
            job.files.append(item)

        for entry in job.dids:
            did = DID(entry["scope"], entry["name"])
            try:
                info = await rucio.did(did)
                kind = did_type(info.get("type") or info.get("did_type"))
                entry["type"] = kind
                top = "/".join([job.dest, did.scope, *name_parts(did.name)])
                self.workspace.parts(top, "rucio")
                job.paths.append({"did": str(did), "path": top, "type": kind})
                if kind == "file":
                    add(self._item(info, top))
                else:
                    await self._walk(job, rucio, did, top, add, 0)
            except EscapeError as err:
                job.errors.append({"did": str(did), "message": err.message})

    @staticmethod
    def _item(info: dict, path: str) -> FileItem:
        return FileItem(
            scope=info["scope"],
            name=info["name"],
            path=path,
            bytes=int(info.get("bytes") or 0),
            adler32=info.get("adler32"),
            md5=info.get("md5"),
        )

    async def _walk(self, job: Job, rucio: RucioClient, did: DID, folder: str, add, depth: int):
        if depth > MAX_DEPTH:
            raise EscapeError(400, "rucio_too_deep", f"{did} nests too deep.", service="rucio")
        async for child in rucio.content(did):
            kind = did_type(child.get("type") or child.get("did_type"))
            try:
                path = "/".join([folder, *child_parts(did.name, child["name"])])
                self.workspace.parts(path, "rucio")
            except EscapeError as err:
                item = self._item(child, folder)
                item.state, item.error = "failed", err.message
                job.files.append(item)
                continue
            if kind == "file":
                add(self._item(child, path))
            else:
                child_did = DID(child["scope"], child["name"])
                await self._walk(job, rucio, child_did, path, add, depth + 1)

    async def _download_all(self, job: Job, instance) -> None:
        """Downloads start as soon as Rucio streams a file's replicas: listing and transfer
        overlap. The bytes move in worker threads (TLS reads, hashing and writes release the
        GIL), so the event loop only orchestrates."""
        config = instance.config
        todo = [f for f in job.files if f.state == "waiting"]
        if not todo:
            return
        by_did: dict[tuple[str, str], list[FileItem]] = {}
        for f in todo:
            by_did.setdefault((f.scope, f.name), []).append(f)
        mount_rse = config.destination_rse or None
        mount = config.rse_mount_path if mount_rse else ""
        workers = max(1, min(64, config.fetch_concurrency, len(todo)))
        queue: asyncio.Queue = asyncio.Queue()
        pool = self._pool(instance)
        threads = ThreadPoolExecutor(workers, thread_name_prefix=f"escape-fetch-{job.id}")

        async def list_replicas() -> None:
            keys = list(by_did)
            try:
                for start in range(0, len(keys), REPLICA_BATCH):
                    batch = [DID(s, n) for s, n in keys[start : start + REPLICA_BATCH]]
                    replicas = instance.client.file_replicas(
                        batch, schemes=SCHEMES, all_states=False, sort="random"
                    )
                    async for item in replicas:
                        ranked = rank_replicas(item, mount_rse, mount, config.path_begins_at)
                        for f in by_did.pop((item["scope"], item["name"]), []):
                            queue.put_nowait((f, ranked))
                for files in by_did.values():  # Rucio knows no replica of these
                    for f in files:
                        queue.put_nowait((f, []))
            finally:
                for _ in range(workers):
                    queue.put_nowait(None)

        async def worker() -> None:
            while (entry := await queue.get()) is not None:
                await self._fetch_file(job, *entry, pool, threads)
                self.save(force=False)

        tasks = [asyncio.ensure_future(list_replicas())]
        tasks += [asyncio.ensure_future(worker()) for _ in range(workers)]
        try:
            await asyncio.gather(*tasks)
        except BaseException:
            # gather gives up at the first cancelled child; the workers must still finish
            # tidying their partial files before the job reports "cancelled".
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        finally:
            threads.shutdown(wait=False, cancel_futures=True)

    async def _fetch_file(
        self,
        job: Job,
        f: FileItem,
        candidates: list[Candidate],
        pool: urllib3.PoolManager,
        threads: ThreadPoolExecutor,
    ) -> None:
        loop = asyncio.get_running_loop()
        target = await loop.run_in_executor(threads, self._already_there, f)
        if target is None:
            return
        if not candidates:
            f.state = "failed"
            f.error = "No AVAILABLE replica that this server can read (https, davs, http)."
            return
        temp = part_path(target)
        problems: list[str] = []
        f.state = "downloading"
        stop = threading.Event()
        work = None
        try:
            for candidate in candidates:
                for attempt in range(TRIES_PER_REPLICA):
                    work = loop.run_in_executor(
                        threads, self._transfer, f, candidate, temp, target, pool, stop
                    )
                    try:
                        await asyncio.shield(work)
                    except ChecksumMismatch as err:
                        problems.append(f"{candidate.rse}: corrupted ({err})")
                        break
                    except ReplicaGone as err:
                        problems.append(f"{candidate.rse}: {err}")
                        break
                    except Transient as err:
                        # Connection lost or storage busy: the next try resumes from the bytes
                        # already written, with a Range request.
                        problems.append(f"{candidate.rse}: {err}")
                        await asyncio.sleep(0.2 * (attempt + 1))
                        continue
                    except StorageRefused as err:
                        problems.append(f"{candidate.rse}: refused ({err})")
                        break
                    except OSError as err:
                        problems.append(f"writing {f.path}: {err.strerror or err}")
                        break
                    f.state, f.rse, f.done = "verified", candidate.rse, f.bytes
                    return
        except asyncio.CancelledError:
            stop.set()  # the thread stops at its next chunk; wait for it, then tidy up
            if work is not None:
                await asyncio.gather(work, return_exceptions=True)
            if not self._stopping:
                temp.unlink(missing_ok=True)  # cancelled: no partial file left
                f.done = 0
            raise
        f.state, f.done = "failed", 0
        f.error = "Not fetched: " + "; ".join(problems[-4:]) + "."
        temp.unlink(missing_ok=True)

    def _transfer(
        self,
        f: FileItem,
        candidate: Candidate,
        temp: Path,
        target: Path,
        pool: urllib3.PoolManager,
        stop: threading.Event,
    ) -> None:
        """One attempt, in a worker thread: bytes to ``temp``, verified, renamed to ``target``."""
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            if candidate.local is not None:
                try:
                    sums, size = self._copy_local(candidate.local, temp, f, stop)
                except (FileNotFoundError, PermissionError) as err:
                    raise ReplicaGone(f"{err.strerror} on the local mount") from None
            else:
                sums, size = self._download(f, candidate.url, temp, pool, stop)
        except Transient:
            if stop.is_set() and not self._stopping:
                temp.unlink(missing_ok=True)  # cancelled: tidy up here, whatever the loop does
            raise
        try:
            sums.check(f, size)
        except ChecksumMismatch:
            temp.unlink(missing_ok=True)
            f.done = 0
            raise
        final = place(temp, target)  # a file that appeared meanwhile is never replaced
        f.error = None
        if final != target:
            f.path = self.workspace.relative(final)
            f.error = f"{target.name} appeared meanwhile; this file is {f.path}."

    def _already_there(self, f: FileItem) -> Path | None:
        """The target path when the file must be fetched; None when it is settled: already
        there with the right checksum, or refused (outside the workspace, another file there).
        """
        try:
            target = self.workspace.target(f.path, "rucio")
        except EscapeError as err:
            f.state, f.error = "failed", err.message
            return None
        except OSError as err:  # a name the filesystem cannot hold: this file fails, not the job
            f.state, f.error = "failed", f"Cannot write {f.path}: {err.strerror or err}."
            return None
        if f.complete and target.is_file() and target.stat().st_size == f.bytes:
            f.done = f.bytes
            return None  # completed by a previous run of this job
        f.state = "waiting"
        if not target.exists():
            return target
        if target.is_file() and target.stat().st_size == f.bytes:
            sums, size = hash_file(target)
            try:
                sums.check(f, size)
            except ChecksumMismatch:
                pass
            else:
                f.state, f.done = "present", f.bytes
                return None
        f.state = "failed"
        f.error = f"A different file already exists at {f.path}; move it away or fetch elsewhere."
        return None

    def _download(
        self,
        f: FileItem,
        url: str,
        temp: Path,
        pool: urllib3.PoolManager,
        stop: threading.Event,
    ) -> tuple[Checksums, int]:
        offset = _size_of(temp)
        if offset > f.bytes:
            offset = 0
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        url = wire_url(url)
        host = urlsplit(public_url(url)).netloc
        response = self._open(pool, url, headers)
        try:
            code = response.status
            if code == 416:  # the partial file is not a prefix of this replica
                temp.unlink(missing_ok=True)
                raise Transient(f"HTTP 416 from {host}")
            if code >= 500 or code == 429:
                raise Transient(f"HTTP {code} from {host}")
            if code not in (200, 206):
                raise ReplicaGone(f"HTTP {code} from {host}")
            sums = Checksums()
            if offset and code == 206:
                sums, _ = hash_file(temp, offset)
            else:
                offset = 0  # no Range support: start again
            f.done = offset
            sink = Sink(temp, offset, sums)
            try:
                for chunk in response.stream(CHUNK, decode_content=False):
                    if stop.is_set():
                        raise Transient("stopped")
                    sink.write(chunk)
                    f.received += len(chunk)
                    f.done = sink.size
                    if sink.size > f.bytes:  # a storage that never stops must not fill the disk
                        raise ChecksumMismatch(f"more than the {f.bytes} bytes Rucio lists")
            except urllib3.exceptions.HTTPError as err:
                raise Transient(f"{type(err).__name__} from {host}") from None
            finally:
                sink.close()
            return sink.sums, sink.size
        finally:
            response.release_conn()

    def _open(self, pool: urllib3.PoolManager, url: str, headers: dict) -> urllib3.BaseHTTPResponse:
        """GET ``url``, following redirects only within its origin (or to the configured
        redirect domains); every host is checked before it is contacted."""
        config = pool.escape_config  # type: ignore[attr-defined]
        start = origin(url)
        for _hop in range(MAX_REDIRECTS + 1):
            scheme, host, port = origin(url)
            key = (host, port)
            if key not in self._checked_hosts:
                try:
                    check_address(host, port, config.allow_private_storage)
                    self._checked_hosts[key] = None
                except StorageRefused as err:
                    self._checked_hosts[key] = str(err)
            if self._checked_hosts[key] is not None:
                raise StorageRefused(self._checked_hosts[key])
            shown = urlsplit(public_url(url)).netloc
            try:
                response = pool.request(
                    "GET", url, headers=headers, preload_content=False, redirect=False
                )
            except urllib3.exceptions.SSLError as err:
                raise ReplicaGone(f"TLS error with {shown}: {err}") from None
            except urllib3.exceptions.HTTPError as err:
                raise Transient(f"{type(err).__name__} from {shown}") from None
            if response.status not in REDIRECTS:
                return response
            location = response.headers.get("Location") or ""
            response.drain_conn()
            response.release_conn()
            target = urljoin(url, location)
            there = origin(target)
            allowed = there == start or (
                there[0] == start[0] == "https"
                and any(
                    there[1].endswith("." + d.strip(".").lower())
                    for d in config.storage_redirect_domains
                    if d.strip(".")
                )
            )
            if not location or not allowed:
                where = urlsplit(public_url(target)).netloc or "nowhere"
                raise StorageRefused(
                    f"{shown} redirected to {where}; only same-origin redirects are followed"
                )
            url = target
        raise ReplicaGone(f"more than {MAX_REDIRECTS} redirects")

    @staticmethod
    def _copy_local(
        source: Path, temp: Path, f: FileItem, stop: threading.Event
    ) -> tuple[Checksums, int]:
        """Copy from the locally mounted RSE, verifying as we go."""
        sums = Checksums()
        sink = Sink(temp, 0, sums)
        try:
            with open(source, "rb") as src:
                while chunk := src.read(4 * CHUNK):
                    if stop.is_set():
                        raise Transient("stopped")
                    sink.write(chunk)
                    f.done = sink.size
        finally:
            sink.close()
        return sink.sums, sink.size
