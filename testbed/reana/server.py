"""The REANA STAND-IN: a local HTTP server answering the REANA 0.9 REST API a launcher uses.

It is a test double, not REANA: no Kubernetes, no database, state in memory, workflows "run" on a
timer (created -> queued -> running, one job per serial step with growing logs -> finished or
failed; stop; delete; restart as ``name.N.1``) and produce their declared outputs. Every request it
receives and every response it sends is checked against the official Swagger spec read from the
``reana-commons`` distribution (see contract.py); a mismatch answers 500 with the error and logs it,
so tests catch contract drift on either side.

This module is the HTTP side (contract checks, auth, dispatch); ``state.py`` holds the workflows,
``simulator.py`` runs them, ``routes.py`` has one function per REST operation.

Auth is REANA 0.9's: the ``access_token`` query parameter; none -> 401 "User not signed in", wrong
-> 403 "Token not valid.". ``Authorization: Bearer`` is accepted only when ``bearer=True`` (the
coming OIDC mode), never by default. With an ``OidcCheck`` (bearer mode behind an OpenID Connect
provider, as testbed/hub runs one) a bearer token must be a JWT signed by a key of the provider's
JWKS, from its issuer, for the audience, and not expired (PyJWT); anything else is 403.
"""

from __future__ import annotations

import json
import logging
import re
import time
from urllib.parse import parse_qs, unquote, urlsplit

import tornado.web

from .contract import Contract, ContractError
from .oidc import OidcCheck
from .routes import Api, route_key
from .state import DEFAULT_TOKEN, ApiError, Reply, State, Timing

log = logging.getLogger("reana-standin")

PUBLIC = {("GET", "/api/ping"), ("GET", "/api/config"), ("GET", "/api/status")}
# signin_required answers these for every protected route, declared in the spec or not.
AUTH_STATUSES = (401, 403)


class ApiHandler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("GET", "POST", "PUT", "DELETE")

    def initialize(self, state: State, bearer: bool = False, oidc: OidcCheck | None = None):
        self.state = state
        self.bearer = bearer
        self.oidc = oidc

    def check_xsrf_cookie(self):
        pass

    def set_default_headers(self):
        self.set_header("Server", "reana-standin")

    async def get(self, *_):
        await self.serve()

    async def post(self, *_):
        await self.serve()

    async def put(self, *_):
        await self.serve()

    async def delete(self, *_):
        await self.serve()

    def query(self) -> dict[str, list[str]]:
        raw = urlsplit(self.request.uri).query
        return {k: v for k, v in parse_qs(raw, keep_blank_values=True).items()}

    async def serve(self):
        state = self.state
        state.requests += 1
        path = unquote(self.request.path)
        query = self.query()
        content_type = self.request.headers.get("Content-Type", "")
        op, args, _ = state.contract.match(self.request.method, path)
        if op is not None and (self.request.method, op.path) not in PUBLIC:
            problem = self.auth_problem(query)
            if problem:
                query.pop("access_token", None)
                return self.send(op, Reply({"message": problem[1]}, problem[0]))
        checked = query
        if self.bearer and "access_token" not in query and op is not None:
            # The 0.9 spec requires ?access_token=; the OIDC mode replaces it with the header.
            checked = dict(query, access_token=["(bearer)"])
        try:
            op, args = state.contract.validate_request(
                self.request.method, path, checked, content_type, self.request.body
            )
        except ContractError as error:
            return self.violation(f"stand-in contract violation (request): {error}")
        handler = getattr(Api, f"{op.method.lower()}_{route_key(op.path)}", None)
        if handler is None:
            return self.violation(f"stand-in does not implement {op.method} {op.path}", 501)
        flat = {k: v[-1] for k, v in query.items()}
        flat["_multi"] = query
        try:
            reply = handler(state, args, flat, self.request.body)
        except ApiError as error:
            reply = Reply({"message": error.message}, error.status)
        self.send(op, reply)

    def auth_problem(self, query) -> tuple[int, str] | None:
        token = (query.get("access_token") or [None])[-1]
        header = self.request.headers.get("Authorization", "")
        if token is None and self.bearer and header.lower().startswith("bearer "):
            token = header[7:].strip()
            if self.oidc is not None:
                return None if self.oidc.valid(token) else (403, "Token not valid.")
        if not token:
            return 401, "User not signed in"
        if token != self.state.token:
            return 403, "Token not valid."
        return None

    def send(self, op, reply: Reply):
        if isinstance(reply.body, (bytes, bytearray)):
            body = bytes(reply.body)
        else:
            body = json.dumps(reply.body).encode()
        if not (reply.status in AUTH_STATUSES and "message" in (reply.body or {})):
            try:
                self.state.contract.validate_response(op, reply.status, reply.content_type, body)
            except ContractError as error:
                return self.violation(f"stand-in contract violation (response): {error}")
        self.set_status(reply.status)
        self.set_header("Content-Type", reply.content_type)
        for key, value in reply.headers.items():
            self.set_header(key, value)
        self.finish(body)

    def violation(self, message: str, status: int = 500):
        redacted = re.sub(r"access_token=[^&\s]*", "access_token=REDACTED", message)
        self.state.violations.append(redacted)
        log.error("%s", redacted)
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"message": redacted, "standin_contract_violation": True}))

    def log_exception(self, typ, value, tb):
        log.error("stand-in bug", exc_info=(typ, value, tb))


class StatsHandler(tornado.web.RequestHandler):
    """Stand-in only (outside /api): what reached it and every contract violation seen."""

    def initialize(self, state: State):
        self.state = state

    def get(self):
        self.finish(
            {
                "standin": "reana",
                "spec_version": self.state.contract.version,
                "spec_source": self.state.contract.source,
                "requests": self.state.requests,
                "workflows": len(self.state.workflows),
                "violations": self.state.violations,
                "time": time.time(),
            }
        )


class CaptureHandler(tornado.web.RequestHandler):
    """Stand-in only: what a client sent for one workflow (create body, uploads, start body)."""

    def initialize(self, state: State):
        self.state = state

    def get(self, ref):
        workflow = self.state.workflows.get(ref)
        if workflow is None:
            raise tornado.web.HTTPError(404)
        self.finish(
            {
                "capture": workflow.capture,
                "status": workflow.status,
                "logs": "".join(workflow.engine_log),
            }
        )


def make_app(
    contract: Contract | None = None,
    token: str = DEFAULT_TOKEN,
    timing: Timing | None = None,
    bearer: bool = False,
    oidc: OidcCheck | None = None,
) -> tornado.web.Application:
    state = State(contract or Contract.from_dist(), token, timing)
    app = tornado.web.Application(
        [
            (r"/_standin/stats", StatsHandler, {"state": state}),
            (r"/_standin/workflows/([^/]+)/capture", CaptureHandler, {"state": state}),
            (r"/api/.*", ApiHandler, {"state": state, "bearer": bearer, "oidc": oidc}),
        ]
    )
    app.standin_state = state
    return app
