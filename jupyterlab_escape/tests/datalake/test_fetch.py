"""Fetch jobs against the real Rucio testbed: files, datasets, containers, corruption, resume,
replica fallback, cancel, path traversal, persistence, and replica mode with rules."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import subprocess
import zlib
from pathlib import Path

import pytest
from tornado.httpclient import HTTPClientError

from jupyterlab_escape.datalake.fetch import FetchRunner
from jupyterlab_escape.datalake.plan import name_parts
from jupyterlab_escape.http import EscapeError
from jupyterlab_escape.jobs import JobStore

from .helpers import get_json

TESTBED_TLS = {"EscapeRucio": {"ca_bundle": lambda tb: str(tb.ca_cert)}}


def mounted(begins_at: int = 1):
    """Download mode with the testbed's LOCAL_MOUNT seen as a local mount of this host."""
    return {
        "EscapeRucio": {
            "ca_bundle": lambda tb: str(tb.ca_cert),
            "destination_rse": lambda tb: tb.local_rse.name,
            "rse_mount_path": lambda tb: str(tb.local_rse.mount_path),
            "path_begins_at": begins_at,
        }
    }


def escape_app(serverapp):
    return next(iter(serverapp.extension_manager.extension_apps["jupyterlab_escape"]))


async def start(jp_fetch, dids, dest=None, expect=202) -> dict:
    body = {"dids": dids} | ({"dest": dest} if dest is not None else {})
    response = await jp_fetch("escape", "datalake", "fetch", method="POST", body=json.dumps(body))
    assert response.code == expect
    return json.loads(response.body)


async def post_error(jp_fetch, path: tuple, body: dict) -> tuple[int, dict]:
    try:
        await jp_fetch(*path, method="POST", body=json.dumps(body))
    except HTTPClientError as err:
        return err.code, json.loads(err.response.body)["error"]
    raise AssertionError(f"{path} {body} did not fail")


async def finished(jp_fetch, job_id: str, timeout: float = 180) -> dict:
    for _ in range(int(timeout / 0.1)):
        job = await get_json(jp_fetch, f"fetch/{job_id}")
        if job["state"] not in ("queued", "resolving", "running"):
            return job
        await asyncio.sleep(0.1)
    raise AssertionError(f"job {job_id} still {job['state']}")


def checksums(path: Path) -> tuple[str, str]:
    data = path.read_bytes()
    return f"{zlib.adler32(data) & 0xFFFFFFFF:08x}", hashlib.md5(data).hexdigest()


def leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(".escape-part")]


def replace_bytes(path: Path, data: bytes) -> None:
    """Corrupt a stored replica the way the testbed can restore: a new inode, never in place."""
    temp = path.with_name(path.name + ".corrupt")
    temp.write_bytes(data)
    os.replace(temp, path)


def storage_path(tb, rse: str, scope: str, name: str) -> Path:
    pfns = tb.rucio("replica", "list", "file", "--pfns", f"{scope}:{name}").stdout.split()
    prefix = tb.rses[rse].https_prefix
    return tb.rses[rse].local_path(next(p for p in pfns if p.startswith(prefix)))


@pytest.fixture
def restore_testbed(rucio_testbed):
    yield rucio_testbed
    rucio_testbed.reset()


# ---------------------------------------------------------------------------- download mode


@pytest.mark.escape_config(TESTBED_TLS)
async def test_fetch_a_file_verified_under_datalake_scope_name(
    jp_fetch, jp_root_dir, rucio_testbed
):
    did = rucio_testbed.datasets["text_file"]
    job = await start(jp_fetch, [did["did"]])
    assert job["state"] in ("queued", "resolving", "running")
    job = await finished(jp_fetch, job["id"])
    assert job["state"] == "done", job
    target = jp_root_dir / "datalake" / did["scope"] / did["name"]
    assert job["paths"] == [
        {"did": did["did"], "path": f"datalake/{did['scope']}/{did['name']}", "type": "file"}
    ]
    (item,) = job["files"]
    assert item["state"] == "verified" and item["rse"]
    assert checksums(target) == (item["adler32"], item["md5"])
    assert (
        job["files_done"] == 1 and job["bytes_done"] == job["bytes_total"] == target.stat().st_size
    )
    assert not leftovers(jp_root_dir)

    # Fetching again finds the verified file and does not download it again.
    again = await finished(jp_fetch, (await start(jp_fetch, [did["did"]]))["id"])
    assert again["state"] == "done" and again["files_present"] == 1
    assert again["transferred"] == 0


@pytest.mark.escape_config(TESTBED_TLS)
async def test_fetch_a_dataset_into_its_folder(jp_fetch, jp_root_dir, rucio_testbed):
    ds = rucio_testbed.datasets["cta_dataset"]
    job = await finished(jp_fetch, (await start(jp_fetch, [ds["did"]]))["id"])
    assert job["state"] == "done", job["errors"]
    folder = jp_root_dir / "datalake" / ds["scope"] / ds["name"]
    files = sorted(p for p in folder.iterdir())
    assert len(files) == job["files_total"] == 8
    for item in job["files"]:
        path = jp_root_dir / item["path"]
        assert path.parent == folder
        assert checksums(path) == (item["adler32"], item["md5"])
    assert job["paths"][0]["type"] == "dataset"
    assert job["message"] == "8 file(s) verified in datalake."
    listed = (await get_json(jp_fetch, "fetch"))["jobs"]
    assert job["id"] in [j["id"] for j in listed]


@pytest.mark.escape_config(TESTBED_TLS)
async def test_fetch_a_container_keeps_the_did_structure(jp_fetch, jp_root_dir, rucio_testbed):
    container = rucio_testbed.datasets["path_like_container"]
    dataset = rucio_testbed.datasets["path_like_dataset"]
    job = await finished(
        jp_fetch, (await start(jp_fetch, [container["did"]], dest="data/lake"))["id"]
    )
    assert job["state"] == "done", job["errors"]
    # '/lofar/lta/2024/L645678' -> folders; the dataset is a folder inside it; file names with
    # leading or double slashes become plain relative paths.
    base = jp_root_dir / "data/lake/escape_lofar"
    dataset_dir = base.joinpath(*name_parts(dataset["name"]))
    assert dataset_dir.is_dir()
    assert job["files_total"] == 9
    for item in job["files"]:
        path = jp_root_dir / item["path"]
        assert dataset_dir in path.parents
        assert checksums(path) == (item["adler32"], item["md5"])
    assert (dataset_dir / "lofar/double/slash.h5").is_file()


@pytest.mark.escape_config(TESTBED_TLS)
async def test_corrupted_replica_is_detected_and_the_file_refused(
    jp_fetch, jp_root_dir, restore_testbed
):
    tb = restore_testbed
    ds = tb.datasets["remote_dataset"]  # only on ESCAPE_DISK: no other replica to fall back on
    names = tb.rucio("did", "content", "list", ds["did"], "--short").stdout.split()
    victim = sorted(n.split(":", 1)[1] for n in names if ":" in n)[0]
    stored = storage_path(tb, "ESCAPE_DISK", ds["scope"], victim)
    size = stored.stat().st_size
    replace_bytes(stored, b"\0" * size)  # same size, wrong content

    job = await finished(jp_fetch, (await start(jp_fetch, [ds["did"]]))["id"])
    assert job["state"] == "failed"
    assert job["files_failed"] == 1 and job["files_done"] == job["files_total"] - 1
    (bad,) = [f for f in job["files"] if f["state"] == "failed"]
    assert bad["did"] == f"{ds['scope']}:{victim}"
    assert "corrupted" in bad["error"] and "adler32" in bad["error"]
    assert not (jp_root_dir / bad["path"]).exists()
    assert not leftovers(jp_root_dir)
    assert job["errors"][0]["did"] == bad["did"]


@pytest.mark.escape_config(mounted())
async def test_local_mount_first_then_fallback_to_the_next_replica(
    jp_fetch, jp_root_dir, restore_testbed
):
    tb = restore_testbed
    ds = tb.datasets["local_dataset"]  # every file on LOCAL_MOUNT and ESCAPE_DISK
    names = sorted(
        n.split(":", 1)[1]
        for n in tb.rucio("did", "content", "list", ds["did"], "--short").stdout.split()
        if ":" in n
    )
    broken = storage_path(tb, "LOCAL_MOUNT", ds["scope"], names[0])
    replace_bytes(broken, b"not the data")
    gone = storage_path(tb, "LOCAL_MOUNT", ds["scope"], names[1])
    gone.unlink()

    job = await finished(jp_fetch, (await start(jp_fetch, [ds["did"]]))["id"])
    assert job["state"] == "done", job["errors"]
    by_name = {f["did"].split(":", 1)[1]: f for f in job["files"]}
    assert by_name[names[0]]["rse"] == "ESCAPE_DISK"  # corrupted on the mount and over https
    assert by_name[names[1]]["rse"] == "ESCAPE_DISK"  # missing on the mount: 404 over https
    assert {f["rse"] for n, f in by_name.items() if n not in names[:2]} == {"LOCAL_MOUNT"}
    for item in job["files"]:
        assert checksums(jp_root_dir / item["path"]) == (item["adler32"], item["md5"])


@pytest.mark.escape_config(TESTBED_TLS)
async def test_interrupted_transfer_resumes_with_range_after_a_restart(
    jp_serverapp, jp_fetch, jp_root_dir, rucio_testbed
):
    did = next(d for d in rucio_testbed.large_files if d.endswith("02969.dl2.h5"))  # 256 MiB
    app = escape_app(jp_serverapp)
    manager: FetchRunner = app.datalake_fetch
    job = manager.start(None, [did], None)
    for _ in range(20000):  # until a first MiB is on disk
        await asyncio.sleep(0.002)
        if job.data.files and job.data.files[0].done >= 1024 * 1024:
            break
    await app.jobs.shutdown()  # what a server stop does
    assert job.state == "interrupted"
    (item,) = job.data.files
    target = jp_root_dir / item.path
    part = target.with_name(f".{target.name}.escape-part")
    partial = part.stat().st_size
    assert 0 < partial < item.bytes and not target.exists()

    # A new server reads the saved jobs: the job is there, interrupted, and resumes.
    store = JobStore(app.jobs.state_file)
    restarted = FetchRunner(manager.instances, manager.workspace, store)
    again = store.get(job.id)
    assert again.state == "interrupted"
    store.retry(job.id)
    done = await store.wait(job.id)
    await store.shutdown()
    restarted.close()
    assert done.state == "done", store.summary(done)
    assert done.transferred == item.bytes - partial  # only the missing bytes crossed the network
    assert checksums(target) == (item.adler32, item.md5)
    assert not part.exists()


@pytest.mark.escape_config(TESTBED_TLS)
async def test_cancel_stops_and_removes_partial_files(jp_fetch, jp_root_dir, rucio_testbed):
    job = await start(jp_fetch, [rucio_testbed.large_files_dataset])
    for _ in range(2000):
        current = await get_json(jp_fetch, f"fetch/{job['id']}")
        if current["bytes_done"] > 0:
            break
        await asyncio.sleep(0.01)
    response = await jp_fetch(
        "escape", "datalake", "fetch", job["id"], "cancel", method="POST", body=b""
    )
    assert json.loads(response.body)["id"] == job["id"]
    job = await finished(jp_fetch, job["id"])
    assert job["state"] == "cancelled"
    assert job["files_done"] < job["files_total"]
    assert not leftovers(jp_root_dir)
    # Retry picks up where the cancel left off and completes.
    await jp_fetch("escape", "datalake", "fetch", job["id"], "retry", method="POST", body=b"")
    job = await finished(jp_fetch, job["id"])
    assert job["state"] == "done"
    await jp_fetch("escape", "datalake", "fetch", job["id"], method="DELETE")
    assert job["id"] not in [j["id"] for j in (await get_json(jp_fetch, "fetch"))["jobs"]]


async def test_destinations_outside_the_workspace_are_refused(jp_fetch, jp_root_dir, tmp_path):
    did = "escape_cta:cta.prod5.south.gamma.run0001.dl1"
    for dest in ("../outside", "/etc", "a/../../b"):
        code, error = await post_error(
            jp_fetch, ("escape", "datalake", "fetch"), {"dids": [did], "dest": dest}
        )
        assert (code, error["code"]) == (400, "bad_path"), dest
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (jp_root_dir / "linked").symlink_to(outside)
    code, error = await post_error(
        jp_fetch, ("escape", "datalake", "fetch"), {"dids": [did], "dest": "linked"}
    )
    assert code == 400 and "symbolic link" in error["message"]
    assert list(outside.iterdir()) == []


@pytest.mark.escape_config(TESTBED_TLS)
async def test_names_that_climb_out_of_their_folder_are_refused(
    jp_fetch, jp_root_dir, restore_testbed
):
    """Rucio accepts 'a/../../x' as a file name: such a file is refused, the others fetched."""
    tb = restore_testbed
    data = b"must never be written\n"
    script = f"""
import hashlib, zlib
from rucio.client import Client
c = Client()
data = {data!r}
files = []
for name in ("probe/../../../../escape-evil.txt", "ok-file.txt"):
    f = {{"scope": "escape_opendata", "name": name, "bytes": len(data),
         "adler32": "%08x" % zlib.adler32(data), "md5": hashlib.md5(data).hexdigest()}}
    c.add_replicas("ESCAPE_DISK", [f])
    files.append({{"scope": "escape_opendata", "name": name}})
c.add_dataset("escape_opendata", "traversal.probe")
c.attach_dids("escape_opendata", "traversal.probe", files)
"""
    command = [str(tb.python_bin), "-c", script]
    await asyncio.to_thread(subprocess.run, command, env=tb.env(), check=True, timeout=120)
    ok_file = storage_path(tb, "ESCAPE_DISK", "escape_opendata", "ok-file.txt")
    ok_file.parent.mkdir(parents=True, exist_ok=True)
    replace_bytes(ok_file, data)
    job = await finished(
        jp_fetch, (await start(jp_fetch, ["escape_opendata:traversal.probe"]))["id"]
    )
    by_name = {f["name"]: f for f in job["files"]}
    evil = by_name["probe/../../../../escape-evil.txt"]
    assert evil["state"] == "failed" and "leaves" in evil["error"]
    assert not list(jp_root_dir.parent.rglob("escape-evil.txt"))
    assert job["state"] == "failed" and job["files_failed"] == 1
    assert by_name["ok-file.txt"]["state"] == "verified"
    # Selected directly, the same name is refused before any job exists.
    code, error = await post_error(
        jp_fetch,
        ("escape", "datalake", "fetch"),
        {"dids": ["escape_opendata:probe/../../../../escape-evil.txt"]},
    )
    assert code == 400 and error["code"] == "bad_path"
    assert "leaves" in error["message"]


@pytest.mark.escape_config(TESTBED_TLS)
async def test_same_selection_twice_is_refused_while_running(jp_fetch, rucio_testbed):
    did = rucio_testbed.large_files_dataset
    first = await start(jp_fetch, [did])
    code, error = await post_error(jp_fetch, ("escape", "datalake", "fetch"), {"dids": [did]})
    assert (code, error["code"]) == (409, "job_conflict")
    await jp_fetch("escape", "datalake", "fetch", first["id"], "cancel", method="POST", body=b"")
    assert (await finished(jp_fetch, first["id"]))["state"] == "cancelled"


async def test_bad_requests(jp_fetch):
    for body in ({}, {"dids": []}, {"dids": "escape_cta:x"}, {"dids": ["no-colon"]}):
        code, error = await post_error(jp_fetch, ("escape", "datalake", "fetch"), body)
        assert code == 400, body
    try:
        await jp_fetch("escape", "datalake", "fetch", "0123abcd")
    except HTTPClientError as err:
        assert err.code == 404
    else:
        raise AssertionError("unknown job answered")


def test_name_parts():
    assert name_parts("/lofar/lta//x.h5") == ["lofar", "lta", "x.h5"]
    assert name_parts("./a/./b") == ["a", "b"]
    for bad in ("a/../../b", "..", "/", ""):
        with pytest.raises(EscapeError):
            name_parts(bad)


# ---------------------------------------------------------------------------- replica mode


@pytest.mark.escape_config({"EscapeRucio": {"mode": "replica"} | mounted()["EscapeRucio"]})
async def test_replica_mode_reuses_rules_and_creates_one_on_local_mount(jp_fetch, restore_testbed):
    tb = restore_testbed
    who = await get_json(jp_fetch, "whoami")
    assert who["fetch"] == {
        "mode": "replica",
        "destination_rse": "LOCAL_MOUNT",
        "fetch_dir": "datalake",
    }

    # A dataset already ruled on LOCAL_MOUNT: the rule is shown, the local paths exist.
    local = tb.datasets["local_dataset"]
    status = await get_json(jp_fetch, "replica", did=local["did"])
    assert status["rule"]["state"] == "OK" and status["rule"]["did"] == local["did"]
    assert status["available"] and len(status["files"]) == 20
    for item in status["files"]:
        path = Path(item["path"])
        assert item["available"] and await asyncio.to_thread(path.is_file)
        assert tb.local_rse.mount_path in path.parents

    # A file of another dataset, inside the ruled one too: the parent's rule is reused.
    shared = tb.datasets["shared_files_dataset"]
    names = tb.rucio("did", "content", "list", shared["did"], "--short").stdout.split()
    file_did = next(n for n in names if ":" in n)
    response = await jp_fetch(
        "escape", "datalake", "replica", method="POST", body=json.dumps({"did": file_did})
    )
    body = json.loads(response.body)
    assert body["rule"]["did"] == local["did"] and body["rule"]["reused"] is True

    # A dataset only on ESCAPE_DISK: a new rule, replicating (no transfer daemon in the testbed).
    remote = tb.datasets["remote_dataset"]
    before = await get_json(jp_fetch, "replica", did=remote["did"])
    assert before["rule"] is None and not before["available"]
    response = await jp_fetch(
        "escape", "datalake", "replica", method="POST", body=json.dumps({"did": remote["did"]})
    )
    created = json.loads(response.body)
    rule = created["rule"]
    assert rule["rse_expression"] == "LOCAL_MOUNT" and rule["did"] == remote["did"]
    assert rule["reused"] is False
    assert rule["state"] in ("REPLICATING", "STUCK", "OK")
    assert rule["locks_replicating_cnt"] + rule["locks_ok_cnt"] + rule["locks_stuck_cnt"] == 12
    assert not created["available"]
    # Asking again reuses that rule instead of making a second one.
    response = await jp_fetch(
        "escape", "datalake", "replica", method="POST", body=json.dumps({"did": remote["did"]})
    )
    assert json.loads(response.body)["rule"]["id"] == rule["id"]


async def test_replica_mode_needs_a_destination(jp_fetch):
    code, error = await post_error(
        jp_fetch, ("escape", "datalake", "replica"), {"did": "escape_cta:cta.prod5.south"}
    )
    assert (code, error["code"]) == (409, "replica_mode_off")
