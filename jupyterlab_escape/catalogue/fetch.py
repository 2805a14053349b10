"""Fetch jobs (kind ``catalogue.fetch``): a record's files into the workspace, md5 verified,
optionally unzipped, on the shared job system.

Every path goes through the one rule of ``..workspace``: file keys and zip members that are
hidden, leave the folder or are not plain names are never written. Each file is written to a new
temporary file (``O_EXCL | O_NOFOLLOW``), its md5 checked against the record's checksum, then
placed: a partial or corrupt file never carries the final name, and an existing different file is
never replaced (ours takes ``name (1).ext`` and the job says so). Jobs live in the ``JobStore``:
they survive a browser reload and a server restart (an unfinished job is ``interrupted`` and
``retry`` resumes it: verified files are kept, the others fetched again).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import secrets
import unicodedata
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from ..http import EscapeError
from ..jobs import Job, JobFailed, JobStore, Runner
from ..workspace import Workspace, open_new, place
from .archive import short, skip_reason, unpack
from .client import RateLimited, ZenodoClient

KIND = "catalogue.fetch"
LISTED = 50  # names listed in a job's JSON; the counts say how many there are
NAMED = 3  # names spelled out in a job's message
RATE_LIMIT_TRIES = 3
INTERRUPTED = "The server stopped during this fetch: retry to resume it (verified files are kept)."


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
    path: str = ""  # workspace path once verified
    renamed: bool = False  # another file was at the key's place: ours took a free name
    unpacked: bool = False  # a zip whose members were extracted
    error: str | None = None
    part: str | None = None  # our temporary file while downloading (tidied after a crash)
    received: int = 0  # bytes moved by the latest run

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "size": self.size,
            "md5": self.md5,
            "done": self.done,
            "state": self.state,
            "path": self.path,
            "error": self.error,
        }


@dataclass
class FetchState:
    """What one catalogue fetch does and has done (``job.data``), saved with the store."""

    record_id: str
    title: str
    dest: str
    extract: bool
    files: list[FileProgress]
    # {"name": file key, "reason": why it was not written}: decided when the job starts
    skipped_keys: list[dict] = field(default_factory=list)
    phase: str = "downloading"  # downloading | extracting
    extracted: list[str] = field(default_factory=list)
    # {"name": zip member, "path": the workspace path it took instead}
    member_renamed: list[dict] = field(default_factory=list)
    # {"name": zip member, "reason": why it was not written}
    member_skipped: list[dict] = field(default_factory=list)
    # {"item": zip, "message": why its extraction stopped}: the latest run's
    errors: list[dict] = field(default_factory=list)

    @property
    def renamed(self) -> list[dict]:
        moved = [{"name": f.key, "path": f.path} for f in self.files if f.renamed]
        return moved + self.member_renamed

    @property
    def skipped(self) -> list[dict]:
        return self.skipped_keys + self.member_skipped

    def summary(self) -> str:
        """The final message: what was written, what took another name, what was left out."""
        parts = [f"{len(self.files)} file(s) verified in {self.dest}."]
        if self.extracted:
            parts.append(f"{len(self.extracted)} file(s) extracted.")
        if renamed := self.renamed:
            moves = [f"{short(r['name'])} was saved as {short(r['path'])}" for r in renamed]
            parts.append(f"Existing files were kept: {_listing(moves)}.")
        if skipped := self.skipped:
            names = [f"{short(s['name'])} ({s['reason']})" for s in skipped]
            parts.append(f"Not written: {_listing(names)}.")
        return " ".join(parts)

    def dump(self) -> dict:
        return asdict(self)

    @classmethod
    def load(cls, body: dict) -> FetchState:
        """A saved state; fields this version does not know are left out."""
        known = {f.name for f in fields(FileProgress)}
        files = [FileProgress(**{k: v for k, v in f.items() if k in known}) for f in body["files"]]
        own = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in body.items() if k in own} | {"files": files})


class CatalogueFetchRunner(Runner):
    kind = KIND
    cancelled_message = "Cancelled; partial files were removed."

    def __init__(self, client: ZenodoClient, workspace: Workspace, store: JobStore):
        self.client = client
        self.workspace = workspace
        self.store = store
        store.register(self)

    def max_running(self) -> int:  # type: ignore[override]
        return self.client.config.fetch_max_jobs

    # ------------------------------------------------------------------ starting
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
        self,
        record: dict,
        keys: list[str] | None,
        dest: str | None,
        extract: bool,
        idempotency_key: str | None = None,
    ) -> Job:
        """Check everything that can be checked before a job exists, then start one."""
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
        config = self.client.config
        dest = dest or default_dest(config.fetch_dir, record["title"], record["version"])
        self.workspace.target(dest, "zenodo")  # refuse early, before any job exists
        chosen, skipped = self._writable(keys or list(available), explicit=bool(keys))
        total = sum(available[k]["size"] for k in chosen)
        if total > config.fetch_max_bytes:
            raise EscapeError(
                400,
                "fetch_too_large",
                f"These files total {total / 1e6:.0f} MB, more than the "
                f"{config.fetch_max_bytes / 1e6:.0f} MB allowed "
                "(EscapeZenodo.fetch_max_bytes).",
                service="zenodo",
            )
        state = FetchState(
            record_id=record["id"],
            title=record["title"],
            dest=dest,
            extract=extract,
            files=[FileProgress(k, available[k]["size"], available[k]["md5"]) for k in chosen],
            skipped_keys=skipped,
        )
        return self.store.start(KIND, state, idempotency_key=idempotency_key)

    def conflict(self, job: Job, other: Job) -> str | None:
        mine, theirs = job.data, other.data
        if mine.record_id == theirs.record_id and mine.dest == theirs.dest:
            return f"Record {mine.record_id} is already being fetched into {mine.dest}."
        return None

    # ------------------------------------------------------------------ the job's JSON
    def refresh(self, job: Job) -> None:
        state: FetchState = job.data
        job.items_total = len(state.files)
        job.items_done = sum(1 for f in state.files if f.state == "verified")
        job.items_failed = sum(1 for f in state.files if f.state == "failed")
        job.bytes_total = sum(f.size for f in state.files)
        job.bytes_done = sum(f.done for f in state.files)
        job.transferred = sum(f.received for f in state.files)
        job.errors = [
            {"item": f.key, "message": f.error or ""} for f in state.files if f.state == "failed"
        ] + state.errors

    def describe(self, job: Job, limit: int = LISTED) -> dict[str, Any]:
        state: FetchState = job.data
        renamed, skipped = state.renamed, state.skipped
        return {
            "record_id": state.record_id,
            "title": state.title,
            "dest": state.dest,
            "extract": state.extract,
            "phase": state.phase,
            "files": [f.to_json() for f in state.files[:limit]],
            "files_count": len(state.files),
            "extracted": state.extracted[:LISTED],
            "extracted_count": len(state.extracted),
            "renamed": renamed[:LISTED],
            "renamed_count": len(renamed),
            "skipped": skipped[:LISTED],
            "skipped_count": len(skipped),
        }

    def detail(self, job: Job) -> dict[str, Any]:
        return self.describe(job, limit=len(job.data.files))

    def dump(self, data: FetchState) -> dict:
        return data.dump()

    def load(self, body: dict) -> FetchState:
        return FetchState.load(body)

    def before_retry(self, job: Job) -> None:
        for f in job.data.files:
            if f.state != "verified":
                f.state, f.error, f.done = "waiting", None, 0

    def on_interrupted(self, job: Job) -> None:
        job.message = INTERRUPTED
        for f in job.data.files:
            if f.state == "downloading":
                f.state, f.done = "waiting", 0

    # ------------------------------------------------------------------ the work
    async def run(self, job: Job) -> None:
        state: FetchState = job.data
        loop = asyncio.get_running_loop()
        state.errors = []
        for f in state.files:
            f.received = 0
        try:
            folder = self.workspace.target(state.dest, "zenodo")
            folder.mkdir(parents=True, exist_ok=True)
            state.phase = "downloading"
            await loop.run_in_executor(None, self._tidy_parts, job, folder)
            for progress in state.files:
                if await loop.run_in_executor(None, self._still_there, progress):
                    continue  # verified by an earlier run of this job
                try:
                    await self._download_retrying(job, folder, progress)
                except EscapeError as err:
                    progress.state, progress.error = "failed", err.message
                    raise
                except OSError as err:
                    progress.state = "failed"
                    progress.error = f"Could not write into the workspace: {err.strerror}."
                    raise JobFailed(progress.error) from None
                self.store.save()
            if state.extract:
                state.phase = "extracting"
                for progress in state.files:
                    if progress.key.lower().endswith(".zip") and not progress.unpacked:
                        try:
                            await self._unpack(state, folder, progress)
                        except EscapeError as err:
                            state.errors = [{"item": progress.key, "message": err.message}]
                            raise
                        self.store.save()
        except OSError as err:
            raise JobFailed(f"Could not write into the workspace: {err.strerror}.") from None
        finally:
            self.refresh(job)
        job.message = state.summary()

    async def _unpack(self, state: FetchState, folder: Path, progress: FileProgress) -> None:
        archive = self.workspace.root / progress.path
        out = await asyncio.get_running_loop().run_in_executor(
            None, unpack, archive, folder, self.workspace, progress.key
        )
        progress.unpacked = True
        state.extracted += out.paths
        state.member_renamed += [{"name": m, "path": p} for m, p in out.renamed]
        state.member_skipped += [
            {"name": m, "reason": skip_reason(m, self.workspace.allow_hidden)} for m in out.skipped
        ]

    def _still_there(self, progress: FileProgress) -> bool:
        """A file an earlier run verified counts when it is still there with its size; when it
        is gone it is fetched again (and unpacked again)."""
        if progress.state != "verified":
            return False
        path = self.workspace.root / progress.path
        if not path.is_symlink() and path.is_file() and path.stat().st_size == progress.size:
            progress.done = progress.size
            return True
        progress.state, progress.done, progress.renamed, progress.unpacked = (
            "waiting",
            0,
            False,
            False,
        )
        return False

    def _tidy_parts(self, job: Job, folder: Path) -> None:
        """Our temporary files left by a run that was killed. Found on disk, not from the saved
        state (saves are throttled: a SIGKILL can lose the name of the latest one): only names
        this job makes (``.escape-<job id>-<12 hex>.part``), only in the job's own folder, and
        links are neither followed nor removed."""
        pattern = re.compile(rf"\.escape-{re.escape(job.id)}-[0-9a-f]{{12}}\.part")
        for progress in job.data.files:
            progress.part = None
        for here, dirs, names in os.walk(folder, followlinks=False):
            dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(here, d))]
            for name in names:
                path = Path(here) / name
                if pattern.fullmatch(name) and not path.is_symlink() and path.is_file():
                    path.unlink(missing_ok=True)

    async def _download_retrying(self, job: Job, folder: Path, progress: FileProgress):
        """A 429 pauses the job until Retry-After (the client waits), then the file restarts."""
        for attempt in range(RATE_LIMIT_TRIES):
            try:
                return await self._download(job, folder, progress)
            except RateLimited:
                if attempt == RATE_LIMIT_TRIES - 1:
                    raise
                progress.done, progress.state, progress.error = 0, "waiting", None

    async def _download(self, job: Job, folder: Path, progress: FileProgress) -> None:
        target = self.workspace.within(folder, progress.key, "zenodo")
        target.parent.mkdir(parents=True, exist_ok=True)
        # Short and unguessable: a 255-byte key still gets a valid temporary name, and nothing
        # planted beforehand (file or link) can be there: open_new refuses both.
        temp = target.parent / f".escape-{job.id}-{secrets.token_hex(6)}.part"
        digest = hashlib.md5()
        progress.state, progress.done, progress.error = "downloading", 0, None
        progress.part = self.workspace.relative(temp)
        loop = asyncio.get_running_loop()
        try:
            async with self.client.download(job.data.record_id, progress.key) as response:
                # Disk writes go to a thread: nothing blocks the event loop.
                handle = await loop.run_in_executor(None, open_new, temp)
                try:
                    async for chunk in response.aiter_bytes(256 * 1024):
                        await loop.run_in_executor(None, handle.write, chunk)
                        digest.update(chunk)
                        progress.done += len(chunk)
                        progress.received += len(chunk)
                        self.store.save(force=False)
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
        except asyncio.CancelledError:
            # Cancelled or the server stops: Zenodo has no ranged resume, so the file starts
            # again on retry; the partial bytes go now.
            progress.state, progress.done = "waiting", 0
            temp.unlink(missing_ok=True)
            progress.part = None
            raise
        except BaseException:
            progress.state, progress.done = "failed", 0
            temp.unlink(missing_ok=True)
            progress.part = None
            raise
        progress.part = None
        progress.state = "verified"
        progress.path = self.workspace.relative(final)
        progress.renamed = final != target
