"""Hostile folders and hostile Zenodo answers for publishing to the OSSR.

Folders: links out of the folder, hidden files (also re-included by a ``.gitignore`` ``!`` rule),
``.git`` folders anywhere, a ``.gitignore`` we cannot read (too large, a link), a huge or deeply
nested ``codemeta.json``, HTML in the metadata. Zenodo answers: a bucket link or a redirect to
another host (our token must never reach it), a wrong or missing md5, a ``javascript:`` link, an
answer too large to hold, a new-version draft named by a path. Each case asserts the exact
refusal and what went where; a naive implementation (upload the walk, trust the links, follow
redirects, read whatever comes) fails each of them.
"""

# ruff: noqa: F811

from __future__ import annotations

import json
import zipfile
from io import BytesIO

import pytest
import tornado.web

import testbed.zenodo.deposit as standin_deposit
from testbed.standin import free_port
from testbed.zenodo.pytest_plugin import zenodo_standin  # noqa: F401  (fixture)

from ..catalogue.test_publish import CODEMETA, call, login, publish_job

JOBS = ("data/jupyterlab_escape/",)  # our own state: token, jobs, staging (removed after)


@pytest.fixture
def escape_config(escape_config, zenodo_standin):
    escape_config["EscapeZenodo"] = {
        "url": zenodo_standin.url,
        "sandbox_url": zenodo_standin.url,
        "access_token": "standin-zenodo-token",
        "max_retry_wait": 1.5,
        "retries": 1,
    }
    zenodo_standin.state.reset()
    return escape_config


class Attacker:
    """Another host on loopback that records every request it gets (and the headers)."""

    def __init__(self):
        self.seen: list[dict] = []
        seen = self.seen

        class Record(tornado.web.RequestHandler):
            def prepare(self):
                seen.append({"path": self.request.path, "headers": dict(self.request.headers)})
                self.finish(json.dumps({"checksum": "md5:0", "key": "x"}))

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = tornado.web.Application([(r"/.*", Record)]).listen(
            self.port, address="127.0.0.1"
        )


@pytest.fixture
def attacker():
    host = Attacker()
    yield host
    host.server.stop()


def folder(root, name="gammaflow"):
    top = root / name
    (top / "src").mkdir(parents=True)
    (top / "src" / "flow.py").write_text("print('gamma')\n")
    (top / "README.md").write_text("# gammaflow\n")
    (top / "codemeta.json").write_text(json.dumps(CODEMETA))
    return top


def zip_members(zenodo_standin) -> list[str]:
    (dep,) = zenodo_standin.state.deposits.depositions.values()
    archive = next(f for f in dep.files if f.key.endswith(".zip"))
    return sorted(zipfile.ZipFile(BytesIO(archive.content)).namelist())


async def prepare(jp_fetch, path="gammaflow"):
    return await call(jp_fetch, "publish", "prepare", method="POST", body={"path": path})


# ------------------------------------------------------------------ hostile folders
async def test_links_out_of_the_folder_are_never_uploaded(
    jp_fetch, jp_root_dir, jp_serverapp, zenodo_standin, tmp_path, writes
):
    top = folder(jp_root_dir)
    secret = tmp_path / "outside"
    secret.mkdir()
    (secret / "id_rsa").write_bytes(writes.marker)
    (top / "key").symlink_to(secret / "id_rsa")
    (top / "src" / "etc").symlink_to(secret, target_is_directory=True)
    (top / "up").symlink_to(jp_root_dir)  # a link to the folder's parent
    (top / "src" / "alias.py").symlink_to(top / "src" / "flow.py")  # inside: fine
    plan = await prepare(jp_fetch)
    reasons = {s["name"]: s["reason"] for s in plan["skipped"]}
    assert reasons["key"] == reasons["src/etc"] == reasons["up"] == "a link that leaves the folder"
    assert [f["name"] for f in plan["files"]] == [
        "README.md",
        "codemeta.json",
        "src/alias.py",
        "src/flow.py",
    ]
    await login(jp_fetch)
    job = await publish_job(jp_fetch, jp_serverapp, {"path": "gammaflow", "codemeta": CODEMETA})
    assert job["state"] == "done", job["message"]
    assert zip_members(zenodo_standin) == [
        "README.md",
        "codemeta.json",
        "src/alias.py",
        "src/flow.py",
    ]
    for dep in zenodo_standin.state.deposits.depositions.values():
        assert all(writes.marker not in f.content for f in dep.files)


async def test_a_selected_link_out_is_skipped_not_followed(
    jp_fetch, jp_root_dir, jp_serverapp, zenodo_standin, tmp_path, writes
):
    top = folder(jp_root_dir)
    (tmp_path / "token.txt").write_bytes(writes.marker)
    (top / "notes.txt").symlink_to(tmp_path / "token.txt")
    await login(jp_fetch)
    body = {"path": "gammaflow", "codemeta": CODEMETA, "files": ["README.md", "notes.txt"]}
    job = await publish_job(jp_fetch, jp_serverapp, body)
    assert job["state"] == "done", job["message"]
    assert {"name": "notes.txt", "reason": "a link that leaves the folder"} in job["skipped"]
    (dep,) = zenodo_standin.state.deposits.depositions.values()
    assert sorted(f.key for f in dep.files) == ["README.md", "codemeta.json"]
    assert all(writes.marker not in f.content for f in dep.files)


async def test_hidden_files_stay_home_even_when_gitignore_reincludes_them(
    jp_fetch, jp_root_dir, jp_serverapp, zenodo_standin
):
    top = folder(jp_root_dir)
    (top / ".env").write_text("ZENODO_TOKEN=secret\n")
    (top / ".ssh").mkdir()
    (top / ".ssh" / "id_ed25519").write_text("KEY\n")
    (top / "src" / ".cache").write_text("x\n")
    (top / "vendor" / ".git").mkdir(parents=True)
    (top / "vendor" / ".git" / "config").write_text("[core]\n")
    (top / "vendor" / "lib.py").write_text("x = 1\n")
    (top / ".gitignore").write_text("*\n!.*\n!.ssh/\n!*.py\n!*/\n!README.md\n!codemeta.json\n")
    plan = await prepare(jp_fetch)
    reasons = {s["name"]: s["reason"] for s in plan["skipped"]}
    assert reasons[".env"] == "hidden" and reasons[".ssh/"] == "hidden"
    assert reasons["src/.cache"] == "hidden"
    assert reasons["vendor/.git/"] == "git metadata is never uploaded"
    await login(jp_fetch)
    job = await publish_job(jp_fetch, jp_serverapp, {"path": "gammaflow", "codemeta": CODEMETA})
    assert job["state"] == "done", job["message"]
    assert zip_members(zenodo_standin) == [
        "README.md",
        "codemeta.json",
        "src/flow.py",
        "vendor/lib.py",
    ]


@pytest.mark.parametrize("how", ["too large", "a link"])
async def test_a_gitignore_we_cannot_read_stops_the_publication(
    jp_fetch, jp_root_dir, jp_serverapp, zenodo_standin, tmp_path, how
):
    """Ignoring the .gitignore would upload what the user meant to leave out (secrets.txt)."""
    top = folder(jp_root_dir)
    (top / "secrets.txt").write_text("password\n")
    if how == "too large":
        (top / ".gitignore").write_text("secrets.txt\n" + "# padding\n" * 40_000)
    else:
        (tmp_path / "rules").write_text("secrets.txt\n")
        (top / ".gitignore").symlink_to(tmp_path / "rules")
    status, error = await _refused(jp_fetch, "publish", "prepare", {"path": "gammaflow"})
    assert status == 400 and ".gitignore" in error["message"]
    await login(jp_fetch)
    status, error = await _refused(
        jp_fetch, "publish", None, {"path": "gammaflow", "codemeta": CODEMETA}
    )
    assert status == 400 and ".gitignore" in error["message"]
    assert zenodo_standin.state.deposits.depositions == {}


async def _refused(jp_fetch, *parts_and_body):
    from tornado.httpclient import HTTPClientError

    *parts, body = parts_and_body
    parts = [p for p in parts if p]
    try:
        await jp_fetch("escape", "catalogue", *parts, method="POST", body=json.dumps(body))
    except HTTPClientError as err:
        return err.code, json.loads(err.response.body)["error"]
    raise AssertionError("accepted")


async def test_a_huge_codemeta_is_named_not_silently_replaced(jp_fetch, jp_root_dir):
    top = folder(jp_root_dir)
    (top / "codemeta.json").write_text(json.dumps(dict(CODEMETA, description="x" * (300 * 1024))))
    plan = await prepare(jp_fetch)
    assert plan["source"] == "generated"
    assert plan["problems"][0]["level"] == "warning"
    assert "larger than" in plan["problems"][0]["message"]


async def test_a_deeply_nested_codemeta_is_a_problem_not_a_crash(jp_fetch, jp_root_dir):
    top = folder(jp_root_dir)
    (top / "codemeta.json").write_text(
        json.dumps(CODEMETA)[:-1] + ', "keywords": ' + "[" * 5000 + "]" * 5000 + "}"
    )
    plan = await prepare(jp_fetch)  # a 200, not a 500
    assert plan["source"] in ("file", "generated")
    assert plan["zenodo"] is None or isinstance(plan["zenodo"], dict)
    deep = ["x"]
    for _ in range(900):  # below json's own recursion limit: our depth rule answers
        deep = [deep]
    body = await call(
        jp_fetch, "publish", "check", method="POST", body={"codemeta": dict(CODEMETA, author=deep)}
    )
    assert any(p["field"].startswith("author") and p["level"] == "error" for p in body["problems"])
    assert body["zenodo"] is None


async def test_html_in_the_description_goes_to_zenodo_as_text(
    jp_fetch, jp_root_dir, jp_serverapp, zenodo_standin
):
    """CodeMeta's description is text; Zenodo's is HTML: sent as-is a script would be markup."""
    folder(jp_root_dir)
    hostile = 'Fast <script>alert(1)</script> & <img src=x onerror="alert(2)"> flows'
    meta = dict(CODEMETA, description=hostile)
    await login(jp_fetch)
    job = await publish_job(jp_fetch, jp_serverapp, {"path": "gammaflow", "codemeta": meta})
    assert job["state"] == "done", job["message"]
    (dep,) = zenodo_standin.state.deposits.depositions.values()
    sent = dep.metadata["description"]
    assert "<script" not in sent and "<img" not in sent
    assert sent == (
        "Fast &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x "
        'onerror="alert(2)"&gt; flows'
    )


# ------------------------------------------------------------------ hostile Zenodo answers
def _hostile_links(monkeypatch, **links):
    real = standin_deposit.deposition_json

    def hostile(d, base):
        body = real(d, base)
        body["links"].update({k: v.format(id=d.id, bucket=d.bucket) for k, v in links.items()})
        return body

    monkeypatch.setattr(standin_deposit, "deposition_json", hostile)


async def test_a_bucket_link_to_another_host_gets_nothing(
    jp_fetch, jp_root_dir, jp_serverapp, zenodo_standin, attacker, monkeypatch
):
    folder(jp_root_dir)
    _hostile_links(monkeypatch, bucket=attacker.url + "/api/files/{bucket}")
    await login(jp_fetch)
    job = await publish_job(jp_fetch, jp_serverapp, {"path": "gammaflow", "codemeta": CODEMETA})
    assert job["state"] == "failed"
    assert "bucket link does not lie below the configured Zenodo URL" in job["message"]
    assert attacker.seen == []  # neither the files nor the token


async def test_a_bucket_link_that_climbs_out_of_the_api_is_refused(
    jp_fetch, jp_root_dir, jp_serverapp, zenodo_standin, monkeypatch
):
    folder(jp_root_dir)
    _hostile_links(monkeypatch, bucket=zenodo_standin.url + "/api/files/../../admin/{bucket}")
    await login(jp_fetch)
    job = await publish_job(jp_fetch, jp_serverapp, {"path": "gammaflow", "codemeta": CODEMETA})
    assert job["state"] == "failed" and "bucket link" in job["message"]


async def test_a_redirect_to_another_host_is_not_followed(
    jp_fetch, jp_root_dir, jp_serverapp, zenodo_standin, attacker, monkeypatch
):
    folder(jp_root_dir)

    def redirect(self, bucket, key):
        self.redirect(f"{attacker.url}/steal/{key}", status=307)

    monkeypatch.setattr(standin_deposit.BucketHandler, "put", redirect)
    await login(jp_fetch)
    job = await publish_job(jp_fetch, jp_serverapp, {"path": "gammaflow", "codemeta": CODEMETA})
    assert job["state"] == "failed" and "HTTP 307" in job["message"]
    assert attacker.seen == []


@pytest.mark.parametrize("claimed", ["md5:" + "0" * 32, "", "sha256:abc"])
async def test_a_wrong_or_missing_md5_fails_the_upload(
    jp_fetch, jp_root_dir, jp_serverapp, zenodo_standin, monkeypatch, claimed
):
    folder(jp_root_dir)
    real_send = standin_deposit.DepositHandler.send

    def lying(self, body, status=200):
        if isinstance(self, standin_deposit.BucketHandler) and isinstance(body, dict):
            body = dict(body, checksum=claimed)
        return real_send(self, body, status)

    monkeypatch.setattr(standin_deposit.DepositHandler, "send", lying)
    await login(jp_fetch)
    job = await publish_job(jp_fetch, jp_serverapp, {"path": "gammaflow", "codemeta": CODEMETA})
    assert job["state"] == "failed" and "md5 mismatch" in job["message"]
    assert job["phase"] == "uploading"  # the metadata was never set on a damaged draft
    (dep,) = zenodo_standin.state.deposits.depositions.values()
    assert dep.metadata == {}


async def test_a_javascript_link_never_reaches_the_browser(
    jp_fetch, jp_root_dir, jp_serverapp, zenodo_standin, monkeypatch
):
    folder(jp_root_dir)
    _hostile_links(monkeypatch, html="javascript:alert(document.cookie)")
    await login(jp_fetch)
    job = await publish_job(jp_fetch, jp_serverapp, {"path": "gammaflow", "codemeta": CODEMETA})
    assert job["state"] == "done" and job["html"] is None
    uploads = await call(jp_fetch, "publish", "uploads")
    assert [u["html"] for u in uploads["uploads"]] == [None]


async def test_html_in_zenodos_metadata_is_passed_as_text(
    jp_fetch, jp_root_dir, jp_serverapp, zenodo_standin
):
    """The server hands titles on as JSON strings (React renders them as text); it does not
    interpret or re-encode them, and the listing keeps its shape."""
    state = zenodo_standin.state.deposits
    dep = state.new_deposition("alice")
    dep.metadata = {"title": "<img src=x onerror=alert(1)>", "version": "<b>1</b>"}
    await login(jp_fetch)
    uploads = await call(jp_fetch, "publish", "uploads")
    (mine,) = uploads["uploads"]
    assert mine["title"] == "<img src=x onerror=alert(1)>" and mine["status"] == "draft"


async def test_an_oversized_answer_is_refused_not_held(
    jp_fetch, jp_root_dir, zenodo_standin, monkeypatch
):
    from jupyterlab_escape.catalogue import deposit as client_deposit

    await login(jp_fetch)
    monkeypatch.setattr(client_deposit, "MAX_ANSWER", 64 * 1024)
    real = standin_deposit.deposition_json

    def padded(d, base):
        body = real(d, base)
        body["metadata"]["notes"] = "x" * (1024 * 1024)
        return body

    monkeypatch.setattr(standin_deposit, "deposition_json", padded)
    zenodo_standin.state.deposits.new_deposition("alice")
    from tornado.httpclient import HTTPClientError

    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("escape", "catalogue", "publish", "uploads")
    error = json.loads(caught.value.response.body)["error"]
    assert caught.value.code == 502 and error["code"] == "zenodo_bad_response"
    assert "larger than" in error["message"]


async def test_a_new_version_draft_named_by_a_path_is_refused(
    jp_fetch, jp_root_dir, jp_serverapp, zenodo_standin, monkeypatch
):
    folder(jp_root_dir)
    await login(jp_fetch)
    first = await publish_job(jp_fetch, jp_serverapp, {"path": "gammaflow", "codemeta": CODEMETA})
    await call(
        jp_fetch,
        "publish",
        "uploads",
        first["deposit_id"],
        "publish",
        method="POST",
        body={"confirm": True},
    )
    _hostile_links(monkeypatch, latest_draft="https://elsewhere.example/../../admin")
    body = {"path": "gammaflow", "codemeta": CODEMETA, "record_id": first["deposit_id"]}
    job = await publish_job(jp_fetch, jp_serverapp, body)
    assert job["state"] == "failed"
    assert "did not name the new version's draft" in job["message"]


# ------------------------------------------------------------------ hostile maintainers (#18)
HOSTILE_PEOPLE = [
    pytest.param(
        {
            "@type": "Person",
            "givenName": "<script>alert(1)</script>",
            "familyName": "Doe\u202e",
            "@id": "javascript:alert(1)",
            "affiliation": {"@type": "Organization", "name": '<img src=x onerror="alert(2)">'},
        },
        id="markup-and-a-javascript-id",
    ),
    pytest.param({"@type": "Person", "givenName": "", "familyName": ""}, id="no-name"),
    pytest.param("Jane Doe <jane@example.org>", id="a-text"),
    pytest.param({"@type": "Person", "familyName": "Doe", "affiliation": "ESCAPE"}, id="aff-text"),
    pytest.param({"@type": "Robot", "name": "x"}, id="not-a-person"),
    pytest.param(
        {"@type": "Person", "familyName": "Doe", "@id": ["https://orcid.org/0000-0001-5109-3700"]},
        id="id-not-a-text",
    ),
    pytest.param([{"@type": "Person", "familyName": "Doe"}] * 3 + [7], id="a-list-with-a-number"),
]


def _about(problems, field):
    """The messages of the problems of one field, the field's own name taken out."""
    return sorted(
        (p["field"].replace(field, "X", 1), p["level"], p["message"])
        for p in problems
        if p["field"].startswith(field) and "email" not in p["field"]
    )


@pytest.mark.parametrize("person", HOSTILE_PEOPLE)
async def test_a_hostile_maintainer_is_checked_as_a_creator_is(jp_fetch, person):
    """A codemeta.json (from a folder, a notebook's crate or the form) may hold anything as the
    maintainer: it meets the same rules as a creator, field by field, and nothing blocking gets
    through to Zenodo."""
    as_author = dict(CODEMETA, author=person, maintainer=CODEMETA["author"][0])
    as_maintainer = dict(CODEMETA, maintainer=person)
    body_a = await call(jp_fetch, "publish", "check", method="POST", body={"codemeta": as_author})
    body_m = await call(
        jp_fetch, "publish", "check", method="POST", body={"codemeta": as_maintainer}
    )
    assert _about(body_m["problems"], "maintainer") == _about(body_a["problems"], "author")
    if any(p["level"] == "error" for p in body_a["problems"]):
        assert body_m["zenodo"] is None
    else:
        (contact,) = [c for c in body_m["zenodo"]["contributors"] if c["type"] == "ContactPerson"]
        (creator,) = body_a["zenodo"]["creators"]
        assert {k: v for k, v in contact.items() if k != "type"} == creator
        assert "orcid" not in contact  # a javascript: id is no ORCID: dropped


async def test_a_hostile_maintainer_reaches_zenodo_as_plain_text_only(
    jp_fetch, jp_root_dir, jp_serverapp, zenodo_standin
):
    folder(jp_root_dir)
    hostile = HOSTILE_PEOPLE[0].values[0]
    await login(jp_fetch)
    meta = dict(CODEMETA, maintainer=hostile)
    job = await publish_job(jp_fetch, jp_serverapp, {"path": "gammaflow", "codemeta": meta})
    assert job["state"] == "done", job["message"]
    (dep,) = zenodo_standin.state.deposits.depositions.values()
    (contact,) = [c for c in dep.metadata["contributors"] if c["type"] == "ContactPerson"]
    # Zenodo's names are text (never HTML): kept as written, as a creator's would be
    assert contact == {
        "name": "<script>alert(1)</script> Doe\u202e",
        "affiliation": '<img src=x onerror="alert(2)">',
        "type": "ContactPerson",
    }
    assert "javascript:" not in json.dumps(dep.metadata)
    # what the browser gets back of the draft is data for text nodes, no link made of it
    detail = await call(jp_fetch, "publish", "uploads", str(dep.id))
    assert "javascript:" not in json.dumps(detail)
