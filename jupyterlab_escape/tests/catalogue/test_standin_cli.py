"""The Zenodo stand-in's CLI: ``stop --port N`` stops the server on N and no other."""

from __future__ import annotations

import subprocess
import sys
import time

from testbed.standin import ROOT, free_port
from testbed.zenodo import cli


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "testbed.zenodo", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _gone(port: int) -> bool:
    """True once nothing answers on the port (a stopped server takes a moment to exit)."""
    for _ in range(100):
        if not cli.SERVER.answering(port):
            return True
        time.sleep(0.1)
    return False


def test_stop_honours_the_port():
    first, second = free_port(), free_port()
    assert first != second
    try:
        assert _cli("start", "--port", str(first)).returncode == 0
        assert _cli("start", "--port", str(second)).returncode == 0
        assert cli.SERVER.answering(first) and cli.SERVER.answering(second)
        stopped = _cli("stop", "--port", str(second))
        assert stopped.returncode == 0, stopped.stdout + stopped.stderr
        # the other one still answers, and its pid file is still there to stop it with
        assert cli.SERVER.answering(first)
        assert cli.SERVER.pid_file(first).exists()
        assert not cli.SERVER.pid_file(second).exists()
        assert _gone(second)
    finally:
        _cli("stop", "--port", str(first))
        _cli("stop", "--port", str(second))
    assert _gone(first)
