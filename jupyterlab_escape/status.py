"""GET /escape/status: is each upstream service configured, and does it answer right now?

It only assembles: each slice's client knows how to ping its own service (``ping()``)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from typing import Any

import tornado.web

from .config import ServiceConfig, public_url
from .handler import EscapeHandler
from .http import EscapeError

# Probes must be quick: the view is interactive.
PROBE_TIMEOUT_S = 5.0


async def probe(config: ServiceConfig, ping: Callable[[], Awaitable[dict]]) -> dict[str, Any]:
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
        result = await asyncio.wait_for(ping(), timeout=PROBE_TIMEOUT_S)
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


async def service_status(app) -> dict[str, Any]:
    """Each slice's client pings its own service; this module speaks no protocol itself."""
    services = app.services
    pings = {
        "rucio": app.rucio_instances.default.client.ping,
        "reana": app.workflows.client.ping,
        "zenodo": app.catalogue.client.ping,
    }
    reports = await asyncio.gather(
        *(probe(config, pings[config.service_id]) for config in services.all())
    )
    return {
        "checked_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "services": list(reports),
    }


class StatusHandler(EscapeHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        self.write_json(await service_status(self.extensionapp))


routes = [(r"/escape/status", StatusHandler)]
