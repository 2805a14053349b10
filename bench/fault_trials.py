"""Fault trials: SIGKILL the Jupyter server in the middle of a job, restart it, resume, repeat.

    .venv/bin/python bench/fault_trials.py [--kills 10] [--kind datalake.fetch|workflows.submit]

Each trial starts a real ``jupyter server`` with the extension against the Rucio testbed (its
storage over HTTPS, no local mount), starts a fetch of the testbed's large-files dataset (or, on
later trials, retries the same job), kills the server with SIGKILL after a random moment, and
checks the invariants on disk: every file under its final name has Rucio's size, adler32 and md5;
partial data only ever sits under a hidden ``.escape-part`` name. After the last kill the job is
resumed to the end (``--kind workflows.submit``: the same with a REANA submission whose inputs
are uploading to the REANA stand-in; the invariants are one workflow, started once, holding every
input with its size). It prints each trial and a summary: kills, resumes, the bytes moved against
the dataset's size (what the Range resume saved), and whether every invariant held. Only loopback
addresses are contacted; the number of trials and every wait are bounded.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from testbed.rucio.handle import default_state_dir, load_testbed  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """One ``jupyter server`` process with the extension, on a fixed data dir and root."""

    def __init__(self, root: Path, data: Path, env: dict[str, str]):
        self.root, self.data, self.env = root, data, env
        self.token = secrets.token_hex(16)
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        env = self.env | {
            "JUPYTER_DATA_DIR": str(self.data),
            "JUPYTER_RUNTIME_DIR": str(self.data / "rt"),
        }
        command = [
            str(REPO / ".venv/bin/jupyter"),
            "server",
            "--no-browser",
            f"--port={self.port}",
            "--ServerApp.port_retries=0",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.root_dir={self.root}",
            f"--IdentityProvider.token={self.token}",
            "--ServerApp.allow_root=True",
            "--EscapeRucio.fetch_concurrency=1",
        ]
        log = open(self.data / "server.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(command, env=env, stdout=log, stderr=log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                self.call("GET", "/api/status")
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        raise SystemExit("the Jupyter server did not start; see " + str(self.data / "server.log"))

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def call(self, method: str, path: str, body: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            data=data,
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
        return json.loads(text) if text else None


def checksums(path: Path) -> tuple[str, str, int]:
    adler, md5, size = 1, hashlib.md5(), 0
    with open(path, "rb") as handle:
        while chunk := handle.read(4 << 20):
            adler = zlib.adler32(chunk, adler)
            md5.update(chunk)
            size += len(chunk)
    return f"{adler & 0xFFFFFFFF:08x}", md5.hexdigest(), size


def invariants(root: Path, expected: dict[str, dict]) -> list[str]:
    """Every final-named file is complete and right; partial data only under .escape-part."""
    problems = []
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        rel = str(path.relative_to(root))
        if path.name.endswith(".escape-part"):
            if not path.name.startswith("."):
                problems.append(f"partial file not hidden: {rel}")
            continue
        want = expected.get(rel)
        if want is None:
            problems.append(f"unexpected file: {rel}")
            continue
        adler, md5, size = checksums(path)
        if (size, adler, md5) != (want["bytes"], want["adler32"], want["md5"]):
            problems.append(f"wrong bytes under the final name: {rel}")
    return problems


def on_disk(root: Path) -> tuple[tuple[int, int], tuple[int, int]]:
    """(count, bytes) of files under their final names and of part files."""
    final, partial = [0, 0], [0, 0]
    for path in root.rglob("*"):
        if path.is_file():
            into = partial if path.name.endswith(".escape-part") else final
            into[0] += 1
            into[1] += path.stat().st_size
    return (final[0], final[1]), (partial[0], partial[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json")
    parser.add_argument(
        "--kind", choices=["datalake.fetch", "workflows.submit"], default="datalake.fetch"
    )
    args = parser.parse_args()
    random.seed(args.seed)
    if args.kind == "workflows.submit":
        return reana_trials(args)
    tb = load_testbed(default_state_dir())
    env = dict(os.environ)
    env.update(
        RUCIO_BASE_URL=tb.base_url,
        RUCIO_AUTH_URL=tb.auth_url,
        RUCIO_AUTH_TYPE="userpass",
        RUCIO_ACCOUNT=tb.root.account,
        RUCIO_USERNAME=tb.root.username,
        RUCIO_PASSWORD=tb.root.password,
        RUCIO_CA_CERT=str(tb.ca_cert),
        RUCIO_DESTINATION_RSE="",  # over HTTPS from the storage, not the local mount
        ESCAPE_ALLOW_PRIVATE_STORAGE="1",
    )
    work = Path(tempfile.mkdtemp(prefix="fault-trials-"))
    root, data = work / "root", work / "data"
    root.mkdir()
    (data / "rt").mkdir(parents=True)
    dataset = tb.large_files_dataset
    job_id, expected, moved = None, {}, 0
    kills = resumes = 0
    problems: list[str] = []
    started = time.perf_counter()
    try:
        for trial in range(args.kills):
            server = Server(root, data, env)
            server.start()
            if job_id is None:
                job_id = server.call("POST", "/escape/datalake/fetch", {"dids": [dataset]})["id"]
            else:
                state = server.call("GET", f"/escape/datalake/jobs/{job_id}")
                if state["state"] == "done":
                    print(f"trial {trial + 1}: the job finished before this kill")
                    server.stop()
                    break
                if state["state"] != "interrupted":
                    problems.append(f"after a kill the job was {state['state']}, not interrupted")
                server.call("POST", f"/escape/datalake/jobs/{job_id}/retry", {})
                resumes += 1
            wait = random.uniform(0.4, 1.6)
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                detail = server.call("GET", f"/escape/datalake/jobs/{job_id}")
                for f in detail.get("files", []):
                    expected[f["path"]] = f
                time.sleep(0.1)
            server.kill()
            kills += 1
            moved_now = detail.get("transferred", 0)
            moved += moved_now
            found = invariants(root, expected)
            problems += found
            final, partial = on_disk(root)
            print(
                f"trial {trial + 1}: killed after {wait:.2f} s ({detail.get('phase')}), on disk "
                f"{final[0]} verified files ({final[1] / 1e6:.0f} MB) and {partial[0]} part "
                f"files ({partial[1] / 1e6:.0f} MB); invariants "
                f"{'held' if not found else 'BROKEN: ' + '; '.join(found)}"
            )
        server = Server(root, data, env)
        server.start()
        state = server.call("GET", f"/escape/datalake/jobs/{job_id}")
        if state["state"] != "done":
            server.call("POST", f"/escape/datalake/jobs/{job_id}/retry", {})
            resumes += 1
        for _ in range(1200):
            state = server.call("GET", f"/escape/datalake/jobs/{job_id}")
            if state["state"] not in ("queued", "running"):
                break
            time.sleep(0.25)
        detail = server.call("GET", f"/escape/datalake/jobs/{job_id}")
        for f in detail.get("files", []):
            expected[f["path"]] = f
        moved += detail.get("transferred", 0)
        server.stop()
        problems += invariants(root, expected)
        complete = (
            detail["state"] == "done"
            and all((root / p).is_file() for p in expected)
            and len(expected) == detail["items_total"]
        )
        if not complete:
            problems.append(f"final state {detail['state']}: {detail.get('message')}")
    finally:
        seconds = time.perf_counter() - started
    total = detail["bytes_total"]
    summary = {
        "kills": kills,
        "resumes": resumes,
        "files": detail["items_total"],
        "dataset_bytes": total,
        # read just before each kill, so a lower bound; with Range resume it stays near 1x
        "bytes_moved_at_least": moved,
        "moved_over_size_at_least": round(moved / total, 3) if total else None,
        "seconds": round(seconds, 1),
        "invariants_held": not problems,
        "problems": problems,
    }
    print(json.dumps(summary, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2))
    sys.exit(0 if not problems else 1)


def reana_trials(args) -> None:
    """Kill the server while a submission uploads its inputs; resume; check that exactly one
    workflow exists in REANA, that it was started once, and that its workspace holds every input
    with the right size."""
    port = int(os.environ.get("ESCAPE_REANA_PORT", "18100"))
    script = REPO / "testbed/reana/standin"
    subprocess.run([str(script), "setup"], check=True, capture_output=True)
    subprocess.run([str(script), "start", "--port", str(port)], check=True, capture_output=True)
    token = os.environ.get("ESCAPE_REANA_TOKEN", "standin-reana-token")
    env = dict(os.environ) | {
        "REANA_SERVER_URL": f"http://127.0.0.1:{port}",
        "REANA_ACCESS_TOKEN": token,
    }
    work = Path(tempfile.mkdtemp(prefix="fault-trials-reana-"))
    root, data = work / "root", work / "data"
    (data / "rt").mkdir(parents=True)
    analysis = root / "analysis"
    (analysis / "data").mkdir(parents=True)
    sizes = {}
    for i in range(6):  # 6 x 40 MB of inputs: uploads take long enough to be killed
        name = f"data/part{i}.bin"
        (analysis / name).write_bytes(os.urandom(40 * 1024 * 1024))
        sizes[name] = 40 * 1024 * 1024
    (analysis / "reana.yaml").write_text(
        "version: 0.9.0\ninputs:\n  directories: [data]\nworkflow:\n  type: serial\n"
        "  specification:\n    steps:\n      - environment: 'docker.io/library/python:3.11'\n"
        "        commands: [ls data]\n"
    )
    sizes["reana.yaml"] = (analysis / "reana.yaml").stat().st_size
    name = f"faults-{secrets.token_hex(3)}"
    key = secrets.token_hex(8)
    job_id = None
    kills = resumes = 0
    problems: list[str] = []
    started = time.perf_counter()
    for trial in range(args.kills):
        server = Server(root, data, env)
        server.start()
        if job_id is None:
            body = {"path": "analysis/reana.yaml", "name": name, "idempotency_key": key}
            request = urllib.request.Request(
                f"http://127.0.0.1:{server.port}/escape/workflows/submit",
                data=json.dumps(body).encode(),
                method="POST",
                headers={"Authorization": f"token {server.token}"},
            )
            stream = urllib.request.urlopen(request, timeout=30)  # noqa: SIM115
            stream.readline()  # the first stage: the job exists
            jobs = server.call("GET", "/escape/workflows/jobs")["jobs"]
            job_id = jobs[0]["id"]
        else:
            state = server.call("GET", f"/escape/workflows/jobs/{job_id}")
            if state["state"] == "done":
                print(f"trial {trial + 1}: the submission finished before this kill")
                server.stop()
                break
            if state["state"] != "interrupted":
                problems.append(f"after a kill the job was {state['state']}, not interrupted")
            server.call("POST", f"/escape/workflows/jobs/{job_id}/retry", {})
            resumes += 1
        time.sleep(random.uniform(0.3, 1.2))
        detail = server.call("GET", f"/escape/workflows/jobs/{job_id}")
        server.kill()
        kills += 1
        print(
            f"trial {trial + 1}: killed at stage {detail.get('stage')}, "
            f"{detail['items_done']}/{detail['items_total']} inputs uploaded"
        )
    server = Server(root, data, env)
    server.start()
    state = server.call("GET", f"/escape/workflows/jobs/{job_id}")
    if state["state"] != "done":
        server.call("POST", f"/escape/workflows/jobs/{job_id}/retry", {})
        resumes += 1
    for _ in range(1200):
        state = server.call("GET", f"/escape/workflows/jobs/{job_id}")
        if state["state"] not in ("queued", "running"):
            break
        time.sleep(0.25)
    if state["state"] != "done":
        problems.append(f"final state {state['state']}: {state.get('message')}")
    runs = server.call("GET", f"/escape/workflows/workflows?search={name}")["items"]
    mine = [r for r in runs if r["name"] == name]
    if len(mine) != 1:
        problems.append(f"{len(mine)} workflows named {name} in REANA, expected exactly 1")
    if mine:
        listing = server.call("GET", f"/escape/workflows/workflows/{mine[0]['id']}/files")
        entries = listing.get("items") or listing.get("files") or []
        got = {}
        for e in entries:
            size = e.get("size")
            got[e["name"]] = size.get("raw") if isinstance(size, dict) else size
        for input_name, size in sizes.items():
            if got.get(input_name) != size:
                problems.append(
                    f"{input_name}: REANA holds {got.get(input_name)} bytes, not {size}"
                )
    server.stop()
    summary = {
        "kind": "workflows.submit",
        "kills": kills,
        "resumes": resumes,
        "inputs": len(sizes),
        "input_bytes": sum(sizes.values()),
        "workflows_created": len(mine),
        "seconds": round(time.perf_counter() - started, 1),
        "invariants_held": not problems,
        "problems": problems,
    }
    print(json.dumps(summary, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2))
    sys.exit(0 if not problems else 1)


if __name__ == "__main__":
    main()
