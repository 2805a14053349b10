"""Fresh tokens under a real JupyterHub (testbed/hub): each source, refresh, exchange, revocation.

The hub signs its user in at the testbed's OpenID Connect provider (oidc-provider) with access
tokens of a few seconds' lifetime (ESCAPE_HUB_TEST_TTL); the server reads them from the hub's auth
state with the scopes a single-user server gets.
"""

from __future__ import annotations

import asyncio
import json
import time

import jwt
import pytest
from tornado.httpclient import HTTPClientError

from jupyterlab_escape.config import EscapeHub, EscapeRucio
from jupyterlab_escape.datalake.auth import RucioAuth
from jupyterlab_escape.http import EscapeError, ServiceHTTP
from jupyterlab_escape.tokens import HubTokens


def verified(hub_testbed, token: str, audience: str) -> dict:
    """The claims of a JWT checked with the provider's published keys."""
    keys = hub_testbed.jwks()
    key = keys.get_signing_key_from_jwt(token)
    return jwt.decode(
        token, key.key, algorithms=["RS256"], audience=audience, issuer=hub_testbed.oidc_url
    )


def hub_tokens(env: dict, margin: float = 2.0) -> HubTokens:
    return HubTokens(
        EscapeHub(
            api_url=env["JUPYTERHUB_API_URL"],
            api_token=env["JUPYTERHUB_API_TOKEN"],
            user=env["JUPYTERHUB_USER"],
            login_url="http://127.0.0.1/hub/login",
            margin=margin,
        )
    )


async def workflows(jp_fetch) -> dict:
    response = await jp_fetch("escape", "workflows", "workflows")
    return json.loads(response.body)


async def test_the_hub_gives_a_token_per_audience_exchanged_at_the_provider(hub_testbed, hub_env):
    hub = hub_tokens(hub_env)
    try:
        rucio = await hub.token("rucio", "rucio")
        reana = await hub.token("reana", "reana")
        plain = await hub.token("zenodo", "zenodo")  # no exchanged token: the sign-in token
    finally:
        await hub.aclose()
    claims = verified(hub_testbed, rucio.value, "rucio")
    assert claims["sub"] == hub_testbed.user and claims["aud"] == "rucio"
    assert claims["scope"] == "openid profile"  # what Rucio's [oidc] expected_scope asks
    assert verified(hub_testbed, reana.value, "reana")["aud"] == "reana"
    assert rucio.value != reana.value and "auth state (rucio token)" in rucio.source
    assert plain.value == hub_testbed.auth_state()["access_token"]
    assert plain.value.count(".") != 2  # opaque: the provider's userinfo token


async def test_the_cached_token_is_used_until_its_margin(hub_testbed, hub_env):
    hub = hub_tokens(hub_env)
    calls = []
    original = hub._auth_state

    async def counting(service):
        calls.append(service)
        return await original(service)

    hub._auth_state = counting
    try:
        first = await hub.token("rucio", "rucio")
        second = await hub.token("rucio", "rucio")
    finally:
        await hub.aclose()
    assert first is second and calls == ["rucio"]


def server_hub(jp_serverapp) -> HubTokens:
    return jp_serverapp.web_app.settings["jupyterlab_escape"].hub_tokens


async def test_tokens_are_refreshed_past_their_lifetime_without_restart(
    hub_testbed, hub_env, jp_serverapp, jp_fetch
):
    """Rucio (real, with [oidc]) and the REANA stand-in accept only unexpired JWTs of the
    provider for their audience: the same server keeps reading both across several token
    lifetimes, with new tokens from the hub."""
    ttl = hub_testbed.settings()["token_ttl"]
    used = []
    end = time.time() + 2.5 * ttl
    while time.time() < end:
        assert isinstance((await workflows(jp_fetch))["items"], list)
        whoami = json.loads((await jp_fetch("escape", "datalake", "whoami")).body)
        assert whoami["account"]["account"] == "jdoe"  # Rucio validated the provider's JWT
        token = server_hub(jp_serverapp)._cache["reana"].value
        if token not in used:
            used.append(token)
        await asyncio.sleep(1)
    assert len(used) >= 3  # one token cannot outlive its lifetime: the hub refreshed twice
    for token in used:
        claims = verified_ignoring_expiry(hub_testbed, token, "reana")
        assert claims["sub"] == hub_testbed.user and claims["exp"] - claims["iat"] == ttl


def verified_ignoring_expiry(hub_testbed, token: str, audience: str) -> dict:
    keys = hub_testbed.jwks()
    return jwt.decode(
        token,
        keys.get_signing_key_from_jwt(token).key,
        algorithms=["RS256"],
        audience=audience,
        issuer=hub_testbed.oidc_url,
        options={"verify_exp": False},
    )


def rucio_auth(tmp_path, env, sources, monkeypatch) -> RucioAuth:
    path = tmp_path / "rucio_oauth.token"
    path.write_text("token-from-the-file")
    monkeypatch.setenv("RUCIO_ACCESS_TOKEN", "token-from-the-environment")
    config = EscapeRucio(
        url="https://rucio.example",
        auth_type="oidc",
        oidc_token_file=str(path),
        token_sources=sources,
    )
    config.hub_tokens = hub_tokens(env)
    return RucioAuth(config, ServiceHTTP(config))


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        (["hub", "file", "env"], "hub"),
        (["file", "hub", "env"], "file"),
        (["env", "hub"], "env"),
    ],
)
async def test_token_sources_in_the_configured_order(
    hub_testbed, hub_env, tmp_path, monkeypatch, sources, expected
):
    auth = rucio_auth(tmp_path, hub_env, sources, monkeypatch)
    try:
        token = await auth.token()
    finally:
        await auth.config.hub_tokens.aclose()
        await auth.http.aclose()
    if expected == "hub":
        assert verified(hub_testbed, token.value, "rucio")["aud"] == "rucio"
        assert auth.describe()["token_source"] == "the hub's auth state (rucio token)"
    elif expected == "file":
        assert token.value == "token-from-the-file"
        assert auth.describe()["token_source"].startswith("file ")
    else:
        assert token.value == "token-from-the-environment"
        assert auth.describe()["token_source"] == "environment variable RUCIO_ACCESS_TOKEN"


async def test_a_hub_that_hides_auth_state_falls_through_to_the_file(
    hub_testbed, hub_env, tmp_path, monkeypatch
):
    """A hub whose servers lack admin:auth_state!user answers without auth_state."""
    with hub_testbed.admin() as api:
        answer = api.post(
            f"users/{hub_testbed.user}/tokens",
            json={"scopes": ["read:users!user"], "expires_in": 600, "note": "no auth state"},
        )
        limited = answer.raise_for_status().json()["token"]
    auth = rucio_auth(
        tmp_path, dict(hub_env, JUPYTERHUB_API_TOKEN=limited), ["hub", "file", "env"], monkeypatch
    )
    try:
        assert (await auth.token()).value == "token-from-the-file"
    finally:
        await auth.config.hub_tokens.aclose()
        await auth.http.aclose()


async def test_an_unreachable_hub_is_a_clear_502(hub_env, closed_port):
    env = dict(hub_env, JUPYTERHUB_API_URL=f"http://127.0.0.1:{closed_port}/hub/api")
    hub = hub_tokens(env)
    try:
        with pytest.raises(EscapeError) as caught:
            await hub.token("rucio", "rucio")
    finally:
        await hub.aclose()
    assert caught.value.status == 502 and caught.value.code == "hub_unreachable"
    assert env["JUPYTERHUB_API_TOKEN"] not in caught.value.message


async def test_a_revoked_refresh_token_says_sign_in_again(
    hub_testbed, hub_env, jp_serverapp, jp_fetch
):
    """Revoking the refresh token at the provider (its admin, or the user elsewhere) ends the
    hub's refreshes: once the tokens expire, each service says 'sign in again' with the hub's
    login link: one clear message in the error envelope, never a stack trace."""
    assert isinstance((await workflows(jp_fetch))["items"], list)
    hub_testbed.revoke_refresh_token()
    try:
        end = time.time() + 3 * hub_testbed.settings()["token_ttl"]
        error = None
        while error is None and time.time() < end:
            try:
                await workflows(jp_fetch)
            except HTTPClientError as failure:
                error = (failure.code, json.loads(failure.response.body)["error"])
            await asyncio.sleep(1)
        assert error is not None, "the server kept working after the tokens expired"
        status, envelope = error
        login = f"{hub_testbed.url}/hub/login"
        assert status == 401 and envelope["code"] == "signin_expired"
        assert envelope["service"] == "reana"
        assert envelope["message"].startswith("Your sign-in expired at ")
        assert (
            f"the hub could not renew it: sign in again at {login}, then retry."
            in (envelope["message"])
        )
        # The Data Lake (OIDC from the hub too) says the same, for Rucio.
        with pytest.raises(HTTPClientError) as caught:
            await jp_fetch("escape", "datalake", "whoami")
        rucio = json.loads(caught.value.response.body)["error"]
        assert caught.value.code == 401 and rucio["code"] == "signin_expired"
        assert rucio["service"] == "rucio" and login in rucio["message"]
        assert "Traceback" not in rucio["message"] + envelope["message"]
    finally:
        hub_testbed.sign_in()  # a new grant for the tests after this one
