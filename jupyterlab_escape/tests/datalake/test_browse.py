"""Search, browse, drill down and details through the proxy, against the real Rucio testbed."""

from __future__ import annotations

import asyncio
import contextlib
import json

import pytest

from ...datalake.client import RucioClient
from .helpers import get_error, get_json, ndjson


async def test_whoami_names_instance_and_account_without_secrets(jp_fetch, rucio_testbed):
    body = await get_json(jp_fetch, "whoami")
    assert body["account"]["account"] == "root"
    assert body["instance"]["url"] == rucio_testbed.base_url
    assert body["auth"]["auth_type"] == "userpass"
    assert body["auth"]["token_expires_at"].endswith("+00:00")
    assert rucio_testbed.root.password not in json.dumps(body)


async def test_scopes_lists_the_seeded_scopes(jp_fetch, rucio_testbed):
    scopes = (await get_json(jp_fetch, "scopes"))["scopes"]
    assert set(rucio_testbed.scopes) <= set(scopes)
    assert scopes == sorted(scopes)


async def test_plain_scope_browses_the_whole_scope_within_the_limit(jp_fetch):
    rows = await ndjson(jp_fetch, "search", q="escape_cta", type="all", limit="50")
    assert len(rows) == 50  # the scope holds more than a thousand DIDs
    assert {r["scope"] for r in rows} == {"escape_cta"}
    assert {"name", "type", "bytes", "length"} <= set(rows[0])


async def test_wildcard_search_by_type(jp_fetch, rucio_testbed):
    rows = await ndjson(jp_fetch, "search", q="escape_cta:cta.prod5.south.*.dl1", type="dataset")
    names = {r["name"] for r in rows}
    assert rucio_testbed.datasets["cta_dataset"]["name"] in names
    assert {r["type"] for r in rows} == {"dataset"}
    containers = await ndjson(jp_fetch, "search", q="escape_cta:cta.prod5*", type="container")
    assert {r["type"] for r in containers} == {"container"}
    assert "cta.prod5.south" in {r["name"] for r in containers}


async def test_exact_name_without_wildcard(jp_fetch, rucio_testbed):
    did = rucio_testbed.datasets["quoting_dataset"]
    rows = await ndjson(jp_fetch, "search", q=did["did"], type="all")
    assert [r["name"] for r in rows] == [did["name"]]


async def test_metadata_filters(jp_fetch, rucio_testbed):
    filters = json.dumps(
        [
            {"key": "project", "op": "=", "value": "cta_prod5"},
            {"key": "run_number", "op": "=", "value": "1"},
        ]
    )
    rows = await ndjson(jp_fetch, "search", q="escape_cta:*", type="dataset", filters=filters)
    names = {r["name"] for r in rows}
    assert rucio_testbed.datasets["cta_dataset"]["name"] in names
    assert all("run0001" in n for n in names), names
    nothing = await ndjson(
        jp_fetch,
        "search",
        q="escape_cta:*",
        type="dataset",
        filters=json.dumps([{"key": "project", "op": "=", "value": "no-such-project"}]),
    )
    assert nothing == []


async def test_listing_streams_progressively(jp_fetch, rucio_testbed, monkeypatch):
    """The first row is flushed on its own, before the rest of a 1,000-file listing.

    Rucio's listing is held after its first row until the browser side has received a chunk,
    so the test does not depend on timing: a server that waited for more rows before its first
    write would deliver nothing until the hold ends (then many rows in the first chunk)."""
    first_chunk = asyncio.Event()
    held = []
    content = RucioClient.content

    async def held_after_first_row(self, did):
        async for item in content(self, did):
            yield item
            if not held:
                held.append(did)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(first_chunk.wait(), 10)  # a bound, not a measure

    monkeypatch.setattr(RucioClient, "content", held_after_first_row)
    chunks: list[bytes] = []

    def received(chunk: bytes) -> None:
        chunks.append(chunk)
        first_chunk.set()

    await jp_fetch(
        "escape",
        "datalake",
        "content",
        params={"did": rucio_testbed.thousand_files_dataset, "limit": "2000"},
        streaming_callback=received,
    )
    assert held, "the listing went through Rucio's content call"
    lines = b"".join(chunks).decode().splitlines()
    assert len(lines) == 1000
    first = chunks[0].decode()
    assert first.count("\n") == 1, "the first row must not wait for the others"
    assert len(chunks) >= 2


async def test_drill_down_container_to_datasets_to_files(jp_fetch, rucio_testbed):
    container = rucio_testbed.datasets["cta_container"]["did"]
    children = await ndjson(jp_fetch, "content", did=container)
    assert children and {c["type"] for c in children} <= {"container", "dataset"}
    dataset = rucio_testbed.datasets["cta_dataset"]
    files = await ndjson(jp_fetch, "content", did=dataset["did"])
    assert len(files) == dataset["files"]
    assert all(f["type"] == "file" and len(f["adler32"]) == 8 for f in files)
    assert sum(f["bytes"] for f in files) == dataset["bytes"]


@pytest.mark.parametrize("role", ["path_like_container", "path_like_dataset", "quoting_dataset"])
async def test_names_that_need_quoting(jp_fetch, rucio_testbed, role):
    did = rucio_testbed.datasets[role]["did"]
    details = await get_json(jp_fetch, "details", did=did)
    assert details["did"] == did
    assert details["type"] in ("container", "dataset")


@pytest.mark.parametrize("role", ["double_slash_file", "slash_file", "long_name_file"])
async def test_file_names_with_slashes_and_length(jp_fetch, rucio_testbed, role):
    did = rucio_testbed.datasets[role]["did"]
    details = await get_json(jp_fetch, "details", did=did)
    assert details["did"] == did and details["type"] == "file"
    assert details["bytes"] == rucio_testbed.datasets[role]["bytes"]


async def test_file_details_checksums_and_replicas(jp_fetch, rucio_testbed):
    dataset = rucio_testbed.datasets["local_dataset"]
    first = (await ndjson(jp_fetch, "content", did=dataset["did"]))[0]
    details = await get_json(jp_fetch, "details", did=f"{first['scope']}:{first['name']}")
    assert details["type"] == "file"
    assert details["adler32"] == first["adler32"] and details["md5"] == first["md5"]
    replicas = {r["rse"]: r for r in details["replicas"]}
    assert set(replicas) == {"ESCAPE_DISK", "LOCAL_MOUNT"}
    assert replicas["ESCAPE_DISK"]["state"] == "AVAILABLE"
    assert "https" in replicas["ESCAPE_DISK"]["schemes"]


async def test_dataset_details_size_availability_rules_metadata(jp_fetch, rucio_testbed):
    dataset = rucio_testbed.datasets["cta_dataset"]
    details = await get_json(jp_fetch, "details", did=dataset["did"])
    assert details["type"] == "dataset"
    assert details["length"] == dataset["files"] and details["bytes"] == dataset["bytes"]
    (disk,) = details["availability"]
    assert disk["rse"] == "ESCAPE_DISK" and disk["state"] == "AVAILABLE"
    assert disk["available_length"] == dataset["files"]
    assert details["metadata"]["project"] == "cta_prod5"
    assert "md5" not in details["metadata"] and "created_at" not in details["metadata"]


async def test_partially_available_dataset(jp_fetch, rucio_testbed):
    dataset = rucio_testbed.datasets["partially_available_dataset"]
    details = await get_json(jp_fetch, "details", did=dataset["did"])
    states = {a["state"] for a in details["availability"]}
    assert "PARTIAL" in states or "UNAVAILABLE" in states, details["availability"]
    partial = [a for a in details["availability"] if a["state"] != "AVAILABLE"]
    assert partial[0]["available_length"] < partial[0]["length"]


async def test_rules_with_lock_counts(jp_fetch, rucio_testbed):
    container = rucio_testbed.datasets["local_dataset"]["did"]
    details = await get_json(jp_fetch, "details", did=container)
    assert details["rules"], "the seed puts rules on the local dataset"
    rule = details["rules"][0]
    assert rule["state"] in (
        "OK",
        "REPLICATING",
        "STUCK",
        "SUSPENDED",
        "WAITING_APPROVAL",
        "INJECT",
    )
    counts = rule["locks_ok_cnt"] + rule["locks_replicating_cnt"] + rule["locks_stuck_cnt"]
    assert counts > 0


async def test_empty_results_are_an_empty_stream(jp_fetch):
    assert await ndjson(jp_fetch, "search", q="escape_cta:no-such-name-*") == []


@pytest.mark.parametrize(
    "route, params, status, code",
    [
        ("details", {"did": "no-colon"}, 400, "rucio_bad_did"),
        ("details", {"did": "bad scope!:x"}, 400, "rucio_bad_did"),
        ("details", {"did": "escape_cta:wild*"}, 400, "rucio_bad_did"),
        ("details", {"did": "escape_cta:does.not.exist"}, 404, "rucio_did_not_found"),
        ("search", {"q": ""}, 400, "rucio_bad_did"),
        ("search", {"q": "escape_cta:*", "type": "folder"}, 400, "rucio_bad_did"),
        ("search", {"q": "escape_cta:*", "limit": "0"}, 400, "rucio_bad_did"),
        ("search", {"q": "escape_cta:*", "filters": "[{'key': 1}]"}, 400, "rucio_bad_did"),
        (
            "search",
            {"q": "escape_cta:*", "filters": '[{"key":"a b","op":"=","value":1}]'},
            400,
            "rucio_bad_did",
        ),
        (
            "search",
            {"q": "escape_cta:*", "filters": '[{"key":"x","op":"~","value":1}]'},
            400,
            "rucio_bad_did",
        ),
    ],
)
async def test_bad_input_gets_a_clear_error(jp_fetch, route, params, status, code):
    got_status, error = await get_error(jp_fetch, route, **params)
    assert (got_status, error["code"]) == (status, code)
    assert error["service"] == "rucio" and error["message"].endswith(".")


async def test_unknown_scope_is_a_404(jp_fetch):
    status, error = await get_error(jp_fetch, "search", q="no_such_scope:*")
    assert status == 404 and error["code"] == "rucio_scope_not_found", error


async def test_container_availability_adds_up_its_datasets(jp_fetch, rucio_testbed):
    """#21: a container said "No replica on any storage" while all its datasets were available:
    Rucio keeps replica summaries per dataset, so the container's are its datasets' summed."""
    container = rucio_testbed.datasets["cta_container"]["did"]
    details = await get_json(jp_fetch, "details", did=container)
    assert details["type"] == "container"
    assert details["availability"], "the container's datasets have replicas"
    # What the datasets themselves say, one level or more down, summed per RSE.
    expected: dict[str, int] = {}
    pending = [container]
    while pending:
        for child in await ndjson(jp_fetch, "content", did=pending.pop()):
            did = f"{child['scope']}:{child['name']}"
            if child["type"] == "container":
                pending.append(did)
            elif child["type"] == "dataset":
                for row in (await get_json(jp_fetch, "details", did=did))["availability"]:
                    expected[row["rse"]] = expected.get(row["rse"], 0) + row["available_length"]
    got = {row["rse"]: row["available_length"] for row in details["availability"]}
    assert got == expected
    assert sum(got.values()) > 0


async def test_meta_keys_suggest_what_a_filter_can_name(jp_fetch):
    """#21: the metadata filter suggests keys Rucio knows (its DID columns, its conventions)."""
    answer = await get_json(jp_fetch, "meta-keys")
    assert {"datatype", "project", "run_number"} <= set(answer["keys"])
    assert "guid" not in answer["keys"]
    assert answer["keys"] == sorted(answer["keys"])
    assert isinstance(answer["conventions"], bool)


async def test_details_say_when_a_did_was_created(jp_fetch, rucio_testbed):
    """#21: the table's "created" column comes from the details: Rucio's created_at, as ISO 8601
    UTC, for a file, a dataset and a container of the testbed."""
    from datetime import datetime, timedelta, timezone

    container = rucio_testbed.datasets["cta_container"]["did"]
    found: dict[str, str] = {}
    pending = [container]
    while pending and len(found) < 2:
        for child in await ndjson(jp_fetch, "content", did=pending.pop()):
            did = f"{child['scope']}:{child['name']}"
            if child["type"] == "container":
                pending.append(did)
            elif child["type"] == "dataset" and "dataset" not in found:
                found["dataset"] = did
                files = await ndjson(jp_fetch, "content", did=did)
                found["file"] = f"{files[0]['scope']}:{files[0]['name']}"
    dataset, file = found["dataset"], found["file"]
    now = datetime.now(timezone.utc)
    for did in (container, dataset, file):
        created = (await get_json(jp_fetch, "details", did=did))["created_at"]
        assert isinstance(created, str) and created.endswith("Z"), (did, created)
        when = datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        # Seeded by the testbed: in the past, and not before Rucio existed.
        assert datetime(2015, 1, 1, tzinfo=timezone.utc) < when <= now + timedelta(minutes=5)


def test_rucio_times_read_as_iso_utc():
    from jupyterlab_escape.datalake.details import rucio_time

    assert rucio_time("Thu, 26 Nov 2026 05:00:07 UTC") == "2026-11-26T05:00:07Z"
    assert rucio_time("2026-11-26T06:00:07+01:00") == "2026-11-26T05:00:07Z"
    assert rucio_time("2026-11-26T05:00:07") == "2026-11-26T05:00:07Z"
    for bad in (None, "", "yesterday", 1700000000, "<script>"):
        assert rucio_time(bad) is None
