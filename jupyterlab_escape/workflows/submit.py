"""Submitting a workflow (kind ``workflows.submit``) on the shared job system: create the workflow
in REANA, upload its inputs, start it.

``prepare.py`` has checked the request before a job exists; the job does what changes REANA. The
browser's idempotency key is the job's: a second request with the same key follows the same job,
never a second workflow, and the job goes on if the browser goes away. ``POST /submit`` streams
the job as NDJSON stage events (validated, created, uploading..., started, or an error envelope),
drawn from the job's state each time the runner says it changed.

After a server restart an unfinished submission is ``interrupted``; ``retry`` resumes it: a
workflow not created yet is created, a created one gets the files it is missing and is started, and
one whose start was under way is asked for its status first so it is never started twice.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import re
import stat
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..datalake.checksums import ChecksumMismatch, Checksums
from ..datalake.transfer import StorageRefused, Transient
from ..http import EscapeError
from ..jobs import Job, JobFailed, JobStore, Runner
from .client import ReanaClient
from .inputs import InputFile
from .lake import LakeFile, LakeInput, LakeInputs, identity_secrets
from .prepare import Preparer

log = logging.getLogger("jupyterlab_escape.workflows")

KIND = "workflows.submit"
CHUNK = 1024 * 1024
PROGRESS_EVERY = 0.25  # seconds between upload progress events
KEY_RE = re.compile(r"[A-Za-z0-9_-]{8,80}")
# stages: validated -> creating -> created -> uploading -> starting -> started


@dataclass
class SubmitState:
    """The job's own state (``job.data``), saved with the job."""

    label: str  # the spec's workspace path, or "<folder>/<cell>"
    name: str  # the workflow name asked for
    body: dict | None  # what POST /workflows gets; dropped once REANA created the workflow
    files: list[InputFile]
    parameters: dict = field(default_factory=dict)
    options: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    wait: bool | None = None  # a %%reana cell's --wait, for the kernel
    stage: str = "validated"
    workflow_id: str | None = None
    workflow_name: str | None = None
    run_number: str | None = None
    status: str | None = None
    uploaded: set[str] = field(default_factory=set)
    error: dict | None = None  # the error envelope the job ended with
    sending: dict[str, int] = field(default_factory=dict)  # bytes in flight (not saved)
    # Data Lake inputs (lake.py): their plan; the Rucio instance; whether the user agreed that
    # their identity is set as REANA secrets (the values are read at run time, never saved).
    lake: list[LakeInput] = field(default_factory=list)
    lake_instance: str | None = None
    lake_secrets: bool = False
    lake_secrets_set: bool = False

    SAVED = (
        "label name body parameters options warnings wait stage workflow_id workflow_name "
        "run_number status error lake_instance lake_secrets lake_secrets_set"
    ).split()

    def dump(self) -> dict:
        return {k: getattr(self, k) for k in self.SAVED} | {
            "files": [[str(f.source), f.name, f.size] for f in self.files],
            "uploaded": sorted(self.uploaded),
            "lake": [i.dump() for i in self.lake],
        }

    @classmethod
    def load(cls, body: dict) -> SubmitState:
        files = [InputFile(Path(s), n, int(z)) for s, n, z in body.get("files") or []]
        fields = {k: body[k] for k in cls.SAVED if k in body}
        lake = [LakeInput.load(i) for i in body.get("lake") or []]
        return cls(files=files, uploaded=set(body.get("uploaded") or []), lake=lake, **fields)

    @property
    def lake_files(self) -> list[LakeFile]:
        return [f for i in self.lake if i.mode == "stream" for f in i.files]

    @property
    def shown_name(self) -> str:
        return self.workflow_name or self.name

    def progress(self) -> tuple[int, int]:
        done = [f.size for f in self.files if f.name in self.uploaded]
        done += [f.bytes for f in self.lake_files if f.path in self.uploaded]
        return len(done), sum(done) + sum(self.sending.values())

    @property
    def items_total(self) -> int:
        return len(self.files) + len(self.lake_files)

    @property
    def bytes_total(self) -> int:
        return sum(f.size for f in self.files) + sum(f.bytes for f in self.lake_files)


def _regular_file(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


async def _file_chunks(path: Path, sent: dict[str, int], name: str) -> AsyncIterator[bytes]:
    loop = asyncio.get_running_loop()
    # Disk reads go to a thread: nothing blocks the event loop.
    handle = await loop.run_in_executor(None, open, path, "rb")
    try:
        while chunk := await loop.run_in_executor(None, handle.read, CHUNK):
            sent[name] = sent.get(name, 0) + len(chunk)
            yield chunk
    finally:
        await loop.run_in_executor(None, handle.close)


class SubmitRunner(Runner):
    kind = KIND
    cancelled_message = "Cancelled before the workflow was started."

    def __init__(
        self,
        client: ReanaClient,
        preparer: Preparer,
        store: JobStore,
        lake: LakeInputs | None = None,
    ):
        self.client = client
        self.preparer = preparer
        self.store = store
        self.lake = lake
        self._watchers: dict[str, set[asyncio.Event]] = {}
        store.register(self)

    def max_running(self) -> int:  # type: ignore[override]
        return self.client.config.submit_max_jobs

    # ------------------------------------------------------------------ starting
    def by_key(self, key: str) -> Job | None:
        return next(
            (j for j in self.store.jobs.values() if j.kind == KIND and j.idempotency_key == key),
            None,
        )

    async def submit(self, body: dict) -> Job:
        """The job of this request: the one its idempotency key already started, or a new one
        once the request is prepared and nothing blocks it (400, 401/403, 502 before any job)."""
        key = body.get("idempotency_key")
        if not isinstance(key, str) or not KEY_RE.fullmatch(key):
            raise EscapeError(400, "bad_request", "idempotency_key must be 8-80 letters/digits.")
        job = self.by_key(key)
        if job is not None:
            return job
        request, prepared, name = await self.preparer.for_submission(body)
        state = SubmitState(
            label=prepared.path,
            name=name,
            body=prepared.body or {},
            files=list(prepared.plan.files),
            parameters=request.parameters or {},
            options=request.options or {},
            # What was left out (hidden entries, the server's own files) is said here.
            warnings=prepared.warnings()[:50],
            wait=request.cell.wait if request.cell else None,
        )
        if prepared.lake:
            state.lake = prepared.lake.inputs
            state.lake_instance = prepared.lake.instance
            state.lake_secrets = prepared.lake.needs_secrets and request.lake_consent
        # Prepared in a thread: a double click may have started the job meanwhile.
        return self.by_key(key) or self.store.start(KIND, state, idempotency_key=key)

    # ------------------------------------------------------------------ the job's JSON
    def refresh(self, job: Job) -> None:
        state: SubmitState = job.data
        job.items_total = state.items_total
        job.bytes_total = state.bytes_total
        job.items_done, job.bytes_done = state.progress()
        if job.state == "cancelled" and state.workflow_id and state.stage != "started":
            job.message = (
                f"Cancelled; {state.shown_name} was created in REANA but not started: retry "
                "uploads what is missing and starts it, or delete it."
            )

    def describe(self, job: Job) -> dict[str, Any]:
        state: SubmitState = job.data
        return {
            "stage": state.stage,
            "spec": state.label,
            "name": state.name,
            "workflow_id": state.workflow_id,
            "workflow_name": state.workflow_name,
            "run_number": state.run_number,
            "status": state.status,
            "warnings": state.warnings,
            "wait": state.wait,
            "files_total": job.items_total,
            "files_done": job.items_done,
            "lake": [i.to_json() | {"instance": state.lake_instance} for i in state.lake],
        }

    def detail(self, job: Job, limit: int = 500) -> dict[str, Any]:
        state: SubmitState = job.data
        files = [
            {"name": f.name, "size": f.size, "uploaded": f.name in state.uploaded}
            for f in state.files[:limit]
        ]
        return self.describe(job) | {"files": files, "files_truncated": len(state.files) > limit}

    def dump(self, data: SubmitState) -> dict:
        return data.dump()

    def load(self, body: dict) -> SubmitState:
        return SubmitState.load(body)

    def before_retry(self, job: Job) -> None:
        job.data.error = None

    def on_interrupted(self, job: Job) -> None:
        state: SubmitState = job.data
        state.sending.clear()
        done, total = len(state.uploaded), len(state.files)
        if not state.workflow_id:
            job.message = "The server stopped before REANA created the workflow: retry submits it."
            if state.stage == "creating":
                job.message += (
                    f" If REANA had created it already, an empty run of {state.name} stays there "
                    "in state created; delete it."
                )
        elif state.stage == "starting":
            job.message = (
                f"The server stopped while starting {state.shown_name}: retry asks REANA for its "
                "status and starts it only if it has not started."
            )
        else:
            job.message = (
                f"The server stopped while uploading the inputs of {state.shown_name} ({done} of "
                f"{total} files sent): retry uploads the rest and starts it."
            )

    # ------------------------------------------------------------------ following
    def _changed(self, job: Job) -> None:
        for event in self._watchers.get(job.id, ()):
            event.set()

    async def follow(self, job: Job) -> AsyncIterator[dict]:
        """The job as stage events, until it ends; each wait is for the runner's signal."""
        changed = asyncio.Event()
        watchers = self._watchers.setdefault(job.id, set())
        watchers.add(changed)
        sent: dict[str, Any] = {}
        try:
            while True:
                changed.clear()
                final = not job.active
                for event in self._events(job, sent, final):
                    yield event
                if final:
                    return
                try:
                    # The timeout only guards against a job that ended without a word.
                    await asyncio.wait_for(changed.wait(), timeout=5.0)
                except asyncio.TimeoutError:
                    pass
        finally:
            watchers.discard(changed)
            if not watchers:
                self._watchers.pop(job.id, None)

    def _events(self, job: Job, sent: dict, final: bool) -> list[dict]:
        state: SubmitState = job.data
        events: list[dict] = []
        if not sent.get("validated"):
            sent["validated"] = True
            validated = {
                "stage": "validated",
                "files_total": state.items_total,
                "bytes_total": state.bytes_total,
                "warnings": state.warnings,
            }
            if state.lake:
                validated["lake"] = [
                    i.to_json() | {"instance": state.lake_instance} for i in state.lake
                ]
            if state.wait is not None:
                validated["wait"] = state.wait
            events.append(validated)
        if state.workflow_id and not sent.get("created"):
            sent["created"] = True
            events.append(
                {
                    "stage": "created",
                    "workflow_id": state.workflow_id,
                    "workflow_name": state.workflow_name,
                }
            )
        progress = state.progress()
        if state.stage in ("uploading", "starting", "started") and sent.get("progress") != progress:
            sent["progress"] = progress
            events.append(
                {
                    "stage": "uploading",
                    "files_done": progress[0],
                    "files_total": state.items_total,
                    "bytes_done": progress[1],
                    "bytes_total": state.bytes_total,
                }
            )
        if final:
            events.append(self._final(job))
        return events

    def _final(self, job: Job) -> dict:
        state: SubmitState = job.data
        if job.state == "done" and state.stage == "started":
            return {
                "stage": "started",
                "workflow_id": state.workflow_id,
                "workflow_name": state.workflow_name,
                "status": state.status,
                "run_number": state.run_number,
            }
        if job.state == "failed" and state.error:
            return state.error
        self.refresh(job)
        code = {"failed": "internal_error"}.get(job.state, f"job_{job.state}")
        message = job.message or f"The submission is {job.state}."
        return EscapeError(500 if job.state == "failed" else 409, code, message).envelope()

    # ------------------------------------------------------------------ the work
    async def run(self, job: Job) -> None:
        state: SubmitState = job.data
        state.error = None
        self._changed(job)
        try:
            await self._run(job, state)
        except EscapeError as error:
            if state.workflow_id:
                error.message = f"{state.shown_name} was created but not started: {error.message}"
            state.error = error.envelope()
            raise JobFailed(error.message) from None
        except JobFailed as failed:
            refusal = EscapeError(409, "reana_not_resumable", failed.message, service="reana")
            state.error = refusal.envelope()
            raise
        finally:
            state.sending.clear()
            self._changed(job)

    async def _run(self, job: Job, state: SubmitState) -> None:
        if not state.workflow_id:
            if state.body is None:
                raise JobFailed("This submission cannot be resumed; submit the workflow again.")
            state.stage = "creating"
            self.store.save()
            created = await self.client.create(state.name, state.body)
            state.workflow_id = created["workflow_id"]
            state.workflow_name = created.get("workflow_name")
            state.body, state.stage = None, "created"
            self.store.save()
            self._changed(job)
        elif state.stage == "starting":
            # The start may have reached REANA before the server stopped: never start twice.
            current = await self.client.status(state.workflow_id)
            if current.get("status") not in (None, "created"):
                self._started(job, state, current.get("name"), current.get("status"), None)
                return
        await self._set_lake_secrets(state)
        await self._upload(job, state)
        await self._stream_lake(job, state)
        state.stage = "starting"
        self.store.save()
        started = await self.client.start(state.workflow_id, state.parameters, state.options)
        name = started.get("workflow_name") or state.workflow_name
        self._started(job, state, name, started.get("status"), started.get("run_number"))

    def _started(self, job: Job, state: SubmitState, name, status, run_number) -> None:
        state.workflow_name = name or state.workflow_name
        full = state.workflow_name or ""
        if run_number is None and "." in full:
            run_number = full.split(".", 1)[1]
        state.stage, state.status = "started", status
        state.run_number = None if run_number is None else str(run_number)
        job.message = f"{full} started in REANA ({status})."

    async def _upload(self, job: Job, state: SubmitState) -> None:
        assert state.workflow_id is not None
        ref = state.workflow_id
        todo = [f for f in state.files if f.name not in state.uploaded]
        loop = asyncio.get_running_loop()
        if state.uploaded:  # a resume: the files must still be the plain files we planned
            gone = await loop.run_in_executor(
                None, lambda: [f.name for f in todo if not _regular_file(f.source)]
            )
            if gone:
                raise JobFailed(
                    f"{state.shown_name} was created but cannot be resumed safely: the input "
                    f"{gone[0]!r} is no longer a plain file in the workspace. Delete the workflow "
                    "in REANA and submit again."
                )
        state.stage = "uploading"
        semaphore = asyncio.Semaphore(max(1, self.client.config.upload_concurrency))
        last = [0.0]

        def report(force: bool = False) -> None:
            now = time.monotonic()
            if force or now - last[0] >= PROGRESS_EVERY:
                last[0] = now
                self._changed(job)
                self.store.save(force=False)

        async def counted(item: InputFile) -> AsyncIterator[bytes]:
            async for chunk in _file_chunks(item.source, state.sending, item.name):
                report()
                yield chunk

        async def one(item: InputFile) -> None:
            async with semaphore:
                if item.size <= CHUNK:
                    content: Any = await loop.run_in_executor(None, item.source.read_bytes)
                    await self.client.upload(ref, item.name, content, len(content))
                else:
                    await self.client.upload(ref, item.name, counted(item), item.size)
                state.sending.pop(item.name, None)
                state.uploaded.add(item.name)
                report()

        report(force=True)
        tasks = [asyncio.ensure_future(one(item)) for item in todo]
        try:
            await asyncio.gather(*tasks)
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        report(force=True)

    # ------------------------------------------------------------------ Data Lake inputs
    def _lake_instance(self, state: SubmitState):
        if self.lake is None:
            raise JobFailed("No Data Lake is configured here any more; submit again.")
        return self.lake.instance(state.lake_instance)

    async def _set_lake_secrets(self, state: SubmitState) -> None:
        """The user's Rucio identity as REANA secrets (mode "lake"), only with their consent
        given in this submission; values are read now, from this server's configuration."""
        if not state.lake_secrets or state.lake_secrets_set:
            return
        instance = self._lake_instance(state)
        secrets = identity_secrets(instance.config)
        body = {
            name: {"type": kind, "value": base64.b64encode(value.encode()).decode()}
            for name, (kind, value) in secrets.items()
        }
        await self.client.add_secrets(body, overwrite=True)
        state.lake_secrets_set = True
        self.store.save()

    async def _stream_lake(self, job: Job, state: SubmitState) -> None:
        """Small DIDs (mode "stream"): each file read from a replica with the user's identity,
        checksummed on the way and uploaded into the workflow's workspace; a file whose bytes do
        not match what Rucio lists is sent again from the next replica, and the workflow is not
        started unless every file matches."""
        todo = [f for f in state.lake_files if f.path not in state.uploaded]
        if not todo:
            return
        assert self.lake is not None and state.workflow_id is not None
        instance = self._lake_instance(state)
        ranked = await self.lake.replicas(instance, todo)
        semaphore = asyncio.Semaphore(max(1, self.client.config.upload_concurrency))

        async def one(item: LakeFile) -> None:
            why = "Rucio lists no readable replica"
            async with semaphore:
                for candidate in ranked.get(item.did) or []:
                    sums, sent = Checksums(), [0]
                    chunks = self.lake.stream(instance, item, candidate.url, sums, sent)
                    try:
                        await self.client.upload(state.workflow_id, item.path, chunks, item.bytes)
                    except (StorageRefused, Transient, OSError) as error:
                        why = f"{candidate.rse}: {error}"
                        continue
                    except EscapeError as error:
                        if error.service == "reana":
                            raise
                        why = f"{candidate.rse}: {error.message}"
                        continue
                    finally:
                        state.sending.pop(item.path, None)
                    try:
                        sums.check(item, sent[0])
                    except ChecksumMismatch as mismatch:
                        why = f"{candidate.rse}: {mismatch}"
                        continue
                    state.uploaded.add(item.path)
                    self._changed(job)
                    return
            raise EscapeError(
                502,
                "rucio_stream_failed",
                f"{item.did} could not be streamed into the workflow's inputs ({why}).",
                service="rucio",
            )

        tasks = [asyncio.ensure_future(one(item)) for item in todo]
        try:
            await asyncio.gather(*tasks)
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        self.store.save()
