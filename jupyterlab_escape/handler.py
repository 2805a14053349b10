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


class EscapeHandler(ExtensionHandlerMixin, APIHandler):
    """Subclasses decorate every verb method with ``@tornado.web.authenticated``."""

    @property
    def services(self):
        return self.extensionapp.services

    @property
    def workspace(self):
        """The one path rule (``workspace.Workspace``) every slice writes through."""
        return self.extensionapp.workspace

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
