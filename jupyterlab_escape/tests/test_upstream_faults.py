"""Upstream faults, slice by slice: a 502, a connection reset, an answer cut in the middle and an
answer that never comes. Each ends in the error envelope with words (through ``jp_fetch``, so the
OpenAPI plugin checks the envelope too), and a job that was writing files leaves no file under a
final name and no temporary file behind.

The faults come from ``FaultServer``: a plain TCP server in a thread that reads one request and
then misbehaves as told (it speaks no protocol of any service, so it stands for all three).
"""

from __future__ import annotations

import hashlib
import json
import socket
import socketserver
import struct
import threading
import time
from pathlib import Path

import pytest
from tornado.httpclient import HTTPClientError

from jupyterlab_escape.catalogue.client import ZenodoClient
from jupyterlab_escape.catalogue.fetch import CatalogueFetchRunner
from jupyterlab_escape.config import EscapeZenodo
from jupyterlab_escape.http import ServiceHTTP
from jupyterlab_escape.jobs import JobStore
from jupyterlab_escape.workspace import Workspace

from .doubles import free_port

FAULTS = ("502", "reset", "cut", "silent")


class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        server: FaultServer = self.server.owner  # type: ignore[attr-defined]
        sock: socket.socket = self.request
        sock.settimeout(5)
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                chunk = sock.recv(65536)
                if not chunk:
                    return
                data += chunk
        except OSError:
            return
        server.hits.append(data.split(b"\r\n", 1)[0].decode("latin-1"))
        mode = server.mode
        if mode == "502":
            body = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
            sock.sendall(
                b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\n"
                + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                + body
            )
        elif mode == "cut":
            # Promise a megabyte, send a little, then reset the connection.
            sock.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                b"Content-Length: 1048576\r\n\r\n" + b"x" * 4096
            )
            time.sleep(0.05)
            _reset(sock)
        elif mode == "reset":
            _reset(sock)
        else:  # silent: never answer; the client's read timeout ends it
            server.stopped.wait(10)


def _reset(sock: socket.socket) -> None:
    """Close with SO_LINGER 0: the peer sees a TCP reset, not an orderly end."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


class FaultServer:
    def __init__(self) -> None:
        self.mode = "502"
        self.hits: list[str] = []
        self.stopped = threading.Event()
        self.port = free_port()
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", self.port), _Handler)
        self._server.daemon_threads = True
        self._server.owner = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FaultServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopped.set()
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def fault():
    server = FaultServer().start()
    yield server
    server.stop()


# Each slice's service behind the fault server, with short timeouts and no retries, so that a
# silent upstream ends in seconds.
SLICES = {
    "datalake": ("EscapeRucio", ("escape", "datalake", "scopes"), "rucio"),
    "catalogue": ("EscapeZenodo", ("escape", "catalogue", "search"), "zenodo"),
    "workflows": ("EscapeReana", ("escape", "workflows", "workflows"), "reana"),
}


@pytest.fixture
def escape_config(escape_config, fault):
    for section, _path, _service in SLICES.values():
        escape_config[section].update(url=fault.url, read_timeout=1.0, retries=0)
    escape_config["EscapeRucio"].update(auth_url=fault.url, auth_type="userpass")
    return escape_config


@pytest.mark.parametrize("mode", FAULTS)
@pytest.mark.parametrize("slice_name", sorted(SLICES))
async def test_a_faulty_upstream_ends_in_the_envelope_with_words(jp_fetch, fault, slice_name, mode):
    _section, path, service = SLICES[slice_name]
    fault.mode = mode
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch(*path)
    response = info.value.response
    assert response.headers["Content-Type"].startswith("application/json")
    error = json.loads(response.body)["error"]
    assert fault.hits, "the request never reached the upstream"
    assert error["service"] == service
    expected = 504 if mode == "silent" else 502
    assert response.code == expected, error
    message = error["message"]
    assert len(message.split()) >= 4, message  # a sentence, not a code
    assert "Traceback" not in message and "httpx" not in message and "Errno" not in message
    if mode == "502":
        assert error["upstream_status"] == 502
        assert "502" in message and message.endswith("try again in a minute."), message
    elif mode == "silent":
        assert message.endswith("did not answer within 1 s (read timeout)."), message
    else:  # reset, cut
        assert "dropped the connection before its answer was complete" in message, message


# ------------------------------------------------------------------ a job writing files
def _record(record_id: str) -> tuple[dict, bytes]:
    body = b"gamma events\n" * 1000
    record = {
        "id": record_id,
        "title": "Faulty record",
        "version": "1.0",
        "files_restricted": False,
        "files": [{"key": "events.dat", "size": len(body), "md5": hashlib.md5(body).hexdigest()}],
    }
    return record, body


def _files(root: Path) -> list[Path]:
    return [p.relative_to(root) for p in root.rglob("*") if p.is_file() or p.is_symlink()]


@pytest.mark.parametrize("mode", FAULTS)
async def test_a_catalogue_fetch_from_a_faulty_zenodo_leaves_no_file(fault, tmp_path, mode):
    """The download itself fails (the record was read before): the job fails with words, no
    file carries the final name, and our temporary file is gone."""
    fault.mode = mode
    config = EscapeZenodo(url=fault.url, read_timeout=1.0, retries=0)
    http = ServiceHTTP(config)
    store = JobStore(None)
    runner = CatalogueFetchRunner(ZenodoClient(http), Workspace(tmp_path), store)
    record, _body = _record("1234")
    job = runner.start(record, ["events.dat"], "faulty", False)
    job = await store.wait(job.id)
    await store.shutdown()
    await http.aclose()
    assert fault.hits and "/files/events.dat/content" in fault.hits[-1]
    assert job.state == "failed", job.message
    assert len(job.message.split()) >= 4 and "Traceback" not in job.message, job.message
    (item,) = job.errors
    assert item["item"] == "events.dat" and item["message"] == job.message
    assert _files(tmp_path) == []
