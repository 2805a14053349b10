"""Every long piece of work of the suite is a ``Job`` in the one ``JobStore``.

A job has an id, a kind (``datalake.fetch``, ``catalogue.fetch``, ``workflows.submit``, ...), a
state (queued, running, done, failed, cancelled, interrupted), item and byte progress, a
throughput, a message, per-item errors, timestamps and an optional idempotency key. What a job does
is its kind's ``Runner``: the store starts, cancels, retries and removes jobs, caps how many of a
kind run at once, and saves them per workspace (encoded and written atomically in one thread, off
the event loop; progress saves are throttled to one a second, and the last of a burst is always
written). After a server restart an unfinished job is ``interrupted``; ``retry`` resumes it when
its runner can, and a runner's resume checks what is on disk or upstream rather than trusting the
last save (a SIGKILL can come between two saves). Removing a job that did not finish (by
request, or the oldest beyond ``keep_finished``) lets its runner delete what the job left outside
the store (``Runner.on_remove``: e.g. partial files on a storage after a hard kill).

The slice keeps its own state of a job in ``job.data`` (a JSON-able object the runner dumps and
loads), and adds its own fields to the job's JSON through ``Runner.describe``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from .http import EscapeError

log = logging.getLogger("jupyterlab_escape.jobs")

ACTIVE = ("queued", "running")
FINISHED = ("done", "failed", "cancelled", "interrupted")
UNFINISHED = ("failed", "cancelled", "interrupted")  # removing one runs ``Runner.on_remove``
KEEP_FINISHED = 50
# A progress save (``save(force=False)``) waits until this long after the previous save; the
# last one of a burst is written when the wait is over, so a SIGKILL loses at most this much.
SAVE_EVERY = 1.0
INTERRUPTED = "The server stopped during this job: retry to resume it."


class JobFailed(Exception):
    """Raised by a runner: the job ends ``failed`` with this message."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Job:
    id: str
    kind: str
    data: Any = None
    state: str = "queued"
    message: str | None = None
    items_total: int = 0
    items_done: int = 0
    items_failed: int = 0
    bytes_total: int = 0
    bytes_done: int = 0
    transferred: int = 0  # bytes moved by the latest run (a resume moves fewer)
    errors: list[dict[str, str]] = field(default_factory=list)  # [{item, message}]
    idempotency_key: str | None = None
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    samples: deque = field(default_factory=lambda: deque(maxlen=64), repr=False)

    SAVED: ClassVar[tuple[str, ...]] = (
        "id kind state message items_total items_done items_failed bytes_total bytes_done "
        "transferred errors idempotency_key created started finished"
    ).split()

    @property
    def active(self) -> bool:
        return self.state in ACTIVE

    def rate(self) -> tuple[float | None, float | None]:
        """Bytes per second over the last few seconds, and the time left at that rate."""
        if self.state != "running":
            if self.started and self.finished and self.finished > self.started:
                return self.transferred / (self.finished - self.started), None
            return None, None
        now = time.monotonic()
        self.samples.append((now, self.bytes_done))
        while len(self.samples) > 2 and now - self.samples[0][0] > 10:
            self.samples.popleft()
        first_t, first_done = self.samples[0]
        if now - first_t < 0.5:
            return None, None
        rate = max(0.0, (self.bytes_done - first_done) / (now - first_t))
        left = self.bytes_total - self.bytes_done
        return rate, (left / rate if rate > 0 else None)

    def common(self) -> dict[str, Any]:
        throughput, eta = self.rate()
        return {
            "id": self.id,
            "kind": self.kind,
            "state": self.state,
            "message": self.message,
            "items_total": self.items_total,
            "items_done": self.items_done,
            "items_failed": self.items_failed,
            "bytes_total": self.bytes_total,
            "bytes_done": self.bytes_done,
            "transferred": self.transferred,
            "throughput": throughput,
            "eta_seconds": eta,
            "errors": self.errors[:20],
            "errors_count": len(self.errors),
            "created": self.created,
            "started": self.started,
            "finished": self.finished,
        }


class Runner:
    """What one kind of job does. Subclasses set ``kind`` and implement ``run``."""

    kind: str = ""
    resumable: bool = True  # retry after an interruption goes on where the job stopped
    cancelled_message = "Cancelled; partial files were removed."
    max_running: Callable[[], int] = staticmethod(lambda: 8)

    async def run(self, job: Job) -> None:
        """Do the work, updating the job's progress; set ``job.message`` at the end. Raise
        ``JobFailed`` (or an ``EscapeError``) to fail; a cancellation is handled by the store."""
        raise NotImplementedError

    def refresh(self, job: Job) -> None:
        """Bring the job's common progress fields up to date from the kind's own state."""

    def describe(self, job: Job) -> dict[str, Any]:
        """The kind's own fields of the job's JSON."""
        return {}

    def detail(self, job: Job) -> dict[str, Any]:
        """The job's JSON with its items (``GET /jobs/<id>``)."""
        return self.describe(job)

    def dump(self, data: Any) -> Any:
        return data

    def load(self, body: Any) -> Any:
        return body

    def before_retry(self, job: Job) -> None:
        """Reset what a new run must do again (failed items back to waiting)."""

    def on_interrupted(self, job: Job) -> None:
        """The server stopped while this job ran: leave it ready to resume."""

    def conflict(self, job: Job, other: Job) -> str | None:
        """A message when ``other`` (active) already does what ``job`` would do."""
        return None

    async def on_remove(self, job: Job) -> None:
        """A job that did not finish (failed, cancelled or interrupted) is being forgotten: delete
        what it may have left outside the store (a hard kill leaves partial files upstream that
        no retry will now tidy). Best effort: the job is gone whatever this does."""


class JobStore:
    """Every job of this server for one workspace; saved to ``state_file`` (None: memory only)."""

    def __init__(self, state_file: Path | None, keep_finished: int = KEEP_FINISHED):
        self.state_file = state_file
        self.keep_finished = keep_finished
        self.runners: dict[str, Runner] = {}
        self.jobs: dict[str, Job] = {}
        self._saved_bodies: list[dict] = []  # jobs of kinds not registered yet
        self._tasks: dict[str, asyncio.Task] = {}
        self._cleanups: set[asyncio.Task] = set()  # on_remove of jobs the store dropped
        self._stopping = False
        self._last_save = 0.0
        self._trailing: asyncio.TimerHandle | None = None  # the deferred progress save
        self._saver = ThreadPoolExecutor(1, thread_name_prefix="escape-jobs-save")
        self._read()

    # ------------------------------------------------------------------ kinds
    def register(self, runner: Runner) -> Runner:
        """Add a kind; its saved jobs come back (unfinished ones as ``interrupted``)."""
        self.runners[runner.kind] = runner
        rest = []
        for body in self._saved_bodies:
            if body.get("kind") != runner.kind:
                rest.append(body)
                continue
            try:
                job = Job(**{k: body[k] for k in Job.SAVED if k in body})
                job.data = runner.load(body.get("data"))
            except (TypeError, ValueError, KeyError):
                continue
            if job.state in ACTIVE:
                job.state, job.message = "interrupted", INTERRUPTED
                job.finished = job.finished or time.time()
                runner.on_interrupted(job)
            self.jobs[job.id] = job
        self._saved_bodies = rest
        return runner

    def runner(self, job: Job) -> Runner:
        return self.runners[job.kind]

    # ------------------------------------------------------------------ API
    def start(self, kind: str, data: Any, idempotency_key: str | None = None, **fields) -> Job:
        """A new job of ``kind`` on ``data`` (one request, one job), started at once.

        The same idempotency key returns the job it started before (a double click); a kind's
        ``conflict`` refuses a duplicate of an active job (409); beyond the kind's cap of running
        jobs the answer is 429."""
        runner = self.runners[kind]
        if idempotency_key:
            for job in self.jobs.values():
                if job.kind == kind and job.idempotency_key == idempotency_key:
                    return job
        job = Job(uuid.uuid4().hex[:12], kind, data, idempotency_key=idempotency_key, **fields)
        for other in self.jobs.values():
            if other.kind == kind and other.active:
                message = runner.conflict(job, other)
                if message:
                    raise EscapeError(409, "job_conflict", message)
        self._check_capacity(runner)
        self.jobs[job.id] = job
        self._launch(job)
        return job

    def _check_capacity(self, runner: Runner) -> None:
        limit = max(1, int(runner.max_running()))
        running = sum(1 for j in self.jobs.values() if j.kind == runner.kind and j.active)
        if running >= limit:
            raise EscapeError(
                429,
                "too_many_jobs",
                f"{running} {runner.kind.split('.')[-1]} jobs are already running on this server "
                f"(at most {limit}); wait for one to finish or cancel one, then retry.",
            )

    def get(self, job_id: str, kinds: tuple[str, ...] | None = None) -> Job:
        job = self.jobs.get(job_id)
        if job is None or (kinds is not None and job.kind not in kinds):
            raise EscapeError(404, "job_not_found", f"No job {job_id!r}.")
        return job

    def summary(self, job: Job) -> dict[str, Any]:
        runner = self.runner(job)
        runner.refresh(job)
        return job.common() | runner.describe(job)

    def detail(self, job: Job) -> dict[str, Any]:
        runner = self.runner(job)
        runner.refresh(job)
        return job.common() | runner.detail(job)

    def list(self, kinds: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
        chosen = [j for j in self.jobs.values() if kinds is None or j.kind in kinds]
        return [self.summary(j) for j in sorted(chosen, key=lambda j: -j.created)]

    def cancel(self, job_id: str, kinds: tuple[str, ...] | None = None) -> Job:
        job = self.get(job_id, kinds)
        task = self._tasks.get(job_id)
        if task and not task.done():
            task.cancel()
        return job

    def retry(self, job_id: str, kinds: tuple[str, ...] | None = None) -> Job:
        job = self.get(job_id, kinds)
        if job.active:
            raise EscapeError(409, "job_running", "This job is still running.")
        runner = self.runner(job)
        if job.state == "done":
            raise EscapeError(409, "job_done", "This job is done; start a new one.")
        self._check_capacity(runner)
        runner.before_retry(job)
        job.state, job.message, job.finished = "queued", None, None
        self._launch(job)
        return job

    async def remove(self, job_id: str, kinds: tuple[str, ...] | None = None) -> None:
        """Forget a job; an unfinished one's leftovers are cleaned (``Runner.on_remove``) before
        this returns."""
        job = self.get(job_id, kinds)
        if job.active:
            raise EscapeError(409, "job_running", "Cancel this job before removing it.")
        self.jobs.pop(job_id, None)
        self.save()
        await self._clean(job)

    async def _clean(self, job: Job) -> None:
        if job.state not in UNFINISHED or job.kind not in self.runners:
            return
        try:
            await self.runner(job).on_remove(job)
        except Exception:  # noqa: BLE001 - a cleanup never keeps a job from going
            log.exception("cleanup of job %s (%s) failed", job.id, job.kind)

    def _clean_later(self, job: Job) -> None:
        """A job dropped by the store itself (beyond ``keep_finished``) is cleaned in a task."""
        if job.state not in UNFINISHED or self._stopping:
            return
        try:
            task = asyncio.get_running_loop().create_task(self._clean(job))
        except RuntimeError:  # not on the loop: nothing can be cleaned from here
            return
        self._cleanups.add(task)
        task.add_done_callback(self._cleanups.discard)

    async def wait(self, job_id: str) -> Job:
        task = self._tasks.get(job_id)
        if task:
            await asyncio.wait({task})
        return self.get(job_id)

    async def shutdown(self) -> None:
        """Server stop: running jobs become ``interrupted``; their partial work stays."""
        self._stopping = True
        if self._trailing is not None:
            self._trailing.cancel()
            self._trailing = None
        tasks = [t for t in self._tasks.values() if not t.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)
        if self._cleanups:
            await asyncio.wait(set(self._cleanups), timeout=30)
        self.save()
        await asyncio.get_running_loop().run_in_executor(None, self.flush)
        self._saver.shutdown(wait=True)

    @property
    def stopping(self) -> bool:
        return self._stopping

    # ------------------------------------------------------------------ running
    def _launch(self, job: Job) -> None:
        task = asyncio.ensure_future(self._run(job))
        task.add_done_callback(lambda _task, job=job: self._settle(job))
        self._tasks[job.id] = task
        self.save()

    def _settle(self, job: Job) -> None:
        """A task cancelled before it first ran never reached ``_run``'s handlers."""
        if job.state not in ACTIVE:
            return
        runner = self.runner(job)
        if self._stopping:
            job.state, job.message = "interrupted", INTERRUPTED
            runner.on_interrupted(job)
        else:
            job.state, job.message = "cancelled", runner.cancelled_message
        job.finished = time.time()
        self.save()

    async def _run(self, job: Job) -> None:
        runner = self.runner(job)
        job.state, job.started, job.transferred = "running", time.time(), 0
        job.samples.clear()
        try:
            await runner.run(job)
            if job.state == "running":
                job.state = "failed" if job.items_failed or job.errors else "done"
        except asyncio.CancelledError:
            if self._stopping:
                job.state, job.message = "interrupted", INTERRUPTED
                runner.on_interrupted(job)
            else:
                job.state, job.message = "cancelled", runner.cancelled_message
        except JobFailed as err:
            job.state, job.message = "failed", err.message
        except EscapeError as err:
            job.state, job.message = "failed", err.message
        except Exception:  # noqa: BLE001 - a job must always end in a state
            log.exception("job %s (%s) failed", job.id, job.kind)
            job.state, job.message = "failed", "Internal error; see the server log."
        finally:
            job.finished = time.time()
            self.save()

    # ------------------------------------------------------------------ persistence
    def _read(self) -> None:
        if self.state_file is None:
            return
        try:
            saved = json.loads(self.state_file.read_text())
        except FileNotFoundError:
            return
        except (OSError, ValueError):
            log.warning("jupyterlab_escape: ignoring unreadable %s", self.state_file)
            return
        self._saved_bodies = [b for b in saved.get("jobs", []) if isinstance(b, dict)]

    def save(self, force: bool = True) -> None:
        """Snapshot plain values now; encoding and writing happen in the saver thread."""
        if self.state_file is None:
            return
        now = time.monotonic()
        if not force and now - self._last_save < SAVE_EVERY:
            self._defer_save(SAVE_EVERY - (now - self._last_save))
            return
        if self._trailing is not None:
            self._trailing.cancel()
            self._trailing = None
        self._last_save = now
        finished = [j for j in self.jobs.values() if j.state in FINISHED]
        excess = len(finished) - self.keep_finished
        for old in sorted(finished, key=lambda j: j.created)[: max(0, excess)]:
            self.jobs.pop(old.id, None)
            self._clean_later(old)
        bodies = [
            {k: getattr(j, k) for k in Job.SAVED} | {"data": self.runner(j).dump(j.data)}
            for j in self.jobs.values()
        ]
        body = {"version": 2, "jobs": bodies + self._saved_bodies}
        self._saver.submit(self._write, body)

    def _defer_save(self, delay: float) -> None:
        """Progress skipped by the throttle is saved once the wait is over (on the loop)."""
        if self._trailing is not None or self._stopping:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not on the loop: the next save on the loop takes it
            return
        self._trailing = loop.call_later(max(0.0, delay), self._save_deferred)

    def _save_deferred(self) -> None:
        self._trailing = None
        if not self._stopping:
            self.save()

    def _write(self, body: dict) -> None:
        assert self.state_file is not None
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
            log.warning("jupyterlab_escape: could not save jobs: %s", err)

    def flush(self) -> None:
        """Wait until every save so far is on disk."""
        self._saver.submit(lambda: None).result()
