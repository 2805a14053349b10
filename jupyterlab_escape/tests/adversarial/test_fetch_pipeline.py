"""Large files are read, hashed and written in parallel (``transfer.Pipeline``): the bytes and
checksums stay exact, and a storage that sends more than Rucio lists is still cut off at the
listed size, with no more than that on disk."""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading
import zlib

import pytest

from jupyterlab_escape.config import EscapeRucio
from jupyterlab_escape.datalake.checksums import ChecksumMismatch, adler_hex
from jupyterlab_escape.datalake.plan import FileItem
from jupyterlab_escape.datalake.transfer import PIPELINE_FROM, Storage, part_path

from .hostile_rucio import HostileFile, HostileRucio


@pytest.fixture
def hostile():
    server = HostileRucio().start()
    yield server
    server.stop()


def storage() -> Storage:
    config = EscapeRucio(url="http://127.0.0.1:1", allow_private_storage=True)
    return Storage(config, False)


def item(name: str, data: bytes) -> FileItem:
    return FileItem(
        scope="hostile",
        name=name,
        path=f"datalake/{name}",
        bytes=len(data),
        adler32=f"{zlib.adler32(data) & 0xFFFFFFFF:08x}",
        md5=hashlib.md5(data).hexdigest(),
    )


async def test_a_large_file_arrives_exact_through_the_pipeline(hostile, tmp_path):
    data = os.urandom(PIPELINE_FROM + 3 * 1024 * 1024 + 17)  # several buffers and a remainder
    hostile.files = [HostileFile("big.bin", data)]
    f = item("big.bin", data)
    temp = part_path(tmp_path / "big.bin")
    store = storage()
    try:
        url = hostile.pfn(hostile.files[0])
        sums, size = await asyncio.to_thread(store.download, f, url, temp, threading.Event())
    finally:
        store.close()
    sums.check(f, size)  # raises on any difference
    assert size == len(data) and temp.read_bytes() == data
    assert adler_hex(sums) == f.adler32 and sums.md5.hexdigest() == f.md5
    assert f.received == len(data) and f.done == len(data)


async def test_an_endless_large_body_stops_at_the_listed_size(hostile, tmp_path):
    listed = os.urandom(PIPELINE_FROM + 1024)
    hostile.files = [HostileFile("endless.bin", listed, pfn_path="/storage/endless")]
    hostile.storage["/storage/endless"] = (200, {}, None)  # never stops sending
    f = item("endless.bin", listed)
    temp = part_path(tmp_path / "endless.bin")
    store = storage()
    try:
        url = hostile.pfn(hostile.files[0])
        with pytest.raises(ChecksumMismatch, match=f"more than the {len(listed)} bytes"):
            await asyncio.to_thread(store.download, f, url, temp, threading.Event())
    finally:
        store.close()
    assert temp.stat().st_size <= len(listed)  # nothing past the listed size reached the disk
    assert f.received <= len(listed)


async def test_a_stop_during_a_large_file_leaves_a_resumable_part(hostile, tmp_path):
    data = os.urandom(PIPELINE_FROM * 2)
    hostile.files = [HostileFile("stop.bin", data)]
    f = item("stop.bin", data)
    temp = part_path(tmp_path / "stop.bin")
    stop = threading.Event()
    stop.set()
    store = storage()
    try:
        with pytest.raises(Exception, match="stopped"):
            await asyncio.to_thread(store.download, f, hostile.pfn(hostile.files[0]), temp, stop)
    finally:
        store.close()
    assert temp.exists() and data.startswith(temp.read_bytes())
