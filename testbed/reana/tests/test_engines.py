"""The stand-in's engine semantics (#17): parameters reach each engine as REANA's workflow
controller hands them, checked with the real engine (its venv from `standin setup`); what REANA
refuses is refused."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid

import pytest

SNAKEFILE = """\
rule all:
    input: "results/out.txt"

rule count:
    output: "results/out.txt"
    params: events=config["events"]
    shell: "echo {params.events} > {output}"
"""
REANA_YAML = {
    "version": "0.9.0",
    "inputs": {"files": ["Snakefile", "config.yaml"], "parameters": {"input": "config.yaml"}},
    "workflow": {"type": "snakemake", "file": "Snakefile"},
}


def api(standin, method, path, body=None, content_type="application/json", **query):
    query["access_token"] = standin.token
    url = f"{standin.url}/api/{path}?" + "&".join(f"{k}={v}" for k, v in query.items())
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def run_snakemake(standin, spec):
    status, created = api(
        standin, "POST", "workflows", spec, workflow_name=f"sm{uuid.uuid4().hex[:8]}"
    )
    assert status == 201, created
    ref = created["workflow_id"]
    for name, text in (("Snakefile", SNAKEFILE), ("config.yaml", "events: 7\n")):
        status, _ = api(
            standin,
            "POST",
            f"workflows/{ref}/workspace",
            text.encode(),
            "application/octet-stream",
            file_name=name,
        )
        assert status == 200
    assert (
        api(
            standin,
            "POST",
            f"workflows/{ref}/start",
            {"input_parameters": {}, "operational_options": {}},
        )[0]
        == 200
    )
    deadline = time.monotonic() + 120
    while True:
        _, answer = api(standin, "GET", f"workflows/{ref}/status")
        if answer["status"] in ("finished", "failed"):
            return answer["status"], json.loads(answer["logs"])["workflow_logs"]
        assert time.monotonic() < deadline
        time.sleep(0.5)


def test_the_old_snakemake_body_fails_with_the_engines_error(reana_standin):
    # What we sent before #17: parameters as written, no specification. REANA hands
    # {"input": "config.yaml"} to snakemake as its config, and config["events"] raises.
    status, logs = run_snakemake(reana_standin, REANA_YAML)
    assert status == "failed"
    assert "KeyError" in logs and "events" in logs


def test_the_reana_client_body_runs(reana_standin):
    spec = json.loads(json.dumps(REANA_YAML))
    spec["inputs"]["parameters"] = {"events": 7}
    spec["workflow"]["specification"] = {"job_dependencies": {}, "steps": []}
    status, logs = run_snakemake(reana_standin, spec)
    assert status == "finished", logs


def test_unsupported_compute_backends_are_refused_at_creation(reana_standin):
    spec = {
        "workflow": {
            "type": "serial",
            "specification": {
                "steps": [
                    {
                        "name": "a",
                        "environment": "busybox",
                        "commands": ["ls"],
                        "compute_backend": "htcondorcern",
                    }
                ]
            },
        }
    }
    status, answer = api(reana_standin, "POST", "workflows", spec, workflow_name="backend")
    assert status == 400
    assert answer["message"].startswith('Compute backend "htcondorcern" found in step "a"')


@pytest.mark.parametrize("name", ["./code/a.py", "code/./a.py", "../x"])
def test_dotted_upload_names_are_refused(reana_standin, name):
    spec = {"workflow": {"type": "serial", "specification": {"steps": []}}}
    _, created = api(reana_standin, "POST", "workflows", spec, workflow_name="dots")
    status, _ = api(
        reana_standin,
        "POST",
        f"workflows/{created['workflow_id']}/workspace",
        b"x",
        "application/octet-stream",
        file_name=name,
    )
    assert status == 400
