"""The error envelope's login link (#21): a sign-in that expired under a hub says where to sign in
again as a field the browser shows as a link, not only inside the sentence."""

from __future__ import annotations

from jupyterlab_escape.config import EscapeHub
from jupyterlab_escape.http import EscapeError
from jupyterlab_escape.tests.openapi_contract import Contract
from jupyterlab_escape.tokens import HubTokens

LOGIN = "https://hub.example.org/hub/login"


def envelope_problems(envelope: dict) -> list[str]:
    contract = Contract()
    schema = contract.doc["components"]["schemas"]["ErrorEnvelope"]
    return contract.schema_errors(schema, envelope, "envelope")


def test_signin_expired_carries_the_hubs_login_url():
    hub = HubTokens(
        EscapeHub(api_url="http://127.0.0.1:9/hub/api", api_token="t", user="u", login_url=LOGIN)
    )
    envelope = hub.signin_expired("rucio", 1_700_000_000.0).envelope()
    error = envelope["error"]
    assert error["code"] == "signin_expired" and error["service"] == "rucio"
    assert error["login_url"] == LOGIN
    assert f"sign in again at {LOGIN}, then retry." in error["message"]
    assert envelope_problems(envelope) == []


def test_without_a_login_url_the_envelope_keeps_its_shape():
    hub = HubTokens(
        EscapeHub(api_url="http://127.0.0.1:9/hub/api", api_token="t", user="u", login_url="")
    )
    envelope = hub.signin_expired("reana", None).envelope()
    assert "login_url" not in envelope["error"]
    assert envelope["error"]["message"].endswith("sign in again, then retry.")
    assert envelope_problems(envelope) == []
    plain = EscapeError(502, "rucio_error", "Rucio failed.", service="rucio").envelope()
    assert set(plain["error"]) == {"code", "message", "service", "upstream_status"}


def test_the_description_refuses_a_login_url_that_is_not_a_web_address():
    bad = EscapeError(401, "signin_expired", "x", login_url="javascript:alert(1)").envelope()
    assert envelope_problems(bad) != []
