"""The one checksum module of the Data Lake slice (fetch and upload both use it)."""

from __future__ import annotations

import hashlib
import threading
import zlib
from dataclasses import dataclass

import pytest

from jupyterlab_escape.datalake.checksums import (
    ChecksumMismatch,
    Checksums,
    HashStopped,
    adler_equal,
    adler_hex,
    adler_text,
    hash_file,
)


@dataclass
class Item:
    bytes: int
    adler32: str | None
    md5: str | None
    unchecked: bool = False


def test_known_values_and_chunking_agree():
    data = bytes(range(256)) * 5000
    one = Checksums()
    one.update(data)
    many = Checksums()
    for at in range(0, len(data), 777):
        many.update(data[at : at + 777])
    assert adler_hex(one) == adler_hex(many) == f"{zlib.adler32(data):08x}"
    assert one.md5.hexdigest() == many.md5.hexdigest() == hashlib.md5(data).hexdigest()
    assert adler_hex(Checksums()) == "00000001"  # the empty file, as Rucio stores it
    assert adler_text(0xAB) == "000000ab"


def test_adler_equal_ignores_leading_zeros_and_case_only():
    assert adler_equal("000000AB", "ab")
    assert not adler_equal("000000ab", "000000ac")
    assert not adler_equal(None, "ab") and not adler_equal("", "")


def test_hash_file_limit_and_stop(tmp_path):
    path = tmp_path / "f.bin"
    data = b"0123456789" * 100_000
    path.write_bytes(data)
    sums, size = hash_file(path, chunk=4096)
    assert size == len(data) and sums.md5.hexdigest() == hashlib.md5(data).hexdigest()
    sums, size = hash_file(path, limit=12345, chunk=4096)
    assert size == 12345 and adler_hex(sums) == f"{zlib.adler32(data[:12345]):08x}"
    stop = threading.Event()
    stop.set()
    with pytest.raises(HashStopped):
        hash_file(path, stop=stop)


def test_check_against_what_rucio_lists():
    data = b"escape"
    sums = Checksums()
    sums.update(data)
    good = Item(len(data), f"{zlib.adler32(data):x}", hashlib.md5(data).hexdigest())
    sums.check(good, len(data))
    assert good.unchecked is False
    bare = Item(len(data), None, None)
    sums.check(bare, len(data))
    assert bare.unchecked is True
    with pytest.raises(ChecksumMismatch, match="bytes"):
        sums.check(good, len(data) + 1)
    with pytest.raises(ChecksumMismatch, match="adler32"):
        sums.check(Item(len(data), "deadbeef", None), len(data))
    with pytest.raises(ChecksumMismatch, match="md5"):
        sums.check(Item(len(data), None, "0" * 32), len(data))
