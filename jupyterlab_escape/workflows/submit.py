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
import logging
import re
from collections.abc import AsyncIterator
from typing import Any

from ..http import EscapeError
from ..jobs import Job, JobFailed, JobStore, Runner
from .client import ReanaClient
from .lake import LakeInputs
from .prepare import Preparer
from .staging import InputStaging
from .submit_state import SubmitState

log = logging.getLogger("jupyterlab_escape.workflows")

KIND = "workflows.submit"
KEY_RE = re.compile(r"[A-Za-z0-9_-]{8,80}")
# stages: validated -> creating -> created -> uploading -> starting -> started


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
        self.staging = InputStaging(client, store, lake, self._changed)
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
        await self.staging.set_lake_secrets(state)
        await self.staging.upload(job, state)
        await self.staging.stream_lake(job, state)
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
