"""Routes of the Data Lake slice: thin handlers over the Rucio client."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator

import tornado.web
from tornado.iostream import StreamClosedError

from ..config import public_url
from ..handler import EscapeHandler, JobsHandler, job_routes
from ..http import EscapeError
from .client import did_type
from .details import did_details
from .did import DID, Query, bad_input, filters_literal, rucio_type
from .fetch import KIND
from .replica import replica_status
from .upload import DID_COLUMNS, NAME_MAX, NAME_RE, READBACK_MAX, WRITE_SCHEMES
from .upload import KIND as UPLOAD_KIND

DEFAULT_LIMIT = 1000
MAX_LIMIT = 1_000_000
FLUSH_LINES = 500
FLUSH_SECONDS = 0.05


def _limit(value: str | None) -> int:
    try:
        limit = int(value) if value is not None else DEFAULT_LIMIT
    except ValueError:
        raise bad_input(f"limit must be a number, got '{value}'.") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise bad_input(f"limit must be between 1 and {MAX_LIMIT}.")
    return limit


def _row(item) -> dict:
    if isinstance(item, str):  # long=false answers bare names
        return {"name": item}
    return {
        "scope": item.get("scope"),
        "name": item.get("name"),
        "type": did_type(item.get("did_type") or item.get("type")),
        "bytes": item.get("bytes"),
        "length": item.get("length"),
    }


class DatalakeHandler(EscapeHandler):
    @property
    def instance(self):
        """The Rucio instance the request is for (?instance=name, the first by default)."""
        return self.extensionapp.rucio_instances.get(self.get_argument("instance", None))

    @property
    def rucio(self):
        return self.instance.client

    def did_argument(self) -> DID:
        return DID.parse(self.get_argument("did", ""))

    async def stream(self, items: AsyncIterator[dict]) -> None:
        """Forward a listing as NDJSON while it arrives; never hold it whole.

        Errors before the first line become a normal error response; later ones end the stream
        with one error-envelope line (the status is already sent).
        """
        self.set_header("Content-Type", "application/x-ndjson; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Accel-Buffering", "no")
        buffer: list[str] = []
        sent_any = False
        last_flush = time.monotonic()
        try:
            async for item in items:
                buffer.append(json.dumps(item, separators=(",", ":")))
                now = time.monotonic()
                if not sent_any or len(buffer) >= FLUSH_LINES or now - last_flush > FLUSH_SECONDS:
                    self.write("\n".join(buffer) + "\n")
                    buffer.clear()
                    await self.flush()
                    sent_any, last_flush = True, now
        except StreamClosedError:
            return  # the browser stopped the search: stop reading from Rucio too
        except EscapeError as err:
            if not sent_any:
                raise
            buffer.append(json.dumps(err.envelope()))
        if buffer:
            self.write("\n".join(buffer) + "\n")
        try:
            # Send the NDJSON headers even for an empty listing: APIHandler.finish() would
            # otherwise relabel an empty body as JSON.
            await self.flush()
            await self.finish()
        except StreamClosedError:
            pass


class WhoamiHandler(DatalakeHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        instance = self.instance
        config = instance.config
        account = await instance.client.whoami()
        self.write_json(
            {
                "instance": {
                    "name": config.instance_name,
                    "display_name": config.instance_display_name,
                    "url": public_url(config.url),
                    "webui_url": public_url(config.webui_url) or None,
                },
                "account": {
                    k: account.get(k) for k in ("account", "account_type", "status", "email")
                },
                "auth": instance.client.auth.describe(),
                "instances": self.extensionapp.rucio_instances.describe(),
                "fetch": {
                    "mode": "replica" if config.mode == "replica" else "download",
                    "destination_rse": config.destination_rse or None,
                    "fetch_dir": config.fetch_dir,
                },
            }
        )


class ScopesHandler(DatalakeHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        self.write_json({"scopes": await self.rucio.scopes()})


class MetaKeysHandler(DatalakeHandler):
    """The metadata keys a search filter can name: Rucio's DID columns and, where the server
    has them, its metadata conventions (suggestions for the filter's key field)."""

    @tornado.web.authenticated
    async def get(self) -> None:
        conventions = await self.rucio.meta_conventions()
        keys = sorted(set(DID_COLUMNS) - {"guid"} | {str(c) for c in conventions})
        self.write_json({"keys": keys, "conventions": bool(conventions)})


class SearchHandler(DatalakeHandler):
    """GET ?q=scope[:pattern]&type=all&limit=1000&filters=[{"key","op","value"}]"""

    @tornado.web.authenticated
    async def get(self) -> None:
        query = Query.parse(self.get_argument("q", ""))
        await self.rucio.require_scope(query.scope)
        kind = rucio_type(self.get_argument("type", "all"))
        limit = _limit(self.get_argument("limit", None))
        params = {"type": kind, "long": "true", "limit": str(limit)}
        raw_filters = self.get_argument("filters", "")
        if raw_filters:
            try:
                rows = json.loads(raw_filters)
                assert isinstance(rows, list) and all(isinstance(r, dict) for r in rows)
            except (ValueError, AssertionError):
                raise bad_input("filters must be a JSON list of {key, op, value}.") from None
            params["filters"] = filters_literal(query.pattern, rows)
        else:
            params["name"] = query.pattern

        async def rows():
            async for item in self.rucio.search(query.scope, params):
                yield _row(item)

        await self.stream(rows())


class ContentHandler(DatalakeHandler):
    """GET ?did=scope:name — the direct children of a container or dataset, streamed."""

    @tornado.web.authenticated
    async def get(self) -> None:
        did = self.did_argument()
        limit = _limit(self.get_argument("limit", None))

        async def rows():
            count = 0
            async for item in self.rucio.content(did):
                yield _row(item) | {"adler32": item.get("adler32"), "md5": item.get("md5")}
                count += 1
                if count >= limit:
                    break

        await self.stream(rows())


class DetailsHandler(DatalakeHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        self.write_json(await did_details(self.rucio, self.did_argument()))


class CredentialsHandler(DatalakeHandler):
    """The user's own Rucio credentials: stored on the server (0600), never sent back."""

    @tornado.web.authenticated
    async def get(self) -> None:
        self.write_json(self.instance.credentials.describe())

    @tornado.web.authenticated
    async def put(self) -> None:
        body = self.json_body()
        instance = self.instance
        instance.credentials.save(body)
        await instance.client.reconfigure()
        self.write_json(instance.credentials.describe())

    @tornado.web.authenticated
    async def delete(self) -> None:
        instance = self.instance
        instance.credentials.clear()
        await instance.client.reconfigure()
        self.write_json(instance.credentials.describe())


class FetchHandler(JobsHandler, DatalakeHandler):
    """GET: the fetch jobs. POST {dids: [scope:name], dest?, origin?, check?}: start a fetch job
    (202); follow it on the slice's job routes (``/escape/datalake/jobs``).

    ``origin: "notebook"`` confines ``dest`` to the fetch folder (the destination came from a
    notebook's metadata); ``check: true`` starts nothing and answers where each DID would land.
    """

    kinds = (KIND,)

    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.json_body()
        dest = body.get("dest")
        if dest is not None and not isinstance(dest, str):
            raise bad_input("dest must be a folder path in the workspace.")
        origin = body.get("origin")
        if origin is not None and origin not in ("notebook", "user"):
            raise bad_input("origin is 'notebook' or 'user'.")
        fetches = self.extensionapp.datalake_fetch
        instance = self.get_argument("instance", None)
        if body.get("check") is True:
            dest, _dids, paths = fetches.plan(instance, body.get("dids"), dest, origin)
            self.write_json({"dest": dest, "paths": paths})
            return
        job = fetches.start(instance, body.get("dids"), dest, origin)
        self.write_json(self.extensionapp.jobs.summary(job), status=202)


class UploadHandler(JobsHandler, DatalakeHandler):
    """GET: the upload jobs. POST {paths, scope, rse, dataset?, dataset_new?, container?, meta?,
    lifetime?, copies?, rse_expression?, names?, cwd?, kernel?, idempotency_key?, check?}:
    ``kernel`` (the kernel API sends its own id) makes the job record its origin, checked here
    (provenance for the notebook of that kernel's session); ``check: true``
    answers the plan (each file's DID, size and PFN; problems in words) and starts nothing;
    otherwise a plan with problems is refused (the first problem's status and code) and a clean
    one starts an upload job (202), followed on ``/escape/datalake/jobs``."""

    kinds = (UPLOAD_KIND,)

    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.json_body()
        uploads = self.extensionapp.datalake_upload
        instance = self.get_argument("instance", None)
        if body.get("check") is True:
            self.write_json(await uploads.check(instance, body))
            return
        job = await uploads.start(instance, body, origin=await self._origin(body.get("kernel")))
        self.write_json(self.extensionapp.jobs.summary(job), status=202)

    async def _origin(self, kernel: object) -> dict | None:
        """Where an upload from a kernel came from, by this server's own records: the kernel
        must be one this server runs, and the notebook is its session's path (the request
        names neither the notebook nor anything else). None for uploads from the browser."""
        if kernel is None:
            return None
        if not isinstance(kernel, str) or kernel not in self.kernel_manager:
            raise EscapeError(
                400,
                "bad_request",
                "kernel is not a kernel of this Jupyter server.",
                service="rucio",
            )
        notebook = None
        for session in await self.session_manager.list_sessions():
            if (session.get("kernel") or {}).get("id") == kernel and session.get("type") in (
                "notebook",
                None,
            ):
                notebook = session.get("path")
                break
        return {"kernel": kernel, "notebook": notebook}


class UploadOptionsHandler(DatalakeHandler):
    """What the upload dialog offers: the account's scopes (its own user scope first), the RSEs
    with a write protocol (those it may write to first, with quota and usage from Rucio), the
    metadata keys and Rucio's naming rule."""

    @tornado.web.authenticated
    async def get(self) -> None:
        client = self.rucio
        account = await client.account_name()
        own = await client.account_scopes(account)
        everything = await client.scopes()
        user_scope = f"user.{account}"
        own.sort(key=lambda s: (s != user_scope, s))
        limits = await client.account_limits(account)
        usage = await client.account_usage(account)
        rses = []
        for name in await client.rse_names():
            info = await client.rse(name)
            protocols = [
                p
                for p in info.get("protocols") or []
                if p.get("scheme") in WRITE_SCHEMES
                and ((p.get("domains") or {}).get("wan") or {}).get("write") is not None
            ]
            if not protocols:
                continue
            why = None
            if not info.get("availability_write", True):
                why = "does not accept writes at the moment"
            elif name not in limits:
                why = f"account {account} has no quota here"
            else:
                refusal = await client.may_add_replicas(name)
                if refusal:
                    why = refusal.rstrip(". ")
            limit = limits.get(name)
            used = usage.get(name, 0)
            rses.append(
                {
                    "rse": name,
                    "writable": why is None,
                    "why_not": why,
                    "limit": limit,  # bytes; null = unlimited (Rucio says Infinity)
                    "unlimited": name in limits and limit is None,
                    "used": used,
                    "remaining": None if limit is None else max(0, limit - used),
                    "scheme": protocols[0].get("scheme"),
                }
            )
        rses.sort(key=lambda r: (not r["writable"], r["rse"]))
        conventions = await client.meta_conventions()
        self.write_json(
            {
                "account": account,
                "scopes": own,
                "default_scope": own[0] if own else None,
                "other_scopes": [s for s in everything if s not in own],
                "rses": rses,
                "default_rse": next((r["rse"] for r in rses if r["writable"]), None),
                "meta_keys": sorted(set(DID_COLUMNS) - {"guid"} | set(conventions)),
                "meta_conventions": conventions,
                "name_rule": {
                    "pattern": NAME_RE.pattern,
                    "max_length": NAME_MAX,
                    "text": "letters, digits, '.', '-', '_'; starts with a letter or digit; no '/'",
                },
                "readback_max": READBACK_MAX,
            }
        )


class ReplicaHandler(DatalakeHandler):
    """Replica mode: GET ?did= the rule and local paths; POST {did}: make it available."""

    @tornado.web.authenticated
    async def get(self) -> None:
        self.write_json(await replica_status(self.instance, self.did_argument(), create=False))

    @tornado.web.authenticated
    async def post(self) -> None:
        did = DID.parse(str(self.json_body().get("did", "")))
        self.write_json(await replica_status(self.instance, did, create=True))


routes = [
    (r"/escape/datalake/fetch", FetchHandler),
    (r"/escape/datalake/upload", UploadHandler),
    (r"/escape/datalake/upload/options", UploadOptionsHandler),
    *job_routes("datalake", KIND, UPLOAD_KIND),
    # The first frontend's paths for the same handlers, until every view uses /jobs.
    *job_routes("datalake", KIND, prefix="fetch")[1:],
    (r"/escape/datalake/replica", ReplicaHandler),
    (r"/escape/datalake/credentials", CredentialsHandler),
    (r"/escape/datalake/whoami", WhoamiHandler),
    (r"/escape/datalake/scopes", ScopesHandler),
    (r"/escape/datalake/meta-keys", MetaKeysHandler),
    (r"/escape/datalake/search", SearchHandler),
    (r"/escape/datalake/content", ContentHandler),
    (r"/escape/datalake/details", DetailsHandler),
]
