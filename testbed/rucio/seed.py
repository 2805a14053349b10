"""Seed the Rucio testbed with a small but realistic ESCAPE data lake.

Runs inside the testbed's Rucio venv, started by `testbed setup`, against the running REST
server, through the Rucio *client* API (bulk calls, never one HTTP call per file):

    RUCIO_CONFIG=<state>/etc/client.cfg python seed.py --state-dir <state> --parts base[,big]

Metadata: only Rucio's DID-column keys (project, datatype, run_number, stream_name, version,
campaign, prod_step, provenance, phys_group, ...). The JSON plugin for free-form keys refuses
SQLite (rucio.db.sqla.util.json_implemented), so free-form keys are rejected with InvalidMetadata.

Every byte is generated here (deterministic content: random.Random seeded with "scope:name"),
written at the PFN path the RSE's `file` protocol gives (lfn2pfn `hash`), and registered with
its real size, adler32 and md5. The result is described in <state>/state/seed.json, which the
pytest fixture reads.
"""

import argparse
import contextlib
import json
import os
import random
import sys
import time
import zlib
from hashlib import md5 as md5_hash
from urllib.parse import urlparse

# The client configuration used here (etc/seed-client.cfg) has no auth_token_file_path, so the
# root and jdoe clients get one token file per account below $TMPDIR (the testbed points it into
# the state dir): acting as both accounts from one process cannot mix their tokens up.
from rucio.client import Client
from rucio.common.exception import Duplicate
from rucio.rse import rsemanager

MiB = 1 << 20
# DIDs per bulk REST call: SQLite refuses OR chains deeper than 1000 ("Expression tree is too
# large")
CHUNK = 500

ROOT = {"account": "root", "username": "ddmlab", "password": "secret"}
JDOE = {
    "account": "jdoe",
    "username": "jdoe",
    "password": "jdoe-secret",
    "email": "jdoe@example.org",
}

DISK = "ESCAPE_DISK"
LOCAL = "LOCAL_MOUNT"
# Write RSEs (WebDAV over HTTPS, nginx + dav-ext). The generic permission policy lets any account
# add replicas on RSEs whose name ends in USERDISK; ESCAPE_DATADISK is writable for admins only.
USERDISK = "ESCAPE_USERDISK"
DATADISK = "ESCAPE_DATADISK"
WRITE_RSES = (
    (USERDISK, "escape_userdisk", "ESCAPE-VRE"),
    (DATADISK, "escape_datadisk", "ESCAPE-REMOTE"),
)
JDOE_USERDISK_LIMIT = 10**9  # 1 GB: a quota a test can exceed with one sparse file

SCOPE_CTA = "escape_cta"
SCOPE_LOFAR = "escape_lofar"
SCOPE_OPEN = "escape_opendata"
SCOPE_USER = "user.jdoe"
SCOPE_BIG = "escape_big"

BIG_DATASETS = 100
BIG_FILES_PER_DATASET = 1000


def log(msg: str) -> None:
    print(f"[seed] {msg}", file=sys.stderr, flush=True)


class Seeder:
    def __init__(self, state_dir: str, endpoints: dict):
        self.state_dir = state_dir
        self.endpoints = endpoints
        self.root = Client(
            account=ROOT["account"],
            auth_type="userpass",
            creds={"username": ROOT["username"], "password": ROOT["password"]},
        )
        self._jdoe = None
        self._rse_info = {}
        self.timings = {}
        self.sets = {}
        self.total_files = 0
        self.total_bytes = 0
        self.total_dids = 0

    @property
    def jdoe(self) -> Client:
        if self._jdoe is None:
            self._jdoe = Client(
                account=JDOE["account"],
                auth_type="userpass",
                creds={"username": JDOE["username"], "password": JDOE["password"]},
            )
        return self._jdoe

    @contextlib.contextmanager
    def timed(self, label: str):
        t0 = time.monotonic()
        files0, bytes0, dids0 = self.total_files, self.total_bytes, self.total_dids
        yield
        seconds = time.monotonic() - t0
        entry = {
            "seconds": round(seconds, 2),
            "files": self.total_files - files0,
            "bytes": self.total_bytes - bytes0,
            "dids": self.total_dids - dids0,
        }
        self.timings[label] = entry
        log(
            f"{label}: {entry['dids']} DIDs, {entry['files']} file replicas, "
            f"{entry['bytes'] / 1e6:.1f} MB in {seconds:.1f} s"
        )

    # ----------------------------------------------------------------- infrastructure
    def infrastructure(self) -> None:
        c = self.root
        https_port = self.endpoints["https_port"]
        for rse, area, site in (
            (DISK, "escape_disk", "ESCAPE-REMOTE"),
            (LOCAL, "local_mount", "ESCAPE-VRE"),
        ):
            with contextlib.suppress(Duplicate):
                c.add_rse(
                    rse,
                    deterministic=True,
                    volatile=False,
                    rse_type="DISK",
                    city="Geneva",
                    country_name="Switzerland",
                    continent="EU",
                )
            for key, value in (
                ("site", site),
                ("verify_checksum", True),
                ("skip_upload_stat", True),
            ):
                c.add_rse_attribute(rse, key, value)
            mount = os.path.join(self.state_dir, "storage", area)
            # Rucio >= 39: null = disabled, 0 = top priority. Only 1, 2 and null are used so the
            # behaviour is the same for every client >= 32 (0 meant "disabled" before 39).
            with contextlib.suppress(Duplicate):
                c.add_protocol(
                    rse,
                    {
                        "scheme": "https",
                        "hostname": "localhost",
                        "port": https_port,
                        "prefix": f"/{area}/",
                        "impl": "rucio.rse.protocols.webdav.Default",
                        "domains": {
                            "lan": {"read": 1, "write": None, "delete": None},
                            "wan": {
                                "read": 1,
                                "write": None,
                                "delete": None,
                                "third_party_copy_read": None,
                                "third_party_copy_write": None,
                            },
                        },
                    },
                )
            with contextlib.suppress(Duplicate):
                c.add_protocol(
                    rse,
                    {
                        "scheme": "file",
                        "hostname": "localhost",
                        "port": 0,
                        "prefix": mount + "/",
                        "impl": "rucio.rse.protocols.posix.Default",
                        "domains": {
                            "lan": {"read": 2, "write": 1, "delete": 1},
                            "wan": {
                                "read": 2,
                                "write": 1,
                                "delete": 1,
                                "third_party_copy_read": None,
                                "third_party_copy_write": None,
                            },
                        },
                    },
                )
        for rse, area, site in WRITE_RSES:
            with contextlib.suppress(Duplicate):
                c.add_rse(
                    rse,
                    deterministic=True,
                    volatile=False,
                    rse_type="DISK",
                    city="Geneva",
                    country_name="Switzerland",
                    continent="EU",
                )
            # No skip_upload_stat: `rucio upload` checks the size with PROPFIND after its PUT.
            c.add_rse_attribute(rse, "site", site)
            with contextlib.suppress(Duplicate):
                c.add_protocol(
                    rse,
                    {
                        "scheme": "https",
                        "hostname": "localhost",
                        "port": https_port,
                        "prefix": f"/{area}/",
                        # nginx answers MOVE with 204 where webdav.Default wants 201: PUT
                        # straight to the final PFN (wave2.md section 2).
                        "impl": "rucio.rse.protocols.webdav.NoRename",
                        "domains": {
                            "lan": {"read": 1, "write": 1, "delete": 1},
                            "wan": {
                                "read": 1,
                                "write": 1,
                                "delete": 1,
                                "third_party_copy_read": None,
                                "third_party_copy_write": None,
                            },
                        },
                    },
                )
        with contextlib.suppress(Duplicate):
            c.add_account(JDOE["account"], "USER", JDOE["email"])
        with contextlib.suppress(Duplicate):
            c.add_identity(
                account=JDOE["account"],
                identity=JDOE["username"],
                authtype="USERPASS",
                email=JDOE["email"],
                default=True,
                password=JDOE["password"],
            )
        # root: unlimited (-1 is stored as infinity); jdoe: finite quotas, large enough for rules.
        for rse in (DISK, LOCAL):
            c.set_local_account_limit("root", rse, -1)
        for rse, _area, _site in WRITE_RSES:
            c.set_local_account_limit("root", rse, -1)
        c.set_local_account_limit("jdoe", USERDISK, JDOE_USERDISK_LIMIT)
        c.set_local_account_limit("jdoe", DATADISK, 5 * 10**9)  # a quota, but no permission
        c.set_local_account_limit("jdoe", LOCAL, 20 * 10**9)
        c.set_local_account_limit("jdoe", DISK, 5 * 10**9)
        for scope, account in (
            (SCOPE_CTA, "root"),
            (SCOPE_LOFAR, "root"),
            (SCOPE_OPEN, "root"),
            (SCOPE_USER, "jdoe"),
        ):
            with contextlib.suppress(Duplicate):
                c.add_scope(account, scope)

    # ----------------------------------------------------------------- helpers
    def rse_info(self, rse: str) -> dict:
        if rse not in self._rse_info:
            self._rse_info[rse] = rsemanager.get_rse_info(rse)
        return self._rse_info[rse]

    def write_files(self, rse: str, files: list) -> None:
        """Write each file's bytes at its `file`-protocol PFN and fill bytes/adler32/md5."""
        lfns = [{"scope": f["scope"], "name": f["name"]} for f in files]
        pfns = rsemanager.lfns2pfns(self.rse_info(rse), lfns, operation="write", scheme="file")
        for f in files:
            path = urlparse(pfns[f"{f['scope']}:{f['name']}"]).path
            os.makedirs(os.path.dirname(path), exist_ok=True)
            size = f.pop("size")
            kind = f.pop("kind", "binary")
            rng = random.Random(f"{f['scope']}:{f['name']}")
            adler, digest, written = 1, md5_hash(), 0
            with open(path, "wb") as fh:
                while written < size:
                    n = min(8 * MiB, size - written)
                    block = text_block(rng, n) if kind == "text" else rng.randbytes(n)
                    fh.write(block)
                    adler = zlib.adler32(block, adler)
                    digest.update(block)
                    written += n
            f["bytes"] = size
            f["adler32"] = f"{adler & 0xFFFFFFFF:08x}"
            f["md5"] = digest.hexdigest()
            f["path"] = path

    def place(self, rse: str, files: list, client: Client = None) -> None:
        """Register replicas (and thereby the file DIDs) in bulk; bytes must already exist."""
        client = client or self.root
        rows = [{k: f[k] for k in ("scope", "name", "bytes", "adler32", "md5")} for f in files]
        for i in range(0, len(rows), CHUNK):
            client.add_replicas(rse, rows[i : i + CHUNK])
        self.total_bytes += sum(f["bytes"] for f in files)
        self.total_files += len(files)

    def new_files(self, rse: str, specs: list, client: Client = None) -> list:
        """specs: [(scope, name, size[, kind])] -> file dicts written and registered on rse."""
        files = [
            {"scope": s[0], "name": s[1], "size": s[2], "kind": s[3] if len(s) > 3 else "binary"}
            for s in specs
        ]
        self.write_files(rse, files)
        self.place(rse, files, client)
        self.total_dids += len(files)
        return files

    def copy_to(self, rse: str, files: list) -> None:
        """Place existing files on a second RSE: same bytes (hard link), its own PFN."""
        lfns = [{"scope": f["scope"], "name": f["name"]} for f in files]
        pfns = rsemanager.lfns2pfns(self.rse_info(rse), lfns, operation="write", scheme="file")
        for f in files:
            path = urlparse(pfns[f"{f['scope']}:{f['name']}"]).path
            os.makedirs(os.path.dirname(path), exist_ok=True)
            if not os.path.exists(path):
                os.link(f["path"], path)
        self.place(rse, files)

    def collection(
        self,
        kind: str,
        scope: str,
        name: str,
        children: list,
        meta: dict | None = None,
        close: bool = False,
        client: Client | None = None,
    ) -> dict:
        client = client or self.root
        if kind == "dataset":
            client.add_dataset(scope, name)
        else:
            client.add_container(scope, name)
        if meta:
            client.set_metadata_bulk(scope, name, meta)
        dids = [{"scope": c["scope"], "name": c["name"]} for c in children]
        for i in range(0, len(dids), CHUNK):
            client.attach_dids(scope, name, dids[i : i + CHUNK])
        if close:
            client.close(scope, name)
        self.total_dids += 1
        return {"scope": scope, "name": name}

    def record(self, key: str, did: dict, files: list = (), **extra) -> None:
        entry = {"did": f"{did['scope']}:{did['name']}", "scope": did["scope"], "name": did["name"]}
        if files:
            entry["files"] = len(files)
            entry["bytes"] = sum(f["bytes"] for f in files)
        entry.update(extra)
        self.sets[key] = entry

    # ----------------------------------------------------------------- data sets
    def cta(self) -> None:
        """Experiment scope: container -> sub-containers -> datasets -> files, with metadata."""
        sub_containers = []
        for particle, runs in (("gamma", (1, 2, 3)), ("proton", (11, 12))):
            datasets = []
            for run in runs:
                ds_name = f"cta.prod5.south.{particle}.run{run:04d}.dl1"
                specs = [
                    (
                        SCOPE_CTA,
                        (
                            f"{particle}_20deg_180deg_run{run:04d}___cta-prod5-paranal_desert"
                            f"-2147m-Paranal-dark.part{part:02d}.dl1.h5"
                        ),
                        50_000 + 37_000 * part,
                    )
                    for part in range(8)
                ]
                files = self.new_files(DISK, specs)
                ds = self.collection(
                    "dataset",
                    SCOPE_CTA,
                    ds_name,
                    files,
                    close=True,
                    meta={
                        "datatype": "DL1",
                        "project": "cta_prod5",
                        "run_number": run,
                        "stream_name": particle,
                        "version": "v1.2.0",
                        "campaign": "prod5",
                        "prod_step": "dl1",
                        "provenance": "Paranal",
                    },
                )
                datasets.append(ds)
                if particle == "gamma" and run == 1:
                    self.record("cta_dataset", ds, files)
            sub = self.collection(
                "container",
                SCOPE_CTA,
                f"cta.prod5.south.{particle}",
                datasets,
                meta={"project": "cta_prod5", "stream_name": particle},
            )
            sub_containers.append(sub)
        top = self.collection(
            "container",
            SCOPE_CTA,
            "cta.prod5.south",
            sub_containers,
            meta={"project": "cta_prod5", "campaign": "prod5", "provenance": "Paranal"},
        )
        self.record("cta_container", top)
        # an open, still empty dataset (production not started)
        empty = self.collection(
            "dataset",
            SCOPE_CTA,
            "cta.prod6.north.planned",
            [],
            meta={"project": "cta_prod6", "datatype": "DL0"},
        )
        self.record("empty_dataset", empty)

    def thousand_files(self) -> None:
        """One dataset of 1,000 small files (the baseline for bulk fetches)."""
        specs = [
            (SCOPE_CTA, f"lst1_calib_run04321.{i:04d}.dl1.h5", 1024 + (i * 37) % 3072)
            for i in range(1000)
        ]
        files = self.new_files(DISK, specs)
        ds = self.collection(
            "dataset",
            SCOPE_CTA,
            "lst1.20231114.calibration.run04321.dl1",
            files,
            close=True,
            meta={
                "datatype": "DL1",
                "run_number": 4321,
                "project": "lst1_commissioning",
                "prod_step": "calibration",
            },
        )
        self.record("thousand_files", ds, files)

    def large_files(self) -> None:
        """A few files larger than 200 MB (the baseline for single-file throughput)."""
        specs = [
            (SCOPE_OPEN, "lst1_crab_run02967.dl2.h5", 210 * MiB),
            (SCOPE_OPEN, "lst1_crab_run02968.dl2.h5", 210 * MiB),
            (SCOPE_OPEN, "lst1_crab_run02969.dl2.h5", 256 * MiB),
        ]
        files = self.new_files(DISK, specs)
        ds = self.collection(
            "dataset",
            SCOPE_OPEN,
            "lst1.crab.2020.dl2",
            files,
            close=True,
            meta={
                "datatype": "DL2",
                "project": "open_data",
                "campaign": "crab_2020",
                "provenance": "LST-1",
                "run_number": 2967,
            },
        )
        self.record("large_files", ds, files, file_names=[f["name"] for f in files])

    def opendata(self) -> None:
        """Open data on both RSEs (with rules), a set only on ESCAPE_DISK, files in two datasets."""
        sample = self.new_files(
            DISK,
            [
                (SCOPE_OPEN, f"crab_nebula_sample.{i:03d}.fits", 40_000 + 5_000 * i)
                for i in range(20)
            ],
        )
        self.copy_to(LOCAL, sample)
        ds_sample = self.collection(
            "dataset",
            SCOPE_OPEN,
            "crab.nebula.sample",
            sample,
            close=True,
            meta={"datatype": "DL3", "project": "open_data", "provenance": "Crab Nebula"},
        )
        self.record("local_dataset", ds_sample, sample, rses=[DISK, LOCAL])
        highlights = self.collection(
            "dataset",
            SCOPE_OPEN,
            "crab.nebula.highlights",
            sample[:3],
            meta={"project": "open_data"},
        )
        self.record("shared_files_dataset", highlights, sample[:3])

        weekly = self.new_files(
            DISK,
            [
                (SCOPE_OPEN, f"fermi_lat_weekly_w{w:03d}_p305_v001.fits", 120_000 + 3_000 * w)
                for w in range(800, 812)
            ],
        )
        ds_weekly = self.collection(
            "dataset",
            SCOPE_OPEN,
            "fermi.lat.weekly.2024",
            weekly,
            close=True,
            meta={
                "datatype": "photon",
                "project": "open_data",
                "provenance": "Fermi-LAT",
                "campaign": "2024",
            },
        )
        self.record("remote_dataset", ds_weekly, weekly, rses=[DISK])

        catalog = self.new_files(
            DISK, [(SCOPE_OPEN, "source-catalog_4FGL-DR4.v34.csv", 300_000, "text")]
        )
        top = self.collection(
            "container",
            SCOPE_OPEN,
            "escape.opendata.collection",
            [ds_sample, ds_weekly, {"scope": SCOPE_OPEN, "name": "lst1.crab.2020.dl2"}],
            meta={"project": "open_data"},
        )
        self.record("opendata_container", top)
        self.record("text_file", catalog[0], catalog)

        # Rules with pre-placed replicas are OK at once (no daemons run in the testbed).
        self.rules = getattr(self, "rules", [])
        self.rules += self.root.add_replication_rule(
            [ds_sample], 1, LOCAL, comment="testbed: mounted copy"
        )
        self.rules += self.root.add_replication_rule(
            [ds_weekly], 1, DISK, comment="testbed: custodial"
        )

    def quoting(self) -> None:
        """Names that need URL quoting: dots, dashes, underscores, slashes, leading '/', long."""
        long_name = (
            "L645678_SAP000_SB000_uv.MS."
            + "x" * 40
            + "_"
            + "-".join(["segment"] * 12)
            + ".averaged_2ch_10s.dppp.tar"
        )
        assert len(long_name) <= 250
        specs = [
            (SCOPE_LOFAR, "L645678_SAP000_SB000_uv.MS.tar", 64_000),
            (SCOPE_LOFAR, "L645678_SAP000_SB001_uv.MS.tar", 64_500),
            (SCOPE_LOFAR, "L645678-SAP000-SB002.uv.MS.tar", 65_000),
            (SCOPE_LOFAR, long_name, 10_000),
            (SCOPE_LOFAR, "/lofar/lta/2024/L645678/SAP000/SB003_uv.MS.tar", 66_000),
            (SCOPE_LOFAR, "/lofar/lta/2024/L645678/SAP000/SB004_uv.MS.tar", 66_500),
            (SCOPE_LOFAR, "lofar/relative/path/with.dots-and_dashes.h5", 7_000),
            (SCOPE_LOFAR, "lofar//double//slash.h5", 3_000),
            (SCOPE_LOFAR, "L645678_SAP000.parset", 4_000, "text"),
        ]
        files = self.new_files(DISK, specs)
        ds_path = self.collection(
            "dataset",
            SCOPE_LOFAR,
            "/lofar/lta/2024/L645678/SAP000",
            files,
            close=True,
            meta={
                "datatype": "RAW",
                "run_number": 645678,
                "project": "lofar_lta",
                "stream_name": "HBA_DUAL_INNER",
            },
        )
        cont = self.collection(
            "container",
            SCOPE_LOFAR,
            "/lofar/lta/2024/L645678",
            [ds_path],
            meta={"run_number": 645678, "project": "lofar_lta"},
        )
        ds_plain = self.collection(
            "dataset", SCOPE_LOFAR, "L645678_SAP000.quoting-test_set.v1", files[:4]
        )
        self.record("path_like_dataset", ds_path, files)
        self.record("path_like_container", cont)
        self.record("quoting_dataset", ds_plain, files[:4])
        self.record("long_name_file", files[3], files[3:4])
        self.record("slash_file", files[4], files[4:5])
        self.record("double_slash_file", files[7], files[7:8])
        # one replica marked unavailable: a "partially available" dataset
        partial = self.new_files(
            DISK,
            [(SCOPE_LOFAR, f"L645679_SAP001_SB{i:03d}_uv.MS.tar", 20_000 + i) for i in range(4)],
        )
        self.root.update_replicas_states(
            DISK, [{"scope": SCOPE_LOFAR, "name": partial[0]["name"], "state": "U"}]
        )
        ds_partial = self.collection("dataset", SCOPE_LOFAR, "L645679_SAP001", partial, close=True)
        self.record(
            "partially_available_dataset", ds_partial, partial, unavailable=[partial[0]["name"]]
        )

    def user(self) -> None:
        """User scope: data on LOCAL_MOUNT, datasets and a rule owned by jdoe."""
        specs = [
            (SCOPE_USER, "user.jdoe.crab_spectrum_fit.v2.json", 12_000, "text"),
            (SCOPE_USER, "user.jdoe.crab_lightcurve.2024-05-01.csv", 48_000, "text"),
            (SCOPE_USER, "results/2024-05/fit-output_final.root", 150_000),
            (SCOPE_USER, "/user/jdoe/notebooks/exploration.ipynb", 30_000, "text"),
            (SCOPE_USER, "user.jdoe." + "very_long_descriptive_name_" * 7 + "end.parquet", 25_000),
        ]
        # root registers the replicas (generic policy: only admins may add replicas on these RSEs)
        files = self.new_files(LOCAL, specs)
        jd = self.jdoe
        ds = self.collection(
            "dataset",
            SCOPE_USER,
            "user.jdoe.analysis.crab.2024",
            files,
            meta={"project": "crab_analysis", "version": "v2", "phys_group": "jdoe"},
            client=jd,
        )
        cont = self.collection("container", SCOPE_USER, "user.jdoe.analyses", [ds], client=jd)
        self.rules += jd.add_replication_rule(
            [{"scope": ds["scope"], "name": ds["name"]}],
            1,
            LOCAL,
            comment="testbed: jdoe pins her analysis",
        )
        self.record("user_dataset", ds, files, account="jdoe")
        self.record("user_container", cont, account="jdoe")

    # ----------------------------------------------------------------- 100k scope
    def big(self) -> None:
        """escape_big: 100 datasets x 1,000 small real files = 100,101 DIDs, bulk REST calls."""
        with contextlib.suppress(Duplicate):
            self.root.add_scope("root", SCOPE_BIG)
        datasets = []
        for d in range(BIG_DATASETS):
            specs = [
                (SCOPE_BIG, f"sim.run{d:03d}.event_{i:05d}.evt", 64 + (i * 7 + d) % 193)
                for i in range(BIG_FILES_PER_DATASET)
            ]
            files = self.new_files(DISK, specs)
            datasets.append(
                self.collection(
                    "dataset",
                    SCOPE_BIG,
                    f"sim.run{d:03d}",
                    files,
                    close=True,
                    meta={"run_number": d, "datatype": "SIM"},
                )
            )
            if d % 10 == 9:
                log(f"  escape_big: {(d + 1) * BIG_FILES_PER_DATASET} files registered")
        top = self.collection("container", SCOPE_BIG, "sim.all_runs", datasets)
        self.record("big_container", top)
        self.record(
            "big_dataset",
            datasets[0],
            files=files if len(datasets) == 1 else (),
            files_count=BIG_FILES_PER_DATASET,
        )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--state-dir", required=True)
    parser.add_argument("--parts", default="base")
    parser.add_argument("--seed-hash", default="")
    args = parser.parse_args()
    parts = set(args.parts.split(","))

    with open(os.path.join(args.state_dir, "etc", "endpoints.json")) as fh:
        endpoints = json.load(fh)
    manifest_path = os.path.join(args.state_dir, "state", "seed.json")
    previous = {}
    if os.path.exists(manifest_path):
        with open(manifest_path) as fh:
            previous = json.load(fh)

    t0 = time.monotonic()
    s = Seeder(args.state_dir, endpoints)
    s.rules = []
    if "base" in parts:
        with s.timed("infrastructure (RSEs, protocols, accounts, limits, scopes)"):
            s.infrastructure()
        with s.timed("escape_cta: containers/datasets with metadata"):
            s.cta()
        with s.timed("escape_cta: 1,000-file dataset"):
            s.thousand_files()
        with s.timed("escape_opendata: large files (>200 MB)"):
            s.large_files()
        with s.timed("escape_opendata: sets on both RSEs, rules"):
            s.opendata()
        with s.timed("escape_lofar: names that need quoting"):
            s.quoting()
        with s.timed("user.jdoe: user scope on LOCAL_MOUNT"):
            s.user()
    else:
        s.sets = previous.get("datasets", {})
        s.timings = previous.get("timings", {})
        s.rules = previous.get("rules", [])
        s.total_dids = previous.get("totals", {}).get("dids", 0)
        s.total_files = previous.get("totals", {}).get("files", 0)
        s.total_bytes = previous.get("totals", {}).get("bytes", 0)
    big_scope = previous.get("big_scope")
    if "big" in parts:
        with s.timed("escape_big: 100,000 files in 100 datasets"):
            s.big()
        big_scope = SCOPE_BIG

    seconds = (
        time.monotonic()
        - t0
        + (previous.get("totals", {}).get("seconds", 0) if "base" not in parts else 0)
    )
    manifest = {
        "seed_hash": args.seed_hash,
        "rucio_version": s.root.ping().get("version"),
        "scopes": [SCOPE_CTA, SCOPE_LOFAR, SCOPE_OPEN, SCOPE_USER]
        + ([SCOPE_BIG] if big_scope else []),
        "big_scope": big_scope,
        "rses": {
            DISK: {
                "mount": endpoints["storage"][DISK],
                "https_prefix": f"{endpoints['https_url']}/escape_disk/",
            },
            LOCAL: {
                "mount": endpoints["storage"][LOCAL],
                "https_prefix": f"{endpoints['https_url']}/local_mount/",
            },
            **{
                rse: {
                    "mount": endpoints["storage"][rse],
                    "https_prefix": f"{endpoints['https_url']}/{area}/",
                    "writable": True,
                }
                for rse, area, _site in WRITE_RSES
            },
        },
        "upload": {
            "rse": USERDISK,
            "denied_rse": DATADISK,
            "jdoe_limit": JDOE_USERDISK_LIMIT,
        },
        "accounts": {
            "root": {"username": ROOT["username"], "password": ROOT["password"]},
            "jdoe": {"username": JDOE["username"], "password": JDOE["password"]},
        },
        "datasets": s.sets,
        "rules": s.rules,
        "timings": s.timings,
        "totals": {
            "dids": s.total_dids,
            "files": s.total_files,
            "bytes": s.total_bytes,
            "seconds": round(seconds, 1),
        },
    }
    tmp = manifest_path + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(manifest, fh, indent=2, sort_keys=True)
    os.replace(tmp, manifest_path)
    return 0


def text_block(rng: random.Random, n: int) -> bytes:
    """Deterministic CSV-like text of exactly n bytes."""
    lines, size = [], 0
    while size < n:
        line = (
            f"{rng.randrange(10**6)},{rng.random():.6f},"
            f"{rng.random() * 360:.4f},{rng.choice('ABCDEFGH')}\n"
        )
        lines.append(line)
        size += len(line)
    return "".join(lines).encode()[:n]


if __name__ == "__main__":
    sys.exit(main())
