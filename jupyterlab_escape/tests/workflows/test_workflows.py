"""The launcher's routes against the REANA stand-in: submit, follow, act, download outputs."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import pytest
from tornado.httpclient import HTTPClientError

from .conftest import write_project

TERMINAL = ("finished", "failed", "stopped", "deleted")


async def call(jp_fetch, *path, method="GET", body=None, **params):
    kwargs = {"method": method, "params": params}
    if body is not None or method in ("POST", "PUT"):
        kwargs["body"] = json.dumps(body or {})
    response = await jp_fetch("escape", "workflows", *path, **kwargs)
    return json.loads(response.body)


async def error_of(jp_fetch, *path, method="GET", body=None, **params):
    with pytest.raises(HTTPClientError) as caught:
        await call(jp_fetch, *path, method=method, body=body, **params)
    return caught.value.code, json.loads(caught.value.response.body)["error"]


async def submit(jp_fetch, path="analysis/reana.yaml", key=None, **body):
    body = {"path": path, "idempotency_key": key or uuid.uuid4().hex, **body}
    response = await jp_fetch(
        "escape", "workflows", "submit", method="POST", body=json.dumps(body), request_timeout=120
    )
    assert response.headers["Content-Type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in response.body.decode().splitlines() if line.strip()]


async def wait_for(jp_fetch, ref, statuses=TERMINAL, timeout=30.0):
    for _ in range(int(timeout / 0.2)):
        workflow = await call(jp_fetch, "workflows", ref)
        if workflow["status"] in statuses:
            return workflow
        await asyncio.sleep(0.2)
    raise AssertionError(f"{ref} still {workflow['status']}")


def unique_name() -> str:
    return f"t{uuid.uuid4().hex[:10]}"


async def test_validate_summarizes_the_spec_and_its_inputs(jp_fetch, project):
    (project / ".reanaignore").write_text("*.dat\n")
    answer = await call(jp_fetch, "validate", method="POST", body={"path": "analysis/reana.yaml"})
    assert answer["valid"] is True and answer["issues"] == []
    summary = answer["summary"]
    assert summary["type"] == "serial"
    assert [s["name"] for s in summary["steps"]] == ["fit", "plot"]
    assert summary["inputs"]["parameters"] == {"events": 100, "model": "gauss"}
    assert summary["outputs"] == {"files": ["results/fit.json"], "directories": ["plots"]}
    names = [f["name"] for f in answer["inputs"]["files"]]
    assert names == ["reana.yaml", "code/fit.py", "data/events.csv"]
    assert answer["inputs"]["skipped"] == [{"name": "data/raw/run1.dat", "reason": "ignored"}]
    assert answer["default_name"] == "analysis"


async def test_gitignore_and_reanaignore_both_filter_directories(jp_fetch, project):
    (project / ".gitignore").write_text("raw/\n")
    (project / ".reanaignore").write_text("*.csv\n")
    (project / "data" / "keep.txt").write_text("kept")
    answer = await call(jp_fetch, "validate", method="POST", body={"path": "analysis/reana.yaml"})
    names = [f["name"] for f in answer["inputs"]["files"]]
    assert names == ["reana.yaml", "code/fit.py", "data/keep.txt"]
    assert {"name": "data/events.csv", "reason": "ignored"} in answer["inputs"]["skipped"]


async def test_broken_spec_reports_line_numbers(jp_fetch, jp_root_dir):
    write_project(
        Path(jp_root_dir), "broken", "workflow:\n  type: serial\n  specification:\n    steps: 3\n"
    )
    answer = await call(jp_fetch, "validate", method="POST", body={"path": "broken/reana.yaml"})
    assert answer["valid"] is False
    assert answer["issues"][0] == {
        "path": "workflow.specification.steps",
        "message": "must be an array, not number",
        "severity": "error",
        "line": 4,
        "column": 12,
    }
    code, error = await error_of(
        jp_fetch,
        "submit",
        method="POST",
        body={"path": "broken/reana.yaml", "idempotency_key": "k" * 12},
    )
    assert code == 400 and error["code"] == "reana_invalid_spec"
    assert "(line 4)" in error["message"]


async def test_yaml_syntax_errors_have_line_and_column(jp_fetch, jp_root_dir):
    write_project(Path(jp_root_dir), "syntax", "workflow:\n  type: serial\n   file: x\n")
    answer = await call(jp_fetch, "validate", method="POST", body={"path": "syntax/reana.yaml"})
    [issue] = answer["issues"]
    assert issue["line"] == 3 and issue["column"] == 8
    assert issue["message"].startswith("YAML syntax error")


async def test_missing_inputs_are_reported_where_declared(jp_fetch, project):
    (project / "code" / "fit.py").unlink()
    answer = await call(jp_fetch, "validate", method="POST", body={"path": "analysis/reana.yaml"})
    # A warning (reana-client skips it silently): the user may submit anyway.
    assert answer["valid"] is True
    [issue] = answer["issues"]
    assert issue["path"] == "inputs.files[0]" and issue["line"] == 4
    assert issue["message"] == "input file 'code/fit.py' does not exist next to reana.yaml"
    assert (issue["severity"], issue["code"]) == ("warning", "missing_input")


async def test_symlinks_leaving_the_workspace_are_refused(jp_fetch, project, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.txt").write_text("not yours")
    (project / "code" / "fit.py").unlink()
    (project / "code" / "fit.py").symlink_to(outside / "secret.txt")
    (project / "data" / "escape").symlink_to(outside)
    answer = await call(jp_fetch, "validate", method="POST", body={"path": "analysis/reana.yaml"})
    messages = [i["message"] for i in answer["issues"]]
    assert messages == [
        "'code/fit.py' is a link to a place outside the folder of reana.yaml; refused"
    ]
    assert {"name": "data/escape", "reason": "symlink"} in answer["inputs"]["skipped"]
    names = [f["name"] for f in answer["inputs"]["files"]]
    assert not any("escape" in n or "secret" in n for n in names)
    code, error = await error_of(
        jp_fetch,
        "submit",
        method="POST",
        body={"path": "analysis/reana.yaml", "idempotency_key": uuid.uuid4().hex},
    )
    assert code == 400 and "outside the folder of reana.yaml" in error["message"]


async def test_spec_path_outside_the_workspace_is_refused(jp_fetch):
    code, error = await error_of(jp_fetch, "validate", method="POST", body={"path": "../x.yaml"})
    assert code == 400 and error["code"] == "bad_path"


async def test_submit_uploads_starts_and_runs_to_the_outputs(
    jp_fetch, jp_root_dir, project, reana_standin
):
    violations = len(reana_standin.stats()["violations"])  # other tests provoke some on purpose
    name = unique_name()
    events = await submit(jp_fetch, name=name, parameters={"events": "250"})
    stages = [e.get("stage") for e in events]
    assert stages[0] == "validated" and stages[1] == "created" and stages[-1] == "started"
    assert "uploading" in stages
    last_upload = [e for e in events if e.get("stage") == "uploading"][-1]
    assert last_upload["files_done"] == last_upload["files_total"] == 4
    assert last_upload["bytes_done"] == last_upload["bytes_total"] > 2048
    started = events[-1]
    assert started["workflow_name"] == f"{name}.1" and started["status"] == "queued"
    ref = started["workflow_id"]

    files = await call(jp_fetch, "workflows", ref, "files")
    assert sorted(f["name"] for f in files["items"]) == [
        "code/fit.py",
        "data/events.csv",
        "data/raw/run1.dat",
        "reana.yaml",
    ]
    workflow = await wait_for(jp_fetch, ref)
    assert workflow["status"] == "finished"
    assert workflow["name"] == name and workflow["run_number"] == "1"
    assert workflow["progress"]["total"] == workflow["progress"]["finished"] == 2
    assert workflow["created"].endswith("Z") and workflow["finished"].endswith("Z")

    spec = await call(jp_fetch, "workflows", ref, "specification")
    assert spec["parameters"]["events"] == 250  # typed as reana.yaml declares (#21)
    assert spec["files"] == ["results/fit.json"] and spec["directories"] == ["plots"]

    listed = await call(jp_fetch, "workflows", search=name)
    assert [w["full_name"] for w in listed["items"]] == [f"{name}.1"]
    none = await call(jp_fetch, "workflows", search=name, status="running,failed")
    assert none["items"] == []

    outputs = await call(jp_fetch, "workflows", ref, "outputs", method="POST", body={})
    assert outputs["folder"] == f"reana/{name}.1"
    assert sorted(outputs["files"]) == [
        f"reana/{name}.1/plots/result.txt",
        f"reana/{name}.1/results/fit.json",
    ]
    fit = Path(jp_root_dir) / outputs["files"][0 if "fit" in outputs["files"][0] else 1]
    assert json.loads(fit.read_text())["workflow"] == f"{name}.1"
    assert not list((Path(jp_root_dir) / "reana").rglob("*.part"))
    assert reana_standin.stats()["violations"][violations:] == []


async def test_logs_arrive_incrementally_and_download_whole(jp_fetch, project):
    name = unique_name()
    ref = (await submit(jp_fetch, name=name))[-1]["workflow_id"]
    first = await call(jp_fetch, "workflows", ref, "logs")
    assert first["reset"] is True and "queued" in first["workflow_append"]
    await wait_for(jp_fetch, ref)
    second = await call(jp_fetch, "workflows", ref, "logs", cursor=first["cursor"])
    assert second["reset"] is False
    assert "queued" not in second["workflow_append"] and "finished" in second["workflow_append"]
    assert [j["name"] for j in second["jobs"]] == ["fit", "plot"]
    third = await call(jp_fetch, "workflows", ref, "logs", cursor=second["cursor"])
    assert third["workflow_append"] == "" and all(j["append"] == "" for j in third["jobs"])
    response = await jp_fetch("escape", "workflows", "workflows", ref, "logs", "download")
    assert response.headers["Content-Disposition"] == f'attachment; filename="{name}.1.log"'
    text = response.body.decode()
    assert "# job fit" in text and "$ python code/fit.py --events" in text


async def test_double_submit_with_one_key_creates_one_workflow(jp_fetch, project, reana_standin):
    name = unique_name()
    key = uuid.uuid4().hex
    first, second = await asyncio.gather(
        submit(jp_fetch, key=key, name=name), submit(jp_fetch, key=key, name=name)
    )
    assert first[-1]["workflow_id"] == second[-1]["workflow_id"]
    again = await submit(jp_fetch, key=key, name=name)
    assert again[-1]["workflow_id"] == first[-1]["workflow_id"]
    listed = await call(jp_fetch, "workflows", search=name)
    assert len(listed["items"]) == 1


async def test_stop_restart_with_new_parameters_and_delete(jp_fetch, jp_root_dir, reana_standin):
    slow = (
        "inputs:\n  parameters: {n: 1}\nworkflow:\n  type: serial\n  specification:\n    steps:\n"
        + "".join(
            f"      - {{name: s{i}, environment: busybox, commands: ['echo ${{n}}']}}\n"
            for i in range(6)
        )
    )
    write_project(Path(jp_root_dir), "slow", slow)
    violations = len(reana_standin.stats()["violations"])
    name = unique_name()
    ref = (await submit(jp_fetch, "slow/reana.yaml", name=name))[-1]["workflow_id"]
    await wait_for(jp_fetch, ref, ("running",))
    stopped = await call(jp_fetch, "workflows", ref, "stop", method="POST")
    assert stopped["status"] == "stopped"
    code, error = await error_of(jp_fetch, "workflows", ref, "stop", method="POST")
    assert code == 409 and error["code"] == "reana_conflict"
    assert error["message"].startswith("REANA: ") and error["upstream_status"] == 409

    restarted = await call(
        jp_fetch, "workflows", ref, "restart", method="POST", body={"parameters": {"n": "7"}}
    )
    assert restarted["workflow_name"] == f"{name}.1.1"
    new = restarted["workflow_id"]
    spec = await call(jp_fetch, "workflows", new, "specification")
    assert spec["parameters"] == {"n": 7}  # text from the form, typed as reana.yaml declares
    code, error = await error_of(
        jp_fetch, "workflows", new, "restart", method="POST", body={"parameters": {"zzz": 1}}
    )
    assert code in (400, 409)

    # Deleting a running run stops it first (REANA refuses to delete running workflows).
    await wait_for(jp_fetch, new, ("running",))
    deleted = await call(jp_fetch, "workflows", new, method="DELETE")
    assert deleted == {"id": new, "status": "deleted"}
    code, error = await error_of(jp_fetch, "workflows", new)
    assert code == 404 and error["code"] == "reana_not_found"
    await call(jp_fetch, "workflows", ref, method="DELETE")
    assert reana_standin.stats()["violations"][violations:] == []


async def test_capabilities_come_from_ping_info_and_config(jp_fetch):
    caps = await call(jp_fetch, "capabilities")
    assert caps["server_version"] is None or isinstance(caps["server_version"], str)
    assert caps["compute_backends"] == ["kubernetes"]
    assert caps["workspaces_available"] == ["/var/reana"]
    assert caps["polling_secs"] == 15 and caps["outputs_dir"] == "reana"
    assert caps["bundles"] is False


async def test_unsupported_compute_backend_is_caught_before_submitting(jp_fetch, jp_root_dir):
    write_project(
        Path(jp_root_dir),
        "condor",
        "workflow:\n  type: serial\n  specification:\n    steps:\n"
        "      - {environment: busybox, commands: [ls], compute_backend: htcondorcern}\n",
    )
    answer = await call(jp_fetch, "validate", method="POST", body={"path": "condor/reana.yaml"})
    [issue] = answer["issues"]
    assert issue["message"] == "this REANA offers kubernetes, not htcondorcern"
    assert issue["line"] == 5


async def test_unknown_parameter_is_refused_before_creating(jp_fetch, project):
    name = unique_name()
    code, error = await error_of(
        jp_fetch,
        "submit",
        method="POST",
        body={
            "path": "analysis/reana.yaml",
            "idempotency_key": uuid.uuid4().hex,
            "name": name,
            "parameters": {"nope": 1},
        },
    )
    assert code == 400 and "'nope' is not declared" in error["message"]
    assert (await call(jp_fetch, "workflows", search=name))["items"] == []


@pytest.mark.parametrize(
    "name", ["with.dot", "has space", "", "0f8fad5b-d9cb-469f-a165-70867728950e"]
)
async def test_bad_workflow_names_are_refused(jp_fetch, project, name):
    code, error = await error_of(
        jp_fetch,
        "submit",
        method="POST",
        body={
            "path": "analysis/reana.yaml",
            "idempotency_key": uuid.uuid4().hex,
            "name": name or "a.b",
        },
    )
    assert code == 400 and "cannot be a REANA workflow name" in error["message"]


async def test_bad_refs_and_arguments_get_400(jp_fetch):
    assert (await error_of(jp_fetch, "workflows", "a;b"))[0] == 400
    assert (await error_of(jp_fetch, "workflows", status="bogus"))[0] == 400
    code, error = await error_of(jp_fetch, "workflows", "nope-nope")
    assert code == 404 and error["service"] == "reana"
