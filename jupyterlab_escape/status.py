"""GET /escape/status: is each upstream service configured, and does it answer right now?"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timezone
from typing import Any

import tornado.web

from .config import ServiceConfig, public_url
from .handler import EscapeHandler
from .http import EscapeError, ServiceHTTP
from .services import Services

# Probes must be quick: the view is interactive.
PROBE_TIMEOUT_S = 5.0


async def _probe_json(http: ServiceHTTP, path: str, params=None) -> tuple[Any, float]:
    started = time.perf_counter()
    response = await asyncio.wait_for(
        http.request("GET", path, params=params, retries=0), timeout=PROBE_TIMEOUT_S
    )
    rtt_ms = (time.perf_counter() - started) * 1000
    try:
        body = response.json()
    except ValueError as exc:
        raise EscapeError(
            502,
            f"{http.service}_bad_response",
            f"{http.config.display_name} answered, but not with JSON: is the URL right?",
            service=http.service,
        ) from exc
    return body, rtt_ms


async def _rucio(http: ServiceHTTP) -> dict[str, Any]:
    body, rtt = await _probe_json(http, "ping")
    version = body.get("version") if isinstance(body, dict) else None
    if not version:
        raise EscapeError(
            502,
            "rucio_bad_response",
            "The URL answers, but not like a Rucio server.",
            service="rucio",
        )
    config = http.config
    detail = config.instance_display_name
    if config.account:
        detail += f"; account {config.account} ({config.auth_type})"
    return {"version": str(version), "rtt_ms": rtt, "detail": detail}


async def _reana(http: ServiceHTTP) -> dict[str, Any]:
    body, rtt = await _probe_json(http, "api/ping")
    if not isinstance(body, dict) or str(body.get("status")) != "200":
        raise EscapeError(
            502,
            "reana_bad_response",
            "The URL answers, but not like a REANA server.",
            service="reana",
        )
    version = body.get("reana_server_version")
    detail = f"REANA {version}" if version else "REANA answers (version not reported)"
    if not http.config.access_token:
        detail += "; no access token configured, so workflows cannot be submitted"
    return {"version": version, "rtt_ms": rtt, "detail": detail}


async def _zenodo(http: ServiceHTTP) -> dict[str, Any]:
    community = http.config.community
    body, rtt = await _probe_json(http, "api/records", params={"communities": community, "size": 1})
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


PROBES = {"rucio": _rucio, "reana": _reana, "zenodo": _zenodo}


async def probe(config: ServiceConfig, http: ServiceHTTP) -> dict[str, Any]:
    report: dict[str, Any] = {
        "id": config.service_id,
        "name": config.display_name,
        "configured": config.configured,
        "url": public_url(config.url),
        "reachable": False,
        "version": None,
        "rtt_ms": None,
        "detail": None,
        "reason": None,
    }
    if not config.configured:
        report["reason"] = f"To use it, {config.how_to_configure()}."
        return report
    try:
        result = await PROBES[config.service_id](http)
    except EscapeError as err:
        report["reason"] = err.message
        report["code"] = err.code
    except asyncio.TimeoutError:
        report["reason"] = f"No answer within {PROBE_TIMEOUT_S:g} s."
        report["code"] = f"{config.service_id}_timeout"
    else:
        report.update(result, reachable=True)
        report["rtt_ms"] = round(report["rtt_ms"], 1)
    return report


async def service_status(services: Services) -> dict[str, Any]:
    reports = await asyncio.gather(
        *(probe(config, services.http[config.service_id]) for config in services.all())
    )
    return {
        "checked_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "services": list(reports),
    }


class StatusHandler(EscapeHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        self.write_json(await service_status(self.services))


routes = [(r"/escape/status", StatusHandler)]
