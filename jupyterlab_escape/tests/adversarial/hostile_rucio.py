"""A hostile Rucio server and storage, named as such: a test double that answers like a Rucio
REST API whose catalogue (names, replicas) and storage (redirects, endless bodies) are written
by an attacker. Only the endpoints a fetch uses: userpass auth, DID lookup, content listing,
replica listing, and the storage GETs the replicas point at. Runs on 127.0.0.1."""

from __future__ import annotations

import asyncio
import hashlib
import json
import zlib
from dataclasses import dataclass, field
from urllib.parse import unquote

import tornado.httpserver
import tornado.web

from ..doubles import free_port


@dataclass
class HostileFile:
    name: str
    data: bytes
    pfn_path: str = ""  # storage path on this server; defaults to /storage/<name>
    scheme: str = "https"  # what the replica's PFN says (https, davs, ...)
    checksums: bool = True  # False: Rucio lists no adler32/md5

    @property
    def meta(self) -> dict:
        body = {"scope": "hostile", "name": self.name, "type": "FILE", "bytes": len(self.data)}
        if self.checksums:
            body["adler32"] = f"{zlib.adler32(self.data) & 0xFFFFFFFF:08x}"
            body["md5"] = hashlib.md5(self.data).hexdigest()
        return body


@dataclass
class HostileRucio:
    files: list[HostileFile] = field(default_factory=list)
    dataset: str = "hostile.dataset"
    # storage path -> (status, headers, body or None for an endless body)
    storage: dict[str, tuple[int, dict, bytes | None]] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)
    port: int = 0

    def __post_init__(self) -> None:
        self.port = self.port or free_port()
        self._server: tornado.httpserver.HTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def pfn(self, f: HostileFile) -> str:
        path = f.pfn_path or f"/storage/{f.name}"
        return f"{f.scheme}://127.0.0.1:{self.port}{path}".replace("https://", "http://", 1)

    def start(self) -> HostileRucio:
        state = self

        class Auth(tornado.web.RequestHandler):
            def get(self):
                self.set_header("X-Rucio-Auth-Token", "hostile-token")
                self.set_header("X-Rucio-Auth-Token-Expires", "Thu, 01 Jan 2099 00:00:00 UTC")
                self.finish("")

        class Did(tornado.web.RequestHandler):
            def get(self, scope, rest):
                name = unquote(rest)
                state.hits.append(f"did {name}")
                if name.endswith("/dids"):  # content of the dataset
                    self.set_header("Content-Type", "application/x-json-stream")
                    for f in state.files:
                        self.write(json.dumps(f.meta) + "\n")
                    self.finish()
                    return
                if name == state.dataset:
                    body = {"scope": scope, "name": name, "type": "DATASET"}
                else:
                    match = [f for f in state.files if f.name == name]
                    if not match:
                        self.set_status(404)
                        self.finish(json.dumps({"ExceptionClass": "DataIdentifierNotFound"}))
                        return
                    body = match[0].meta
                self.set_header("Content-Type", "application/json")
                self.finish(json.dumps(body))

        class Replicas(tornado.web.RequestHandler):
            def post(self):
                self.set_header("Content-Type", "application/x-json-stream")
                for f in state.files:
                    pfn = state.pfn(f)
                    row = f.meta | {
                        "rses": {"HOSTILE_RSE": [pfn]},
                        "states": {"HOSTILE_RSE": "AVAILABLE"},
                        "pfns": {pfn: {"rse": "HOSTILE_RSE", "priority": 1}},
                    }
                    self.write(json.dumps(row) + "\n")
                self.finish()

        class Storage(tornado.web.RequestHandler):
            async def get(self, path):
                path = "/storage/" + path
                state.hits.append(f"storage {path}")
                status, headers, body = state.storage.get(path, (0, {}, b""))
                if status == 0:  # the file's own bytes
                    match = [f for f in state.files if (f.pfn_path or f"/storage/{f.name}") == path]
                    if not match:
                        self.set_status(404)
                        self.finish()
                        return
                    self.finish(match[0].data)
                    return
                self.set_status(status)
                for key, value in headers.items():
                    self.set_header(key, value.replace("{port}", str(state.port)))
                if body is None:  # endless: a storage that never stops sending
                    for _ in range(4096):  # bounded: 4 GiB would be far past any limit we test
                        self.write(b"x" * (1 << 20))
                        await self.flush()
                        await asyncio.sleep(0)
                    self.finish()
                    return
                self.finish(body)

        app = tornado.web.Application(
            [
                (r"/auth/userpass", Auth),
                (r"/dids/([^/]+)/(.+)", Did),
                (r"/replicas/list", Replicas),
                (r"/storage/(.*)", Storage),
            ]
        )
        self._server = tornado.httpserver.HTTPServer(app)
        self._server.listen(self.port, "127.0.0.1")
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
