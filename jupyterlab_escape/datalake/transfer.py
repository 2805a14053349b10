"""Moving one file's bytes from a storage into the workspace, in a worker thread.

Replicas are ranked (the locally mounted RSE first, then Rucio's priority order); a storage host's
address is checked before it is contacted (link-local never, loopback and private only when the
operator allows it); redirects are followed within the same origin only; ``davs://`` is read as
HTTPS. Bytes stream into our own part file (``O_EXCL | O_NOFOLLOW``) while adler32 and md5 are
computed; a dropped connection resumes with an HTTP Range request; a storage that sends more
than Rucio lists is cut off.
"""

from __future__ import annotations

import hashlib
import http.client
import ipaddress
import os
import queue
import re
import socket
import ssl
import threading
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Generic, Protocol, TypeVar
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

from ..config import EscapeRucio, public_url
from ..http import USER_AGENT
from ..workspace import open_part
from .checksums import ChecksumMismatch, Checksums, hash_file
from .client import did_type
from .plan import FileItem

SCHEMES = ["https", "davs", "http"]  # what this server can read with HTTP
CHUNK = 1024 * 1024
PIPELINE_FROM = 16 * CHUNK  # files at least this large are read, hashed and written in parallel
PIPELINE_BUFFER = 4 * CHUNK
PART_SUFFIX = ".escape-part"
MAX_REDIRECTS = 5
REDIRECTS = (301, 302, 303, 307, 308)
# What urllib3 can read: WebDAV's davs/dav are HTTPS/HTTP on the wire.
WIRE_SCHEME = {"https": "https", "davs": "https", "http": "http"}


class ReplicaGone(Exception):
    """This replica cannot serve the file (404, 403, ...): try the next one."""


class Transient(Exception):
    """The connection dropped or the storage is busy: try this replica again."""


@dataclass
class Candidate:
    rse: str
    url: str
    local: Path | None = None  # the replica seen through the local mount of destination_rse


def local_path(pfn: str, mount: str, begins_at: int) -> Path:
    """The file behind ``pfn`` on the mounted RSE: mount + the PFN path minus its first parts."""
    parts = [p for p in PurePosixPath(urlsplit(pfn).path).parts if p != "/"]
    rest = parts[begins_at:]
    if not rest or ".." in rest:
        raise ValueError(pfn)
    return Path(mount, *rest)


def rank_replicas(item: dict, mount_rse: str | None, mount: str, begins_at: int) -> list[Candidate]:
    """The readable AVAILABLE replicas of one file, best first."""
    states = item.get("states") or {}
    pfns = item.get("pfns") or {}
    ranked: list[tuple[tuple, Candidate]] = []
    for rse, urls in (item.get("rses") or {}).items():
        if did_type(states.get(rse)).upper() != "AVAILABLE":
            continue
        for url in urls:
            if urlsplit(url).scheme not in SCHEMES:
                continue
            priority = int((pfns.get(url) or {}).get("priority") or 1000)
            if rse == mount_rse and mount:
                try:
                    local = local_path(url, mount, begins_at)
                except ValueError:
                    local = None
                if local is not None:
                    ranked.append(((0, 0, rse), Candidate(rse, url, local)))
            ranked.append(((1, priority, rse), Candidate(rse, url)))
    return [c for _, c in sorted(ranked, key=lambda pair: pair[0])]


class Sink:
    """Appends to the temporary file and feeds the checksums, in a worker thread (a raw
    descriptor: no buffered file object between the network buffer and the disk)."""

    def __init__(self, path: Path, offset: int, sums: Checksums):
        self.fd = open_part(path, offset)  # O_EXCL | O_NOFOLLOW: never through a link
        self.sums = sums
        self.size = offset

    def write(self, data) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view) :]
        self.sums.update(data)
        self.size += len(data)

    def close(self) -> None:
        fd, self.fd = self.fd, -1
        if fd >= 0:
            os.close(fd)


class Pipeline:
    """Hashing and writing of a large file in a helper thread, one buffer behind the network
    reads: hashlib, zlib and file writes release the GIL on large buffers, so the two overlap
    on separate cores (measured faster than handing buffers to another process, which costs a
    copy of every byte)."""

    def __init__(self, sink: Sink, buffers: int = 3, size: int = PIPELINE_BUFFER):
        self.sink = sink
        self.free: queue.SimpleQueue = queue.SimpleQueue()
        self.full: queue.SimpleQueue = queue.SimpleQueue()
        for _ in range(buffers):
            self.free.put(bytearray(size))
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="escape-fetch-sink", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (item := self.full.get()) is not None:
            buffer, n = item
            if self.error is None:
                try:
                    self.sink.write(memoryview(buffer)[:n])
                except BaseException as err:  # the reader raises it at its next buffer
                    self.error = err
            self.free.put(buffer)

    def buffer(self) -> bytearray:
        if self.error is not None:
            raise self.error
        return self.free.get()

    def give_back(self, buffer: bytearray) -> None:
        self.free.put(buffer)

    def put(self, buffer: bytearray, n: int) -> None:
        self.full.put((buffer, n))

    def finish(self) -> None:
        """Wait until every buffer given is written; raise what writing raised."""
        self.full.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


def _size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


class StorageRefused(Exception):
    """A storage URL or redirect this server will not contact."""


def wire_url(url: str) -> str:
    """The URL as urllib3 reads it: ``davs://`` is WebDAV over HTTPS, ``dav://`` over HTTP."""
    parts = urlsplit(url)
    scheme = WIRE_SCHEME.get(parts.scheme.lower())
    if scheme is None:
        raise StorageRefused(f"scheme {parts.scheme!r} is not read by this server")
    return urlunsplit((scheme, *parts[1:]))


def origin(url: str) -> tuple[str, str, int | None]:
    return _origin(urlsplit(url))


def _origin(parts: SplitResult) -> tuple[str, str, int]:
    default = 443 if parts.scheme == "https" else 80
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default


def shown_host(url: str) -> str:
    """The host and port of ``url`` as shown in messages (no user info)."""
    return urlsplit(public_url(url)).netloc


def redirect_allowed(start: tuple[str, str, int | None], target: str, domains) -> bool:
    """Storage redirects stay within the origin they started from, or go over HTTPS to a host
    in one of the operator's ``storage_redirect_domains``."""
    there = origin(target)
    return there == start or (
        there[0] == start[0] == "https"
        and any(there[1].endswith("." + d.strip(".").lower()) for d in domains if d.strip("."))
    )


def check_address(host: str, port: int, allow_private: bool) -> None:
    """Refuse storage hosts that resolve to link-local (cloud metadata) addresses, and to
    loopback or private ones unless the operator allows them (a local testbed)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as err:
        raise ReplicaGone(f"{host} does not resolve ({err})") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if address.is_link_local:
            raise StorageRefused(f"{host} is a link-local address")
        private = (
            address.is_loopback or address.is_private or address.is_reserved
        ) or address.is_unspecified
        if private and not allow_private:
            raise StorageRefused(
                f"{host} is a private or loopback address (EscapeRucio.allow_private_storage)"
            )


def part_path(target: Path) -> Path:
    name = f".{target.name}{PART_SUFFIX}"
    if len(name.encode()) > 255:  # long Rucio names: keep within the filesystem's limit
        name = f".{hashlib.sha1(target.name.encode()).hexdigest()}{PART_SUFFIX}"
    return target.with_name(name)


_HEADER_NAME = re.compile(r"[\x21-\x39\x3b-\x7e]*:")  # a header line, as the e-mail parser sees it


class _Headers(dict):
    """A response's headers by lower-case name (the first of repeated ones, like
    ``email.message.Message.get``)."""

    def get(self, name: str, default=None):  # type: ignore[override]
        return super().get(name.lower(), default)


def _parse_headers(fp, _class=None) -> _Headers:
    """``http.client.parse_headers`` without the e-mail parser, which cost more CPU than the
    rest of a small file's request: the same line-length and count limits (its
    ``_read_headers``), names folded to lower case, obsolete line folding joined."""
    headers = _Headers()
    name = None
    for line in http.client._read_headers(fp):  # noqa: SLF001 - the stdlib's limits
        text = line.decode("iso-8859-1").rstrip("\r\n")
        if text[:1] in (" ", "\t"):
            if name is not None:
                headers[name] += " " + text.strip()
            continue
        if not _HEADER_NAME.match(text):
            break  # the end, or a line that is no header: the e-mail parser stops there too
        key, _, value = text.partition(":")
        name = key.lower()
        if name in headers:
            name = None  # a repeated header: the first one is kept, as the e-mail parser does
            continue
        headers[name] = value.strip()
    return headers


class _StorageResponse(http.client.HTTPResponse):
    """``http.client.HTTPResponse`` whose ``begin`` (status line, framing, keep-alive: the
    stdlib's own code) parses headers with ``_parse_headers``."""

    begin = types.FunctionType(
        http.client.HTTPResponse.begin.__code__,
        {**vars(http.client), "parse_headers": _parse_headers},
        "begin",
    )


class Connections:
    """Kept-alive HTTP(S) connections to storages, shared by the transfer threads.

    ``http.client`` directly: a small-file fetch is bound by the cost of one request, and a
    general-purpose pool spent more CPU per file than the transfer itself. A connection is used by
    one thread at a time (taken out, put back once its response was read to the end)."""

    def __init__(self, tls_context, connect_timeout: float, read_timeout: float, keep: int):
        # ServiceHTTP.tls_context(): a context, or False when verify_tls is off (no client cert)
        self.tls_context = tls_context if isinstance(tls_context, ssl.SSLContext) else _unverified()
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.keep = keep
        self._idle: dict[tuple[str, str, int], list[http.client.HTTPConnection]] = {}
        self._lock = threading.Lock()

    def take(self, key: tuple[str, str, int]) -> tuple[http.client.HTTPConnection, bool]:
        """A connection to ``key`` (scheme, host, port) and whether it was used before."""
        with self._lock:
            idle = self._idle.get(key)
            if idle:
                return idle.pop(), True
        scheme, host, port = key
        if scheme == "https":
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                host, port, timeout=self.connect_timeout, context=self.tls_context
            )
        elif scheme == "http":
            conn = http.client.HTTPConnection(host, port, timeout=self.connect_timeout)
        else:  # never plain HTTP for a scheme that means TLS (davs) or for one we do not read
            raise StorageRefused(f"scheme {scheme!r} is not read by this server")
        conn.response_class = _StorageResponse
        return conn, False

    def give_back(self, key: tuple[str, str, int], conn: http.client.HTTPConnection) -> None:
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if len(idle) < self.keep:
                idle.append(conn)
                return
        conn.close()

    def clear(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, {}
        for conns in idle.values():
            for conn in conns:
                conn.close()


def _unverified() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


class StorageResponse:
    """One storage answer being read: ``status``, ``headers``, ``stream()``; its connection goes
    back to the pool by ``release_conn()`` only when the body was read to its end."""

    def __init__(self, pool: Connections, key, conn: http.client.HTTPConnection, response):
        self._pool, self._key, self._conn, self._response = pool, key, conn, response
        self.status: int = response.status
        self.headers = response.headers

    def read(self, amt: int) -> bytes:
        try:
            data = self._response.read(amt)
        except (OSError, http.client.HTTPException) as err:
            raise Transient(f"{type(err).__name__} from the storage") from None
        if not data and self._response.length:  # closed before its Content-Length
            raise Transient("the storage closed the connection early")
        return data

    def readinto(self, buffer) -> int:
        try:
            n = self._response.readinto(buffer)
        except (OSError, http.client.HTTPException) as err:
            raise Transient(f"{type(err).__name__} from the storage") from None
        if not n and self._response.length:
            raise Transient("the storage closed the connection early")
        return n

    def stream(self, amt: int, decode_content: bool = False):
        """The body in pieces of at most ``amt`` bytes (never decoded: the stored bytes)."""
        while data := self.read(amt):
            yield data

    def drain_conn(self, limit: int = 64 * 1024) -> None:
        """Read a small body (a redirect's) so the connection can be reused."""
        try:
            self._response.read(limit)
        except (OSError, http.client.HTTPException):
            pass

    def release_conn(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        if self._response.isclosed() and not self._response.will_close:
            self._pool.give_back(self._key, conn)
        else:  # body not read to its end: the connection cannot carry another request
            conn.close()


class Storage:
    """Connections to one Rucio instance's storage endpoints, kept alive across files."""

    def __init__(self, config: EscapeRucio, tls_context):
        self.config = config
        self.pool = Connections(
            tls_context,
            config.connect_timeout,
            config.read_timeout,
            keep=max(1, min(64, config.fetch_concurrency)),
        )
        # host, port -> None when checked fine, else why it is refused (per job run)
        self.checked: dict[tuple[str, int], str | None] = {}

    def close(self) -> None:
        self.pool.clear()

    def request(self, url: str, headers: dict, parts: SplitResult | None = None) -> StorageResponse:
        """One GET on a kept-alive connection; a reused connection the storage closed
        meanwhile is replaced once (the request had not reached it)."""
        parts = parts or urlsplit(url)
        key = _origin(parts)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        send = {"User-Agent": USER_AGENT, **headers}
        for _ in range(2):
            conn, reused = self.pool.take(key)
            try:
                if conn.sock is None:
                    conn.connect()
                    conn.sock.settimeout(self.config.read_timeout)
                conn.request("GET", target, headers=send)
                response = conn.getresponse()
            except (
                http.client.RemoteDisconnected,
                BrokenPipeError,
                ConnectionResetError,
            ):
                conn.close()
                if reused:
                    continue
                raise
            except BaseException:
                conn.close()
                raise
            return StorageResponse(self.pool, key, conn, response)
        raise Transient("the storage keeps closing connections")

    def download(
        self, f: FileItem, url: str, temp: Path, stop: threading.Event
    ) -> tuple[Checksums, int]:
        """One attempt at ``url`` into ``temp`` (resumed with Range from its size)."""
        offset = _size_of(temp)
        if offset > f.bytes:
            offset = 0
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        url = wire_url(url)
        response = self.open(url, headers)
        try:
            code = response.status
            if code == 416:  # the partial file is not a prefix of this replica
                temp.unlink(missing_ok=True)
                raise Transient(f"HTTP 416 from {shown_host(url)}")
            if code >= 500 or code == 429:
                raise Transient(f"HTTP {code} from {shown_host(url)}")
            if code not in (200, 206):
                raise ReplicaGone(f"HTTP {code} from {shown_host(url)}")
            sums = Checksums()
            if offset and code == 206:
                sums, _ = hash_file(temp, offset)
            else:
                offset = 0  # no Range support: start again
            f.done = offset
            sink = Sink(temp, offset, sums)
            if f.bytes - offset >= PIPELINE_FROM:
                try:
                    return self._pipelined(f, response, sink, stop)
                except Transient as err:
                    raise Transient(f"{err} ({shown_host(url)})") from None
                finally:
                    sink.close()
            # Reads sized to what is left (one read for a small file, never a 1 MiB buffer for
            # 2 KiB), at most CHUNK; one byte more than Rucio lists shows a storage that lies.
            left = f.bytes - offset + 1
            try:
                while chunk := response.read(min(CHUNK, max(left, 1))):
                    if stop.is_set():
                        raise Transient("stopped")
                    sink.write(chunk)
                    left -= len(chunk)
                    f.received += len(chunk)
                    f.done = sink.size
                    if sink.size > f.bytes:  # a storage that never stops must not fill the disk
                        raise ChecksumMismatch(f"more than the {f.bytes} bytes Rucio lists")
            except Transient as err:
                raise Transient(f"{err} ({shown_host(url)})") from None
            finally:
                sink.close()
            return sink.sums, sink.size
        finally:
            response.release_conn()

    @staticmethod
    def _pipelined(
        f: FileItem, response: StorageResponse, sink: Sink, stop: threading.Event
    ) -> tuple[Checksums, int]:
        """A large file: big reads into reused buffers, while a helper thread hashes and writes
        the previous buffer (network, md5, adler32 and the disk overlap)."""
        pipe = Pipeline(sink)
        read = sink.size
        try:
            while True:
                if stop.is_set():
                    raise Transient("stopped")
                buffer = pipe.buffer()
                # one byte more than Rucio lists shows a storage that lies
                want = min(len(buffer), f.bytes - read + 1)
                n = response.readinto(memoryview(buffer)[:want])
                if not n:
                    pipe.give_back(buffer)
                    break
                read += n
                if read > f.bytes:  # a storage that never stops must not fill the disk
                    pipe.give_back(buffer)
                    raise ChecksumMismatch(f"more than the {f.bytes} bytes Rucio lists")
                pipe.put(buffer, n)
                f.received += n
                f.done = read
        finally:
            pipe.finish()
        return sink.sums, sink.size

    def open(self, url: str, headers: dict) -> StorageResponse:
        """GET ``url``, following redirects only within its origin (or to the configured
        redirect domains); every host is checked before it is contacted."""
        config = self.config
        start = None
        for _hop in range(MAX_REDIRECTS + 1):
            url = wire_url(url)  # davs:// is HTTPS; a scheme we do not read is refused here
            parts = urlsplit(url)
            scheme, host, port = _origin(parts)
            start = start or (scheme, host, port)
            key = (host, port)
            refused = self.checked.get(key, "")
            if refused == "":  # not checked yet in this run
                try:
                    check_address(host, port, config.allow_private_storage)
                    refused = self.checked[key] = None
                except StorageRefused as err:
                    refused = self.checked[key] = str(err)
            if refused is not None:
                raise StorageRefused(refused)
            try:
                response = self.request(url, headers, parts)
            except ssl.SSLError as err:
                raise ReplicaGone(f"TLS error with {shown_host(url)}: {err}") from None
            except http.client.InvalidURL as err:
                raise ReplicaGone(f"{shown_host(url)}: {err}") from None
            except (OSError, http.client.HTTPException) as err:
                raise Transient(f"{type(err).__name__} from {shown_host(url)}") from None
            if response.status not in REDIRECTS:
                return response
            shown = shown_host(url)
            location = response.headers.get("Location") or ""
            response.drain_conn()
            response.release_conn()
            target = urljoin(url, location)
            allowed = redirect_allowed(start, target, config.storage_redirect_domains)
            if not location or not allowed:
                where = urlsplit(public_url(target)).netloc or "nowhere"
                raise StorageRefused(
                    f"{shown} redirected to {where}; only same-origin redirects are followed"
                )
            url = target
        raise ReplicaGone(f"more than {MAX_REDIRECTS} redirects")

    @staticmethod
    def copy_local(
        source: Path, temp: Path, f: FileItem, stop: threading.Event
    ) -> tuple[Checksums, int]:
        """Copy from the locally mounted RSE, verifying as we go."""
        sums = Checksums()
        sink = Sink(temp, 0, sums)
        try:
            with open(source, "rb") as src:
                while chunk := src.read(4 * CHUNK):
                    if stop.is_set():
                        raise Transient("stopped")
                    sink.write(chunk)
                    f.done = sink.size
        finally:
            sink.close()
        return sink.sums, sink.size


class _Closable(Protocol):
    def close(self) -> None: ...


S = TypeVar("S", bound=_Closable)


class PerInstance(Generic[S]):
    """One storage client per Rucio instance (by its name), made on first use and kept alive
    across jobs; ``close`` closes them all (the server stopping). The Data Lake fetch, the upload
    and the workflows' streamed lake inputs each keep one."""

    def __init__(self, make: Callable[[object], S]):
        self._make = make
        self._made: dict[str, S] = {}

    def of(self, instance) -> S:
        made = self._made.get(instance.name)
        if made is None:
            made = self._made[instance.name] = self._make(instance)
        return made

    def close(self) -> None:
        for made in self._made.values():
            made.close()
        self._made.clear()
