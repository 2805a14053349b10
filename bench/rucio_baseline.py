"""Baseline for fetch benchmarks: the real `rucio download` against the local Rucio testbed.

    python bench/rucio_baseline.py [--repeat N] [--no-big] [--json FILE]

Measures, into a temporary directory (removed afterwards):
  1. `rucio download` of the 1,000-file dataset   -> seconds, files/s, MB/s
  2. `rucio download` of one file > 200 MB        -> seconds, MB/s
  3. one plain HTTPS GET of that same file (Python stdlib, no checksum) -> the storage ceiling
  4. when the 100,000-DID scope is seeded: listing all its DIDs through the REST API (NDJSON
     stream of `GET /dids/<scope>/dids/search?type=all&long=true`, read line by line) and
     through `rucio did list --short --filter type=all <scope>:*`  -> seconds, DIDs/s

`rucio download` runs with its defaults (3 threads, https read priority 1, adler32 check).
The testbed is set up first if needed, with the 100,000-DID scope (ESCAPE_TESTBED_BIG=1) unless
--no-big. Prints figures only: it never asserts on time. Exit status 1 only if a download did
not deliver the expected files.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import shutil
import ssl
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

handle = importlib.import_module("testbed.rucio.handle")


def downloaded_files(root: Path) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


def timed_download(tb, did: str, workdir: Path) -> tuple:
    dest = Path(tempfile.mkdtemp(prefix="dl-", dir=workdir))
    t0 = time.perf_counter()
    proc = tb.rucio("download", "--dir", str(dest), did, check=False, timeout=3600)
    seconds = time.perf_counter() - t0
    files = downloaded_files(dest)
    nbytes = sum(p.stat().st_size for p in files)
    ok = re.search(r"Files that cannot be downloaded:\s+0\b", proc.stdout + proc.stderr) is not None
    shutil.rmtree(dest, ignore_errors=True)
    return seconds, len(files), nbytes, ok


def timed_https_get(tb, did: str) -> tuple:
    # (not `--protocols https`: the 41.x CLI sends it as a string, the server then matches nothing)
    (pfn,) = [
        p
        for p in tb.rucio(
            "replica", "list", "file", "--pfns", "--rses", tb.remote_rse.name, did
        ).stdout.split()
        if p.startswith(tb.remote_rse.https_prefix)
    ]
    ctx = ssl.create_default_context(cafile=str(tb.ca_cert))
    t0 = time.perf_counter()
    nbytes = 0
    with urllib.request.urlopen(pfn, context=ctx, timeout=600) as resp:
        for block in iter(lambda: resp.read(1 << 20), b""):
            nbytes += len(block)
    return time.perf_counter() - t0, nbytes


def timed_rest_listing(tb, scope: str) -> tuple:
    token, _ = tb.token("root")
    query = urllib.parse.urlencode({"type": "all", "long": "true", "name": "*"})
    req = urllib.request.Request(
        f"{tb.base_url}/dids/{urllib.parse.quote(scope)}/dids/search?{query}",
        headers={"X-Rucio-Auth-Token": token, "Accept": "application/x-json-stream"},
    )
    t0 = time.perf_counter()
    first = None
    rows = 0
    with urllib.request.urlopen(req, timeout=3600) as resp:
        for line in resp:
            if line.strip():
                json.loads(line)
                rows += 1
                if first is None:
                    first = time.perf_counter() - t0
    return time.perf_counter() - t0, first or 0.0, rows


def timed_cli_listing(tb, scope: str) -> tuple:
    t0 = time.perf_counter()
    proc = tb.rucio("did", "list", "--short", "--filter", "type=all", f"{scope}:*", timeout=3600)
    return time.perf_counter() - t0, len(proc.stdout.split())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per measurement (median reported)"
    )
    parser.add_argument("--no-big", action="store_true", help="do not seed the 100,000-DID scope")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()

    was_up = handle.services_up()
    t0 = time.perf_counter()
    handle.run_testbed("setup", extra_env={"ESCAPE_TESTBED_BIG": "0" if args.no_big else "1"})
    setup_seconds = time.perf_counter() - t0
    tb = handle.load_testbed(handle.default_state_dir())
    lease = handle.take_lease(tb.state_dir)
    results = {
        "rucio_version": tb.rucio_version,
        "setup_seconds": round(setup_seconds, 1),
        "big_scope": tb.big_scope,
        "runs": args.repeat,
    }
    failed = False
    try:
        with tempfile.TemporaryDirectory(prefix="rucio-baseline-") as work:
            workdir = Path(work)
            thousand = tb.datasets["thousand_files"]
            runs = [timed_download(tb, thousand["did"], workdir) for _ in range(args.repeat)]
            secs = statistics.median(r[0] for r in runs)
            failed |= not all(r[3] and r[1] == 1000 for r in runs)
            results["thousand_files"] = {
                "did": thousand["did"],
                "files": runs[0][1],
                "bytes": runs[0][2],
                "seconds": round(secs, 2),
                "files_per_s": round(1000 / secs, 1),
                "MB_per_s": round(runs[0][2] / 1e6 / secs, 2),
            }

            large = tb.large_files[0]
            runs = [timed_download(tb, large, workdir) for _ in range(args.repeat)]
            secs = statistics.median(r[0] for r in runs)
            failed |= not all(r[3] and r[1] == 1 for r in runs)
            results["large_file"] = {
                "did": large,
                "bytes": runs[0][2],
                "seconds": round(secs, 2),
                "MB_per_s": round(runs[0][2] / 1e6 / secs, 1),
            }

            gets = [timed_https_get(tb, large) for _ in range(args.repeat)]
            secs = statistics.median(g[0] for g in gets)
            results["https_get_ceiling"] = {
                "did": large,
                "bytes": gets[0][1],
                "seconds": round(secs, 2),
                "MB_per_s": round(gets[0][1] / 1e6 / secs, 1),
            }

        if tb.big_scope:
            runs = [timed_rest_listing(tb, tb.big_scope) for _ in range(args.repeat)]
            secs = statistics.median(r[0] for r in runs)
            results["big_listing_rest"] = {
                "scope": tb.big_scope,
                "dids": runs[0][2],
                "seconds": round(secs, 2),
                "first_row_seconds": round(statistics.median(r[1] for r in runs), 3),
                "dids_per_s": round(runs[0][2] / secs),
            }
            runs = [timed_cli_listing(tb, tb.big_scope) for _ in range(args.repeat)]
            secs = statistics.median(r[0] for r in runs)
            results["big_listing_cli"] = {
                "scope": tb.big_scope,
                "dids": runs[0][1],
                "seconds": round(secs, 2),
                "dids_per_s": round(runs[0][1] / secs),
            }
    finally:
        if handle.release_lease(lease) and not was_up:
            handle.run_testbed("stop")

    t, big, get = results["thousand_files"], results["large_file"], results["https_get_ceiling"]
    print(
        f"rucio {results['rucio_version']} testbed (setup {results['setup_seconds']} s, "
        f"big scope: {results['big_scope'] or 'no'}), median of {args.repeat} run(s)"
    )
    print(
        f"  rucio download, 1,000-file dataset : {t['seconds']:8.2f} s  "
        f"{t['files_per_s']:7.1f} files/s  {t['MB_per_s']:7.2f} MB/s  ({t['bytes'] / 1e6:.1f} MB)"
    )
    print(
        f"  rucio download, one large file     : {big['seconds']:8.2f} s  {'':15}  "
        f"{big['MB_per_s']:7.1f} MB/s  ({big['bytes'] / 1e6:.0f} MB)"
    )
    print(
        f"  plain HTTPS GET, same file         : {get['seconds']:8.2f} s  {'':15}  "
        f"{get['MB_per_s']:7.1f} MB/s  (storage ceiling, no checksum)"
    )
    if "big_listing_rest" in results:
        rest, cli = results["big_listing_rest"], results["big_listing_cli"]
        print(
            f"  REST NDJSON listing of {rest['scope']:10} : {rest['seconds']:8.2f} s  "
            f"{rest['dids_per_s']:7d} DIDs/s  ({rest['dids']} DIDs, first row after "
            f"{rest['first_row_seconds']:.2f} s)"
        )
        print(
            f"  rucio did list of {cli['scope']:10}      : {cli['seconds']:8.2f} s  "
            f"{cli['dids_per_s']:7d} DIDs/s  ({cli['dids']} DIDs)"
        )
    else:
        print("  (no 100,000-DID scope: run without --no-big to measure listings)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    if failed:
        print("ERROR: a download did not deliver the expected files", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
