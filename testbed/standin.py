"""One way to run a local stand-in server in the background: start, wait, stop, status.

The Zenodo and REANA stand-ins differ in what they serve, not in how they are run: each is a
Python module with a `serve --port N` command and a `/_standin/stats` health route, started
detached with its pid and log in its run directory.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class BackgroundServer:
    label: str
    """How messages name it, e.g. "Zenodo stand-in"."""
    module: str
    """`python -m <module> serve --port N` runs it in the foreground."""
    run_dir: Path
    default_port: int
    health_path: str = "/_standin/stats"

    def pid_file(self, port: int | None = None) -> Path:
        """One pid file per port: several servers of one kind may run side by side (a developer's
        on the default port, a test's on another), and ``stop --port N`` stops only N's."""
        port = port or self.default_port
        if port == self.default_port:
            return self.run_dir / "standin.pid"  # where earlier versions wrote it
        return self.run_dir / f"standin-{port}.pid"

    @property
    def log_file(self) -> Path:
        return self.run_dir / "standin.log"

    def url(self, port: int | None = None) -> str:
        return f"http://127.0.0.1:{port or self.default_port}"

    def answering(self, port: int | None = None) -> bool:
        try:
            with urllib.request.urlopen(self.url(port) + self.health_path, timeout=1) as answer:
                return answer.status == 200
        except OSError:
            return False

    def spawn(self, port: int, env: dict | None = None, log=subprocess.DEVNULL):
        """Start the server detached; returns the process once it answers (raises if it dies)."""
        process = subprocess.Popen(
            [sys.executable, "-m", self.module, "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for _ in range(100):
            if self.answering(port):
                return process
            if process.poll() is not None:
                break
            time.sleep(0.1)
        process.kill()
        raise RuntimeError(f"{self.label} did not start on port {port}")

    def start(self, port: int) -> int:
        if self.answering(port):
            print(f"{self.label} already answering at {self.url(port)}")
            return 0
        self.run_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_file, "ab") as log:
            try:
                process = self.spawn(port, log=log)
            except RuntimeError:
                print(f"{self.label} did not start; see {self.log_file}", file=sys.stderr)
                return 1
        self.pid_file(port).write_text(f"{process.pid} {port}\n")
        print(f"{self.label} started at {self.url(port)} (pid {process.pid})")
        return 0

    def stop(self, port: int | None = None) -> int:
        port = port or self.default_port
        pid_file = self.pid_file(port)
        if not pid_file.exists():
            print(f"{self.label} on port {port} not started by this CLI")
            return 0
        words = pid_file.read_text().split()
        pid = int(words[0])
        if len(words) > 1 and int(words[1]) != port:  # never stop another port's server
            print(f"{self.label}: {pid_file} names port {words[1]}, not {port}; left running")
            return 1
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        pid_file.unlink()
        print(f"{self.label} stopped at {self.url(port)} (pid {pid})")
        return 0

    def status(self, port: int) -> int:
        up = self.answering(port)
        print(f"{self.label} {'answering' if up else 'not answering'} at {self.url(port)}")
        return 0 if up else 1
