"""Routes of the workflow launcher under /escape/reana: thin handlers (parse, call, write)."""

from __future__ import annotations

import asyncio
import json
import re
from functools import partial
from pathlib import Path

import tornado.iostream
import tornado.web

from ..handler import EscapeHandler
from ..http import EscapeError
from .client import check_workflow_ref
from .submit import Submissions, check_name, prepare, prepare_text
from .workflows import Workflows, full_log_text, log_delta

STATUSES = ("created", "queued", "pending", "running", "finished", "failed", "stopped", "deleted")


class ReanaHandler(EscapeHandler):
    """The app's one Workflows and Submissions (built in ``app.py``)."""

    @property
    def workflows(self) -> Workflows:
        return self.extensionapp.workflows

    @property
    def submissions(self) -> Submissions:
        return self.extensionapp.submissions

    @property
    def protected(self) -> tuple[Path, ...]:
        return self.extensionapp.protected

    async def write_json_off_loop(self, payload) -> None:
        """An answer whose size the user decides (a spec, its inputs), encoded in a thread."""
        text = await asyncio.get_running_loop().run_in_executor(None, json.dumps, payload)
        self.set_header("Content-Type", "application/json")
        self.finish(text)

    def body(self) -> dict:
        try:
            body = json.loads(self.request.body or b"{}")
        except ValueError:
            raise EscapeError(400, "bad_request", "Send a JSON object.") from None
        if not isinstance(body, dict):
            raise EscapeError(400, "bad_request", "Send a JSON object.")
        return body

    def int_arg(self, name: str, default: int, lo: int = 1, hi: int = 1000) -> int:
        try:
            value = int(self.get_query_argument(name, str(default)))
        except ValueError:
            raise EscapeError(400, "bad_request", f"{name} must be a number.") from None
        return max(lo, min(hi, value))

    async def prepare_spec(self, body: dict, capabilities, parameters, options):
        """Parse, check and walk the inputs in a thread: a big input tree never blocks the loop.

        The spec is a file (``path``) or a notebook cell's text (``spec_text``, with ``base``, the
        notebook's folder, and ``line_offset``, the cell lines before the YAML).
        """
        loop = asyncio.get_running_loop()
        text = body.get("spec_text")
        if text is not None:
            base, offset = body.get("base", ""), body.get("line_offset", 0)
            cwd = body.get("cwd")
            if not isinstance(text, str) or not isinstance(base, str):
                raise EscapeError(400, "bad_request", "spec_text and base must be strings.")
            if cwd is not None and not isinstance(cwd, str):
                raise EscapeError(400, "bad_request", "cwd must be the kernel's absolute folder.")
            if not isinstance(offset, int) or not 0 <= offset < 10_000:
                raise EscapeError(400, "bad_request", "line_offset must be a small number.")
            work = partial(
                prepare_text,
                self.workspace,
                base,
                text,
                offset,
                capabilities,
                parameters,
                options,
                self.protected,
                cwd,
            )
            return await loop.run_in_executor(None, work)
        path = body.get("path")
        if not isinstance(path, str) or not path:
            raise EscapeError(
                400, "bad_request", "Send path (a reana.yaml in the workspace) or spec_text."
            )
        work = partial(
            prepare, self.workspace, path, capabilities, parameters, options, self.protected
        )
        return await loop.run_in_executor(None, work)

    async def optional_capabilities(self) -> dict | None:
        if not self.services.reana.configured:
            return None
        try:
            return await self.workflows.capabilities()
        except EscapeError:
            return None  # checked again upstream on submit


def _mapping(value, what: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise EscapeError(400, "bad_request", f"{what} must be an object of names to values.")
    return value


class CapabilitiesHandler(ReanaHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        fresh = self.get_query_argument("fresh", "0") in ("1", "true")
        self.write_json(await self.workflows.capabilities(fresh=fresh))


class ValidateHandler(ReanaHandler):
    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.body()
        parameters = _mapping(body.get("parameters"), "parameters")
        options = _mapping(body.get("options"), "options")
        capabilities = await self.optional_capabilities()
        prepared = await self.prepare_spec(body, capabilities, parameters, options)
        await self.write_json_off_loop(prepared.to_json())


class SubmitHandler(ReanaHandler):
    """NDJSON: one line per stage (validated, created, uploading..., started) or an error."""

    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.body()
        key = body.get("idempotency_key")
        if not isinstance(key, str) or not re.fullmatch(r"[A-Za-z0-9_-]{8,80}", key):
            raise EscapeError(400, "bad_request", "idempotency_key must be 8-80 letters/digits.")
        job = self.submissions.jobs.get(key)
        if job is None:
            parameters = _mapping(body.get("parameters"), "parameters")
            options = _mapping(body.get("options"), "options")
            parameters = {k: v for k, v in parameters.items() if v not in (None, "")}
            capabilities = await self.optional_capabilities()
            prepared = await self.prepare_spec(body, capabilities, parameters, options)
            name = check_name(str(body.get("name") or prepared.default_name))
            if not prepared.valid:
                first = next(i for i in prepared.issues if i.severity == "error")
                where = f" (line {first.line})" if first.line else ""
                raise EscapeError(
                    400,
                    "reana_invalid_spec",
                    f"{prepared.path} cannot be submitted: {first.where} {first.message}{where}.",
                    service="reana",
                )
            # Fail before the job if REANA is unreachable or the token is refused.
            await self.workflows.capabilities()
            job, _ = self.submissions.submit(key, prepared, name, parameters, options)
        self.set_header("Content-Type", "application/x-ndjson")
        self.set_header("Cache-Control", "no-cache")
        async for event in job.follow():
            self.write(json.dumps(event) + "\n")
            try:
                await self.flush()
            except tornado.iostream.StreamClosedError:
                return  # the job goes on; the browser can follow it again with the same key
        self.finish()


class WorkflowsHandler(ReanaHandler):
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


class WorkflowHandler(ReanaHandler):
    @tornado.web.authenticated
    async def get(self, ref: str) -> None:
        self.write_json(await self.workflows.get(ref))

    @tornado.web.authenticated
    async def delete(self, ref: str) -> None:
        all_runs = self.get_query_argument("all_runs", "0") in ("1", "true")
        self.write_json(await self.workflows.delete(check_workflow_ref(ref), all_runs))


class StopHandler(ReanaHandler):
    @tornado.web.authenticated
    async def post(self, ref: str) -> None:
        self.write_json(await self.workflows.stop(ref))


class RestartHandler(ReanaHandler):
    @tornado.web.authenticated
    async def post(self, ref: str) -> None:
        body = self.body()
        parameters = _mapping(body.get("parameters"), "parameters")
        parameters = {k: v for k, v in parameters.items() if v not in (None, "")}
        options = _mapping(body.get("options"), "options")
        self.write_json(await self.workflows.restart(ref, parameters, options))


class SpecificationHandler(ReanaHandler):
    @tornado.web.authenticated
    async def get(self, ref: str) -> None:
        self.write_json(await self.workflows.outputs(ref))


class LogsHandler(ReanaHandler):
    @tornado.web.authenticated
    async def get(self, ref: str) -> None:
        logs = await self.workflows.client.logs(check_workflow_ref(ref))
        self.write_json(log_delta(logs, self.get_query_argument("cursor", None)))


class LogsDownloadHandler(ReanaHandler):
    @tornado.web.authenticated
    async def get(self, ref: str) -> None:
        workflow = await self.workflows.get(ref)
        logs = await self.workflows.client.logs(ref)
        name = re.sub(r"[^\w.-]+", "_", workflow["full_name"] or "workflow")
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Content-Disposition", f'attachment; filename="{name}.log"')
        self.finish(full_log_text(workflow["full_name"], logs))


class FilesHandler(ReanaHandler):
    @tornado.web.authenticated
    async def get(self, ref: str) -> None:
        page = self.int_arg("page", 1, hi=100000)
        size = self.int_arg("size", 100, hi=1000)
        pattern = self.get_query_argument("pattern", None) or None
        self.write_json(await self.workflows.files(ref, page, size, pattern))


class OutputsDownloadHandler(ReanaHandler):
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


_REF = r"(?P<ref>[^/]+)"
routes = [
    (r"/escape/reana/capabilities", CapabilitiesHandler),
    (r"/escape/reana/validate", ValidateHandler),
    (r"/escape/reana/submit", SubmitHandler),
    (r"/escape/reana/workflows", WorkflowsHandler),
    (rf"/escape/reana/workflows/{_REF}", WorkflowHandler),
    (rf"/escape/reana/workflows/{_REF}/stop", StopHandler),
    (rf"/escape/reana/workflows/{_REF}/restart", RestartHandler),
    (rf"/escape/reana/workflows/{_REF}/specification", SpecificationHandler),
    (rf"/escape/reana/workflows/{_REF}/logs", LogsHandler),
    (rf"/escape/reana/workflows/{_REF}/logs/download", LogsDownloadHandler),
    (rf"/escape/reana/workflows/{_REF}/files", FilesHandler),
    (rf"/escape/reana/workflows/{_REF}/outputs", OutputsDownloadHandler),
]
