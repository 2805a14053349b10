"""The environment an ESCAPE VRE image already sets configures this package unchanged."""

from __future__ import annotations

import pytest

from jupyterlab_escape.config import EscapeHub, EscapeReana, EscapeRucio

VRE = {
    "RUCIO_BASE_URL": "https://vre-rucio.cern.ch",
    "RUCIO_AUTH_URL": "https://vre-rucio-auth.cern.ch/",
    "RUCIO_DEFAULT_AUTH_TYPE": "oidc",
    "RUCIO_OIDC_ENV_NAME": "RUCIO_ACCESS_TOKEN",
    "RUCIO_ACCESS_TOKEN": "eyJ.vre-token.sig",
    "RUCIO_MODE": "replica",
    "RUCIO_DESTINATION_RSE": "CERN-EOSPILOT",
    "RUCIO_RSE_MOUNT_PATH": "/eos/eulake",
    "RUCIO_PATH_BEGINS_AT": "5",
    "RUCIO_CA_CERT": "/certs/rucio_ca.pem",
    "REANA_SERVER_URL": "https://reana-vre.cern.ch",
    "REANA_ACCESS_TOKEN": "reana-user-token",
    "JUPYTERHUB_API_URL": "http://hub:8081/hub/api",
    "JUPYTERHUB_API_TOKEN": "server-token",
    "JUPYTERHUB_USER": "alice",
    "JUPYTERHUB_PUBLIC_HUB_URL": "https://vre.cern.ch/hub/",
}


@pytest.fixture
def vre(monkeypatch):
    for name in list(VRE) + ["RUCIO_AUTH_TYPE", "RUCIO_OIDC_FILE_NAME", "REANA_AUTH_MODE"]:
        monkeypatch.delenv(name, raising=False)
    for name, value in VRE.items():
        monkeypatch.setenv(name, value)


def test_every_vre_variable_is_honoured(vre):
    rucio = EscapeRucio()
    assert rucio.url == "https://vre-rucio.cern.ch"
    assert rucio.auth_url == "https://vre-rucio-auth.cern.ch"
    assert rucio.auth_type == "oidc"
    assert rucio.oidc_token_env == "RUCIO_ACCESS_TOKEN"
    assert rucio.oidc_token() == "eyJ.vre-token.sig"
    assert rucio.mode == "replica"
    assert rucio.destination_rse == "CERN-EOSPILOT"
    assert rucio.rse_mount_path == "/eos/eulake"
    assert rucio.path_begins_at == 5
    assert rucio.ca_bundle == "/certs/rucio_ca.pem" and rucio.tls_verify() == rucio.ca_bundle
    assert rucio.token_sources == ["hub", "file", "env"]
    reana = EscapeReana()
    assert reana.url == "https://reana-vre.cern.ch"
    assert reana.access_token == "reana-user-token"
    assert reana.auth_mode == "query"  # REANA 0.9 tokens: the hub's OIDC tokens are not used
    hub = EscapeHub()
    assert (hub.api_url, hub.api_token, hub.user) == (
        "http://hub:8081/hub/api",
        "server-token",
        "alice",
    )
    assert hub.login_url == "https://vre.cern.ch/hub/login"


def test_login_link_without_a_public_hub_url(vre, monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_PUBLIC_HUB_URL")
    monkeypatch.setenv("JUPYTERHUB_BASE_URL", "/jhub/")
    monkeypatch.setenv("JUPYTERHUB_HOST", "https://vre.example.org")
    assert EscapeHub().login_url == "https://vre.example.org/jhub/hub/login"
