"""Fetching a record's files into the workspace: md5 verified, contained, optionally unzipped."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from tornado.httpclient import HTTPClientError

from jupyterlab_escape.catalogue.archive import unpack
from jupyterlab_escape.catalogue.fetch import CatalogueFetchRunner
from jupyterlab_escape.http import EscapeError
from jupyterlab_escape.jobs import JobStore
from jupyterlab_escape.workspace import Workspace

from .helpers import error_of, get_json


def _software(state, big: bool = False) -> str:
    for r in state.records:
        if (
            r.json["versions"]["is_latest"]
            and r.json["access"]["files"] == "public"
            and r.json["metadata"]["resource_type"]["id"] == "software"
            and "codemeta.json" in r.files
            and ("events.h5" in r.files) == big
        ):
            return r.id
    raise AssertionError("no such record in the seed")


async def _fetch(jp_fetch, record_id, **body):
    response = await jp_fetch(
        "escape", "catalogue", "records", record_id, "fetch", method="POST", body=json.dumps(body)
    )
    assert response.code == 202
    job = json.loads(response.body)
    for _ in range(200):
        if job["state"] not in ("queued", "running"):
            return job
        await asyncio.sleep(0.05)
        job = await get_json(jp_fetch, "jobs", job["id"])
    raise AssertionError(f"job still {job['state']}")


async def test_fetch_writes_verified_files_and_extracts_zips(jp_fetch, jp_root_dir, zenodo_standin):
    record_id = _software(zenodo_standin.state)
    stored = zenodo_standin.state.by_id[record_id]
    job = await _fetch(jp_fetch, record_id, extract=True)
    assert job["state"] == "done", job["message"]
    name = stored.json["metadata"]["title"].split(":")[0]
    version = stored.json["metadata"]["version"]
    assert job["dest"] == f"ossr/{name}-{version}"
    folder = Path(jp_root_dir) / job["dest"]
    for key, f in stored.files.items():
        assert hashlib.md5((folder / key).read_bytes()).hexdigest() == f.md5
    assert job["kind"] == "catalogue.fetch" and job["record_id"] == record_id
    assert job["bytes_done"] == job["bytes_total"] > 0
    assert job["items_done"] == job["items_total"] == len(stored.files)
    assert job["items_failed"] == 0 and job["errors"] == []
    assert all(p["state"] == "verified" for p in job["files"])
    assert all(not p["path"].startswith("/") for p in job["files"]), "no server paths leak"
    assert f"{job['dest']}/{name}-{version}/codemeta.json" in job["extracted"]
    assert not list(folder.rglob("*.part"))
    listed = await get_json(jp_fetch, "jobs")
    assert [j["id"] for j in listed["jobs"]] == [job["id"]]


async def test_corrupted_download_is_refused_and_removed(jp_fetch, jp_root_dir, zenodo_standin):
    record_id = _software(zenodo_standin.state)
    key = sorted(zenodo_standin.state.by_id[record_id].files)[0]
    await get_json(jp_fetch, "records", record_id)  # record and codemeta.json now cached
    zenodo_standin.state.switches.corrupt_next_download = True
    job = await _fetch(jp_fetch, record_id, keys=[key], dest="corrupt")
    assert job["state"] == "failed"
    assert "arrived corrupted" in job["message"] and "nothing was kept" in job["message"]
    assert list((Path(jp_root_dir) / "corrupt").iterdir()) == []


async def test_a_429_during_a_fetch_pauses_the_job(jp_fetch, jp_root_dir, zenodo_standin):
    record_id = _software(zenodo_standin.state)
    await get_json(jp_fetch, "records", record_id)  # record and codemeta.json now cached
    zenodo_standin.state.switches.rate_limit_next = 1
    zenodo_standin.state.switches.retry_after = 1
    job = await _fetch(jp_fetch, record_id, dest="paced")
    assert job["state"] == "done", job["message"]
    assert zenodo_standin.state.switches.rate_limit_next == 0  # the 429 was met and waited out
    assert all(p["state"] == "verified" for p in job["files"])


@pytest.mark.parametrize("dest", ["../outside", "/etc/ossr", "a/../../b", "C:/x", "a\\b"])
async def test_destinations_outside_the_workspace_are_refused(jp_fetch, dest, zenodo_standin):
    record_id = _software(zenodo_standin.state)
    code, error, _ = await error_of(
        jp_fetch, "records", record_id, "fetch", method="POST", body=json.dumps({"dest": dest})
    )
    assert code == 400 and error["code"] == "bad_path", error


async def test_symlink_escape_is_refused(jp_fetch, jp_root_dir, tmp_path_factory, zenodo_standin):
    outside = tmp_path_factory.mktemp("outside")
    (Path(jp_root_dir) / "link").symlink_to(outside, target_is_directory=True)
    record_id = _software(zenodo_standin.state)
    code, error, _ = await error_of(
        jp_fetch, "records", record_id, "fetch", method="POST", body=json.dumps({"dest": "link/x"})
    )
    assert code == 400 and "symbolic link" in error["message"]
    assert list(outside.iterdir()) == []


def escape_app(serverapp):
    return next(iter(serverapp.extension_manager.extension_apps["jupyterlab_escape"]))


async def _start(jp_fetch, record_id, **body) -> dict:
    response = await jp_fetch(
        "escape", "catalogue", "records", record_id, "fetch", method="POST", body=json.dumps(body)
    )
    assert response.code == 202
    return json.loads(response.body)


async def _until(jp_fetch, job_id, done) -> dict:
    """Poll the job route until ``done(job)``; a bounded number of polls, never a clock."""
    for _ in range(400):
        job = await get_json(jp_fetch, "jobs", job_id)
        if done(job):
            return job
        await asyncio.sleep(0.02)
    raise AssertionError(f"job {job_id} never got there: {job}")


def _finished(job) -> bool:
    return job["state"] not in ("queued", "running")


async def test_unknown_file_cancel_retry_and_remove_through_the_routes(
    jp_fetch, jp_root_dir, zenodo_standin
):
    record_id = _software(zenodo_standin.state, big=True)
    stored = zenodo_standin.state.by_id[record_id].files["events.h5"]
    code, error, _ = await error_of(
        jp_fetch, "records", record_id, "fetch", method="POST", body=json.dumps({"keys": ["nope"]})
    )
    assert code == 400 and error["code"] == "bad_file"
    zenodo_standin.state.switches.delay = 0.5  # slow: 24 chunks of 256 KiB at 50 ms each
    job = await _start(jp_fetch, record_id, keys=["events.h5"], dest="big")
    assert job["state"] in ("queued", "running") and job["bytes_total"] == stored.size
    running = await _until(jp_fetch, job["id"], lambda j: j["bytes_done"] > 0)
    assert running["state"] == "running"
    assert running["files"][0]["state"] == "downloading"

    # DELETE forgets a finished job only; a running one is cancelled with POST .../cancel.
    code, error, _ = await error_of(jp_fetch, "jobs", job["id"], method="DELETE")
    assert (code, error["code"]) == (409, "job_running")
    response = await jp_fetch(
        "escape", "catalogue", "jobs", job["id"], "cancel", method="POST", body=b""
    )
    assert json.loads(response.body)["id"] == job["id"]
    job = await _until(jp_fetch, job["id"], _finished)
    assert job["state"] == "cancelled"
    assert job["message"] == "Cancelled; partial files were removed."
    assert list((Path(jp_root_dir) / "big").iterdir()) == []

    # Retry fetches it again, to the end.
    zenodo_standin.state.switches.delay = 0
    response = await jp_fetch(
        "escape", "catalogue", "jobs", job["id"], "retry", method="POST", body=b""
    )
    assert json.loads(response.body)["state"] in ("queued", "running", "done")
    job = await _until(jp_fetch, job["id"], _finished)
    assert job["state"] == "done", job["message"]
    target = Path(jp_root_dir) / "big/events.h5"
    assert hashlib.md5(target.read_bytes()).hexdigest() == stored.md5
    code, error, _ = await error_of(jp_fetch, "jobs", job["id"], "retry", method="POST", body=b"")
    assert (code, error["code"]) == (409, "job_done")

    response = await jp_fetch("escape", "catalogue", "jobs", job["id"], method="DELETE")
    assert response.code == 204
    code, error, _ = await error_of(jp_fetch, "jobs", job["id"])
    assert (code, error["code"]) == (404, "job_not_found")
    assert (await get_json(jp_fetch, "jobs"))["jobs"] == []
    assert target.exists(), "removing a job keeps its files"


async def test_the_old_fetches_routes_are_gone(jp_fetch, zenodo_standin):
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("escape", "catalogue", "fetches")
    assert caught.value.code == 404


async def test_a_fetch_interrupted_by_a_restart_resumes_keeping_verified_files(
    jp_serverapp, jp_fetch, jp_root_dir, zenodo_standin
):
    record_id = _software(zenodo_standin.state, big=True)
    files = zenodo_standin.state.by_id[record_id].files
    small = sorted(k for k in files if k != "events.h5")[0]
    app = escape_app(jp_serverapp)
    runner: CatalogueFetchRunner = app.catalogue_fetch
    zenodo_standin.state.switches.delay = 0.5  # 50 ms per 256 KiB chunk of events.h5
    job = await _start(jp_fetch, record_id, keys=[small, "events.h5"], dest="resume")
    job = app.jobs.get(job["id"])
    first, big = job.data.files
    for _ in range(2000):  # until the big file is partly on disk
        await asyncio.sleep(0.005)
        if big.done >= 256 * 1024:
            break
    assert first.state == "verified" and 0 < big.done < big.size
    await app.jobs.shutdown()  # what a server stop does
    assert job.state == "interrupted"
    folder = Path(jp_root_dir) / "resume"
    assert sorted(p.name for p in folder.iterdir()) == [small], "no partial file is left"

    # A new server reads the saved jobs: the job is there, interrupted, and resumes.
    store = JobStore(app.jobs.state_file)
    CatalogueFetchRunner(runner.client, runner.workspace, store)
    again = store.get(job.id)
    shown = store.summary(again)
    assert shown["state"] == "interrupted"
    assert "retry to resume" in shown["message"]
    assert [f["state"] for f in shown["files"]] == ["verified", "waiting"]
    assert shown["items_done"] == 1 and shown["bytes_done"] == files[small].size
    zenodo_standin.state.switches.delay = 0
    before = dict(zenodo_standin.state.stats.paths)
    store.retry(job.id)
    done = await store.wait(job.id)
    await store.shutdown()
    assert done.state == "done", store.summary(done)
    assert done.transferred == files["events.h5"].size, "the verified file was not fetched again"
    fetched = [p for p, n in zenodo_standin.state.stats.paths.items() if n != before.get(p, 0)]
    assert len(fetched) == 1 and fetched[0].endswith("/files/events.h5/content")
    for key in (small, "events.h5"):
        assert hashlib.md5((folder / key).read_bytes()).hexdigest() == files[key].md5
    assert sorted(p.name for p in folder.iterdir()) == sorted([small, "events.h5"])


async def test_a_saved_part_file_of_a_killed_server_is_tidied_on_resume(
    jp_serverapp, jp_root_dir, zenodo_standin
):
    """SIGKILL leaves our temporary file behind: the resumed run removes it (only ours)."""
    record_id = _software(zenodo_standin.state)
    app = escape_app(jp_serverapp)
    record = await app.catalogue.record(record_id)
    key = sorted(f["key"] for f in record["files"])[0]
    store = JobStore(None)
    runner = CatalogueFetchRunner(app.catalogue_fetch.client, app.catalogue_fetch.workspace, store)
    job = runner.start(record, [key], "killed", False)
    await store.wait(job.id)
    assert job.state == "done"
    folder = Path(jp_root_dir) / "killed"
    leftover = folder / f".escape-{job.id}-0123456789ab.part"
    leftover.write_bytes(b"half")
    theirs = folder / ".escape-someone-else.part"
    theirs.write_bytes(b"not ours")
    (folder / key).unlink()
    (item,) = job.data.files
    item.state, item.part = "failed", f"killed/{leftover.name}"
    job.state = "interrupted"
    store.retry(job.id)
    await store.wait(job.id)
    await store.shutdown()
    assert job.state == "done", job.message
    assert not leftover.exists() and theirs.read_bytes() == b"not ours"
    assert (folder / key).exists()


async def test_a_part_file_whose_name_was_never_saved_is_tidied_on_resume(
    jp_serverapp, jp_root_dir, zenodo_standin, tmp_path
):
    """Saves are throttled, so a SIGKILL can lose the name of the latest temporary file (found
    by bench/fault_trials.py --kind catalogue.fetch): the resume finds ours on disk, in the job's
    folder and below it, and leaves links and other names alone."""
    record_id = _software(zenodo_standin.state)
    app = escape_app(jp_serverapp)
    record = await app.catalogue.record(record_id)
    key = sorted(f["key"] for f in record["files"])[0]
    store = JobStore(None)
    runner = CatalogueFetchRunner(app.catalogue_fetch.client, app.catalogue_fetch.workspace, store)
    job = runner.start(record, [key], "lost", False)
    await store.wait(job.id)
    folder = Path(jp_root_dir) / "lost"
    (folder / "sub").mkdir()
    lost = [folder / f".escape-{job.id}-0123456789ab.part"]
    lost.append(folder / "sub" / f".escape-{job.id}-ba9876543210.part")
    for path in lost:
        path.write_bytes(b"half")
    outside = tmp_path / "keep.txt"
    outside.write_text("not ours")
    link = folder / f".escape-{job.id}-aaaaaaaaaaaa.part"
    link.symlink_to(outside)
    other = folder / f".escape-{job.id}-short.part"
    other.write_bytes(b"not our pattern")
    (item,) = job.data.files
    item.state, item.part = "downloading", None  # the save never recorded the name
    job.state = "interrupted"
    runner.on_interrupted(job)
    store.retry(job.id)
    await store.wait(job.id)
    await store.shutdown()
    assert job.state == "done", job.message
    assert not any(p.exists() for p in lost)
    assert link.is_symlink() and outside.read_text() == "not ours"
    assert other.read_bytes() == b"not our pattern"
    assert (folder / key).exists() and not (
        folder / f"{Path(key).stem} (1){Path(key).suffix}"
    ).exists()


async def test_beyond_fetch_max_jobs_the_answer_is_429_and_a_duplicate_409(
    jp_serverapp, jp_fetch, jp_root_dir, zenodo_standin
):
    app = escape_app(jp_serverapp)
    assert app.catalogue_fetch.client.config.fetch_max_jobs == 4  # the default
    app.catalogue_fetch.client.config.fetch_max_jobs = 1
    record_id = _software(zenodo_standin.state, big=True)
    zenodo_standin.state.switches.delay = 0.5
    job = await _start(
        jp_fetch, record_id, keys=["events.h5"], dest="cap/a", idempotency_key="k-12345678"
    )
    again = await _start(
        jp_fetch, record_id, keys=["events.h5"], dest="cap/a", idempotency_key="k-12345678"
    )
    assert again["id"] == job["id"], "the same idempotency key is the same job"
    body = json.dumps({"keys": ["events.h5"], "dest": "cap/a"})
    code, error, _ = await error_of(
        jp_fetch, "records", record_id, "fetch", method="POST", body=body
    )
    assert (code, error["code"]) == (409, "job_conflict")
    assert error["message"] == f"Record {record_id} is already being fetched into cap/a."
    body = json.dumps({"keys": ["events.h5"], "dest": "cap/b"})
    code, error, _ = await error_of(
        jp_fetch, "records", record_id, "fetch", method="POST", body=body
    )
    assert (code, error["code"]) == (429, "too_many_jobs")
    assert "at most 1" in error["message"]
    assert not (Path(jp_root_dir) / "cap/b").exists()
    await jp_fetch("escape", "catalogue", "jobs", job["id"], "cancel", method="POST", body=b"")
    job = await _until(jp_fetch, job["id"], _finished)
    assert job["state"] == "cancelled"
    # A slot is free again.
    zenodo_standin.state.switches.delay = 0
    other = await _start(jp_fetch, record_id, keys=["events.h5"], dest="cap/b")
    other = await _until(jp_fetch, other["id"], _finished)
    assert other["state"] == "done", other["message"]


def test_zip_slip_members_are_refused(tmp_path):
    archive = tmp_path / "evil.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("ok.txt", "fine")
        zf.writestr("../../escaped.txt", "bad")
    archive.write_bytes(buffer.getvalue())
    root = tmp_path / "root"
    (root / "dest").mkdir(parents=True)
    with pytest.raises(EscapeError) as caught:
        unpack(archive, root / "dest", Workspace(root), "evil.zip")
    assert caught.value.code == "bad_path"
    assert not (tmp_path / "escaped.txt").exists() and not (root / "escaped.txt").exists()
    assert list((root / "dest").iterdir()) == [], "refused as a whole, before writing anything"
