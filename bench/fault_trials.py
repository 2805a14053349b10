"""Fault trials: SIGKILL the Jupyter server in the middle of a job, restart it, resume, repeat.

    .venv/bin/python bench/fault_trials.py [--kills 10] [--kind KIND] [--json FILE]

Each trial starts a real ``jupyter server`` with the extension, starts the job (later trials:
retries the same job, which must be ``interrupted``), kills the server with SIGKILL after a random
moment and checks the kind's invariants; after the last kill the job is resumed to its end and
checked once more (a job that finishes between two kills is followed by a new one, so every trial
kills a running job). KIND and its invariants:

- ``datalake.fetch`` (default): the testbed's large-files dataset over HTTPS; every file under
  its final name has Rucio's size, adler32 and md5, partial data only under a hidden
  ``.escape-part`` name; bytes moved against the dataset's size (what the Range resume saved).
- ``datalake.upload``: eight 16 MB files into a new dataset on the testbed's upload RSE; every
  replica Rucio lists has its bytes on the storage (size and adler32), nothing partial under a
  final PFN; at the end every file registered, attached, and no temporary file on the storage.
- ``catalogue.fetch``: a record with a 6 MiB file from our own slowed Zenodo stand-in; right md5
  under every final name, no second copy (``x (1).ext``), no temporary file left at the end.
- ``catalogue.publish``: a draft of three 24 MB files on our own Zenodo stand-in; never more new
  depositions than publish jobs, and a finished job's draft holds every file with its md5.
- ``workflows.submit``: a submission uploading 240 MB of inputs to the REANA stand-in; exactly
  one workflow, holding every input with its size.

It prints each trial and a JSON summary (kills, resumes, seconds, invariants held, problems).
Only loopback addresses are contacted; the number of trials and every wait are bounded.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
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

    def __init__(self, root: Path, data: Path, env: dict[str, str], extra: list[str] = ()):
        self.root, self.data, self.env, self.extra = root, data, env, list(extra)
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
            *self.extra,
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
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                text = response.read()
        except urllib.error.HTTPError as err:
            raise SystemExit(f"{method} {path} -> {err.code}: {err.read()[:500]!r}") from None
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


def _rucio_env(tb) -> dict[str, str]:
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
    return env


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json")
    parser.add_argument("--kind", choices=list(KINDS), default="datalake.fetch")
    args = parser.parse_args()
    random.seed(args.seed)
    KINDS[args.kind](args)


def datalake_fetch_trials(args) -> None:
    """Kill the server while it fetches the testbed's large-files dataset over HTTPS; every file
    under its final name has Rucio's size, adler32 and md5, partial data only ever sits under a
    hidden ``.escape-part`` name; the bytes moved against the dataset's size show what the Range
    resume saved."""
    tb = load_testbed(default_state_dir())
    env = _rucio_env(tb)
    work, root, data = _workspace("fault-trials-")
    expected: dict[str, dict] = {}
    moved = [0]

    def make_server():
        return Server(root, data, env)

    def start(server):
        return server.call("POST", "/escape/datalake/fetch", {"dids": [tb.large_files_dataset]})[
            "id"
        ]

    def check(detail, final):
        for f in detail.get("files", []):
            expected[f["path"]] = f
        moved[0] += detail.get("transferred", 0)
        problems = invariants(root, expected)
        if final:
            missing = [p for p in expected if not (root / p).is_file()]
            problems += [f"missing after the last resume: {p}" for p in missing]
            if len(expected) != detail["items_total"]:
                problems.append(f"{len(expected)} of {detail['items_total']} files listed")
        else:
            final_, partial = on_disk(root)
            print(
                f"    on disk {final_[0]} verified files ({final_[1] / 1e6:.0f} MB) and "
                f"{partial[0]} part files ({partial[1] / 1e6:.0f} MB)"
            )
        return problems

    started = time.perf_counter()
    server, detail, kills, resumes, problems = _kill_loop(
        args, "/escape/datalake/jobs", make_server, start, check, wait=(0.4, 1.6)
    )
    server.stop()
    total = detail["bytes_total"]
    _report(
        args,
        {
            "kind": "datalake.fetch",
            "kills": kills,
            "resumes": resumes,
            "files": detail["items_total"],
            "dataset_bytes": total,
            # read just before each kill, so a lower bound; with Range resume it stays near 1x
            "bytes_moved_at_least": moved[0],
            "moved_over_size_at_least": round(moved[0] / total, 3) if total else None,
            "seconds": round(time.perf_counter() - started, 1),
            "invariants_held": not problems,
            "problems": problems,
        },
    )


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
    work, root, data = _workspace("fault-trials-reana-")
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
    mine: list[dict] = []

    def make_server():
        return Server(root, data, env)

    def start(server):
        body = {"path": "analysis/reana.yaml", "name": name, "idempotency_key": key}
        request = urllib.request.Request(
            f"http://127.0.0.1:{server.port}/escape/workflows/submit",
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Authorization": f"token {server.token}"},
        )
        stream = urllib.request.urlopen(request, timeout=30)  # noqa: SIM115
        stream.readline()  # the first stage: the job exists
        return server.call("GET", "/escape/workflows/jobs")["jobs"][0]["id"]

    def check(detail, final):
        if not final:
            return []
        problems = []
        runs = current[0].call("GET", f"/escape/workflows/workflows?search={name}")["items"]
        mine[:] = [r for r in runs if r["name"] == name]
        if len(mine) != 1:
            problems.append(f"{len(mine)} workflows named {name} in REANA, expected exactly 1")
        if mine:
            listing = current[0].call("GET", f"/escape/workflows/workflows/{mine[0]['id']}/files")
            got = {}
            for e in listing.get("items") or listing.get("files") or []:
                size = e.get("size")
                got[e["name"]] = size.get("raw") if isinstance(size, dict) else size
            for input_name, size in sizes.items():
                if got.get(input_name) != size:
                    problems.append(
                        f"{input_name}: REANA holds {got.get(input_name)} bytes, not {size}"
                    )
        return problems

    current: list[Server] = []

    def make_current():
        server = make_server()
        current[:] = [server]
        return server

    started = time.perf_counter()
    server, detail, kills, resumes, problems = _kill_loop(
        args, "/escape/workflows/jobs", make_current, start, check, wait=(0.3, 1.2)
    )
    server.stop()
    _report(
        args,
        {
            "kind": "workflows.submit",
            "kills": kills,
            "resumes": resumes,
            "inputs": len(sizes),
            "input_bytes": sum(sizes.values()),
            "workflows_created": len(mine),
            "seconds": round(time.perf_counter() - started, 1),
            "invariants_held": not problems,
            "problems": problems,
        },
    )


# ---------------------------------------------------------------------- the other job kinds
def _kill_loop(args, jobs: str, make_server, start, check, wait=(0.3, 1.5)):
    """The trials of one job: start it (later: retry it), kill the server with SIGKILL after a
    random moment, check the invariants on what is there; then resume it once more to its end.
    Returns (server still running, job detail at the end, kills of a running job, resumes,
    problems)."""
    job_id = None
    kills = resumes = 0
    problems: list[str] = []
    trial = -1
    # Until args.kills kills hit a running job (a kill after the job ended does not count), and
    # never more than three times as many trials.
    while kills < args.kills and trial < 3 * args.kills:
        trial += 1
        server = make_server()
        server.start()
        if job_id is None:
            job_id = start(server)
        else:
            state = server.call("GET", f"{jobs}/{job_id}")
            if state["state"] == "done":
                # Finished between two kills: the next trials kill a new job of the same kind.
                print(f"trial {trial + 1}: the job is done; a new job for the next kills")
                problems += check(server.call("GET", f"{jobs}/{job_id}"), final=True)
                job_id = start(server)
            elif state["state"] != "interrupted":
                problems.append(f"after a kill the job was {state['state']}, not interrupted")
            if state["state"] != "done":
                server.call("POST", f"{jobs}/{job_id}/retry", {})
                resumes += 1
        pause = random.uniform(*wait)
        time.sleep(pause)
        detail = server.call("GET", f"{jobs}/{job_id}")
        server.kill()
        kills += detail["state"] in ("queued", "running")
        found = check(detail, final=False)
        problems += found
        print(
            f"trial {trial + 1}: killed after {pause:.2f} s, job {detail['state']} in phase "
            f"{detail.get('phase') or detail.get('stage')}, "
            f"{detail['items_done']}/{detail['items_total']} items; "
            f"invariants {'held' if not found else 'BROKEN: ' + '; '.join(found)}"
        )
    server = make_server()
    server.start()
    state = server.call("GET", f"{jobs}/{job_id}")
    if state["state"] != "done":
        server.call("POST", f"{jobs}/{job_id}/retry", {})
        resumes += 1
    for _ in range(2400):
        state = server.call("GET", f"{jobs}/{job_id}")
        if state["state"] not in ("queued", "running"):
            break
        time.sleep(0.25)
    detail = server.call("GET", f"{jobs}/{job_id}")
    if detail["state"] != "done":
        problems.append(f"final state {detail['state']}: {detail.get('message')}")
    problems += check(detail, final=True)
    return server, detail, kills, resumes, problems


def _report(args, summary: dict) -> None:
    print(json.dumps(summary, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2))
    sys.exit(0 if summary["invariants_held"] else 1)


def _zenodo_standin(work: Path, delay: float) -> tuple[subprocess.Popen, str]:
    """Our own Zenodo stand-in on a free loopback port (fresh state), slowed by ``delay``."""
    port = free_port()
    log = open(work / "zenodo.log", "ab")  # noqa: SIM115
    proc = subprocess.Popen(
        [str(REPO / ".venv/bin/python"), "-m", "testbed.zenodo", "serve", "--port", str(port)],
        cwd=REPO,
        stdout=log,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(url + "/_standin/stats", timeout=2).read()
            break
        except OSError:
            time.sleep(0.2)
    control = urllib.request.Request(
        url + "/_standin/control", data=json.dumps({"delay": delay}).encode(), method="POST"
    )
    urllib.request.urlopen(control, timeout=10).read()
    return proc, url


def _workspace(prefix: str) -> tuple[Path, Path, Path]:
    work = Path(tempfile.mkdtemp(prefix=prefix))
    root, data = work / "root", work / "data"
    root.mkdir()
    (data / "rt").mkdir(parents=True)
    return work, root, data


def catalogue_fetch_trials(args) -> None:
    """Kill the server while it fetches a catalogue record (three files, one of 6 MiB, from a
    slowed Zenodo stand-in); every file under its final name has the record's size and md5, no
    file took a second name (``x (1).ext``), partial data only under our hidden ``.part`` names,
    and none of those is left once the job is done."""
    from testbed.zenodo.seed import generate

    work, root, data = _workspace("fault-trials-catalogue-")
    standin, url = _zenodo_standin(work, delay=0.8)
    record = next(r for r in generate() if "events.h5" in r.files)
    expected = {k: (f.size, f.md5) for k, f in record.files.items()}
    where: dict[str, str] = {}

    def make_server():
        return Server(root, data, dict(os.environ), [f"--EscapeZenodo.url={url}"])

    def start(server):
        body = {"idempotency_key": secrets.token_hex(8)}
        job = server.call("POST", f"/escape/catalogue/records/{record.id}/fetch", body)
        where["dest"] = job["dest"]
        return job["id"]

    def check(detail, final):
        problems, parts = [], []
        folder = root / where["dest"]
        for path in folder.rglob("*") if folder.exists() else []:
            if not path.is_file():
                continue
            if re.fullmatch(r"\.escape-\w+-[0-9a-f]{12}\.part", path.name):
                parts.append(path.name)
                continue
            want = expected.get(path.name)
            if want is None:
                problems.append(f"unexpected file: {path.relative_to(root)}")
                continue
            data_ = path.read_bytes()
            if (len(data_), hashlib.md5(data_).hexdigest()) != want:
                problems.append(f"wrong bytes under the final name: {path.name}")
        if final:
            missing = [k for k in expected if not (folder / k).is_file()]
            problems += [f"missing after the last resume: {k}" for k in missing]
            problems += [f"part file left after the job ended: {p}" for p in parts]
        return problems

    started = time.perf_counter()
    try:
        server, detail, kills, resumes, problems = _kill_loop(
            args, "/escape/catalogue/jobs", make_server, start, check, wait=(0.5, 2.5)
        )
        server.stop()
    finally:
        standin.terminate()
    _report(
        args,
        {
            "kind": "catalogue.fetch",
            "kills": kills,
            "resumes": resumes,
            "files": len(expected),
            "record_bytes": sum(s for s, _ in expected.values()),
            "bytes_moved_last_run": detail.get("transferred"),
            "seconds": round(time.perf_counter() - started, 1),
            "invariants_held": not problems,
            "problems": problems,
        },
    )


PUBLISH_CODEMETA = {
    "@context": "https://doi.org/10.5063/schema/codemeta-2.0",
    "@type": "SoftwareSourceCode",
    "name": "faulttrials",
    "description": "Fault trials of the publish job.",
    "softwareVersion": "1.0.0",
    "datePublished": "2025-05-01",
    "license": "https://spdx.org/licenses/MIT",
    "codeRepository": "https://github.com/escape/faulttrials",
    "keywords": ["fault trials"],
    "readme": "https://github.com/escape/faulttrials/blob/main/README.md",
    "author": [{"@type": "Person", "givenName": "Ada", "familyName": "Lovelace"}],
    "maintainer": {
        "@type": "Person",
        "givenName": "Ada",
        "familyName": "Lovelace",
        "email": "ada@example.org",
    },
}


def publish_trials(args) -> None:
    """Kill the server while it makes a Zenodo draft of three 24 MB files (our own Zenodo
    stand-in); after each kill the user has at most one new deposition per publish job (a job
    that finished between two kills is followed by a new one), and every finished job's draft
    holds every file with its md5."""
    work, root, data = _workspace("fault-trials-publish-")
    standin, url = _zenodo_standin(work, delay=0.0)
    token = "standin-zenodo-token"
    folder = root / "faulttrials"
    folder.mkdir()
    md5s = {}
    for i in range(3):
        body = os.urandom(24 * 1024 * 1024)
        (folder / f"part{i}.bin").write_bytes(body)
        md5s[f"part{i}.bin"] = hashlib.md5(body).hexdigest()

    def depositions() -> list[dict]:
        request = urllib.request.Request(
            url + "/api/deposit/depositions?size=100",
            headers={"Authorization": f"Bearer {token}"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    before = {d["id"] for d in depositions()}

    def make_server():
        extra = [f"--EscapeZenodo.url={url}", f"--EscapeZenodo.sandbox_url={url}"]
        return Server(root, data, dict(os.environ), extra)

    starts: list[str] = []

    def start(server):
        server.call("PUT", "/escape/catalogue/publish/token", {"token": token, "sandbox": False})
        body = {
            "path": "faulttrials",
            "files": sorted(md5s),
            "codemeta": PUBLISH_CODEMETA,
            "idempotency_key": secrets.token_hex(8),
        }
        starts.append(server.call("POST", "/escape/catalogue/publish", body)["id"])
        return starts[-1]

    def check(detail, final):
        """One deposition per job at most; a finished job's draft holds every file."""
        new = [d for d in depositions() if d["id"] not in before]
        if len(new) > len(starts) or (final and len(new) != len(starts)):
            return [f"{len(new)} new depositions for {len(starts)} publish job(s)"]
        if not final:
            return []
        mine = [d for d in new if str(d["id"]) == str(detail.get("deposit_id"))]
        if not mine:
            return [f"the job's draft {detail.get('deposit_id')} is not a new deposition"]
        files = {f["filename"]: f["checksum"].removeprefix("md5:") for f in mine[0]["files"]}
        want = md5s | {"codemeta.json": files.get("codemeta.json")}
        return [] if files == want else [f"the draft holds {files}, expected {want}"]

    started = time.perf_counter()
    try:
        server, detail, kills, resumes, problems = _kill_loop(
            args, "/escape/catalogue/jobs", make_server, start, check, wait=(0.3, 1.5)
        )
        server.stop()
        created = len([d for d in depositions() if d["id"] not in before])
    finally:
        standin.terminate()
    _report(
        args,
        {
            "kind": "catalogue.publish",
            "kills": kills,
            "resumes": resumes,
            "jobs": len(starts),
            "files": len(md5s) + 1,
            "bytes": 3 * 24 * 1024 * 1024,
            "depositions_created": created,
            "deposit_id": detail.get("deposit_id"),
            "seconds": round(time.perf_counter() - started, 1),
            "invariants_held": not problems,
            "problems": problems,
        },
    )


def upload_trials(args) -> None:
    """Kill the server while it uploads eight 16 MB files to the testbed's upload RSE into a new
    dataset (a job done between kills is followed by a new one with new files); after each kill
    every replica Rucio lists for them has its bytes on the storage with the right size and
    adler32, and nothing under a final name is partial; at the end every file is registered,
    attached to the dataset, and no temporary file is left."""
    tb = load_testbed(default_state_dir())
    rse = tb.upload_rse
    assert rse is not None and rse.writable, "the testbed has no writable upload RSE"
    scope, tag = "escape_opendata", secrets.token_hex(3)
    work, root, data = _workspace("fault-trials-upload-")
    expected: dict[str, tuple[int, str]] = {}  # workspace file name -> (size, adler32)
    datasets: list[str] = []  # one new dataset (and folder of new files) per job

    def new_folder() -> str:
        dataset = f"ft{tag}j{len(datasets)}"
        datasets.append(dataset)
        (root / dataset).mkdir()
        for i in range(8):
            body = os.urandom(16 * 1024 * 1024)
            name = f"{dataset}.{i}.dat"
            (root / dataset / name).write_bytes(body)
            expected[name] = (len(body), f"{zlib.adler32(body) & 0xFFFFFFFF:08x}")
        return dataset

    env = _rucio_env(tb)
    token = {"value": tb.token("root")[0]}

    def rucio(path: str, retried: bool = False) -> list[dict]:
        request = urllib.request.Request(
            f"{tb.base_url}/{path}",
            headers={"X-Rucio-Auth-Token": token["value"], "Accept": "application/x-json-stream"},
        )
        import ssl

        context = ssl.create_default_context(cafile=str(tb.ca_cert))
        try:
            with urllib.request.urlopen(request, timeout=30, context=context) as response:
                return [json.loads(line) for line in response.read().splitlines() if line.strip()]
        except urllib.error.HTTPError as err:
            if err.code == 404:
                return []
            if err.code == 401 and not retried:  # the token expired: once more with a new one
                token["value"] = tb.token("root")[0]
                return rucio(path, retried=True)
            raise

    def on_storage() -> dict[str, Path]:
        """Our files on the RSE's storage, final names and temporary ones."""
        return {p.name: p for p in rse.mount_path.rglob(f"ft{tag}j*") if p.is_file()}

    names: dict[str, str] = {}  # workspace file name -> its DID name (the job's plan says)
    replicas_checked = [0]  # registered replicas whose bytes were read on the storage

    def check(detail, final):
        problems = []
        for f in detail.get("files", []):
            names[Path(f["path"]).name] = f["name"]
        current = {n for n in expected if n.startswith(datasets[-1] + ".")}
        if final and not current <= set(names):
            problems.append(f"the job planned {len(current & set(names))} of {len(current)} files")
        stored = on_storage()
        for file_name, (size, adler) in expected.items():
            name = names.get(file_name)
            if name is None:
                continue  # not planned yet: nothing of it can be on the storage or in Rucio
            path = stored.get(name)
            if path is not None and path.is_file():  # (a testbed reset may just have removed it)
                got = checksums(path)
                if (got[2], got[0]) != (size, adler):
                    problems.append(f"partial or wrong bytes under the final PFN of {name}")
            for replica in rucio(f"replicas/{scope}/{name}"):
                for pfns in (replica.get("rses") or {}).values():
                    for pfn in pfns:
                        try:
                            local = rse.local_path(pfn)
                        except ValueError:
                            continue  # another protocol's PFN of the same replica
                        replicas_checked[0] += 1
                        if not local.is_file():
                            problems.append(f"{name}: registered replica without its bytes")
                        elif (local.stat().st_size, checksums(local)[0]) != (size, adler):
                            problems.append(f"{name}: registered replica with other bytes")
                if final and replica.get("adler32") != adler:
                    problems.append(f"{name}: Rucio lists adler32 {replica.get('adler32')}")
        if final:
            registered = {r["name"] for n in names.values() for r in rucio(f"replicas/{scope}/{n}")}
            problems += [f"{n} is not registered" for n in names.values() if n not in registered]
            files = {f["name"] for f in rucio(f"dids/{scope}/{datasets[-1]}/files")}
            if files != {names.get(n) for n in current}:
                problems.append(f"the dataset holds {len(files)} of {len(current)} files")
            temps = [n for n in stored if n.endswith(".escape-upload")]
            problems += [f"temporary file left on the storage: {n}" for n in temps]
        return problems

    def make_server():
        token["value"] = tb.token("root")[0]
        return Server(root, data, env)

    def start(server):
        dataset = new_folder()
        body = {
            "paths": [dataset],
            "scope": scope,
            "rse": rse.name,
            "dataset": dataset,
            "dataset_new": True,
            "idempotency_key": secrets.token_hex(8),
        }
        return server.call("POST", "/escape/datalake/upload", body)["id"]

    started = time.perf_counter()
    server, detail, kills, resumes, problems = _kill_loop(
        args, "/escape/datalake/jobs", make_server, start, check, wait=(0.5, 2.5)
    )
    server.stop()
    _report(
        args,
        {
            "kind": "datalake.upload",
            "kills": kills,
            "resumes": resumes,
            "files": len(expected),
            "bytes": sum(s for s, _ in expected.values()),
            "replicas_checked": replicas_checked[0],
            "jobs": len(datasets),
            "datasets": [f"{scope}:{d}" for d in datasets],
            "rse": rse.name,
            "seconds": round(time.perf_counter() - started, 1),
            "invariants_held": not problems,
            "problems": problems,
        },
    )


KINDS = {
    "datalake.fetch": datalake_fetch_trials,
    "workflows.submit": reana_trials,
    "catalogue.fetch": catalogue_fetch_trials,
    "catalogue.publish": publish_trials,
    "datalake.upload": upload_trials,
}

if __name__ == "__main__":
    main()
