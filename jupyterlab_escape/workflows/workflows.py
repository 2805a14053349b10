"""Following workflows: list and status in one shape, incremental logs, outputs into the workspace.

REANA names runs ``<name>.<run>`` with a run of ``N`` or ``N.M`` (restarts); the name is split on
the first dot, since REANA forbids dots in names. Times come without a zone and are UTC: they are
passed on with a ``Z`` so the browser does not read them as local time.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from pathlib import Path
from typing import Any

from ..http import EscapeError
from ..workspace import Workspace, extract_zip, open_new, place
from .checks import typed_parameter
from .client import ACTIVE, ReanaClient, check_workflow_ref

CAPABILITY_TTL = 300.0


def utc(value: Any) -> str | None:
    if not value or not isinstance(value, str):
        return None
    return value if value.endswith("Z") or "+" in value[10:] else f"{value}Z"


def split_name(full: str) -> tuple[str, str]:
    name, _, run = (full or "").partition(".")
    return name, run


def _count(progress: dict, key: str) -> int:
    value = progress.get(key) or {}
    return int(value.get("total") or 0) if isinstance(value, dict) else 0


def normalize(item: dict) -> dict:
    """One workflow as the browser sees it, from a list item or a status answer."""
    progress = item.get("progress") or {}
    name, run = split_name(item.get("name", ""))
    return {
        "id": item.get("id"),
        "name": name,
        "run_number": run,
        "full_name": item.get("name"),
        "status": item.get("status"),
        "created": utc(item.get("created")),
        "started": utc(progress.get("run_started_at")),
        "finished": utc(progress.get("run_finished_at") or progress.get("run_stopped_at")),
        "progress": {
            "total": _count(progress, "total"),
            "finished": _count(progress, "finished"),
            "running": _count(progress, "running"),
            "failed": _count(progress, "failed"),
            "current_step": progress.get("current_step_name"),
            "current_command": progress.get("current_command"),
        },
        "size": (item.get("size") or {}).get("human_readable"),
    }


# -- logs, incrementally ------------------------------------------------------------------------


def _decode_cursor(cursor: str | None) -> dict:
    if not cursor:
        return {}
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
        return value if isinstance(value, dict) else {}
    except (ValueError, TypeError):
        raise EscapeError(
            400, "bad_request", "The log cursor is not one this server gave."
        ) from None


def _encode_cursor(value: dict) -> str:
    raw = json.dumps(value, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def log_delta(logs: dict, cursor: str | None) -> dict:
    """What was appended to the engine log and each job log since ``cursor``."""
    seen = _decode_cursor(cursor)
    engine = logs.get("workflow_logs") or ""
    engine = engine if isinstance(engine, str) else json.dumps(engine)
    done = seen.get("w", 0)
    reset = done > len(engine)
    if reset:
        seen, done = {}, 0
    jobs_seen = seen.get("j") or {}
    jobs = []
    job_logs = logs.get("job_logs") or {}
    for job_id, job in job_logs.items() if isinstance(job_logs, dict) else []:
        text = job.get("logs") or ""
        offset = int(jobs_seen.get(job_id, 0))
        if offset > len(text):
            offset = 0
        jobs.append(
            {
                "id": job_id,
                "name": job.get("job_name"),
                "status": job.get("status"),
                "image": job.get("docker_img"),
                "command": job.get("cmd"),
                "started": utc(job.get("started_at")),
                "finished": utc(job.get("finished_at")),
                "append": text[offset:],
            }
        )
        jobs_seen[job_id] = len(text)
    return {
        "reset": reset or not cursor,
        "workflow_append": engine[done:],
        "jobs": jobs,
        "cursor": _encode_cursor({"w": len(engine), "j": jobs_seen}),
    }


def full_log_text(name: str, logs: dict) -> str:
    parts = [f"# REANA workflow {name}: engine log\n", str(logs.get("workflow_logs") or "")]
    job_logs = logs.get("job_logs") or {}
    for job_id, job in job_logs.items() if isinstance(job_logs, dict) else []:
        parts.append(
            f"\n# job {job.get('job_name')} ({job_id}), {job.get('status')}\n"
            f"# image {job.get('docker_img')}\n# $ {job.get('cmd')}\n"
        )
        parts.append(str(job.get("logs") or ""))
    return "".join(parts)


# -- the slice's state --------------------------------------------------------------------------


class Workflows:
    def __init__(self, client: ReanaClient, workspace: Workspace | str | Path):
        self.client = client
        if not isinstance(workspace, Workspace):
            workspace = Workspace(Path(workspace))
        self.workspace = workspace
        self._capabilities: tuple[float, dict] | None = None

    async def capabilities(self, fresh: bool = False) -> dict:
        """What the configured REANA can do, from /api/ping, /api/info and /api/config."""
        cached = self._capabilities
        if cached and not fresh and time.monotonic() - cached[0] < CAPABILITY_TTL:
            return cached[1]
        ping, info, config = await asyncio.gather(
            self.client.api_ping(), self.client.info(), self.client.server_config()
        )

        def value(key):
            entry = info.get(key)
            return entry.get("value") if isinstance(entry, dict) else None

        result = {
            "server_version": ping.get("reana_server_version"),
            "api_capabilities": ping.get("api_capabilities") or [],
            "compute_backends": value("compute_backends") or [],
            "workspaces_available": value("workspaces_available") or [],
            "default_workspace": value("default_workspace"),
            "polling_secs": config.get("polling_secs") or 15,
            "ui_url": self.client.config.ui_url or None,
            "outputs_dir": self.client.config.outputs_dir,
            # The 0.95 bundle protocol is detected but the 0.9 JSON protocol is what we speak.
            "bundles": "workflow-specification-bundles-v1" in (ping.get("api_capabilities") or []),
        }
        self._capabilities = (time.monotonic(), result)
        return result

    async def list(self, search: str, statuses: list[str], page: int, size: int) -> dict:
        params: dict[str, Any] = {"page": page, "size": size, "sort": "desc"}
        if search:
            params["search"] = json.dumps({"name": [search]})
        if statuses:
            params["status"] = ",".join(statuses)
        answer = await self.client.list(**params)
        return {
            "items": [normalize(i) for i in answer.get("items") or []],
            "total": answer.get("total"),
            "page": answer.get("page", page),
            "size": answer.get("size", size),
            "has_next": bool(answer.get("has_next")),
        }

    async def get(self, ref: str) -> dict:
        ref = check_workflow_ref(ref)
        status = await self.client.status(ref)
        return normalize(status)

    async def stop(self, ref: str) -> dict:
        check_workflow_ref(ref)
        await self.client.set_status(ref, "stop", {})
        return await self.get(ref)

    async def delete(self, ref: str, all_runs: bool = False) -> dict:
        """Delete a run and its workspace; a running one is stopped first (REANA refuses)."""
        current = await self.get(ref)
        if current["status"] in ACTIVE and current["status"] != "created":
            await self.client.set_status(ref, "stop", {})
        answer = await self.client.set_status(
            ref, "deleted", {"all_runs": all_runs, "workspace": True}
        )
        return {"id": current["id"], "status": answer.get("status", "deleted")}

    async def restart(self, ref: str, parameters: dict, options: dict) -> dict:
        check_workflow_ref(ref)
        if any(isinstance(v, str) for v in (parameters or {}).values()):
            # The restart form sends text: keep the types the workflow's reana.yaml declares.
            spec = (await self.client.specification(ref)).get("specification") or {}
            inputs = spec.get("inputs") if isinstance(spec.get("inputs"), dict) else {}
            declared = inputs.get("parameters")
            declared = declared if isinstance(declared, dict) else {}
            parameters = {k: typed_parameter(declared.get(k), v) for k, v in parameters.items()}
        answer = await self.client.start(ref, parameters, options, restart=True)
        return {
            "workflow_id": answer.get("workflow_id"),
            "workflow_name": answer.get("workflow_name"),
            "status": answer.get("status"),
        }

    async def files(self, ref: str, page: int, size: int, pattern: str | None) -> dict:
        check_workflow_ref(ref)
        answer = await self.client.workspace(ref, page=page, size=size, file_name=pattern)
        return {
            "items": [
                {
                    "name": i.get("name"),
                    "modified": utc(i.get("last-modified")),
                    "size": (i.get("size") or {}).get("raw"),
                    "size_human": (i.get("size") or {}).get("human_readable"),
                }
                for i in answer.get("items") or []
            ],
            "total": answer.get("total"),
            "has_next": bool(answer.get("has_next")),
        }

    async def outputs(self, ref: str) -> dict:
        check_workflow_ref(ref)
        answer = await self.client.specification(ref)
        spec = answer.get("specification") or {}
        outputs = spec.get("outputs") or {}
        return {
            "files": [f for f in outputs.get("files") or [] if isinstance(f, str)],
            "directories": [d for d in outputs.get("directories") or [] if isinstance(d, str)],
            "parameters": answer.get("parameters") or {},
            "specification": spec,
        }

    async def download_outputs(
        self, ref: str, dest: str | None = None, paths: list[str] | None = None
    ) -> dict:
        """Outputs (or the given workspace paths) into ``reana/<name>.<run>/`` by default.

        Every name (the spec's outputs come from whoever wrote it, the zip members from REANA) is
        checked with the workspace rule before anything is written: no ``..``, absolute path,
        NUL, name over 255 bytes or hidden part. An existing different file is never replaced:
        the output takes a free name beside it and the answer says so (``renamed``)."""
        workflow = await self.get(ref)
        if paths is None:
            declared = await self.outputs(ref)
            paths = declared["files"] + declared["directories"]
        if not paths:
            raise EscapeError(
                400, "reana_no_outputs", "This workflow declares no outputs.", service="reana"
            )
        workspace = self.workspace
        folder_rel = dest or f"{self.client.config.outputs_dir}/{workflow['full_name']}"
        folder = workspace.target(folder_rel, "reana")
        wanted = [path.rstrip("/") or path for path in paths]
        for path in wanted:  # all refused before the first byte is written
            workspace.within(folder, path, "reana")
        written: list[str] = []
        missing: list[str] = []
        renamed: list[dict] = []
        skipped: list[str] = []
        for path in wanted:
            try:
                got = await self._download_one(workflow["id"], path, folder)
            except EscapeError as error:
                if error.status == 404:
                    missing.append(path)
                    continue
                raise
            written += got["files"]
            renamed += got["renamed"]
            skipped += got["skipped"]
        answer = {
            "folder": workspace.relative(folder),
            "files": written,
            "missing": missing,
            "renamed": renamed,
            "skipped": skipped,
        }
        notes = []
        if renamed:
            notes.append(
                f"{len(renamed)} output(s) kept beside an existing file of yours instead of "
                "replacing it: "
                + ", ".join(f"{r['name']} -> {r['path']}" for r in renamed[:5])
                + ("..." if len(renamed) > 5 else "")
            )
        if skipped:
            notes.append(
                f"{len(skipped)} hidden file(s) or link(s) in the outputs were not written: "
                + ", ".join(skipped[:5])
                + ("..." if len(skipped) > 5 else "")
            )
        answer["message"] = ". ".join(notes) + "." if notes else ""
        return answer

    async def _download_one(self, ref: str, path: str, folder: Path) -> dict:
        workspace = self.workspace
        target = workspace.within(folder, path, "reana")
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, lambda: target.parent.mkdir(parents=True, exist_ok=True))
        # Our own temporary name (hidden, so never taken for an output), created exclusively.
        temp = target.with_name(f".reana-{uuid.uuid4().hex}.part")
        try:
            async with self.client.download(ref, path) as response:
                kind = response.headers.get("Content-Type", "")
                handle = await loop.run_in_executor(None, open_new, temp)
                try:
                    async for chunk in response.aiter_bytes(256 * 1024):
                        await loop.run_in_executor(None, handle.write, chunk)
                finally:
                    await loop.run_in_executor(None, handle.close)
            if kind.startswith("application/zip"):
                extracted = await loop.run_in_executor(
                    None, lambda: extract_zip(temp, folder, workspace, service="reana")
                )
                return {
                    "files": extracted.paths,
                    "renamed": [{"name": n, "path": p} for n, p in extracted.renamed],
                    "skipped": extracted.skipped,
                }
            final = await loop.run_in_executor(None, place, temp, target)
            rel = workspace.relative(final)
            renamed = [{"name": path, "path": rel}] if final != target else []
            return {"files": [rel], "renamed": renamed, "skipped": []}
        finally:
            await loop.run_in_executor(None, lambda: temp.unlink(missing_ok=True))
