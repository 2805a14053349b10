"""Submitting a reana.yaml: check it, create the workflow, upload its inputs, start it.

``prepare`` does everything that needs no change upstream (parse, schema, engine options,
parameters, inputs on disk, the server's capabilities) so the dialog can show problems before
anything is created. ``Submissions`` runs the rest as a server-side job keyed by the browser's
idempotency key: a second request with the same key follows the first job instead of creating a
second workflow, and the job goes on if the browser goes away.
"""

from __future__ import annotations

import asyncio
import copy
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..http import EscapeError
from ..workspace import Workspace
from . import spec as specs
from .client import ReanaClient
from .inputs import InputFile, InputPlan, check_source, collect

CHUNK = 1024 * 1024
PROGRESS_EVERY = 0.25  # seconds between upload progress events
NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,100}$")
UUID4_RE = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", re.I
)


def bad_request(message: str) -> EscapeError:
    return EscapeError(400, "reana_bad_request", message, service="reana")


@dataclass
class Prepared:
    path: str
    doc: specs.SpecDocument | None
    summary: specs.Summary
    plan: InputPlan
    issues: list[specs.Issue]
    body: dict | None  # what POST /workflows gets
    default_name: str

    @property
    def valid(self) -> bool:
        return not any(i.severity == "error" for i in self.issues)

    def warnings(self) -> list[str]:
        return [
            f"{i.where} {i.message}" + (f" (line {i.line})" if i.line else "")
            for i in self.issues
            if i.severity == "warning"
        ]

    def to_json(self) -> dict:
        return {
            "path": self.path,
            "valid": self.valid,
            "issues": [i.to_json() for i in self.issues],
            "summary": self.summary.to_json(),
            "inputs": self.plan.to_json(),
            "default_name": self.default_name,
        }


def default_name(path: str) -> str:
    folder = Path(path).parent.name or "workflow"
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", folder).strip("-")
    return (name or "workflow")[:60]


def check_name(name: str) -> str:
    if not NAME_RE.match(name or "") or UUID4_RE.match(name):
        raise bad_request(
            f"{name!r} cannot be a REANA workflow name: use letters, digits, '-' and '_' "
            "(no dots), at most 100 characters."
        )
    return name


def _load_yaml_file(
    folder: Path, rel: str, protected: tuple[Path, ...], beside: str
) -> tuple[Any, list[specs.Issue]]:
    """``workflow.file``: read like an input (its contents go to REANA in the request body)."""
    target, why = check_source(rel, folder, protected, beside)
    if why:
        return None, [specs.Issue(("workflow", "file"), why)]
    if target is None or not target.is_file():
        return None, [specs.Issue(("workflow", "file"), f"workflow file {rel!r} does not exist")]
    if target.stat().st_size > specs.MAX_SPEC_BYTES:
        return None, [specs.Issue(("workflow", "file"), f"{rel!r} is larger than 1 MiB")]
    try:
        doc = specs.parse(target.read_text(errors="replace"))
    except specs.SpecSyntaxError as error:
        issue = error.issue
        issue.message = f"{rel}: {issue.message}"
        issue.path = ("workflow", "file")
        return None, [issue]
    found = specs.serial_specification_issues(doc.data)
    issues = specs.issues_for(doc, found)
    for issue in issues:
        issue.message = f"{rel} line {issue.line}: {specs.dotted(issue.path)} {issue.message}"
        issue.path = ("workflow", "file")
        issue.line = issue.column = None
    return doc.data, issues


def _workspace(workspace: Workspace | str | Path) -> Workspace:
    return workspace if isinstance(workspace, Workspace) else Workspace(Path(workspace))


def _source(workspace: Workspace, path: str) -> Path:
    """A spec file or folder we read and upload from: the workspace rule, said as a read."""
    try:
        return workspace.target(path, "reana")
    except EscapeError as error:
        error.message = error.message.replace("Refused to write to", "Refused to use", 1)
        raise


def base_of(workspace: Workspace | str | Path, cwd: str) -> str:
    """The kernel's working directory (absolute, as the kernel sees it) as a workspace path.

    The kernel does not always know the server's root (under JupyterHub without
    JUPYTERHUB_ROOT_DIR it does not); the server does, so it decides, and refuses a folder
    outside its root rather than resolving the inputs somewhere else."""
    workspace = _workspace(workspace)
    if not isinstance(cwd, str) or not cwd.startswith("/") or "\x00" in cwd:
        raise EscapeError(400, "bad_request", "cwd must be the kernel's absolute folder.")
    try:
        relative = Path(cwd).resolve().relative_to(workspace.root)
    except ValueError:
        raise EscapeError(
            400,
            "bad_path",
            f"The notebook's folder {cwd} is outside the Jupyter server's root directory; "
            "inputs are only sent from inside it.",
            service="reana",
        ) from None
    return relative.as_posix() if relative.parts else ""


def prepare(
    workspace: Workspace | str | Path,
    path: str,
    capabilities: dict | None = None,
    parameters: dict | None = None,
    options: dict | None = None,
    protected: tuple[Path, ...] = (),
) -> Prepared:
    """Everything about a submission of a reana.yaml file that can be known without creating
    anything upstream."""
    workspace = _workspace(workspace)
    target = _source(workspace, path)
    if not target.is_file():
        raise EscapeError(404, "not_found", f"{path} is not a file in the workspace.")
    if target.suffix.lower() not in (".yaml", ".yml"):
        raise bad_request(f"{path} is not a YAML file; REANA reads reana.yaml or reana.yml.")
    if target.stat().st_size > specs.MAX_SPEC_BYTES:
        raise bad_request(f"{path} is larger than 1 MiB; is it really a reana.yaml?")
    text = target.read_text(errors="replace")
    return _prepare(
        workspace.root,
        target.parent,
        text,
        path,
        target.name,
        default_name(path),
        capabilities,
        parameters,
        options,
        protected,
    )


def prepare_text(
    workspace: Workspace | str | Path,
    base: str,
    text: str,
    line_offset: int = 0,
    capabilities: dict | None = None,
    parameters: dict | None = None,
    options: dict | None = None,
    protected: tuple[Path, ...] = (),
    cwd: str | None = None,
) -> Prepared:
    """The same for a specification written in a notebook cell: inputs resolve against
    ``base`` (the notebook's folder) or the kernel's absolute ``cwd``, and line numbers count
    from the cell's first line."""
    workspace = _workspace(workspace)
    if cwd is not None:
        base = base_of(workspace, cwd)
    folder = _source(workspace, base) if base.strip("/") else workspace.root
    if not folder.is_dir():
        raise EscapeError(404, "not_found", f"{base} is not a folder in the workspace.")
    if len(text.encode()) > specs.MAX_SPEC_BYTES:
        raise bad_request("The specification is larger than 1 MiB.")
    label = f"{base.strip('/') or '.'}/<cell>"
    prepared = _prepare(
        workspace.root,
        folder,
        text,
        label,
        None,
        default_name(label),
        capabilities,
        parameters,
        options,
        protected,
    )
    for issue in prepared.issues:
        if issue.line is not None:
            issue.line += line_offset
    return prepared


def _prepare(
    root: Path,
    folder: Path,
    text: str,
    label: str,
    spec_name: str | None,
    name: str,
    capabilities: dict | None,
    parameters: dict | None,
    options: dict | None,
    protected: tuple[Path, ...] = (),
) -> Prepared:
    empty = Prepared(label, None, specs.Summary(), InputPlan(), [], None, name)
    try:
        doc = specs.parse(text)
    except specs.SpecSyntaxError as error:
        empty.issues = [error.issue]
        return empty
    issues = specs.issues_for(doc, specs.schema_issues(doc.data))
    data = doc.data if isinstance(doc.data, dict) else {}
    workflow = data.get("workflow") if isinstance(data.get("workflow"), dict) else {}
    kind = workflow.get("type")
    body = copy.deepcopy(data)
    serial_spec = None
    if kind == "cwl":
        line, column = doc.locate(("workflow", "type"))
        issues.append(
            specs.Issue(
                ("workflow", "type"),
                "CWL workflows are not supported by this launcher: they must be packed with "
                "cwltool, which the Jupyter server does not have. Submit them with reana-client.",
                line=line,
                column=column,
            )
        )
    elif (
        kind == "serial"
        and isinstance(workflow.get("file"), str)
        and not workflow.get("specification")
    ):
        beside = spec_name or "the notebook"
        serial_spec, more = _load_yaml_file(folder, workflow["file"], protected, beside)
        issues += more
        if serial_spec is not None:
            body["workflow"]["specification"] = serial_spec
    summary = specs.summarize(data, serial_spec)
    issues += _option_issues(doc, summary, options)
    issues += _parameter_issues(summary, parameters)
    issues += _capability_issues(doc, summary, data, capabilities)
    plan = InputPlan()
    if isinstance(data, dict) and data:
        plan = collect(doc, summary, root, folder, spec_name, protected=protected)
        issues += plan.issues
    issues.sort(key=lambda i: (i.line or 0, i.column or 0))
    return Prepared(label, doc, summary, plan, issues, body, name)


def _option_issues(doc, summary: specs.Summary, extra: dict | None) -> list[specs.Issue]:
    known = specs.OPTIONS.get(summary.type or "")
    if known is None:
        return []
    issues = []
    for key in summary.options:
        if key not in known:
            line, column = doc.locate(("inputs", "options", key))
            issues.append(
                specs.Issue(
                    ("inputs", "options", key),
                    f"operational option {key!r} is not one {summary.type} accepts "
                    f"({', '.join(sorted(known))})",
                    line=line,
                    column=column,
                )
            )
    for key in extra or {}:
        if key not in known:
            issues.append(
                specs.Issue(
                    ("options",),
                    f"operational option {key!r} is not one {summary.type} accepts "
                    f"({', '.join(sorted(known))})",
                )
            )
    return issues


def _parameter_issues(summary: specs.Summary, parameters: dict | None) -> list[specs.Issue]:
    return [
        specs.Issue(
            ("parameters", key),
            f"parameter {key!r} is not declared under inputs.parameters of the reana.yaml",
        )
        for key in parameters or {}
        if key not in summary.parameters
    ]


def _capability_issues(doc, summary, data, capabilities) -> list[specs.Issue]:
    if not capabilities:
        return []
    issues = []
    backends = capabilities.get("compute_backends") or []
    workflow = data.get("workflow") if isinstance(data, dict) else None
    steps = []
    if isinstance(workflow, dict) and isinstance(workflow.get("specification"), dict):
        steps = workflow["specification"].get("steps") or []
    for index, step in enumerate(steps if isinstance(steps, list) else []):
        backend = step.get("compute_backend") if isinstance(step, dict) else None
        if backends and isinstance(backend, str) and backend not in backends:
            where = ("workflow", "specification", "steps", index, "compute_backend")
            line, column = doc.locate(where)
            issues.append(
                specs.Issue(
                    where,
                    f"this REANA offers {', '.join(backends)}, not {backend}",
                    line=line,
                    column=column,
                )
            )
    workspaces = capabilities.get("workspaces_available") or []
    root_path = (data.get("workspace") or {}).get("root_path") if isinstance(data, dict) else None
    if workspaces and isinstance(root_path, str) and root_path not in workspaces:
        line, column = doc.locate(("workspace", "root_path"))
        issues.append(
            specs.Issue(
                ("workspace", "root_path"),
                f"this REANA offers the workspaces {', '.join(workspaces)}, not {root_path}",
                line=line,
                column=column,
            )
        )
    return issues


# -- the job ------------------------------------------------------------------------------------


@dataclass
class Submission:
    key: str
    events: list[dict] = field(default_factory=list)
    finished: bool = False
    created_at: float = field(default_factory=time.monotonic)
    task: asyncio.Task | None = None
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def emit(self, event: dict, final: bool = False) -> None:
        async with self.changed:
            self.events.append(event)
            self.finished = self.finished or final
            self.changed.notify_all()

    async def follow(self) -> AsyncIterator[dict]:
        index = 0
        while True:
            async with self.changed:
                await self.changed.wait_for(
                    lambda seen=index: len(self.events) > seen or self.finished
                )
                batch = self.events[index:]
                done = self.finished
            index += len(batch)
            for event in batch:
                yield event
            if done and index >= len(self.events):
                return


async def _file_chunks(path: Path) -> AsyncIterator[bytes]:
    loop = asyncio.get_running_loop()
    # Disk reads go to a thread: nothing blocks the event loop.
    handle = await loop.run_in_executor(None, open, path, "rb")
    try:
        while chunk := await loop.run_in_executor(None, handle.read, CHUNK):
            yield chunk
    finally:
        await loop.run_in_executor(None, handle.close)


class Submissions:
    """Submission jobs by idempotency key (the last 200 are remembered)."""

    def __init__(self, client: ReanaClient, concurrency: int = 8, keep: int = 200):
        self.client = client
        self.concurrency = max(1, concurrency)
        self.keep = keep
        self.jobs: dict[str, Submission] = {}

    def submit(
        self,
        key: str,
        prepared: Prepared,
        name: str,
        parameters: dict,
        options: dict,
    ) -> tuple[Submission, bool]:
        """The job for ``key``: a new one, or the existing one (second value False)."""
        if key in self.jobs:
            return self.jobs[key], False
        job = Submission(key)
        self.jobs[key] = job
        self._forget_old()
        job.task = asyncio.ensure_future(self._run(job, prepared, name, parameters, options))
        return job, True

    def _forget_old(self) -> None:
        if len(self.jobs) <= self.keep:
            return
        for key in sorted(self.jobs, key=lambda k: self.jobs[k].created_at):
            if len(self.jobs) <= self.keep:
                break
            if self.jobs[key].finished:
                del self.jobs[key]

    async def _run(self, job, prepared: Prepared, name, parameters, options) -> None:
        created = None
        try:
            plan = prepared.plan
            await job.emit(
                {
                    "stage": "validated",
                    "files_total": len(plan.files),
                    "bytes_total": plan.total_bytes,
                    # What was left out (hidden entries, the server's own files) is said here.
                    "warnings": prepared.warnings()[:50],
                }
            )
            created = await self.client.create(name, prepared.body or {})
            ref = created["workflow_id"]
            await job.emit(
                {
                    "stage": "created",
                    "workflow_id": ref,
                    "workflow_name": created.get("workflow_name"),
                }
            )
            await self._upload(job, ref, plan.files)
            started = await self.client.start(ref, parameters, options)
            await job.emit(
                {
                    "stage": "started",
                    "workflow_id": ref,
                    "workflow_name": started.get("workflow_name") or created.get("workflow_name"),
                    "status": started.get("status"),
                    "run_number": started.get("run_number"),
                },
                final=True,
            )
        except EscapeError as error:
            if created:
                error.message = (
                    f"{created.get('workflow_name')} was created but not started: {error.message}"
                )
            await job.emit(error.envelope(), final=True)
        except Exception:  # noqa: BLE001 - a job must always end; the log has the trace
            import logging

            logging.getLogger("jupyterlab_escape.workflows").exception("submission failed")
            envelope = EscapeError(
                500, "internal_error", "Internal error in jupyterlab-escape; see the server log."
            ).envelope()
            await job.emit(envelope, final=True)

    async def _upload(self, job: Submission, ref: str, files: list[InputFile]) -> None:
        total_bytes = sum(f.size for f in files)
        state = {"files": 0, "bytes": 0, "last": 0.0}
        semaphore = asyncio.Semaphore(self.concurrency)

        async def report(force: bool = False) -> None:
            now = time.monotonic()
            if force or now - state["last"] >= PROGRESS_EVERY:
                state["last"] = now
                await job.emit(
                    {
                        "stage": "uploading",
                        "files_done": state["files"],
                        "files_total": len(files),
                        "bytes_done": state["bytes"],
                        "bytes_total": total_bytes,
                    }
                )

        async def counted(path: Path) -> AsyncIterator[bytes]:
            async for chunk in _file_chunks(path):
                state["bytes"] += len(chunk)
                await report()
                yield chunk

        async def one(item: InputFile) -> None:
            async with semaphore:
                if item.size <= CHUNK:
                    loop = asyncio.get_running_loop()
                    content: Any = await loop.run_in_executor(None, item.source.read_bytes)
                    await self.client.upload(ref, item.name, content, len(content))
                    state["bytes"] += len(content)
                else:
                    await self.client.upload(ref, item.name, counted(item.source), item.size)
                state["files"] += 1
                await report()

        tasks = [asyncio.ensure_future(one(item)) for item in files]
        try:
            await asyncio.gather(*tasks)
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        await report(force=True)
