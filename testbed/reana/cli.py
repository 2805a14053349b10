"""Set up, start, stop and inspect the REANA stand-in on 127.0.0.1.

    testbed/reana/standin setup          download reana-commons (spec) + reana-client venv
    testbed/reana/standin start|stop|status|url|env
    python -m testbed.reana serve [--port N]   run in the foreground
State (downloads, the reana-client venv, pid, log) lives in testbed/.run/reana/.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

from ..standin import BackgroundServer
from .contract import CLIENT_VENV, RUN, download_commons

DEFAULT_PORT = int(os.environ.get("ESCAPE_REANA_PORT", "18100"))
TOKEN = os.environ.get("ESCAPE_REANA_TOKEN", "standin-reana-token")
CLIENT_REQUIREMENTS = ["reana-client==0.9.*", "setuptools<81"]  # 0.9.6 imports pkg_resources
SERVER = BackgroundServer("REANA stand-in", "testbed.reana", RUN, DEFAULT_PORT)
url = SERVER.url
answering = SERVER.answering


def reana_client() -> Path:
    return CLIENT_VENV / "bin" / "reana-client"


def _distribution_missing() -> bool:
    from .contract import DIST, _distribution

    return _distribution(DIST) is None


def setup() -> int:
    started = time.monotonic()
    archive = download_commons()
    print(f"spec source: {archive}")
    if not _client_ready():
        print(f"installing {' '.join(CLIENT_REQUIREMENTS)} into {CLIENT_VENV} (own venv)")
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(CLIENT_VENV)], check=True)
        subprocess.run(
            [str(CLIENT_VENV / "bin" / "python"), "-m", "pip", "install", "-q"]
            + CLIENT_REQUIREMENTS,
            check=True,
        )
        (CLIENT_VENV / ".ready").write_text("ok\n")
    print(f"reana-client: {reana_client()}")
    print(f"setup done in {time.monotonic() - started:.1f}s")
    return 0


def _client_ready() -> bool:
    if not reana_client().exists():
        return False
    if (CLIENT_VENV / ".ready").exists():
        return True
    probe = subprocess.run(
        [str(reana_client()), "version"], capture_output=True, text=True, timeout=120
    )
    if probe.returncode == 0:
        (CLIENT_VENV / ".ready").write_text("ok\n")
    return probe.returncode == 0


def serve(port: int) -> None:
    from .oidc import OidcCheck
    from .server import make_app
    from .state import Timing

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    timing = Timing(
        queued=float(os.environ.get("ESCAPE_REANA_QUEUED_SECONDS", "1")),
        step=float(os.environ.get("ESCAPE_REANA_STEP_SECONDS", "2")),
    )

    async def main():
        oidc = OidcCheck.from_env()  # bearer mode behind an OpenID Connect provider (testbed/hub)
        app = make_app(token=TOKEN, timing=timing, bearer=oidc is not None, oidc=oidc)
        app.listen(port, address="127.0.0.1")
        contract = app.standin_state.contract
        print(
            f"REANA stand-in at {url(port)} (spec {contract.source}, version {contract.version})",
            flush=True,
        )
        await asyncio.Event().wait()

    asyncio.run(main())


def start(port: int) -> int:
    download_commons()  # the server reads its contract from it
    return SERVER.start(port)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="testbed/reana/standin", description=__doc__)
    parser.add_argument(
        "command", choices=["setup", "serve", "start", "stop", "status", "url", "env"]
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = parser.parse_args(argv)
    if args.command == "setup":
        return setup()
    if args.command == "serve":
        serve(args.port)
        return 0
    if args.command == "start":
        return start(args.port)
    if args.command == "stop":
        return SERVER.stop(args.port)
    if args.command == "url":
        print(url(args.port))
        return 0
    if args.command == "env":
        print(f"export REANA_SERVER_URL={url(args.port)}")
        print(f"export REANA_ACCESS_TOKEN={TOKEN}")
        print(f"export PATH={CLIENT_VENV / 'bin'}:$PATH")
        return 0
    return SERVER.status(args.port)
