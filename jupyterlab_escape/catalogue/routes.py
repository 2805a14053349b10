"""Routes of the Software Catalogue under /escape/catalogue: thin handlers (parse, call, write)."""

from __future__ import annotations

import asyncio
import re

import tornado.web

from ..handler import EscapeHandler, job_routes
from ..http import EscapeError
from .catalogue import Catalogue, check_record_id
from .client import RateLimited
from .fetch import KIND, CatalogueFetchRunner
from .publish import KIND as PUBLISH_KIND
from .publish import PublishService


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
        images = self.flag_arg("images")
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
        body = self.json_body()
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


class PublishHandler(CatalogueHandler):
    @property
    def publishing(self) -> PublishService:
        return self.extensionapp.catalogue_publish

    def body(self) -> dict:
        return self.json_body()

    @staticmethod
    def path_of(body: dict) -> str:
        path = body.get("path")
        if not isinstance(path, str) or not path:
            raise EscapeError(400, "bad_request", "path is a folder or notebook in the workspace.")
        return path

    @staticmethod
    def files_of(body: dict) -> list[str] | None:
        files = body.get("files")
        if files is not None and not (
            isinstance(files, list) and all(isinstance(f, str) for f in files)
        ):
            raise EscapeError(400, "bad_request", "files is a list of paths inside the folder.")
        return files


class TokenHandler(PublishHandler):
    """``GET``/``PUT``/``DELETE /escape/catalogue/publish/token``: the user's Zenodo token
    (never echoed: the answer says whether one is stored, and for which Zenodo)."""

    @tornado.web.authenticated
    async def get(self) -> None:
        self.write_json(self.publishing.describe_identity())

    @tornado.web.authenticated
    async def put(self) -> None:
        body = self.body()
        self.write_json(
            await self.publishing.save_token(body.get("token"), bool(body.get("sandbox")))
        )

    @tornado.web.authenticated
    async def delete(self) -> None:
        self.publishing.identity.clear()
        self.set_status(204)
        await self.finish()


class CodemetaHandler(PublishHandler):
    """``POST /escape/catalogue/publish/prepare``: codemeta (read or generated), its problems by
    field, the Zenodo metadata, and what would be uploaded."""

    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.body()
        path, files = self.path_of(body), self.files_of(body)
        loop = asyncio.get_running_loop()
        self.write_json(await loop.run_in_executor(None, self.publishing.prepare, path, files))


class CodemetaCheckHandler(PublishHandler):
    """``POST /escape/catalogue/publish/check``: problems and Zenodo metadata of a codemeta."""

    @tornado.web.authenticated
    async def post(self) -> None:
        self.write_json(self.publishing.check(self.body().get("codemeta")))


class PublishStartHandler(PublishHandler):
    """``POST /escape/catalogue/publish``: a ``catalogue.publish`` job that stops at a draft."""

    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.body()
        path, files = self.path_of(body), self.files_of(body)
        record_id = body.get("record_id")
        if record_id is not None and not (
            isinstance(record_id, str) and re.fullmatch(r"\d{1,12}", record_id)
        ):
            raise EscapeError(400, "bad_request", "record_id is the number of your record.")
        key = body.get("idempotency_key")
        if key is not None and not (
            isinstance(key, str) and re.fullmatch(r"[A-Za-z0-9_-]{8,80}", key)
        ):
            raise EscapeError(400, "bad_request", "idempotency_key must be 8-80 letters/digits.")
        job = self.publishing.start(path, body.get("codemeta"), files, record_id, key)
        self.write_json(self.extensionapp.jobs.summary(job), status=202)


class UploadsHandler(PublishHandler):
    """``GET /escape/catalogue/publish/uploads``: the user's drafts and published records."""

    @tornado.web.authenticated
    async def get(self) -> None:
        self.write_json(await self.publishing.uploads())


class UploadHandler(PublishHandler):
    """``GET /escape/catalogue/publish/uploads/<id>``: one upload with its metadata and files
    (what publishing would make public)."""

    @tornado.web.authenticated
    async def get(self, upload_id: str) -> None:
        self.write_json(await self.publishing.upload(upload_id))


class UploadActionHandler(PublishHandler):
    """``POST /escape/catalogue/publish/uploads/<id>/<action>``: ``publish`` (with
    ``confirm: true``), ``edit``, ``discard``, ``metadata`` (a new codemeta)."""

    @tornado.web.authenticated
    async def post(self, upload_id: str, action: str) -> None:
        result = await self.publishing.act(upload_id, action, self.body())
        if result is None:
            self.set_status(204)
            await self.finish()
            return
        self.write_json(result)


# Ids are matched loosely and validated in the handlers: a bad id gets a clear 400, not a 404.
_ID = r"(?P<record_id>[^/]+)"
routes = [
    (r"/escape/catalogue/search", SearchHandler),
    (rf"/escape/catalogue/records/{_ID}", RecordHandler),
    (rf"/escape/catalogue/records/{_ID}/versions", VersionsHandler),
    (rf"/escape/catalogue/records/{_ID}/citation", CitationHandler),
    (rf"/escape/catalogue/records/{_ID}/fetch", FetchStartHandler),
    (r"/escape/catalogue/publish", PublishStartHandler),
    (r"/escape/catalogue/publish/token", TokenHandler),
    (r"/escape/catalogue/publish/prepare", CodemetaHandler),
    (r"/escape/catalogue/publish/check", CodemetaCheckHandler),
    (r"/escape/catalogue/publish/uploads", UploadsHandler),
    (r"/escape/catalogue/publish/uploads/(?P<upload_id>[^/]+)", UploadHandler),
    (
        r"/escape/catalogue/publish/uploads/(?P<upload_id>[^/]+)/(?P<action>\w+)",
        UploadActionHandler,
    ),
    *job_routes("catalogue", KIND, PUBLISH_KIND),
]
