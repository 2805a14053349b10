"""Planning a fetch: the selection and its destination checked before any job exists, then the
DIDs resolved to files, keeping the dataset and container structure as folders.

A destination that came from a notebook's metadata is confined to the fetch folder; every path
goes through the workspace's one rule (no ``..``, no hidden parts, no names over 255 bytes), and a
file whose Rucio name breaks it fails alone, with the reason.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from ..config import EscapeRucio
from ..http import EscapeError
from ..workspace import Workspace, confined, refuse
from .client import RucioClient, did_type
from .did import DID, bad_input

MAX_SELECTION = 1000
MAX_DEPTH = 16  # containers of containers


@dataclass
class FileItem:
    scope: str
    name: str
    path: str  # relative to the workspace
    bytes: int
    adler32: str | None = None
    md5: str | None = None
    state: str = "waiting"  # waiting | downloading | verified | present | failed
    done: int = 0
    rse: str | None = None
    error: str | None = None
    received: int = 0  # bytes read from storage by the latest run; only its worker writes it
    unchecked: bool = False  # Rucio lists no checksum: only the size could be verified

    @property
    def did(self) -> str:
        return f"{self.scope}:{self.name}"

    def to_json(self) -> dict[str, Any]:
        body = asdict(self)
        body["did"] = self.did
        return body

    @property
    def complete(self) -> bool:
        return self.state in ("verified", "present")


@dataclass
class FetchState:
    """What a fetch job knows of its work: ``job.data`` of kind ``datalake.fetch``."""

    instance: str
    dids: list[dict[str, str]]
    dest: str
    files: list[FileItem] = field(default_factory=list)
    paths: list[dict[str, str]] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)  # DIDs that did not resolve
    phase: str = "resolving"  # resolving | transferring

    def counts(self) -> dict[str, int]:
        out = {"verified": 0, "present": 0, "failed": 0}
        for f in self.files:
            if f.state in out:
                out[f.state] += 1
        return out

    def dump(self) -> dict[str, Any]:
        body = {k: getattr(self, k) for k in ("instance", "dids", "dest", "paths", "errors")}
        body["files"] = [[getattr(f, k) for k in FILE_FIELDS] for f in self.files]
        return body

    @classmethod
    def load(cls, body: dict[str, Any]) -> FetchState:
        rows = body.get("files", [])
        # Rows saved by an older version have fewer columns: the missing ones take defaults.
        files = [FileItem(**dict(zip(FILE_FIELDS, row, strict=False))) for row in rows]
        keep = {k: body[k] for k in ("instance", "dids", "dest", "paths", "errors") if k in body}
        return cls(**keep, files=files)


FILE_FIELDS = tuple(f.name for f in fields(FileItem))


def plan(
    workspace: Workspace,
    config: EscapeRucio,
    dids: list[str],
    dest: str | None,
    origin: str | None = None,
) -> tuple[str, list[DID], list[dict[str, str]]]:
    """The checked destination, the DIDs and where each lands; refused before any job.

    A destination from a notebook's metadata (``origin="notebook"``) may only be a folder inside
    the configured fetch folder: a shared notebook never chooses where we write."""
    if not isinstance(dids, list) or not dids:
        raise bad_input("Choose at least one DID to fetch.")
    if len(dids) > MAX_SELECTION:
        raise bad_input(f"Fetch at most {MAX_SELECTION} DIDs at once.")
    parsed = list(dict.fromkeys(DID.parse(str(d)) for d in dids))
    home = (config.fetch_dir or "datalake").strip().strip("/") or "datalake"
    dest = (dest or home).strip().rstrip("/")
    if origin == "notebook":
        dest = confined(home, dest, "rucio")
    elif origin not in (None, "user"):
        raise bad_input("origin is 'notebook' or 'user'.")
    workspace.target(dest, "rucio")  # refuse early, before any job exists
    paths = []
    for did in parsed:
        path = "/".join([dest, did.scope, *name_parts(did.name)])
        workspace.parts(path, "rucio")
        paths.append({"did": str(did), "path": path})
    return dest, parsed, paths


def file_item(info: dict, path: str, kind: type | None = None) -> Any:
    """A file of Rucio's listing (``scope``, ``name``, ``bytes``, checksums) at ``path``, as a
    ``FileItem`` (a fetch) or another dataclass with the same fields (``kind``)."""
    return (kind or FileItem)(
        scope=info["scope"],
        name=info["name"],
        path=path,
        bytes=int(info.get("bytes") or 0),
        adler32=info.get("adler32"),
        md5=info.get("md5"),
    )


async def resolve(state: FetchState, rucio: RucioClient, workspace: Workspace) -> None:
    """Each selected DID to its files (``state.files``), its top path (``state.paths``), or an
    error (``state.errors``)."""
    by_path: dict[str, FileItem] = {}

    def add(item: FileItem) -> None:
        other = by_path.get(item.path)
        if other is not None:
            if other.did != item.did:  # two names that become one path
                item.state = "failed"
                item.error = f"{other.did} is fetched to the same path; fetch it separately."
                state.files.append(item)
            return
        by_path[item.path] = item
        state.files.append(item)

    async def walk(did: DID, folder: str, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise EscapeError(400, "rucio_too_deep", f"{did} nests too deep.", service="rucio")
        async for child in rucio.content(did):
            kind = did_type(child.get("type") or child.get("did_type"))
            try:
                path = "/".join([folder, *child_parts(did.name, child["name"])])
                workspace.parts(path, "rucio")
            except EscapeError as err:
                item = file_item(child, folder)
                item.state, item.error = "failed", err.message
                state.files.append(item)
                continue
            if kind == "file":
                add(file_item(child, path))
            else:
                await walk(DID(child["scope"], child["name"]), path, depth + 1)

    for entry in state.dids:
        did = DID(entry["scope"], entry["name"])
        try:
            info = await rucio.did(did)
            kind = did_type(info.get("type") or info.get("did_type"))
            entry["type"] = kind
            top = "/".join([state.dest, did.scope, *name_parts(did.name)])
            workspace.parts(top, "rucio")
            state.paths.append({"did": str(did), "path": top, "type": kind})
            if kind == "file":
                add(file_item(info, top))
            else:
                await walk(did, top, 0)
        except EscapeError as err:
            state.errors.append({"did": str(did), "message": err.message})


def name_parts(name: str) -> list[str]:
    """A Rucio name as path components: '/lofar/lta//x.h5' -> ['lofar', 'lta', 'x.h5']."""
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        raise refuse(name, "the name leaves its folder")
    return parts


def child_parts(parent: str, child: str) -> list[str]:
    """A child's folder inside its parent's: path-like names drop the parent's own path.

    '/lofar/L1' in '/lofar' -> ['L1']; 'run1.h5' in 'dataset' -> ['run1.h5'].
    """
    mine, theirs = name_parts(child), [p for p in parent.split("/") if p not in ("", ".")]
    if len(mine) > len(theirs) and mine[: len(theirs)] == theirs:
        return mine[len(theirs) :]
    return mine
