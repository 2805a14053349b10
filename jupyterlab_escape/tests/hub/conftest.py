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
def escape_config(request, escape_config, reana_bearer, hub_env):  # noqa: F811
    """Rucio and REANA take OIDC tokens: REANA in bearer mode against the stand-in that checks
    them with the provider's keys."""
    escape_config["EscapeReana"].update(url=reana_bearer.url, access_token="", auth_mode="bearer")
    escape_config["EscapeHub"] = {"margin": 2.0}
    return escape_config
