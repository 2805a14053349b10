"""GET /escape/status: is each upstream service configured, does it answer right now, and does
the configured identity sign in?

It only assembles: each slice's client knows how to ping its own service (``ping()``) and how
to check who it signs in as (``identity()``)."""

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


def _identity_report(**values: Any) -> dict[str, Any]:
    report = {
        "signs_in": None,
        "account": None,
        "expires_at": None,
        "detail": None,
        "reason": None,
    }
    report.update(values)
    return report


async def check_identity(
    config: ServiceConfig, identity: Callable[[], Awaitable[dict | None]]
) -> dict[str, Any]:
    """Whether the configured identity signs in: True with the account, False with the
    upstream's words, None when there is nothing to check (no identity configured)."""
    try:
        result = await asyncio.wait_for(identity(), timeout=PROBE_TIMEOUT_S)
    except EscapeError as err:
        return _identity_report(signs_in=False, reason=err.message, code=err.code)
    except asyncio.TimeoutError:
        return _identity_report(
            signs_in=False,
            reason=f"Signing in gave no answer within {PROBE_TIMEOUT_S:g} s.",
            code=f"{config.service_id}_timeout",
        )
    if result is None:
        return _identity_report(reason=NOTHING_TO_CHECK.get(config.service_id))
    return _identity_report(signs_in=True, **result)


NOTHING_TO_CHECK = {
    "zenodo": "No Zenodo token is stored: searching needs none; publishing asks for one.",
}


async def probe(
    config: ServiceConfig,
    ping: Callable[[], Awaitable[dict]],
    identity: Callable[[], Awaitable[dict | None]] | None = None,
) -> dict[str, Any]:
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
        "identity": _identity_report(),
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
        if identity is not None:
            # Reachable is not enough: a wrong password or token must show here too.
            report["identity"] = await check_identity(config, identity)
    return report


def _zenodo_identity(app) -> Callable[[], Awaitable[dict | None]]:
    publishing = app.catalogue_publish

    async def check() -> dict | None:
        if not publishing.identity.configured:
            return await app.catalogue.client.identity(None, False)
        sandbox = publishing.identity.sandbox
        return await app.catalogue.client.identity(publishing.client(sandbox), sandbox)

    return check


async def service_status(app) -> dict[str, Any]:
    """Each slice's client pings its own service; this module speaks no protocol itself."""
    services = app.services
    pings = {
        "rucio": app.rucio_instances.default.client.ping,
        "reana": app.workflows.client.ping,
        "zenodo": app.catalogue.client.ping,
    }
    identities = {
        "rucio": app.rucio_instances.default.client.identity,
        "reana": app.workflows.client.identity,
        "zenodo": _zenodo_identity(app),
    }
    reports = await asyncio.gather(
        *(
            probe(config, pings[config.service_id], identities[config.service_id])
            for config in services.all()
        )
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
