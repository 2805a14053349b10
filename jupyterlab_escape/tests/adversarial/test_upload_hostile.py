"""Hostile selections for Data Lake uploads (#15): what a path, a link or a kernel's folder can
make the server upload. Every case asserts the exact refusal and that nothing was written in the
sandbox (the ``writes`` guard) and nothing reached the storage."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import pytest
from tornado.httpclient import HTTPClientError

JDOE = {
    "EscapeRucio": {
        "ca_bundle": lambda tb: str(tb.ca_cert),
        "account": "jdoe",
        "username": "jdoe",
        "password": "jdoe-secret",
    }
}
JOBS = ("home/.local/share/jupyter/jupyterlab_escape/jobs-",)
SECRET = b"-----BEGIN OPENSSH PRIVATE KEY----- hostile-upload-test\n"


@pytest.fixture
def jp_root_dir(jp_home_dir):
    """Under JupyterHub the server's root is the user's whole home."""
    return jp_home_dir


@pytest.fixture
def home(jp_home_dir, jp_data_dir, jp_runtime_dir) -> Path:
    (jp_home_dir / ".ssh").mkdir(exist_ok=True)
    (jp_home_dir / ".ssh" / "id_rsa").write_bytes(SECRET)
    (jp_runtime_dir / "jpserver-4242.json").write_text('{"token": "planted"}')
    results = jp_home_dir / "results"
    results.mkdir(exist_ok=True)
    (results / "ok.csv").write_text("a,b\n")
    (results / ".env").write_text("TOKEN=planted\n")
    (results / "key").symlink_to(jp_home_dir / ".ssh" / "id_rsa")
    (results / "etc").symlink_to("/etc")
    (jp_home_dir / "passwd-link").symlink_to("/etc/passwd")
    return jp_home_dir


def storage_files(tb) -> set[str]:
    root = tb.upload_rse.mount_path
    return {str(p) for p in root.rglob("*") if p.is_file()}


async def refused(jp_fetch, body: dict) -> tuple[int, dict]:
    try:
        await jp_fetch("escape", "datalake", "upload", method="POST", body=json.dumps(body))
    except HTTPClientError as err:
        return err.code, json.loads(err.response.body)["error"]
    raise AssertionError(f"{body} was not refused")


CASES = [
    (".ssh/id_rsa", "'.ssh' is hidden (hidden files and folders are not written)"),
    ("../outside.txt", "it leaves the workspace"),
    ("results/../../outside.txt", "it leaves the workspace"),
    ("/etc/passwd", "absolute paths are not allowed"),
    ("passwd-link", "it goes through a symbolic link"),
    ("results/key", "it goes through a symbolic link"),
    ("results/etc/passwd", "it goes through a symbolic link"),
    ("results/.env", "'.env' is hidden"),
    (".local/share/jupyter/runtime/jpserver-4242.json", "'.local' is hidden"),
    ("results\\..\\..\\x", "not a plain relative path"),
    ("a\x00b", "not a plain relative path"),
]


@pytest.mark.escape_config(JDOE)
@pytest.mark.parametrize("path, why", CASES, ids=[c[0] for c in CASES])
async def test_hostile_path_is_refused_and_nothing_sent(
    jp_fetch, home, writes, rucio_testbed, path, why
):
    before = storage_files(rucio_testbed)
    writes.rebase()
    body = {"paths": [path], "scope": "user.jdoe", "rse": rucio_testbed.upload_rse.name}
    status, error = await refused(jp_fetch, body)
    assert status == 400 and error["code"] == "bad_path", error
    assert why in error["message"] and "Refused to upload" in error["message"]
    assert storage_files(rucio_testbed) == before
    writes.assert_nothing(ignore=JOBS)


@pytest.mark.escape_config(JDOE)
async def test_folder_walk_leaves_hidden_files_and_links_out(jp_fetch, home, writes, rucio_testbed):
    writes.rebase()
    body = {
        "paths": ["results"],
        "scope": "user.jdoe",
        "rse": rucio_testbed.upload_rse.name,
        "check": True,
    }
    response = await jp_fetch("escape", "datalake", "upload", method="POST", body=json.dumps(body))
    plan = json.loads(response.body)
    assert [f["path"] for f in plan["files"]] == ["results/ok.csv"]
    assert sorted((s["path"], s["why"]) for s in plan["skipped"]) == [
        ("results/.env", "hidden file"),
        ("results/etc", "symbolic link"),
        ("results/key", "symbolic link"),
    ]
    writes.assert_nothing(ignore=JOBS)


@pytest.mark.escape_config(JDOE)
async def test_kernel_folder_outside_the_root_is_refused(
    jp_fetch, home, writes, rucio_testbed, tmp_path
):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "data.csv").write_text("x\n")
    writes.rebase()
    body = {
        "paths": ["data.csv"],
        "cwd": str(outside),
        "scope": "user.jdoe",
        "rse": rucio_testbed.upload_rse.name,
    }
    status, error = await refused(jp_fetch, body)
    assert status == 400 and "outside the Jupyter server's root directory" in error["message"]
    writes.assert_nothing(ignore=JOBS)


@pytest.mark.escape_config(JDOE)
async def test_name_that_would_break_a_pfn_is_refused(jp_fetch, home, writes, rucio_testbed):
    (home / "results" / "x#y?.csv").write_text("1\n")
    writes.rebase()
    body = {
        "paths": ["results/x#y?.csv"],
        "scope": "user.jdoe",
        "rse": rucio_testbed.upload_rse.name,
    }
    status, error = await refused(jp_fetch, body)
    assert status == 400 and error["code"] == "bad_did_name"
    assert "naming rule" in error["message"]
    body["names"] = {"results/x#y?.csv": "../../etc/x"}
    status, error = await refused(jp_fetch, body)
    assert status == 400 and error["code"] == "bad_did_name"
    writes.assert_nothing(ignore=JOBS)
    assert (home / "results" / "x#y?.csv").exists()  # noqa: ASYNC240 - a test assertion


FORGED_KERNELS = [
    {"id": "k"},
    42,
    "../../../../etc/passwd",
    "00000000-0000-0000-0000-000000000000",
]


@pytest.mark.escape_config(JDOE)
@pytest.mark.parametrize("kernel", FORGED_KERNELS, ids=["object", "number", "path", "unknown"])
async def test_a_forged_kernel_is_refused_and_nothing_sent(
    jp_fetch, home, writes, rucio_testbed, kernel
):
    """Provenance from the kernel: only a kernel this server runs names a job's origin."""
    before = storage_files(rucio_testbed)
    writes.rebase()
    body = {
        "paths": ["results/ok.csv"],
        "scope": "user.jdoe",
        "rse": rucio_testbed.upload_rse.name,
        "kernel": kernel,
    }
    status, error = await refused(jp_fetch, body)
    assert status == 400 and error["message"] == "kernel is not a kernel of this Jupyter server."
    assert storage_files(rucio_testbed) == before
    writes.assert_nothing(ignore=JOBS)


@pytest.mark.escape_config(JDOE)
async def test_a_request_cannot_choose_the_notebook_of_the_origin(jp_fetch, home, rucio_testbed):
    """An ``origin`` (or a notebook) in the request is not read: a browser upload has none."""
    body = {
        "paths": ["results/ok.csv"],
        "scope": "user.jdoe",
        "rse": rucio_testbed.upload_rse.name,
        "names": {"results/ok.csv": f"origin-forged-{uuid.uuid4().hex[:8]}.csv"},
        "origin": {"kernel": "k", "notebook": "victim.ipynb"},
        "notebook": "victim.ipynb",
    }
    response = await jp_fetch("escape", "datalake", "upload", method="POST", body=json.dumps(body))
    job = json.loads(response.body)
    assert response.code == 202 and job["origin"] is None
    for _ in range(600):
        answer = await jp_fetch("escape", "datalake", "jobs", job["id"])
        job = json.loads(answer.body)
        if job["state"] not in ("queued", "running"):
            break
        await asyncio.sleep(0.1)
    assert job["state"] == "done" and job["origin"] is None
