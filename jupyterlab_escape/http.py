"""The one async HTTP layer every slice client uses, and the error envelope of every route.

One ``ServiceHTTP`` per upstream service: it only ever contacts that service's configured base URL
(paths from the browser are joined below it, never fetched as-is), applies connect/read timeouts
and TLS verification, names the package in its User-Agent, and retries idempotent GETs with
exponential backoff. Failures become an :class:`EscapeError`, which routes turn into
``{"error": {"code", "message", "service", "upstream_status"}}`` with a matching HTTP status.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from collections.abc import AsyncIterable, AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

import certifi
import httpx

from . import __version__
from .config import ServiceConfig, public_url

log = logging.getLogger("jupyterlab_escape.http")

USER_AGENT = (
    f"jupyterlab-escape/{__version__} (+https://github.com/escape2020; httpx {httpx.__version__})"
)

RETRY_STATUSES = frozenset({502, 503, 504})


class EscapeError(Exception):
    """An error a route reports to the browser in the error envelope."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        service: str | None = None,
        upstream_status: int | None = None,
        login_url: str | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.service = service
        self.upstream_status = upstream_status
        # Where to sign in again (the hub's login page, from the server's configuration; never
        # from an upstream answer), for the browser to show as a link.
        self.login_url = login_url

    def envelope(self) -> dict[str, Any]:
        error: dict[str, Any] = {
            "code": self.code,
            "message": self.message,
            "service": self.service,
            "upstream_status": self.upstream_status,
        }
        if self.login_url:
            error["login_url"] = self.login_url
        return {"error": error}


def status_for_upstream(upstream_status: int) -> tuple[int, str]:
    """Our HTTP status and code suffix for an upstream HTTP error status."""
    if upstream_status == 400:
        return 400, "bad_request"
    if upstream_status == 401:
        return 401, "unauthorized"
    if upstream_status == 403:
        return 403, "forbidden"
    if upstream_status == 404:
        return 404, "not_found"
    if upstream_status == 409:
        return 409, "conflict"
    if upstream_status in (408, 504):
        return 504, "timeout"
    return 502, "upstream_error"


def answered(name: str, response: httpx.Response) -> str:
    """What an upstream said when it gave no words of its own: its status, and for a server
    error what the user can do."""
    text = f"{name} answered HTTP {response.status_code} {response.reason_phrase}".strip()
    return text + ("; try again in a minute." if response.status_code >= 500 else ".")


class ServiceHTTP:
    """Async HTTP access to one configured upstream service."""

    def __init__(
        self,
        config: ServiceConfig,
        transport: httpx.AsyncBaseTransport | None = None,
        *,
        base_url: str | None = None,
        cert: tuple[str, str] | str | None = None,
    ):
        self.config = config
        self.service = config.service_id
        self._transport = transport
        self._base_url = base_url
        self._cert = cert
        self._client: httpx.AsyncClient | None = None

    @property
    def base_url(self) -> str:
        """The configured URL this session may reach (the service URL unless given)."""
        return (self._base_url if self._base_url is not None else self.config.url).rstrip("/")

    def _client_for_loop(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(
                    self.config.read_timeout,
                    connect=self.config.connect_timeout,
                    pool=self.config.connect_timeout,
                ),
                verify=self.tls_context(),
                headers={"User-Agent": USER_AGENT},
                follow_redirects=False,
                transport=self._transport,
            )
        return self._client

    def tls_context(self) -> ssl.SSLContext | bool:
        """TLS on by default: the configured CA bundle (else certifi's), client cert for x509."""
        if not self.config.verify_tls:
            if not self._cert:
                return False
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        else:
            context = ssl.create_default_context(cafile=self.config.ca_bundle or certifi.where())
        if self._cert:
            certfile, keyfile = self._cert if isinstance(self._cert, tuple) else (self._cert, None)
            context.load_cert_chain(certfile, keyfile or None)
        return context

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def probe_json(self, path: str, params=None, timeout: float = 5.0) -> tuple[Any, float]:
        """One quick GET for a status probe: the JSON body and the round trip in ms."""
        started = time.perf_counter()
        response = await asyncio.wait_for(
            self.request("GET", path, params=params, retries=0), timeout=timeout
        )
        rtt_ms = (time.perf_counter() - started) * 1000
        try:
            body = response.json()
        except ValueError as exc:
            raise EscapeError(
                502,
                f"{self.service}_bad_response",
                f"{self.config.display_name} answered, but not with JSON: is the URL right?",
                service=self.service,
            ) from exc
        return body, rtt_ms

    @property
    def public_base_url(self) -> str:
        """The base URL as it may be shown: no user info, query or fragment."""
        return public_url(self.base_url)

    def url_for(self, path: str) -> str:
        """Join a path below the configured base URL; anything that would leave it is refused."""
        if not self.base_url:
            raise EscapeError(
                503,
                f"{self.service}_not_configured",
                f"{self.config.display_name} is not configured: {self.config.how_to_configure()}.",
                service=self.service,
            )
        if "://" in path or path.startswith("//") or "\\" in path:
            raise EscapeError(400, "bad_path", "Only paths below the service URL are allowed.")
        segments = path.lstrip("/").split("?", 1)[0].split("/")
        if any(seg in ("..", ".") for seg in segments):
            raise EscapeError(400, "bad_path", "Only paths below the service URL are allowed.")
        return f"{self.base_url}/{path.lstrip('/')}"

    def redact(self, text: str) -> str:
        for secret in self.config.secrets():
            text = text.replace(secret, "[redacted]")
        return text

    def _describe_transport_error(self, exc: httpx.HTTPError) -> EscapeError:
        target = urlsplit(self.public_base_url).netloc or self.public_base_url
        name = self.config.display_name
        if isinstance(exc, httpx.TimeoutException):
            kind = "connect" if isinstance(exc, httpx.ConnectTimeout) else "read"
            limit = self.config.connect_timeout if kind == "connect" else self.config.read_timeout
            return EscapeError(
                504,
                f"{self.service}_timeout",
                f"{name} at {target} did not answer within {limit:g} s ({kind} timeout).",
                service=self.service,
            )
        cause: BaseException | None = exc
        while cause is not None:
            if isinstance(cause, ssl.SSLCertVerificationError):
                return EscapeError(
                    502,
                    f"{self.service}_tls",
                    f"The TLS certificate of {name} at {target} could not be verified "
                    f"({cause.verify_message}). Configure its CA bundle or fix the certificate.",
                    service=self.service,
                )
            if isinstance(cause, ConnectionRefusedError):
                return EscapeError(
                    502,
                    f"{self.service}_unreachable",
                    f"{name} at {target} refused the connection: is it running?",
                    service=self.service,
                )
            cause = cause.__cause__ or cause.__context__
        if isinstance(exc, httpx.ReadError | httpx.WriteError | httpx.RemoteProtocolError):
            # Connected, then the connection broke: a reset, or an answer cut short.
            return EscapeError(
                502,
                f"{self.service}_unreachable",
                f"{name} at {target} dropped the connection before its answer was complete; "
                "try again in a minute.",
                service=self.service,
            )
        detail = self.redact(str(exc)) or type(exc).__name__
        return EscapeError(
            502,
            f"{self.service}_unreachable",
            f"{name} at {target} cannot be reached: {detail}.",
            service=self.service,
        )

    def error_from_response(
        self, response: httpx.Response, message: str | None = None
    ) -> EscapeError:
        status, suffix = status_for_upstream(response.status_code)
        if message is None:
            message = answered(self.config.display_name, response)
        return EscapeError(
            status,
            f"{self.service}_{suffix}",
            self.redact(message),
            service=self.service,
            upstream_status=response.status_code,
        )

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        content: bytes | AsyncIterable[bytes] | None = None,
        retries: int | None = None,
        raise_for_status: bool = True,
    ) -> httpx.Response:
        """Send one request; GET is retried on connection errors and 502/503/504."""
        url = self.url_for(path)
        attempts = 1 + (self.config.retries if retries is None else retries)
        if method.upper() != "GET":
            attempts = 1
        client = self._client_for_loop()
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                response = await client.request(
                    method, url, params=params, headers=headers, json=json, content=content
                )
            except httpx.HTTPError as exc:
                if last or isinstance(exc, httpx.ReadTimeout):
                    raise self._describe_transport_error(exc) from exc
                log.debug("%s %s failed (%s), retrying", method, path, type(exc).__name__)
            else:
                if response.status_code not in RETRY_STATUSES or last:
                    if raise_for_status and response.status_code >= 400:
                        raise self.error_from_response(response)
                    return response
                log.debug("%s %s answered %s, retrying", method, path, response.status_code)
            await asyncio.sleep(0.25 * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    @asynccontextmanager
    async def stream(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
    ) -> AsyncIterator[httpx.Response]:
        """A response whose body is read incrementally (NDJSON listings, downloads)."""
        url = self.url_for(path)
        client = self._client_for_loop()
        try:
            async with client.stream(
                method, url, params=params, headers=headers, json=json
            ) as response:
                yield response
        except httpx.HTTPError as exc:
            raise self._describe_transport_error(exc) from exc
