"""Publishing to the OSSR through the routes, against the Zenodo stand-in's deposit API."""

from __future__ import annotations

import json
import stat
import time
import zipfile
from io import BytesIO

import pytest

from .helpers import error_of

TOKEN = "standin-zenodo-token"


@pytest.fixture
def escape_config(escape_config, zenodo_standin):  # noqa: F811
    escape_config["EscapeZenodo"]["sandbox_url"] = zenodo_standin.url
    return escape_config


@pytest.fixture(autouse=True)
def held_to_the_contract(zenodo_standin):
    """Every request our client sends is held to the stand-in's deposit rules, the rules eossr
    (test_eossr_upload.py) passes: nothing recorded as a contract violation."""
    yield
    assert zenodo_standin.state.deposits.violations == []


CODEMETA = {
    "@context": "https://doi.org/10.5063/schema/codemeta-2.0",
    "@type": "SoftwareSourceCode",
    "name": "gammaflow",
    "description": "Gamma-ray event reconstruction.",
    "softwareVersion": "1.2.0",
    "datePublished": "2025-05-01",
    "license": "https://spdx.org/licenses/MIT",
    "readme": "https://github.com/escape/gammaflow/blob/main/README.md",
    "codeRepository": "https://github.com/escape/gammaflow",
    "keywords": ["CTA", "gamma rays"],
    "author": [
        {
            "@type": "Person",
            "givenName": "Ada",
            "familyName": "Lovelace",
            "@id": "https://orcid.org/0000-0002-1825-0097",
            "affiliation": {"@type": "Organization", "name": "LAPP"},
        }
    ],
    "maintainer": {
        "@type": "Person",
        "givenName": "Ada",
        "familyName": "Lovelace",
        "email": "ada@example.org",
    },
}


def make_folder(root, name="gammaflow", codemeta=CODEMETA):
    folder = root / name
    (folder / "src").mkdir(parents=True)
    (folder / "src" / "flow.py").write_text("print('gamma')\n")
    (folder / "README.md").write_text("# gammaflow\n")
    (folder / "build").mkdir()
    (folder / "build" / "out.o").write_bytes(b"\0" * 10)
    (folder / ".gitignore").write_text("build/\n*.log\n")
    (folder / "run.log").write_text("noise\n")
    (folder / ".git").mkdir()
    (folder / ".git" / "config").write_text(
        '[remote "origin"]\n\turl = git@github.com:escape/gammaflow.git\n'
    )
    if codemeta is not None:
        (folder / "codemeta.json").write_text(json.dumps(codemeta))
    return folder


async def call(jp_fetch, *path, method="GET", body=None):
    response = await jp_fetch(
        "escape",
        "catalogue",
        *path,
        method=method,
        body=None if body is None else json.dumps(body),
    )
    return json.loads(response.body) if response.body else None


async def login(jp_fetch, token=TOKEN, sandbox=False):
    return await call(
        jp_fetch, "publish", "token", method="PUT", body={"token": token, "sandbox": sandbox}
    )


async def publish_job(jp_fetch, jp_serverapp, body):
    job = await call(jp_fetch, "publish", method="POST", body=body)
    store = _store(jp_serverapp)
    await store.wait(job["id"])
    return await call(jp_fetch, "jobs", job["id"])


def _store(jp_serverapp):
    for ext in jp_serverapp.extension_manager.extension_apps.get("jupyterlab_escape", []):
        return ext.jobs
    raise AssertionError("extension not loaded")


def _deposits(zenodo_standin):
    return zenodo_standin.state.deposits


async def test_token_is_stored_0600_and_never_echoed(jp_fetch, jp_data_dir):
    described = await login(jp_fetch)
    assert described["stored"] is True and described["sandbox"] is False
    assert TOKEN not in json.dumps(described)
    path = jp_data_dir / "jupyterlab_escape" / "zenodo-token.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    again = await call(jp_fetch, "publish", "token")
    assert again["stored"] and TOKEN not in json.dumps(again)


@pytest.mark.parametrize(
    "token,scope",
    [("standin-zenodo-readonly", "deposit:write"), ("standin-zenodo-noactions", "deposit:actions")],
)
async def test_token_without_the_scope_is_refused_with_its_name(
    jp_fetch, jp_data_dir, token, scope
):
    status, error, _ = await error_of(
        jp_fetch, "publish", "token", method="PUT", body=json.dumps({"token": token})
    )
    assert status == 403 and error["code"] == "zenodo_token_scope"
    assert f"lacks the {scope} scope" in error["message"]
    assert token not in error["message"]
    assert not (jp_data_dir / "jupyterlab_escape" / "zenodo-token.json").exists()


async def test_unknown_token_is_refused(jp_fetch):
    status, error, _ = await error_of(
        jp_fetch, "publish", "token", method="PUT", body=json.dumps({"token": "not-a-known-token"})
    )
    assert status == 401 and error["code"] == "zenodo_token_invalid"


async def test_prepare_reads_codemeta_and_lists_what_is_uploaded(jp_fetch, jp_root_dir):
    make_folder(jp_root_dir)
    body = await call(jp_fetch, "publish", "prepare", method="POST", body={"path": "gammaflow"})
    assert body["source"] == "file" and body["codemeta"]["name"] == "gammaflow"
    assert [p for p in body["problems"] if p["level"] == "error"] == []
    names = [f["name"] for f in body["files"]]
    assert names == ["README.md", "codemeta.json", "src/flow.py"]
    reasons = {s["name"]: s["reason"] for s in body["skipped"]}
    assert reasons["build/"] == ".gitignore" and reasons["run.log"] == ".gitignore"
    assert reasons[".git/"] == "git metadata is never uploaded"
    assert body["zenodo"]["communities"] == [{"identifier": "escape2020"}]
    assert body["zenodo"]["creators"] == [
        {
            "name": "Ada Lovelace",
            "affiliation": "LAPP",
            "orcid": "https://orcid.org/0000-0002-1825-0097",
        }
    ]


async def test_prepare_generates_codemeta_when_there_is_none(jp_fetch, jp_root_dir):
    folder = make_folder(jp_root_dir, codemeta=None)
    (folder / "pyproject.toml").write_text(
        '[project]\nname = "gammaflow"\nversion = "0.3.1"\ndescription = "Gamma flows."\n'
        'authors = [{name = "Ada Lovelace", email = "ada@example.org"}]\nkeywords = ["CTA"]\n'
    )
    (folder / "LICENSE").write_text("MIT License\n\nPermission is hereby granted, free of charge")
    body = await call(jp_fetch, "publish", "prepare", method="POST", body={"path": "gammaflow"})
    meta = body["codemeta"]
    assert body["source"] == "generated"
    assert meta["name"] == "gammaflow" and meta["softwareVersion"] == "0.3.1"
    assert meta["license"] == "https://spdx.org/licenses/MIT"
    assert meta["codeRepository"] == "https://github.com/escape/gammaflow"
    assert meta["author"] == [
        {
            "@type": "Person",
            "givenName": "Ada",
            "familyName": "Lovelace",
            "email": "ada@example.org",
        }
    ]
    assert meta["readme"].endswith("/README.md")
    assert [p for p in body["problems"] if p["level"] == "error"] == []


async def test_draft_then_publish_then_searchable(
    jp_fetch, jp_root_dir, jp_serverapp, zenodo_standin
):
    make_folder(jp_root_dir)
    await login(jp_fetch)
    job = await publish_job(jp_fetch, jp_serverapp, {"path": "gammaflow", "codemeta": CODEMETA})
    assert job["state"] == "done", job["message"]
    assert job["kind"] == "catalogue.publish" and job["phase"] == "draft"
    dep_id = job["deposit_id"]
    dep = _deposits(zenodo_standin).depositions[int(dep_id)]
    assert dep.state == "unsubmitted" and not dep.submitted  # a draft, not published
    keys = sorted(f.key for f in dep.files)
    assert keys == ["codemeta.json", "gammaflow-1.2.0.zip"]
    archive = next(f for f in dep.files if f.key.endswith(".zip"))
    members = sorted(zipfile.ZipFile(BytesIO(archive.content)).namelist())
    assert members == ["README.md", "codemeta.json", "src/flow.py"]
    # both kinds in one job list
    listing = await call(jp_fetch, "jobs")
    assert {j["kind"] for j in listing["jobs"]} == {"catalogue.publish"}

    uploads = await call(jp_fetch, "publish", "uploads")
    mine = {u["id"]: u for u in uploads["uploads"]}
    assert mine[dep_id]["status"] == "draft" and mine[dep_id]["doi"] is None
    assert mine[dep_id]["community"] == {"slug": "escape2020", "status": "on_publish"}
    assert mine[dep_id]["license"] == {"id": "mit", "title": "MIT License"}

    status, error, _ = await error_of(
        jp_fetch, "publish", "uploads", dep_id, "publish", method="POST", body="{}"
    )
    assert status == 400 and "cannot be undone" in error["message"]
    done = await call(
        jp_fetch, "publish", "uploads", dep_id, "publish", method="POST", body={"confirm": True}
    )
    assert done["status"] == "published" and done["doi"] == f"10.5281/zenodo.{dep_id}"
    assert done["community"]["status"] == "submitted"
    found = await call(
        jp_fetch,
        "search",
    )
    # searchable in all of Zenodo at once; in the community once a curator accepts
    hits = await jp_fetch(
        "escape", "catalogue", "search", params={"q": "gammaflow", "scope": "all"}
    )
    assert dep_id in [h["id"] for h in json.loads(hits.body)["hits"]]
    assert found is not None
    assert _deposits(zenodo_standin).violations == []


async def test_new_version_of_an_owned_record(jp_fetch, jp_root_dir, jp_serverapp, zenodo_standin):
    make_folder(jp_root_dir)
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
    newer = dict(CODEMETA, softwareVersion="1.3.0")
    second = await publish_job(
        jp_fetch,
        jp_serverapp,
        {"path": "gammaflow", "codemeta": newer, "record_id": first["deposit_id"]},
    )
    assert second["state"] == "done", second["message"]
    assert second["deposit_id"] != first["deposit_id"]
    deps = _deposits(zenodo_standin).depositions
    draft = deps[int(second["deposit_id"])]
    assert draft.concept == deps[int(first["deposit_id"])].concept
    assert sorted(f.key for f in draft.files) == ["codemeta.json", "gammaflow-1.3.0.zip"]
    assert draft.metadata["version"] == "1.3.0"


async def test_new_version_of_someone_elses_record_is_refused(
    jp_fetch, jp_root_dir, jp_serverapp, zenodo_standin
):
    make_folder(jp_root_dir)
    state = _deposits(zenodo_standin)
    theirs = state.new_deposition("bob")
    theirs.submitted, theirs.state = True, "done"
    await login(jp_fetch)
    job = await publish_job(
        jp_fetch,
        jp_serverapp,
        {"path": "gammaflow", "codemeta": CODEMETA, "record_id": str(theirs.id)},
    )
    assert job["state"] == "failed" and "HTTP 403" in job["message"]


async def test_discard_a_draft_and_edit_published_metadata(
    jp_fetch, jp_root_dir, jp_serverapp, zenodo_standin
):
    make_folder(jp_root_dir)
    await login(jp_fetch)
    job = await publish_job(jp_fetch, jp_serverapp, {"path": "gammaflow", "codemeta": CODEMETA})
    dep_id = job["deposit_id"]
    response = await jp_fetch(
        "escape", "catalogue", "publish", "uploads", dep_id, "discard", method="POST", body="{}"
    )
    assert response.code == 204
    assert int(dep_id) not in _deposits(zenodo_standin).depositions

    job = await publish_job(jp_fetch, jp_serverapp, {"path": "gammaflow", "codemeta": CODEMETA})
    dep_id = job["deposit_id"]
    await call(
        jp_fetch, "publish", "uploads", dep_id, "publish", method="POST", body={"confirm": True}
    )
    edited = await call(jp_fetch, "publish", "uploads", dep_id, "edit", method="POST", body={})
    assert edited["status"] == "editing"
    fixed = dict(CODEMETA, description="Gamma-ray event reconstruction, faster.")
    after = await call(
        jp_fetch, "publish", "uploads", dep_id, "metadata", method="POST", body={"codemeta": fixed}
    )
    assert after["metadata"]["description"] == "Gamma-ray event reconstruction, faster."
    back = await call(jp_fetch, "publish", "uploads", dep_id, "discard", method="POST", body={})
    assert back["status"] == "published"
    assert back["metadata"]["description"] == CODEMETA["description"]


async def test_md5_mismatch_is_detected(jp_fetch, jp_root_dir, jp_serverapp, zenodo_standin):
    make_folder(jp_root_dir)
    await login(jp_fetch)
    _deposits(zenodo_standin).corrupt_next_upload = True
    job = await publish_job(jp_fetch, jp_serverapp, {"path": "gammaflow", "codemeta": CODEMETA})
    assert job["state"] == "failed"
    assert "md5 mismatch" in job["message"] and "arrived damaged" in job["message"]
    assert job["errors"][0]["item"] == "gammaflow-1.2.0.zip"
    # retry uploads it again, now intact
    await call(jp_fetch, "jobs", job["id"], "retry", method="POST", body={})
    await _store(jp_serverapp).wait(job["id"])
    again = await call(jp_fetch, "jobs", job["id"])
    assert again["state"] == "done", again["message"]
    assert again["deposit_id"] == job["deposit_id"]  # the same draft, not a second one


async def test_rate_limit_is_honoured(jp_fetch, jp_root_dir, jp_serverapp, zenodo_standin):
    make_folder(jp_root_dir)
    await login(jp_fetch)
    zenodo_standin.state.switches.rate_limit_next = 1
    zenodo_standin.state.switches.retry_after = 1
    job = await publish_job(jp_fetch, jp_serverapp, {"path": "gammaflow", "codemeta": CODEMETA})
    assert job["state"] == "done", job["message"]
    assert (
        zenodo_standin.state.switches.rate_limit_next == 0
    )  # the 429 was answered, and waited out
    assert len(_deposits(zenodo_standin).depositions) == 1  # the refused create was not doubled


async def test_invalid_codemeta_is_refused_before_anything_is_uploaded(
    jp_fetch, jp_root_dir, zenodo_standin
):
    make_folder(jp_root_dir)
    await login(jp_fetch)
    bad = {k: v for k, v in CODEMETA.items() if k != "author"}
    bad["license"] = "https://example.org/my-own-terms"
    status, error, _ = await error_of(
        jp_fetch, "publish", method="POST", body=json.dumps({"path": "gammaflow", "codemeta": bad})
    )
    assert status == 400 and error["code"] == "codemeta_invalid"
    assert "author: A creator is required by the OSSR" in error["message"]
    assert "not a licence the OSSR can redistribute" in error["message"]
    assert _deposits(zenodo_standin).depositions == {}


async def test_check_lists_problems_by_field(jp_fetch):
    meta = dict(
        CODEMETA, author=[{"@type": "Person", "name": "Ada"}], softwareVersion="one", colour="blue"
    )
    body = await call(jp_fetch, "publish", "check", method="POST", body={"codemeta": meta})
    by_field = {(p["field"], p["level"]): p["message"] for p in body["problems"]}
    assert by_field[("author[0]", "error")] == "A person needs a givenName or a familyName."
    assert by_field[("colour", "error")] == "'colour' is not a CodeMeta 2.0 property."
    assert "not a semantic version" in by_field[("softwareVersion", "warning")]
    assert body["zenodo"] is None


async def test_missing_properties_are_named_as_the_form_names_them(jp_fetch):
    """The form shows a problem under its field: "Version", "Repository", "Funding" are what
    it says, not softwareVersion / codeRepository / funding (review s3 section 3); the field
    keeps the codemeta name for API clients; a property the form has no field for is named as
    codemeta names it (the form lists those apart: "not in this form: edit codemeta.json")."""
    drop = ("softwareVersion", "codeRepository", "funding", "readme", "author", "maintainer")
    meta = {k: v for k, v in CODEMETA.items() if k not in drop}
    body = await call(jp_fetch, "publish", "check", method="POST", body={"codemeta": meta})
    by_field = {p["field"]: (p["level"], p["message"]) for p in body["problems"]}
    assert by_field["softwareVersion"] == ("error", "A version is required by the OSSR.")
    assert by_field["readme"] == ("error", "A README URL is required by the OSSR.")
    assert by_field["author"] == ("error", "A creator is required by the OSSR.")
    assert by_field["maintainer"] == ("error", "A maintainer is required by the OSSR.")
    assert by_field["codeRepository"] == ("warning", "The OSSR recommends a repository URL.")
    assert by_field["funding"] == ("warning", "The OSSR recommends funding (grant ids).")
    assert by_field["issueTracker"] == ("warning", "The OSSR recommends issueTracker.")
    form_words = ("softwareVersion", "codeRepository", "readme")
    assert not any(w in message for _, message in by_field.values() for w in form_words)


async def test_publishing_needs_a_token(jp_fetch, jp_root_dir):
    make_folder(jp_root_dir)
    status, error, _ = await error_of(
        jp_fetch,
        "publish",
        method="POST",
        body=json.dumps({"path": "gammaflow", "codemeta": CODEMETA}),
    )
    assert status == 401 and error["code"] == "zenodo_no_token"


async def test_sandbox_is_selectable(jp_fetch, jp_root_dir, jp_serverapp):
    described = await login(jp_fetch, sandbox=True)
    assert described["sandbox"] is True
    make_folder(jp_root_dir)
    job = await publish_job(jp_fetch, jp_serverapp, {"path": "gammaflow", "codemeta": CODEMETA})
    assert "Zenodo sandbox" in job["message"]
    assert job["sandbox"] is True and job["state"] == "done"


class Arrivals:
    """Wraps the stand-in's deposit handler: records when each request arrived and lets a test
    shape the rate-limit headers of the answers."""

    def __init__(self, monkeypatch):
        import testbed.zenodo.deposit as standin

        self.times: list[float] = []
        self.limited: list[float] = []  # the reset each 429 announced
        self.plan: list[str] = []  # per request: "429-reset", "empty-window", "ok"
        real = standin.DepositHandler.prepare
        arrivals = self

        async def prepare(handler):
            arrivals.times.append(time.time())
            step = arrivals.plan.pop(0) if arrivals.plan else "ok"
            reset = time.time() + 1.0
            if step == "429-reset":  # no Retry-After: only Zenodo's window headers
                arrivals.limited.append(reset)
                handler.set_header("X-RateLimit-Remaining", "0")
                handler.set_header("X-RateLimit-Reset", f"{reset:.3f}")
                return handler.fail(429, "Too many requests.")
            if step == "empty-window":
                handler.set_header("X-RateLimit-Remaining", "0")
                handler.set_header("X-RateLimit-Reset", f"{reset:.3f}")
                arrivals.limited.append(reset)
            return await real(handler)

        monkeypatch.setattr(standin.DepositHandler, "prepare", prepare)


async def test_rate_limit_reset_header_is_honoured(
    jp_fetch, jp_root_dir, jp_serverapp, zenodo_standin, monkeypatch
):
    """A 429 with only X-RateLimit-Reset (no Retry-After): nothing is sent before the reset."""
    make_folder(jp_root_dir)
    await login(jp_fetch)
    arrivals = Arrivals(monkeypatch)
    arrivals.plan = ["429-reset"]
    job = await publish_job(jp_fetch, jp_serverapp, {"path": "gammaflow", "codemeta": CODEMETA})
    assert job["state"] == "done", job["message"]
    (reset,) = arrivals.limited
    assert arrivals.times[1] >= reset  # the retry came after the announced reset
    assert len(_deposits(zenodo_standin).depositions) == 1


async def test_an_empty_window_holds_the_next_request(
    jp_fetch, jp_root_dir, jp_serverapp, zenodo_standin, monkeypatch
):
    """X-RateLimit-Remaining: 0 on a success: the next request waits for X-RateLimit-Reset."""
    make_folder(jp_root_dir)
    await login(jp_fetch)
    arrivals = Arrivals(monkeypatch)
    arrivals.plan = ["empty-window"]
    job = await publish_job(jp_fetch, jp_serverapp, {"path": "gammaflow", "codemeta": CODEMETA})
    assert job["state"] == "done", job["message"]
    (reset,) = arrivals.limited
    assert len(arrivals.times) > 2 and arrivals.times[1] >= reset


async def test_a_long_retry_after_fails_at_once_with_the_wait(
    jp_fetch, jp_root_dir, jp_serverapp, zenodo_standin
):
    make_folder(jp_root_dir)
    await login(jp_fetch)
    zenodo_standin.state.switches.rate_limit_next = 5
    zenodo_standin.state.switches.retry_after = 3600
    job = await publish_job(jp_fetch, jp_serverapp, {"path": "gammaflow", "codemeta": CODEMETA})
    assert job["state"] == "failed"
    assert "Zenodo asks us to slow down for 3600 s; retry the job then." in job["message"]
    assert zenodo_standin.state.switches.rate_limit_next == 4  # one try, no hammering
    assert _deposits(zenodo_standin).depositions == {}


async def test_a_token_that_lost_a_scope_is_told_at_publish(
    jp_fetch, jp_root_dir, jp_serverapp, zenodo_standin
):
    """Scopes are checked when the token is stored, and again by Zenodo at each call: a token
    whose deposit:actions scope was removed later gets the scope's name, not a bare 403."""
    make_folder(jp_root_dir)
    await login(jp_fetch)
    job = await publish_job(jp_fetch, jp_serverapp, {"path": "gammaflow", "codemeta": CODEMETA})
    assert job["state"] == "done", job["message"]
    tokens = _deposits(zenodo_standin).tokens
    tokens[TOKEN] = ("alice", frozenset({"deposit:write", "user:email"}))
    status, error, _ = await error_of(
        jp_fetch,
        "publish",
        "uploads",
        job["deposit_id"],
        "publish",
        method="POST",
        body=json.dumps({"confirm": True}),
    )
    assert status == 403 and error["code"] == "zenodo_token_scope"
    assert "lacks the deposit:actions scope needed to publish it" in error["message"]
    assert TOKEN not in error["message"]
    assert _deposits(zenodo_standin).depositions[int(job["deposit_id"])].state == "unsubmitted"


# ------------------------------------------------------------------ the maintainer (#18)
MAINTAINER = {
    "@type": "Person",
    "givenName": "Jane",
    "familyName": "Doe",
    "@id": "https://orcid.org/0000-0001-5109-3700",
    "affiliation": {"@type": "Organization", "name": "ESCAPE"},
}


async def test_the_maintainer_goes_into_codemeta_and_to_zenodo_as_contact_person(
    jp_fetch, jp_root_dir, jp_serverapp, zenodo_standin
):
    """What the form's Maintainer box writes: uploaded in codemeta.json as written, and on the
    draft as Zenodo's ContactPerson (eossr's crosswalk); without one the OSSR refuses, so do we."""
    make_folder(jp_root_dir, codemeta=None)
    await login(jp_fetch)
    without = {k: v for k, v in CODEMETA.items() if k != "maintainer"}
    status, error, _ = await error_of(
        jp_fetch,
        "publish",
        method="POST",
        body=json.dumps(
            {"path": "gammaflow", "codemeta": without, "idempotency_key": "maintainer-1"}
        ),
    )
    assert status == 400 and "maintainer: A maintainer is required by the OSSR" in error["message"]
    assert _deposits(zenodo_standin).depositions == {}
    meta = dict(without, maintainer=MAINTAINER)
    job = await publish_job(jp_fetch, jp_serverapp, {"path": "gammaflow", "codemeta": meta})
    assert job["state"] == "done", job["message"]
    (dep,) = _deposits(zenodo_standin).depositions.values()
    uploaded = next(f for f in dep.files if f.key == "codemeta.json")
    assert json.loads(uploaded.content)["maintainer"] == MAINTAINER
    contacts = [c for c in dep.metadata["contributors"] if c["type"] == "ContactPerson"]
    assert contacts == [
        {
            "name": "Jane Doe",
            "affiliation": "ESCAPE",
            "orcid": "https://orcid.org/0000-0001-5109-3700",
            "type": "ContactPerson",
        }
    ]
    detail = await call(jp_fetch, "publish", "uploads", str(dep.id))
    assert {"name": "Jane Doe", "affiliation": "ESCAPE"}.items() <= next(
        c for c in detail["metadata"]["contributors"] if c["type"] == "ContactPerson"
    ).items()
