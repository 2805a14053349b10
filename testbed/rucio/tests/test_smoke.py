"""Proof that the testbed is a genuine Rucio: the real CLI, the real REST API, real bytes.

Runs under a plain pytest of any Python >= 3.9 (standard library only); the Rucio CLI of the
testbed venv is run as a subprocess.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import os
import re
import ssl
import threading
import time
import urllib.error
import urllib.request
import zlib
from pathlib import Path
from urllib.parse import quote_plus, urlencode

import pytest

# ----------------------------------------------------------------------------- helpers


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def rest(tb, method, path, token, body=None, accept="application/json"):
    """One REST call without following redirects: (status, headers, body bytes)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        tb.base_url + path,
        data=data,
        method=method,
        headers={
            "X-Rucio-Auth-Token": token,
            "Accept": accept,
            "X-Rucio-VO": tb.vo,
            **({"Content-Type": "application/json"} if data else {}),
        },
    )
    try:
        with _OPENER.open(req, timeout=60) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def ndjson(raw: bytes) -> list:
    return [json.loads(line) for line in raw.decode().splitlines() if line.strip()]


def did_path(scope: str, name: str) -> str:
    return f"{quote_plus(scope)}/{quote_plus(name)}"


def checksums(path: Path) -> tuple:
    adler, md5 = 1, hashlib.md5()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            adler = zlib.adler32(block, adler)
            md5.update(block)
    return f"{adler & 0xFFFFFFFF:08x}", md5.hexdigest()


@pytest.fixture(scope="module")
def token(rucio_testbed):
    return rucio_testbed.token("root")[0]


def seconds_until(expires_header: str) -> float:
    """Seconds from now to an X-Rucio-Auth-Token-Expires value ('Mon, 23 Nov 2026 ... UTC')."""
    expires = email.utils.parsedate_to_datetime(expires_header.replace("UTC", "GMT"))
    return expires.timestamp() - time.time()


def nginx_gets(tb) -> list:
    log = tb.state_dir / "logs" / "nginx-access.log"
    return (
        [line for line in log.read_text().splitlines() if '"GET ' in line] if log.exists() else []
    )


# ----------------------------------------------------------------------------- CLI


def test_cli_whoami_root_and_jdoe(rucio_testbed):
    for account in ("root", "jdoe"):
        out = rucio_testbed.rucio("whoami", account=account).stdout
        fields = dict(re.findall(r"^(\w+)\s*:\s*(\S+)", out, re.MULTILINE))
        assert fields["account"] == account
        assert fields["status"] == "ACTIVE"
    assert rucio_testbed.rucio_version.startswith("41.")


def test_cli_did_list(rucio_testbed):
    out = rucio_testbed.rucio("did", "list", "--short", "escape_cta:*").stdout.split()
    sets = rucio_testbed.datasets
    assert sets["cta_container"]["did"] in out
    assert sets["thousand_files"]["did"] in out
    assert sets["empty_dataset"]["did"] in out
    # files are listed only when asked for
    assert not any(line.endswith(".part00.dl1.h5") for line in out)
    files = rucio_testbed.rucio(
        "did", "list", "--short", "--filter", "type=file", "escape_cta:lst1_calib_run04321.00*"
    ).stdout.split()
    assert len(files) == 100 and all(
        f.startswith("escape_cta:lst1_calib_run04321.00") for f in files
    )
    # DID-column metadata is searchable
    dl1 = rucio_testbed.rucio(
        "did", "list", "--short", "--filter", "datatype=DL1,run_number=2", "escape_cta:*"
    ).stdout.split()
    assert dl1 == ["escape_cta:cta.prod5.south.gamma.run0002.dl1"]


def test_cli_replica_list_pfns_point_at_real_files(rucio_testbed):
    local = rucio_testbed.datasets["local_dataset"]
    out = rucio_testbed.rucio("replica", "list", "file", "--pfns", local["did"]).stdout.split()
    assert len(out) == 2 * local["files"]  # one https PFN per RSE per file
    disk, mount = rucio_testbed.remote_rse, rucio_testbed.local_rse
    on_disk = [p for p in out if p.startswith(disk.https_prefix)]
    on_mount = [p for p in out if p.startswith(mount.https_prefix)]
    assert len(on_disk) == len(on_mount) == local["files"]
    sizes = {}
    for pfn in on_disk + on_mount:
        rse = disk if pfn in on_disk else mount
        path = rse.local_path(pfn)
        assert path.is_file(), pfn
        sizes.setdefault(path.name, set()).add(path.stat().st_size)
    assert sum(s.pop() for s in sizes.values()) == local["bytes"]


def test_cli_download_dataset_over_https_validates_checksums(rucio_testbed, token, tmp_path):
    ds = rucio_testbed.datasets["cta_dataset"]
    before = len(nginx_gets(rucio_testbed))
    proc = rucio_testbed.rucio("download", "--dir", str(tmp_path), ds["did"])
    assert re.search(rf"Downloaded files:\s+{ds['files']}\b", proc.stdout + proc.stderr)
    status, _, raw = rest(
        rucio_testbed,
        "GET",
        f"/dids/{did_path(ds['scope'], ds['name'])}/dids",
        token,
        accept="application/x-json-stream",
    )
    assert status == 200
    catalogue = {f["name"]: f for f in ndjson(raw)}
    assert len(catalogue) == ds["files"]
    downloaded = {p.name: p for p in tmp_path.rglob("*") if p.is_file()}
    assert set(downloaded) == set(catalogue)
    for name, meta in catalogue.items():
        adler, md5 = checksums(downloaded[name])
        assert (downloaded[name].stat().st_size, adler, md5) == (
            meta["bytes"],
            meta["adler32"],
            meta["md5"],
        )
    # every file came from nginx over HTTPS (the https protocol has read priority 1)
    gets = nginx_gets(rucio_testbed)[before:]
    fetched = {
        line.split('"GET ')[1].split()[0].rsplit("/", 1)[-1] for line in gets if " 200 " in line
    }
    assert set(catalogue) <= fetched


def test_cli_download_rejects_corrupted_replica(rucio_testbed_clean, tmp_path):
    tb = rucio_testbed_clean
    ds = tb.datasets["remote_dataset"]
    pfns = tb.rucio(
        "replica", "list", "file", "--pfns", "--rses", tb.remote_rse.name, ds["did"]
    ).stdout.split()
    victim = tb.remote_rse.local_path(min(pfns))
    size = victim.stat().st_size
    # same size, other bytes, new inode (the pristine hard link stays intact for reset)
    tmp = victim.with_name(victim.name + ".corrupt")
    tmp.write_bytes(b"\0" * size)
    os.replace(tmp, victim)
    did = f"{ds['scope']}:{victim.name}"
    proc = tb.rucio("download", "--dir", str(tmp_path), did, check=False)
    output = proc.stdout + proc.stderr
    # NB: rucio 41 exits 0 even here; only its log says the download failed
    assert "Checksum validation failed for file: " + did in output, output[-2000:]
    assert "None of the requested files have been downloaded" in output
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


# ----------------------------------------------------------------------------- raw REST


def test_rest_whoami_redirects_with_303(rucio_testbed, token):
    status, headers, _ = rest(rucio_testbed, "GET", "/accounts/whoami", token)
    assert status == 303
    location = headers["Location"]
    assert location.rstrip("/").rsplit("/", 1)[-1] == "root"
    status, _, raw = rest(rucio_testbed, "GET", "/accounts/root", token)
    assert status == 200 and json.loads(raw)["account"] == "root"


def test_rest_did_search_streams_ndjson(rucio_testbed, token):
    query = urlencode({"type": "dataset", "long": "true", "limit": 500, "name": "*"})
    status, headers, raw = rest(
        rucio_testbed,
        "GET",
        f"/dids/escape_cta/dids/search?{query}",
        token,
        accept="application/x-json-stream",
    )
    assert status == 200
    assert headers["Content-Type"].startswith("application/x-json-stream")
    rows = ndjson(raw)
    assert all(set(r) >= {"scope", "name", "did_type", "bytes", "length"} for r in rows)
    by_name = {r["name"]: r for r in rows}
    thousand = rucio_testbed.datasets["thousand_files"]
    assert by_name[thousand["name"]]["length"] == 1000
    assert by_name[thousand["name"]]["bytes"] == thousand["bytes"]
    assert {r["did_type"] for r in rows} == {"DATASET"}
    # limit is applied by the server
    status, _, raw = rest(
        rucio_testbed,
        "GET",
        "/dids/escape_cta/dids/search?"
        + urlencode({"type": "file", "long": "false", "limit": 7, "name": "lst1_calib_*"}),
        token,
        accept="application/x-json-stream",
    )
    names = ndjson(raw)
    assert status == 200 and len(names) == 7 and all(isinstance(n, str) for n in names)
    # no token -> 4xx with Rucio's error envelope
    status, headers, _ = rest(rucio_testbed, "GET", "/dids/escape_cta/dids/search?type=all", "")
    assert status in (400, 401) and "ExceptionClass" in headers


def test_rest_names_needing_quoting(rucio_testbed, token):
    for key in (
        "path_like_dataset",
        "path_like_container",
        "slash_file",
        "double_slash_file",
        "long_name_file",
        "quoting_dataset",
    ):
        entry = rucio_testbed.datasets[key]
        status, _, raw = rest(
            rucio_testbed, "GET", f"/dids/{did_path(entry['scope'], entry['name'])}", token
        )
        assert status == 200, (key, raw)
        assert json.loads(raw)["name"] == entry["name"]
    assert rucio_testbed.datasets["slash_file"]["name"].startswith("/")
    assert "//" in rucio_testbed.datasets["double_slash_file"]["name"]
    assert len(rucio_testbed.datasets["long_name_file"]["name"]) > 150


def test_rest_replicas_and_rules(rucio_testbed, token):
    status, _, raw = rest(
        rucio_testbed,
        "POST",
        "/replicas/list",
        token,
        accept="application/x-json-stream",
        body={
            "dids": [{"scope": "escape_lofar", "name": "L645679_SAP001"}],
            "all_states": True,
            "schemes": ["https"],
        },
    )
    assert status == 200
    states = {r["name"]: r["states"]["ESCAPE_DISK"] for r in ndjson(raw)}
    partial = rucio_testbed.datasets["partially_available_dataset"]
    assert len(states) == partial["files"]
    assert {states[n] for n in partial["unavailable"]} == {"UNAVAILABLE"}
    assert sorted(set(states.values())) == ["AVAILABLE", "UNAVAILABLE"]
    assert len(rucio_testbed.rules) >= 3
    for rule_id in rucio_testbed.rules:
        status, _, raw = rest(rucio_testbed, "GET", f"/rules/{rule_id}", token)
        assert status == 200 and json.loads(raw)["state"] == "OK"


def test_rest_jdoe_can_create_rule_on_local_mount(rucio_testbed_clean):
    tb = rucio_testbed_clean
    jdoe_token = tb.token("jdoe")[0]
    ds = tb.datasets["remote_dataset"]
    status, _, raw = rest(
        tb,
        "POST",
        "/rules/",
        jdoe_token,
        body={
            "dids": [{"scope": ds["scope"], "name": ds["name"]}],
            "account": None,
            "copies": 1,
            "rse_expression": tb.local_rse.name,
            "grouping": "DATASET",
        },
    )
    assert status == 201, raw
    (rule_id,) = json.loads(raw)
    status, _, raw = rest(tb, "GET", f"/rules/{rule_id}", jdoe_token)
    rule = json.loads(raw)
    # no transfer daemons in the testbed: the rule waits for a copy that never comes
    assert (rule["account"], rule["state"], rule["locks_replicating_cnt"]) == (
        "jdoe",
        "REPLICATING",
        ds["files"],
    )
    status, _, raw = rest(
        tb,
        "GET",
        f"/accounts/jdoe/usage/local/{tb.local_rse.name}",
        jdoe_token,
        accept="application/x-json-stream",
    )
    assert status == 200 and ndjson(raw)[0]["bytes_limit"] == 20 * 10**9


def test_thousand_file_dataset_checksums_match_bytes(rucio_testbed, token):
    ds = rucio_testbed.datasets["thousand_files"]
    status, _, raw = rest(
        rucio_testbed,
        "GET",
        f"/dids/{did_path(ds['scope'], ds['name'])}/files",
        token,
        accept="application/x-json-stream",
    )
    files = ndjson(raw)
    assert status == 200 and len(files) == 1000
    assert sum(f["bytes"] for f in files) == ds["bytes"]
    status, _, raw = rest(
        rucio_testbed,
        "POST",
        "/replicas/list",
        token,
        accept="application/x-json-stream",
        body={"dids": [{"scope": ds["scope"], "name": ds["name"]}], "schemes": ["file"]},
    )
    replicas = {r["name"]: r for r in ndjson(raw)}
    assert len(replicas) == 1000
    for f in files[::97]:
        (pfn,) = replicas[f["name"]]["pfns"]
        path = rucio_testbed.remote_rse.local_path(pfn)
        assert checksums(path)[0] == f["adler32"] == replicas[f["name"]]["adler32"]


# ----------------------------------------------------------------------------- storage


def test_https_storage_serves_ranges_with_a_valid_certificate(rucio_testbed):
    large = rucio_testbed.large_files[0]
    pfns = rucio_testbed.rucio("replica", "list", "file", "--pfns", large).stdout.split()
    (pfn,) = pfns
    path = rucio_testbed.remote_rse.local_path(pfn)
    assert path.stat().st_size > 200 * 10**6
    ctx = ssl.create_default_context(cafile=str(rucio_testbed.ca_cert))  # SAN localhost: verifies
    req = urllib.request.Request(pfn, headers={"Range": "bytes=1000000-1000999"})
    with urllib.request.urlopen(req, context=ctx, timeout=30) as resp:
        assert resp.status == 206
        assert resp.headers["Content-Range"] == f"bytes 1000000-1000999/{path.stat().st_size}"
        body = resp.read()
    with open(path, "rb") as fh:
        fh.seek(1000000)
        assert body == fh.read(1000)
    ip_url = pfn.replace("https://localhost:", "https://127.0.0.1:")
    head = urllib.request.Request(ip_url.rsplit("/", 4)[0] + "/", method="HEAD")
    with urllib.request.urlopen(head, context=ctx, timeout=30) as resp:
        assert resp.status == 200  # the prefix answers HEAD (webdav connect()); SAN has the IP


# ----------------------------------------------------------------------------- tokens and reset


def test_short_lived_tokens_really_expire(rucio_testbed):
    tb = rucio_testbed
    with tb.short_token_lifetime(3):
        tok, expires = tb.token("jdoe", short=True)
    left = seconds_until(expires)
    assert -1 <= left <= 4
    status, _, _ = rest(tb, "GET", "/accounts/jdoe", tok)  # valid on the main server too (same DB)
    assert status == 200
    time.sleep(max(left, 0) + 2)
    status, headers, _ = rest(tb, "GET", "/accounts/jdoe", tok)
    assert status == 401 and headers["ExceptionClass"] == "CannotAuthenticate"
    # the default lifetime of the main server stays one hour
    _, expires = tb.token("jdoe")
    assert 3500 < seconds_until(expires) <= 3600
    # the CLI re-authenticates by itself through the short-token server
    out = tb.rucio("whoami", account="jdoe").stdout
    assert re.search(r"^account\s*:\s*jdoe", out, re.MULTILINE)


def test_reset_restores_catalogue_and_storage(rucio_testbed, token, tmp_path):
    tb = rucio_testbed
    payload = tmp_path / "scratch_upload.txt"
    payload.write_text("written by test_reset\n")
    tb.rucio("upload", "--rse", tb.remote_rse.name, "--scope", "user.jdoe", str(payload))
    status, _, _ = rest(tb, "GET", "/dids/user.jdoe/scratch_upload.txt", token)
    assert status == 200
    uploaded = list(tb.remote_rse.mount_path.rglob("scratch_upload.txt"))
    assert len(uploaded) == 1
    cta = tb.datasets["cta_dataset"]
    meta_url = f"/dids/{did_path(cta['scope'], cta['name'])}/meta"
    status, _, raw = rest(
        tb, "POST", f"{meta_url}/version", token, body={"value": "changed-by-test"}
    )
    assert status == 201, raw
    assert json.loads(rest(tb, "GET", meta_url, token)[2])["version"] == "changed-by-test"
    tb.reset()
    token = tb.token("root")[0]
    status, _, _ = rest(tb, "GET", "/dids/user.jdoe/scratch_upload.txt", token)
    assert status == 404
    assert not uploaded[0].exists()
    assert json.loads(rest(tb, "GET", meta_url, token)[2])["version"] == "v1.2.0"
    # the seeded bytes are all back in place
    for entry in ("cta_dataset", "local_dataset"):
        ds = tb.datasets[entry]
        out = tb.rucio("replica", "list", "file", "--pfns", ds["did"]).stdout.split()
        assert out and all(
            tb.rses[r].local_path(p).is_file()
            for p in out
            for r in tb.rses
            if p.startswith(tb.rses[r].https_prefix)
        )


# ----------------------------------------------------------------------------- big scope


def test_big_scope_when_seeded(rucio_testbed, token):
    if not rucio_testbed.big_scope:
        pytest.skip("big scope not seeded (ESCAPE_TESTBED_BIG=1)")
    scope, name = rucio_testbed.big_container.split(":", 1)
    status, _, raw = rest(
        rucio_testbed,
        "GET",
        f"/dids/{did_path(scope, name)}/dids",
        token,
        accept="application/x-json-stream",
    )
    children = ndjson(raw)
    assert status == 200 and len(children) == 100 and {c["type"] for c in children} == {"DATASET"}
    status, _, raw = rest(
        rucio_testbed,
        "GET",
        f"/dids/{scope}/dids/search?"
        + urlencode({"type": "file", "long": "true", "limit": 250, "name": "sim.run099.*"}),
        token,
        accept="application/x-json-stream",
    )
    rows = ndjson(raw)
    assert (
        status == 200
        and len(rows) == 250
        and all(r["name"].startswith("sim.run099.") for r in rows)
    )
    dscope, dname = rucio_testbed.big_dataset.split(":", 1)
    status, _, raw = rest(rucio_testbed, "GET", f"/dids/{did_path(dscope, dname)}", token)
    assert json.loads(raw)["length"] == 1000


# ----------------------------------------------------------------------------- concurrency


def test_concurrent_writes_and_reads_do_not_fail(rucio_testbed_clean):
    """SQLite behind threaded servers: overlapping writes queue instead of answering 500."""
    tb = rucio_testbed_clean
    scope = "user.jdoe"
    failures = []

    def writer(worker: int) -> None:
        tok = tb.token("root", short=worker % 2 == 1)[0]  # both servers write the same DB
        for i in range(4):
            name = f"user.jdoe.concurrency.w{worker}.d{i}"
            status, _, raw = rest(
                tb, "POST", f"/dids/{scope}/{name}", tok, body={"type": "DATASET"}
            )
            if status != 201:
                failures.append((name, status, raw[:200]))
            files = [
                {"scope": scope, "name": f"{name}.f{j}", "bytes": 1, "adler32": "00000001"}
                for j in range(50)
            ]
            status, _, raw = rest(
                tb, "POST", "/replicas", tok, body={"rse": tb.local_rse.name, "files": files}
            )
            if status != 201:
                failures.append((name, status, raw[:200]))
            dids = [{"scope": scope, "name": f["name"]} for f in files]
            status, _, raw = rest(
                tb, "POST", f"/dids/{scope}/{name}/dids", tok, body={"dids": dids}
            )
            if status != 201:
                failures.append((name, status, raw[:200]))

    def reader(worker: int) -> None:
        for _ in range(6):
            tok = tb.token("jdoe")[0]
            status, _, raw = rest(tb, "GET", "/accounts/whoami", tok)
            if status != 303:
                failures.append(("whoami", status, raw[:200]))

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    threads += [threading.Thread(target=reader, args=(r,)) for r in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not failures, failures[:5]
