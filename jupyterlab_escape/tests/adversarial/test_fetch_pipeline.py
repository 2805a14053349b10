"""Large files are read, hashed and written in parallel (``transfer.Pipeline``): the bytes and
checksums stay exact, and a storage that sends more than Rucio lists is still cut off at the
listed size, with no more than that on disk. Storage answers are parsed by ``_StorageResponse``
(http.client without its e-mail header parser): framed exactly as http.client frames them, and
hostile heads refused the same way."""

from __future__ import annotations

import asyncio
import hashlib
import http.client
import io
import os
import threading
import zlib

import pytest

from jupyterlab_escape.config import EscapeRucio
from jupyterlab_escape.datalake.checksums import ChecksumMismatch, adler_hex
from jupyterlab_escape.datalake.plan import FileItem
from jupyterlab_escape.datalake.transfer import (
    PIPELINE_FROM,
    Storage,
    _StorageResponse,
    part_path,
)

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


class _Socket:
    """What ``HTTPResponse`` reads from: a socket whose bytes are ``data``."""

    def __init__(self, data: bytes):
        self.data = data

    def makefile(self, mode: str):
        return io.BufferedReader(io.BytesIO(self.data))


STORAGE_ANSWERS = [
    b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\nx-a: 2\r\n\r\nhello",
    b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 206 Partial\r\ncontent-length:  3 \r\n"
    b"Connection: close\r\n\r\nabc",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 99\r\n\r\n"
    b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
    b"HTTP/1.0 200 OK\r\nKeep-Alive: timeout=5\r\nContent-Length: 2\r\n\r\nhi",
    b"HTTP/1.0 200 OK\r\n\r\nuntil the connection closes",
    b"HTTP/1.1 302 Found\r\nLocation: https://elsewhere.example/x\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: -4\r\n\r\nxx",
    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 9\r\n\r\nok",
    b"HTTP/1.1 200 OK\r\nno colon here\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 200 OK\r\nBad Name: x\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 200 OK\r\nX-A: 1\r\n\tfolded\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 204 No Content\r\n\r\n",
]


@pytest.mark.parametrize("raw", STORAGE_ANSWERS)
def test_storage_answers_are_framed_like_http_client_does(raw):
    """The storage response class parses headers without the e-mail parser: status, framing
    (length, chunked, keep-alive), the headers we read and the body stay what http.client
    makes of the same bytes."""

    def read(response):
        response.begin()
        return (
            response.status,
            response.version,
            response.chunked,
            response.length,
            response.will_close,
            response.headers.get("Location"),
            " ".join((response.headers.get("x-a") or "").split()),  # a folded line joined
            response.read(),
        )

    ours = read(_StorageResponse(_Socket(raw)))
    assert ours == read(http.client.HTTPResponse(_Socket(raw)))
    assert ours[-1] or raw.startswith((b"HTTP/1.1 302", b"HTTP/1.1 204"))


@pytest.mark.parametrize(
    "raw, error",
    [
        (b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * 101 + b"\r\n", http.client.HTTPException),
        (b"HTTP/1.1 200 OK\r\nX: " + b"y" * 70000 + b"\r\n\r\n", http.client.LineTooLong),
        (b"SMTP ready\r\n\r\n", http.client.BadStatusLine),
    ],
)
def test_a_hostile_storage_head_is_refused_like_http_client_does(raw, error):
    """A storage cannot make us buffer endless headers or accept a non-HTTP answer."""
    with pytest.raises(error):
        _StorageResponse(_Socket(raw)).begin()
    with pytest.raises(error):
        http.client.HTTPResponse(_Socket(raw)).begin()
