"""Upload benchmark: our upload job against `rucio upload` and a parallel-curl ceiling.

    python bench/datalake_upload.py [--concurrency 8] [--small 1000] [--large-mb 200]
        [--half small|large|both] [--rounds N] [--hashing thread,inline] [--json FILE]

On the local Rucio testbed, to the write RSE ESCAPE_USERDISK (WebDAV over HTTPS, nginx), as root:
  (1) 1,000 small files (1-4 kB) as one dataset; (2) three ~200 MB files.
  a. our upload job (jupyterlab_escape.datalake.upload.UploadRunner, the engine behind
     POST /escape/datalake/upload, in this process): plan, PFNs from Rucio, parallel PUT with
     adler32+md5 on the sent bytes, PROPFIND size (+ read-back for files <= 64 MiB), MOVE,
     batched registration, dataset attachment, rule;
  b. the real `rucio upload` of the testbed venv with its defaults (register first), same RSE,
     same files under other names;
  c. the ceiling: one `curl --parallel` process PUTting the same bytes (no checksum, no Rucio).
Each of a, b, c runs ``--rounds`` times, interleaved (a b c a b c ...), and the median is quoted
(the machine is shared). ``--hashing`` lists the ways our job computes adler32+md5 while sending
(``thread``: a hashing thread fed by the read loop, overlapping the TLS send; ``inline``: hash
each chunk, then send it), each measured as its own row; the first is the headline. The
physical limit is printed too: the md5+adler32 throughput of one core (our client must hash every
byte; curl hashes none), and the process CPU seconds of each of our runs.
Prints seconds, MB/s, files/s and the ratios ours/rucio and ours/ceiling (issue targets: >= 2x
rucio on both halves, >= 0.7x the ceiling on the large files). Figures only: nothing asserts on
time. Exit status 1 if a run did not register every file.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from traitlets.config import Configurable  # noqa: E402

from jupyterlab_escape.config import EscapeRucio  # noqa: E402
from jupyterlab_escape.datalake.instances import RucioInstances  # noqa: E402
from jupyterlab_escape.datalake.upload import UploadRunner  # noqa: E402
from jupyterlab_escape.http import ServiceHTTP  # noqa: E402
from jupyterlab_escape.jobs import JobStore  # noqa: E402
from jupyterlab_escape.workspace import Workspace  # noqa: E402
from testbed.rucio import handle  # noqa: E402

SCOPE = "escape_opendata"
CPU: dict[str, float] = {}  # process CPU seconds of each of our runs, by folder


def make_files(folder: Path, small: int, large_mb: int, tag: str) -> dict[str, list[Path]]:
    out = {"small": [], "large": []}
    (folder / f"small{tag}").mkdir(parents=True)
    for i in range(small):
        path = folder / f"small{tag}" / f"bench{tag}.s{i:04d}.dat"
        path.write_bytes(os.urandom(1024 + (i * 37) % 3072))
        out["small"].append(path)
    (folder / f"large{tag}").mkdir(parents=True)
    for i in range(3):
        path = folder / f"large{tag}" / f"bench{tag}.l{i}.dat"
        with open(path, "wb") as handle_:
            for _ in range(large_mb):
                handle_.write(os.urandom(1 << 20))
        out["large"].append(path)
    return out


def hash_rate() -> float:
    """MB/s of md5+adler32 on one core (best of three passes over 64 MiB in memory)."""
    data = os.urandom(64 << 20)
    best = 0.0
    for _ in range(3):
        t0 = time.perf_counter()
        hashlib.md5(data).hexdigest()
        zlib.adler32(data)
        best = max(best, len(data) / 1e6 / (time.perf_counter() - t0))
    return best


def cpu_seconds() -> float:
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


def ours(tb, root: Path, folder: str, concurrency: int, hashing: str) -> tuple[float, bool]:
    config = EscapeRucio(
        url=tb.base_url,
        account=tb.root.account,
        username=tb.root.username,
        password=tb.root.password,
        ca_bundle=str(tb.ca_cert),
        fetch_concurrency=concurrency,
        allow_private_storage=True,
    )

    async def run() -> tuple[float, bool]:
        instances = RucioInstances(config, ServiceHTTP(config), Configurable(), root / ".state")
        await instances.default.client.auth.token()
        store = JobStore(None)
        runner = UploadRunner(instances, Workspace(root), store, ())
        runner._storage_of(instances.default).hashing = hashing
        t0, cpu0 = time.perf_counter(), cpu_seconds()
        job = await runner.start(
            None, {"paths": [folder], "scope": SCOPE, "rse": tb.upload_rse.name}
        )
        job = await store.wait(job.id)
        seconds = time.perf_counter() - t0
        CPU[folder] = cpu_seconds() - cpu0
        ok = job.state == "done" and all(i.state == "registered" for i in job.data.items)
        if not ok:
            print("ours:", job.state, job.message, job.errors[:3], file=sys.stderr)
        await store.shutdown()
        runner.close()
        await instances.aclose()
        await instances.default.client.http.aclose()
        return seconds, ok

    return asyncio.run(run())


def rucio_upload(tb, files: list[Path], work: Path, tag: str) -> tuple[float, bool]:
    """`rucio upload` with its defaults; the files under other names (copies, same bytes)."""
    folder = work / f"cli{tag}"
    folder.mkdir()
    for f in files:
        os.link(f, folder / f"cli{tag}.{f.name}")
    t0 = time.perf_counter()
    proc = subprocess.run(
        [str(tb.rucio_bin), "upload", "--rse", tb.upload_rse.name, "--scope", SCOPE, str(folder)],
        env=tb.env("root"),
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - t0
    ok = proc.returncode == 0
    if not ok:
        print(proc.stderr[-2000:], file=sys.stderr)
    return seconds, ok


def curl_ceiling(tb, files: list[Path], tag: str, concurrency: int) -> tuple[float, bool]:
    config = []
    for f in files:
        url = f"{tb.upload_rse.https_prefix}curl{tag}/{f.name}"
        config.append(f'upload-file = "{f}"\nurl = "{url}"\noutput = "/dev/null"\n')
    cfg = Path(tempfile.mkstemp(suffix=".curl")[1])
    cfg.write_text("".join(config))
    t0 = time.perf_counter()
    proc = subprocess.run(
        ["curl", "--parallel", "--parallel-max", str(concurrency), "--cacert", str(tb.ca_cert),
         "-sS", "--fail", "-K", str(cfg)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - t0
    cfg.unlink()
    landed = tb.upload_rse.mount_path / f"curl{tag}"
    arrived = sum(
        (landed / f.name).is_file() and (landed / f.name).stat().st_size == f.stat().st_size
        for f in files
    )
    shutil.rmtree(landed, ignore_errors=True)
    if proc.returncode or arrived != len(files):
        print(f"curl: exit {proc.returncode}, {arrived} of {len(files)} files arrived:",
              proc.stderr[-500:], file=sys.stderr)  # fmt: skip
    return seconds, proc.returncode == 0 and arrived == len(files)


def linked(work: Path, files: list[Path], name: str) -> str:
    """The same bytes under new names (hard links) in a new folder: every run uploads new DIDs."""
    folder = work / name
    folder.mkdir()
    for f in files:
        os.link(f, folder / f"{name}.{f.name}")
    return name


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large-mb", type=int, default=200)
    parser.add_argument("--half", choices=("small", "large", "both"), default="both")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--hashing", default="thread,inline")
    parser.add_argument("--json")
    args = parser.parse_args()
    modes = [m for m in args.hashing.split(",") if m]
    tb = handle.load_testbed(handle.default_state_dir())
    work = Path(tempfile.mkdtemp(prefix="bench-upload-"))
    tag = uuid.uuid4().hex[:6]
    files = make_files(work, args.small, args.large_mb, tag)
    per_core = hash_rate()
    print(
        f"physical limit: md5+adler32 on one core {per_core:.0f} MB/s "
        f"({os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f})"
    )
    rows, ok_all = [], True
    halves = ("small", "large") if args.half == "both" else (args.half,)
    for half in halves:
        chosen = files[half]
        nbytes = sum(f.stat().st_size for f in chosen)
        times: dict[str, list[float]] = {}
        cpu: dict[str, list[float]] = {}
        for r in range(args.rounds):
            for mode in modes:
                folder = linked(work, chosen, f"o{mode}{r}{half}{tag}")
                seconds, ok = ours(tb, work, folder, args.concurrency, mode)
                ok_all &= ok
                times.setdefault(f"ours ({mode})", []).append(seconds)
                cpu.setdefault(f"ours ({mode})", []).append(CPU[folder])
            seconds, ok = rucio_upload(tb, chosen, work, f"{r}{half}{tag}")
            ok_all &= ok
            times.setdefault("rucio upload", []).append(seconds)
            seconds, ok = curl_ceiling(tb, chosen, f"{r}{half}{tag}", args.concurrency)
            ok_all &= ok
            times.setdefault("curl ceiling", []).append(seconds)
        median = {who: statistics.median(t) for who, t in times.items()}
        for who, seconds in median.items():
            row = {
                "set": f"{len(chosen)} {half} files ({nbytes / 1e6:.0f} MB)",
                "who": who,
                "seconds": round(seconds, 2),
                "MB/s": round(nbytes / 1e6 / seconds, 1),
                "files/s": round(len(chosen) / seconds, 1),
                "runs": [round(t, 2) for t in times[who]],
            }
            if who.startswith("ours"):
                row["vs rucio"] = round(median["rucio upload"] / seconds, 2)
                row["vs ceiling"] = round(median["curl ceiling"] / seconds, 2)
                row["cpu s"] = round(statistics.median(cpu[who]), 2)
                row["MB per cpu s"] = round(nbytes / 1e6 / row["cpu s"], 0)
            rows.append(row)
    print(f"{'set':28} {'who':16} {'seconds':>8} {'MB/s':>8} {'files/s':>8} {'ratios'}")
    for r in rows:
        ratios = ""
        if "vs rucio" in r:
            ratios = (
                f"{r['vs rucio']}x rucio upload, {r['vs ceiling']}x the ceiling "
                f"(cpu {r['cpu s']} s, {r['MB per cpu s']:.0f} MB per cpu s)"
            )
        print(
            f"{r['set']:28} {r['who']:16} {r['seconds']:8.2f} {r['MB/s']:8.1f} "
            f"{r['files/s']:8.1f} {ratios}"
        )
    print(
        f"medians of {args.rounds} interleaved round(s); every run registered every file: {ok_all}"
    )
    if args.json:
        Path(args.json).write_text(json.dumps({"hash_mb_s_per_core": per_core, "rows": rows}))
    shutil.rmtree(work, ignore_errors=True)
    return 0 if ok_all else 1


if __name__ == "__main__":
    sys.exit(main())
