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
import json
import logging
import os
import time
import uuid
import zlib
from collections import deque
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import httpx

from ..http import USER_AGENT, EscapeError
from ..workspace import inside, refuse, relative_parts
from .client import RucioClient, did_type
from .did import DID, bad_input
from .instances import RucioInstances

log = logging.getLogger("jupyterlab_escape.datalake")

ACTIVE = ("queued", "resolving", "running")
FINISHED = ("done", "failed", "cancelled", "interrupted")
SCHEMES = ["https", "davs", "http"]  # what this server can read with HTTP
REPLICA_BATCH = 500
TRIES_PER_REPLICA = 3
SMALL_FILE = 1024 * 1024  # read into memory and written in one go
CHUNK = 1024 * 1024
MAX_SELECTION = 1000
MAX_DEPTH = 16  # containers of containers
KEEP_FINISHED = 50
SAVE_EVERY = 2.0
PART_SUFFIX = ".escape-part"


class ChecksumMismatch(Exception):
    pass


class ReplicaGone(Exception):
    """This replica cannot serve the file (404, 403, ...): try the next one."""


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
    transferred: int = 0  # bytes read from storage by the latest run (a resume reads less)
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
            "transferred": self.transferred,
            "throughput": throughput,
            "eta_seconds": eta,
            "created": self.created,
            "started": self.started,
            "finished": self.finished,
            "errors": failures[:20],
            "errors_count": len(failures),
            "paths": self.paths,
        }

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
        body = asdict(self)
        body.pop("samples")
        return body

    @classmethod
    def from_state(cls, body: dict[str, Any]) -> Job:
        files = [FileItem(**f) for f in body.pop("files", [])]
        return cls(**body, files=files)


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
        self.handle = open(path, "r+b" if offset else "wb")  # noqa: SIM115
        self.handle.seek(offset)
        self.handle.truncate()
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


def part_path(target: Path) -> Path:
    name = f".{target.name}{PART_SUFFIX}"
    if len(name.encode()) > 255:  # long Rucio names: keep within the filesystem's limit
        name = f".{hashlib.sha1(target.name.encode()).hexdigest()}{PART_SUFFIX}"
    return target.with_name(name)


class FetchJobs:
    """Every fetch job of this server, across Rucio instances; saved to ``state_file``."""

    def __init__(self, instances: RucioInstances, root_dir: str, state_file: Path):
        self.instances = instances
        self.root = Path(root_dir).resolve()
        self.state_file = state_file
        self.jobs: dict[str, Job] = {}
        self._tasks: dict[str, asyncio.Task] = {}
        self._storage: dict[str, httpx.AsyncClient] = {}
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
            except TypeError:
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
        body = {"version": 1, "jobs": [j.to_state() for j in self.jobs.values()]}
        try:
            self.state_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            temp = self.state_file.with_name(self.state_file.name + ".tmp")
            temp.write_text(json.dumps(body, separators=(",", ":")))
            os.replace(temp, self.state_file)
        except OSError as err:
            log.warning("jupyterlab_escape: could not save fetch jobs: %s", err)

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

    def start(self, instance: str | None, dids: list[str], dest: str | None) -> Job:
        config = self.instances.get(instance).config
        if not isinstance(dids, list) or not dids:
            raise bad_input("Choose at least one DID to fetch.")
        if len(dids) > MAX_SELECTION:
            raise bad_input(f"Fetch at most {MAX_SELECTION} DIDs at once.")
        parsed = list(dict.fromkeys(DID.parse(str(d)) for d in dids))
        dest = (dest or config.fetch_dir or "datalake").strip().rstrip("/")
        inside(self.root, dest)  # refuse early, before any job exists
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
        for client in self._storage.values():
            await client.aclose()
        self._storage.clear()

    # ------------------------------------------------------------------ the job
    def _launch(self, job: Job) -> None:
        self._tasks[job.id] = asyncio.ensure_future(self._run(job))
        self.save()

    def _storage_client(self, instance) -> httpx.AsyncClient:
        client = self._storage.get(instance.name)
        if client is None:
            config = instance.config
            size = max(1, min(64, config.fetch_concurrency))
            client = httpx.AsyncClient(
                verify=instance.client.http.tls_context(),
                timeout=httpx.Timeout(config.read_timeout, connect=config.connect_timeout),
                limits=httpx.Limits(max_connections=size + 2, max_keepalive_connections=size + 2),
                follow_redirects=True,
                headers={"User-Agent": USER_AGENT},
            )
            self._storage[instance.name] = client
        return client

    async def _run(self, job: Job) -> None:
        try:
            instance = self.instances.get(job.instance)
            rucio = instance.client
            previous = {f.path: f for f in job.files}
            job.state, job.transferred = "resolving", 0
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
                relative_parts(top)
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
                relative_parts(path)
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
        config = instance.config
        todo = [f for f in job.files if f.state == "waiting"]
        if not todo:
            return
        by_did: dict[tuple[str, str], list[FileItem]] = {}
        for f in todo:
            by_did.setdefault((f.scope, f.name), []).append(f)
        mount_rse = config.destination_rse or None
        mount = config.rse_mount_path if mount_rse else ""
        candidates: dict[tuple[str, str], list[Candidate]] = {}
        keys = list(by_did)
        for start in range(0, len(keys), REPLICA_BATCH):
            batch = [DID(s, n) for s, n in keys[start : start + REPLICA_BATCH]]
            async for item in instance.client.file_replicas(batch, schemes=SCHEMES):
                ranked = rank_replicas(item, mount_rse, mount, config.path_begins_at)
                candidates[(item["scope"], item["name"])] = ranked
        storage = self._storage_client(instance)
        queue: asyncio.Queue[FileItem] = asyncio.Queue()
        for f in todo:
            queue.put_nowait(f)

        async def worker() -> None:
            while not queue.empty():
                f = queue.get_nowait()
                await self._fetch_file(job, f, candidates.get((f.scope, f.name), []), storage)
                self.save(force=False)

        workers = max(1, min(64, config.fetch_concurrency, len(todo)))
        await asyncio.gather(*(worker() for _ in range(workers)))

    async def _fetch_file(
        self, job: Job, f: FileItem, candidates: list[Candidate], storage: httpx.AsyncClient
    ) -> None:
        loop = asyncio.get_running_loop()
        try:
            target = inside(self.root, f.path)
        except EscapeError as err:
            f.state, f.error = "failed", err.message
            return
        if await loop.run_in_executor(None, self._already_there, f, target):
            return
        if not candidates:
            f.state = "failed"
            f.error = "No AVAILABLE replica that this server can read (https, davs, http)."
            return
        temp = part_path(target)
        problems: list[str] = []
        f.state = "downloading"
        try:
            mkdir = partial(target.parent.mkdir, parents=True, exist_ok=True)
            await loop.run_in_executor(None, mkdir)
            for candidate in candidates:
                for attempt in range(TRIES_PER_REPLICA):
                    try:
                        if candidate.local is not None:
                            sums, size = await loop.run_in_executor(
                                None, self._copy_local, candidate.local, temp, f
                            )
                        else:
                            sums, size = await self._download(job, f, candidate.url, temp, storage)
                        sums.check(f, size)
                        await loop.run_in_executor(None, os.replace, temp, target)
                        f.state, f.rse, f.done, f.error = "verified", candidate.rse, f.bytes, None
                        return
                    except ChecksumMismatch as err:
                        temp.unlink(missing_ok=True)
                        f.done = 0
                        problems.append(f"{candidate.rse}: corrupted ({err})")
                        break
                    except (ReplicaGone, FileNotFoundError, PermissionError) as err:
                        problems.append(f"{candidate.rse}: {err}")
                        break
                    except (httpx.TransportError, OSError) as err:
                        # Connection lost or storage busy: the next try resumes from the bytes
                        # already written.
                        problems.append(f"{candidate.rse}: {type(err).__name__}")
                        if isinstance(err, OSError) and not isinstance(err, ConnectionError):
                            break
                        await asyncio.sleep(0.2 * (attempt + 1))
            f.state = "failed"
            f.error = "Not fetched: " + "; ".join(problems[-4:]) + "."
            f.done = 0
            temp.unlink(missing_ok=True)
        except asyncio.CancelledError:
            if not self._stopping:
                temp.unlink(missing_ok=True)  # cancelled: leave no partial file behind
                f.done = 0
            raise

    def _already_there(self, f: FileItem, target: Path) -> bool:
        """A file already at the target counts when its checksum matches; another one is kept."""
        if f.complete and target.is_file() and target.stat().st_size == f.bytes:
            f.done = f.bytes
            return True  # completed by a previous run of this job
        f.state = "waiting"
        if not target.exists():
            return False
        if target.is_file() and target.stat().st_size == f.bytes:
            sums, size = hash_file(target)
            try:
                sums.check(f, size)
            except ChecksumMismatch:
                pass
            else:
                f.state, f.done = "present", f.bytes
                return True
        f.state = "failed"
        f.error = f"A different file already exists at {f.path}; move it away or fetch elsewhere."
        return True

    async def _download(
        self, job: Job, f: FileItem, url: str, temp: Path, storage: httpx.AsyncClient
    ) -> tuple[Checksums, int]:
        loop = asyncio.get_running_loop()
        offset = await loop.run_in_executor(None, _size_of, temp)
        if offset > f.bytes:
            offset = 0
        headers = {"Range": f"bytes={offset}-"} if 0 < offset else {}
        if f.bytes <= SMALL_FILE and not offset:
            response = await storage.get(url)
            self._check_status(response, url)
            data = response.content
            job.transferred += len(data)
            f.done = len(data)
            return await loop.run_in_executor(None, self._write_small, temp, data)
        sums = Checksums()
        if offset:
            sums, _ = await loop.run_in_executor(None, hash_file, temp, offset)
        f.done = offset
        async with storage.stream("GET", url, headers=headers) as response:
            if response.status_code == 416:  # the partial file is not a prefix of this replica
                await response.aread()
                await loop.run_in_executor(None, temp.unlink)
                raise httpx.RemoteProtocolError("range not satisfiable")
            self._check_status(response, url)
            if offset and response.status_code == 200:  # no Range support: start again
                sums, offset = Checksums(), 0
                f.done = 0
            sink = await loop.run_in_executor(None, Sink, temp, offset, sums)
            try:
                async for chunk in response.aiter_bytes(CHUNK):
                    await loop.run_in_executor(None, sink.write, chunk)
                    job.transferred += len(chunk)
                    f.done = sink.size
            finally:
                await loop.run_in_executor(None, sink.close)
            return sink.sums, sink.size

    @staticmethod
    def _check_status(response: httpx.Response, url: str) -> None:
        code = response.status_code
        if code in (200, 206):
            return
        host = urlsplit(url).netloc
        if code >= 500 or code == 429:
            raise httpx.RemoteProtocolError(f"HTTP {code} from {host}")
        raise ReplicaGone(f"HTTP {code} from {host}")

    @staticmethod
    def _write_small(temp: Path, data: bytes) -> tuple[Checksums, int]:
        sums = Checksums()
        sums.update(data)
        with open(temp, "wb") as handle:
            handle.write(data)
        return sums, len(data)

    @staticmethod
    def _copy_local(source: Path, temp: Path, f: FileItem) -> tuple[Checksums, int]:
        """Copy from the locally mounted RSE, verifying as we go."""
        sums, size = Checksums(), 0
        with open(source, "rb") as src, open(temp, "wb") as sink:
            while chunk := src.read(4 * CHUNK):
                sink.write(chunk)
                sums.update(chunk)
                size += len(chunk)
                f.done = size
        return sums, size
