"""Data Lake DIDs as workflow inputs, and outputs back to the lake (issue 18, parts 1 and 2),
against the real Rucio testbed and the REANA stand-in.

Mode "stream": the server reads a small DID from the lake (jdoe's identity) and uploads its files
into the workflow's workspace, checksums verified, nothing written to the Jupyter workspace.
Mode "lake": a DID over ``lake_stream_max_bytes`` is read by the workflow itself; with consent the
user's Rucio identity is set as REANA secrets and the stand-in's job authenticates to the testbed
Rucio with them, as REANA's Rucio init container and ``rucio download`` would.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import urllib.request
import uuid
import zlib
from pathlib import Path

import pytest

from jupyterlab_escape.workflows.cell import CellError, parse_cell

from . import test_kernel
from .test_workflows import call, error_of, submit, wait_for

lab = test_kernel.lab  # the running server as a kernel sees it (fixture)
JDOE = {
    "EscapeRucio": {
        "ca_bundle": lambda tb: str(tb.ca_cert),
        "account": "jdoe",
        "username": "jdoe",
        "password": "jdoe-secret",
    },
}
SMALL_DID = "escape_opendata:crab.nebula.sample"  # 20 files, 1.75 MB (testbed seed)
ONE_FILE = "escape_opendata:crab_nebula_sample.003.fits"
LAKE_SPEC = """\
version: 0.9.0
inputs:
  parameters:
    events: 10
workflow:
  type: serial
  specification:
    steps:
      - name: read
        environment: docker.io/rucio/rucio-clients:release-41.0.0
        rucio: true
        commands:
          - rucio download ${data}
outputs:
  files:
    - results/summary.json
"""
PLAIN_SPEC = """\
version: 0.9.0
workflow:
  type: serial
  specification:
    steps:
      - name: fit
        environment: docker.io/library/python:3.12-slim
        commands:
          - python -c 'print(1)'
outputs:
  files:
    - results/fit.json
    - results/notes.txt
  directories:
    - plots
"""


def name() -> str:
    return f"lake{uuid.uuid4().hex[:8]}"


def cell(options: str, spec: str = LAKE_SPEC) -> str:
    return f"%%reana {options}\n{spec}"


def adler(data: bytes) -> str:
    return f"{zlib.adler32(data) & 0xFFFFFFFF:08x}"


def workspace_files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def read_url(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def standin_secrets(standin) -> dict:
    url = f"{standin.url}/api/secrets?access_token={standin.token}"
    with urllib.request.urlopen(url, timeout=10) as response:
        return {s["name"]: s["type"] for s in json.load(response)}


async def delete_all_secrets(jp_fetch, standin) -> None:
    for secret in standin_secrets(standin):
        await call(jp_fetch, "secrets", method="DELETE", name=secret)


async def job_detail(jp_fetch, events) -> dict:
    listed = await call(jp_fetch, "jobs")
    [job] = [j for j in listed["jobs"] if j.get("workflow_id") == events[-1].get("workflow_id")]
    return await call(jp_fetch, "jobs", job["id"])


# ------------------------------------------------------------------------- the one grammar
def test_the_cell_grammar_names_lake_inputs_and_nothing_else():
    parsed = parse_cell("%%reana -n fit -l data=escape_opendata:run42 --lake b=s:x -p k=v\nv: 1")
    assert parsed.lake == {"data": "escape_opendata:run42", "b": "s:x"}
    assert parsed.parameters == {"k": "v"} and parsed.options_json()["lake"] == parsed.lake
    for bad in ("-l data", "-l =s:x", "-l data=nodid", "--lake-consent", "--consent", "-l"):
        with pytest.raises(CellError):
            parse_cell(f"%%reana {bad}\nversion: 0.9.0")


# ------------------------------------------------------------------------- mode "stream"
@pytest.mark.escape_config(JDOE)
async def test_a_small_did_is_streamed_into_the_workflow_inputs(
    jp_fetch, jp_root_dir, reana_standin
):
    before = workspace_files(Path(jp_root_dir))
    text = cell(f"-n {name()} -l data={SMALL_DID}", PLAIN_SPEC)
    checked = await call(jp_fetch, "validate", method="POST", body={"cell": text, "base": ""})
    [item] = checked["lake"]["inputs"]
    assert item["mode"] == "stream" and item["files"] == 20 and item["bytes"] == 1_750_000
    assert item["path"] == "lake/escape_opendata/crab.nebula.sample"
    assert "streams it into the workflow's inputs" in item["why"] and item["error"] is None
    # Counted in words, and the limit named as one (not "at most", which reads as an estimate).
    assert item["why"].startswith("1.75 MB in 20 files, limit 268 MB: "), item["why"]
    assert checked["lake"]["consent_required"] is False and checked["lake"]["secrets"] == []
    events = await submit(jp_fetch, path=None, cell=text, base="")
    assert events[-1].get("stage") == "started", events
    assert events[0]["lake"][0]["mode"] == "stream"
    ref = events[-1]["workflow_id"]
    captured = reana_standin.capture(ref)["capture"]
    # The DID is a parameter of the specification sent, which stays an official reana.yaml.
    assert captured["create"]["inputs"]["parameters"] == {"data": SMALL_DID}
    uploads = {n: base64.b64decode(b) for n, b in captured["uploads"]}
    streamed = {n: b for n, b in uploads.items() if n.startswith("lake/")}
    assert len(streamed) == 20
    detail = await job_detail(jp_fetch, events)
    [planned] = detail["lake"]
    assert planned["mode"] == "stream" and len(planned["file_list"]) == 20
    for entry in planned["file_list"]:
        data = streamed[entry["path"]]
        assert len(data) == entry["bytes"] and adler(data) == entry["adler32"].zfill(8)
        assert hashlib.md5(data).hexdigest() == entry["md5"]
    assert detail["items_total"] == detail["items_done"] == 20
    # Nothing of the DID was written to the Jupyter workspace.
    assert workspace_files(Path(jp_root_dir)) == before
    assert (await wait_for(jp_fetch, ref))["status"] == "finished"


@pytest.mark.escape_config(JDOE)
async def test_a_file_did_from_the_kernel_api_body(jp_fetch, jp_root_dir, reana_standin):
    """The Python API sends ``lake`` beside the cell; one file lands at lake/<scope>/<name>."""
    text = cell(f"-n {name()}", PLAIN_SPEC)
    events = await submit(jp_fetch, path=None, cell=text, base="", lake={"one": ONE_FILE})
    assert events[-1].get("stage") == "started", events
    uploads = dict(reana_standin.capture(events[-1]["workflow_id"])["capture"]["uploads"])
    data = base64.b64decode(uploads["lake/escape_opendata/crab_nebula_sample.003.fits"])
    assert len(data) == 55_000


# ------------------------------------------------------------------------- mode "lake"
@pytest.mark.escape_config(JDOE | {"EscapeReana": {"lake_stream_max_bytes": 100_000}})
async def test_a_did_too_large_to_stream_is_read_by_the_workflow_with_consent(
    jp_fetch, jp_root_dir, reana_standin, caplog
):
    await delete_all_secrets(jp_fetch, reana_standin)
    text = cell(f"-n {name()} -l data={SMALL_DID}")
    checked = await call(jp_fetch, "validate", method="POST", body={"cell": text, "base": ""})
    [item] = checked["lake"]["inputs"]
    assert item["mode"] == "lake" and item["path"] is None and item["bytes_complete"] is False
    assert "over the 100 kB this server streams" in item["why"]
    assert checked["lake"]["consent_required"] is True
    assert "RUCIO_CFG_CLIENT_PASSWORD" in checked["lake"]["secrets"]
    # Without consent: refused before anything is created, and no secret is sent.
    stats = reana_standin.stats()["workflows"]
    code, error = await error_of(
        jp_fetch,
        "submit",
        method="POST",
        body={"cell": text, "base": "", "idempotency_key": uuid.uuid4().hex},
    )
    assert (code, error["code"]) == (400, "reana_lake_consent"), error
    assert "too large to stream" in error["message"] and "RUCIO_USERNAME" in error["message"]
    assert reana_standin.stats()["workflows"] == stats and standin_secrets(reana_standin) == {}
    # With consent: the identity becomes secrets, the job reads the DID from the testbed Rucio.
    events = await submit(jp_fetch, path=None, cell=text, base="", lake_consent=True)
    assert events[-1].get("stage") == "started", events
    secrets = standin_secrets(reana_standin)
    assert secrets["RUCIO_USERNAME"] == "env" and secrets["RUCIO_CFG_CLIENT_PASSWORD"] == "env"
    ref = events[-1]["workflow_id"]
    captured = reana_standin.capture(ref)["capture"]
    assert not [n for n, _ in captured["uploads"] if n.startswith("lake/")]  # nothing streamed
    assert captured["create"]["inputs"]["parameters"]["data"] == SMALL_DID
    workflow = await wait_for(jp_fetch, ref, timeout=60)
    logs = await call(jp_fetch, "workflows", ref, "logs")
    shown = json.dumps(logs)
    assert workflow["status"] == "finished", shown
    assert "20 file(s), 1750000 bytes, checksums verified" in shown
    # The password went to REANA only: never in an answer or a log line.
    assert "jdoe-secret" not in shown and "jdoe-secret" not in caplog.text
    detail = await job_detail(jp_fetch, events)
    assert "jdoe-secret" not in json.dumps(detail)


@pytest.mark.escape_config(JDOE)
async def test_a_missing_secret_fails_the_run_with_rucios_words(jp_fetch, reana_standin):
    """A job that reads the lake without the password secret fails as rucio does."""
    await delete_all_secrets(jp_fetch, reana_standin)
    for secret, value in {
        "VONAME": "escape",
        "RUCIO_USERNAME": "jdoe",
        "RUCIO_RUCIO_HOST": "http://127.0.0.1:18080",
        "RUCIO_AUTH_HOST": "http://127.0.0.1:18080",
        "RUCIO_CFG_CLIENT_AUTH_TYPE": "userpass",
        "RUCIO_CFG_CLIENT_USERNAME": "jdoe",
    }.items():
        await call(jp_fetch, "secrets", method="POST", body={"name": secret, "value": value})
    text = cell(
        f"-n {name()} -p data={SMALL_DID}", LAKE_SPEC.replace("    events: 10", "    data: x")
    )
    events = await submit(jp_fetch, path=None, cell=text, base="")
    workflow = await wait_for(jp_fetch, events[-1]["workflow_id"], timeout=60)
    logs = json.dumps(await call(jp_fetch, "workflows", workflow["id"], "logs"))
    assert workflow["status"] == "failed", logs
    assert "MissingClientParameter" in logs and "Option 'password' cannot be found" in logs


@pytest.mark.escape_config(JDOE | {"EscapeReana": {"lake_stream_max_bytes": 1}})
async def test_a_wrong_did_fails_the_run_with_rucios_words(jp_fetch, reana_standin):
    """The job's secrets are right, the DID is not: Rucio's DataIdentifierNotFound."""
    text = cell(f"-n {name()} -l data={ONE_FILE}")
    events = await submit(jp_fetch, path=None, cell=text, base="", lake_consent=True)
    assert events[-1].get("stage") == "started", events
    # Same secrets, another DID handed as a plain parameter at a restart.
    wrong = "escape_opendata:no.such.dataset"
    ref = events[-1]["workflow_id"]
    assert (await wait_for(jp_fetch, ref, timeout=60))["status"] == "finished"
    again = await call(
        jp_fetch, "workflows", ref, "restart", method="POST", body={"parameters": {"data": wrong}}
    )
    workflow = await wait_for(jp_fetch, again["workflow_id"], timeout=60)
    logs = json.dumps(await call(jp_fetch, "workflows", again["workflow_id"], "logs"))
    assert workflow["status"] == "failed", logs
    assert f"Data identifier '{wrong}' not found" in logs


@pytest.mark.escape_config(JDOE)
async def test_a_wrong_did_is_refused_before_anything_is_created(jp_fetch, reana_standin):
    stats = reana_standin.stats()["workflows"]
    text = cell(f"-n {name()} -l data=escape_opendata:no.such.dataset", PLAIN_SPEC)
    code, error = await error_of(
        jp_fetch,
        "submit",
        method="POST",
        body={"cell": text, "base": "", "idempotency_key": uuid.uuid4().hex},
    )
    assert code == 400 and "no.such.dataset" in error["message"], error
    assert "not found" in error["message"].lower()
    assert reana_standin.stats()["workflows"] == stats


# ------------------------------------------------------------------------- outputs to the lake
async def datalake_job(jp_fetch, job_id: str, polls: int = 1200) -> dict:
    for _ in range(polls):
        response = await jp_fetch("escape", "datalake", "jobs", job_id)
        job = json.loads(response.body)
        if job["state"] not in ("queued", "running"):
            return job
        await asyncio.sleep(0.1)
    raise AssertionError(f"upload {job_id} still {job['state']}")


@pytest.mark.escape_config(JDOE)
async def test_outputs_go_back_to_the_lake_as_a_new_dataset(
    jp_fetch, jp_root_dir, rucio_testbed, reana_standin, tmp_path
):
    tb = rucio_testbed
    text = cell(f"-n {name()}", PLAIN_SPEC)
    events = await submit(jp_fetch, path=None, cell=text, base="")
    ref = events[-1]["workflow_id"]
    workflow = await wait_for(jp_fetch, ref, timeout=60)
    assert workflow["status"] == "finished"
    proposed = await call(jp_fetch, "workflows", ref, "outputs", "lake")
    assert proposed["dataset"] == f"{workflow['full_name']}.outputs"
    assert proposed["meta"]["stream_name"] == ref
    assert proposed["meta"]["campaign"] == workflow["full_name"]
    assert proposed["outputs"] == ["results/fit.json", "results/notes.txt", "plots"]
    before = workspace_files(Path(jp_root_dir))
    dataset = f"out-{uuid.uuid4().hex[:8]}"
    body = {"scope": "user.jdoe", "rse": tb.upload_rse.name, "dataset": dataset}
    started = await call(jp_fetch, "workflows", ref, "outputs", "lake", method="POST", body=body)
    job = await datalake_job(jp_fetch, started["id"])
    detail = json.loads((await jp_fetch("escape", "datalake", "jobs", job["id"])).body)
    assert job["state"] == "done", [(f["name"], f["error"]) for f in detail["files"]]
    produced = {f["name"]: f for f in detail["files"]}
    assert set(produced) == {
        f"{dataset}.results.fit.json",
        f"{dataset}.results.notes.txt",
        f"{dataset}.plots.result.txt",
    }
    # Every file's checksums are those of the bytes in the workflow's workspace.
    uploads = reana_standin.capture(ref)
    assert uploads["status"] == "finished"
    for did_name, entry in produced.items():
        path = did_name[len(dataset) + 1 :].replace("results.", "results/")
        path = path.replace("plots.", "plots/")
        url = f"{reana_standin.url}/api/workflows/{ref}/workspace/{path}"
        data = await asyncio.to_thread(read_url, f"{url}?access_token={reana_standin.token}")
        assert entry["adler32"] == adler(data) and entry["md5"] == hashlib.md5(data).hexdigest()
    # The real Rucio: the dataset holds the three files, with the workflow in its metadata.
    listed = tb.rucio("list-files", f"user.jdoe:{dataset}", account="jdoe").stdout
    for did_name, entry in produced.items():
        assert did_name in listed and entry["adler32"] in listed
    shown = tb.rucio("get-metadata", f"user.jdoe:{dataset}", account="jdoe").stdout
    assert ref in shown and workflow["full_name"] in shown
    # No copy left in the workspace: the scratch folder is gone.
    for _ in range(50):
        if workspace_files(Path(jp_root_dir)) == before:
            break
        await asyncio.sleep(0.1)
    assert workspace_files(Path(jp_root_dir)) == before


@pytest.mark.escape_config(JDOE)
async def test_outputs_of_an_unfinished_run_or_with_a_bad_name_are_refused(
    jp_fetch, jp_root_dir, rucio_testbed, reana_standin
):
    text = cell(f"-n {name()}", PLAIN_SPEC.replace("print(1)", "exit 1"))
    events = await submit(jp_fetch, path=None, cell=text, base="")
    ref = events[-1]["workflow_id"]
    body = {"scope": "user.jdoe", "rse": rucio_testbed.upload_rse.name}
    code, error = await error_of(jp_fetch, "workflows", ref, "outputs", "lake")
    assert code == 409 and "only the outputs of a finished run" in error["message"]
    await wait_for(jp_fetch, ref, timeout=60)
    for bad in ("../x", ".hidden", "a/b", ""):
        code, error = await error_of(
            jp_fetch,
            "workflows",
            ref,
            "outputs",
            "lake",
            method="POST",
            body=body | {"dataset": bad},
        )
        assert code in (400, 409), error
    assert not [p for p in os.listdir(jp_root_dir) if p.startswith("reana")] or not any(
        n.startswith("to-lake-") for n in os.listdir(Path(jp_root_dir) / "reana")
    )


# ------------------------------------------------------------------------- the kernel API
@pytest.mark.escape_config(JDOE)
async def test_the_kernel_api_takes_lake_inputs_and_uploads_outputs(
    lab,
    jp_root_dir,
    rucio_testbed,
    reana_standin,  # noqa: F811
):
    from jupyterlab_escape.kernel import api

    spec = PLAIN_SPEC
    workflow = await asyncio.to_thread(
        api.submit, spec, name(), base=jp_root_dir, lake={"one": ONE_FILE}, server=lab
    )
    assert workflow["lake"][0]["mode"] == "stream" and workflow["lake"][0]["did"] == ONE_FILE
    final = await asyncio.to_thread(api.wait, workflow, interval=0.2, timeout=60, server=lab)
    assert final["status"] == "finished"
    # Too large to stream (consent missing): the server's words, nothing submitted.
    big = "escape_opendata:lst1.crab.2020.dl2"
    with pytest.raises(api.EscapeKernelError, match="too large to stream"):
        await asyncio.to_thread(
            api.submit, spec, name(), base=jp_root_dir, lake={"big": big}, server=lab
        )
    dataset = f"kout-{uuid.uuid4().hex[:8]}"
    job = await asyncio.to_thread(
        api.outputs_to_lake,
        workflow,
        "user.jdoe",
        rucio_testbed.upload_rse.name,
        dataset=dataset,
        timeout=120,
        server=lab,
    )
    assert job["state"] == "done" and job["dataset"] == f"user.jdoe:{dataset}"
    listed = rucio_testbed.rucio("list-files", f"user.jdoe:{dataset}", account="jdoe").stdout
    assert f"{dataset}.results.fit.json" in listed


def test_sizes_read_as_the_browser_shows_them():
    """The reason beside a DID's badge uses the browser's formatBytes rule (format.ts), so a
    dataset is not '1.8 MB' in the sentence and '1.75 MB' in the badge."""
    from jupyterlab_escape.workflows.lake import size_text

    shown = {77: "77 B", 999: "999 B", 40_000: "40.0 kB", 100_000: "100 kB"}
    shown |= {1_750_000: "1.75 MB", 268_435_456: "268 MB", 1999: "2.00 kB", 5 * 10**15: "5.00 PB"}
    for n, text in shown.items():
        assert size_text(n) == text, n
