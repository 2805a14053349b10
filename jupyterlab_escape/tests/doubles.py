"""Test doubles of upstream services, run as real HTTP servers on 127.0.0.1.

These are named doubles, not stand-ins: they answer only the few endpoints a test needs, with the
shapes documented by REANA (``GET /api/ping``) and Zenodo (``GET /api/records``). The Rucio side of
every test uses the real Rucio testbed instead.
"""

from __future__ import annotations

import asyncio
import json
import socket
from dataclasses import dataclass, field

import tornado.httpserver
import tornado.web


@dataclass
class DoubleState:
    hits: list[str] = field(default_factory=list)
    """Request paths with query strings, in arrival order."""
    headers: list[dict[str, str]] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)
    """HTTP statuses to answer before behaving normally (for retry tests)."""


class _Handler(tornado.web.RequestHandler):
    def initialize(
        self, state: DoubleState, body: dict | None = None, raw: str | None = None, delay=0.0
    ):
        self.state = state
        self.body = body
        self.raw = raw
        self.delay = delay

    async def get(self):
        self.state.hits.append(f"{self.request.method} {self.request.uri}")
        if self.delay:
            await asyncio.sleep(self.delay)
        self.state.headers.append(dict(self.request.headers))
        if self.state.fail_next:
            self.set_status(self.state.fail_next.pop(0))
            self.finish("upstream trouble")
            return
        if self.raw is not None:
            self.finish(self.raw)
            return
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(self.body))

    post = get


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class UpstreamDouble:
    """One HTTP server with fixed JSON answers, on a free loopback port."""

    def __init__(self, routes: dict[str, dict | str], delay: float = 0.0):
        self.state = DoubleState()
        handlers = []
        for path, answer in routes.items():
            kwargs = {"state": self.state, "delay": delay}
            kwargs["raw" if isinstance(answer, str) else "body"] = answer
            handlers.append((path, _Handler, kwargs))
        # No access log: it is the upstream's log (with its query strings), not ours, and the
        # leak tests read every log record of the test process.
        self.app = tornado.web.Application(handlers, log_function=lambda handler: None)
        self.port = free_port()
        self.server: tornado.httpserver.HTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> UpstreamDouble:
        self.server = self.app.listen(self.port, address="127.0.0.1")
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


def reana_double(version: str = "0.9.4") -> UpstreamDouble:
    return UpstreamDouble(
        {
            r"/api/ping": {"message": "OK", "status": "200", "reana_server_version": version},
        }
    )


def zenodo_double(total: int = 42) -> UpstreamDouble:
    return UpstreamDouble(
        {r"/api/records": {"hits": {"hits": [], "total": total}, "aggregations": {}}}
    )
