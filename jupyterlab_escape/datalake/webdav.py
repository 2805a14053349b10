"""Writing to an RSE's HTTPS/WebDAV endpoint, in worker threads (the upload side of
``transfer.py``).

Every host is checked before it is contacted (``transfer.check_address``: link-local never,
loopback and private only when the operator allows them); redirects are followed within the same
origin (or to ``storage_redirect_domains``) only, the body sent again from the file. ``davs://``
is HTTPS on the wire. The requests are the ones ``rucio.rse.protocols.webdav`` sends: PUT,
PROPFIND (``Depth: 0``), HEAD, MOVE (``Destination`` a full URL), DELETE; nginx answers MOVE with
204 where other servers say 201, and both are accepted.
"""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import urllib3

from ..config import EscapeRucio, public_url
from ..http import USER_AGENT
from .checksums import Checksums
from .transfer import (
    MAX_REDIRECTS,
    REDIRECTS,
    StorageRefused,
    Transient,
    check_address,
    origin,
    redirect_allowed,
    wire_url,
)

CHUNK = 4 * 1024 * 1024
HASH_DEPTH = 4  # chunks read ahead of the hashing thread (memory: HASH_DEPTH * CHUNK per file)


class Hasher:
    """adler32 and md5 of the chunks fed to it, in order; in a thread of its own when
    ``threaded`` (the read loop hands each chunk over and sends it meanwhile), else at once."""

    def __init__(self, threaded: bool = True):
        self.sums = Checksums()
        self.failed = False
        self._queue: queue.Queue[bytes | None] | None = None
        self._thread: threading.Thread | None = None
        if threaded:
            self._queue = queue.Queue(HASH_DEPTH)
            self._thread = threading.Thread(target=self._run, name="escape-hash", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        assert self._queue is not None
        try:
            while (chunk := self._queue.get()) is not None:
                self.sums.update(chunk)
        except BaseException:  # noqa: BLE001 - said through .failed; never hangs the sender
            self.failed = True
            while self._queue.get() is not None:
                pass

    def feed(self, chunk: bytes) -> None:
        if self._queue is None:
            self.sums.update(chunk)
        else:
            self._queue.put(chunk)

    def result(self) -> Checksums:
        """The sums of everything fed, once the thread has caught up."""
        self._finish()
        if self.failed:
            raise Transient("the checksum thread failed")
        return self.sums

    def abandon(self) -> None:
        self._finish()

    def _finish(self) -> None:
        if self._thread is not None and self._queue is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None


class WriteRefused(Exception):
    """The storage refused the write (403, 405, 413, 507, ...): trying again will not help."""


class Stopped(Exception):
    """The job was cancelled or the server is stopping."""


class WriteStorage:
    """Connections to one Rucio instance's write endpoints, kept alive across files."""

    def __init__(self, config: EscapeRucio, tls_context, workers: int):
        self.config = config
        self.pool = urllib3.PoolManager(
            num_pools=16,
            maxsize=max(1, min(64, workers)),
            ssl_context=tls_context,
            timeout=urllib3.Timeout(
                connect=config.connect_timeout, read=max(60.0, config.read_timeout)
            ),
            retries=urllib3.Retry(total=0, redirect=0),
            headers={"User-Agent": USER_AGENT},
        )
        self.checked: dict[tuple[str, int], str | None] = {}
        self.token: Callable[[], str | None] = lambda: None
        self.hashing = "thread"  # or "inline": see put()
        self.chunk = CHUNK

    def close(self) -> None:
        self.pool.clear()

    # ------------------------------------------------------------------ plumbing
    def _headers(self, extra: dict | None = None) -> dict:
        headers = dict(extra or {})
        token = self.token()
        # Like rucio.rse.protocols.webdav: a bearer token only when Rucio's token is a JWT.
        if token and token.count(".") == 2:
            headers["Authorization"] = f"Bearer {token}"
        return headers

    def _check(self, url: str) -> None:
        _scheme, host, port = origin(url)
        key = (host, port)
        if key not in self.checked:
            try:
                check_address(host, port, self.config.allow_private_storage)
                self.checked[key] = None
            except StorageRefused as err:
                self.checked[key] = str(err)
        if self.checked[key] is not None:
            raise StorageRefused(self.checked[key])

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: dict | None = None,
        body: Callable[[], object] | None = None,
        preload: bool = True,
    ) -> urllib3.BaseHTTPResponse:
        """One request, redirects followed within the origin; ``body`` makes the body afresh."""
        url = wire_url(url)
        start = origin(url)
        for _hop in range(MAX_REDIRECTS + 1):
            self._check(url)
            shown = urlsplit(public_url(url)).netloc
            try:
                response = self.pool.urlopen(
                    method,
                    url,
                    body=body() if body else None,
                    headers=self._headers(headers),
                    redirect=False,
                    preload_content=preload,
                    assert_same_host=False,
                )
            except urllib3.exceptions.SSLError as err:
                raise WriteRefused(f"TLS error with {shown}: {err}") from None
            except urllib3.exceptions.HTTPError as err:
                raise Transient(f"{type(err).__name__} from {shown}") from None
            if response.status not in REDIRECTS:
                return response
            location = response.headers.get("Location") or ""
            response.drain_conn()
            response.release_conn()
            target = urljoin(url, location)
            allowed = redirect_allowed(start, target, self.config.storage_redirect_domains)
            if not location or not allowed:
                where = urlsplit(public_url(target)).netloc or "nowhere"
                raise StorageRefused(
                    f"{shown} redirected to {where}; only same-origin redirects are followed"
                )
            url = target
        raise WriteRefused(f"more than {MAX_REDIRECTS} redirects")

    @staticmethod
    def _fail(response, what: str, url: str) -> Exception:
        host = urlsplit(public_url(url)).netloc
        code = response.status
        text = f"{what}: HTTP {code} from {host}"
        if code in (401, 403):
            return WriteRefused(text + " (the storage refused our credentials)")
        if code == 413:
            return WriteRefused(text + " (the storage limits the size of a request)")
        if code == 507:
            return WriteRefused(text + " (the storage is full)")
        if code >= 500 or code == 429:
            return Transient(text)
        return WriteRefused(text)

    # ------------------------------------------------------------------ operations
    def put(
        self,
        url: str,
        path: Path,
        size: int,
        on_bytes: Callable[[int], None],
        stop: threading.Event,
    ) -> Checksums:
        """Stream ``path`` to ``url`` while computing adler32 and md5 of exactly what is sent.

        With ``hashing == "thread"`` (the default) the checksums run in a thread of their own,
        fed by the read loop, so that hashing chunk k overlaps sending it (hashlib, zlib and the
        TLS write all release the GIL on large buffers); ``"inline"`` hashes each chunk before
        sending it, in this thread (kept for the benchmark's comparison)."""
        sent: dict[str, Hasher] = {}

        def body() -> Iterator[bytes]:
            old = sent.pop("hasher", None)
            if old is not None:  # a redirect sends the body again: a new hasher
                old.abandon()
            # one chunk has nothing to overlap with: hashed inline
            hasher = sent["hasher"] = Hasher(self.hashing == "thread" and size > self.chunk)
            total = 0
            with open(path, "rb", buffering=0) as handle:
                while chunk := handle.read(self.chunk):
                    if stop.is_set() or hasher.failed:
                        raise Stopped()
                    total += len(chunk)
                    if total > size:
                        raise Stopped()  # the file grew since it was planned
                    hasher.feed(chunk)
                    yield chunk
                    on_bytes(len(chunk))
            if total != size:
                raise Stopped()

        headers = {"Content-Length": str(size), "Content-Type": "application/octet-stream"}
        try:
            try:
                response = self.request("PUT", url, headers=headers, body=body)
            except Stopped:
                raise
            except Transient:
                if stop.is_set():
                    raise Stopped() from None
                raise
            if response.status not in (200, 201, 204):
                raise self._fail(response, "upload", url)
            return sent["hasher"].result()
        finally:
            if "hasher" in sent:
                sent["hasher"].abandon()

    def size(self, url: str) -> int | None:
        """The size the storage reports (PROPFIND ``getcontentlength``, else HEAD); None: absent."""
        response = self.request("PROPFIND", url, headers={"Depth": "0"})
        if response.status == 404:
            return None
        if response.status == 207:
            text = response.data.decode("utf-8", "replace")
            found = re.search(r"<[A-Za-z]*:?getcontentlength>\s*(\d+)\s*<", text)
            if found:
                return int(found.group(1))
        response = self.request("HEAD", url)
        if response.status == 404:
            return None
        if response.status != 200:
            raise self._fail(response, "size check", url)
        length = response.headers.get("Content-Length")
        return int(length) if length and length.isdigit() else None

    def read_back(self, url: str, stop: threading.Event) -> tuple[Checksums, int]:
        response = self.request("GET", url, preload=False)
        try:
            if response.status != 200:
                raise self._fail(response, "read back", url)
            sums, size = Checksums(), 0
            for chunk in response.stream(CHUNK, decode_content=False):
                if stop.is_set():
                    raise Stopped()
                sums.update(chunk)
                size += len(chunk)
            return sums, size
        finally:
            response.release_conn()

    def move(self, source: str, target: str) -> None:
        headers = {"Destination": wire_url(target), "Overwrite": "T"}
        response = self.request("MOVE", source, headers=headers)
        if response.status not in (201, 204):
            raise self._fail(response, "rename", source)

    def delete(self, url: str) -> bool:
        """True when something was deleted; a missing file is fine."""
        response = self.request("DELETE", url)
        if response.status in (200, 202, 204):
            return True
        if response.status == 404:
            return False
        raise self._fail(response, "delete", url)


def temporary_url(pfn: str, job_id: str) -> str:
    """Where the bytes go before they are verified: never the final PFN (a partial file at the
    final PFN would look like a replica to ``rucio upload`` and to a later exists check)."""
    return f"{pfn}.{job_id}.escape-upload"


def pfn_path(pfn: str) -> str:
    return unquote(urlsplit(pfn).path)
