"""The REANA STAND-IN's engine simulation: a started workflow is queued, then "runs" on a timer
(one job per serial step, with growing logs; a command with ``exit 1`` fails its step), and on
success produces the outputs its specification declares. Also the start and restart rules REANA
applies (declared parameters only, ``name.N.1`` restarts, never start twice).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import tempfile
import uuid
from pathlib import Path

from . import rucio_job
from .contract import CLIENT_VENV
from .state import USER_ID, ApiError, Job, State, Workflow, WorkspaceFile, now


def start(state: State, w: Workflow, params: dict, with_run_number: bool) -> dict:
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
    w.task = asyncio.get_event_loop().create_task(run(state, w))
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


ENGINE_CHECK = Path(__file__).with_name("engine_check.py")
ENGINE_TIMEOUT = 120


def engine_python() -> Path | None:
    """The stand-in's engine venv (reana-client's: snakemake 7, yadage, cwltool)."""
    python = CLIENT_VENV / "bin" / "python"
    return python if python.exists() else None


async def engine_check(w: Workflow) -> str | None:
    """The real engine's static check of what REANA would hand it; its message, or None."""
    python = engine_python()
    if w.type == "serial" or python is None:
        return None
    with tempfile.TemporaryDirectory(prefix="reana-standin-") as tmp:
        workspace = Path(tmp) / "workspace"
        workspace.mkdir()
        for name, item in w.workspace.items():
            target = workspace / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(item.content)
        files = {}
        for key, value in (("spec", w.spec), ("params", w.parameters), ("options", w.options)):
            files[key] = Path(tmp) / f"{key}.json"
            files[key].write_text(json.dumps(value))
        env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
        process = await asyncio.create_subprocess_exec(
            str(python),
            str(ENGINE_CHECK),
            w.type,
            str(workspace),
            str(files["spec"]),
            str(files["params"]),
            str(files["options"]),
            cwd=str(workspace),
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            out, err = await asyncio.wait_for(process.communicate(), ENGINE_TIMEOUT)
        except asyncio.TimeoutError:
            process.kill()
            return f"{w.type} engine check took longer than {ENGINE_TIMEOUT} s"
        if process.returncode == 0:
            return None
        text = (
            (err or out)
            .decode(errors="replace")
            .strip()
            .replace(str(workspace), "/var/reana/workspace")
        )
        return "\n".join(text.splitlines()[-30:]) or f"{w.type} engine failed"


async def run(state: State, w: Workflow) -> None:
    """Simulate the engine: one job per step; a command with ``exit 1`` fails its step. A
    workflow the real engine would refuse (checked statically) fails with its message."""
    timing = state.timing
    await asyncio.sleep(timing.queued)
    if w.stop_requested or w.status == "deleted":
        return
    problem = await engine_check(w)
    if problem:
        w.status = "failed"
        w.started_at = w.finished_at = now()
        w.engine_log.append(f"{w.finished_at} {w.type} engine error:\n{problem}\n")
        w.engine_log.append(f"{w.finished_at} workflow {w.full_name} failed\n")
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
        # A step that reads DIDs from the lake does it with the user's secrets (rucio_job.py).
        dids = rucio_job.lake_reads(rucio_job.expand(cmd, w.parameters))
        if dids:
            read, said = await rucio_job.read_dids(step, dids, dict(state.secrets))
            job.logs += said
            if not read:
                job.finished_at = now()
                job.status = "failed"
                w.status = "failed"
                w.finished_at = job.finished_at
                w.engine_log.append(
                    f"{w.finished_at} step {job.step} failed reading from Rucio: "
                    f"{said.strip().splitlines()[-1] if said.strip() else 'no output'}\n"
                )
                return
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
