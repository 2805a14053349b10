"""pytest fixtures of the hub testbed.

``hub_testbed``: JupyterHub + the OpenID Connect provider with short-lived tokens
(``ESCAPE_HUB_TEST_TTL`` seconds, default 20), the test user signed in once. Reuses a running
testbed started with the same settings, else (re)starts it, and stops it at the end if it started
it. ``reana_bearer``: a REANA stand-in in bearer mode checking JWTs against the provider's JWKS.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from ..reana import cli as reana_cli
from ..standin import free_port
from .handle import HubTestbed

TEST_TTL = int(os.environ.get("ESCAPE_HUB_TEST_TTL") or 20)


@pytest.fixture(scope="session")
def hub_testbed():
    hub = HubTestbed()
    was_running = hub.running() and hub.settings().get("token_ttl") == TEST_TTL
    hub.start(token_ttl=TEST_TTL)
    hub.sign_in()
    try:
        yield hub
    finally:
        if not was_running and os.environ.get("ESCAPE_TESTBED_KEEP") != "1":
            hub.stop()


@dataclass
class ReanaBearer:
    url: str
    token: str


@pytest.fixture(scope="session")
def reana_bearer(hub_testbed):
    if not reana_cli.reana_client().exists() or reana_cli._distribution_missing():
        reana_cli.setup()
    port = free_port()
    env = dict(
        os.environ,
        ESCAPE_REANA_OIDC_ISSUER=hub_testbed.oidc_url,
        ESCAPE_REANA_OIDC_CA=hub_testbed.ca,
        ESCAPE_REANA_QUEUED_SECONDS="0.5",
        ESCAPE_REANA_STEP_SECONDS="1",
    )
    process = reana_cli.SERVER.spawn(port, env=env)
    try:
        yield ReanaBearer(reana_cli.url(port), reana_cli.TOKEN)
    finally:
        process.terminate()
        process.wait(timeout=10)
