"""The one async client of Zenodo's records API, over the shared ServiceHTTP session.

Every GET is cached for ``EscapeZenodo.cache_ttl`` and concurrent identical GETs share one
upstream request. Searches and other requests each have a per-minute budget below Zenodo's
documented limits. A 429 (or a spent ``X-RateLimit-Remaining``) blocks further requests until
``Retry-After``/``X-RateLimit-Reset``: short waits are sat out here, longer ones are reported to
the browser as 429 with a Retry-After header, and the sidebar retries on its own.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import math
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import quote

import httpx

from ..http import EscapeError, ServiceHTTP
from .limits import RateLimiter, TTLCache

RDM_JSON = "application/vnd.inveniordm.v1+json"
MAX_ANON_SIZE = 25
MAX_TOKEN_SIZE = 100
RESULT_WINDOW = 10_000
DOWNLOAD_PATIENCE = 120.0
"""Seconds a background fetch job may wait for the request budget or a Retry-After."""


DETAIL_MAX = 300
"""Characters of Zenodo's own error detail we pass on."""

Message = str | Callable[[str], str]


def _bounded(detail: str) -> str:
    return detail if len(detail) <= DETAIL_MAX else detail[: DETAIL_MAX - 1] + "…"


class RateLimited(EscapeError):
    """Zenodo (or our own budget) says: not now. ``retry_after`` is in whole seconds."""

    def __init__(self, retry_after: float, upstream: bool, search: bool = True):
        self.retry_after = max(1, math.ceil(retry_after))
        if upstream:
            who = "Zenodo asks us to slow down"
        else:
            who = "Searching Zenodo too fast" if search else "Too many Zenodo requests at once"
        super().__init__(
            429,
            "zenodo_rate_limited",
            f"{who}: retrying in {self.retry_after} s.",
            service="zenodo",
            upstream_status=429 if upstream else None,
        )


def record_path(record_id: str, *tail: str) -> str:
    """``api/records/<id>/...`` with every part quoted: ids are validated, keys are filenames."""
    return "/".join(["api/records", quote(record_id, safe=""), *(quote(t, safe="") for t in tail)])


def _retry_after(response: httpx.Response, default: float = 5.0) -> float:
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return default
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, when.timestamp() - time.time())


class ZenodoClient:
    def __init__(self, http: ServiceHTTP):
        self.http = http
        self.config = http.config
        self.cache = TTLCache(self.config.cache_ttl)
        self.search_budget = RateLimiter(self.config.search_rate)
        self.request_budget = RateLimiter(self.config.request_rate)
        self._blocked_until = 0.0
        self._inflight: dict[tuple, asyncio.Future] = {}
        self.upstream_requests = 0

    async def ping(self) -> dict[str, Any]:
        """For the services view: does the records API answer, and how big is the community."""
        community = self.config.community
        body, rtt = await self.http.probe_json(
            "api/records", params={"communities": community, "size": 1}
        )
        hits = body.get("hits") if isinstance(body, dict) else None
        if not isinstance(hits, dict):
            raise EscapeError(
                502,
                "zenodo_bad_response",
                "The URL answers, but not like a Zenodo records API.",
                service="zenodo",
            )
        total = hits.get("total")
        if isinstance(total, dict):  # Elasticsearch 7 style
            total = total.get("value")
        detail = f"{total} records in community {community}" if total is not None else community
        return {"version": None, "rtt_ms": rtt, "detail": detail}

    async def identity(self, deposit: Any | None, sandbox: bool) -> dict[str, Any] | None:
        """For the services view: whether the user's stored Zenodo token (for publishing) signs
        in with the scopes publishing needs; None when no token is stored (searching needs
        none). ``deposit`` is a ``DepositClient`` holding that token; its words when refused."""
        if deposit is None:
            return None
        await deposit.probe()
        where = "the Zenodo sandbox" if sandbox else "Zenodo"
        return {
            "account": None,  # Zenodo's API does not tell whose a token is
            "expires_at": None,  # personal access tokens do not expire
            "detail": f"publishing token for {where} holds deposit:write and deposit:actions",
        }

    @property
    def base_url(self) -> str:
        """The URL record links are built on: never with the configured user info."""
        return self.http.public_base_url

    @property
    def max_page_size(self) -> int:
        return MAX_TOKEN_SIZE if self.config.access_token else MAX_ANON_SIZE

    def _headers(self, accept: str) -> dict[str, str]:
        headers = {"Accept": accept}
        if self.config.access_token:
            headers["Authorization"] = f"Bearer {self.config.access_token}"
        return headers

    async def _wait_for_budget(self, search: bool, patience: float | None = None) -> None:
        """Wait for our budget and any upstream block; refuse when the wait exceeds ``patience``
        (``max_retry_wait`` for interactive calls; background fetch jobs are more patient)."""
        patience = self.config.max_retry_wait if patience is None else patience
        blocked = self._blocked_until - time.monotonic()
        if blocked > 0:
            if blocked > patience:
                raise RateLimited(blocked, upstream=True)
            await asyncio.sleep(blocked)
        budget = self.search_budget if search else self.request_budget
        wait = budget.reserve()
        if wait > patience:
            budget.cancel()
            raise RateLimited(wait, upstream=False, search=search)
        if wait > 0:
            await asyncio.sleep(wait)

    def _note_limits(self, response: httpx.Response) -> None:
        if response.status_code == 429:
            self._blocked_until = time.monotonic() + _retry_after(response)
            return
        remaining = response.headers.get("X-RateLimit-Remaining")
        reset = response.headers.get("X-RateLimit-Reset")
        if remaining == "0" and reset and reset.isdigit():
            self._blocked_until = time.monotonic() + max(0.0, int(reset) - time.time())

    async def _send(
        self, path: str, params: list[tuple[str, str]] | None, accept: str, search: bool
    ):
        for attempt in range(2):
            await self._wait_for_budget(search)
            self.upstream_requests += 1
            response = await self.http.request(
                "GET", path, params=params, headers=self._headers(accept), raise_for_status=False
            )
            self._note_limits(response)
            if response.status_code != 429:
                return response
            wait = _retry_after(response)
            if attempt or wait > self.config.max_retry_wait:
                raise RateLimited(wait, upstream=True)
        raise AssertionError("unreachable")  # pragma: no cover

    async def get(
        self,
        path: str,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        *,
        accept: str = RDM_JSON,
        search: bool = False,
        errors: Mapping[int, tuple[str, Message]] | None = None,
    ) -> tuple[Any, bool]:
        """(body, from_cache): JSON for JSON types, text otherwise. ``errors`` maps upstream
        statuses to (code suffix, message) for this call: a message is a finished sentence, or
        a function of Zenodo's error detail (never a template: record text may hold braces)."""
        pairs = [
            (str(k), str(v))
            for k, v in (params.items() if isinstance(params, Mapping) else params or [])
        ]
        key = (path, tuple(sorted(pairs)), accept)
        cached = self.cache.get(key)
        if cached is not None:
            return cached, True
        pending = self._inflight.get(key)
        if pending is not None:
            return await asyncio.shield(pending), False
        future = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            body = await self._fetch(path, pairs or None, accept, search, errors or {})
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # consumed: waiters re-raise it, nobody else must log it
            raise
        else:
            future.set_result(body)
            self.cache.put(key, body)
            return body, False
        finally:
            del self._inflight[key]

    async def _fetch(self, path, params, accept, search, errors) -> Any:
        response = await self._send(path, params, accept, search)
        if response.status_code >= 400:
            raise self._error(response, errors)
        if accept == RDM_JSON:
            try:
                return response.json()
            except ValueError as exc:
                raise EscapeError(
                    502,
                    "zenodo_bad_response",
                    "Zenodo answered with something that is not JSON: is EscapeZenodo.url right?",
                    service="zenodo",
                ) from exc
        return response.text

    def _error(
        self, response: httpx.Response, errors: Mapping[int, tuple[str, Message]]
    ) -> EscapeError:
        upstream = response.status_code
        detail = ""
        try:
            detail = str(response.json().get("message") or "")
        except (ValueError, AttributeError):
            pass
        if upstream in errors:
            suffix, message = errors[upstream]
            status = upstream if upstream < 500 else 502
            if callable(message):
                # Zenodo's own words, bounded; never used as a format template (a file key or
                # detail like "{detail:>300000000}" would allocate 300 MB through str.format).
                message = message(_bounded(detail).rstrip(".") or "no detail")
            return EscapeError(
                status,
                f"zenodo_{suffix}",
                self.http.redact(message),
                service="zenodo",
                upstream_status=upstream,
            )
        if upstream >= 500:
            return EscapeError(
                502,
                "zenodo_upstream_error",
                f"Zenodo is having trouble (HTTP {upstream}); try again in a minute.",
                service="zenodo",
                upstream_status=upstream,
            )
        detail = _bounded(detail)
        return self.http.error_from_response(
            response,
            f"Zenodo refused the request (HTTP {upstream}){': ' + detail if detail else ''}.",
        )

    @asynccontextmanager
    async def download(self, record_id: str, key: str) -> AsyncIterator[httpx.Response]:
        """The bytes of one record file, streamed (never cached)."""
        await self._wait_for_budget(search=False, patience=DOWNLOAD_PATIENCE)
        self.upstream_requests += 1
        headers = self._headers("*/*")
        async with self.http.stream(
            "GET", record_path(record_id, "files", key, "content"), headers=headers
        ) as response:
            self._note_limits(response)
            if response.status_code == 429:
                raise RateLimited(_retry_after(response), upstream=True)
            if response.status_code >= 300:
                # Redirects are not followed: only the configured base URL is ever contacted.
                await response.aread()
                raise self._error(
                    response, {404: ("not_found", f"Zenodo has no file {key!r} in this record.")}
                )
            yield response


def parse_json(text: str) -> Any:
    """JSON from a file the record carries (codemeta.json); None when it is not JSON."""
    try:
        return json.loads(text)
    except ValueError:
        return None
