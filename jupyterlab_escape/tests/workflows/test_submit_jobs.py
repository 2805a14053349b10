"""Submissions on the shared job system: the job routes, the idempotency key, the per-kind cap,
the %%reana cell read by the server, and a submission interrupted by a server restart that
``retry`` resumes (against the REANA stand-in)."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import pytest

from jupyterlab_escape.config import EscapeReana
from jupyterlab_escape.http import EscapeError, ServiceHTTP
from jupyterlab_escape.jobs import JobStore
from jupyterlab_escape.workflows.client import ReanaClient
from jupyterlab_escape.workflows.prepare import Preparer
from jupyterlab_escape.workflows.submit import KIND, SubmitRunner
from jupyterlab_escape.workflows.workflows import Workflows
from jupyterlab_escape.workspace import Workspace

from .conftest import SPEC, write_project
from .test_workflows import call, error_of, submit

# -- through the routes ------------------------------------------------------------------------


async def test_a_submission_is_a_job_of_the_workflows_slice(jp_fetch, project):
    key = uuid.uuid4().hex
    name = f"j{uuid.uuid4().hex[:8]}"
    events = await submit(jp_fetch, key=key, name=name)
    ref = events[-1]["workflow_id"]
    listed = await call(jp_fetch, "jobs")
    [job] = [j for j in listed["jobs"] if j["workflow_id"] == ref]
    assert job["kind"] == KIND and job["state"] == "done"
    assert job["stage"] == "started" and job["workflow_name"] == f"{name}.1"
    assert job["items_total"] == job["items_done"] == 4
    assert job["bytes_total"] == job["bytes_done"] > 2048
    assert job["spec"] == "analysis/reana.yaml" and job["run_number"] == "1"
    assert job["message"] == f"{name}.1 started in REANA (queued)."
    detail = await call(jp_fetch, "jobs", job["id"])
    assert sorted(f["name"] for f in detail["files"] if f["uploaded"]) == [
        "code/fit.py",
        "data/events.csv",
        "data/raw/run1.dat",
        "reana.yaml",
    ]
    # The same key follows the same job: the same events, no second workflow.
    again = await submit(jp_fetch, key=key, name=name)
    assert [e.get("stage") for e in again] == ["validated", "created", "uploading", "started"]
    assert again[-1]["workflow_id"] == ref
    code, error = await error_of(jp_fetch, "jobs", job["id"], "retry", method="POST")
    assert (code, error["code"]) == (409, "job_done")
    response = await jp_fetch("escape", "workflows", "jobs", job["id"], method="DELETE")
    assert response.code == 204
    assert (await error_of(jp_fetch, "jobs", job["id"]))[0] == 404


def test_the_old_reana_prefix_is_gone():
    """The frontend and the kernel use /escape/workflows; the legacy alias was removed."""
    from jupyterlab_escape.workflows.routes import routes

    assert [path for path, _ in routes if not path.startswith("/escape/workflows/")] == []


async def test_a_reana_cell_is_read_by_the_server(jp_fetch, project):
    cell = "%%reana -n cellfit -p events=5 --wait\n" + SPEC
    answer = await call(
        jp_fetch, "validate", method="POST", body={"cell": cell, "base": "analysis"}
    )
    assert answer["valid"] is True and answer["path"] == "analysis/<cell>"
    name = f"cell{uuid.uuid4().hex[:6]}"
    events = await submit(jp_fetch, path=None, cell=cell.replace("cellfit", name), base="analysis")
    assert events[0]["wait"] is True and events[-1]["workflow_name"] == f"{name}.1"
    spec = await call(jp_fetch, "workflows", events[-1]["workflow_id"], "specification")
    assert spec["parameters"]["events"] == 5  # typed as reana.yaml declares (#21)
    broken = "%%reana\nversion: 0.9.0\nworkflow: a: b\n"
    answer = await call(jp_fetch, "validate", method="POST", body={"cell": broken, "base": ""})
    assert answer["issues"][0]["line"] == 3  # counted from the cell's first line


@pytest.mark.parametrize(
    "line, message",
    [
        (
            "--bogus",
            "%%reana: unknown option '--bogus'; use -n NAME, -p KEY=VALUE, "
            "-l PARAM=SCOPE:NAME (a Data Lake input), --wait.",
        ),
        ("-p nokey", "%%reana: -p takes key=value, got 'nokey'."),
        ("-n", "%%reana: -n needs a value."),
        ("-n 'open", "%%reana options: No closing quotation."),
    ],
)
async def test_a_bad_magic_line_is_a_clear_400(jp_fetch, project, line, message):
    for route in ("validate", "submit"):
        body = {"cell": f"%%reana {line}\n{SPEC}", "idempotency_key": uuid.uuid4().hex}
        code, error = await error_of(jp_fetch, route, method="POST", body=body)
        assert (code, error["code"], error["message"]) == (400, "reana_bad_cell", message)
        assert error["service"] == "reana"


# -- the runner, with a server restart in the middle ---------------------------------------------


class PausingClient(ReanaClient):
    """Records uploads and starts; can hold one upload (or the start) until released."""

    def __init__(self, http, hold_upload: str | None = None, hold_start: bool = False):
        super().__init__(http)
        self.hold_upload, self.hold_start = hold_upload, hold_start
        self.held = asyncio.Event()
        self.uploads: list[str] = []
        self.starts = 0
        self.creates = 0

    async def create(self, name, specification):
        self.creates += 1
        return await super().create(name, specification)

    async def upload(self, ref, name, content, size):
        if name == self.hold_upload:
            self.held.set()
            await asyncio.Event().wait()  # until the server stops
        self.uploads.append(name)
        return await super().upload(ref, name, content, size)

    async def start(self, ref, parameters=None, options=None, **extra):
        self.starts += 1
        answer = await super().start(ref, parameters, options, **extra)
        if self.hold_start:  # REANA started it; the server stops before it hears the answer
            self.held.set()
            await asyncio.Event().wait()
        return answer


def _server(standin, root: Path, state_file: Path, **client_kwargs):
    config = EscapeReana(url=standin.url, access_token=standin.token, upload_concurrency=1)
    http = ServiceHTTP(config)
    client = PausingClient(http, **client_kwargs)
    store = JobStore(state_file)
    workspace = Workspace(root)
    runner = SubmitRunner(client, Preparer(Workflows(client, workspace), workspace, ()), store)
    return http, client, store, runner


async def _restart_after_hold(reana_standin, tmp_path, **hold):
    """Submit, stop the 'server' at the hold, and bring a new one up on the same job file."""
    root = tmp_path / "root"
    write_project(root)
    state_file = tmp_path / "jobs.json"
    http, client, store, runner = _server(reana_standin, root, state_file, **hold)
    name = f"r{uuid.uuid4().hex[:8]}"
    body = {"path": "analysis/reana.yaml", "name": name, "idempotency_key": uuid.uuid4().hex}
    job = await runner.submit(body)
    await client.held.wait()
    await store.shutdown()  # the server stops mid-submission
    await http.aclose()
    assert store.get(job.id).state == "interrupted"
    http2, client2, store2, runner2 = _server(reana_standin, root, state_file)
    return job.id, name, (client, client2, store2, runner2, http2)


async def test_an_interrupted_upload_resumes_with_the_missing_files(reana_standin, tmp_path):
    job_id, name, (first, client, store, runner, http) = await _restart_after_hold(
        reana_standin, tmp_path, hold_upload="data/raw/run1.dat"
    )
    job = store.get(job_id)
    summary = store.summary(job)
    assert summary["state"] == "interrupted" and summary["stage"] == "uploading"
    assert summary["workflow_name"] == f"{name}.1"
    assert summary["message"] == (
        f"The server stopped while uploading the inputs of {name}.1 (3 of 4 files sent): "
        "retry uploads the rest and starts it."
    )
    ended = [e async for e in runner.follow(job)]
    assert ended[-1]["error"]["code"] == "job_interrupted"
    store.retry(job_id)
    await store.wait(job_id)
    assert job.state == "done", job.message
    assert client.uploads == ["data/raw/run1.dat"]  # only what was missing
    assert first.creates == 1 and client.creates == 0  # one workflow, never a second
    assert client.starts == 1
    events = [e async for e in runner.follow(job)]
    assert events[-1]["stage"] == "started" and events[-1]["workflow_name"] == f"{name}.1"
    listed = await client.list(search=json.dumps({"name": [name]}))
    assert [w["name"] for w in listed["items"]] == [f"{name}.1"]
    files = await client.workspace(events[-1]["workflow_id"])
    assert len(files["items"]) == 4
    await store.shutdown()
    await http.aclose()


async def test_an_interrupted_start_is_not_started_twice(reana_standin, tmp_path):
    job_id, name, (first, client, store, runner, http) = await _restart_after_hold(
        reana_standin, tmp_path, hold_start=True
    )
    job = store.get(job_id)
    assert store.summary(job)["message"] == (
        f"The server stopped while starting {name}.1: retry asks REANA for its status and starts "
        "it only if it has not started."
    )
    store.retry(job_id)
    await store.wait(job_id)
    assert job.state == "done", job.message
    assert first.starts == 1 and client.starts == 0 and client.uploads == []
    summary = store.summary(job)
    assert summary["run_number"] == "1" and summary["status"] in ("queued", "running", "finished")
    await store.shutdown()
    await http.aclose()


async def test_a_resume_refuses_an_input_that_became_a_link(reana_standin, tmp_path):
    job_id, name, (_first, client, store, runner, http) = await _restart_after_hold(
        reana_standin, tmp_path, hold_upload="data/raw/run1.dat"
    )
    target = tmp_path / "root" / "analysis" / "data" / "raw" / "run1.dat"
    target.unlink()
    target.symlink_to(tmp_path / "jobs.json")
    store.retry(job_id)
    await store.wait(job_id)
    job = store.get(job_id)
    assert job.state == "failed" and client.uploads == []
    assert job.message == (
        f"{name}.1 was created but cannot be resumed safely: the input 'data/raw/run1.dat' is no "
        "longer a plain file in the workspace. Delete the workflow in REANA and submit again."
    )
    events = [e async for e in runner.follow(job)]
    assert events[-1]["error"]["code"] == "reana_not_resumable"
    await store.shutdown()
    await http.aclose()


async def test_submissions_beyond_the_cap_get_429(reana_standin, tmp_path):
    root = tmp_path / "root"
    write_project(root)
    http, client, store, runner = _server(
        reana_standin, root, None, hold_upload="data/raw/run1.dat"
    )
    client.config.submit_max_jobs = 1
    body = {"path": "analysis/reana.yaml", "name": f"c{uuid.uuid4().hex[:8]}"}
    await runner.submit({**body, "idempotency_key": uuid.uuid4().hex})
    await client.held.wait()
    with pytest.raises(EscapeError) as caught:
        await runner.submit({**body, "idempotency_key": uuid.uuid4().hex})
    assert (caught.value.status, caught.value.code) == (429, "too_many_jobs")
    assert "(at most 1)" in caught.value.message
    assert client.creates == 1
    await store.shutdown()
    await http.aclose()


def test_submit_max_jobs_defaults_to_four():
    assert EscapeReana().submit_max_jobs == 4
