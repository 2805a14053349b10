"""Soak: many concurrent pollers of job and workflow status against one Jupyter server.

    .venv/bin/python bench/soak.py [--pollers 50] [--seconds 300] [--json FILE]

Starts a real ``jupyter server`` with the extension against the Rucio testbed and the REANA
stand-in (started by ``testbed/reana/standin`` if it is not running), starts a few fetch jobs and a
workflow, then runs ``--pollers`` concurrent clients that poll what the frontend polls (the job
list, one job's detail, the workflow list, one workflow's status and log delta, the services
view) for ``--seconds``. It prints, per minute: requests, errors, latency p50/p95/p99 and the
server's resident memory, then a summary with the memory slope. Targets: 0 errors, flat memory.
Only loopback addresses are contacted; the run is bounded in time and count.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from testbed.rucio.handle import default_state_dir, load_testbed  # noqa: E402

MAX_REQUESTS = 2_000_000  # a hard bound whatever --seconds says


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def reana_standin(port: int) -> tuple[str, str]:
    script = REPO / "testbed/reana/standin"
    subprocess.run([str(script), "setup"], check=True, capture_output=True)
    subprocess.run([str(script), "start", "--port", str(port)], check=True, capture_output=True)
    return f"http://127.0.0.1:{port}", os.environ.get("ESCAPE_REANA_TOKEN", "standin-reana-token")


async def poll(args, tb, port, token, pid, latencies, memory) -> None:
    """The pollers and the memory sampler, until ``--seconds`` have passed."""
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"token {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:
        for _ in range(300):
            try:
                if (await client.get("/api/status")).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
        # Work to look at: fetches (finished and running) and one workflow.
        job = (
            await client.post("/escape/datalake/fetch", json={"dids": [tb.thousand_files_dataset]})
        ).json()
        wf_list = (await client.get("/escape/workflows/workflows")).json()
        workflow = (wf_list.get("items") or [{}])[0].get("id")
        paths = [
            "/escape/datalake/jobs",
            f"/escape/datalake/jobs/{job['id']}",
            "/escape/status",
        ]
        paths += ["/escape/workflows/workflows?size=50"]
        if workflow:
            paths += [
                f"/escape/workflows/workflows/{workflow}",
                f"/escape/workflows/workflows/{workflow}/logs",
            ]
        started = time.monotonic()
        stop_at = started + args.seconds
        count = 0

        async def poller(index: int) -> None:
            nonlocal count
            step = index
            while time.monotonic() < stop_at and count < MAX_REQUESTS:
                path = paths[step % len(paths)]
                step += 1
                t0 = time.perf_counter()
                try:
                    response = await client.get(path)
                    ok = response.status_code < 400
                except httpx.HTTPError:
                    ok = False
                latencies.append((time.monotonic() - started, time.perf_counter() - t0, ok))
                count += 1
                await asyncio.sleep(0.5)  # what a polling view does between two polls

        async def sampler() -> None:
            while time.monotonic() < stop_at:
                memory.append((time.monotonic() - started, rss_mb(pid)))
                await asyncio.sleep(5)

        await asyncio.gather(sampler(), *(poller(i) for i in range(args.pollers)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pollers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--json")
    args = parser.parse_args()

    tb = load_testbed(default_state_dir())
    reana_url, reana_token = reana_standin(int(os.environ.get("ESCAPE_REANA_PORT", "18100")))
    work = Path(tempfile.mkdtemp(prefix="soak-"))
    (work / "root").mkdir()
    token, port = secrets.token_hex(16), 18900 + os.getpid() % 90
    env = dict(os.environ) | {
        "RUCIO_BASE_URL": tb.base_url,
        "RUCIO_AUTH_URL": tb.auth_url,
        "RUCIO_AUTH_TYPE": "userpass",
        "RUCIO_ACCOUNT": tb.root.account,
        "RUCIO_USERNAME": tb.root.username,
        "RUCIO_PASSWORD": tb.root.password,
        "RUCIO_CA_CERT": str(tb.ca_cert),
        "ESCAPE_ALLOW_PRIVATE_STORAGE": "1",
        "REANA_SERVER_URL": reana_url,
        "REANA_ACCESS_TOKEN": reana_token,
        "JUPYTER_DATA_DIR": str(work / "data"),
        "JUPYTER_RUNTIME_DIR": str(work / "data/rt"),
    }
    log = open(work / "server.log", "wb")  # noqa: SIM115
    server = subprocess.Popen(
        [
            str(REPO / ".venv/bin/jupyter"),
            "server",
            "--no-browser",
            f"--port={port}",
            "--ServerApp.port_retries=0",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.root_dir={work / 'root'}",
            f"--IdentityProvider.token={token}",
            "--ServerApp.allow_root=True",
        ],
        env=env,
        stdout=log,
        stderr=log,
    )
    latencies: list[tuple[float, float, bool]] = []  # (when, seconds, ok)
    memory: list[tuple[float, float]] = []
    try:
        asyncio.run(poll(args, tb, port, token, server.pid, latencies, memory))
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()

    minutes = int(args.seconds // 60) + 1
    rows = []
    for minute in range(minutes):
        window = [x for x in latencies if minute * 60 <= x[0] < (minute + 1) * 60]
        if not window:
            continue
        mem = [m for t, m in memory if minute * 60 <= t < (minute + 1) * 60]
        secs = [x[1] * 1000 for x in window]
        rows.append(
            {
                "minute": minute + 1,
                "requests": len(window),
                "errors": sum(1 for x in window if not x[2]),
                "p50_ms": round(percentile(secs, 0.5), 1),
                "p95_ms": round(percentile(secs, 0.95), 1),
                "p99_ms": round(percentile(secs, 0.99), 1),
                "rss_mb": round(statistics.mean(mem), 1) if mem else None,
            }
        )
        print(rows[-1])
    half = len(memory) // 2
    first = statistics.mean(m for _, m in memory[:half]) if half else float("nan")
    second = statistics.mean(m for _, m in memory[half:]) if half else float("nan")
    summary = {
        "pollers": args.pollers,
        "seconds": args.seconds,
        "requests": len(latencies),
        "errors": sum(1 for x in latencies if not x[2]),
        "p50_ms": round(percentile([x[1] * 1000 for x in latencies], 0.5), 1),
        "p99_ms": round(percentile([x[1] * 1000 for x in latencies], 0.99), 1),
        "rss_first_half_mb": round(first, 1),
        "rss_second_half_mb": round(second, 1),
        "rss_growth": round(second / first, 3) if first else None,
        "per_minute": rows,
    }
    print(json.dumps({k: v for k, v in summary.items() if k != "per_minute"}, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
