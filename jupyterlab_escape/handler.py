"""Base class of every /escape/ route: authenticated, and one error envelope for all failures."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

import tornado.web
from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin

from .http import EscapeError

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
}
_FLAGS = {"1": True, "true": True, "0": False, "false": False}


class EscapeHandler(ExtensionHandlerMixin, APIHandler):
    """Subclasses decorate every verb method with ``@tornado.web.authenticated``."""

    @property
    def services(self):
        return self.extensionapp.services

    @property
    def workspace(self):
        """The one path rule (``workspace.Workspace``) every slice writes through."""
        return self.extensionapp.workspace

    def json_body(self) -> dict:
        """The request's JSON object: anything else (bad JSON, bad UTF-8, a list) is a 400."""
        try:
            body = json.loads(self.request.body or b"{}")
        except (ValueError, RecursionError):  # UnicodeDecodeError included; nested too deep
            raise EscapeError(400, "bad_request", "Send a JSON object.") from None
        if not isinstance(body, dict):
            raise EscapeError(400, "bad_request", "Send a JSON object.")
        return body

    def flag_arg(self, name: str) -> bool:
        """A yes/no query parameter: ``1``/``true`` or ``0``/``false`` (absent: no)."""
        value = self.get_query_argument(name, "0")
        if value not in _FLAGS:
            raise EscapeError(400, "bad_request", f"{name} must be 1, 0, true or false.")
        return _FLAGS[value]

    def int_arg(self, name: str, default: int, lo: int = 1, hi: int = 1000) -> int:
        """A whole-number query parameter (absent: ``default``), brought within [lo, hi]."""
        value = self.get_query_argument(name, None)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            raise EscapeError(400, "bad_request", f"{name} must be a whole number.") from None
        return max(lo, min(hi, number))

    def write_json(self, payload: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(payload))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, EscapeError):
            error = exc
        elif isinstance(exc, tornado.web.HTTPError) and exc.status_code < 500:
            reason = exc.log_message or exc.reason or HTTPStatus(exc.status_code).phrase
            error = EscapeError(exc.status_code, _CODES.get(exc.status_code, "http_error"), reason)
        else:
            error = EscapeError(
                500, "internal_error", "Internal error in jupyterlab-escape; see the server log."
            )
        self.set_status(error.status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(error.envelope()))

    def log_exception(self, typ, value, tb) -> None:
        if isinstance(value, EscapeError):
            self.log.warning(
                "%s %s -> %s %s", self.request.method, self.request.path, value.status, value.code
            )
            return
        super().log_exception(typ, value, tb)

    # Tornado maps non-HTTPError exceptions to 500; ours carry their own status.
    def _handle_request_exception(self, e: BaseException) -> None:
        if isinstance(e, EscapeError):
            self.log_exception(type(e), e, e.__traceback__)
            if not self._finished:
                self.send_error(e.status, exc_info=(type(e), e, e.__traceback__))
            return
        super()._handle_request_exception(e)


class UnknownPathHandler(EscapeHandler):
    """Any other path below ``/escape/`` (registered last): 404 in the error envelope, whatever
    the verb, instead of Jupyter's HTML page. ``x-unknown-path`` in openapi.yaml describes it."""

    def _unknown(self, *args: str) -> None:
        raise EscapeError(
            404,
            "not_found",
            f"No such route: {self.request.method} {self.request.path[:200]}. "
            "GET /escape/openapi.yaml lists the routes.",
        )

    get = tornado.web.authenticated(_unknown)
    post = tornado.web.authenticated(_unknown)
    put = tornado.web.authenticated(_unknown)
    patch = tornado.web.authenticated(_unknown)
    delete = tornado.web.authenticated(_unknown)


# /escape, /escape/ and anything below; never /escapes.
UNKNOWN_PATH_ROUTE = (r"/escape/?(?:/.*)?", UnknownPathHandler)


class JobsHandler(EscapeHandler):
    """``GET /escape/<slice>/jobs``: the slice's jobs, newest first."""

    kinds: tuple[str, ...] = ()

    @property
    def store(self):
        return self.extensionapp.jobs

    @tornado.web.authenticated
    async def get(self) -> None:
        self.write_json({"jobs": self.store.list(self.kinds)})


class JobHandler(JobsHandler):
    """``GET``/``DELETE /escape/<slice>/jobs/<id>``: one job with its items; forget a finished
    one."""

    @tornado.web.authenticated
    async def get(self, job_id: str) -> None:
        self.write_json(self.store.detail(self.store.get(job_id, self.kinds)))

    @tornado.web.authenticated
    async def delete(self, job_id: str) -> None:
        await self.store.remove(job_id, self.kinds)
        self.set_status(204)
        await self.finish()


class JobActionHandler(JobsHandler):
    """``POST /escape/<slice>/jobs/<id>/cancel`` and ``…/retry`` (retry resumes an interrupted
    job). Its own class: the verbs of ``JobHandler`` take no action, and other verbs get 405."""

    get = tornado.web.RequestHandler.get  # JobsHandler's listing is not served here

    @tornado.web.authenticated
    async def post(self, job_id: str, action: str) -> None:
        if action == "cancel":
            job = self.store.cancel(job_id, self.kinds)
        else:  # the route takes only cancel and retry
            job = self.store.retry(job_id, self.kinds)
        self.write_json(self.store.summary(job))


def job_routes(slice_name: str, *kinds: str, prefix: str = "jobs") -> list[tuple[str, type]]:
    """The one set of job routes of a slice: same verbs and meanings in every slice."""
    attrs = {"kinds": kinds}
    listing = type(f"{slice_name.title()}JobsHandler", (JobsHandler,), attrs)
    single = type(f"{slice_name.title()}JobHandler", (JobHandler,), attrs)
    action = type(f"{slice_name.title()}JobActionHandler", (JobActionHandler,), attrs)
    base = f"/escape/{slice_name}/{prefix}"
    # Other actions fall through to the unknown-path route (404 in the envelope).
    return [(base, listing), (base + r"/(\w+)", single), (base + r"/(\w+)/(cancel|retry)", action)]
