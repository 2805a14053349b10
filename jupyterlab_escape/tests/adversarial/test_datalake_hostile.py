"""Hostile notebooks, DID names and Rucio/storage answers against the Data Lake fetch.

A notebook's metadata may name a destination; a Rucio catalogue may hold names written by anyone;
a storage may redirect anywhere or never stop sending. None of them chooses where we write or
which host we contact. Every case asserts the exact refusal and that nothing landed outside the
intended folder (``writes``)."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import stat

import pytest
from tornado.httpclient import HTTPClientError

from jupyterlab_escape.config import EscapeRucio, read_token_file
from jupyterlab_escape.datalake.auth import RucioAuth
from jupyterlab_escape.datalake.credentials import CredentialStore
from jupyterlab_escape.datalake.transfer import (
    StorageRefused,
    check_address,
    rank_replicas,
    wire_url,
)
from jupyterlab_escape.http import EscapeError, ServiceHTTP

from .hostile_rucio import HostileFile, HostileRucio


def hidden(name: str) -> str:
    return f"{name!r} is hidden (hidden files and folders are not written)"


STATE = ("data", "runtime", "config", "home/.local/share/jupyter/jupyterlab_escape")


@pytest.fixture
def hostile():
    server = HostileRucio().start()
    yield server
    server.stop()


@pytest.fixture
def escape_config(escape_config, hostile, request):
    """Every test here talks to the hostile Rucio, with its storage on loopback allowed unless
    the test says otherwise (``@pytest.mark.private_storage(False)``)."""
    marker = request.node.get_closest_marker("private_storage")
    escape_config["EscapeRucio"] = {
        "url": hostile.url,
        "auth_type": "userpass",
        "account": "hostile",
        "username": "u",
        "password": "hostile-password-3b1f",
        "destination_rse": "",
        "rse_mount_path": "",
        "allow_private_storage": marker.args[0] if marker else True,
        "fetch_max_jobs": 1,
        "fetch_concurrency": 2,
    }
    return escape_config


async def post(jp_fetch, body: dict) -> tuple[int, dict]:
    try:
        response = await jp_fetch(
            "escape", "datalake", "fetch", method="POST", body=json.dumps(body)
        )
    except HTTPClientError as err:
        return err.code, json.loads(err.response.body)["error"]
    return response.code, json.loads(response.body)


async def finished(jp_fetch, job_id: str) -> dict:
    for _ in range(3000):
        response = await jp_fetch("escape", "datalake", "fetch", job_id, method="GET")
        job = json.loads(response.body)
        if job["state"] not in ("queued", "resolving", "running"):
            return job
        await asyncio.sleep(0.02)
    raise AssertionError("the fetch did not finish")


# ---------------------------------------------------------------- destinations from a notebook
NOTEBOOK_DESTS = [
    (".local/share/jupyter/kernels/evil", "a notebook may only name places inside datalake/"),
    ("../../etc", "it leaves the workspace"),
    ("/etc/cron.d", "absolute paths are not allowed"),
    ("notebooks/elsewhere", "a notebook may only name places inside datalake/"),
    ("datalake/../.ipython/profile_default/startup", "it leaves the workspace"),
    ("datalake/.ipython", hidden(".ipython")),
    ("datalake/a\x00b", "not a plain relative path"),
    ("datalake/" + "a" * 256, "a name is longer than 255 bytes"),
    ("datalake\\..\\..\\etc", "not a plain relative path"),
]


@pytest.mark.parametrize("dest,why", NOTEBOOK_DESTS)
async def test_notebook_destinations_stay_in_the_fetch_folder(jp_fetch, writes, dest, why):
    for check in (True, False):  # the dialog's check and the real start refuse alike
        body = {"dids": ["hostile:ok.txt"], "dest": dest, "origin": "notebook", "check": check}
        code, error = await post(jp_fetch, body)
        assert code == 400 and error["code"] == "bad_path", error
        assert error["message"] == f"Refused to write to {dest!r}: {why}."
    jobs = json.loads((await jp_fetch("escape", "datalake", "fetch")).body)["jobs"]
    assert jobs == []  # no job exists
    writes.assert_nothing(ignore=STATE)


async def test_notebook_destination_inside_the_fetch_folder_is_planned(jp_fetch, writes):
    body = {"dids": ["hostile:run/a.h5"], "dest": "datalake/run7", "origin": "notebook"}
    code, plan = await post(jp_fetch, body | {"check": True})
    assert code == 200
    assert plan == {
        "dest": "datalake/run7",
        "paths": [{"did": "hostile:run/a.h5", "path": "datalake/run7/hostile/run/a.h5"}],
    }
    writes.assert_nothing(ignore=STATE)


# ------------------------------------------------------------ destinations and names of the user
@pytest.mark.parametrize(
    "dest,why",
    [
        (
            ".local/share/jupyter/kernels/evil",
            hidden(".local"),
        ),
        ("work/.git/hooks", hidden(".git")),
        (
            ".ipython/profile_default/startup",
            hidden(".ipython"),
        ),
    ],
)
async def test_user_destinations_in_hidden_folders_are_refused(jp_fetch, writes, dest, why):
    code, error = await post(jp_fetch, {"dids": ["hostile:ok.txt"], "dest": dest})
    assert code == 400 and error["message"] == f"Refused to write to {dest!r}: {why}."
    writes.assert_nothing(ignore=STATE)


@pytest.mark.parametrize(
    "did,why",
    [
        ("hostile:.bashrc", hidden(".bashrc")),
        (
            "hostile:a/.ssh/authorized_keys",
            hidden(".ssh"),
        ),
        ("hostile:" + "n" * 300, "a name is longer than 255 bytes"),
    ],
)
async def test_hostile_did_names_are_refused_before_any_job(jp_fetch, writes, did, why):
    code, error = await post(jp_fetch, {"dids": [did]})
    assert code == 400 and error["code"] == "bad_path"
    assert error["message"].endswith(f": {why}.")
    writes.assert_nothing(ignore=STATE)


async def test_unknown_origin_is_refused(jp_fetch):
    code, error = await post(jp_fetch, {"dids": ["hostile:ok.txt"], "origin": "attacker"})
    assert code == 400 and error["message"] == "origin is 'notebook' or 'user'."


@pytest.fixture
def jp_server_config(jp_server_config, request):
    if request.node.get_closest_marker("allow_hidden"):
        return jp_server_config | {"ContentsManager": {"allow_hidden": True}}
    return jp_server_config


@pytest.mark.allow_hidden
async def test_hidden_destinations_follow_the_contents_manager(jp_fetch):
    code, plan = await post(jp_fetch, {"dids": ["hostile:x"], "dest": "work/.cache", "check": True})
    assert code == 200 and plan["paths"][0]["path"] == "work/.cache/hostile/x"
    # A notebook still may not leave the fetch folder, hidden files allowed or not.
    body = {"dids": ["hostile:x"], "dest": ".local/share", "origin": "notebook", "check": True}
    code, error = await post(jp_fetch, body)
    assert code == 400 and "a notebook may only name places inside datalake/" in error["message"]


# ---------------------------------------------------------------- a hostile catalogue and storage
async def test_hostile_names_in_a_dataset_fail_alone(jp_fetch, jp_root_dir, hostile, writes):
    payload = writes.marker + b" hostile payload\n"
    hostile.files = [
        HostileFile(".ssh/authorized_keys", payload),
        HostileFile("../../../../escape-evil.txt", payload, pfn_path="/storage/evil"),
        HostileFile("deep/" + "n" * 300, payload, pfn_path="/storage/long"),
        HostileFile(".local/share/jupyter/kernels/python3/kernel.json", payload),
        HostileFile("ok.txt", b"fine\n"),
    ]
    code, job = await post(jp_fetch, {"dids": [f"hostile:{hostile.dataset}"]})
    assert code == 202
    job = await finished(jp_fetch, job["id"])
    detail = json.loads((await jp_fetch("escape", "datalake", "fetch", job["id"])).body)
    by_name = {f["name"]: f for f in detail["files"]}
    assert by_name["ok.txt"]["state"] == "verified"
    assert hidden(".ssh") in by_name[".ssh/authorized_keys"]["error"]
    assert hidden(".local") in by_name[".local/share/jupyter/kernels/python3/kernel.json"]["error"]
    assert "leaves" in by_name["../../../../escape-evil.txt"]["error"]
    assert "longer than 255 bytes" in by_name["deep/" + "n" * 300]["error"]
    assert job["state"] == "failed" and job["files_failed"] == 4
    assert "Internal error" not in (job["message"] or "")
    assert (jp_root_dir / "datalake/hostile/hostile.dataset/ok.txt").read_bytes() == b"fine\n"
    writes.assert_only("root_dir/datalake", ignore=STATE)
    assert not writes.carrying_marker()


async def test_redirect_to_another_origin_is_not_followed(jp_fetch, hostile, writes):
    hostile.files = [HostileFile("r.txt", writes.marker, pfn_path="/storage/away")]
    hostile.storage["/storage/away"] = (302, {"Location": "http://127.0.0.2:{port}/steal"}, b"")
    _code, job = await post(jp_fetch, {"dids": ["hostile:r.txt"]})
    job = await finished(jp_fetch, job["id"])
    assert job["state"] == "failed"
    message = job["errors"][0]["message"]
    assert f"127.0.0.1:{hostile.port} redirected to 127.0.0.2:{hostile.port}" in message
    assert "only same-origin redirects are followed" in message
    assert hostile.hits.count("storage /storage/away") == 1  # refused, not retried elsewhere
    writes.assert_nothing(ignore=STATE)


async def test_same_origin_redirect_is_followed(jp_fetch, jp_root_dir, hostile, writes):
    hostile.files = [HostileFile("moved.txt", b"moved bytes\n", pfn_path="/storage/old")]
    hostile.storage["/storage/old"] = (301, {"Location": "/storage/new"}, b"")
    hostile.storage["/storage/new"] = (200, {}, b"moved bytes\n")
    _code, job = await post(jp_fetch, {"dids": ["hostile:moved.txt"]})
    job = await finished(jp_fetch, job["id"])
    assert job["state"] == "done", job
    assert hostile.hits[-2:] == ["storage /storage/old", "storage /storage/new"]
    assert (jp_root_dir / "datalake/hostile/moved.txt").read_bytes() == b"moved bytes\n"
    writes.assert_only("root_dir/datalake", ignore=STATE)


async def test_endless_storage_body_stops_at_the_listed_size(
    jp_fetch, jp_root_dir, hostile, writes
):
    hostile.files = [HostileFile("small.txt", b"0123456789", pfn_path="/storage/endless")]
    hostile.storage["/storage/endless"] = (200, {}, None)
    _code, job = await post(jp_fetch, {"dids": ["hostile:small.txt"]})
    job = await finished(jp_fetch, job["id"])
    assert job["state"] == "failed"
    assert "more than the 10 bytes Rucio lists" in job["errors"][0]["message"]
    assert not [p for p in jp_root_dir.rglob("*") if p.is_file()]  # no partial file left
    writes.assert_nothing(ignore=STATE)


async def test_a_file_without_checksum_is_said_so(jp_fetch, jp_root_dir, hostile):
    hostile.files = [HostileFile("plain.txt", b"no sums\n", checksums=False)]
    _code, job = await post(jp_fetch, {"dids": ["hostile:plain.txt"]})
    job = await finished(jp_fetch, job["id"])
    assert job["state"] == "done"
    assert job["message"] == (
        "1 file(s) verified in datalake. 1 file(s) have no checksum in Rucio: only their size "
        "was checked."
    )
    detail = json.loads((await jp_fetch("escape", "datalake", "fetch", job["id"])).body)
    assert detail["files"][0]["unchecked"] is True


async def test_davs_replicas_are_read_over_https():
    assert wire_url("davs://storage.example.org:443/eos/a.h5") == (
        "https://storage.example.org:443/eos/a.h5"
    )
    assert wire_url("http://s/x") == "http://s/x"
    with pytest.raises(StorageRefused, match="scheme 'root' is not read by this server"):
        wire_url("root://eos.example.org//eos/a.h5")
    item = {
        "rses": {"A": ["davs://a.example/x"]},
        "states": {"A": "AVAILABLE"},
        "pfns": {"davs://a.example/x": {"priority": 1}},
    }
    assert [c.url for c in rank_replicas(item, None, "", 0)] == ["davs://a.example/x"]


@pytest.mark.private_storage(False)
async def test_loopback_storage_is_refused_unless_allowed(jp_fetch, hostile, writes):
    hostile.files = [HostileFile("p.txt", b"private\n")]
    _code, job = await post(jp_fetch, {"dids": ["hostile:p.txt"]})
    job = await finished(jp_fetch, job["id"])
    assert job["state"] == "failed"
    assert (
        "127.0.0.1 is a private or loopback address (EscapeRucio.allow_private_storage)"
        in job["errors"][0]["message"]
    )
    assert not any(h.startswith("storage ") for h in hostile.hits)  # never contacted
    writes.assert_nothing(ignore=STATE)


@pytest.mark.parametrize("address", ["169.254.169.254", "fe80::1"])
def test_link_local_storage_is_always_refused(address):
    for allow_private in (False, True):
        with pytest.raises(StorageRefused, match="is a link-local address"):
            check_address(address, 80, allow_private)


async def test_a_name_resolving_to_link_local_is_refused(jp_fetch, hostile, monkeypatch, writes):
    real = socket.getaddrinfo

    def fake(host, *args, **kwargs):
        if host == "metadata.hostile.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", 80))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    hostile.files = [HostileFile("m.txt", b"x", pfn_path="/storage/meta")]
    location = "http://metadata.hostile.test/latest/meta-data/"
    hostile.storage["/storage/meta"] = (302, {"Location": location}, b"")
    _code, job = await post(jp_fetch, {"dids": ["hostile:m.txt"]})
    job = await finished(jp_fetch, job["id"])
    assert job["state"] == "failed"
    # a different origin: refused before its address is even looked at
    assert "only same-origin redirects are followed" in job["errors"][0]["message"]
    writes.assert_nothing(ignore=STATE)


async def test_an_existing_user_file_is_never_replaced(jp_fetch, jp_root_dir, hostile, writes):
    mine = jp_root_dir / "datalake/hostile/notes.txt"
    mine.parent.mkdir(parents=True)
    mine.write_bytes(b"my own notes\n")
    writes.rebase()  # the user's own file is part of the scene
    hostile.files = [HostileFile("notes.txt", writes.marker)]
    _code, job = await post(jp_fetch, {"dids": ["hostile:notes.txt"]})
    job = await finished(jp_fetch, job["id"])
    assert job["state"] == "failed"
    assert job["errors"][0]["message"] == (
        "A different file already exists at datalake/hostile/notes.txt; move it away or fetch "
        "elsewhere."
    )
    assert mine.read_bytes() == b"my own notes\n"
    writes.assert_nothing(ignore=STATE)


async def test_a_planted_link_at_the_part_name_is_not_followed(
    jp_fetch, jp_root_dir, hostile, tmp_path, writes
):
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"untouched\n")
    folder = jp_root_dir / "datalake/hostile"
    folder.mkdir(parents=True)
    os.symlink(outside, folder / ".linked.txt.escape-part")
    writes.rebase()
    hostile.files = [HostileFile("linked.txt", writes.marker)]
    _code, job = await post(jp_fetch, {"dids": ["hostile:linked.txt"]})
    job = await finished(jp_fetch, job["id"])
    assert job["state"] == "failed"
    assert outside.read_bytes() == b"untouched\n"
    assert not (folder / "linked.txt").exists()
    writes.assert_only("root_dir/datalake", ignore=STATE)
    assert not writes.carrying_marker()


async def test_running_jobs_are_bounded(jp_fetch, hostile):
    hostile.files = [HostileFile("slow.bin", b"s" * 10, pfn_path="/storage/slow")]
    hostile.storage["/storage/slow"] = (200, {}, None)  # keeps the first job busy
    hostile.files.append(HostileFile("other.txt", b"o"))
    code, first = await post(jp_fetch, {"dids": ["hostile:slow.bin"]})
    assert code == 202
    code, error = await post(jp_fetch, {"dids": ["hostile:other.txt"]})
    if code == 202:  # the first job already ended (the endless body is cut at 10 bytes)
        pytest.fail("the first job ended before the second request; the cap was not exercised")
    assert code == 429 and error["code"] == "too_many_jobs"
    assert error["message"] == (
        "1 fetch jobs are already running on this server (at most 1); wait for one to finish or "
        "cancel one, then retry."
    )
    await finished(jp_fetch, first["id"])


# ---------------------------------------------------------------- local files the server reads
@pytest.mark.parametrize("kind", ["fifo", "device", "huge"])
def test_token_files_that_are_not_files_never_hang(tmp_path, kind):
    if kind == "fifo":
        path = tmp_path / "token"
        os.mkfifo(path)  # nobody writes: a blocking open() would hang forever
    elif kind == "device":
        path = "/dev/zero"  # a read() would never end
    else:
        path = tmp_path / "token"
        path.write_bytes(b"a" * (1024 * 1024))
    assert read_token_file(str(path)) == ""


def test_a_fifo_token_file_gets_a_clear_message(tmp_path, hostile):
    fifo = tmp_path / "token-fifo"
    os.mkfifo(fifo)
    config = EscapeRucio(url=hostile.url, auth_type="oidc", oidc_token_file=str(fifo))
    auth = RucioAuth(config, ServiceHTTP(config))
    with pytest.raises(EscapeError) as caught:
        auth._oidc_token()
    assert caught.value.status == 401
    assert caught.value.message == (
        f"The Rucio token file {fifo} is not a token file (a regular file of at most 64 KiB)."
    )


def test_an_existing_credentials_folder_is_made_private(tmp_path):
    folder = tmp_path / "creds"
    folder.mkdir(mode=0o777)
    os.chmod(folder, 0o777)
    store = CredentialStore(EscapeRucio(url="https://rucio.example"), folder / "rucio.json")
    store.save({"auth_type": "userpass", "username": "u", "password": "p", "account": "a"})
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "rucio.json").stat().st_mode) == 0o600


def test_a_planted_link_at_the_credentials_temp_name_is_not_followed(tmp_path):
    folder = tmp_path / "creds"
    folder.mkdir()
    victim = tmp_path / "victim"
    victim.write_text("keep")
    os.symlink(victim, folder / "rucio.json.tmp")
    store = CredentialStore(EscapeRucio(url="https://rucio.example"), folder / "rucio.json")
    store.save({"auth_type": "userpass", "username": "u", "password": "p", "account": "a"})
    assert victim.read_text() == "keep"
    assert json.loads((folder / "rucio.json").read_text())["username"] == "u"


async def test_user_info_in_a_configured_url_never_reaches_a_message(closed_port):
    config = EscapeRucio(url=f"http://alice:s3cret-pw@127.0.0.1:{closed_port}")
    http = ServiceHTTP(config)
    try:
        with pytest.raises(EscapeError) as caught:
            await http.request("GET", "ping")
    finally:
        await http.aclose()
    message = caught.value.message
    assert f"127.0.0.1:{closed_port}" in message
    assert "s3cret" not in message and "alice" not in message
