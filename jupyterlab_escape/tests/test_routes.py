"""Routes through a real Jupyter server with the extension loaded (pytest-jupyter)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import tornado.web
from tornado.httpclient import HTTPClientError

import jupyterlab_escape

from .conftest import REANA_TOKEN, ZENODO_TOKEN, escape_routes

VERBS = ("get", "post", "put", "patch", "delete")


def concrete_path(pattern: str) -> str:
    """A request path that matches a route regex: every capture group becomes 'x'."""
    path = re.sub(r"\(\?P<\w+>[^)]*\)|\([^)]*\)", "x", pattern)
    return path.rstrip("$")


def implemented_verbs(handler: type) -> list[str]:
    return [
        verb
        for verb in VERBS
        if getattr(handler, verb) is not getattr(tornado.web.RequestHandler, verb)
    ]


async def test_every_escape_route_refuses_unauthenticated_requests(
    jp_serverapp, http_server_client
):
    routes = escape_routes(jp_serverapp.web_app)
    assert routes, "no /escape/ route registered: is the extension loaded?"
    assert any(p.endswith("/escape/status$") or p.endswith("/escape/status") for p, _ in routes)
    checked = 0
    for pattern, handler in routes:
        verbs = implemented_verbs(handler)
        assert verbs, f"{handler.__name__} implements no verb"
        for verb in verbs:
            fn = getattr(handler, verb)
            # tornado.web.authenticated wraps the method; the wrapper keeps __wrapped__.
            assert hasattr(fn, "__wrapped__"), f"{handler.__name__}.{verb} is not @authenticated"
            url = concrete_path(pattern)
            # No token, no cookie: the server must refuse before the handler runs.
            response = await http_server_client.fetch(
                url,
                method=verb.upper(),
                body=b"{}" if verb in ("post", "put", "patch") else None,
                raise_error=False,
                follow_redirects=False,
            )
            assert response.code == 403, f"{verb.upper()} {url} answered {response.code}"
            checked += 1
    assert checked >= 1


async def test_status_reports_the_three_services(jp_fetch, rucio_testbed, reana_up, zenodo_up):
    response = await jp_fetch("escape", "status")
    assert response.code == 200
    report = json.loads(response.body)
    services = {s["id"]: s for s in report["services"]}
    assert list(services) == ["rucio", "reana", "zenodo"]
    rucio = services["rucio"]
    assert rucio["configured"] and rucio["reachable"], rucio
    assert rucio["url"] == rucio_testbed.base_url
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", rucio["version"])
    assert rucio["rtt_ms"] >= 0 and rucio["reason"] is None
    assert rucio["detail"] == "Testbed; account root (userpass)"
    assert services["reana"]["reachable"] and services["reana"]["version"] == "0.9.4"
    assert services["zenodo"]["reachable"]
    assert services["zenodo"]["detail"] == "42 records in community escape2020"
    assert "GET /api/records?communities=escape2020&size=1" in zenodo_up.state.hits
    assert report["checked_at"].endswith("+00:00")


@pytest.mark.escape_config(
    {"EscapeReana": {"url": ""}, "EscapeRucio": {"url": "http://127.0.0.1:{closed_port}"}}
)
async def test_status_explains_unconfigured_and_unreachable(jp_fetch, closed_port, monkeypatch):
    monkeypatch.delenv("REANA_SERVER_URL", raising=False)
    report = json.loads((await jp_fetch("escape", "status")).body)
    services = {s["id"]: s for s in report["services"]}
    reana, rucio = services["reana"], services["rucio"]
    assert not reana["configured"] and not reana["reachable"]
    assert "REANA_SERVER_URL" in reana["reason"]
    assert rucio["configured"] and not rucio["reachable"]
    assert (
        rucio["reason"]
        == f"Rucio Data Lake at 127.0.0.1:{closed_port} refused the connection: is it running?"
    )
    assert rucio["code"] == "rucio_unreachable"


async def test_unknown_route_answers_with_the_error_envelope(jp_fetch):
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("escape", "status", method="POST", body="{}")
    assert caught.value.code == 405
    body = json.loads(caught.value.response.body)
    assert body["error"]["code"] == "method_not_allowed"
    assert set(body["error"]) == {"code", "message", "service", "upstream_status"}


async def test_no_response_contains_a_configured_secret(
    jp_serverapp, jp_fetch, rucio_testbed, caplog
):
    secrets = [rucio_testbed.root.password, REANA_TOKEN, ZENODO_TOKEN]
    services = jp_serverapp.web_app.settings["jupyterlab_escape"].services
    assert sorted(services.secrets()) == sorted(secrets)
    base = jp_serverapp.base_url
    caplog.set_level("INFO")
    for pattern, handler in escape_routes(jp_serverapp.web_app):
        if "get" not in implemented_verbs(handler):
            continue
        path = concrete_path(pattern)[len(base) :]
        try:
            response = await jp_fetch(*path.split("/"))
            code, body, headers = response.code, response.body, response.headers
        except HTTPClientError as err:
            code, body, headers = err.code, err.response.body, err.response.headers
        if path.endswith("escape/openapi.yaml"):
            # A static document from the package (the testbed's password is the word "secret",
            # which the description rightly uses): it must be the file as shipped.
            assert body == (Path(jupyterlab_escape.__file__).parent / "openapi.yaml").read_bytes()
            continue
        text = body.decode() + json.dumps(dict(headers))
        for secret in secrets:
            assert not leaked(secret, text), f"{path} ({code}) leaks a secret"
    for record in caplog.records:
        for secret in secrets:
            assert not leaked(secret, record.getMessage())


def leaked(secret: str, text: str) -> bool:
    """The secret as a token of its own: the testbed's password is the word "secret", which
    "/api/secrets" contains without leaking anything."""
    return re.search(rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])", text) is not None


@pytest.mark.parametrize(
    "path",
    [
        ("escape", "datalake", "fetch"),
        ("escape", "catalogue", "publish", "check"),
        ("escape", "catalogue", "records", "1", "fetch"),
        ("escape", "workflows", "validate"),
    ],
)
@pytest.mark.parametrize("body", [b"\x9c\xdd", b"[]", b"{not json", b'"text"'])
async def test_a_body_that_is_not_a_json_object_is_a_400_in_every_slice(jp_fetch, path, body):
    """One json_body() for every route: bad UTF-8 was a 500 in the catalogue (found by fuzzing)."""
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch(*path, method="POST", body=body)
    assert caught.value.code == 400
    error = json.loads(caught.value.response.body)["error"]
    assert (error["code"], error["message"]) == ("bad_request", "Send a JSON object.")
