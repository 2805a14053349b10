"""Listing the 100,000-DID scope: through our proxy, directly from Rucio, and with the rucio CLI.

    .venv/bin/python bench/datalake_listing.py [--repeat 3] [--limit 100000]

Same query for all three, in the same run, against the local Rucio testbed (set up with its
100,000-DID scope first, ESCAPE_TESTBED_BIG=1):
  (a) proxy  : GET /escape/datalake/search?q=<scope>&type=all&limit=N on a real Jupyter server
               with jupyterlab_escape, read as a stream -> time to first row, to last row, and
               the growth of the server's peak memory (VmHWM) over the run;
  (b) direct : GET /dids/<scope>/dids/search?type=all&long=true&limit=N&name=* on Rucio;
  (c) CLI    : `rucio did list --short --filter type=all <scope>:*` of the testbed venv.
Prints medians and the ratios proxy/direct. Never asserts on time.
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from testbed.rucio.handle import default_state_dir, load_testbed, run_testbed  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def peak_rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def timed_stream(client: httpx.Client, url: str, **kwargs) -> tuple[float, float, int]:
    """(seconds to first line, seconds to last line, lines)."""
    start = time.perf_counter()
    first = None
    lines = 0
    with client.stream("GET", url, **kwargs) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if not line:
                continue
            if first is None:
                first = time.perf_counter() - start
            lines += 1
    return first or 0.0, time.perf_counter() - start, lines


def start_server(tb, port: int, token: str, root: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "RUCIO_BASE_URL": tb.base_url,
        "RUCIO_ACCOUNT": tb.root.account,
        "RUCIO_USERNAME": tb.root.username,
        "RUCIO_PASSWORD": tb.root.password,
    }
    command = [
        sys.executable,
        "-m",
        "jupyter_server",
        "--no-browser",
        f"--port={port}",
        "--ip=127.0.0.1",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--ServerApp.port_retries=0",
        "--allow-root",
        "--log-level=WARN",
    ]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/status", params={"token": token}, timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("the Jupyter server did not start")


def cli_seconds(tb, scope: str) -> tuple[float, int]:
    start = time.perf_counter()
    proc = tb.rucio("did", "list", "--short", "--filter", "type=all", f"{scope}:*", timeout=3600)
    return time.perf_counter() - start, len([x for x in proc.stdout.splitlines() if ":" in x])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=int, default=100_000)
    args = parser.parse_args()

    print("setting up the testbed with its 100,000-DID scope (ESCAPE_TESTBED_BIG=1)...")
    run_testbed("setup", extra_env={"ESCAPE_TESTBED_BIG": "1"})
    tb = load_testbed(default_state_dir())
    scope = tb.big_scope
    if not scope:
        raise SystemExit("the big scope is not seeded")
    token_value, _ = tb.token("root")

    port, jp_token = free_port(), secrets.token_hex(16)
    root = Path(os.environ.get("TMPDIR", "/tmp")) / "escape-bench-root"
    root.mkdir(exist_ok=True)
    server = start_server(tb, port, jp_token, root)
    try:
        client = httpx.Client(timeout=600)
        proxy_url = f"http://127.0.0.1:{port}/escape/datalake/search"
        proxy_params = {"q": scope, "type": "all", "limit": str(args.limit)}
        proxy_headers = {"Authorization": f"token {jp_token}"}
        direct_url = f"{tb.base_url}/dids/{scope}/dids/search"
        direct_params = {"type": "all", "long": "true", "limit": str(args.limit), "name": "*"}
        direct_headers = {"X-Rucio-Auth-Token": token_value, "Accept": "application/x-json-stream"}

        # Warm both paths once (token, SQLite cache), then measure alternately.
        timed_stream(client, proxy_url, params=proxy_params, headers=proxy_headers)
        hwm_before = peak_rss_kb(server.pid)
        proxy, direct, cli = [], [], []
        for _ in range(args.repeat):
            proxy.append(
                timed_stream(client, proxy_url, params=proxy_params, headers=proxy_headers)
            )
            direct.append(
                timed_stream(client, direct_url, params=direct_params, headers=direct_headers)
            )
        hwm_after = peak_rss_kb(server.pid)
        for _ in range(args.repeat):
            cli.append(cli_seconds(tb, scope))
    finally:
        server.terminate()
        server.wait(timeout=30)

    def med(runs, index):
        return statistics.median(r[index] for r in runs)

    rows = proxy[0][2]
    print(
        f"\nlisting scope {scope} (type=all, limit {args.limit:,}): {rows:,} rows, "
        f"median of {args.repeat}"
    )
    print(f"  {'path':<8}{'first row':>12}{'last row':>12}{'rows/s':>12}")
    for name, runs in (("proxy", proxy), ("direct", direct)):
        print(
            f"  {name:<8}{med(runs, 0) * 1000:>10.0f} ms{med(runs, 1):>10.2f} s"
            f"{runs[0][2] / med(runs, 1):>12,.0f}"
        )
    print(
        f"  {'cli':<8}{'-':>12}{statistics.median(c[0] for c in cli):>10.2f} s"
        f"{cli[0][1] / statistics.median(c[0] for c in cli):>12,.0f}"
    )
    print(
        f"  ratio proxy/direct: first row {med(proxy, 0) / med(direct, 0):.2f}x, "
        f"last row {med(proxy, 1) / med(direct, 1):.2f}x"
    )
    print(
        f"  ratio cli/proxy (last row): {statistics.median(c[0] for c in cli) / med(proxy, 1):.2f}x"
    )
    print(
        f"  proxy server peak memory: {hwm_before / 1024:.1f} MiB before, "
        f"{hwm_after / 1024:.1f} MiB after {args.repeat} listings "
        f"(+{(hwm_after - hwm_before) / 1024:.1f} MiB)"
    )


if __name__ == "__main__":
    main()
