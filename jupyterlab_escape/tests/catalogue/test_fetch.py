"""Fetching a record's files into the workspace: md5 verified, contained, optionally unzipped."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest

from jupyterlab_escape.catalogue.fetch import unpack
from jupyterlab_escape.http import EscapeError
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
        job = await get_json(jp_fetch, "fetches", job["id"])
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
    assert job["done_bytes"] == job["total_bytes"] > 0
    assert all(p["state"] == "verified" for p in job["files"])
    assert all(not p["path"].startswith("/") for p in job["files"]), "no server paths leak"
    assert f"{job['dest']}/{name}-{version}/codemeta.json" in job["extracted"]
    assert not list(folder.rglob("*.part"))
    listed = await get_json(jp_fetch, "fetches")
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


async def test_unknown_file_and_cancel(jp_fetch, jp_root_dir, zenodo_standin):
    record_id = _software(zenodo_standin.state, big=True)
    code, error, _ = await error_of(
        jp_fetch, "records", record_id, "fetch", method="POST", body=json.dumps({"keys": ["nope"]})
    )
    assert code == 400 and error["code"] == "bad_file"
    zenodo_standin.state.switches.delay = 0.5  # slow: 24 chunks of 256 KiB at 50 ms each
    response = await jp_fetch(
        "escape", "catalogue", "records", record_id, "fetch", method="POST",
        body=json.dumps({"keys": ["events.h5"], "dest": "big"}),
    )  # fmt: skip
    job = json.loads(response.body)
    await asyncio.sleep(0.8)
    running = await get_json(jp_fetch, "fetches", job["id"])
    assert running["state"] == "running"
    await jp_fetch("escape", "catalogue", "fetches", job["id"], method="DELETE")
    for _ in range(50):
        job = await get_json(jp_fetch, "fetches", job["id"])
        if job["state"] != "running":
            break
        await asyncio.sleep(0.05)
    assert job["state"] == "cancelled"
    assert list((Path(jp_root_dir) / "big").iterdir()) == []


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
