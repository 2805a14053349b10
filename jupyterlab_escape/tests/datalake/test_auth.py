"""Rucio authentication variants through the proxy, against the real testbed."""

from __future__ import annotations

import asyncio
import base64
import json
import time

import pytest

from jupyterlab_escape.datalake.auth import Token

from .helpers import get_error, get_json


def fake_jwt(exp: float) -> str:
    def part(obj) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256'})}.{part({'exp': int(exp), 'sub': 'jdoe'})}.c2lnbmF0dXJl"


@pytest.fixture
def token_file(tmp_path, monkeypatch):
    """An OIDC token file the server reads (RUCIO_OIDC_FILE_NAME), initially empty."""
    path = tmp_path / "rucio_oauth.token"
    path.write_text("")
    monkeypatch.setenv("RUCIO_OIDC_FILE_NAME", str(path))
    return path


def datalake(jp_serverapp):
    return jp_serverapp.web_app.settings["jupyterlab_escape"].rucio_instances.default.client


@pytest.mark.escape_config({"EscapeRucio": {"password": "wrong-password"}})
async def test_wrong_password_is_a_clear_401(jp_fetch):
    status, error = await get_error(jp_fetch, "whoami")
    assert status == 401 and error["code"] == "rucio_unauthorized"
    assert error["message"].startswith("Rucio refused the userpass credentials of account root")
    assert "wrong-password" not in json.dumps(error)


@pytest.mark.escape_config({"EscapeRucio": {"password": ""}})
async def test_missing_credentials(jp_fetch, monkeypatch):
    monkeypatch.delenv("RUCIO_PASSWORD", raising=False)
    status, error = await get_error(jp_fetch, "scopes")
    assert status == 401 and error["code"] == "rucio_credentials_missing"
    assert "RUCIO_PASSWORD" in error["message"]


@pytest.mark.escape_config({"EscapeRucio": {"url": "http://127.0.0.1:{closed_port}"}})
async def test_rucio_unreachable(jp_fetch, closed_port):
    status, error = await get_error(jp_fetch, "scopes")
    assert status == 502 and error["code"] == "rucio_unreachable"
    assert f"127.0.0.1:{closed_port} refused the connection" in error["message"]


async def test_revoked_token_is_renewed_once(jp_serverapp, jp_fetch):
    auth = datalake(jp_serverapp).auth
    assert (await get_json(jp_fetch, "whoami"))["account"]["account"] == "root"
    auth._token = Token("root-ddmlab-unknown-00000000000000000000000000000000", None, "userpass")
    assert (await get_json(jp_fetch, "whoami"))["account"]["account"] == "root"
    assert auth._token.value.startswith("root-") and "0000000000000000" not in auth._token.value


@pytest.mark.escape_config(
    {"EscapeRucio": {"auth_url": lambda tb: tb.short_token_auth_url, "token_margin": 0}}
)
async def test_short_lived_tokens_are_renewed(jp_serverapp, jp_fetch, rucio_testbed):
    auth = datalake(jp_serverapp).auth
    with rucio_testbed.short_token_lifetime(2):
        await get_json(jp_fetch, "whoami")
        first = auth._token
        assert first.expires_at - time.time() < 10
        await asyncio.sleep(3)  # the token is now expired on the Rucio side
        assert (await get_json(jp_fetch, "whoami"))["account"]["account"] == "root"
        assert auth._token.value != first.value


@pytest.mark.escape_config({"EscapeRucio": {"auth_type": "oidc"}})
async def test_expired_oidc_token_names_its_expiry(token_file, jp_fetch):
    expired = time.time() - 600
    token_file.write_text(fake_jwt(expired))
    status, error = await get_error(jp_fetch, "whoami")
    assert status == 401 and error["code"] == "rucio_token_expired"
    expected = time.strftime("%H:%M UTC", time.gmtime(expired))
    assert error["message"] == f"Your Rucio token expired at {expected}; refresh it and retry."


@pytest.mark.escape_config({"EscapeRucio": {"auth_type": "oidc"}})
async def test_rotated_token_file_works_without_restart(token_file, jp_fetch, rucio_testbed):
    token_file.write_text("root-not-a-real-token")
    status, error = await get_error(jp_fetch, "whoami")
    assert status == 401 and error["code"] == "rucio_unauthorized"
    assert str(token_file) in error["message"]
    token, _ = rucio_testbed.token("root")
    token_file.write_text(token + "\n")  # what the hub's token refresher does
    body = await get_json(jp_fetch, "whoami")
    assert body["account"]["account"] == "root"
    assert body["auth"]["token_source"] == f"file {token_file}"
    assert token not in json.dumps(body)


@pytest.mark.escape_config({"EscapeRucio": {"auth_type": "oidc"}})
async def test_token_from_environment(jp_fetch, rucio_testbed, monkeypatch):
    monkeypatch.delenv("RUCIO_OIDC_FILE_NAME", raising=False)
    token, _ = rucio_testbed.token("jdoe")
    monkeypatch.setenv("RUCIO_ACCESS_TOKEN", token)
    body = await get_json(jp_fetch, "whoami")
    assert body["account"]["account"] == "jdoe"
    assert body["auth"]["token_source"] == "environment variable RUCIO_ACCESS_TOKEN"


@pytest.mark.escape_config({"EscapeRucio": {"auth_type": "oidc"}})
async def test_missing_token_file(token_file, jp_fetch):
    token_file.unlink()
    status, error = await get_error(jp_fetch, "scopes")
    assert status == 401 and error["code"] == "rucio_token_missing"
    assert "cannot be read" in error["message"]


@pytest.mark.escape_config(
    {
        "EscapeRucio": {
            "account": "jdoe",
            "username": lambda tb: tb.jdoe.username,
            "password": lambda tb: tb.jdoe.password,
        }
    }
)
async def test_another_account(jp_fetch):
    body = await get_json(jp_fetch, "whoami")
    assert body["account"]["account"] == "jdoe"


def test_permission_denied_is_a_403_with_rucios_reason(jp_serverapp):
    """Rucio's read API grants reads to every account, so the testbed cannot refuse one: the
    mapping of its AccessDenied answer is checked on the answer's documented shape."""
    import httpx

    client = datalake(jp_serverapp)
    response = httpx.Response(
        403,
        headers={
            "ExceptionClass": "AccessDenied",
            "ExceptionMessage": "Account jdoe can not list rules of root",
        },
        json={
            "ExceptionClass": "AccessDenied",
            "ExceptionMessage": "Account jdoe can not list rules of root",
        },
    )
    error = client._error(response)
    assert (error.status, error.code, error.upstream_status) == (403, "rucio_forbidden", 403)
    assert error.message == "Account jdoe can not list rules of root."
