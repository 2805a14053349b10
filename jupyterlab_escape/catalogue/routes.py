"""Routes of the Software Catalogue under /escape/catalogue: thin handlers (parse, call, write)."""

from __future__ import annotations

import re

import tornado.web

from ..handler import EscapeHandler, job_routes
from ..http import EscapeError
from .catalogue import Catalogue, check_record_id
from .client import RateLimited
from .fetch import KIND, CatalogueFetchRunner


class CatalogueHandler(EscapeHandler):
    """The app's one Catalogue and its fetch runner (built in ``app.py``)."""

    @property
    def catalogue(self) -> Catalogue:
        return self.extensionapp.catalogue

    @property
    def fetches(self) -> CatalogueFetchRunner:
        return self.extensionapp.catalogue_fetch

    def write_error(self, status_code: int, **kwargs) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, RateLimited):
            self.set_header("Retry-After", str(exc.retry_after))
        super().write_error(status_code, **kwargs)

    def args(self) -> dict[str, list[str]]:
        return {
            k: [v.decode("utf-8", "replace") for v in vs]
            for k, vs in self.request.arguments.items()
        }


class SearchHandler(CatalogueHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        result = await self.catalogue.search(self.args())
        # Time spent in the proxy for this request (the benchmark reads it).
        self.set_header("Server-Timing", f"proxy;dur={self.request.request_time() * 1000:.2f}")
        self.write_json(result)


class RecordHandler(CatalogueHandler):
    @tornado.web.authenticated
    async def get(self, record_id: str) -> None:
        images = self.get_query_argument("images", "0") in ("1", "true")
        self.write_json(await self.catalogue.record(record_id, images=images))


class VersionsHandler(CatalogueHandler):
    @tornado.web.authenticated
    async def get(self, record_id: str) -> None:
        self.write_json({"versions": await self.catalogue.versions(record_id)})


class CitationHandler(CatalogueHandler):
    @tornado.web.authenticated
    async def get(self, record_id: str) -> None:
        style = self.get_query_argument("style", "bibtex")
        self.write_json(await self.catalogue.citation(record_id, style))


class FetchStartHandler(CatalogueHandler):
    """``POST /records/<id>/fetch`` starts a job (202 and its summary); the job routes follow
    it under ``/escape/catalogue/jobs``."""

    @tornado.web.authenticated
    async def post(self, record_id: str) -> None:
        check_record_id(record_id)
        body = self.get_json_body() or {}
        if not isinstance(body, dict):
            raise EscapeError(400, "bad_request", "Send a JSON object.")
        keys = body.get("keys")
        if keys is not None and not (
            isinstance(keys, list) and all(isinstance(k, str) for k in keys)
        ):
            raise EscapeError(400, "bad_request", "keys is a list of file names.")
        dest = body.get("dest")
        if dest is not None and not isinstance(dest, str):
            raise EscapeError(400, "bad_request", "dest is a folder path inside the workspace.")
        key = body.get("idempotency_key")
        if key is not None and not (
            isinstance(key, str) and re.fullmatch(r"[A-Za-z0-9_-]{8,80}", key)
        ):
            raise EscapeError(400, "bad_request", "idempotency_key must be 8-80 letters/digits.")
        record = await self.catalogue.record(record_id)
        job = self.fetches.start(record, keys, dest, bool(body.get("extract")), key)
        self.write_json(self.extensionapp.jobs.summary(job), status=202)


# Ids are matched loosely and validated in the handlers: a bad id gets a clear 400, not a 404.
_ID = r"(?P<record_id>[^/]+)"
routes = [
    (r"/escape/catalogue/search", SearchHandler),
    (rf"/escape/catalogue/records/{_ID}", RecordHandler),
    (rf"/escape/catalogue/records/{_ID}/versions", VersionsHandler),
    (rf"/escape/catalogue/records/{_ID}/citation", CitationHandler),
    (rf"/escape/catalogue/records/{_ID}/fetch", FetchStartHandler),
    *job_routes("catalogue", KIND),
]
