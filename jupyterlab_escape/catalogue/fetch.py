"""Fetch jobs: a record's files into the workspace, md5 verified, optionally unzipped.

A job runs on the server (it survives a browser reload), reports progress, can be cancelled and
ends done, failed or cancelled. Every path goes through the one rule of ``..workspace``: file keys
and zip members that are hidden, leave the folder or are not plain names are never written. Each
file is written to a new temporary file (``O_EXCL | O_NOFOLLOW``), its md5 checked against the
record's checksum, then placed: a partial or corrupt file never carries the final name, and an
existing different file is never replaced (ours takes ``name (1).ext`` and the job says so).
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import logging
import re
import secrets
import stat
import time
import unicodedata
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..http import EscapeError
from ..workspace import (
    Extracted,
    Workspace,
    extract_zip,
    is_hidden,
    open_new,
    place,
    relative_parts,
)
from .client import RateLimited, ZenodoClient

log = logging.getLogger("jupyterlab_escape.catalogue")

ACTIVE = ("queued", "running")
LISTED = 50  # names listed in a job's JSON; the counts say how many there are
NAMED = 3  # names spelled out in a job's message


def slug(text: str, limit: int = 48) -> str:
    """A folder-safe ASCII name: 'Gamma-Pipe: tools!' -> 'gamma-pipe-tools'."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    text = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return text[:limit].rstrip("-") or "record"


def safe_name(text: str | None) -> str:
    """A version string usable in a folder name (never hidden, never empty)."""
    text = re.sub(r"[^A-Za-z0-9._+-]+", "-", str(text or "")).strip("-.")
    return text[:64].rstrip("-.") or "latest"


def default_dest(fetch_dir: str, title: str, version: str | None) -> str:
    """``ossr/<name>-<version>``: the name is the title up to its first ':' or dash separator."""
    name = (
        slug(re.split(r":|\s[—–-]\s", str(title), maxsplit=1)[0])
        + "-"
        + safe_name(version or "latest")
    )
    return f"{fetch_dir.strip('/')}/{name}" if fetch_dir.strip("/") else name


def _short(name: str, limit: int = 80) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _listing(items: list[str]) -> str:
    shown = ", ".join(items[:NAMED])
    return shown + (f" and {len(items) - NAMED} more" if len(items) > NAMED else "")


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
    # {"name": file key or zip member, "path": the workspace path it took instead}
    renamed: list[dict] = field(default_factory=list)
    # {"name": file key or zip member, "reason": why it was not written}
    skipped: list[dict] = field(default_factory=list)
    started: float = field(default_factory=time.time)
    finished: float | None = None

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)

    def to_json(self) -> dict:
        body = asdict(self)
        body["total_bytes"] = self.total_bytes
        body["done_bytes"] = sum(f.done for f in self.files)
        body["extracted"] = self.extracted[:LISTED]
        body["extracted_count"] = len(self.extracted)
        body["renamed"] = self.renamed[:LISTED]
        body["renamed_count"] = len(self.renamed)
        body["skipped"] = self.skipped[:LISTED]
        body["skipped_count"] = len(self.skipped)
        return body

    def summary(self) -> str:
        """The final message: what was written, what took another name, what was left out."""
        parts = [f"{len(self.files)} file(s) verified in {self.dest}."]
        if self.extracted:
            parts.append(f"{len(self.extracted)} file(s) extracted.")
        if self.renamed:
            moves = [f"{_short(r['name'])} was saved as {_short(r['path'])}" for r in self.renamed]
            parts.append(f"Existing files were kept: {_listing(moves)}.")
        if self.skipped:
            names = [f"{_short(s['name'])} ({s['reason']})" for s in self.skipped]
            parts.append(f"Not written: {_listing(names)}.")
        return " ".join(parts)


def _check_members(archive: Path, workspace: Workspace) -> None:
    """Every member path the archive would write, checked before anything is extracted."""
    with zipfile.ZipFile(archive) as zf:
        for member in zf.infolist():
            if member.is_dir() or stat.S_ISLNK(member.external_attr >> 16):
                continue  # links are skipped (and reported) by extract_zip
            # The shape of the path, hidden or not: hidden members are skipped and reported by
            # extract_zip, but a hidden-looking "..\\x" is refused for what it is.
            relative_parts(member.filename, "zenodo", allow_hidden=True)


def unpack(archive: Path, folder: Path, workspace: Workspace, key: str) -> Extracted:
    """Extract a fetched zip into ``folder``; an archive with a member we refuse (zip-slip,
    absolute, over-long) or a corrupt member is refused as a whole, before anything is written
    where possible."""
    try:
        _check_members(archive, workspace)
        return extract_zip(archive, folder, workspace, service="zenodo")
    except zipfile.BadZipFile as err:
        raise EscapeError(
            502,
            "zenodo_bad_zip",
            f"{_short(key)} is not a valid zip archive ({_short(str(err))}); "
            "the archive was kept and extraction stopped.",
            service="zenodo",
        ) from None


def _skip_reason(name: str, allow_hidden: bool) -> str:
    return "hidden" if is_hidden(name) and not allow_hidden else "symbolic link"


class FetchJobs:
    def __init__(self, client: ZenodoClient, workspace: Workspace):
        self.client = client
        self.workspace = workspace
        self.jobs: dict[str, FetchJob] = {}
        self._tasks: dict[str, asyncio.Task] = {}
        self._ids = itertools.count(1)

    def _writable(self, keys: list[str], explicit: bool) -> tuple[list[str], list[dict]]:
        """Keys we may write and those we leave out. A key the user chose explicitly is refused
        with the reason; when fetching "all files", refused keys are skipped and reported."""
        chosen, skipped = [], []
        for key in keys:
            try:
                self.workspace.parts(key, "zenodo")
            except EscapeError as err:
                if explicit:
                    raise
                skipped.append({"name": key, "reason": err.message})
                continue
            chosen.append(key)
        if not chosen:
            raise EscapeError(
                400,
                "bad_path",
                "None of this record's files can be written into the workspace: "
                + skipped[0]["reason"],
                service="zenodo",
            )
        return chosen, skipped

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
        unknown = [k for k in keys or [] if k not in available]
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
        self.workspace.target(dest, "zenodo")  # refuse early, before any job exists
        chosen, skipped = self._writable(keys or list(available), explicit=bool(keys))
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
            skipped=skipped,
        )
        self.jobs[job.id] = job
        self._tasks[job.id] = asyncio.ensure_future(self._run(job))
        return job

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
        loop = asyncio.get_running_loop()
        try:
            folder = self.workspace.target(job.dest, "zenodo")
            folder.mkdir(parents=True, exist_ok=True)
            for progress in job.files:
                await self._download_retrying(job, folder, progress)
            if job.extract:
                for progress in job.files:
                    if progress.key.lower().endswith(".zip"):
                        archive = self.workspace.root / progress.path
                        out = await loop.run_in_executor(
                            None, unpack, archive, folder, self.workspace, progress.key
                        )
                        job.extracted += out.paths
                        job.renamed += [{"name": m, "path": p} for m, p in out.renamed]
                        job.skipped += [
                            {"name": m, "reason": _skip_reason(m, self.workspace.allow_hidden)}
                            for m in out.skipped
                        ]
            job.state = "done"
            job.message = job.summary()
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
        target = self.workspace.within(folder, progress.key, "zenodo")
        target.parent.mkdir(parents=True, exist_ok=True)
        # Short and unguessable: a 255-byte key still gets a valid temporary name, and nothing
        # planted beforehand (file or link) can be there: open_new refuses both.
        temp = target.parent / f".escape-{job.id}-{secrets.token_hex(6)}.part"
        digest = hashlib.md5()
        progress.state = "downloading"
        progress.done = 0
        loop = asyncio.get_running_loop()
        try:
            async with self.client.download(job.record_id, progress.key) as response:
                # Disk writes go to a thread: nothing blocks the event loop.
                handle = await loop.run_in_executor(None, open_new, temp)
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
            final = await loop.run_in_executor(None, place, temp, target)
        except BaseException:
            progress.state = "failed"
            temp.unlink(missing_ok=True)
            raise
        progress.state = "verified"
        progress.path = self.workspace.relative(final)
        if final != target:
            job.renamed.append({"name": progress.key, "path": progress.path})
