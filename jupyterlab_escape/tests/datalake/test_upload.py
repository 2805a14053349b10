"""Upload jobs (#15) against the real Rucio testbed: a file, a folder as a dataset, attaching to
an existing dataset, metadata, the rule, a second upload that skips, a name clash, a transfer
killed mid-file then resumed, quota and permission refusals; fidelity with the real rucio CLI
(download byte-identical, list-file-replicas and get-metadata show our checksums and metadata),
and the real `rucio upload` against the write RSE."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import time
import uuid
import zlib
from pathlib import Path

import pytest
from tornado.httpclient import HTTPClientError

from jupyterlab_escape.datalake.upload import UploadRunner
from jupyterlab_escape.datalake.webdav import temporary_url
from jupyterlab_escape.http import EscapeError
from jupyterlab_escape.jobs import JobStore

JDOE = {
    "EscapeRucio": {
        "ca_bundle": lambda tb: str(tb.ca_cert),
        "account": "jdoe",
        "username": "jdoe",
        "password": "jdoe-secret",
    }
}
SCOPE = "user.jdoe"


def tag() -> str:
    return uuid.uuid4().hex[:8]


def escape_app(serverapp):
    return next(iter(serverapp.extension_manager.extension_apps["jupyterlab_escape"]))


def sums(data: bytes) -> tuple[str, str]:
    return f"{zlib.adler32(data) & 0xFFFFFFFF:08x}", hashlib.md5(data).hexdigest()


async def post(jp_fetch, body: dict) -> tuple[int, dict]:
    try:
        response = await jp_fetch(
            "escape", "datalake", "upload", method="POST", body=json.dumps(body)
        )
    except HTTPClientError as err:
        return err.code, json.loads(err.response.body)
    return response.code, json.loads(response.body)


async def job_of(jp_fetch, job_id: str) -> dict:
    response = await jp_fetch("escape", "datalake", "jobs", job_id)
    return json.loads(response.body)


async def finished(jp_fetch, job_id: str, polls: int = 3000) -> dict:
    for _ in range(polls):
        job = await job_of(jp_fetch, job_id)
        if job["state"] not in ("queued", "running"):
            return job
        await asyncio.sleep(0.1)
    raise AssertionError(f"upload {job_id} still {job['state']}")


async def upload(jp_fetch, body: dict) -> dict:
    code, answer = await post(jp_fetch, body)
    assert code == 202, answer
    return await finished(jp_fetch, answer["id"])


def write(root: Path, rel: str, data: bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def replicas(tb, did: str) -> list[dict]:
    out = tb.rucio("list-file-replicas", "--pfns", did, account="jdoe").stdout
    return [{"pfn": line.strip()} for line in out.splitlines() if line.strip()]


def meta(tb, did: str) -> dict:
    out = tb.rucio("get-metadata", did, account="jdoe").stdout
    found = {}
    for line in out.splitlines():
        if ":" in line:
            key, _, value = line.partition(":")
            found[key.strip()] = value.strip()
    return found


def download(tb, did: str, where: Path) -> Path:
    """`rucio download` of one DID; its own words when the file does not arrive."""
    target = where / did.split(":", 1)[1]
    said = []
    for _attempt in range(3):  # the CLI exits 0 on some failures: look at the file itself
        proc = tb.rucio("download", "--dir", str(where), "--no-subdir", did, account="jdoe")
        if target.is_file():
            return target
        said.append(proc.stdout[-2000:] + proc.stderr[-2000:])
        time.sleep(1)
    raise AssertionError(f"rucio download did not deliver {did}:\n" + "\n---\n".join(said))


# ---------------------------------------------------------------------------- the write path
def test_real_rucio_upload_works_on_the_write_rse(rucio_testbed, tmp_path):
    """The testbed's write RSE is real: `rucio upload` (as jdoe, register after upload, as a plain
    account must) puts the bytes over WebDAV and `rucio download` gets them back."""
    tb = rucio_testbed
    data = os.urandom(200_000)
    name = f"cli-upload-{tag()}.bin"
    source = write(tmp_path, name, data)
    # After a testbed reset (other tests reset it), the write RSE's root must still exist:
    # rucio's WebDAV writer checks it with a HEAD and gives up on a 404, exiting 0.
    tb.reset()
    up = tb.rucio(
        "upload", "--rse", tb.upload_rse.name, "--scope", SCOPE, "--register-after-upload",
        str(source), account="jdoe",
    )  # fmt: skip
    replicas = tb.rucio("list-file-replicas", f"{SCOPE}:{name}", account="jdoe", check=False)
    assert replicas.returncode == 0 and tb.upload_rse.name in replicas.stdout, (
        up.stdout[-1500:] + up.stderr[-1500:] + replicas.stderr[-500:]
    )
    back = download(tb, f"{SCOPE}:{name}", tmp_path / "back")
    assert back.read_bytes() == data
    # and the denied RSE refuses jdoe
    other = write(tmp_path, f"denied-{tag()}.bin", b"x" * 100)
    proc = tb.rucio(
        "upload", "--rse", tb.denied_rse.name, "--scope", SCOPE, "--register-after-upload",
        str(other), account="jdoe", check=False,
    )  # fmt: skip
    # (the CLI exits 0 here; it says it in words)
    assert f"can not add file replicas on {tb.denied_rse.name}" in proc.stdout + proc.stderr


# ---------------------------------------------------------------------------- happy paths
@pytest.mark.escape_config(JDOE)
async def test_upload_a_file_with_metadata_and_rule_fidelity(
    jp_fetch, jp_root_dir, rucio_testbed, tmp_path
):
    tb = rucio_testbed
    data = os.urandom(300_000)
    name = f"fit-{tag()}.root"
    write(jp_root_dir, f"results/{name}", data)
    body = {
        "paths": [f"results/{name}"],
        "scope": SCOPE,
        "rse": tb.upload_rse.name,
        "meta": {"project": "crab_analysis", "datatype": "DL3"},
        "lifetime": 86400,
    }
    code, plan = await post(jp_fetch, body | {"check": True})
    assert code == 200 and plan["problems"] == [], plan
    (entry,) = plan["files"]
    assert entry["did"] == f"{SCOPE}:{name}" and entry["bytes"] == len(data)
    assert entry["pfn"].startswith(tb.upload_rse.https_prefix + "user/jdoe/")
    job = await upload(jp_fetch, body)
    assert job["state"] == "done", job
    assert job["files_done"] == 1 and job["bytes_done"] == len(data) and len(job["rules"]) == 1
    (did,) = job["dids"]
    adler, md5 = sums(data)
    assert (did["adler32"], did["md5"], did["bytes"]) == (adler, md5, len(data))
    assert "read back" in job["files"][0]["verified"]
    # fidelity with the real CLI
    assert download(tb, f"{SCOPE}:{name}", tmp_path / "dl").read_bytes() == data
    listed = tb.rucio("list-file-replicas", f"{SCOPE}:{name}", account="jdoe").stdout
    assert adler in listed and tb.upload_rse.name in listed
    shown = meta(tb, f"{SCOPE}:{name}")
    assert shown["adler32"] == adler and shown["md5"] == md5
    assert shown["project"] == "crab_analysis" and shown["datatype"] == "DL3"
    rule = tb.rucio("rule", "show", job["rules"][0], account="jdoe", check=False)
    if rule.returncode != 0:  # older CLI spelling
        rule = tb.rucio("rule-info", job["rules"][0], account="jdoe")
    assert tb.upload_rse.name in rule.stdout and "jdoe" in rule.stdout
    # no temporary file left on the storage
    assert not [p for p in tb.upload_rse.mount_path.rglob("*.escape-upload")]


@pytest.mark.escape_config(JDOE)
async def test_folder_becomes_a_dataset_then_second_upload_skips(
    jp_fetch, jp_root_dir, rucio_testbed, tmp_path
):
    tb = rucio_testbed
    folder = f"run-{tag()}"
    files = {f"{folder}/a.csv": os.urandom(5000), f"{folder}/sub/b.csv": os.urandom(7000)}
    for rel, data in files.items():
        write(jp_root_dir, rel, data)
    write(jp_root_dir, f"{folder}/.secret", b"hidden")
    body = {"paths": [folder], "scope": SCOPE, "rse": tb.upload_rse.name, "meta": {"version": "v1"}}
    code, plan = await post(jp_fetch, body | {"check": True})
    assert code == 200 and not plan["problems"], plan
    assert plan["dataset"] == {"scope": SCOPE, "name": folder, "new": True}
    # The read-back limit in SI, as the dialog gives every other size (review s3 §2).
    assert plan["verification"].startswith("files up to 67.1 MB are read back")
    assert sorted(f["name"] for f in plan["files"]) == [f"{folder}.a.csv", f"{folder}.sub.b.csv"]
    assert plan["skipped"] == [{"path": f"{folder}/.secret", "why": "hidden file"}]
    job = await upload(jp_fetch, body)
    assert job["state"] == "done" and job["files_done"] == 2, job["errors"]
    # Plurals in words, and the rule id last with no period to wrap alone (review s3 §18).
    assert job["message"].startswith(f"2 files uploaded to {SCOPE}:{folder} on "), job["message"]
    assert "file(s)" not in job["message"] and "path(s)" not in job["message"]
    assert re.search(r"left out\. Replication rule: [0-9a-f]{32}$", job["message"]), job["message"]
    content = tb.rucio("list-content", f"{SCOPE}:{folder}", account="jdoe").stdout
    assert f"{folder}.a.csv" in content and f"{folder}.sub.b.csv" in content
    assert meta(tb, f"{SCOPE}:{folder}")["version"] == "v1"
    for rel, data in files.items():
        name = rel.replace("/", ".")
        assert download(tb, f"{SCOPE}:{name}", tmp_path / tag()).read_bytes() == data
    # the same upload again, attached to the now existing dataset: everything skipped
    again = await upload(jp_fetch, body | {"dataset": folder, "dataset_new": False})
    assert again["state"] == "done", again
    assert again["files_skipped"] == 2 and again["transferred"] == 0


@pytest.mark.escape_config(JDOE)
async def test_attach_to_an_existing_dataset(jp_fetch, jp_root_dir, rucio_testbed):
    tb = rucio_testbed
    dataset = f"user.jdoe.results-{tag()}"
    tb.rucio("did", "add", "--type", "dataset", f"{SCOPE}:{dataset}", account="jdoe", check=False)
    if dataset not in tb.rucio("list-dids", f"{SCOPE}:{dataset}", account="jdoe").stdout:
        tb.rucio("add-dataset", f"{SCOPE}:{dataset}", account="jdoe")
    name = f"extra-{tag()}.txt"
    write(jp_root_dir, name, b"more results\n")
    job = await upload(
        jp_fetch,
        {"paths": [name], "scope": SCOPE, "rse": tb.upload_rse.name, "dataset": dataset},
    )
    assert job["state"] == "done", job
    assert job["dataset"] == f"{SCOPE}:{dataset}"
    assert name in tb.rucio("list-content", f"{SCOPE}:{dataset}", account="jdoe").stdout


# ---------------------------------------------------------------------------- refusals
@pytest.mark.escape_config(JDOE)
async def test_same_name_other_bytes_is_refused(jp_fetch, jp_root_dir, rucio_testbed):
    tb = rucio_testbed
    name = f"clash-{tag()}.dat"
    write(jp_root_dir, name, b"A" * 1000)
    body = {"paths": [name], "scope": SCOPE, "rse": tb.upload_rse.name}
    assert (await upload(jp_fetch, body))["state"] == "done"
    write(jp_root_dir, name, b"B" * 1000)  # same size, other bytes: found by the checksum
    job = await upload(jp_fetch, body)
    assert job["state"] == "failed"
    (error,) = job["errors"]
    assert "already registered with other bytes" in error["message"]
    write(jp_root_dir, name, b"C" * 10)  # other size: refused before anything starts
    code, answer = await post(jp_fetch, body)
    assert code == 409 and answer["error"]["code"] == "did_clash"
    assert "already registered with other bytes" in answer["error"]["message"]


@pytest.mark.escape_config(JDOE)
async def test_quota_and_permission_are_explained_before_starting(
    jp_fetch, jp_root_dir, rucio_testbed
):
    tb = rucio_testbed
    big = jp_root_dir / f"huge-{tag()}.bin"
    with open(big, "wb") as handle:  # noqa: ASYNC230 - sparse: over the quota, no disk used
        handle.truncate(tb.jdoe_upload_limit + 1)
    body = {"paths": [big.name], "scope": SCOPE, "rse": tb.upload_rse.name}
    code, plan = await post(jp_fetch, body | {"check": True})
    assert code == 200
    assert [p["code"] for p in plan["problems"]] == ["rucio_quota_exceeded"]
    assert "quota" in plan["problems"][0]["message"]
    code, answer = await post(jp_fetch, body)
    assert code == 409 and answer["error"]["code"] == "rucio_quota_exceeded"
    small = write(jp_root_dir, f"small-{tag()}.txt", b"x")
    code, answer = await post(
        jp_fetch, {"paths": [small.name], "scope": SCOPE, "rse": tb.denied_rse.name}
    )
    assert code == 403 and answer["error"]["code"] == "rucio_forbidden"
    assert f"may not add files on {tb.denied_rse.name}" in answer["error"]["message"]
    code, answer = await post(jp_fetch, {"paths": [small.name], "scope": SCOPE, "rse": "NOPE"})
    assert code == 404


@pytest.mark.escape_config(JDOE)
async def test_names_checked_against_rucio_rules(jp_fetch, jp_root_dir, rucio_testbed):
    write(jp_root_dir, "a b.txt", b"x")
    code, plan = await post(
        jp_fetch,
        {"paths": ["a b.txt"], "scope": SCOPE, "rse": rucio_testbed.upload_rse.name, "check": True},
    )
    assert code == 200, plan
    assert plan["problems"][0]["code"] == "bad_did_name"
    assert "naming rule" in plan["problems"][0]["message"]


@pytest.mark.escape_config(JDOE)
async def test_options_for_the_dialog(jp_fetch, rucio_testbed):
    tb = rucio_testbed
    response = await jp_fetch("escape", "datalake", "upload", "options")
    options = json.loads(response.body)
    assert options["account"] == "jdoe" and options["scopes"][0] == SCOPE
    by_name = {r["rse"]: r for r in options["rses"]}
    assert by_name[tb.upload_rse.name]["writable"] is True
    assert by_name[tb.upload_rse.name]["limit"] == tb.jdoe_upload_limit
    assert by_name[tb.denied_rse.name]["writable"] is False
    assert options["default_rse"] == tb.upload_rse.name
    assert "project" in options["meta_keys"]


@pytest.mark.escape_config(
    {"EscapeRucio": {"ca_bundle": lambda tb: str(tb.ca_cert)}}  # root: unlimited
)
async def test_options_map_infinity_to_null(jp_fetch, rucio_testbed):
    response = await jp_fetch("escape", "datalake", "upload", "options")
    assert b"Infinity" not in response.body
    options = json.loads(response.body)
    row = next(r for r in options["rses"] if r["rse"] == rucio_testbed.upload_rse.name)
    assert row["limit"] is None and row["unlimited"] is True and row["writable"] is True


# ---------------------------------------------------------------------------- kill and resume
@pytest.mark.escape_config(JDOE)
async def test_killed_mid_file_leaves_nothing_registered_and_retry_completes(
    jp_fetch, jp_root_dir, jp_serverapp, rucio_testbed, tmp_path
):
    tb = rucio_testbed
    app = escape_app(jp_serverapp)
    data = os.urandom(96 * 1024 * 1024)
    name = f"big-{tag()}.bin"
    write(jp_root_dir, name, data)
    code, answer = await post(
        jp_fetch, {"paths": [name], "scope": SCOPE, "rse": tb.upload_rse.name}
    )
    assert code == 202
    job_id = answer["id"]
    store = app.jobs
    for _ in range(100000):  # until some bytes are on their way, not all
        job = store.jobs[job_id]
        store.summary(job)
        if 0 < job.bytes_done < len(data):
            break
        await asyncio.sleep(0.001)
    else:
        raise AssertionError("never saw the transfer under way")
    await store.shutdown()  # the server stops (the job's task is killed mid-file)
    assert store.jobs[job_id].state == "interrupted"
    # nothing registered, nothing at the final PFN
    assert name not in tb.rucio("list-dids", f"{SCOPE}:{name}", account="jdoe").stdout
    pfn = job.data.items[0].pfn
    final = tb.upload_rse.local_path(pfn)
    assert not final.exists()
    # no stray temporary file either: the stopping server deleted it
    temp = tb.upload_rse.local_path(temporary_url(pfn, job_id))
    assert not temp.exists()
    assert not list(final.parent.glob("*.escape-upload"))
    # a process killed outright cannot tidy, and some storages keep a partial PUT: the retry
    # must remove such a leftover before it sends the file again
    temp.parent.mkdir(parents=True, exist_ok=True)
    temp.write_bytes(data[: len(data) // 3])
    # a new server process: the job comes back interrupted, and retry completes it
    restarted_store = JobStore(store.state_file)
    runner = UploadRunner(app.rucio_instances, app.workspace, restarted_store, ())
    job = restarted_store.get(job_id)
    assert job.state == "interrupted"
    restarted_store.retry(job_id)
    await restarted_store.wait(job_id)
    assert job.state == "done", (job.message, job.errors)
    assert final.read_bytes() == data
    assert not list(final.parent.glob("*.escape-upload"))
    assert download(tb, f"{SCOPE}:{name}", tmp_path / "dl").read_bytes() == data
    runner.close()
    await restarted_store.shutdown()


@pytest.mark.escape_config(JDOE)
@pytest.mark.parametrize("rucio_answers", [True, False])
async def test_removing_a_hard_killed_job_leaves_no_dark_data(
    jp_fetch, jp_root_dir, jp_serverapp, rucio_testbed, tmp_path, monkeypatch, rucio_answers
):
    """A server killed outright cannot tidy; when the user then removes the interrupted job
    (no retry), the job's leftovers on the storage go: its partial temporary file, the bytes it
    had verified at a final PFN but not registered; a replica Rucio lists stays. When Rucio does
    not answer, only the temporary files (named after the job) go: no final PFN is touched."""
    tb = rucio_testbed
    app = escape_app(jp_serverapp)
    folder = f"dark-{tag()}"
    files = {f"{folder}/{k}.bin": os.urandom(70_000 + i) for i, k in enumerate("abc")}
    for rel, data in files.items():
        write(jp_root_dir, rel, data)
    # the PFNs are planned for real, then the transfer hangs until the server goes
    hang = asyncio.Event()

    async def hung_transfer(self, job, state, client, storage):
        await hang.wait()

    monkeypatch.setattr(UploadRunner, "_transfer_all", hung_transfer)
    code, answer = await post(
        jp_fetch, {"paths": [folder], "scope": SCOPE, "rse": tb.upload_rse.name}
    )
    assert code == 202, answer
    job_id, store = answer["id"], app.jobs
    for _ in range(3000):
        if store.jobs[job_id].data.phase == "transferring":
            break
        await asyncio.sleep(0.01)
    await store.shutdown()
    items = {i.path: i for i in store.jobs[job_id].data.items}
    assert len(items) == 3 and all(i.pfn for i in items.values())
    a, b, c = (items[rel] for rel in sorted(items))
    # what a SIGKILL leaves: a partial PUT kept at a's temporary name; b verified at its final
    # PFN, not registered; c registered by Rucio just before the kill, the save too late to say so
    temp_a = tb.upload_rse.local_path(temporary_url(a.pfn, job_id))
    temp_a.parent.mkdir(parents=True, exist_ok=True)
    temp_a.write_bytes(files[a.path][:30_000])
    final_b, final_c = tb.upload_rse.local_path(b.pfn), tb.upload_rse.local_path(c.pfn)
    for final, item in ((final_b, b), (final_c, c)):
        final.parent.mkdir(parents=True, exist_ok=True)
        final.write_bytes(files[item.path])
    adler, md5 = sums(files[c.path])
    client = app.rucio_instances.default.client
    await client.post_json(
        "replicas",
        {
            "rse": tb.upload_rse.name,
            "files": [
                {"scope": SCOPE, "name": c.name, "bytes": c.bytes, "adler32": adler, "md5": md5}
                | {"state": "A"}
            ],
        },
    )
    saved = json.loads(store.state_file.read_text())
    for body in saved["jobs"]:
        if body["id"] == job_id:
            for item in body["data"]["items"]:
                if item["path"] in (b.path, c.path):
                    item["state"], item["tried"] = "stored", True
    store.state_file.write_text(json.dumps(saved))
    if not rucio_answers:

        async def unavailable(self, dids):
            raise EscapeError(503, "rucio_unavailable", "Rucio is not answering.")

        monkeypatch.setattr(type(client), "bulk_meta", unavailable)
    # a new server process; the user removes the interrupted job through the route
    restarted = JobStore(store.state_file)
    runner = UploadRunner(app.rucio_instances, app.workspace, restarted, ())
    assert restarted.get(job_id).state == "interrupted"
    app.jobs = restarted
    try:
        response = await jp_fetch("escape", "datalake", "jobs", job_id, method="DELETE")
        assert response.code == 204
        assert job_id not in restarted.jobs
        assert not temp_a.exists()
        assert not list(tb.upload_rse.mount_path.rglob(f"*.{job_id}.escape-upload"))
        # unregistered bytes go, unless Rucio could not say they are unregistered
        assert final_b.exists() is not rucio_answers
        assert final_c.read_bytes() == files[c.path]  # the registered replica stays
        listed = tb.rucio(
            "list-dids", f"{SCOPE}:{folder}*", "--filter", "type=all", account="jdoe"
        ).stdout
        assert c.name in listed and a.name not in listed and b.name not in listed
        assert download(tb, f"{SCOPE}:{c.name}", tmp_path / "dl").read_bytes() == files[c.path]
    finally:
        final_b.unlink(missing_ok=True)
        runner.close()
        await restarted.shutdown()


@pytest.mark.escape_config(JDOE)
async def test_cancel_removes_unregistered_bytes(
    jp_fetch, jp_root_dir, jp_serverapp, rucio_testbed
):
    tb = rucio_testbed
    app = escape_app(jp_serverapp)
    data = os.urandom(64 * 1024 * 1024 + 1)
    name = f"cancel-{tag()}.bin"
    write(jp_root_dir, name, data)
    code, answer = await post(
        jp_fetch, {"paths": [name], "scope": SCOPE, "rse": tb.upload_rse.name}
    )
    assert code == 202
    store = app.jobs
    for _ in range(100000):
        job = store.jobs[answer["id"]]
        store.summary(job)
        if 0 < job.bytes_done < len(data):
            break
        await asyncio.sleep(0.001)
    await jp_fetch("escape", "datalake", "jobs", answer["id"], "cancel", method="POST", body="")
    job = await finished(jp_fetch, answer["id"])
    assert job["state"] == "cancelled"
    pfn = store.jobs[answer["id"]].data.items[0].pfn
    final = tb.upload_rse.local_path(pfn)
    assert not final.exists() and not list(final.parent.glob(f"{name}*"))
    assert name not in tb.rucio("list-dids", f"{SCOPE}:{name}", account="jdoe").stdout


# ---------------------------------------------------------------------------- kernel API
@pytest.fixture
def lab(jp_serverapp, http_server_client, jp_http_port, jp_base_url, jp_auth_header, jp_root_dir):
    from jupyterlab_escape.kernel import EscapeServer

    token = jp_auth_header["Authorization"].split(" ", 1)[1]
    return EscapeServer(f"http://127.0.0.1:{jp_http_port}{jp_base_url}", token, str(jp_root_dir))


@pytest.mark.escape_config(JDOE)
async def test_kernel_upload_from_the_notebooks_folder_returns_provenance(
    lab, jp_root_dir, rucio_testbed
):
    from jupyterlab_escape.kernel import upload
    from jupyterlab_escape.kernel.api import EscapeKernelError

    notebook_dir = jp_root_dir / "analysis"
    name = f"kernel-{tag()}.csv"
    data = b"x,y\n1,2\n"
    write(notebook_dir, f"out/{name}", data)
    result = await asyncio.to_thread(
        upload,
        [f"out/{name}"],
        scope=SCOPE,
        rse=rucio_testbed.upload_rse.name,
        meta={"project": "kernel_test"},
        base=notebook_dir,
        interval=0.1,
        server=lab,
    )
    assert result["state"] == "done"
    (did,) = result["dids"]
    assert did["did"] == f"{SCOPE}:{name}"
    assert (did["adler32"], did["md5"]) == sums(data)
    assert did["rse"] == rucio_testbed.upload_rse.name
    with pytest.raises(EscapeKernelError, match="leaves the workspace"):
        await asyncio.to_thread(
            upload, ["../../x"], scope=SCOPE, rse="ESCAPE_USERDISK", base=notebook_dir, server=lab
        )


@pytest.mark.escape_config(JDOE)
async def test_kernel_upload_records_its_origin_from_the_servers_sessions(
    lab, jp_fetch, jp_root_dir, rucio_testbed
):
    """Provenance from the kernel: the job names the kernel and the notebook of its session,
    as this server knows them; a kernel this server does not run is refused."""
    from jupyterlab_escape.kernel import upload
    from jupyterlab_escape.kernel.api import EscapeKernelError

    write(jp_root_dir, "analysis/fit.ipynb", b'{"cells": [], "metadata": {}, "nbformat": 4, ' +
          b'"nbformat_minor": 5}')  # fmt: skip
    response = await jp_fetch(
        "api",
        "sessions",
        method="POST",
        body=json.dumps(
            {
                "path": "analysis/fit.ipynb",
                "type": "notebook",
                "name": "fit.ipynb",
                "kernel": {"name": "python3"},
            }
        ),  # fmt: skip
    )
    kernel = json.loads(response.body)["kernel"]["id"]
    try:
        name = f"origin-{tag()}.txt"
        write(jp_root_dir, f"analysis/{name}", b"fit result\n")
        result = await asyncio.to_thread(
            upload,
            [name],
            scope=SCOPE,
            rse=rucio_testbed.upload_rse.name,
            base=jp_root_dir / "analysis",
            interval=0.1,
            server=lab,
            kernel=kernel,
        )
        assert result["state"] == "done"
        job = await job_of(jp_fetch, result["job"])
        assert job["origin"] == {"kernel": kernel, "notebook": "analysis/fit.ipynb"}
        assert [d["did"] for d in job["dids"]] == [f"{SCOPE}:{name}"]
        # from the browser (no kernel): no origin
        code, answer = await post(
            jp_fetch,
            {"paths": [f"analysis/{name}"], "scope": SCOPE, "rse": rucio_testbed.upload_rse.name},
        )
        assert code == 202 and answer["origin"] is None
        await rucio_wait(jp_fetch, answer["id"])
        # a kernel this server does not run: refused, nothing starts
        with pytest.raises(EscapeKernelError, match="not a kernel of this Jupyter server"):
            await asyncio.to_thread(
                upload,
                [name],
                scope=SCOPE,
                rse=rucio_testbed.upload_rse.name,
                base=jp_root_dir / "analysis",
                server=lab,
                kernel="00000000-0000-0000-0000-000000000000",
            )
    finally:
        await jp_fetch("api", "kernels", kernel, method="DELETE")


async def rucio_wait(jp_fetch, job_id: str) -> dict:
    for _ in range(600):
        job = await job_of(jp_fetch, job_id)
        if job["state"] not in ("queued", "running"):
            return job
        await asyncio.sleep(0.1)
    raise AssertionError(f"job {job_id} did not end")


def test_kernel_id_is_read_from_the_connection_file(monkeypatch):
    import ipykernel.connect

    from jupyterlab_escape.kernel.datalake import kernel_id

    monkeypatch.setattr(
        ipykernel.connect,
        "get_connection_file",
        lambda: "/run/jupyter/kernel-1c2d3e4f-0000-4a4a-8b8b-123456789abc.json",
    )
    assert kernel_id() == "1c2d3e4f-0000-4a4a-8b8b-123456789abc"
    monkeypatch.setattr(ipykernel.connect, "get_connection_file", lambda: "/tmp/odd name.json")
    assert kernel_id() is None

    def outside():
        raise RuntimeError("not in a kernel")

    monkeypatch.setattr(ipykernel.connect, "get_connection_file", outside)
    assert kernel_id() is None
