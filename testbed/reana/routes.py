"""The REST operations of the REANA STAND-IN: one static method per operation of the official
REANA 0.9 Swagger spec, named ``<method>_<path with {x}>``, answering on the in-memory state.
``server.py`` finds them by that name after checking the request against the spec.
"""

from __future__ import annotations

import base64
import fnmatch
import io
import json
import re
import zipfile

from .simulator import start
from .state import (
    ENGINES,
    SERVER_VERSION,
    USER_EMAIL,
    USER_ID,
    UUID_RE,
    ApiError,
    Reply,
    WorkspaceFile,
    human,
    now,
)


def route_key(spec_path: str) -> str:
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
    parts = clean.split("/")
    if not clean or ".." in parts or "." in parts or "" in parts:
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
        _check_backends(spec)
        workflow = state.create(name, spec)
        workflow.capture["create"] = spec
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
        if w.capture["start"] is None:
            w.capture["start"] = _json_body(body)
        return Reply(start(state, w, _json_body(body), with_run_number=True))

    @staticmethod
    def put_workflows_x_status(state, args, query, body):
        w = state.find(args["workflow_id_or_name"])
        params = _json_body(body)
        action = query["status"]
        if action == "start":
            return Reply(start(state, w, params, with_run_number=False))
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
        w.capture["uploads"].append([query["file_name"], base64.b64encode(body).decode()])
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


SUPPORTED_BACKENDS = ["kubernetes"]  # what /info says


def _check_backends(spec: dict) -> None:
    """reana-server validates compute backends at creation (reana_commons compute_backends)."""
    workflow = spec.get("workflow") or {}
    kind, loaded = workflow.get("type"), workflow.get("specification") or {}
    found = []
    if kind in ("serial", "snakemake") and isinstance(loaded, dict):
        found = [(s.get("name"), s.get("compute_backend")) for s in loaded.get("steps") or []]
    elif kind == "cwl" and isinstance(loaded, dict):
        graph = loaded.get("$graph", [loaded])
        for wf in graph if isinstance(graph, list) else [graph]:
            for step in (wf.get("steps") or []) if isinstance(wf, dict) else []:
                for hint in step.get("hints") or []:
                    if str(hint.get("class", "")).rsplit("/", 1)[-1] == "reana":
                        found.append((step.get("id"), hint.get("compute_backend")))
    for step, backend in found:
        if backend and backend not in SUPPORTED_BACKENDS:
            raise ApiError(
                400,
                f'Compute backend "{backend}" found in step "{step}" is not supported. '
                f'List of supported compute backends: "{", ".join(SUPPORTED_BACKENDS)}"',
            )


class Secrets:
    """reana_server/rest/secrets.py: names and types listed, values never."""

    @staticmethod
    def get(state):
        return Reply([{"name": n, "type": s["type"]} for n, s in sorted(state.secrets.items())])

    @staticmethod
    def post(state, query, body):
        if "overwrite" not in query:
            # REANA: overwrite = json.loads(request.args.get("overwrite")) -> TypeError -> 500
            raise ApiError(500, "the JSON object must be str, bytes or bytearray, not NoneType")
        overwrite = json.loads(query["overwrite"])
        secrets = _json_body(body)
        for name, secret in secrets.items():
            if name in state.secrets and not overwrite:
                raise ApiError(
                    409,
                    f"Operation cancelled. Secret {name} already exists. If you want to change "
                    "it use overwrite",
                )
            if secret.get("type") not in ("env", "file"):
                raise ApiError(500, f"Secret type {secret.get('type')!r} is not supported.")
            try:
                base64.b64decode(secret["value"], validate=True)
            except (KeyError, ValueError, TypeError):
                raise ApiError(500, f"Secret {name} is not base64 encoded.") from None
        for name, secret in secrets.items():
            state.secrets[name] = {"type": secret["type"], "value": secret["value"]}
        return Reply({"message": "Secret(s) successfully added."}, 201)

    @staticmethod
    def delete(state, body):
        names = json.loads(body) if body else []
        missing = [n for n in names if n not in state.secrets]
        if missing:
            return Reply(missing, 404)
        for name in names:
            del state.secrets[name]
        return Reply(names)


Api.get_secrets = staticmethod(lambda state, args, query, body: Secrets.get(state))
Api.post_secrets = staticmethod(lambda state, args, query, body: Secrets.post(state, query, body))
Api.delete_secrets = staticmethod(lambda state, args, query, body: Secrets.delete(state, body))


def _glob_match(name: str, pattern: str) -> bool:
    if pattern.endswith("/"):
        pattern += "**"
    return fnmatch.fnmatchcase(name, pattern) or fnmatch.fnmatchcase(name, pattern + "/*")
