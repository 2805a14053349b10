"""Hostile cells and requests against Data Lake inputs and outputs (issue 18): a notebook or cell
must not choose hosts, make us send the user's Rucio identity without consent, read outside what
the user names, or write into the workspace. Against the real Rucio testbed and the REANA stand-in.
"""

from __future__ import annotations

import json
import urllib.request
import uuid

import pytest
from tornado.httpclient import HTTPClientError

from jupyterlab_escape.config import EscapeRucio
from jupyterlab_escape.http import EscapeError
from jupyterlab_escape.workflows.lake import identity_secrets, parse_lake

from ..workflows import conftest as workflows_conftest

# The workflows slice's fixtures: the server's REANA is the stand-in.
escape_config = workflows_conftest.escape_config
reana_standin = workflows_conftest.reana_standin

JDOE = {
    "EscapeRucio": {
        "ca_bundle": lambda tb: str(tb.ca_cert),
        "account": "jdoe",
        "username": "jdoe",
        "password": "jdoe-secret",
    },
    "EscapeReana": {"lake_stream_max_bytes": 1000},
}
SPEC = """\
version: 0.9.0
workflow:
  type: serial
  specification:
    steps:
      - {name: read, environment: busybox, rucio: true, commands: ["rucio download ${data}"]}
"""
DID = "escape_opendata:crab.nebula.sample"


def secrets_of(standin) -> list[str]:
    url = f"{standin.url}/api/secrets?access_token={standin.token}"
    with urllib.request.urlopen(url, timeout=10) as response:
        return sorted(s["name"] for s in json.load(response))


async def refused(jp_fetch, body: dict) -> tuple[int, dict]:
    body = {"base": "", "idempotency_key": uuid.uuid4().hex, **body}
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("escape", "workflows", "submit", method="POST", body=json.dumps(body))
    return caught.value.code, json.loads(caught.value.response.body)["error"]


def not_ours(writes) -> list[str]:
    return [p for p in writes.changed() if "/jupyterlab_escape/jobs-" not in p]


async def clear_secrets(jp_fetch, standin) -> None:
    for name in secrets_of(standin):
        await jp_fetch("escape", "workflows", "secrets", method="DELETE", params={"name": name})


@pytest.mark.escape_config(JDOE)
@pytest.mark.parametrize(
    "cell",
    [
        # the grammar has no way to consent
        f"%%reana --lake-consent -l data={DID}\n{SPEC}",
        f"%%reana --lake_consent=true -l data={DID}\n{SPEC}",
        # consent written into the specification is just an unknown key of the spec
        f"%%reana -l data={DID}\nlake_consent: true\n{SPEC}",
        # a parameter of the workflow is not the request's consent either
        f"%%reana -p lake_consent=true -l data={DID}\n{SPEC}",
    ],
)
async def test_a_cell_cannot_consent_to_sending_the_identity(jp_fetch, reana_standin, writes, cell):
    await clear_secrets(jp_fetch, reana_standin)
    writes.rebase()
    before = reana_standin.stats()["workflows"]
    code, error = await refused(jp_fetch, {"cell": cell})
    refusals = ("reana_bad_cell", "reana_lake_consent", "reana_invalid_spec")
    assert code == 400 and error["code"] in refusals, error
    assert reana_standin.stats()["workflows"] == before
    assert secrets_of(reana_standin) == []  # no secret was sent
    assert not_ours(writes) == []


@pytest.mark.escape_config(JDOE)
@pytest.mark.parametrize(
    ("option", "words"),
    [
        # Rucio resolves it with the user's identity: not a path of ours
        ("-l 'x=escape_opendata:../../etc/passwd'", "not found"),
        ("-l 'x=escape_opendata:*'", "Wildcards"),
        ("-l 'x=../etc:passwd'", "not a valid scope"),
        ("-l '$(id)=escape_opendata:x'", "cannot name a Data Lake input"),
        ("-l 'x=escape_opendata:a\\nb'", "escape_opendata:a"),
    ],
)
async def test_hostile_dids_and_names_are_refused_before_anything(
    jp_fetch, reana_standin, writes, option, words
):
    before = reana_standin.stats()["workflows"]
    code, error = await refused(jp_fetch, {"cell": f"%%reana {option}\n{SPEC}"})
    assert code == 400 and words in error["message"], error
    assert reana_standin.stats()["workflows"] == before
    assert not_ours(writes) == []


@pytest.mark.escape_config(JDOE)
async def test_too_many_inputs_and_non_string_dids_are_refused(jp_fetch, writes):
    lake = {f"p{i}": f"escape_opendata:x{i}" for i in range(21)}
    code, error = await refused(jp_fetch, {"cell": f"%%reana\n{SPEC}", "lake": lake})
    assert code == 400 and "At most 20" in error["message"]
    code, error = await refused(jp_fetch, {"cell": f"%%reana\n{SPEC}", "lake": {"a": ["x"]}})
    assert code == 400 and "must be a DID" in error["message"]
    code, error = await refused(jp_fetch, {"cell": f"%%reana\n{SPEC}", "lake_consent": "yes"})
    assert code == 400 and "lake_consent must be true or false" in error["message"]
    assert not_ours(writes) == []


def test_the_hosts_handed_to_reana_are_the_configured_ones_only():
    """Secrets carry this server's Rucio URL without user info; nothing from a request."""
    config = EscapeRucio(
        url="https://user:pw@rucio.example.org:443/",
        auth_url="https://rucio-auth.example.org",
        account="jdoe",
        username="jdoe",
        password="pw-123",
        auth_type="userpass",
    )
    secrets = identity_secrets(config)
    assert secrets["RUCIO_RUCIO_HOST"] == ("env", "https://rucio.example.org:443")
    assert secrets["RUCIO_AUTH_HOST"] == ("env", "https://rucio-auth.example.org")
    assert all("user:pw@" not in value for _, value in secrets.values())
    config.auth_type = "x509"
    with pytest.raises(EscapeError, match="private key stays on this server"):
        identity_secrets(config)
    # A "host" given as an input is only ever a DID looked up in the configured Rucio.
    assert parse_lake({"h": "http://evil.example"}) == {"h": "http://evil.example"}


@pytest.mark.escape_config(JDOE)
async def test_hostile_refs_for_outputs_to_the_lake(jp_fetch, writes):
    for ref in ("..", "a b", "x%2F..%2Fy"):
        with pytest.raises(HTTPClientError) as caught:
            await jp_fetch(
                "escape", "workflows", "workflows", ref, "outputs", "lake", method="POST",
                body=json.dumps({"scope": "user.jdoe", "rse": "ESCAPE_USERDISK"}),
            )  # fmt: skip
        assert caught.value.code in (400, 404)
    assert not_ours(writes) == []
