"""A replica's scheme decides how its storage is spoken to: ``davs://`` is WebDAV over HTTPS and
must never go out as plain HTTP; a scheme we do not read is refused before anything is sent.

Rucio lists ``davs://`` PFNs for WebDAV storages (the testbed lists ``https://``); a plain-HTTP
request would carry the read in clear text, and to a TLS port it fails as "plain HTTP request
sent to HTTPS port"."""

from __future__ import annotations

import os
import ssl
import threading
import uuid

import pytest

from jupyterlab_escape.config import EscapeRucio
from jupyterlab_escape.datalake.transfer import Storage, StorageRefused
from jupyterlab_escape.datalake.webdav import WriteStorage


@pytest.fixture
def stored(rucio_testbed, tmp_path):
    """A file on the testbed's write RSE, and a reading Storage that trusts the testbed's CA."""
    tb = rucio_testbed
    config = EscapeRucio(url=tb.base_url, ca_bundle=str(tb.ca_cert), allow_private_storage=True)
    context = ssl.create_default_context(cafile=str(tb.ca_cert))
    data = os.urandom(70_000)
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    url = f"{tb.upload_rse.https_prefix}scheme-test/{uuid.uuid4().hex}.bin"
    writer = WriteStorage(config, context, 1)
    writer.put(url, path, len(data), lambda _n: None, threading.Event())
    reader = Storage(config, context)
    yield url, data, reader
    reader.close()
    writer.delete(url)
    writer.close()


def read_all(response) -> bytes:
    try:
        return b"".join(response.stream(65536, decode_content=False))
    finally:
        response.release_conn()


def test_a_davs_replica_is_read_over_tls(stored):
    url, data, reader = stored
    assert url.startswith("https://")
    response = reader.open("davs://" + url.removeprefix("https://"), {})
    assert response.status == 200
    assert read_all(response) == data


def test_an_https_replica_still_reads(stored):
    url, data, reader = stored
    response = reader.open(url, {})
    assert response.status == 200
    assert read_all(response) == data


@pytest.mark.parametrize("scheme", ["ftp", "gsiftp", "root", "file", "dav+https", ""])
def test_a_scheme_we_do_not_read_is_refused_before_anything_is_sent(stored, scheme):
    url, _data, reader = stored
    other = (f"{scheme}://" if scheme else "//") + url.removeprefix("https://")
    with pytest.raises(StorageRefused, match="scheme"):
        reader.open(other, {})
