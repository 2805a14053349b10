"""The stand-in's contract: the official spec is loaded and both directions are checked."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from testbed.reana.contract import Contract, ContractError
from testbed.reana.routes import Api
from testbed.reana.state import Reply


@pytest.fixture(scope="module")
def contract() -> Contract:
    return Contract.from_dist()


def test_spec_is_the_official_swagger_2(contract):
    assert contract.spec["swagger"] == "2.0"
    assert contract.version.startswith("0.9")
    assert contract.source.startswith("reana_commons-0.9.")
    paths = {(o.method, o.path) for o in contract.operations}
    assert ("POST", "/api/workflows/{workflow_id_or_name}/workspace") in paths
    assert ("GET", "/api/workflows/{workflow_id_or_name}/workspace/{file_name}") in paths


def test_valid_requests_pass(contract):
    op, args = contract.validate_request(
        "GET", "/api/workflows", {"type": ["batch"], "page": ["1"], "size": ["5"]}, "", b""
    )
    assert op.path == "/api/workflows"
    op, args = contract.validate_request(
        "GET", "/api/workflows/w1/workspace/results/plots/a.png", {}, "", b""
    )
    assert args == {"workflow_id_or_name": "w1", "file_name": "results/plots/a.png"}
    contract.validate_request(
        "POST",
        "/api/workflows/w1/start",
        {},
        "application/json",
        json.dumps({"input_parameters": {"x": 1}, "restart": False}).encode(),
    )


@pytest.mark.parametrize(
    "method, path, query, content_type, body, fragment",
    [
        ("GET", "/api/workflows", {}, "", b"", "'type' missing"),
        ("GET", "/api/workflows", {"type": ["batch"], "page": ["one"]}, "", b"", "integer"),
        ("PUT", "/api/workflows/w1/status", {"status": ["pause"]}, "", b"", "not one of"),
        (
            "POST",
            "/api/workflows/w1/start",
            {},
            "application/json",
            b'{"restart": "yes"}',
            "not of type 'boolean'",
        ),
        (
            "POST",
            "/api/workflows/w1/workspace",
            {"file_name": ["a"]},
            "text/plain",
            b"x",
            "Content-Type",
        ),
        ("GET", "/api/nowhere", {}, "", b"", "path not in"),
        ("PATCH", "/api/workflows", {}, "", b"", "method not in"),
    ],
)
def test_invalid_requests_are_caught(contract, method, path, query, content_type, body, fragment):
    with pytest.raises(ContractError, match=fragment):
        contract.validate_request(method, path, query, content_type, body)


def test_invalid_responses_are_caught(contract):
    op, _ = contract.match("GET", "/api/workflows/w1/status")[:2]
    good = {"id": "w1", "name": "a.1", "status": "created", "logs": "{}", "progress": {}}
    contract.validate_response(op, 200, "application/json", json.dumps(good).encode())
    with pytest.raises(ContractError, match="logs"):
        bad = dict(good, logs={"workflow_logs": ""})  # logs must be a JSON *string*
        contract.validate_response(op, 200, "application/json", json.dumps(bad).encode())
    with pytest.raises(ContractError, match="status not among"):
        contract.validate_response(op, 418, "application/json", b"{}")
    with pytest.raises(ContractError, match="produces"):
        contract.validate_response(op, 200, "text/plain", b"hi")
    nullable = dict(good, progress={"run_started_at": None, "current_step_name": None})
    contract.validate_response(op, 200, "application/json", json.dumps(nullable).encode())


def _call(url, method="GET", body=None, headers=None):
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_server_fails_loudly_on_a_bad_request(reana_standin):
    before = len(reana_standin.stats()["violations"])
    status, body = _call(f"{reana_standin.url}/api/workflows?access_token={reana_standin.token}")
    assert status == 500
    assert body["standin_contract_violation"] is True
    assert "'type' missing" in body["message"]
    assert reana_standin.token not in body["message"]
    assert len(reana_standin.stats()["violations"]) == before + 1


def test_server_fails_loudly_on_a_bad_response(monkeypatch):
    """A stand-in answer outside the spec never reaches the client: 500 with the error."""
    import asyncio

    from tornado.httpclient import AsyncHTTPClient

    from testbed.reana.server import make_app
    from testbed.standin import free_port

    monkeypatch.setattr(Api, "get_ping", staticmethod(lambda *a: Reply({"status": 200})))

    async def scenario():
        app = make_app()
        port = free_port()
        server = app.listen(port, address="127.0.0.1")
        try:
            response = await AsyncHTTPClient().fetch(
                f"http://127.0.0.1:{port}/api/ping", raise_error=False
            )
        finally:
            server.stop()
        return response.code, json.loads(response.body), app.standin_state.violations

    code, body, violations = asyncio.run(scenario())
    assert code == 500
    assert "(response)" in body["message"] and "200 is not of type 'string'" in body["message"]
    assert violations == [body["message"]]


@pytest.mark.parametrize(
    "query, status, message",
    [("", 401, "User not signed in"), ("?access_token=wrong", 403, "Token not valid.")],
)
def test_auth_like_reana_0_9(reana_standin, query, status, message):
    assert _call(f"{reana_standin.url}/api/you{query}") == (status, {"message": message})


def test_bearer_header_is_not_read_by_default(reana_standin):
    headers = {"Authorization": f"Bearer {reana_standin.token}"}
    assert _call(f"{reana_standin.url}/api/you", headers=headers)[0] == 401


def test_ping_needs_no_token(reana_standin):
    assert _call(f"{reana_standin.url}/api/ping") == (200, {"message": "OK", "status": "200"})
