"""Start, stop and inspect the Zenodo stand-in on 127.0.0.1.

    python -m testbed.zenodo serve [--port N]   run in the foreground
    testbed/zenodo/standin start|stop|status|url
The background server's pid and log live in testbed/.run/zenodo/.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUN = ROOT / "testbed" / ".run" / "zenodo"
PID_FILE = RUN / "standin.pid"
LOG_FILE = RUN / "standin.log"
DEFAULT_PORT = int(os.environ.get("ESCAPE_ZENODO_PORT", "18090"))


def url(port: int = DEFAULT_PORT) -> str:
    return f"http://127.0.0.1:{port}"


def answering(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"{url(port)}/_standin/stats", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def serve(port: int) -> None:
    from .server import make_app

    async def main():
        app = make_app()
        app.listen(port, address="127.0.0.1")
        print(
            f"Zenodo stand-in at {url(port)} ({len(app.standin_state.records)} records)", flush=True
        )
        await asyncio.Event().wait()

    asyncio.run(main())


def start(port: int) -> int:
    if answering(port):
        print(f"Zenodo stand-in already answering at {url(port)}")
        return 0
    RUN.mkdir(parents=True, exist_ok=True)
    with open(LOG_FILE, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "testbed.zenodo", "serve", "--port", str(port)],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    PID_FILE.write_text(f"{process.pid} {port}\n")
    for _ in range(100):
        if answering(port):
            print(f"Zenodo stand-in started at {url(port)} (pid {process.pid})")
            return 0
        if process.poll() is not None:
            break
        time.sleep(0.1)
    print(f"Zenodo stand-in did not start; see {LOG_FILE}", file=sys.stderr)
    return 1


def stop() -> int:
    if not PID_FILE.exists():
        print("Zenodo stand-in not started by this CLI")
        return 0
    pid = int(PID_FILE.read_text().split()[0])
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    PID_FILE.unlink()
    print(f"Zenodo stand-in stopped (pid {pid})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="testbed/zenodo/standin", description=__doc__)
    parser.add_argument("command", choices=["serve", "start", "stop", "status", "url"])
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = parser.parse_args(argv)
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
    up = answering(args.port)
    print(f"Zenodo stand-in {'answering' if up else 'not answering'} at {url(args.port)}")
    return 0 if up else 1
