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
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from .contract import RUN, download_commons

DEFAULT_PORT = int(os.environ.get("ESCAPE_REANA_PORT", "18100"))
TOKEN = os.environ.get("ESCAPE_REANA_TOKEN", "standin-reana-token")
PID_FILE = RUN / "standin.pid"
LOG_FILE = RUN / "standin.log"
CLIENT_VENV = RUN / "client-venv"
CLIENT_REQUIREMENTS = ["reana-client==0.9.*", "setuptools<81"]  # 0.9.6 imports pkg_resources
ROOT = Path(__file__).resolve().parents[2]


def url(port: int = DEFAULT_PORT) -> str:
    return f"http://127.0.0.1:{port}"


def reana_client() -> Path:
    return CLIENT_VENV / "bin" / "reana-client"


def answering(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"{url(port)}/_standin/stats", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


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
    from .server import Timing, make_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    timing = Timing(
        queued=float(os.environ.get("ESCAPE_REANA_QUEUED_SECONDS", "1")),
        step=float(os.environ.get("ESCAPE_REANA_STEP_SECONDS", "2")),
    )

    async def main():
        app = make_app(token=TOKEN, timing=timing)
        app.listen(port, address="127.0.0.1")
        contract = app.standin_state.contract
        print(
            f"REANA stand-in at {url(port)} (spec {contract.source}, version {contract.version})",
            flush=True,
        )
        await asyncio.Event().wait()

    asyncio.run(main())


def start(port: int) -> int:
    if answering(port):
        print(f"REANA stand-in already answering at {url(port)}")
        return 0
    download_commons()
    RUN.mkdir(parents=True, exist_ok=True)
    with open(LOG_FILE, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "testbed.reana", "serve", "--port", str(port)],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    PID_FILE.write_text(f"{process.pid} {port}\n")
    for _ in range(100):
        if answering(port):
            print(f"REANA stand-in started at {url(port)} (pid {process.pid})")
            return 0
        if process.poll() is not None:
            break
        time.sleep(0.1)
    print(f"REANA stand-in did not start; see {LOG_FILE}", file=sys.stderr)
    return 1


def stop() -> int:
    if not PID_FILE.exists():
        print("REANA stand-in not started by this CLI")
        return 0
    pid = int(PID_FILE.read_text().split()[0])
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    PID_FILE.unlink()
    print(f"REANA stand-in stopped (pid {pid})")
    return 0


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
        return stop()
    if args.command == "url":
        print(url(args.port))
        return 0
    if args.command == "env":
        print(f"export REANA_SERVER_URL={url(args.port)}")
        print(f"export REANA_ACCESS_TOKEN={TOKEN}")
        print(f"export PATH={CLIENT_VENV / 'bin'}:$PATH")
        return 0
    up = answering(args.port)
    print(f"REANA stand-in {'answering' if up else 'not answering'} at {url(args.port)}")
    return 0 if up else 1
