"""Credentials entered by the user: stored 0600 on the server, used for Rucio, never echoed."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from jupyter_core.paths import jupyter_data_dir
from tornado.httpclient import HTTPClientError

from .helpers import get_json


async def put(jp_fetch, body: dict):
    response = await jp_fetch(
        "escape", "datalake", "credentials", method="PUT", body=json.dumps(body)
    )
    return json.loads(response.body)


def store_path() -> Path:
    return Path(jupyter_data_dir()) / "jupyterlab_escape" / "rucio.json"


async def test_userpass_is_stored_privately_used_and_never_echoed(jp_fetch, rucio_testbed):
    jdoe = rucio_testbed.jdoe
    body = await put(
        jp_fetch,
        {
            "auth_type": "userpass",
            "account": "jdoe",
            "username": jdoe.username,
            "password": jdoe.password,
        },
    )
    assert body["has_password"] is True and body["username"] == jdoe.username
    assert jdoe.password not in json.dumps(body)
    path = store_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["password"] == jdoe.password
    assert (await get_json(jp_fetch, "whoami"))["account"]["account"] == "jdoe"
    described = await get_json(jp_fetch, "credentials")
    assert jdoe.password not in json.dumps(described) and described["stored"] is True


async def test_empty_password_keeps_the_stored_one(jp_fetch, rucio_testbed):
    jdoe = rucio_testbed.jdoe
    base = {"auth_type": "userpass", "account": "jdoe", "username": jdoe.username}
    await put(jp_fetch, {**base, "password": jdoe.password})
    await put(jp_fetch, {**base, "password": ""})
    assert (await get_json(jp_fetch, "whoami"))["account"]["account"] == "jdoe"


async def test_token_file_credentials(jp_fetch, rucio_testbed, tmp_path):
    token, _ = rucio_testbed.token("jdoe")
    token_file = tmp_path / "token"
    token_file.write_text(token)
    await put(jp_fetch, {"auth_type": "oidc", "oidc_token_file": str(token_file)})
    body = await get_json(jp_fetch, "whoami")
    assert body["account"]["account"] == "jdoe"
    assert body["auth"]["token_source"] == f"file {token_file}"


async def test_delete_restores_the_operator_configuration(jp_fetch, rucio_testbed):
    jdoe = rucio_testbed.jdoe
    await put(
        jp_fetch,
        {
            "auth_type": "userpass",
            "account": "jdoe",
            "username": jdoe.username,
            "password": jdoe.password,
        },
    )
    response = await jp_fetch("escape", "datalake", "credentials", method="DELETE")
    assert json.loads(response.body)["stored"] is False
    assert not store_path().exists()
    assert (await get_json(jp_fetch, "whoami"))["account"]["account"] == "root"


@pytest.mark.parametrize(
    "body, message",
    [
        ({"auth_type": "kerberos"}, "Unknown auth type 'kerberos'"),
        ({"auth_type": "userpass", "username": "x"}, "A password is needed"),
        ({"auth_type": "oidc", "oidc_token_file": "relative/token"}, "absolute path"),
        ({"auth_type": "oidc"}, "token file"),
        ({"evil": "1"}, "Unknown field 'evil'"),
    ],
)
async def test_bad_credentials_are_refused(jp_fetch, body, message):
    with pytest.raises(HTTPClientError) as caught:
        await put(jp_fetch, body)
    error = json.loads(caught.value.response.body)["error"]
    assert caught.value.code == 400 and error["code"] == "rucio_bad_credentials"
    assert message in error["message"]
    assert not store_path().exists()
