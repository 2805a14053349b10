"""The upload PUT (#15): adler32 and md5 of exactly the bytes sent, whether a hashing thread
fed by the read loop computes them beside the TLS send (the default) or the sender computes
them inline; a failing hashing thread never hangs the sender. Against the testbed's write RSE."""

from __future__ import annotations

import hashlib
import os
import ssl
import threading
import uuid
import zlib

import pytest

from jupyterlab_escape.config import EscapeRucio
from jupyterlab_escape.datalake import webdav
from jupyterlab_escape.datalake.checksums import adler_hex
from jupyterlab_escape.datalake.transfer import Transient
from jupyterlab_escape.datalake.webdav import Hasher, Stopped, WriteStorage


def expected(data: bytes) -> tuple[str, str]:
    return f"{zlib.adler32(data):08x}", hashlib.md5(data).hexdigest()


@pytest.mark.parametrize("threaded", [True, False])
def test_hasher_sums_every_chunk_in_order(threaded):
    data = os.urandom(3 * 1024 * 1024 + 17)
    hasher = Hasher(threaded)
    for at in range(0, len(data), 65536):
        hasher.feed(data[at : at + 65536])
    sums = hasher.result()
    assert (adler_hex(sums), sums.md5.hexdigest()) == expected(data)
    hasher.abandon()  # a second finish is harmless


def test_a_failing_hashing_thread_is_said_and_never_blocks(monkeypatch):
    hasher = Hasher(True)

    def broken(_data):
        raise MemoryError("no room")

    monkeypatch.setattr(hasher.sums, "update", broken)
    for _ in range(webdav.HASH_DEPTH * 3):  # more than the queue holds: must not block
        hasher.feed(b"x" * 4096)
    with pytest.raises(Transient, match="checksum thread"):
        hasher.result()
    assert hasher.failed


@pytest.fixture
def storage(rucio_testbed):
    tb = rucio_testbed
    config = EscapeRucio(url=tb.base_url, ca_bundle=str(tb.ca_cert), allow_private_storage=True)
    store = WriteStorage(config, ssl.create_default_context(cafile=str(tb.ca_cert)), 4)
    yield store
    store.close()


@pytest.mark.parametrize("hashing", ["thread", "inline"])
def test_put_sums_are_those_of_the_stored_bytes(rucio_testbed, storage, tmp_path, hashing):
    tb = rucio_testbed
    data = os.urandom(9 * 1024 * 1024 + 5)  # more than two chunks and a tail
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    url = f"{tb.upload_rse.https_prefix}webdav-test/{uuid.uuid4().hex}.bin"
    storage.hashing = hashing
    seen: list[int] = []
    sums = storage.put(url, path, len(data), seen.append, threading.Event())
    assert (adler_hex(sums), sums.md5.hexdigest()) == expected(data)
    assert sum(seen) == len(data)
    assert tb.upload_rse.local_path(url).read_bytes() == data
    back, size = storage.read_back(url, threading.Event())
    assert size == len(data) and (adler_hex(back), back.md5.hexdigest()) == expected(data)
    assert storage.delete(url)


def test_put_of_a_file_that_grew_stops_and_stores_nothing(rucio_testbed, storage, tmp_path):
    tb = rucio_testbed
    data = os.urandom(5 * 1024 * 1024)
    path = tmp_path / "g.bin"
    path.write_bytes(data)
    url = f"{tb.upload_rse.https_prefix}webdav-test/{uuid.uuid4().hex}.bin"
    with pytest.raises(Stopped):
        storage.put(url, path, len(data) - 1000, lambda n: None, threading.Event())
    assert storage.size(url) is None
