"""pytest fixture ``reana_standin``: the REANA stand-in for a test session.

Reuses a stand-in already answering on ESCAPE_REANA_PORT (default 18100); otherwise starts one in a
subprocess on a free port and stops it at the end. ``testbed/reana/standin setup`` must have run
(the fixture runs it if the spec or reana-client is missing).
"""

from __future__ import annotations

import json
import os
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from ..standin import free_port
from . import cli


@dataclass
class ReanaStandIn:
    url: str
    token: str
    reana_client: Path

    def stats(self) -> dict:
        with urllib.request.urlopen(f"{self.url}/_standin/stats", timeout=5) as response:
            return json.load(response)

    def capture(self, workflow_id: str) -> dict:
        url = f"{self.url}/_standin/workflows/{workflow_id}/capture"
        with urllib.request.urlopen(url, timeout=5) as response:
            return json.load(response)

    def client_env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("REANA_")}
        env.update(REANA_SERVER_URL=self.url, REANA_ACCESS_TOKEN=self.token)
        env["PYTHONWARNINGS"] = "ignore::UserWarning"
        return env


@pytest.fixture(scope="session")
def reana_standin():
    if not cli.reana_client().exists() or cli._distribution_missing():
        cli.setup()
    if cli.answering(cli.DEFAULT_PORT):
        yield ReanaStandIn(cli.url(cli.DEFAULT_PORT), cli.TOKEN, cli.reana_client())
        return
    port = free_port()
    env = dict(os.environ, ESCAPE_REANA_QUEUED_SECONDS="0.5", ESCAPE_REANA_STEP_SECONDS="1")
    process = cli.SERVER.spawn(port, env=env)
    try:
        yield ReanaStandIn(cli.url(port), cli.TOKEN, cli.reana_client())
    finally:
        process.terminate()
        process.wait(timeout=10)
