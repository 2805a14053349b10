"""The REANA STAND-IN: a local HTTP server answering the REANA 0.9 REST API a launcher uses.

It is a test double, not REANA: no Kubernetes, no database, state in memory, workflows "run" on a
timer (created -> queued -> running, one job per serial step with growing logs -> finished or
failed; stop; delete; restart as ``name.N.1``) and produce their declared outputs. Every request it
receives and every response it sends is checked against the official Swagger spec read from the
``reana-commons`` distribution (see contract.py); a mismatch answers 500 with the error and logs it,
so tests catch contract drift on either side.

Auth is REANA 0.9's: the ``access_token`` query parameter; none -> 401 "User not signed in", wrong
-> 403 "Token not valid.". ``Authorization: Bearer`` is accepted only when ``bearer=True`` (the
coming OIDC mode), never by default.
"""

from __future__ import annotations

import asyncio
import fnmatch
import io
import json
import logging
import re
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import parse_qs, unquote, urlsplit

import tornado.web

from .contract import Contract, ContractError

log = logging.getLogger("reana-standin")

DEFAULT_TOKEN = "standin-reana-token"
USER_EMAIL = "jane.doe@escape.example"
USER_ID = "00000000-0000-0000-0000-000000000001"
SERVER_VERSION = "0.9.4-standin"
ENGINES = ("serial", "yadage", "cwl", "snakemake")
PUBLIC = {("GET", "/api/ping"), ("GET", "/api/config"), ("GET", "/api/status")}
# signin_required answers these for every protected route, declared in the spec or not.
AUTH_STATUSES = (401, 403)
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", re.I)


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def human(size: int) -> str:
    for unit in ("Bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size} {unit}" if unit == "Bytes" else f"{size:.2f} {unit}".replace(".00", "")
        size /= 1024
    return str(size)


class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Reply:
    body: object
    status: int = 200
    content_type: str = "application/json"
    headers: dict = field(default_factory=dict)


@dataclass
class WorkspaceFile:
    content: bytes
    modified: str = field(default_factory=now)


@dataclass
class Job:
    id: str
    step: str
    cmd: str
    image: str
    status: str = "running"
    logs: str = ""
    started_at: str | None = None
    finished_at: str | None = None


@dataclass
class Workflow:
    id: str
    name: str
    run: str
    spec: dict
    status: str = "created"
    created: str = field(default_factory=now)
    parameters: dict = field(default_factory=dict)
    options: dict = field(default_factory=dict)
    workspace: dict = field(default_factory=dict)
    jobs: list = field(default_factory=list)
    engine_log: list = field(default_factory=list)
    started_at: str | None = None
    finished_at: str | None = None
    stopped_at: str | None = None
    stop_requested: bool = False
    task: object = None

    @property
    def full_name(self) -> str:
        return f"{self.name}.{self.run}"

    @property
    def run_key(self) -> tuple:
        return tuple(int(p) for p in self.run.split("."))

    @property
    def type(self) -> str:
        return self.spec.get("workflow", {}).get("type", "")

    def steps(self) -> list[dict]:
        specification = self.spec.get("workflow", {}).get("specification") or {}
        steps = specification.get("steps") if isinstance(specification, dict) else None
        if self.type == "serial" and steps:
            return steps
        return [{"name": self.type or "engine", "environment": "docker.io/library/busybox"}]

    def progress(self) -> dict:
        def group(status):
            ids = [j.id for j in self.jobs if j.status == status]
            return {"total": len(ids), "job_ids": ids}

        running = [j for j in self.jobs if j.status == "running"]
        return {
            "total": {"total": len(self.steps()), "job_ids": [j.id for j in self.jobs]},
            "running": group("running"),
            "finished": group("finished"),
            "failed": group("failed"),
            "run_started_at": self.started_at,
            "run_finished_at": self.finished_at,
            "run_stopped_at": self.stopped_at,
            "current_command": running[0].cmd if running else None,
            "current_step_name": running[0].step if running else None,
        }

    def logs_json(self, page: int | None = None, size: int | None = None) -> str:
        jobs = self.jobs
        if size:
            start = ((page or 1) - 1) * size
            jobs = jobs[start : start + size]
        return json.dumps(
            {
                "workflow_logs": "".join(self.engine_log),
                "job_logs": {
                    j.id: {
                        "workflow_uuid": self.id,
                        "job_name": j.step,
                        "compute_backend": "Kubernetes",
                        "backend_job_id": f"reana-run-job-{j.id[:8]}",
                        "docker_img": j.image,
                        "cmd": j.cmd,
                        "status": j.status,
                        "logs": j.logs,
                        "started_at": j.started_at,
                        "finished_at": j.finished_at,
                    }
                    for j in jobs
                },
                "engine_specific": None,
            }
        )


@dataclass
class Timing:
    queued: float = 1.0
    step: float = 2.0
    tick: float = 0.25


class State:
    def __init__(
        self, contract: Contract, token: str = DEFAULT_TOKEN, timing: Timing | None = None
    ):
        self.contract = contract
        self.token = token
        self.timing = timing or Timing()
        self.workflows: dict[str, Workflow] = {}
        self.violations: list[str] = []
        self.requests = 0

    # -- lookup ---------------------------------------------------------------------------------
    def live(self) -> list[Workflow]:
        return [w for w in self.workflows.values() if w.status != "deleted"]

    def find(self, id_or_name: str) -> Workflow:
        if id_or_name in self.workflows:
            found = self.workflows[id_or_name]
            if found.status != "deleted":
                return found
        else:
            name, _, run = id_or_name.partition(".")
            runs = [w for w in self.live() if w.name == name and (not run or w.run == run)]
            if runs:
                return max(runs, key=lambda w: w.run_key)
        raise ApiError(
            404, f"REANA_WORKON is set to {id_or_name}, but that workflow does not exist."
        )

    def create(self, name: str, spec: dict) -> Workflow:
        runs = [w.run_key[0] for w in self.workflows.values() if w.name == name]
        workflow = Workflow(str(uuid.uuid4()), name, str(max(runs, default=0) + 1), spec)
        self.workflows[workflow.id] = workflow
        return workflow


class ApiHandler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("GET", "POST", "PUT", "DELETE")

    def initialize(self, state: State, bearer: bool = False):
        self.state = state
        self.bearer = bearer

    def check_xsrf_cookie(self):
        pass

    def set_default_headers(self):
        self.set_header("Server", "reana-standin")

    async def get(self, *_):
        await self.serve()

    async def post(self, *_):
        await self.serve()

    async def put(self, *_):
        await self.serve()

    async def delete(self, *_):
        await self.serve()

    def query(self) -> dict[str, list[str]]:
        raw = urlsplit(self.request.uri).query
        return {k: v for k, v in parse_qs(raw, keep_blank_values=True).items()}

    async def serve(self):
        state = self.state
        state.requests += 1
        path = unquote(self.request.path)
        query = self.query()
        content_type = self.request.headers.get("Content-Type", "")
        op, args, _ = state.contract.match(self.request.method, path)
        if op is not None and (self.request.method, op.path) not in PUBLIC:
            problem = self.auth_problem(query)
            if problem:
                query.pop("access_token", None)
                return self.send(op, Reply({"message": problem[1]}, problem[0]))
        checked = query
        if self.bearer and "access_token" not in query and op is not None:
            # The 0.9 spec requires ?access_token=; the OIDC mode replaces it with the header.
            checked = dict(query, access_token=["(bearer)"])
        try:
            op, args = state.contract.validate_request(
                self.request.method, path, checked, content_type, self.request.body
            )
        except ContractError as error:
            return self.violation(f"stand-in contract violation (request): {error}")
        handler = getattr(Api, f"{op.method.lower()}_{_route_key(op.path)}", None)
        if handler is None:
            return self.violation(f"stand-in does not implement {op.method} {op.path}", 501)
        flat = {k: v[-1] for k, v in query.items()}
        flat["_multi"] = query
        try:
            reply = handler(state, args, flat, self.request.body)
        except ApiError as error:
            reply = Reply({"message": error.message}, error.status)
        self.send(op, reply)

    def auth_problem(self, query) -> tuple[int, str] | None:
        token = (query.get("access_token") or [None])[-1]
        header = self.request.headers.get("Authorization", "")
        if token is None and self.bearer and header.lower().startswith("bearer "):
            token = header[7:].strip()
        if not token:
            return 401, "User not signed in"
        if token != self.state.token:
            return 403, "Token not valid."
        return None

    def send(self, op, reply: Reply):
        if isinstance(reply.body, (bytes, bytearray)):
            body = bytes(reply.body)
        else:
            body = json.dumps(reply.body).encode()
        if not (reply.status in AUTH_STATUSES and "message" in (reply.body or {})):
            try:
                self.state.contract.validate_response(op, reply.status, reply.content_type, body)
            except ContractError as error:
                return self.violation(f"stand-in contract violation (response): {error}")
        self.set_status(reply.status)
        self.set_header("Content-Type", reply.content_type)
        for key, value in reply.headers.items():
            self.set_header(key, value)
        self.finish(body)

    def violation(self, message: str, status: int = 500):
        redacted = re.sub(r"access_token=[^&\s]*", "access_token=REDACTED", message)
        self.state.violations.append(redacted)
        log.error("%s", redacted)
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"message": redacted, "standin_contract_violation": True}))

    def log_exception(self, typ, value, tb):
        log.error("stand-in bug", exc_info=(typ, value, tb))


def _route_key(spec_path: str) -> str:
    key = spec_path.removeprefix("/api/").strip("/")
    key = re.sub(r"\{[^}]+\}", "x", key)
    return re.sub(r"[^a-z0-9]+", "_", key.lower())


def _bool(value, default=False) -> bool:
    return default if value is None else str(value).lower() == "true"


def _json_body(body: bytes) -> dict:
    return json.loads(body) if body else {}


def _page(items: list, query: dict) -> dict:
    total = len(items)
    size = int(query["size"]) if query.get("size") else None
    page = int(query.get("page") or 1)
    if size:
        items = items[(page - 1) * size : page * size]
    return {
        "items": items,
        "total": total,
        "page": page,
        "size": size or total,
        "has_prev": page > 1,
        "has_next": bool(size) and page * size < total,
    }


def _safe_path(name: str) -> str:
    # reana-client 0.9 sends the local path with the cwd cut off: "/code/fit.C".
    clean = name.strip().lstrip("/")
    if not clean or ".." in clean.split("/"):
        raise ApiError(400, f"Path {name} is not allowed.")
    return clean


class Api:
    """One static method per spec operation, named ``<method>_<path with {x}>``."""

    @staticmethod
    def get_ping(state, args, query, body):
        return Reply({"message": "OK", "status": "200"})

    @staticmethod
    def get_config(state, args, query, body):
        return Reply(
            {
                "announcement": "This is a REANA stand-in for tests.",
                "docs_url": "https://docs.reana.io",
                "polling_secs": 15,
                "hide_signup": True,
                "local_users": True,
                "sso": False,
            }
        )

    @staticmethod
    def get_you(state, args, query, body):
        def quota(raw, limit, unit):
            return {
                "usage": {"raw": raw, "human_readable": f"{raw} {unit}"},
                "limit": {"raw": limit, "human_readable": f"{limit} {unit}"},
                "health": "healthy",
            }

        disk = sum(len(f.content) for w in state.live() for f in w.workspace.values())
        return Reply(
            {
                "email": USER_EMAIL,
                "full_name": "Jane Doe",
                "username": "jdoe",
                "reana_server_version": SERVER_VERSION,
                "reana_token": {"value": state.token, "status": "active", "requested_at": None}
                | {"requested_at": "2024-01-01T00:00:00"},
                "quota": {"cpu": quota(0, 0, "ms"), "disk": quota(disk, 0, "Bytes")},
            }
        )

    @staticmethod
    def get_info(state, args, query, body):
        def item(title, value):
            return {"title": title, "value": value}

        return Reply(
            {
                "compute_backends": item("List of supported compute backends", ["kubernetes"]),
                "default_workspace": item("Default workspace", "/var/reana"),
                "workspaces_available": item("List of available workspaces", ["/var/reana"]),
                "default_kubernetes_jobs_timeout": item(
                    "Default timeout for Kubernetes jobs", "604800"
                ),
                "maximum_kubernetes_jobs_timeout": item(
                    "Maximum timeout for Kubernetes jobs", "1209600"
                ),
                "default_kubernetes_memory_limit": item(
                    "Default memory limit for user job containers", "3Gi"
                ),
                "kubernetes_max_memory_limit": item(
                    "Maximum allowed memory limit for user job containers", "4Gi"
                ),
                "maximum_workspace_retention_period": item(
                    "Maximum retention period in days for workspace files", None
                ),
            }
        )

    # -- workflows --------------------------------------------------------------------------
    @staticmethod
    def get_workflows(state, args, query, body):
        kind = query.get("type")
        if kind not in ("batch", "interactive"):
            raise ApiError(400, "type must be batch or interactive")
        workflows = state.live() if kind == "batch" else []
        statuses = [s for v in query["_multi"].get("status", []) for s in v.split(",") if s]
        if statuses:
            pool = state.workflows.values() if "deleted" in statuses else workflows
            workflows = [w for w in pool if w.status in statuses]
        if query.get("search"):
            try:
                names = json.loads(query["search"]).get("name", [])
            except (ValueError, AttributeError):
                raise ApiError(400, "search must be a JSON object") from None
            workflows = [w for w in workflows if all(n in w.full_name for n in names)]
        if query.get("workflow_id_or_name"):
            workflows = [state.find(query["workflow_id_or_name"])]
        order = query.get("sort", "desc")
        workflows = sorted(workflows, key=lambda w: (w.created, w.run_key), reverse=order != "asc")
        items = [
            {
                "id": w.id,
                "name": w.full_name,
                "status": w.status,
                "user": USER_ID,
                "created": w.created,
                "launcher_url": None,
                "progress": w.progress(),
                "size": {
                    "raw": sum(len(f.content) for f in w.workspace.values()),
                    "human_readable": human(sum(len(f.content) for f in w.workspace.values())),
                },
            }
            for w in workflows
        ]
        result = _page(items, query)
        result["user_has_workflows"] = bool(state.live())
        return Reply(result)

    @staticmethod
    def post_workflows(state, args, query, body):
        name = query.get("workflow_name", "")
        if not name or "." in name or UUID_RE.match(name):
            raise ApiError(400, f"Workflow name {name!r} is not valid.")
        spec = _json_body(body)
        engine = (spec.get("workflow") or {}).get("type")
        if engine not in ENGINES:
            raise ApiError(400, f"Workflow type {engine!r} is not supported.")
        workflow = state.create(name, spec)
        return Reply(
            {
                "message": "The workflow has been successfully created.",
                "workflow_id": workflow.id,
                "workflow_name": workflow.full_name,
            },
            201,
        )

    @staticmethod
    def get_workflows_x_status(state, args, query, body):
        w = state.find(args["workflow_id_or_name"])
        return Reply(
            {
                "id": w.id,
                "name": w.full_name,
                "created": w.created,
                "status": w.status,
                "progress": w.progress(),
                "user": USER_ID,
                "logs": w.logs_json(),
            }
        )

    @staticmethod
    def get_workflows_x_logs(state, args, query, body):
        w = state.find(args["workflow_id_or_name"])
        steps = json.loads(body) if body else None
        page = int(query["page"]) if query.get("page") else None
        size = int(query["size"]) if query.get("size") else None
        logs = w.logs_json(page, size)
        if steps:
            parsed = json.loads(logs)
            parsed["job_logs"] = {
                k: v for k, v in parsed["job_logs"].items() if v["job_name"] in steps
            }
            logs = json.dumps(parsed)
        return Reply(
            {"workflow_id": w.id, "workflow_name": w.full_name, "user": USER_ID, "logs": logs}
        )

    @staticmethod
    def get_workflows_x_parameters(state, args, query, body):
        w = state.find(args["workflow_id_or_name"])
        params = (w.spec.get("inputs") or {}).get("parameters") or {}
        return Reply({"id": w.id, "name": w.full_name, "type": w.type, "parameters": params})

    @staticmethod
    def get_workflows_x_specification(state, args, query, body):
        w = state.find(args["workflow_id_or_name"])
        return Reply({"specification": w.spec, "parameters": w.parameters})

    @staticmethod
    def post_workflows_x_start(state, args, query, body):
        w = state.find(args["workflow_id_or_name"])
        return Reply(_start(state, w, _json_body(body), with_run_number=True))

    @staticmethod
    def put_workflows_x_status(state, args, query, body):
        w = state.find(args["workflow_id_or_name"])
        params = _json_body(body)
        action = query["status"]
        if action == "start":
            return Reply(_start(state, w, params, with_run_number=False))
        if action == "stop":
            if w.status not in ("queued", "pending", "running"):
                raise ApiError(409, f"{w.full_name} is {w.status} and cannot be stopped.")
            w.stop_requested = True
            w.status = "stopped"
            w.stopped_at = now()
            for job in w.jobs:
                if job.status == "running":
                    job.status = "stopped"
            w.engine_log.append(f"{w.stopped_at} workflow stopped by user\n")
            message = "Workflow successfully stopped."
        else:
            if params.get("workspace") is False:
                raise ApiError(400, "Parameter workspace=False is not supported.")
            runs = [w]
            if params.get("all_runs"):
                runs = [x for x in state.live() if x.name == w.name]
            busy = [x.full_name for x in runs if x.status in ("queued", "pending", "running")]
            if busy:
                raise ApiError(409, f"Workflow {busy[0]} cannot be deleted while running.")
            for run in runs:
                run.status = "deleted"
                run.workspace.clear()
            message = "Workflow successfully deleted."
        return Reply(
            {
                "message": message,
                "workflow_id": w.id,
                "workflow_name": w.full_name,
                "status": w.status,
                "user": USER_ID,
            }
        )

    # -- workspace ----------------------------------------------------------------------------
    @staticmethod
    def post_workflows_x_workspace(state, args, query, body):
        w = state.find(args["workflow_id_or_name"])
        name = _safe_path(query["file_name"])
        w.workspace[name] = WorkspaceFile(body)
        return Reply({"message": f"{name} has been successfully uploaded."})

    @staticmethod
    def get_workflows_x_workspace(state, args, query, body):
        w = state.find(args["workflow_id_or_name"])
        pattern = query.get("file_name")
        files = sorted(w.workspace.items())
        if pattern:
            files = [(n, f) for n, f in files if _glob_match(n, pattern)]
        if query.get("search"):
            try:
                search = json.loads(query["search"])
            except ValueError:
                raise ApiError(400, "search must be JSON") from None
            for needle in search.get("name", []):
                files = [(n, f) for n, f in files if needle in n]
        items = [
            {
                "name": n,
                "last-modified": f.modified,
                "size": {"raw": len(f.content), "human_readable": human(len(f.content))},
            }
            for n, f in files
        ]
        return Reply(_page(items, query))

    @staticmethod
    def get_workflows_x_workspace_x(state, args, query, body):
        w = state.find(args["workflow_id_or_name"])
        path = args["file_name"].rstrip("/")
        if path in w.workspace:
            base = path.rsplit("/", 1)[-1]
            return Reply(
                w.workspace[path].content,
                content_type="application/octet-stream",
                headers={"Content-Disposition": f"attachment; filename={base}"},
            )
        members = [
            n for n in sorted(w.workspace) if n.startswith(path + "/") or _glob_match(n, path)
        ]
        if not members:
            raise ApiError(404, f"{path} does not exist.")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for member in members:
                archive.writestr(member, w.workspace[member].content)
        base = re.sub(r"[^\w.-]+", "_", path.rsplit("/", 1)[-1]) or "files"
        return Reply(
            buffer.getvalue(),
            content_type="application/zip",
            headers={"Content-Disposition": f"attachment; filename={base}.zip"},
        )

    @staticmethod
    def delete_workflows_x_workspace_x(state, args, query, body):
        w = state.find(args["workflow_id_or_name"])
        path = args["file_name"].rstrip("/")
        doomed = [
            n
            for n in sorted(w.workspace)
            if n == path or n.startswith(path + "/") or _glob_match(n, path)
        ]
        deleted = {n: {"size": len(w.workspace.pop(n).content)} for n in doomed}
        if not deleted:
            raise ApiError(404, f"{path} does not exist.")
        return Reply({"deleted": deleted, "failed": {}})


def _glob_match(name: str, pattern: str) -> bool:
    if pattern.endswith("/"):
        pattern += "**"
    return fnmatch.fnmatchcase(name, pattern) or fnmatch.fnmatchcase(name, pattern + "/*")


def _start(state: State, w: Workflow, params: dict, with_run_number: bool) -> dict:
    restart = bool(params.get("restart"))
    declared = (w.spec.get("inputs") or {}).get("parameters") or {}
    for key in params.get("input_parameters") or {}:
        if key not in declared:
            raise ApiError(400, f'Input parameter "{key}" is not present in reana.yaml')
    if restart:
        if w.status not in ("finished", "failed", "stopped"):
            raise ApiError(409, f"Cannot restart workflow {w.full_name}: it is {w.status}.")
        major = w.run.split(".")[0]
        minors = [
            x.run_key[1]
            for x in state.workflows.values()
            if x.name == w.name and len(x.run_key) == 2 and x.run_key[0] == int(major)
        ]
        spec = params.get("reana_specification") or w.spec
        new = Workflow(str(uuid.uuid4()), w.name, f"{major}.{max(minors, default=0) + 1}", spec)
        new.workspace = {k: WorkspaceFile(f.content, f.modified) for k, f in w.workspace.items()}
        state.workflows[new.id] = new
        w = new
    elif w.status != "created":
        raise ApiError(
            403, f"Workflow {w.id} could not be started because it is already {w.status}."
        )
    w.parameters = dict(declared, **(params.get("input_parameters") or {}))
    w.options = params.get("operational_options") or {}
    w.status = "queued"
    w.engine_log.append(f"{now()} workflow {w.full_name} queued\n")
    w.task = asyncio.get_event_loop().create_task(_run(state, w))
    reply = {
        "message": "Workflow submitted.",
        "workflow_id": w.id,
        "workflow_name": w.full_name,
        "status": "queued",
        "user": USER_ID,
    }
    if with_run_number:
        reply["run_number"] = w.run
    return reply


async def _run(state: State, w: Workflow) -> None:
    """Simulate the engine: one job per step; a command with ``exit 1`` fails its step."""
    timing = state.timing
    await asyncio.sleep(timing.queued)
    if w.stop_requested or w.status == "deleted":
        return
    w.status = "running"
    w.started_at = now()
    w.engine_log.append(f"{w.started_at} workflow {w.full_name} started ({w.type})\n")
    for index, step in enumerate(w.steps()):
        commands = step.get("commands") or [f"run {w.type} engine"]
        cmd = " && ".join(str(c) for c in commands)
        job = Job(
            str(uuid.uuid4()),
            step.get("name") or f"step{index}",
            cmd,
            step.get("environment", "docker.io/library/busybox"),
        )
        job.started_at = now()
        w.jobs.append(job)
        w.engine_log.append(f"{job.started_at} running step {job.step}\n")
        ticks = max(1, int(timing.step / timing.tick))
        for tick in range(ticks):
            await asyncio.sleep(timing.tick)
            if w.stop_requested or w.status == "deleted":
                return
            job.logs += f"[{now()}] {job.step}: {cmd} ({tick + 1}/{ticks})\n"
        job.finished_at = now()
        if re.search(r"\bexit\s+[1-9]", cmd):
            job.status = "failed"
            job.logs += f"[{job.finished_at}] {job.step}: command exited with status 1\n"
            w.status = "failed"
            w.finished_at = job.finished_at
            w.engine_log.append(f"{w.finished_at} step {job.step} failed; workflow failed\n")
            return
        job.status = "finished"
    outputs = w.spec.get("outputs") or {}
    for path in outputs.get("files") or []:
        text = f"output {path} of {w.full_name} (REANA stand-in)\n"
        if path.endswith(".json"):  # viewers of .json files expect JSON
            text = json.dumps({"output": path, "workflow": w.full_name, "standin": True})
        w.workspace[path] = WorkspaceFile(text.encode())
    for folder in outputs.get("directories") or []:
        w.workspace[f"{folder.rstrip('/')}/result.txt"] = WorkspaceFile(
            f"output in {folder} of {w.full_name} (REANA stand-in)\n".encode()
        )
    w.status = "finished"
    w.finished_at = now()
    w.engine_log.append(f"{w.finished_at} workflow {w.full_name} finished\n")


class StatsHandler(tornado.web.RequestHandler):
    """Stand-in only (outside /api): what reached it and every contract violation seen."""

    def initialize(self, state: State):
        self.state = state

    def get(self):
        self.finish(
            {
                "standin": "reana",
                "spec_version": self.state.contract.version,
                "spec_source": self.state.contract.source,
                "requests": self.state.requests,
                "workflows": len(self.state.workflows),
                "violations": self.state.violations,
                "time": time.time(),
            }
        )


def make_app(
    contract: Contract | None = None,
    token: str = DEFAULT_TOKEN,
    timing: Timing | None = None,
    bearer: bool = False,
) -> tornado.web.Application:
    state = State(contract or Contract.from_dist(), token, timing)
    app = tornado.web.Application(
        [
            (r"/_standin/stats", StatsHandler, {"state": state}),
            (r"/api/.*", ApiHandler, {"state": state, "bearer": bearer}),
        ]
    )
    app.standin_state = state
    return app
