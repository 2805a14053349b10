"""The state of an upload job, persisted with it: one ``UploadItem`` per file."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class UploadItem:
    path: str  # workspace path
    name: str  # DID name (scope is the job's)
    bytes: int
    pfn: str | None = None
    adler32: str | None = None
    md5: str | None = None
    guid: str = field(default_factory=lambda: uuid.uuid4().hex)
    state: str = "waiting"  # waiting sending stored registered skipped failed
    existing: bool = False  # the DID was registered before this job
    registered_adler32: str | None = None  # its adler32 in Rucio then
    final: bool = False  # failed for a reason a retry cannot change (Rucio refused it)
    verified: str | None = None  # what was checked on the storage
    attached: bool = False
    tried: bool = False  # a PUT to the temporary name was started (a retry deletes it first)
    error: str | None = None
    done: int = 0
    sent: int = 0

    @property
    def settled(self) -> bool:
        return self.state in ("registered", "skipped")

    def to_json(self, scope: str, rse: str) -> dict:
        return {
            "path": self.path,
            "did": f"{scope}:{self.name}",
            "scope": scope,
            "name": self.name,
            "bytes": self.bytes,
            "adler32": self.adler32,
            "md5": self.md5,
            "guid": self.guid,
            "pfn": self.pfn,
            "rse": rse,
            "state": self.state,
            "verified": self.verified,
            "error": self.error,
        }


@dataclass
class UploadState:
    instance: str
    scope: str
    rse: str
    items: list[UploadItem]
    dataset: str | None = None
    dataset_new: bool = False
    container: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    lifetime: int | None = None
    copies: int = 1
    rse_expression: str | None = None
    skipped_paths: list[dict] = field(default_factory=list)
    phase: str = "queued"
    dataset_created: bool = False
    container_done: bool = False
    rules: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    job_id: str = ""
    # {kernel, notebook}: the kernel that asked for the upload and its session's notebook, as
    # this server knows them (None: from the browser); the frontend records provenance there
    origin: dict | None = None

    def dump(self) -> dict:
        return asdict(self)

    @classmethod
    def load(cls, body: dict) -> UploadState:
        items = [UploadItem(**i) for i in body.pop("items")]
        return cls(items=items, **body)

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for item in self.items:
            counts[item.state] = counts.get(item.state, 0) + 1
        return counts


PROVENANCE = ("did", "scope", "name", "bytes", "adler32", "md5", "guid", "pfn", "rse", "state")
