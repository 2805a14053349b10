"""Routes of the workflows slice under /escape/workflows: thin handlers (parse, call, write)."""

from __future__ import annotations

import asyncio
import json
import re

import tornado.iostream
import tornado.web

from ..handler import EscapeHandler, job_routes
from ..http import EscapeError
from . import secrets
from .client import check_workflow_ref
from .prepare import mapping_arg
from .submit import KIND, SubmitRunner
from .workflows import Workflows, full_log_text, log_delta

STATUSES = ("created", "queued", "pending", "running", "finished", "failed", "stopped", "deleted")


class WorkflowsBase(EscapeHandler):
    """The app's one Workflows and submission runner (built in ``app.py``)."""

    @property
    def workflows(self) -> Workflows:
        return self.extensionapp.workflows

    @property
    def submissions(self) -> SubmitRunner:
        return self.extensionapp.submissions

    async def write_json_off_loop(self, payload) -> None:
        """An answer whose size the user decides (a spec, its inputs), encoded in a thread."""
        text = await asyncio.get_running_loop().run_in_executor(None, json.dumps, payload)
        self.set_header("Content-Type", "application/json")
        self.finish(text)

    def body(self) -> dict:
        return self.json_body()


class CapabilitiesHandler(WorkflowsBase):
    @tornado.web.authenticated
    async def get(self) -> None:
        fresh = self.flag_arg("fresh")
        self.write_json(await self.workflows.capabilities(fresh=fresh))


class ValidateHandler(WorkflowsBase):
    @tornado.web.authenticated
    async def post(self) -> None:
        prepared = await self.submissions.preparer.validate(self.body())
        await self.write_json_off_loop(prepared.to_json())


class SubmitHandler(WorkflowsBase):
    """NDJSON: one line per stage (validated, created, uploading..., started) or an error."""

    @tornado.web.authenticated
    async def post(self) -> None:
        job = await self.submissions.submit(self.body())
        self.set_header("Content-Type", "application/x-ndjson")
        self.set_header("Cache-Control", "no-cache")
        async for event in self.submissions.follow(job):
            self.write(json.dumps(event) + "\n")
            try:
                await self.flush()
            except tornado.iostream.StreamClosedError:
                return  # the job goes on; the browser can follow it again with the same key
        self.finish()


class WorkflowsHandler(WorkflowsBase):
    @tornado.web.authenticated
    async def get(self) -> None:
        statuses = [s for s in self.get_query_argument("status", "").split(",") if s]
        bad = [s for s in statuses if s not in STATUSES]
        if bad:
            raise EscapeError(400, "bad_request", f"Unknown status {bad[0]!r}.")
        search = self.get_query_argument("search", "").strip()
        page = self.int_arg("page", 1, hi=100000)
        size = self.int_arg("size", 50, hi=200)
        self.write_json(await self.workflows.list(search, statuses, page, size))


class WorkflowHandler(WorkflowsBase):
    @tornado.web.authenticated
    async def get(self, ref: str) -> None:
        self.write_json(await self.workflows.get(ref))

    @tornado.web.authenticated
    async def delete(self, ref: str) -> None:
        all_runs = self.flag_arg("all_runs")
        self.write_json(await self.workflows.delete(check_workflow_ref(ref), all_runs))


class StopHandler(WorkflowsBase):
    @tornado.web.authenticated
    async def post(self, ref: str) -> None:
        self.write_json(await self.workflows.stop(ref))


class RestartHandler(WorkflowsBase):
    @tornado.web.authenticated
    async def post(self, ref: str) -> None:
        body = self.body()
        parameters = mapping_arg(body.get("parameters"), "parameters")
        parameters = {k: v for k, v in parameters.items() if v not in (None, "")}
        options = mapping_arg(body.get("options"), "options")
        self.write_json(await self.workflows.restart(ref, parameters, options))


class SpecificationHandler(WorkflowsBase):
    @tornado.web.authenticated
    async def get(self, ref: str) -> None:
        self.write_json(await self.workflows.outputs(ref))


class LogsHandler(WorkflowsBase):
    @tornado.web.authenticated
    async def get(self, ref: str) -> None:
        logs = await self.workflows.client.logs(check_workflow_ref(ref))
        self.write_json(log_delta(logs, self.get_query_argument("cursor", None)))


class LogsDownloadHandler(WorkflowsBase):
    @tornado.web.authenticated
    async def get(self, ref: str) -> None:
        workflow = await self.workflows.get(ref)
        logs = await self.workflows.client.logs(ref)
        name = re.sub(r"[^\w.-]+", "_", workflow["full_name"] or "workflow")
        self.set_header("Content-Disposition", f'attachment; filename="{name}.log"')
        # APIHandler.finish relabels the body JSON unless told its type.
        text = full_log_text(workflow["full_name"], logs)
        self.finish(text, set_content_type="text/plain; charset=utf-8")


class FilesHandler(WorkflowsBase):
    @tornado.web.authenticated
    async def get(self, ref: str) -> None:
        page = self.int_arg("page", 1, hi=100000)
        size = self.int_arg("size", 100, hi=1000)
        pattern = self.get_query_argument("pattern", None) or None
        self.write_json(await self.workflows.files(ref, page, size, pattern))


class OutputsDownloadHandler(WorkflowsBase):
    @tornado.web.authenticated
    async def post(self, ref: str) -> None:
        body = self.body()
        dest = body.get("dest")
        if dest is not None and not isinstance(dest, str):
            raise EscapeError(400, "bad_request", "dest is a folder path inside the workspace.")
        paths = body.get("paths")
        if paths is not None and not (
            isinstance(paths, list) and all(isinstance(p, str) and p for p in paths)
        ):
            raise EscapeError(400, "bad_request", "paths is a list of workspace paths.")
        result = await self.workflows.download_outputs(check_workflow_ref(ref), dest, paths)
        await self.write_json_off_loop(result)


class OutputsToLakeHandler(WorkflowsBase):
    """GET: what "Upload outputs to the Data Lake" proposes (dataset name, metadata, outputs);
    POST {scope, rse, dataset?, lifetime?, idempotency_key?}: the outputs into a new dataset on
    the upload job (202, followed on /escape/datalake/jobs)."""

    @tornado.web.authenticated
    async def get(self, ref: str) -> None:
        self.write_json(await self.extensionapp.outputs_to_lake.describe(ref))

    @tornado.web.authenticated
    async def post(self, ref: str) -> None:
        instance = self.get_argument("instance", None)
        job = await self.extensionapp.outputs_to_lake.start(ref, self.body(), instance)
        self.write_json(self.extensionapp.jobs.summary(job), status=202)


_REF = r"(?P<ref>[^/]+)"


class SecretsHandler(WorkflowsBase):
    """The user's REANA secrets: GET lists names and types, POST adds, DELETE ?name= removes."""

    @tornado.web.authenticated
    async def get(self) -> None:
        self.write_json(await secrets.list_secrets(self.workflows.client))

    @tornado.web.authenticated
    async def post(self) -> None:
        self.write_json(await secrets.add_secret(self.workflows.client, self.body()), status=201)

    @tornado.web.authenticated
    async def delete(self) -> None:
        name = self.get_query_argument("name", "")
        self.write_json(await secrets.delete_secret(self.workflows.client, name))


_PATHS = [
    (r"capabilities", CapabilitiesHandler),
    (r"validate", ValidateHandler),
    (r"submit", SubmitHandler),
    (r"workflows", WorkflowsHandler),
    (rf"workflows/{_REF}", WorkflowHandler),
    (rf"workflows/{_REF}/stop", StopHandler),
    (rf"workflows/{_REF}/restart", RestartHandler),
    (rf"workflows/{_REF}/specification", SpecificationHandler),
    (rf"workflows/{_REF}/logs", LogsHandler),
    (rf"workflows/{_REF}/logs/download", LogsDownloadHandler),
    (rf"workflows/{_REF}/files", FilesHandler),
    (rf"workflows/{_REF}/outputs", OutputsDownloadHandler),
    (rf"workflows/{_REF}/outputs/lake", OutputsToLakeHandler),
]
routes = [(f"/escape/workflows/{path}", handler) for path, handler in _PATHS]
routes += job_routes("workflows", KIND)
routes.append(("/escape/workflows/secrets", SecretsHandler))
