"""Auth modes, upstream failures mapped to our statuses, and the token never leaving the server."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid

import httpx
import pytest

from jupyterlab_escape.config import EscapeReana
from jupyterlab_escape.http import EscapeError, ServiceHTTP
from jupyterlab_escape.workflows.client import ReanaClient
from testbed.reana.server import make_app

from .test_workflows import call, error_of, submit, wait_for


def recording_client(mode: str, answer=(200, {"message": "OK"})):
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(answer[0], json=answer[1])

    config = EscapeReana(url="http://reana.example", access_token="tok-123", auth_mode=mode)
    http = ServiceHTTP(config, httpx.MockTransport(handler))
    return ReanaClient(http), seen


async def test_query_mode_sends_access_token_parameter():
    client, seen = recording_client("query")
    await client.info()
    assert seen[0].url.params["access_token"] == "tok-123"
    assert "authorization" not in seen[0].headers


async def test_bearer_mode_sends_an_authorization_header():
    client, seen = recording_client("bearer")
    await client.info()
    assert seen[0].headers["authorization"] == "Bearer tok-123"
    assert "access_token" not in seen[0].url.params


async def test_api_ping_is_anonymous():
    client, seen = recording_client("query")
    await client.api_ping()
    assert "access_token" not in seen[0].url.params


async def test_ping_reports_version_round_trip_and_detail():
    answer = (200, {"message": "OK", "status": "200", "reana_server_version": "0.9.4"})
    client, seen = recording_client("query", answer)
    report = await client.ping()
    # The version has its own row in the services view: the detail does not repeat it.
    assert report["version"] == "0.9.4" and report["detail"] is None
    assert isinstance(report["rtt_ms"], float) and report["rtt_ms"] >= 0
    assert seen[0].url.path == "/api/ping" and "access_token" not in seen[0].url.params
    client.http.config.access_token = ""
    assert (await client.ping())["detail"] == (
        "No access token configured, so workflows cannot be submitted."
    )
    answer = (200, {"message": "OK", "status": "200"})
    client, _ = recording_client("query", answer)
    report = await client.ping()
    assert report["version"] is None and report["detail"] is None


@pytest.mark.parametrize("answer", [(200, {"message": "hello"}), (200, ["not", "reana"])])
async def test_ping_refuses_what_is_not_a_reana(answer):
    client, _ = recording_client("query", answer)
    with pytest.raises(EscapeError) as caught:
        await client.ping()
    assert (caught.value.status, caught.value.code) == (502, "reana_bad_response")
    assert caught.value.message == "The URL answers, but not like a REANA server."


def test_auth_mode_falls_back_to_the_environment(monkeypatch):
    monkeypatch.setenv("REANA_AUTH_MODE", "bearer")
    assert EscapeReana().auth_mode == "bearer"
    monkeypatch.setenv("REANA_AUTH_MODE", "nonsense")
    assert EscapeReana().auth_mode == "query"


@pytest.mark.parametrize(
    "upstream, status, code",
    [
        ((400, {"message": "Bad thing."}), 400, "reana_bad_request"),
        ((401, {"message": "User not signed in"}), 401, "reana_unauthorized"),
        ((403, {"message": "Token not valid."}), 403, "reana_forbidden"),
        ((404, {"message": "Workflow x does not exist."}), 404, "reana_not_found"),
        ((409, {"message": "Busy."}), 409, "reana_conflict"),
        ((500, {"message": "Boom."}), 502, "reana_upstream_error"),
        ((504, {}), 504, "reana_timeout"),
    ],
)
async def test_upstream_errors_map_to_our_statuses(upstream, status, code):
    client, _ = recording_client("query", upstream)
    client.http.config.retries = 0
    with pytest.raises(EscapeError) as caught:
        await client.status("x")
    assert (caught.value.status, caught.value.code) == (status, code)
    assert caught.value.upstream_status == upstream[0]
    assert "tok-123" not in caught.value.message


async def test_no_token_configured_is_a_clear_401():
    config = EscapeReana(url="http://reana.example", access_token="")
    client = ReanaClient(ServiceHTTP(config, httpx.MockTransport(lambda r: httpx.Response(200))))
    with pytest.raises(EscapeError) as caught:
        await client.info()
    assert caught.value.status == 401 and "REANA_ACCESS_TOKEN" in caught.value.message


@pytest.fixture
def bearer_standin(reana_standin):
    """An in-process stand-in that accepts only Authorization: Bearer (the OIDC mode)."""
    from testbed.standin import free_port

    app = make_app(token=reana_standin.token, bearer=True)
    port = free_port()
    server = app.listen(port, address="127.0.0.1")
    yield f"http://127.0.0.1:{port}", app.standin_state
    server.stop()
    for workflow in app.standin_state.workflows.values():
        if workflow.task is not None:
            workflow.task.cancel()  # its simulated run would outlive this test's loop


@pytest.mark.escape_config({"EscapeReana": {"auth_mode": "bearer"}})
async def test_bearer_mode_end_to_end(jp_fetch, jp_serverapp, bearer_standin, project):
    url, state = bearer_standin
    app = jp_serverapp.extension_manager.extension_apps["jupyterlab_escape"]
    services = next(iter(app)).services
    services.reana.url = url  # the stand-in of this test, which reads Authorization: Bearer
    caps = await call(jp_fetch, "capabilities", fresh="1")
    assert caps["compute_backends"] == ["kubernetes"]
    events = await submit(jp_fetch, name="bearer")
    assert events[-1]["stage"] == "started"
    assert state.violations == [] and state.requests > 5
    services.reana.access_token = "not-the-token"
    code, error = await error_of(jp_fetch, "workflows")
    assert code == 403 and error["upstream_status"] == 403


@pytest.mark.escape_config({"EscapeReana": {"access_token": "wrong-token-xyz"}})
async def test_refused_token_is_a_403_with_reana_reason(jp_fetch):
    code, error = await error_of(jp_fetch, "workflows")
    assert code == 403
    assert error["message"] == (
        "REANA refused the access token configured on the server (Token not valid)."
    )


@pytest.mark.escape_config({"EscapeReana": {"url": "http://127.0.0.1:{closed_port}"}})
async def test_unreachable_reana_is_a_502(jp_fetch, closed_port):
    code, error = await error_of(jp_fetch, "workflows")
    assert code == 502 and error["code"] == "reana_unreachable"


async def test_the_token_never_reaches_a_response_or_a_log(
    jp_fetch, project, reana_standin, caplog
):
    caplog.set_level(logging.DEBUG)
    logging.getLogger("httpx").setLevel(logging.DEBUG)
    token = reana_standin.token
    bodies = []
    events = await submit(jp_fetch, name=f"leak{uuid.uuid4().hex[:6]}")
    bodies.append(json.dumps(events))
    ref = events[-1]["workflow_id"]
    await wait_for(jp_fetch, ref)
    for path, method, body in [
        (("capabilities",), "GET", None),
        (("validate",), "POST", {"path": "analysis/reana.yaml"}),
        (("workflows",), "GET", None),
        (("workflows", ref), "GET", None),
        (("workflows", ref, "logs"), "GET", None),
        (("workflows", ref, "files"), "GET", None),
        (("workflows", ref, "specification"), "GET", None),
        (("workflows", ref, "outputs"), "POST", {}),
    ]:
        bodies.append(json.dumps(await call(jp_fetch, *path, method=method, body=body)))
    bodies.append(json.dumps(await error_of(jp_fetch, "workflows", ref, "stop", method="POST")))
    response = await jp_fetch("escape", "workflows", "workflows", ref, "logs", "download")
    bodies.append(response.body.decode() + json.dumps(dict(response.headers)))
    for text in bodies:
        assert token not in text
    logged = [r.getMessage() for r in caplog.records]
    assert any("access_token=[redacted]" in m for m in logged), "httpx logged no request"
    assert not [m for m in logged if token in m]
    await asyncio.sleep(0)


async def test_download_paths_are_encoded_not_turned_into_queries():
    client, seen = recording_client("query")
    async with client.download("w1", "results/a?access_token=x#y z.txt"):
        pass
    url = seen[0].url
    assert url.raw_path.decode().startswith("/api/workflows/w1/workspace/results/a%3Faccess_token")
    assert dict(url.params) == {"access_token": "tok-123"}
