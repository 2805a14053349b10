"""Data Lake DIDs as workflow inputs: the named hand-off from the datalake slice to workflows.

A workflow names DIDs as inputs (``%%reana -l data=scope:name``, ``lake`` in a validate or submit
request, the kernel API's ``lake=``): each becomes a parameter of the workflow whose value is the
DID, added to ``inputs.parameters`` of the specification we send (still a valid reana.yaml). For
each DID the server chooses how the data reaches the workflow, and says why:

- ``stream`` (the DID holds at most ``EscapeReana.lake_stream_max_bytes``): this server reads the
  files from the lake with the user's Rucio identity, checks their size, adler32 and md5, and
  uploads them straight into the workflow's workspace under ``lake/<scope>/<name>/...``, with no
  copy in the Jupyter workspace;
- ``lake`` (larger): the workflow reads the DID from the lake itself. REANA gives a job Rucio
  access through user secrets (its Rucio init container reads ``RUCIO_USERNAME``, ``VONAME``,
  ``RUCIO_RUCIO_HOST``, ``RUCIO_AUTH_HOST`` and renders ``RUCIO_CFG_*`` into ``rucio.cfg``); we
  set the user's identity there only after the user consented in this submission (``lake_consent``
  is never read from a cell or a notebook), and only the hosts of this server's configuration.

A DID the user cannot read, or that does not exist, is refused before anything is created, in
Rucio's words: we resolve it with the user's own identity, so nothing outside what the user may
read is ever streamed.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass, field
from typing import Any

from ..config import public_url
from ..datalake.checksums import Checksums
from ..datalake.client import did_type
from ..datalake.did import DID
from ..datalake.plan import child_parts, file_item, name_parts
from ..datalake.transfer import SCHEMES, PerInstance, Storage, StorageRefused, rank_replicas
from ..http import EscapeError

PARAM_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
MAX_INPUTS = 20
MAX_FILES = 10_000
MAX_DEPTH = 16
FOLDER = "lake"  # where streamed DIDs land in the workflow's workspace
CHUNK = 1024 * 1024
SECRET_MOUNT = "/etc/reana/secrets"  # REANA_USER_SECRET_MOUNT_PATH
OIDC_SECRET_FILE = "rucio_oidc_token"


def bad(message: str) -> EscapeError:
    return EscapeError(400, "reana_bad_lake_input", message, service="reana")


def parse_lake(value: Any) -> dict[str, str]:
    """``{param: "scope:name"}`` checked: parameter names and DIDs, at most ``MAX_INPUTS``."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise bad("lake must be an object of workflow parameter names to DIDs (scope:name).")
    if len(value) > MAX_INPUTS:
        raise bad(f"At most {MAX_INPUTS} Data Lake inputs per workflow.")
    out: dict[str, str] = {}
    for param, did in value.items():
        if not isinstance(param, str) or not PARAM_RE.match(param):
            raise bad(
                f"{param!r} cannot name a Data Lake input: use a parameter name (letters, digits, "
                "'_', not starting with a digit)."
            )
        if not isinstance(did, str):
            raise bad(f"The Data Lake input {param} must be a DID (scope:name).")
        out[param] = str(DID.parse(did))
    return out


def size_text(n: int) -> str:
    """A size as the browser shows it (src/common/format.ts formatBytes: SI units, three
    significant digits), so the reason and the badge beside it say the same."""
    value, unit = float(n), 0
    units = ("B", "kB", "MB", "GB", "TB", "PB")
    while value >= 1000 and unit < len(units) - 1:
        value /= 1000
        unit += 1
    digits = 0 if unit == 0 or value >= 100 else 1 if value >= 10 else 2
    return f"{value:.{digits}f} {units[unit]}"


@dataclass
class LakeFile:
    scope: str
    name: str
    path: str  # in the workflow's workspace
    bytes: int
    adler32: str | None = None
    md5: str | None = None
    unchecked: bool = False  # Rucio lists no checksum: only the size was checked

    @property
    def did(self) -> str:
        return f"{self.scope}:{self.name}"


@dataclass
class LakeInput:
    param: str
    did: str
    type: str = "unknown"
    bytes: int = 0
    files: list[LakeFile] = field(default_factory=list)
    file_count: int = 0
    complete: bool = True  # every file listed (False when the walk stopped above the limit)
    mode: str = "stream"  # stream | lake
    why: str = ""
    path: str | None = None  # where a streamed DID lands in the workflow's workspace
    error: str | None = None

    def to_json(self) -> dict:
        return {
            "param": self.param,
            "did": self.did,
            "type": self.type,
            "bytes": self.bytes,
            "files": self.file_count,
            "bytes_complete": self.complete,
            "mode": self.mode,
            "why": self.why,
            "path": self.path,
            "error": self.error,
            # what the provenance record needs: every file with its checksums (stream mode)
            "file_list": [
                {"did": f.did, "bytes": f.bytes, "adler32": f.adler32, "md5": f.md5, "path": f.path}
                for f in self.files[:1000]
            ],
        }

    def dump(self) -> dict:
        return asdict(self)

    @classmethod
    def load(cls, body: dict) -> LakeInput:
        files = [LakeFile(**f) for f in body.get("files") or []]
        return cls(**{k: v for k, v in body.items() if k != "files"}, files=files)


@dataclass
class LakePlan:
    instance: str
    host: str
    inputs: list[LakeInput]
    secrets: list[str]  # names of the REANA secrets mode "lake" needs (empty: none)
    secrets_problem: str | None = None  # why this identity cannot be handed to REANA

    @property
    def needs_secrets(self) -> bool:
        return any(i.mode == "lake" for i in self.inputs)

    def errors(self) -> list[str]:
        out = [f"{i.param} ({i.did}): {i.error}" for i in self.inputs if i.error]
        if self.needs_secrets and self.secrets_problem:
            out.append(self.secrets_problem)
        return out

    def to_json(self) -> dict:
        return {
            "instance": self.instance,
            "rucio_host": self.host,
            "inputs": [i.to_json() for i in self.inputs],
            "secrets": self.secrets if self.needs_secrets else [],
            "consent_required": self.needs_secrets and not self.secrets_problem,
            "secrets_problem": self.secrets_problem if self.needs_secrets else None,
        }


def identity_secrets(config) -> dict[str, tuple[str, str]]:
    """The user's Rucio identity as REANA secrets ``{name: (type, value)}``, for REANA's Rucio
    init container. Hosts come from this server's configuration only. Raises for identities
    that cannot be handed over (X.509: the key stays on this server)."""
    auth = config.auth_type or "userpass"
    url, auth_url = public_url(config.url), public_url(config.auth_url or config.url)
    base = {
        "RUCIO_USERNAME": ("env", config.account),
        "VONAME": ("env", config.vo or "escape"),
        "RUCIO_RUCIO_HOST": ("env", url),
        "RUCIO_AUTH_HOST": ("env", auth_url),
        "RUCIO_CFG_CLIENT_RUCIO_HOST": ("env", url),
        "RUCIO_CFG_CLIENT_AUTH_HOST": ("env", auth_url),
        "RUCIO_CFG_CLIENT_ACCOUNT": ("env", config.account),
        "RUCIO_CFG_CLIENT_AUTH_TYPE": ("env", auth),
    }
    if config.vo:
        base["RUCIO_CFG_CLIENT_VO"] = ("env", config.vo)
    if not config.account:
        raise bad("No Rucio account is configured, so there is no identity to give the workflow.")
    if auth == "userpass":
        if not (config.username and config.password):
            raise bad("Your Rucio userpass identity is incomplete (username or password).")
        return base | {
            "RUCIO_CFG_CLIENT_USERNAME": ("env", config.username),
            "RUCIO_CFG_CLIENT_PASSWORD": ("env", config.password),
        }
    if auth == "oidc":
        token = config.oidc_token()
        if not token:
            raise bad("No OIDC token is available for Rucio, so none can be given to the workflow.")
        return base | {
            OIDC_SECRET_FILE: ("file", token),
            "RUCIO_CFG_CLIENT_AUTH_TOKEN_FILE_PATH": ("env", f"{SECRET_MOUNT}/{OIDC_SECRET_FILE}"),
        }
    raise bad(
        f"Your Rucio identity is {auth}: its private key stays on this server, so a workflow "
        "cannot read large inputs from the lake with it. Use a userpass or OIDC identity, or "
        "add a VOMS proxy as a REANA secret yourself."
    )


class LakeInputs:
    """Plans Data Lake inputs and streams the small ones (used by prepare and submit)."""

    def __init__(self, instances, reana_config):
        self.instances = instances
        self.reana_config = reana_config
        self._storage = PerInstance(lambda i: Storage(i.config, i.client.http.tls_context()))

    @property
    def limit(self) -> int:
        return max(0, int(self.reana_config.lake_stream_max_bytes))

    def instance(self, name: str | None = None):
        return self.instances.get(name)

    async def plan(self, lake: dict[str, str], instance_name: str | None = None) -> LakePlan:
        instance = self.instance(instance_name)
        inputs = [LakeInput(param, did) for param, did in lake.items()]
        await asyncio.gather(*(self._resolve(instance, item) for item in inputs))
        try:
            names = sorted(identity_secrets(instance.config))
            problem = None
        except EscapeError as error:
            names, problem = [], error.message
        host = public_url(instance.config.url)
        return LakePlan(instance.name, host, inputs, names, problem)

    async def _resolve(self, instance, item: LakeInput) -> None:
        rucio = instance.client
        did = DID.parse(item.did)
        limit = self.limit
        try:
            info = await rucio.did(did)
            item.type = did_type(info.get("type") or info.get("did_type"))
            top = "/".join([FOLDER, did.scope, *name_parts(did.name)])
            if item.type == "file":
                item.files = [file_item(info, top, LakeFile)]
            else:
                await self._walk(rucio, did, top, item, limit, 0)
        except EscapeError as error:
            item.error = error.message
            return
        item.file_count = len(item.files) if item.complete else item.file_count
        item.bytes = sum(f.bytes for f in item.files) if item.complete else item.bytes
        if item.complete and item.bytes <= limit:
            item.mode, item.path = "stream", top
            item.why = (
                f"{size_text(item.bytes)} in {item.file_count} "
                f"{'file' if item.file_count == 1 else 'files'}, limit {size_text(limit)}: "
                f"this server streams it into the workflow's inputs at "
                f"{top} (checksums verified, no copy in your workspace)."
            )
        else:
            item.mode, item.files = "lake", []
            more = "more than " if not item.complete else ""
            item.why = (
                f"{more}{size_text(item.bytes)}, over the {size_text(limit)} this server "
                f"streams: the workflow reads it from the lake itself (parameter {item.param} = "
                f"{item.did}), with your Rucio identity set as REANA secrets after you agree."
            )

    async def _walk(self, rucio, did: DID, folder: str, item: LakeInput, limit, depth) -> None:
        if depth > MAX_DEPTH:
            raise EscapeError(400, "rucio_too_deep", f"{did} nests too deep.", service="rucio")
        async for child in rucio.content(did):
            if not item.complete:
                return
            kind = did_type(child.get("type") or child.get("did_type"))
            path = "/".join([folder, *child_parts(did.name, child["name"])])
            if kind == "file":
                item.files.append(file_item(child, path, LakeFile))
                item.bytes += int(child.get("bytes") or 0)
                item.file_count += 1
                if item.bytes > limit or item.file_count > MAX_FILES:
                    item.complete = False  # large: no need to list the rest
                    return
            else:
                child_did = DID(child["scope"], child["name"])
                await self._walk(rucio, child_did, path, item, limit, depth + 1)

    # ------------------------------------------------------------------ streaming (mode a)
    def storage(self, instance) -> Storage:
        return self._storage.of(instance)

    def close(self) -> None:
        self._storage.close()

    async def replicas(self, instance, files: list[LakeFile]) -> dict[str, list]:
        """Each file's readable replicas, best first."""
        ranked: dict[str, list] = {f.did: [] for f in files}
        config = instance.config
        for start in range(0, len(files), 1000):
            batch = [DID(f.scope, f.name) for f in files[start : start + 1000]]
            async for entry in instance.client.file_replicas(
                batch, schemes=SCHEMES, all_states=False, sort="random"
            ):
                key = f"{entry['scope']}:{entry['name']}"
                # Storage reads only: never the local mount (that is a fetch into the workspace).
                ranked[key] = [
                    c for c in rank_replicas(entry, None, "", config.path_begins_at) if not c.local
                ]
        return ranked

    async def stream(
        self, instance, item: LakeFile, url: str, sums: Checksums, sent: list[int]
    ) -> AsyncIterator[bytes]:
        """The bytes of one replica, checksummed as they pass; never more than Rucio lists."""
        loop = asyncio.get_running_loop()
        storage = self.storage(instance)
        response = await loop.run_in_executor(None, storage.open, url, {})
        try:
            if response.status != 200:
                raise StorageRefused(f"HTTP {response.status} from the storage")
            chunks = response.stream(CHUNK, decode_content=False)
            while True:
                chunk = await loop.run_in_executor(None, next, chunks, None)
                if chunk is None:
                    break
                sums.update(chunk)
                sent[0] += len(chunk)
                if sent[0] > item.bytes:
                    raise StorageRefused(f"the storage sent more than {item.bytes} bytes")
                yield chunk
        finally:
            await loop.run_in_executor(None, response.release_conn)


def add_parameters(body: dict | None, lake: dict[str, str]) -> None:
    """Each Data Lake input as a parameter of the specification (its value: the DID)."""
    if body is None or not lake:
        return
    inputs = body.setdefault("inputs", {})
    if not isinstance(inputs, dict):
        return
    params = inputs.get("parameters")
    if not isinstance(params, dict):
        params = inputs["parameters"] = {}
    params.update(lake)
