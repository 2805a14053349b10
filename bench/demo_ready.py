"""Time from `scripts/demo` to a JupyterLab that answers, with the labextension already built from
the current sources (now: no build) against a forced rebuild (what every start did before the
build stamp). Alternating runs in one process; prints each and the medians' ratio.

It builds the labextension in the checkout: run it under the UI lock,
  flock /tmp/escape-ui.lock .venv/bin/python bench/demo_ready.py --runs 2
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STAMP = REPO / ".run" / "labextension.stamp"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True  # 403 without a token: the server is up
    except OSError:
        return False


def time_to_ready(port: int, root: Path, timeout: float = 600) -> float:
    env = dict(os.environ, ESCAPE_DEMO_PORT=str(port), ESCAPE_DEMO_ROOT=str(root))
    started = time.monotonic()
    proc = subprocess.Popen(
        [str(REPO / "scripts" / "demo")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        while not answers(f"http://127.0.0.1:{port}/api/status"):
            if proc.poll() is not None:
                raise SystemExit(f"scripts/demo exited with {proc.returncode}")
            if time.monotonic() - started > timeout:
                raise SystemExit("scripts/demo did not answer in time")
            time.sleep(0.2)
        return time.monotonic() - started
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    root = REPO / ".run" / "demo-bench"
    root.mkdir(parents=True, exist_ok=True)
    time_to_ready(free_port(), root)  # warm-up: leaves a build made from the current sources
    rebuild, current = [], []
    for i in range(args.runs):
        STAMP.unlink(missing_ok=True)
        rebuild.append(time_to_ready(free_port(), root))
        current.append(time_to_ready(free_port(), root))
        print(
            f"run {i + 1}: rebuild every start {rebuild[-1]:6.1f} s   sources unchanged "
            f"{current[-1]:6.1f} s",
            flush=True,
        )
    before, after = statistics.median(rebuild), statistics.median(current)
    print(f"\nscripts/demo time to ready (median of {args.runs})")
    print(f"  before (build on every start): {before:6.1f} s")
    print(f"  after  (build only on change): {after:6.1f} s")
    print(f"  speed-up: {before / after:.1f}x")


if __name__ == "__main__":
    main()
