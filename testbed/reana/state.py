"""State of the REANA STAND-IN (a test double, not REANA): workflows, their jobs, logs and
workspaces, in memory. ``simulator.py`` moves workflows through their states; ``routes.py`` answers
the REST operations on this state; ``server.py`` serves them with the contract checks.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

from .contract import Contract

DEFAULT_TOKEN = "standin-reana-token"
USER_EMAIL = "jane.doe@escape.example"
USER_ID = "00000000-0000-0000-0000-000000000001"
SERVER_VERSION = "0.9.4-standin"
ENGINES = ("serial", "yadage", "cwl", "snakemake")
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
    # What the client sent, as sent (for the differential test against reana-client): the
    # create body, every upload's file_name and bytes, the start body.
    capture: dict = field(default_factory=lambda: {"create": None, "uploads": [], "start": None})

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
        self.secrets: dict[str, dict] = {}  # name -> {type, value (base64)}

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
