"""Fetch jobs (kind ``datalake.fetch``): Data Lake files, datasets and containers into the
workspace, on the shared job system.

A job plans its selection (``plan.py``: DIDs to files, every path checked), asks Rucio for the
replicas it can read and downloads up to ``fetch_concurrency`` files at once (``transfer.py``).
Each file streams to a hidden part file beside its target and is verified (size, adler32, md5)
before it is moved into place; a file that appeared at the target meanwhile is never replaced.
Jobs live in the ``JobStore``: they survive a browser reload and a server restart (an unfinished
job is ``interrupted`` and ``retry`` resumes it without fetching completed files again).
"""

from __future__ import annotations

import asyncio
import queue
import stat
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ..http import EscapeError
from ..jobs import SAVE_EVERY, Job, JobStore, Runner
from ..workspace import Targets, Workspace, place
from .checksums import ChecksumMismatch, hash_file
from .did import DID
from .instances import RucioInstances
from .plan import FetchState, FileItem, plan, resolve
from .transfer import (
    SCHEMES,
    Candidate,
    PerInstance,
    ReplicaGone,
    Storage,
    StorageRefused,
    Transient,
    part_path,
    rank_replicas,
)

KIND = "datalake.fetch"
REPLICA_BATCH = 5000  # DIDs per replica listing: Rucio answers large batches faster
TRIES_PER_REPLICA = 3
WAITED = 0.001  # seconds between two listed replicas that mean the second one was waited for
LISTING_PAUSE = 0.02  # then wait this long for more before reading on (measured: half the CPU)


async def gathered(items: AsyncIterator[Any]) -> AsyncIterator[Any]:
    """A listing Rucio streams line by line, read a few lines at a time: when a line had to wait
    for the network, a short pause lets the next ones gather before the next read (each read of
    a trickling stream costs more CPU than the line it brings)."""
    loop = asyncio.get_running_loop()
    before = loop.time()
    async for item in items:
        yield item
        now = loop.time()
        if now - before > WAITED:
            await asyncio.sleep(LISTING_PAUSE)
            now = loop.time()
        before = now


class FetchRunner(Runner):
    kind = KIND
    cancelled_message = "Cancelled; partial files were removed."

    def __init__(self, instances: RucioInstances, workspace: Workspace, store: JobStore):
        self.instances = instances
        self.workspace = workspace
        self.store = store
        self._storage = PerInstance(lambda i: Storage(i.config, i.client.http.tls_context()))
        store.register(self)

    def max_running(self) -> int:  # type: ignore[override]
        return self.instances.default.config.fetch_max_jobs

    # ------------------------------------------------------------------ starting
    def plan(
        self, instance: str | None, dids: list[str], dest: str | None, origin: str | None = None
    ) -> tuple[str, list[DID], list[dict[str, str]]]:
        return plan(self.workspace, self.instances.get(instance).config, dids, dest, origin)

    def start(
        self, instance: str | None, dids: list[str], dest: str | None, origin: str | None = None
    ) -> Job:
        config = self.instances.get(instance).config
        dest, parsed, _paths = self.plan(instance, dids, dest, origin)
        selection = [{"scope": d.scope, "name": d.name, "type": "unknown"} for d in parsed]
        return self.store.start(KIND, FetchState(config.instance_name, selection, dest))

    def conflict(self, job: Job, other: Job) -> str | None:
        mine, theirs = job.data, other.data
        same = [(d["scope"], d["name"]) for d in mine.dids] == [
            (d["scope"], d["name"]) for d in theirs.dids
        ]
        if same and mine.dest == theirs.dest and mine.instance == theirs.instance:
            return f"This selection is already being fetched into {mine.dest} (job {other.id})."
        return None

    # ------------------------------------------------------------------ the job's JSON
    def refresh(self, job: Job) -> None:
        state: FetchState = job.data
        counts = state.counts()
        job.items_total = len(state.files)
        job.items_done = counts["verified"] + counts["present"]
        job.items_failed = counts["failed"]
        job.bytes_total = sum(f.bytes for f in state.files)
        job.bytes_done = sum(f.bytes if f.complete else f.done for f in state.files)
        job.transferred = sum(f.received for f in state.files)
        failures = [(e["did"], e["message"]) for e in state.errors]
        failures += [(f.did, f.error or "") for f in state.files if f.state == "failed"]
        job.errors = [{"item": did, "did": did, "message": text} for did, text in failures]

    def describe(self, job: Job) -> dict[str, Any]:
        state: FetchState = job.data
        return {
            "instance": state.instance,
            "dids": state.dids,
            "dest": state.dest,
            "phase": state.phase,
            "files_total": job.items_total,
            "files_done": job.items_done,
            "files_failed": job.items_failed,
            "files_present": state.counts()["present"],
            "paths": state.paths,
        }

    def detail(self, job: Job, limit: int = 500) -> dict[str, Any]:
        state: FetchState = job.data
        order = {"failed": 0, "downloading": 1, "waiting": 2}
        files = sorted(state.files, key=lambda f: order.get(f.state, 3))
        return self.describe(job) | {
            "files": [f.to_json() for f in files[:limit]],
            "files_truncated": len(files) > limit,
        }

    def dump(self, data: FetchState) -> dict:
        return data.dump()

    def load(self, body: dict) -> FetchState:
        return FetchState.load(body)

    def before_retry(self, job: Job) -> None:
        for f in job.data.files:
            if f.state == "failed":
                f.state, f.error = "waiting", None

    def on_interrupted(self, job: Job) -> None:
        job.message = "The server stopped during this fetch: resume it to go on."
        for f in job.data.files:
            if f.state == "downloading":
                f.state = "waiting"

    # ------------------------------------------------------------------ the work
    async def run(self, job: Job) -> None:
        state: FetchState = job.data
        instance = self.instances.get(state.instance)
        previous = {f.path: f for f in state.files}
        storage = self._storage_of(instance)
        storage.checked.clear()  # addresses are checked afresh for every run
        state.phase = "resolving"
        state.files, state.paths, state.errors = [], [], []
        early: asyncio.Queue | None = None
        listing = None
        if sum(1 for f in previous.values() if f.complete) * 2 <= len(previous):
            # Most files are still to fetch: Rucio lists the replicas of the selection (it
            # expands datasets and containers itself) while the selection is being resolved.
            early = asyncio.Queue()
            listing = asyncio.ensure_future(self._list_early(instance, state.dids, early))
        try:
            await resolve(state, instance.client, self.workspace)
            for f in state.files:  # a resume keeps what the previous run completed
                old = previous.get(f.path)
                if old and old.complete and old.did == f.did:
                    f.state, f.rse, f.done = old.state, old.rse, old.bytes
            state.phase = "transferring"
            self.store.save()
            await self._download_all(job, state, instance, early)
        finally:
            if listing is not None and not listing.done():
                listing.cancel()
                await asyncio.gather(listing, return_exceptions=True)
            for f in state.files:
                if f.state == "downloading":
                    f.state = "waiting"
            self.refresh(job)
        job.message = self._final_message(state)
        job.state = "failed" if job.items_failed or state.errors else "done"

    @staticmethod
    def _final_message(state: FetchState) -> str:
        counts = state.counts()
        ok = counts["verified"] + counts["present"]
        failed = len(state.files) - ok
        if failed or state.errors:
            parts = [f"{ok} of {len(state.files)} files fetched into {state.dest}"]
            if failed:
                parts.append(f"{failed} failed")
            if state.errors:
                parts.append(f"{len(state.errors)} DID(s) could not be listed")
            message = "; ".join(parts) + "."
        else:
            message = f"{ok} file(s) verified in {state.dest}."
        unchecked = sum(1 for f in state.files if f.complete and f.unchecked)
        if unchecked:
            message += (
                f" {unchecked} file(s) have no checksum in Rucio: only their size was checked."
            )
        moved = [f for f in state.files if f.complete and f.error]
        if moved:
            message += f" {len(moved)} file(s) took another name: {moved[0].error}"
        return message

    def _storage_of(self, instance) -> Storage:
        return self._storage.of(instance)

    def close(self) -> None:
        self._storage.close()

    @staticmethod
    async def _list_early(instance, dids: list[dict], out: asyncio.Queue) -> None:
        """Replicas of the selected DIDs into ``out``, then None; on any error (a DID Rucio does
        not know, a broken answer) just None: the files not listed are then asked by name, and
        that listing reports what is wrong."""
        try:
            selection = [DID(d["scope"], d["name"]) for d in dids]
            async for item in gathered(
                instance.client.file_replicas(
                    selection, schemes=SCHEMES, all_states=False, sort="random"
                )
            ):
                out.put_nowait(item)
        except Exception:  # the by-name pass asks again and says what failed
            pass
        finally:
            out.put_nowait(None)

    async def _download_all(
        self, job: Job, state: FetchState, instance, early: asyncio.Queue | None = None
    ) -> None:
        """Downloads start as soon as Rucio streams a file's replicas: listing and transfer
        overlap. Each file is fetched whole in one transfer thread (target check, GET, write,
        checksums, retries, rename: TLS reads, hashing and writes release the GIL); the event
        loop only lists replicas and feeds the threads, with no future or thread hop per file."""
        config = instance.config
        todo = [f for f in state.files if f.state == "waiting"]
        if not todo:
            return
        by_did: dict[tuple[str, str], list[FileItem]] = {}
        for f in todo:
            by_did.setdefault((f.scope, f.name), []).append(f)
        mount_rse = config.destination_rse or None
        mount = config.rse_mount_path if mount_rse else ""
        workers = max(1, min(64, config.fetch_concurrency, len(todo)))
        feed: queue.SimpleQueue = queue.SimpleQueue()  # (file, replicas item); None ends a lane
        storage = self._storage_of(instance)
        targets = Targets(self.workspace, "rucio")  # each folder checked once per run
        stop = threading.Event()

        def rank(item: dict | None) -> list[Candidate]:
            if not item:
                return []
            return rank_replicas(item, mount_rse, mount, config.path_begins_at)

        def take(item: dict) -> None:
            files = by_did.pop((item["scope"], item["name"]), None)
            if files:  # (a collection also lists files fetched before, or twice)
                for f in files:
                    feed.put((f, item))  # ranked in the transfer thread

        async def replicas_of(dids: list[DID]) -> None:
            replicas = instance.client.file_replicas(
                dids, schemes=SCHEMES, all_states=False, sort="random"
            )
            async for item in gathered(replicas):
                take(item)

        async def list_replicas() -> None:
            try:
                # The listing started with the run (by the selected DIDs: Rucio expands
                # datasets and containers itself, and the first replicas arrive sooner than for
                # a thousand file DIDs). Files it did not list are then asked by name.
                if early is not None:
                    while (item := await early.get()) is not None:
                        take(item)
                keys = list(by_did)
                for start in range(0, len(keys), REPLICA_BATCH):
                    await replicas_of([DID(s, n) for s, n in keys[start : start + REPLICA_BATCH]])
                for files in by_did.values():  # Rucio knows no replica of these
                    for f in files:
                        feed.put((f, None))
            finally:
                for _ in range(workers):
                    feed.put(None)

        async def save_progress() -> None:
            while True:
                await asyncio.sleep(SAVE_EVERY)
                self.store.save(force=False)

        threads = ThreadPoolExecutor(workers, thread_name_prefix=f"escape-fetch-{job.id}")
        lanes = [
            threads.submit(self._lane, feed, rank, storage, targets, stop) for _ in range(workers)
        ]
        lister = asyncio.ensure_future(list_replicas())
        saver = asyncio.ensure_future(save_progress())
        try:
            await asyncio.gather(lister, *(asyncio.wrap_future(lane) for lane in lanes))
        except BaseException:
            # Cancelled, or a lane failed: the lanes stop at their next chunk and tidy their
            # partial files; the job reports only once they have all returned.
            stop.set()
            for _ in range(workers):
                feed.put(None)
            if not lister.done():
                lister.cancel()
            while running := [lane for lane in lanes if not lane.done()]:
                try:  # asyncio.wait never cancels what it waits for, even when we are
                    await asyncio.wait([asyncio.wrap_future(lane) for lane in running])
                except asyncio.CancelledError:
                    continue
            await asyncio.gather(lister, return_exceptions=True)
            raise
        finally:
            saver.cancel()
            threads.shutdown(wait=False, cancel_futures=True)

    def _lane(
        self,
        feed: queue.SimpleQueue,
        rank: Callable[[dict | None], list[Candidate]],
        storage: Storage,
        targets: Targets,
        stop: threading.Event,
    ) -> None:
        """One transfer thread: files from ``feed`` one after the other, until None or stop."""
        while (entry := feed.get()) is not None and not stop.is_set():
            f, item = entry
            self._fetch_file(f, rank(item), storage, targets, stop)

    def _fetch_file(
        self,
        f: FileItem,
        candidates: list[Candidate],
        storage: Storage,
        targets: Targets,
        stop: threading.Event,
    ) -> None:
        """One file, in its transfer thread: replicas best first, a few tries each (a dropped
        connection resumes from the bytes written, with a Range request); the outcome is left
        in ``f``. A stop leaves the file unsettled (the run sets it back to waiting)."""
        if not candidates:
            if self._already_there(f, targets) is not None:
                f.state = "failed"
                f.error = "No AVAILABLE replica that this server can read (https, davs, http)."
            return
        where: list[Path] = []  # [target, part file] once the target is known
        problems: list[str] = []
        for candidate in candidates:
            for attempt in range(TRIES_PER_REPLICA):
                try:
                    if not self._transfer(f, candidate, where, targets, storage, stop):
                        return  # settled without a transfer: present, or refused
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
                    if stop.wait(0.2 * (attempt + 1)):
                        self._stopped(f, where)
                        return
                    continue
                except StorageRefused as err:
                    problems.append(f"{candidate.rse}: refused ({err})")
                    break
                except OSError as err:
                    problems.append(f"writing {f.path}: {err.strerror or err}")
                    break
                f.state, f.rse, f.done = "verified", candidate.rse, f.bytes
                return
            if stop.is_set():
                self._stopped(f, where)
                return
        f.state, f.done = "failed", 0
        f.error = "Not fetched: " + "; ".join(problems[-4:]) + "."
        if where:
            where[1].unlink(missing_ok=True)

    def _stopped(self, f: FileItem, where: list[Path]) -> None:
        """Cancelled: no partial file left (a server stop keeps it for the resume)."""
        if not self.store.stopping and where:
            where[1].unlink(missing_ok=True)
            f.done = 0

    def _transfer(
        self,
        f: FileItem,
        candidate: Candidate,
        where: list[Path],
        targets: Targets,
        storage: Storage,
        stop: threading.Event,
    ) -> bool:
        """One attempt, in a worker thread: bytes to the part file, verified, renamed to the
        target. The first attempt settles the target first (``where`` is empty): False when
        nothing is to be transferred (already there, or refused)."""
        if not where:
            target = self._already_there(f, targets)
            if target is None:
                return False
            where += [target, part_path(target)]
            f.state = "downloading"
        target, temp = where
        targets.ensure_folder(target.parent)
        try:
            if candidate.local is not None:
                try:
                    sums, size = storage.copy_local(candidate.local, temp, f, stop)
                except (FileNotFoundError, PermissionError) as err:
                    raise ReplicaGone(f"{err.strerror} on the local mount") from None
            else:
                sums, size = storage.download(f, candidate.url, temp, stop)
        except Transient:
            if stop.is_set() and not self.store.stopping:
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
        return True

    def _already_there(self, f: FileItem, targets: Targets) -> Path | None:
        """The target path when the file must be fetched; None when it is settled: already
        there with the right checksum, or refused (outside the workspace, another file there).
        """
        try:
            target, st = targets.look(f.path)  # one look: a link there is refused
        except EscapeError as err:
            f.state, f.error = "failed", err.message
            return None
        except OSError as err:  # a name the filesystem cannot hold: this file fails, not the job
            f.state, f.error = "failed", f"Cannot write {f.path}: {err.strerror or err}."
            return None
        same_size = st is not None and stat.S_ISREG(st.st_mode) and st.st_size == f.bytes
        if f.complete and same_size:
            f.done = f.bytes
            return None  # completed by a previous run of this job
        f.state = "waiting"
        if st is None:
            return target
        if same_size:
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
