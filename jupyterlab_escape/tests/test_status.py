"""GET /escape/status: reachable is not enough, the view also says whether the configured
identity signs in (Rucio whoami, REANA /api/you, the Zenodo publishing token's scopes), with the
upstream's words when it does not (issue 21: all cards were green with a wrong password)."""

from __future__ import annotations

import json

import pytest

from jupyterlab_escape.catalogue.client import ZenodoClient
from jupyterlab_escape.config import EscapeZenodo
from jupyterlab_escape.http import EscapeError, ServiceHTTP
from testbed.reana.pytest_plugin import reana_standin  # noqa: F401  (fixture)
from testbed.reana.state import USER_EMAIL


@pytest.fixture
def escape_config(request, escape_config, reana_standin):  # noqa: F811
    """REANA is the stand-in (it answers /api/you); a marker may change its token."""
    reana = {"url": reana_standin.url, "access_token": reana_standin.token}
    for marker in request.node.iter_markers("escape_config"):
        reana.update(marker.args[0].get("EscapeReana", {}))
    escape_config["EscapeReana"] = reana
    return escape_config


async def status(jp_fetch) -> tuple[dict, str]:
    response = await jp_fetch("escape", "status")
    text = response.body.decode()
    report = json.loads(text)
    return {s["id"]: s for s in report["services"]}, text


async def test_the_configured_identities_sign_in(jp_fetch, rucio_testbed):
    services, _ = await status(jp_fetch)
    rucio = services["rucio"]["identity"]
    assert rucio["signs_in"] is True
    assert rucio["account"] == rucio_testbed.root.account
    assert rucio["expires_at"]  # Rucio said when the userpass token expires
    assert "userpass" in rucio["detail"]
    reana = services["reana"]["identity"]
    assert reana == {
        "signs_in": True,
        "account": USER_EMAIL,
        "expires_at": None,
        "detail": "token active",
        "reason": None,
    }
    zenodo = services["zenodo"]["identity"]
    assert zenodo["signs_in"] is None
    assert "No Zenodo token is stored" in zenodo["reason"]


@pytest.mark.escape_config({"EscapeRucio": {"password": "not-the-password"}})
async def test_a_wrong_rucio_password_is_reachable_but_does_not_sign_in(jp_fetch):
    services, text = await status(jp_fetch)
    rucio = services["rucio"]
    assert rucio["reachable"] is True
    assert rucio["identity"]["signs_in"] is False
    assert rucio["identity"]["code"] == "rucio_unauthorized"
    assert "Rucio refused the userpass credentials" in rucio["identity"]["reason"]
    assert "not-the-password" not in text


@pytest.mark.escape_config({"EscapeReana": {"access_token": "wrong-token-0b1e"}})
async def test_a_wrong_reana_token_is_reachable_but_does_not_sign_in(jp_fetch):
    services, text = await status(jp_fetch)
    reana = services["reana"]
    assert reana["reachable"] is True
    assert reana["identity"]["signs_in"] is False
    assert reana["identity"]["reason"] == (
        "REANA refused the access token configured on the server (Token not valid)."
    )
    assert "wrong-token-0b1e" not in text


@pytest.mark.escape_config({"EscapeReana": {"access_token": ""}})
async def test_no_reana_token_says_how_to_set_one(jp_fetch):
    services, _ = await status(jp_fetch)
    reana = services["reana"]["identity"]
    assert reana["signs_in"] is False and reana["code"] == "reana_no_token"
    assert "REANA_ACCESS_TOKEN" in reana["reason"]


class _Deposit:
    def __init__(self, error: EscapeError | None = None):
        self.error = error
        self.probed = 0

    async def probe(self) -> None:
        self.probed += 1
        if self.error:
            raise self.error


async def test_zenodo_identity_checks_the_publishing_scopes():
    client = ZenodoClient(ServiceHTTP(EscapeZenodo(url="http://zenodo.invalid")))
    assert await client.identity(None, False) is None
    good = _Deposit()
    report = await client.identity(good, True)
    assert good.probed == 1
    assert report["detail"] == (
        "publishing token for the Zenodo sandbox holds deposit:write and deposit:actions"
    )
    refused = EscapeError(403, "zenodo_token_scope", "Your Zenodo token lacks the scope.")
    with pytest.raises(EscapeError, match="lacks the scope"):
        await client.identity(_Deposit(refused), False)
