"""Benchmark of submitting a workflow with many inputs: our pipeline vs reana-client.

Prints figures and the ratio; never asserts on time.

A reana.yaml whose inputs are 2,000 small files (1 KiB) and two 100 MB files is submitted to the
same REANA stand-in (testbed/reana, Swagger-checked, started here on a free port) in the same run:

  a) our pipeline (jupyterlab_escape.workflows.prepare and .submit, as a job on the JobStore):
     prepare (parse, schema, input walk), create, concurrent streamed uploads
     (EscapeReana.upload_concurrency), start;
  b) the real reana-client 0.9 CLI in its own venv: ``create``, ``upload``, ``start``.

Each side runs --repeat times, alternating; the workflow is deleted after each run (the stand-in
keeps workspaces in memory). Times are wall-clock seconds; the upload phase is reported apart.

    .venv/bin/python bench/workflow_upload.py [--small 2000] [--big 2] [--big-mb 100] [--repeat 1]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from jupyterlab_escape.config import EscapeReana  # noqa: E402
from jupyterlab_escape.http import ServiceHTTP  # noqa: E402
from jupyterlab_escape.jobs import JobStore  # noqa: E402
from jupyterlab_escape.workflows.client import ReanaClient  # noqa: E402
from jupyterlab_escape.workflows.prepare import Preparer  # noqa: E402
from jupyterlab_escape.workflows.submit import SubmitRunner  # noqa: E402
from jupyterlab_escape.workflows.workflows import Workflows  # noqa: E402
from jupyterlab_escape.workspace import Workspace  # noqa: E402
from testbed.reana import cli  # noqa: E402
from testbed.standin import free_port  # noqa: E402

SPEC = """\
version: 0.9.0
inputs:
  directories:
    - small
    - big
workflow:
  type: serial
  specification:
    steps:
      - name: count
        environment: docker.io/library/busybox
        commands:
          - find . -type f | wc -l
"""


def make_inputs(folder: Path, small: int, big: int, big_mb: int) -> int:
    (folder / "small").mkdir(parents=True)
    (folder / "big").mkdir()
    (folder / "reana.yaml").write_text(SPEC)
    total = len(SPEC)
    for index in range(small):
        sub = folder / "small" / f"d{index // 100:02d}"
        sub.mkdir(exist_ok=True)
        (sub / f"f{index:05d}.txt").write_bytes(os.urandom(512).hex().encode())
        total += 1024
    chunk = os.urandom(1024 * 1024)
    for index in range(big):
        size = big_mb * 1000 * 1000
        with open(folder / "big" / f"big{index}.bin", "wb") as out:
            written = 0
            while written < size:
                part = chunk[: min(len(chunk), size - written)]
                out.write(part)
                written += len(part)
        total += size
    return total


async def ours(
    url: str, token: str, root: Path, name: str, concurrency: int
) -> tuple[float, float, float]:
    """Seconds for the whole submission, for the upload phase, and this process's CPU seconds
    (every thread) during the submission."""
    cpu0 = os.times()
    config = EscapeReana(
        url=url, access_token=token, read_timeout=300.0, upload_concurrency=concurrency
    )
    http = ServiceHTTP(config)
    client = ReanaClient(http)
    started = time.perf_counter()
    workspace = Workspace(root)
    store = JobStore(None)
    runner = SubmitRunner(client, Preparer(Workflows(client, workspace), workspace, ()), store)
    body = {"path": "work/reana.yaml", "name": name, "idempotency_key": uuid.uuid4().hex}
    job = await runner.submit(body)
    upload_from = upload_to = None
    async for event in runner.follow(job):
        if "error" in event:
            raise RuntimeError(event["error"]["message"])
        if event.get("stage") == "created":
            upload_from = time.perf_counter()
        if event.get("stage") == "started":
            upload_to = upload_to or time.perf_counter()
        if event.get("stage") == "uploading" and event["files_done"] == event["files_total"]:
            upload_to = time.perf_counter()
    total = time.perf_counter() - started
    cpu1 = os.times()
    cpu = cpu1.user - cpu0.user + cpu1.system - cpu0.system
    ref = event["workflow_id"]
    await client.set_status(ref, "stop", {})
    await client.set_status(ref, "deleted", {"workspace": True})
    await store.shutdown()
    await http.aclose()
    return total, upload_to - upload_from, cpu


def reana_client(url: str, token: str, folder: Path, name: str) -> tuple[float, float, float]:
    """Seconds for create+upload+start, for the upload alone, and the CLI's CPU seconds."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REANA_")}
    env.update(REANA_SERVER_URL=url, REANA_ACCESS_TOKEN=token, PYTHONWARNINGS="ignore")
    exe = str(cli.reana_client())

    def run(*args):
        subprocess.run(
            [exe, *args], cwd=folder, env=env, check=True, capture_output=True, timeout=3600
        )

    started, cpu0 = time.perf_counter(), os.times()
    run("create", "-w", name, "-f", "reana.yaml")
    upload_from = time.perf_counter()
    run("upload", "-w", name)
    upload_to = time.perf_counter()
    run("start", "-w", name)
    total, cpu1 = time.perf_counter() - started, os.times()
    cpu = cpu1.children_user - cpu0.children_user + cpu1.children_system - cpu0.children_system
    asyncio.run(_cleanup(url, token, name))  # not timed
    return total, upload_to - upload_from, cpu


async def _cleanup(url: str, token: str, name: str) -> None:
    http = ServiceHTTP(EscapeReana(url=url, access_token=token))
    client = ReanaClient(http)
    await client.set_status(name, "stop", {})
    await client.set_status(name, "deleted", {"workspace": True})
    await http.aclose()


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process so far, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", type=int, default=2000)
    parser.add_argument("--big", type=int, default=2)
    parser.add_argument("--big-mb", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=EscapeReana().upload_concurrency)
    parser.add_argument("--only-ours", action="store_true", help="skip reana-client")
    args = parser.parse_args()

    if not cli.reana_client().exists() or cli._distribution_missing():
        cli.setup()
    port = free_port()
    env = dict(os.environ, ESCAPE_REANA_QUEUED_SECONDS="30", ESCAPE_REANA_STEP_SECONDS="30")
    server = cli.SERVER.spawn(port, env=env)
    url, token = cli.url(port), cli.TOKEN
    try:
        with tempfile.TemporaryDirectory(prefix="reana-bench-") as tmp:
            root = Path(tmp)
            folder = root / "work"
            folder.mkdir()
            t0 = time.perf_counter()
            size = make_inputs(folder, args.small, args.big, args.big_mb)
            print(
                f"inputs: {args.small} small + {args.big} x {args.big_mb} MB files "
                f"= {size / 1e6:.0f} MB (made in {time.perf_counter() - t0:.1f} s)"
            )
            print(f"REANA stand-in at {url}")
            results: dict[str, list[tuple[float, float, float]]] = {
                "ours": [],
                "reana-client": [],
            }
            busy: dict[str, list[float]] = {"ours": [], "reana-client": []}
            for round_ in range(args.repeat):
                name = f"bench{round_}{uuid.uuid4().hex[:6]}"
                before = cpu_seconds(server.pid)
                results["ours"].append(
                    asyncio.run(ours(url, token, root, name + "a", args.concurrency))
                )
                busy["ours"].append(cpu_seconds(server.pid) - before)
                if args.only_ours:
                    total, upload, cpu = results["ours"][-1]
                    print(f"ours: {total:.2f} s (upload {upload:.2f} s, CPU {cpu:.2f} s)")
                    continue
                before = cpu_seconds(server.pid)
                results["reana-client"].append(reana_client(url, token, folder, name + "b"))
                busy["reana-client"].append(cpu_seconds(server.pid) - before)
                print(
                    f"round {round_ + 1}: ours {results['ours'][-1][0]:.2f} s, "
                    f"reana-client {results['reana-client'][-1][0]:.2f} s"
                )
    finally:
        server.terminate()
        server.wait(timeout=10)

    if args.only_ours:
        return 0
    ours_total = statistics.median(r[0] for r in results["ours"])
    ours_upload = statistics.median(r[1] for r in results["ours"])
    theirs_total = statistics.median(r[0] for r in results["reana-client"])
    theirs_upload = statistics.median(r[1] for r in results["reana-client"])
    print()
    print(f"{'':<34}{'ours':>10}{'reana-client':>14}{'ratio':>8}")
    print(
        f"{'submit (create+upload+start), s':<34}{ours_total:>10.2f}{theirs_total:>14.2f}"
        f"{theirs_total / ours_total:>7.2f}x"
    )
    print(
        f"{'upload phase only, s':<34}{ours_upload:>10.2f}{theirs_upload:>14.2f}"
        f"{theirs_upload / ours_upload:>7.2f}x"
    )
    print(
        f"{'client CPU during the run, s':<34}"
        f"{statistics.median(r[2] for r in results['ours']):>10.2f}"
        f"{statistics.median(r[2] for r in results['reana-client']):>14.2f}"
    )
    print(
        f"{'stand-in CPU during the run, s':<34}{statistics.median(busy['ours']):>10.2f}"
        f"{statistics.median(busy['reana-client']):>14.2f}"
    )
    print(f"target: ours >= 2.2x reana-client; ratio {theirs_total / ours_total:.2f}x")
    print(
        "(the stand-in is one Python process: when its CPU time is close to our wall time, it is "
        "the bottleneck, not the client)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
