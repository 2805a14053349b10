"""Fetch benchmark: our fetch job against `rucio download` and a parallel-curl ceiling.

    python bench/datalake_fetch.py [--repeat N] [--concurrency 8] [--json FILE]

On the local Rucio testbed, for (1) the 1,000-file dataset and (2) the three large files
(709 MB), all read over HTTPS from ESCAPE_DISK:
  a. our fetch job (jupyterlab_escape.datalake.fetch.FetchRunner, the engine behind
     POST /escape/datalake/fetch, run in this process): resolve, list replicas, download in
     parallel, verify adler32 + md5, rename;
  b. the real `rucio download` of the testbed venv, with its defaults (same RSE, same protocol,
     adler32 check);
  c. the ceiling: one `curl --parallel` process fetching the same PFNs (no checksum, no Rucio).
Prints seconds and MB/s for each, and the ratios ours/rucio and ours/ceiling (targets: >= 1.5
and >= 0.8). Figures only: nothing here asserts on time. Exit status 1 if a run did not deliver
every file with the right checksum.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from rucio_baseline import timed_download  # noqa: E402
from traitlets.config import Configurable  # noqa: E402

from jupyterlab_escape.config import EscapeRucio  # noqa: E402
from jupyterlab_escape.datalake.fetch import FetchRunner  # noqa: E402
from jupyterlab_escape.datalake.instances import RucioInstances  # noqa: E402
from jupyterlab_escape.http import ServiceHTTP  # noqa: E402
from jupyterlab_escape.jobs import JobStore  # noqa: E402
from jupyterlab_escape.workspace import Workspace  # noqa: E402
from testbed.rucio import handle  # noqa: E402


def ours(tb, did: str, workdir: Path, concurrency: int) -> tuple[float, int, int, bool, float]:
    """Seconds, files, bytes, all verified, and the CPU seconds of this process (every thread)
    while the job ran."""
    root = Path(tempfile.mkdtemp(prefix="ours-", dir=workdir))
    cpu: list[float] = []
    config = EscapeRucio(
        url=tb.base_url,
        account=tb.root.account,
        username=tb.root.username,
        password=tb.root.password,
        ca_bundle=str(tb.ca_cert),
        destination_rse="",  # no local mount: HTTPS from the storage, like rucio download
        fetch_concurrency=concurrency,
        allow_private_storage=True,  # the testbed's storage is on loopback
    )

    async def run() -> tuple[float, int, int, bool]:
        instances = RucioInstances(config, ServiceHTTP(config), Configurable(), root / ".state")
        await instances.default.client.auth.token()  # both sides start with a token
        store = JobStore(root / "state" / "jobs.json")
        fetches = FetchRunner(instances, Workspace(root), store)
        t0, cpu0 = time.perf_counter(), os.times()
        job = fetches.start(None, [did], None)
        job = await store.wait(job.id)
        seconds, cpu1 = time.perf_counter() - t0, os.times()
        cpu.append(cpu1.user - cpu0.user + cpu1.system - cpu0.system)
        await store.shutdown()
        fetches.close()
        await instances.aclose()
        await instances.default.client.http.aclose()
        files = job.data.files
        ok = job.state == "done" and all(f.state == "verified" for f in files)
        return seconds, len(files), sum(f.bytes for f in files), ok

    result = asyncio.run(run())
    shutil.rmtree(root, ignore_errors=True)
    return (*result, cpu[0])


def _hash_mb(megabytes: int) -> float:
    """Seconds for md5 + adler32 over ``megabytes`` MB in 4 MiB buffers (one thread)."""
    from jupyterlab_escape.datalake.checksums import Checksums

    buffer = os.urandom(4 * 1024 * 1024)
    sums = Checksums()
    t0 = time.perf_counter()
    for _ in range(megabytes * 1_000_000 // len(buffer)):
        sums.update(buffer)
    return time.perf_counter() - t0


def checksum_limit(megabytes: int = 256) -> dict[str, float]:
    """The physical limit of verifying: md5 + adler32 MB/s on one core, and on two workers as
    threads (hashlib and zlib release the GIL on large buffers) and as processes."""
    from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

    one = megabytes / _hash_mb(megabytes)
    out = {"one_core_MB_per_s": one}
    for name, pool in (("threads", ThreadPoolExecutor), ("processes", ProcessPoolExecutor)):
        with pool(2) as workers:
            list(workers.map(_hash_mb, [8, 8]))  # start them
            t0 = time.perf_counter()
            list(workers.map(_hash_mb, [megabytes, megabytes]))
            out[f"two_{name}_MB_per_s"] = 2 * megabytes / (time.perf_counter() - t0)
    return out


def pfns(tb, did: str) -> list[str]:
    out = tb.rucio(
        "replica", "list", "file", "--pfns", "--rses", tb.remote_rse.name, did
    ).stdout.split()
    return [p for p in out if p.startswith(tb.remote_rse.https_prefix)]


def lookup_seconds(tb, did: str) -> float:
    """The replica lookup every client pays before a byte moves (curl's PFNs were listed first):
    one POST /replicas/list for the DID, as our job asks it."""
    from jupyterlab_escape.datalake.did import DID

    config = EscapeRucio(
        url=tb.base_url,
        account=tb.root.account,
        username=tb.root.username,
        password=tb.root.password,
    )

    async def run() -> float:
        http = ServiceHTTP(config)
        instances = RucioInstances(config, http, Configurable(), Path(tempfile.mkdtemp()))
        client = instances.default.client
        await client.auth.token()
        t0 = time.perf_counter()
        replicas = client.file_replicas(
            [DID.parse(did)], schemes=["https", "davs", "http"], all_states=False, sort="random"
        )
        async for _ in replicas:
            pass
        seconds = time.perf_counter() - t0
        await instances.aclose()
        await http.aclose()
        return seconds

    return asyncio.run(run())


def ceiling(tb, urls: list[str], workdir: Path, parallel: int) -> tuple[float, int, float]:
    """Seconds, bytes and curl's CPU seconds."""
    dest = Path(tempfile.mkdtemp(prefix="curl-", dir=workdir))
    config = dest / "curl.cfg"
    lines = [f'url = "{u}"\noutput = "{dest}/f{i}"' for i, u in enumerate(urls)]
    config.write_text("\n".join(lines) + "\n")
    t0, cpu0 = time.perf_counter(), os.times()
    subprocess.run(
        [
            "curl",
            "--silent",
            "--fail",
            "--parallel",
            "--parallel-max",
            str(parallel),
            "--cacert",
            str(tb.ca_cert),
            "-K",
            str(config),
        ],
        check=True,
        timeout=3600,
        stderr=subprocess.DEVNULL,  # its --parallel progress meter ignores --silent
    )
    seconds, cpu1 = time.perf_counter() - t0, os.times()
    config.unlink()
    nbytes = sum(p.stat().st_size for p in dest.iterdir())
    shutil.rmtree(dest, ignore_errors=True)
    cpu = cpu1.children_user - cpu0.children_user + cpu1.children_system - cpu0.children_system
    return seconds, nbytes, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement (median)")
    parser.add_argument("--concurrency", type=int, default=8, help="our fetch_concurrency")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--only", choices=["small", "large"], help="one workload (default: both)")
    parser.add_argument("--no-rucio", action="store_true", help="leave out `rucio download` (slow)")
    parser.add_argument(
        "--workdir",
        type=Path,
        help="where every client writes (default: the system's temporary folder); "
        "e.g. /dev/shm to leave the filesystem's cost of creating files out",
    )
    args = parser.parse_args()

    was_up = handle.services_up()
    handle.run_testbed("setup")
    tb = handle.load_testbed(handle.default_state_dir())
    lease = handle.take_lease(tb.state_dir)
    workloads = {
        "1,000 small files": tb.datasets["thousand_files"]["did"],
        "3 large files": tb.large_files_dataset,
    }
    if args.only:
        workloads = dict([list(workloads.items())[0 if args.only == "small" else 1]])
    results: dict[str, dict] = {}
    failed = False
    try:
        with tempfile.TemporaryDirectory(prefix="fetch-bench-", dir=args.workdir) as work:
            workdir = Path(work)
            for label, did in workloads.items():
                urls = pfns(tb, did)
                row: dict[str, dict] = {}
                # ours and curl alternate, run by run, so a drift of the machine hits both
                mine, theirs, lookups = [], [], []
                ours(tb, did, workdir, args.concurrency)  # warm-up (imports, TLS), not counted
                for _ in range(args.repeat):
                    mine.append(ours(tb, did, workdir, args.concurrency))
                    theirs.append(ceiling(tb, urls, workdir, args.concurrency))
                    lookups.append(lookup_seconds(tb, did))
                failed |= not all(r[3] for r in mine)
                row["ours"] = {
                    "seconds": statistics.median(r[0] for r in mine),
                    "bytes": mine[0][2],
                    "files": mine[0][1],
                    "cpu_seconds": statistics.median(r[4] for r in mine),
                }
                if not args.no_rucio:
                    runs = [timed_download(tb, did, workdir) for _ in range(args.repeat)]
                    failed |= not all(r[3] and r[1] == len(urls) for r in runs)
                    row["rucio"] = {
                        "seconds": statistics.median(r[0] for r in runs),
                        "bytes": runs[0][2],
                        "files": runs[0][1],
                    }
                row["ceiling"] = {
                    "seconds": statistics.median(r[0] for r in theirs),
                    "bytes": theirs[0][1],
                    "files": len(urls),
                    "cpu_seconds": statistics.median(r[2] for r in theirs),
                }
                lookup = statistics.median(lookups)
                row["ceiling_with_lookup"] = dict(row["ceiling"])
                row["ceiling_with_lookup"]["seconds"] += lookup
                for figures in row.values():
                    figures["MB_per_s"] = figures["bytes"] / 1e6 / figures["seconds"]
                    figures["files_per_s"] = figures["files"] / figures["seconds"]
                if "rucio" in row:
                    row["ours_over_rucio"] = row["ours"]["MB_per_s"] / row["rucio"]["MB_per_s"]
                row["ours_over_ceiling"] = row["ours"]["MB_per_s"] / row["ceiling"]["MB_per_s"]
                row["ours_over_ceiling_with_lookup"] = (
                    row["ours"]["MB_per_s"] / row["ceiling_with_lookup"]["MB_per_s"]
                )
                row["lookup_seconds"] = lookup
                results[label] = row
    finally:
        if handle.release_lease(lease) and not was_up:
            handle.run_testbed("stop")

    print(
        f"Data Lake fetch, rucio {tb.rucio_version} testbed, HTTPS from {tb.remote_rse.name}, "
        f"concurrency {args.concurrency}, median of {args.repeat} run(s), files written under "
        f"{args.workdir or tempfile.gettempdir()}"
    )
    for label, row in results.items():
        print(f"  {label}:")
        for key, name in (
            ("ours", "our fetch job"),
            ("rucio", "rucio download"),
            ("ceiling", "curl --parallel"),
            ("ceiling_with_lookup", "curl --parallel + lookup"),
        ):
            if key not in row:
                continue
            f = row[key]
            cpu = ""
            if "cpu_seconds" in f:
                cpu = f"  CPU {f['cpu_seconds'] * 1000 / f['files']:6.2f} ms/file"
            print(
                f"    {name:26}: {f['seconds']:7.2f} s  {f['MB_per_s']:8.1f} MB/s  "
                f"{f['files_per_s']:8.1f} files/s{cpu}"
            )
        if "ours_over_rucio" in row:
            print(f"    ratio ours/rucio   : {row['ours_over_rucio']:6.2f}  (target >= 1.5)")
        print(f"    ratio ours/curl    : {row['ours_over_ceiling']:6.2f}  (no Rucio, no checksum)")
        target = "0.8" if "small" in label else "0.7"
        print(
            f"    ratio ours/(curl --parallel + the same Rucio replica lookup): "
            f"{row['ours_over_ceiling_with_lookup']:6.2f}  (the baseline, target >= {target}; "
            f"lookup alone {row['lookup_seconds']:.2f} s)"
        )
        if "small" in label:
            per_file = row["ours"]["cpu_seconds"] * 1000 / row["ours"]["files"]
            print(
                f"    our CPU per file (whole process): {per_file:.2f} ms  (target <= 0.5 ms; "
                f"curl {row['ceiling']['cpu_seconds'] * 1000 / row['ceiling']['files']:.2f} ms)"
            )
    if any("large" in label for label in results):
        limit = checksum_limit()
        print(
            f"  physical limit of verifying (md5 + adler32): {limit['one_core_MB_per_s']:.0f} "
            f"MB/s on one core; two threads {limit['two_threads_MB_per_s']:.0f} MB/s, two "
            f"processes {limit['two_processes_MB_per_s']:.0f} MB/s"
        )
        results["checksum_limit"] = limit
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    if failed:
        print("ERROR: a fetch did not deliver every file verified", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
