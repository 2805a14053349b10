"""The Zenodo STAND-IN: a local HTTP server answering the records API the catalogue uses.

It is a test double held to Zenodo's documented contract (InvenioRDM records API: search, record,
versions, files, file content, exports by content negotiation), over a generated seed. It is not
Zenodo: no OpenSearch, a small query-string subset (see query.py). Switches (``POST
/_standin/control``) simulate 429 with ``Retry-After``, 5xx and slow answers; ``GET
/_standin/stats`` counts what reached it (the benchmark and the Galata journey read it).
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import unquote

import tornado.web

from . import citations, deposit, query
from .seed import COMMUNITY, OTHER_COMMUNITIES, Record, generate, with_links

MAX_ANON_SIZE = 25
MAX_TOKEN_SIZE = 100
RESULT_WINDOW = 10_000
FACETS = ("resource_type", "subject", "access_status", "file_type")


@dataclass
class Switches:
    """What the next requests should suffer; set through POST /_standin/control."""

    fail_next: list[int] = field(default_factory=list)
    rate_limit_next: int = 0
    retry_after: int = 2
    delay: float = 0.0
    corrupt_next_download: bool = False


@dataclass
class Stats:
    searches: int = 0
    requests: int = 0
    paths: Counter = field(default_factory=Counter)
    user_agents: Counter = field(default_factory=Counter)
    authorized: int = 0


class State:
    def __init__(self, records: list[Record]):
        self.records = list(records)  # published deposits are added to this state only
        self.by_id = {r.id: r for r in records}
        self.seed_ids = set(self.by_id)
        self.switches = Switches()
        self.stats = Stats()
        self.deposits = deposit.DepositState(self)

    def reset(self) -> None:
        """Back to the seed: switches, counters, and no deposits or records published from
        them (a journey run twice against one stand-in finds only its own uploads)."""
        self.switches = Switches()
        self.stats = Stats()
        self.records = [r for r in self.records if r.id in self.seed_ids]
        self.by_id = {r.id: r for r in self.records}
        self.deposits = deposit.DepositState(self)


def _accepts(header: str) -> list[str]:
    return [part.split(";")[0].strip() for part in header.split(",") if part.strip()]


class ZenodoHandler(tornado.web.RequestHandler):
    def initialize(self, state: State):
        self.state = state

    def set_default_headers(self):
        self.set_header("X-RateLimit-Limit", "133")
        self.set_header("X-RateLimit-Remaining", "132")
        self.set_header("Server", "zenodo-standin")

    def fail(self, status: int, message: str) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"status": status, "message": message}))

    def send_json(self, body) -> None:
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))

    async def prepare(self):
        if self.request.path.startswith("/_standin"):
            return
        stats, switches = self.state.stats, self.state.switches
        stats.requests += 1
        if isinstance(self, SearchHandler):
            stats.searches += 1  # every search that reaches us, answered or refused
        stats.paths[self.request.path] += 1
        stats.user_agents[self.request.headers.get("User-Agent", "")] += 1
        if self.request.headers.get("Authorization", "").startswith("Bearer "):
            stats.authorized += 1
        if switches.delay:
            await asyncio.sleep(switches.delay)
        if switches.rate_limit_next > 0:
            switches.rate_limit_next -= 1
            self.set_header("Retry-After", str(switches.retry_after))
            self.set_header("X-RateLimit-Remaining", "0")
            self.fail(429, "Too many requests. Please slow down.")
            return
        if switches.fail_next:
            status = switches.fail_next.pop(0)
            self.fail(status, "Internal server error." if status >= 500 else "Request failed.")

    def record(self, record_id: str) -> Record:
        record = self.state.by_id.get(record_id)
        if record is None:
            raise tornado.web.HTTPError(404)
        return record

    def write_error(self, status_code, **kwargs):
        messages = {404: "The persistent identifier does not exist.", 405: "Method not allowed."}
        self.fail(status_code, messages.get(status_code, "Request failed."))

    @property
    def base(self) -> str:
        return f"{self.request.protocol}://{self.request.host}"


class SearchHandler(ZenodoHandler):
    def get(self, community: str | None = None):
        args = {k: [v.decode() for v in vs] for k, vs in self.request.arguments.items()}
        one = lambda name, default="": (args.get(name) or [default])[0]  # noqa: E731
        authorized = self.request.headers.get("Authorization", "").startswith("Bearer ")
        try:
            page = int(one("page", "1"))
            size = int(one("size", "10"))
        except ValueError:
            return self.fail(400, "Invalid querystring parameters.")
        limit = MAX_TOKEN_SIZE if authorized else MAX_ANON_SIZE
        if size < 1 or size > limit or page < 1 or page * size > RESULT_WINDOW:
            return self.fail(400, "Invalid querystring parameters.")
        q = one("q").strip()
        sort = one("sort") or ("bestmatch" if q else "newest")
        if sort not in query.SORTS:
            return self.fail(400, "Invalid querystring parameters.")
        try:
            terms = query.parse(q)
        except query.QuerySyntaxError as exc:
            return self.fail(400, str(exc))
        communities = set(args.get("communities", []))
        if community is not None:
            if community not in (COMMUNITY, *OTHER_COMMUNITIES):
                return self.fail(404, "The community does not exist.")
            communities = {community}
        all_versions = one("allversions", one("all_versions", "false")).lower() in ("true", "1")
        types = set(args.get("type", []))
        selected = {name: set(args.get(name, [])) for name in FACETS if args.get(name)}
        scored = []
        for record in self.state.records:
            if not all_versions and not record.json["versions"]["is_latest"]:
                continue
            if communities and not communities & set(record.communities):
                continue
            type_id = record.json["metadata"]["resource_type"]["id"]
            if types and type_id not in types and type_id.split("-")[0] not in types:
                continue
            points = query.score(record, terms)
            if points > 0:
                scored.append((points, record))
        matching = [r for _, r in scored]
        faceted = [r for r in matching if query.facet_match(r, selected)]
        if sort in ("bestmatch", "-bestmatch"):
            weights = {id(r): p for p, r in scored}
            ordered = sorted(faceted, key=lambda r: (-weights[id(r)], r.json["created"]))
        else:
            key = query.sort_key(sort)
            ordered = sorted(faceted, key=key, reverse=sort in query.DESCENDING)
        start = (page - 1) * size
        hits = [with_links(r, self.base) for r in ordered[start : start + size]]
        links = {"self": self.request.full_url()}
        path = self.request.path
        base_query = "&".join(
            f"{k}={v}" for k, vs in args.items() if k not in ("page",) for v in vs
        )
        if start + size < len(ordered) and (page + 1) * size <= RESULT_WINDOW:
            links["next"] = f"{self.base}{path}?{base_query}&page={page + 1}"
        if page > 1:
            links["prev"] = f"{self.base}{path}?{base_query}&page={page - 1}"
        self.send_json(
            {
                "hits": {"hits": hits, "total": len(ordered)},
                "aggregations": query.aggregations(faceted, selected),
                "sortBy": sort,
                "links": links,
            }
        )


class RecordHandler(ZenodoHandler):
    def get(self, record_id: str):
        record = self.record(record_id)
        accepts = _accepts(self.request.headers.get("Accept", "application/json")) or ["*/*"]
        for accept in accepts:
            if accept in citations.JSON_TYPES or accept == "*/*":
                return self.send_json(with_links(record, self.base))
            if accept in citations.EXPORTS:
                try:
                    ctype, body = citations.render(
                        record.json, accept, self.get_argument("style", None)
                    )
                except citations.StyleNotFound as exc:
                    return self.fail(400, str(exc))
                self.set_header("Content-Type", ctype)
                return self.finish(body)
        expected = ", ".join((*citations.JSON_TYPES, *citations.EXPORTS))
        self.fail(406, f"Invalid 'Accept' header. Expected one of: {expected}")


class VersionsHandler(ZenodoHandler):
    def get(self, record_id: str, latest: str | None = None):
        parent = self.record(record_id).json["parent"]["id"]
        versions = sorted(
            (r for r in self.state.records if r.json["parent"]["id"] == parent),
            key=lambda r: -r.json["versions"]["index"],
        )
        if latest:
            self.redirect(f"{self.base}/api/records/{versions[0].id}")
            return
        self.send_json(
            {
                "hits": {
                    "hits": [with_links(r, self.base) for r in versions],
                    "total": len(versions),
                },
                "sortBy": "version",
                "links": {"self": self.request.full_url()},
            }
        )


def _entries(handler: ZenodoHandler, record: Record) -> dict:
    body = with_links(record, handler.base)
    if "entries" not in body["files"]:
        raise tornado.web.HTTPError(403)
    return body["files"]["entries"]


class FilesHandler(ZenodoHandler):
    def get(self, record_id: str):
        record = self.record(record_id)
        if record.json["access"]["files"] != "public":
            return self.fail(403, "Permission denied.")
        entries = _entries(self, record)
        self.send_json(
            {
                "enabled": True,
                "entries": list(entries.values()),
                "default_preview": None,
                "order": [],
                "links": {"self": self.request.full_url()},
            }
        )


class FileHandler(ZenodoHandler):
    async def get(self, record_id: str, key: str, content: str | None = None):
        record = self.record(record_id)
        key = unquote(key)
        if record.json["access"]["files"] != "public":
            return self.fail(403, "Permission denied.")
        stored = record.files.get(key)
        if stored is None:
            return self.fail(404, "File not found.")
        if not content:
            return self.send_json(_entries(self, record)[key])
        data = stored.body()
        if self.state.switches.corrupt_next_download:
            self.state.switches.corrupt_next_download = False
            data = b"X" + data[1:]
        self.set_header("Content-Type", "application/octet-stream")
        self.set_header("Content-Length", str(len(data)))
        self.set_header("Content-Disposition", f'attachment; filename="{key}"')
        chunk = 256 * 1024
        for offset in range(0, len(data), chunk):
            self.write(data[offset : offset + chunk])
            await self.flush()
            if self.state.switches.delay:
                await asyncio.sleep(self.state.switches.delay / 10)
        self.finish()


class CommunityHandler(ZenodoHandler):
    def get(self, slug: str):
        if slug != COMMUNITY and slug not in OTHER_COMMUNITIES:
            raise tornado.web.HTTPError(404)
        self.send_json(
            {
                "id": slug,
                "slug": slug,
                "metadata": {"title": slug},
                "links": {"requests": f"{self.base}/api/communities/{slug}/requests"},
            }
        )


class ControlHandler(tornado.web.RequestHandler):
    """Test switches of the stand-in (not part of Zenodo's API)."""

    def initialize(self, state: State):
        self.state = state

    def post(self):
        body = json.loads(self.request.body or b"{}")
        if body.pop("reset", False):
            self.state.reset()
        for name, value in body.items():
            if not hasattr(self.state.switches, name):
                raise tornado.web.HTTPError(400, f"unknown switch {name}")
            setattr(self.state.switches, name, value)
        self.finish(json.dumps(self.state.switches.__dict__))


class StatsHandler(tornado.web.RequestHandler):
    def initialize(self, state: State):
        self.state = state

    def get(self):
        s = self.state.stats
        self.set_header("Content-Type", "application/json")
        self.finish(
            json.dumps(
                {
                    "searches": s.searches,
                    "requests": s.requests,
                    "authorized": s.authorized,
                    "paths": dict(s.paths),
                    "user_agents": dict(s.user_agents),
                    "records": len(self.state.records),
                }
            )
        )


def make_app(records: list[Record] | None = None) -> tornado.web.Application:
    state = State(records if records is not None else generate())
    kw = {"state": state}
    rid = r"(?P<record_id>\d+)"
    app = tornado.web.Application(
        [
            *deposit.routes(kw),
            (r"/api/+records/?", SearchHandler, kw),
            (r"/api/communities/(?P<community>[\w-]+)/records/?", SearchHandler, kw),
            (r"/api/communities/(?P<slug>[\w-]+)/?", CommunityHandler, kw),
            (rf"/api/+records/{rid}/?", RecordHandler, kw),
            (rf"/api/+records/{rid}/versions(?P<latest>/latest)?/?", VersionsHandler, kw),
            (rf"/api/+records/{rid}/files/?", FilesHandler, kw),
            (rf"/api/+records/{rid}/files/(?P<key>[^/]+)(?P<content>/content)?", FileHandler, kw),
            (r"/_standin/control", ControlHandler, kw),
            (r"/_standin/stats", StatsHandler, kw),
        ]
    )
    app.standin_state = state  # type: ignore[attr-defined]
    return app
