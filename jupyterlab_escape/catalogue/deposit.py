"""Async client of Zenodo's deposit API (legacy ``/api/deposit/depositions``), for publishing.

The token is the user's own (``identity.ZenodoIdentity``), sent as ``Authorization: Bearer``
(never as ``?access_token=``, which ends up in logs). Only the configured Zenodo (or sandbox) base
URL is contacted: the bucket link Zenodo answers is used only when it lies below that URL. A 429
is waited out (``Retry-After``, else ``X-RateLimit-Reset``) up to PATIENCE seconds in all, and an
answer with ``X-RateLimit-Remaining: 0`` holds the next request until ``X-RateLimit-Reset``.
Missing scopes get a sentence that names them.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from ..http import EscapeError, ServiceHTTP
from .client import _retry_after

PATIENCE = 60.0  # seconds of Retry-After a publication waits out in all
CHUNK = 1024 * 1024
MAX_ANSWER = 16 * 1024 * 1024  # the largest answer of the deposit API we read


def _reset_of(response: httpx.Response) -> float | None:
    """X-RateLimit-Reset as Unix time (Zenodo's form), at most an hour ahead; None if absent."""
    try:
        reset = float(response.headers.get("X-RateLimit-Reset", "").strip())
    except ValueError:
        return None
    return min(reset, time.time() + 3600)


def _wait_of(response: httpx.Response) -> float:
    """Seconds a 429 asks for: Retry-After, else until X-RateLimit-Reset, else 2."""
    if response.headers.get("Retry-After", "").strip():
        return _retry_after(response, 2.0)
    reset = _reset_of(response)
    return max(0.0, reset - time.time()) if reset is not None else 2.0


def _bounded(text: str, limit: int = 600) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class DepositClient:
    def __init__(self, http: ServiceHTTP, token: str):
        self.http = http
        self.token = token
        self.rate_limited = 0  # 429s waited out (tests read it)
        self._not_before = 0.0  # Unix time before which the rate-limit window is used up

    def _headers(self, json_body: bool = False) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if json_body:
            headers["Content-Type"] = "application/json"
        return headers

    def _error(self, response: httpx.Response, what: str, scope: str) -> EscapeError:
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = {}
        message = str(body.get("message") or "") if isinstance(body, dict) else ""
        if status == 401:
            return EscapeError(
                401,
                "zenodo_token_invalid",
                "Zenodo does not accept your token (expired, revoked or for another Zenodo): "
                "paste a new one in the publish settings.",
                service="zenodo",
                upstream_status=401,
            )
        if status == 403 and "permission to access the requested resource" in message:
            return EscapeError(
                403,
                "zenodo_token_scope",
                f"Your Zenodo token lacks the {scope} scope needed to {what}: create a token "
                "with the deposit:write and deposit:actions scopes on Zenodo's Applications page.",
                service="zenodo",
                upstream_status=403,
            )
        if status == 400 and isinstance(body, dict) and isinstance(body.get("errors"), list):
            fields = "; ".join(
                f"{e.get('field', '?')}: {e.get('message', '')}"
                for e in body["errors"][:20]
                if isinstance(e, dict)
            )
            return EscapeError(
                400,
                "zenodo_validation",
                self.http.redact(_bounded(f"Zenodo refused to {what}: {fields}.")),
                service="zenodo",
                upstream_status=400,
            )
        if status >= 500:
            return EscapeError(
                502,
                "zenodo_upstream_error",
                f"Zenodo is having trouble (HTTP {status}) while we {what}; try again later.",
                service="zenodo",
                upstream_status=status,
            )
        detail = f": {_bounded(message, 300)}" if message else ""
        return self.http.error_from_response(
            response, self.http.redact(f"Zenodo refused to {what} (HTTP {status}){detail}.")
        )

    async def _call(
        self,
        method: str,
        path: str,
        what: str,
        *,
        json: Any = None,
        content=None,
        params=None,
        scope: str = "deposit:write",
        ok: tuple[int, ...] = (200, 201, 202, 204),
    ) -> httpx.Response:
        waited = 0.0
        while True:
            pause = self._not_before - time.time()
            if pause > 0:  # Zenodo said the window is used up: wait for its reset first
                if waited + pause > PATIENCE:
                    raise self._slow_down(pause)
                waited += pause
                await asyncio.sleep(pause)
            body = content() if callable(content) else content
            response = await self._send(method, path, params, json, body)
            self._note_window(response)
            if response.status_code == 429:
                wait = _wait_of(response)
                if waited + wait > PATIENCE:
                    raise self._slow_down(wait)
                self.rate_limited += 1
                waited += wait
                await asyncio.sleep(wait)
                continue
            if response.status_code not in ok:
                raise self._error(response, what, scope)
            return response

    def _note_window(self, response: httpx.Response) -> None:
        """X-RateLimit-Remaining 0 with X-RateLimit-Reset: no request before the reset."""
        if response.headers.get("X-RateLimit-Remaining", "").strip() == "0":
            reset = _reset_of(response)
            if reset is not None:
                self._not_before = max(self._not_before, reset)

    @staticmethod
    def _slow_down(wait: float) -> EscapeError:
        return EscapeError(
            429,
            "zenodo_rate_limited",
            f"Zenodo asks us to slow down for {wait:.0f} s; retry the job then.",
            service="zenodo",
            upstream_status=429,
        )

    async def _send(self, method, path, params, json, content) -> httpx.Response:
        """One request, its answer read up to MAX_ANSWER bytes (a hostile or broken Zenodo
        cannot make us hold an endless body); redirects are never followed (ServiceHTTP)."""
        client = self.http._client_for_loop()
        request = client.build_request(
            method,
            self.http.url_for(path),
            params=params,
            headers=self._headers(json is not None),
            json=json,
            content=content,
        )
        try:
            response = await client.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise self.http._describe_transport_error(exc) from exc
        try:
            chunks, size = [], 0
            async for chunk in response.aiter_bytes():  # decoded: a zip bomb counts too
                size += len(chunk)
                if size > MAX_ANSWER:
                    raise EscapeError(
                        502,
                        "zenodo_bad_response",
                        f"Zenodo's answer is larger than {MAX_ANSWER // (1024 * 1024)} MiB; "
                        "we stopped reading it.",
                        service="zenodo",
                        upstream_status=response.status_code,
                    )
                chunks.append(chunk)
        except httpx.HTTPError as exc:
            raise self.http._describe_transport_error(exc) from exc
        finally:
            await response.aclose()
        headers = [
            (k, v)
            for k, v in response.headers.multi_items()
            if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")
        ]
        return httpx.Response(
            response.status_code,
            headers=headers,
            content=b"".join(chunks),
            request=request,
        )

    # ------------------------------------------------------------------ depositions
    async def probe(self) -> None:
        """Check the token and both scopes without changing anything: listing needs
        deposit:write; an action on a deposit that does not exist answers 404 when the token
        holds deposit:actions (the scope is checked before the deposit is looked up), 403
        when not."""
        await self._call("GET", "api/deposit/depositions", "list your uploads", params={"size": 1})
        response = await self._call(
            "POST",
            "api/deposit/depositions/0/actions/discard",
            "publish",
            scope="deposit:actions",
            ok=(400, 404),
        )
        assert response.status_code in (400, 404)

    async def list(self, size: int = 50) -> list[dict]:
        response = await self._call(
            "GET", "api/deposit/depositions", "list your uploads", params={"size": size}
        )
        body = response.json()
        return [d for d in body if isinstance(d, dict)] if isinstance(body, list) else []

    async def get(self, dep_id: int) -> dict:
        response = await self._call("GET", f"api/deposit/depositions/{int(dep_id)}", "read it")
        return response.json()

    async def create(self) -> dict:
        response = await self._call(
            "POST", "api/deposit/depositions", "create a deposition", json={}
        )
        return response.json()

    async def new_version(self, record_id: int) -> dict:
        response = await self._call(
            "POST",
            f"api/deposit/depositions/{int(record_id)}/actions/newversion",
            "make a new version",
            scope="deposit:actions",
        )
        latest = response.json().get("links", {}).get("latest_draft", "")
        draft_id = str(latest).rstrip("/").rsplit("/", 1)[-1]
        if not draft_id.isdigit():
            raise EscapeError(
                502,
                "zenodo_bad_response",
                "Zenodo did not name the new version's draft.",
                service="zenodo",
            )
        return await self.get(int(draft_id))

    async def delete_file(self, dep_id: int, file_id: str) -> None:
        await self._call(
            "DELETE",
            f"api/deposit/depositions/{int(dep_id)}/files/{quote(str(file_id), safe='')}",
            "remove the previous version's file",
        )

    def bucket_path(self, deposition: dict) -> str:
        """The bucket link as a path below our base URL; refused when it points elsewhere."""
        link = str((deposition.get("links") or {}).get("bucket") or "")
        base = self.http.base_url.rstrip("/") + "/"
        if not link.startswith(base) or ".." in link or "?" in link:
            raise EscapeError(
                502,
                "zenodo_bad_response",
                "Zenodo's bucket link does not lie below the configured Zenodo URL; "
                "nothing was uploaded.",
                service="zenodo",
            )
        return link[len(base) :]

    async def upload(self, bucket: str, key: str, path: Path, progress=None) -> dict:
        """PUT one file into the bucket, streamed; Zenodo's answer (with its checksum)."""

        def chunks() -> AsyncIterator[bytes]:
            async def gen():
                loop = asyncio.get_running_loop()
                fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
                with os.fdopen(fd, "rb") as handle:
                    while True:
                        block = await loop.run_in_executor(None, handle.read, CHUNK)
                        if not block:
                            break
                        if progress:
                            progress(len(block))
                        yield block

            return gen()

        response = await self._call(
            "PUT", f"{bucket}/{quote(key, safe='')}", f"upload {key}", content=chunks
        )
        return response.json()

    async def set_metadata(self, dep_id: int, metadata: dict) -> dict:
        response = await self._call(
            "PUT",
            f"api/deposit/depositions/{int(dep_id)}",
            "accept the metadata",
            json={"metadata": metadata},
        )
        return response.json()

    async def action(self, dep_id: int, action: str) -> dict | None:
        words = {
            "publish": "publish it",
            "edit": "open it for editing",
            "discard": "discard the changes",
        }
        response = await self._call(
            "POST",
            f"api/deposit/depositions/{int(dep_id)}/actions/{action}",
            words[action],
            scope="deposit:actions",
        )
        return response.json() if response.content else None

    async def delete(self, dep_id: int) -> None:
        await self._call(
            "DELETE",
            f"api/deposit/depositions/{int(dep_id)}",
            "delete the draft",
            ok=(201, 202, 204, 410),
        )

    async def requests(self) -> list[dict]:
        """The user's community inclusion requests (an empty list when Zenodo lists none)."""
        try:
            response = await self._call("GET", "api/requests", "list your requests")
        except EscapeError as err:
            if err.status in (403, 404):
                return []
            raise
        hits = (response.json().get("hits") or {}).get("hits") or []
        return [h for h in hits if isinstance(h, dict)]


def md5_of(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()
