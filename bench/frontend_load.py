"""JupyterLab time to ready with the suite enabled and disabled, alternating runs in one Debian
Chromium (Playwright, from ui-tests/node_modules; never a downloaded browser).

Two JupyterLab servers from this environment, on ESCAPE_UI_PORT and the next port: one as
installed (jupyterlab-escape enabled, wired to the Rucio testbed when it runs), one with the
labextension and the server extension disabled (a config folder of its own). Each load is a fresh
browser context (cold cache), timed from navigation start to the restored shell (splash gone,
launcher shown). Prints each load, the medians and their ratio (target <= 1.05). Figures only.

Run it under the UI lock (it starts JupyterLab servers and Chromium):
  flock /tmp/escape-ui.lock .venv/bin/python bench/frontend_load.py --runs 10
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def testbed_env() -> dict[str, str]:
    """RUCIO_* of the local testbed when it is set up (as the demo and Galata use it)."""
    try:
        out = subprocess.run(
            [sys.executable, str(REPO / "scripts/lib/testbed_env.py")],
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    env = {}
    for line in out.splitlines():
        if line.startswith("export ") and "=" in line:
            key, value = line[len("export ") :].split("=", 1)
            env[key] = value.strip("'\"")
    return env


def start_lab(port: int, root: Path, config_dir: Path, env: dict) -> subprocess.Popen:
    args = [
        str(BIN / "jupyter"),
        "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
    ]
    if os.geteuid() == 0:
        args.append("--allow-root")
    return subprocess.Popen(
        args,
        env={**env, "JUPYTER_CONFIG_DIR": str(config_dir)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def wait_up(url: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"JupyterLab exited ({proc.returncode}) before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer in {timeout:.0f} s")


def suite_enabled(url: str) -> bool:
    """Whether the page JupyterLab serves loads jupyterlab-escape (its page config)."""
    with urllib.request.urlopen(url, timeout=10) as response:
        page = response.read().decode()
    start = page.index('id="jupyter-config-data"')
    text = page[page.index(">", start) + 1 : page.index("</script>", start)]
    config = json.loads(text)
    listed = any(e["name"] == "jupyterlab-escape" for e in config["federated_extensions"])
    disabled = config.get("disabledExtensions") or []
    return listed and not any(name.startswith("jupyterlab-escape") for name in disabled)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="loads of each, alternating")
    parser.add_argument("--port", type=int, default=int(os.environ.get("ESCAPE_UI_PORT", 8970)))
    args = parser.parse_args()

    env = {**os.environ, **testbed_env()}
    with tempfile.TemporaryDirectory(prefix="frontend-load-") as tmp:
        work = Path(tmp)
        on_cfg, off_cfg = work / "config-on", work / "config-off"
        on_cfg.mkdir()
        off_cfg.mkdir()
        # The suite off: its labextension disabled in the page config, its server extension off.
        # Written straight into this config folder's labconfig: `jupyter labextension disable`
        # writes to the environment's own config (sys-prefix), whatever JUPYTER_CONFIG_DIR says,
        # and would switch the suite off for every other JupyterLab using this venv.
        (off_cfg / "labconfig").mkdir()
        (off_cfg / "labconfig" / "page_config.json").write_text(
            json.dumps({"disabledExtensions": {"jupyterlab-escape": True}})
        )
        (off_cfg / "jupyter_server_config.json").write_text(
            json.dumps({"ServerApp": {"jpserver_extensions": {"jupyterlab_escape": False}}})
        )
        for name in ("root-on", "root-off"):
            (work / name).mkdir()
        servers = [
            start_lab(args.port, work / "root-on", on_cfg, env),
            start_lab(args.port + 1, work / "root-off", off_cfg, env),
        ]
        try:
            with_url = f"http://127.0.0.1:{args.port}/lab"
            without_url = f"http://127.0.0.1:{args.port + 1}/lab"
            wait_up(with_url, servers[0])
            wait_up(without_url, servers[1])
            for url, enabled in ((with_url, True), (without_url, False)):
                if suite_enabled(url) is not enabled:
                    raise SystemExit(f"{url}: the suite should be {'on' if enabled else 'off'}")
            node = subprocess.run(
                [
                    "node",
                    str(REPO / "bench/frontend_load.mjs"),
                    with_url,
                    without_url,
                    str(args.runs),
                ],
                capture_output=True,
                text=True,
                timeout=60 + args.runs * 120,
                cwd=REPO,
            )
            if node.returncode:
                print(node.stdout, node.stderr, file=sys.stderr)
                return 1
        finally:
            for proc in servers:
                proc.terminate()
            for proc in servers:
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
        shutil.rmtree(work, ignore_errors=True)

    loads: dict[str, list[float]] = {"with": [], "without": []}
    for line in node.stdout.splitlines():
        row = json.loads(line)
        loads[row["which"]].append(row["ms"])
    on, off = statistics.median(loads["with"]), statistics.median(loads["without"])
    print(f"JupyterLab time to ready, Debian Chromium, cold cache, {args.runs} loads each")
    for i, (a, b) in enumerate(zip(loads["with"], loads["without"], strict=True)):
        print(f"  load {i + 1:2}: with the suite {a:7.0f} ms   without {b:7.0f} ms")
    print(f"  median with the suite   : {on:7.0f} ms (min {min(loads['with']):.0f})")
    print(f"  median without the suite: {off:7.0f} ms (min {min(loads['without']):.0f})")
    print(f"  ratio with/without: {on / off:.3f}  (target <= 1.05)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
