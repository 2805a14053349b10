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
import ipaddress
import socket
import threading
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urljoin, urlsplit, urlunsplit

import urllib3

from ..config import EscapeRucio, public_url
from ..http import USER_AGENT
from ..workspace import open_part
from .checksums import ChecksumMismatch, Checksums, hash_file
from .client import did_type
from .plan import FileItem

SCHEMES = ["https", "davs", "http"]  # what this server can read with HTTP
CHUNK = 1024 * 1024
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
    """Appends to the temporary file and feeds the checksums, in a worker thread."""

    def __init__(self, path: Path, offset: int, sums: Checksums):
        self.handle = open_part(path, offset)  # O_EXCL | O_NOFOLLOW: never through a link
        self.sums = sums
        self.size = offset

    def write(self, data: bytes) -> None:
        self.handle.write(data)
        self.sums.update(data)
        self.size += len(data)

    def close(self) -> None:
        self.handle.close()


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
    parts = urlsplit(url)
    default = 443 if parts.scheme == "https" else 80
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default


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


class Storage:
    """Connections to one Rucio instance's storage endpoints, kept alive across files."""

    def __init__(self, config: EscapeRucio, tls_context):
        self.config = config
        self.pool = urllib3.PoolManager(
            num_pools=16,
            maxsize=max(1, min(64, config.fetch_concurrency)),
            ssl_context=tls_context,
            timeout=urllib3.Timeout(connect=config.connect_timeout, read=config.read_timeout),
            # Redirects are followed by open(), which checks where each one leads.
            retries=urllib3.Retry(total=5, connect=0, read=0, status=0, other=0, redirect=0),
            headers={"User-Agent": USER_AGENT},
        )
        # host, port -> None when checked fine, else why it is refused (per job run)
        self.checked: dict[tuple[str, int], str | None] = {}

    def close(self) -> None:
        self.pool.clear()

    def download(
        self, f: FileItem, url: str, temp: Path, stop: threading.Event
    ) -> tuple[Checksums, int]:
        """One attempt at ``url`` into ``temp`` (resumed with Range from its size)."""
        offset = _size_of(temp)
        if offset > f.bytes:
            offset = 0
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        url = wire_url(url)
        host = urlsplit(public_url(url)).netloc
        response = self.open(url, headers)
        try:
            code = response.status
            if code == 416:  # the partial file is not a prefix of this replica
                temp.unlink(missing_ok=True)
                raise Transient(f"HTTP 416 from {host}")
            if code >= 500 or code == 429:
                raise Transient(f"HTTP {code} from {host}")
            if code not in (200, 206):
                raise ReplicaGone(f"HTTP {code} from {host}")
            sums = Checksums()
            if offset and code == 206:
                sums, _ = hash_file(temp, offset)
            else:
                offset = 0  # no Range support: start again
            f.done = offset
            sink = Sink(temp, offset, sums)
            try:
                for chunk in response.stream(CHUNK, decode_content=False):
                    if stop.is_set():
                        raise Transient("stopped")
                    sink.write(chunk)
                    f.received += len(chunk)
                    f.done = sink.size
                    if sink.size > f.bytes:  # a storage that never stops must not fill the disk
                        raise ChecksumMismatch(f"more than the {f.bytes} bytes Rucio lists")
            except urllib3.exceptions.HTTPError as err:
                raise Transient(f"{type(err).__name__} from {host}") from None
            finally:
                sink.close()
            return sink.sums, sink.size
        finally:
            response.release_conn()

    def open(self, url: str, headers: dict) -> urllib3.BaseHTTPResponse:
        """GET ``url``, following redirects only within its origin (or to the configured
        redirect domains); every host is checked before it is contacted."""
        config = self.config
        start = origin(url)
        for _hop in range(MAX_REDIRECTS + 1):
            scheme, host, port = origin(url)
            key = (host, port)
            if key not in self.checked:
                try:
                    check_address(host, port, config.allow_private_storage)
                    self.checked[key] = None
                except StorageRefused as err:
                    self.checked[key] = str(err)
            if self.checked[key] is not None:
                raise StorageRefused(self.checked[key])
            shown = urlsplit(public_url(url)).netloc
            try:
                response = self.pool.request(
                    "GET", url, headers=headers, preload_content=False, redirect=False
                )
            except urllib3.exceptions.SSLError as err:
                raise ReplicaGone(f"TLS error with {shown}: {err}") from None
            except urllib3.exceptions.HTTPError as err:
                raise Transient(f"{type(err).__name__} from {shown}") from None
            if response.status not in REDIRECTS:
                return response
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
