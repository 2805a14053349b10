"""Fuzz every /escape/ route: schemathesis generates requests from jupyterlab_escape/openapi.yaml
(valid ones and, with --negative, invalid ones) against a live Jupyter server with the extension,
the real Rucio testbed and the REANA and Zenodo stand-ins; every answer is checked with the same
contract checker as the pytest suite (tests/openapi_contract.py: status, envelope, JSON body, each
NDJSON line).

    .venv/bin/python bench/fuzz_api.py [--requests 5000] [--seed 1] [--negative] [--json FILE]

Prints: requests sent, answers 5xx, answers outside the description (first few in words).

Safety: everything listens on 127.0.0.1. The server has its own JUPYTER_DATA_DIR and root_dir in a
temporary folder (stored credentials, jobs and fetched files land there and are removed), the
stand-ins are this script's own processes on free ports, and replica mode is off, so no request
can create rules or delete data in the shared Rucio testbed. Routes that write to Rucio (uploads)
are left out (``EXCLUDED``).
"""

from __future__ import annotations

import argparse
import json
import math
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from jupyterlab_escape.tests.openapi_contract import DESCRIPTION, Contract  # noqa: E402
from testbed.rucio.handle import default_state_dir, load_testbed  # noqa: E402

# (method, path template) never fuzzed: they write to the shared Rucio testbed.
EXCLUDED = {("post", "/escape/datalake/upload")}
REANA_TOKEN = "fuzz-reana-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 60, headers: dict | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(url, headers=headers or {})
            with urllib.request.urlopen(request, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answered at {url}")


@dataclass
class Live:
    """The stand-ins and a Jupyter server with the extension, all on loopback, all ours."""

    work: Path
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    procs: list[subprocess.Popen] = field(default_factory=list)
    url: str = ""

    def spawn(self, command: list[str], env: dict | None = None, name: str = "log"):
        log = open(self.work / f"{name}.log", "ab")  # noqa: SIM115
        proc = subprocess.Popen(command, env=env, stdout=log, stderr=log, cwd=REPO)
        self.procs.append(proc)
        return proc

    def start(self) -> None:
        import os

        from testbed.reana import cli as reana_cli

        # The REANA stand-in needs the official spec (from the reana-commons wheel): a fresh
        # machine may not have run its setup yet.
        if not reana_cli.reana_client().exists() or reana_cli._distribution_missing():
            reana_cli.setup()
        python = str(REPO / ".venv/bin/python")
        zenodo, reana, port = free_port(), free_port(), free_port()
        self.spawn([python, "-m", "testbed.zenodo", "serve", "--port", str(zenodo)], name="zenodo")
        reana_env = dict(os.environ, ESCAPE_REANA_TOKEN=REANA_TOKEN)
        self.spawn(
            [python, "-m", "testbed.reana", "serve", "--port", str(reana)], reana_env, "reana"
        )
        tb = load_testbed(default_state_dir())
        root, data = self.work / "root", self.work / "data"
        root.mkdir()
        (data / "rt").mkdir(parents=True)
        env = dict(os.environ)
        for name in list(env):
            if name.startswith(("RUCIO_", "REANA_", "ZENODO_")):
                env.pop(name)
        env.update(
            JUPYTER_DATA_DIR=str(data),
            JUPYTER_RUNTIME_DIR=str(data / "rt"),
            JUPYTER_CONFIG_DIR=str(data / "config"),
            RUCIO_BASE_URL=tb.base_url,
            RUCIO_AUTH_URL=tb.auth_url,
            RUCIO_AUTH_TYPE="userpass",
            RUCIO_ACCOUNT=tb.root.account,
            RUCIO_USERNAME=tb.root.username,
            RUCIO_PASSWORD=tb.root.password,
            RUCIO_CA_CERT=str(tb.ca_cert),
            RUCIO_DESTINATION_RSE="",  # replica mode off: no rules in the shared testbed
            ESCAPE_ALLOW_PRIVATE_STORAGE="1",
        )
        self.spawn(
            [
                str(REPO / ".venv/bin/jupyter"),
                "server",
                "--no-browser",
                f"--port={port}",
                "--ServerApp.port_retries=0",
                "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.root_dir={root}",
                f"--IdentityProvider.token={self.token}",
                "--ServerApp.allow_root=True",
                f"--EscapeReana.url=http://127.0.0.1:{reana}",
                f"--EscapeReana.access_token={REANA_TOKEN}",
                f"--EscapeZenodo.url=http://127.0.0.1:{zenodo}",
            ],
            env,
            "server",
        )
        self.url = f"http://127.0.0.1:{port}"
        wait_for(f"http://127.0.0.1:{zenodo}/_standin/stats")
        wait_for(f"http://127.0.0.1:{reana}/api/ping")
        wait_for(self.url + "/escape/status", headers={"Authorization": f"token {self.token}"})

    def stop(self) -> None:
        for proc in reversed(self.procs):
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()


@dataclass
class Report:
    requests: int = 0
    server_errors: list[str] = field(default_factory=list)
    nonconforming: list[str] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {
            "requests": self.requests,
            "responses_5xx": len(self.server_errors),
            "nonconforming": len(self.nonconforming),
            "statuses": dict(sorted(self.statuses.items())),
            "seconds": round(self.seconds, 1),
            "examples_5xx": self.server_errors[:50],
            "examples_nonconforming": self.nonconforming[:200],
        }


def content_type(headers) -> str | None:
    """schemathesis' Response keeps headers as lower-case names to lists of values."""
    for name, value in headers.items():
        if name.lower() == "content-type":
            return value[0] if isinstance(value, list) else value
    return None


def fuzz(
    base_url: str,
    token: str,
    requests: int,
    seed: int = 1,
    negative: bool = False,
    skip_prefixes: tuple[str, ...] = (),
    only: str = "",
):
    """About ``requests`` generated requests spread over every described operation (except
    those whose path starts with one of ``skip_prefixes``)."""
    import hypothesis
    import requests as http
    import schemathesis
    from hypothesis import HealthCheck, Phase
    from schemathesis import GenerationMode

    contract = Contract()
    schema = schemathesis.openapi.from_path(str(DESCRIPTION))
    operations = [
        op
        for op in (r.ok() for r in schema.get_all_operations())
        if (op.method.lower(), op.path) not in EXCLUDED
        and not op.path.startswith(skip_prefixes)
        and op.path.startswith(only)
    ]
    modes = [GenerationMode.POSITIVE] + ([GenerationMode.NEGATIVE] if negative else [])
    per_op = max(1, math.ceil(requests / (len(operations) * len(modes))))
    report = Report()
    session = http.Session()
    headers = {"Authorization": f"token {token}"}
    started = time.perf_counter()

    def send(case) -> None:
        try:
            response = case.call(base_url=base_url, session=session, headers=headers, timeout=60)
        except http.RequestException as err:
            report.requests += 1
            report.server_errors.append(f"{case.method} {case.formatted_path}: no answer: {err}")
            return
        report.requests += 1
        report.statuses[response.status_code] += 1
        sent = response.request
        parts = urllib.parse.urlsplit(sent.url)
        body = sent.body.encode() if isinstance(sent.body, str) else sent.body
        where = f"{sent.method} {parts.path}?{parts.query}"
        if response.status_code >= 500:
            report.server_errors.append(
                f"{where} {(body or b'')[:200]!r} -> {response.status_code}: {response.text[:200]}"
            )
        exchange = contract.check(
            sent.method,
            urllib.parse.unquote(parts.path),
            urllib.parse.parse_qs(parts.query, keep_blank_values=True),
            body,
            response.status_code,
            content_type(response.headers),
            response.content,
        )
        report.nonconforming += exchange.problems

    for op in operations:
        for mode in modes:

            @hypothesis.seed(seed)
            @hypothesis.settings(
                max_examples=per_op,
                deadline=None,
                database=None,
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
                verbosity=hypothesis.Verbosity.quiet,
            )
            @hypothesis.given(case=op.as_strategy(generation_mode=mode))
            def run(case):
                send(case)

            try:
                run()
            except hypothesis.errors.Unsatisfiable:
                pass
    report.seconds = time.perf_counter() - started
    return report


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--negative", action="store_true", help="also invalid requests")
    parser.add_argument("--json")
    parser.add_argument("--only", default="", help="fuzz only the paths that start with this")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="fuzz-api-"))
    live = Live(work)
    try:
        live.start()
        report = fuzz(live.url, live.token, args.requests, args.seed, args.negative, only=args.only)
    finally:
        live.stop()
        if (work / "server.log").exists():
            # The server's own words for each 500: its tracebacks (the first few).
            log = (work / "server.log").read_text(errors="replace")
            for block in log.split("Traceback (most recent call last):")[1:4]:
                print("server traceback:" + block[:3000])
        shutil.rmtree(work, ignore_errors=True)
    figures = report.as_dict()
    print(
        f"fuzz_api: {figures['requests']} requests in {figures['seconds']} s, "
        f"{figures['responses_5xx']} answers 5xx, {figures['nonconforming']} outside openapi.yaml"
    )
    print(f"statuses: {figures['statuses']}")
    for line in figures["examples_5xx"][:10] + figures["examples_nonconforming"][:20]:
        print("  " + line)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 1 if figures["responses_5xx"] or figures["nonconforming"] else 0


if __name__ == "__main__":
    sys.exit(main())
