"""pytest fixture ``reana_standin``: the REANA stand-in for a test session.

Reuses a stand-in already answering on ESCAPE_REANA_PORT (default 18100); otherwise starts one in a
subprocess on a free port and stops it at the end. ``testbed/reana/standin setup`` must have run
(the fixture runs it if the spec or reana-client is missing).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from . import cli


@dataclass
class ReanaStandIn:
    url: str
    token: str
    reana_client: Path

    def stats(self) -> dict:
        with urllib.request.urlopen(f"{self.url}/_standin/stats", timeout=5) as response:
            return json.load(response)

    def client_env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("REANA_")}
        env.update(REANA_SERVER_URL=self.url, REANA_ACCESS_TOKEN=self.token)
        env["PYTHONWARNINGS"] = "ignore::UserWarning"
        return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def reana_standin():
    if not cli.reana_client().exists() or cli._distribution_missing():
        cli.setup()
    if cli.answering(cli.DEFAULT_PORT):
        yield ReanaStandIn(cli.url(cli.DEFAULT_PORT), cli.TOKEN, cli.reana_client())
        return
    port = _free_port()
    env = dict(os.environ, ESCAPE_REANA_QUEUED_SECONDS="0.5", ESCAPE_REANA_STEP_SECONDS="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "testbed.reana", "serve", "--port", str(port)],
        cwd=cli.ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            if cli.answering(port):
                break
            if process.poll() is not None:
                raise RuntimeError("REANA stand-in exited; run it in the foreground to see why")
            time.sleep(0.1)
        yield ReanaStandIn(cli.url(port), cli.TOKEN, cli.reana_client())
    finally:
        process.terminate()
        process.wait(timeout=10)
