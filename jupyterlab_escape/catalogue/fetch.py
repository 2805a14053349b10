"""Fetch jobs: a record's files into the workspace, md5 verified, optionally unzipped.

A job runs on the server (it survives a browser reload), reports progress, can be cancelled and
ends done, failed or cancelled. Each file is written to a hidden temporary name, its md5 checked
against the record's checksum, then renamed: a partial or corrupt file never carries the final
name. Zip members are extracted with the same containment rules (no zip-slip, no symlinks).
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import logging
import os
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..http import EscapeError
from ..workspace import extract_zip as _extract_zip
from .client import RateLimited, ZenodoClient
from .workspace import inside, relative_parts, safe_name, slug

log = logging.getLogger("jupyterlab_escape.catalogue")

ACTIVE = ("queued", "running")


@dataclass
class FileProgress:
    key: str
    size: int
    md5: str | None
    done: int = 0
    state: str = "waiting"  # waiting | downloading | verified | failed
    path: str = ""


@dataclass
class FetchJob:
    id: str
    record_id: str
    title: str
    dest: str
    extract: bool
    files: list[FileProgress]
    state: str = "queued"
    message: str | None = None
    extracted: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.time)
    finished: float | None = None

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)

    def to_json(self) -> dict:
        body = asdict(self)
        body["total_bytes"] = self.total_bytes
        body["done_bytes"] = sum(f.done for f in self.files)
        body["extracted"] = self.extracted[:50]
        body["extracted_count"] = len(self.extracted)
        return body


def default_dest(fetch_dir: str, title: str, version: str | None) -> str:
    """``ossr/<name>-<version>``: the name is the title up to its first ':' or dash separator."""
    name = (
        slug(re.split(r":|\s[—–-]\s", title, maxsplit=1)[0]) + "-" + safe_name(version or "latest")
    )
    return f"{fetch_dir.strip('/')}/{name}" if fetch_dir.strip("/") else name


class FetchJobs:
    def __init__(self, client: ZenodoClient, root_dir: str):
        self.client = client
        self.root_dir = root_dir
        self.jobs: dict[str, FetchJob] = {}
        self._tasks: dict[str, asyncio.Task] = {}
        self._ids = itertools.count(1)

    def start(
        self, record: dict, keys: list[str] | None, dest: str | None, extract: bool
    ) -> FetchJob:
        if record.get("files_restricted") or not record.get("files"):
            raise EscapeError(
                403 if record.get("files_restricted") else 409,
                "zenodo_files_unavailable",
                "This record's files are restricted: open its Zenodo page to request access."
                if record.get("files_restricted")
                else "This record has no files to fetch.",
                service="zenodo",
            )
        available = {f["key"]: f for f in record["files"]}
        chosen = keys or list(available)
        unknown = [k for k in chosen if k not in available]
        if unknown:
            raise EscapeError(
                400,
                "bad_file",
                f"Record {record['id']} has no file {unknown[0]!r}.",
                service="zenodo",
            )
        dest = dest or default_dest(
            self.client.config.fetch_dir, record["title"], record["version"]
        )
        inside(self.root_dir, dest)  # refuse early, before any job exists
        for key in chosen:
            relative_parts(key)
        total = sum(available[k]["size"] for k in chosen)
        if total > self.client.config.fetch_max_bytes:
            raise EscapeError(
                400,
                "fetch_too_large",
                f"These files total {total / 1e6:.0f} MB, more than the "
                f"{self.client.config.fetch_max_bytes / 1e6:.0f} MB allowed "
                "(EscapeZenodo.fetch_max_bytes).",
                service="zenodo",
            )
        if any(
            j.state in ACTIVE and j.dest == dest and j.record_id == record["id"]
            for j in self.jobs.values()
        ):
            raise EscapeError(
                409,
                "fetch_running",
                f"Record {record['id']} is already being fetched into {dest}.",
                service="zenodo",
            )
        job = FetchJob(
            id=f"f{next(self._ids)}",
            record_id=record["id"],
            title=record["title"],
            dest=dest,
            extract=extract,
            files=[FileProgress(k, available[k]["size"], available[k]["md5"]) for k in chosen],
        )
        self.jobs[job.id] = job
        self._tasks[job.id] = asyncio.ensure_future(self._run(job))
        return job

    @property
    def _root(self) -> Path:
        return Path(self.root_dir).resolve()

    def get(self, job_id: str) -> FetchJob:
        job = self.jobs.get(job_id)
        if job is None:
            raise EscapeError(404, "fetch_not_found", f"No fetch job {job_id!r}.", service="zenodo")
        return job

    def cancel(self, job_id: str) -> FetchJob:
        job = self.get(job_id)
        task = self._tasks.get(job_id)
        if task and not task.done():
            task.cancel()
        return job

    async def wait(self, job_id: str) -> FetchJob:
        task = self._tasks.get(job_id)
        if task:
            await asyncio.wait({task})
        return self.get(job_id)

    async def _run(self, job: FetchJob) -> None:
        job.state = "running"
        try:
            folder = inside(self.root_dir, job.dest)
            folder.mkdir(parents=True, exist_ok=True)
            for progress in job.files:
                await self._download_retrying(job, folder, progress)
            if job.extract:
                for progress in job.files:
                    if progress.key.lower().endswith(".zip"):
                        job.extracted += await asyncio.get_running_loop().run_in_executor(
                            None, extract_zip, self._root / progress.path, folder, self.root_dir
                        )
            job.state = "done"
            job.message = f"{len(job.files)} file(s) verified in {job.dest}"
        except asyncio.CancelledError:
            job.state, job.message = "cancelled", "Cancelled; partial files were removed."
        except EscapeError as err:
            job.state, job.message = "failed", err.message
        except OSError as err:
            job.state, job.message = (
                "failed",
                f"Could not write into the workspace: {err.strerror}.",
            )
        except Exception:  # noqa: BLE001 - a job must always end in a state
            log.exception("fetch job %s failed", job.id)
            job.state, job.message = "failed", "Internal error while fetching; see the server log."
        finally:
            job.finished = time.time()

    async def _download_retrying(self, job: FetchJob, folder: Path, progress: FileProgress):
        """A 429 pauses the job until Retry-After (the client waits), then the file restarts."""
        for attempt in range(3):
            try:
                return await self._download(job, folder, progress)
            except RateLimited:
                if attempt == 2:
                    raise
                progress.done, progress.state = 0, "waiting"

    async def _download(self, job: FetchJob, folder: Path, progress: FileProgress) -> None:
        target = inside(folder, progress.key)
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(f".{target.name}.{job.id}.part")
        digest = hashlib.md5()
        progress.state = "downloading"
        loop = asyncio.get_running_loop()
        try:
            async with self.client.download(job.record_id, progress.key) as response:
                # Disk writes go to a thread: nothing blocks the event loop.
                handle = await loop.run_in_executor(None, open, temp, "wb")
                try:
                    async for chunk in response.aiter_bytes(256 * 1024):
                        await loop.run_in_executor(None, handle.write, chunk)
                        digest.update(chunk)
                        progress.done += len(chunk)
                finally:
                    await loop.run_in_executor(None, handle.close)
            got = digest.hexdigest()
            if progress.md5 and got != progress.md5:
                raise EscapeError(
                    502,
                    "zenodo_checksum_mismatch",
                    f"{progress.key} arrived corrupted (md5 {got}, Zenodo lists {progress.md5}); "
                    "nothing was kept. Fetch again.",
                    service="zenodo",
                )
            os.replace(temp, target)
        except BaseException:
            progress.state = "failed"
            temp.unlink(missing_ok=True)
            raise
        progress.state = "verified"
        progress.path = str(target.relative_to(self._root))


def extract_zip(
    archive: Path, folder: Path, root_dir: str, max_bytes: int = 4 * 1024**3
) -> list[str]:
    """Extract into ``folder``, each member checked like a browser path; workspace paths out."""
    return _extract_zip(archive, folder, root_dir, max_bytes, service="zenodo")
