"""Fixtures of the hub tests: the real JupyterHub + OpenID Connect provider of testbed/hub, and a
Jupyter server with jupyterlab_escape configured as a single-user server of that hub."""

from __future__ import annotations

import pytest

from testbed.hub.pytest_plugin import hub_testbed, reana_bearer  # noqa: F401 (fixtures)


@pytest.fixture
def hub_env(hub_testbed, monkeypatch):  # noqa: F811
    """The variables the hub gives a single-user server of the test user (a fresh server token
    with the server's scopes)."""
    env = hub_testbed.server_env()
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture
def rucio_oidc(hub_testbed, rucio_testbed):  # noqa: F811
    """The Rucio testbed maps the test user's identity at the provider to the account jdoe."""
    root = rucio_testbed.root
    hub_testbed.map_rucio_identity(
        rucio_testbed.base_url,
        {"account": root.account, "username": root.username, "password": root.password},
    )
    return "jdoe"


@pytest.fixture
def escape_config(request, escape_config, reana_bearer, hub_env, rucio_oidc):  # noqa: F811
    """Rucio and REANA take OIDC tokens from the hub: Rucio validates them with the provider's
    keys (its [oidc] configuration), REANA in bearer mode against the stand-in that does too."""
    escape_config["EscapeRucio"].update(auth_type="oidc", account=rucio_oidc)
    escape_config["EscapeReana"].update(url=reana_bearer.url, access_token="", auth_mode="bearer")
    escape_config["EscapeHub"] = {"margin": 2.0}
    return escape_config
