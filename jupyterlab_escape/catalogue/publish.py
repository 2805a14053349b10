"""Publishing to the OSSR (kind ``catalogue.publish``): a folder or notebook of the workspace
becomes a Zenodo **draft** with its codemeta metadata and a community inclusion request.

What is uploaded is decided here, on the server, with the workspace rules: the folder as a zip
(honouring its ``.gitignore``) plus ``codemeta.json`` outside the zip as the OSSR curators ask, or
the files the user selected. Never uploaded: ``.git/`` (its remote is read for codemeta, read
only), hidden entries unless the contents manager allows hidden files, symbolic links that leave
the folder, anything outside the server root, the server's runtime and credential files. Each
uploaded file's md5 is compared with Zenodo's answer. The job stops at the draft; publishing
(irreversible: it mints a DOI) is a separate request with ``confirm: true``.
"""

from __future__ import annotations

import asyncio
import fnmatch
import html
import json
import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..http import EscapeError, ServiceHTTP
from ..jobs import Job, JobFailed, JobStore, Runner
from ..workspace import Workspace, is_hidden, is_protected, relative_parts
from . import codemeta as cm
from .deposit import DepositClient, md5_of
from .identity import ZenodoIdentity

KIND = "catalogue.publish"
LISTED = 200  # skipped names listed in a job's JSON


def _bad(message: str) -> EscapeError:
    return EscapeError(400, "bad_request", message, service="zenodo")


# ------------------------------------------------------------------ what is uploaded
class GitIgnore:
    """The root ``.gitignore`` of a folder: ``*``/``?`` globs, ``dir/``, ``/anchored``, ``!``."""

    def __init__(self, text: str):
        self.rules: list[tuple[bool, bool, bool, str]] = []  # (negate, dir_only, anchored, glob)
        for raw in text.splitlines()[:5000]:
            line = raw.rstrip()
            if not line or line.startswith("#"):
                continue
            negate = line.startswith("!")
            line = line[1:] if negate else line
            dir_only = line.endswith("/")
            line = line.rstrip("/")
            anchored = "/" in line
            self.rules.append((negate, dir_only, anchored, line.lstrip("/")))

    def ignored(self, rel: str, is_dir: bool) -> bool:
        result = False
        name = rel.rsplit("/", 1)[-1]
        for negate, dir_only, anchored, glob in self.rules:
            if dir_only and not is_dir:
                continue
            target = rel if anchored else name
            if fnmatch.fnmatchcase(target, glob) or (
                glob.endswith("/**") and rel.startswith(glob[:-3])
            ):
                result = not negate
        return result


def _license(value: Any) -> dict | None:
    """The licence id Zenodo holds, with its title (what the confirmation shows)."""
    if isinstance(value, dict):  # {"id": ...} in some answers
        value = value.get("id")
    if not isinstance(value, str) or not value:
        return None
    return {"id": value, "title": cm.ZENODO_LICENSES.get(value.lower())}


def _gitignore_text(root: Path) -> str:
    """The folder's .gitignore; one we cannot read stops the publication, since leaving it out
    would upload what the user meant to keep home."""
    path = root / ".gitignore"
    if not path.exists() and not path.is_symlink():
        return ""
    text = cm._read_small(path)
    if text is None:
        why = (
            "is a link"
            if path.is_symlink()
            else f"is larger than {cm.MAX_META_FILE // 1024} KiB"
            if path.is_file()
            else "is not a regular file"
        )
        raise _bad(
            f"The folder's .gitignore {why}: we do not guess what it leaves out. Replace it "
            "with a regular file, or select the files to publish."
        )
    return text


@dataclass
class Selection:
    root: Path  # the folder (or the notebook's folder)
    files: list[tuple[str, Path]]  # (name relative to root, real path)
    skipped: list[dict]  # {"name", "reason"}
    total: int


def select(
    workspace: Workspace,
    path: str,
    files: list[str] | None,
    protected: tuple[Path, ...],
) -> Selection:
    """What a publication of ``path`` (a folder or notebook) uploads, every rule applied."""
    target = workspace.target(path, "zenodo")
    if not target.exists():
        raise EscapeError(404, "not_found", f"{path} does not exist.", service="zenodo")
    root = target if target.is_dir() else target.parent
    chosen: list[tuple[str, Path]] = []
    skipped: list[dict] = []
    allow_hidden = workspace.allow_hidden

    def consider(rel: str, real: Path) -> None:
        parts = rel.split("/")
        if ".git" in parts:
            skipped.append({"name": rel, "reason": "git metadata is never uploaded"})
        elif is_hidden(rel) and not allow_hidden:
            skipped.append({"name": rel, "reason": "hidden"})
        elif root.resolve() not in real.resolve().parents:
            skipped.append({"name": rel, "reason": "a link that leaves the folder"})
        elif is_protected(real, protected):
            skipped.append({"name": rel, "reason": "a file of the server (credentials, runtime)"})
        elif not real.resolve().is_file():
            skipped.append({"name": rel, "reason": "not a regular file"})
        else:
            chosen.append((rel, real))

    if files is not None:
        for name in files:
            if not isinstance(name, str):
                raise _bad("files is a list of paths inside the folder.")
            rel = "/".join(relative_parts(name, "zenodo", allow_hidden=True))
            real = root / rel
            if not real.exists() and not real.is_symlink():
                raise EscapeError(404, "not_found", f"{name} does not exist.", service="zenodo")
            consider(rel, real)
    elif target.is_file():
        consider(target.name, target)
    else:
        ignore = GitIgnore(_gitignore_text(root))
        for folder, dirs, names in os.walk(root, followlinks=False):
            here = Path(folder)
            rel_dir = here.relative_to(root).as_posix()
            keep_dirs = []
            for d in sorted(dirs):
                rel = d if rel_dir == "." else f"{rel_dir}/{d}"
                if (here / d).is_symlink():
                    consider(rel, here / d)  # refused unless it stays inside (then skipped: dir)
                    continue
                if d == ".git":
                    skipped.append({"name": rel + "/", "reason": "git metadata is never uploaded"})
                elif ignore.ignored(rel, True):
                    skipped.append({"name": rel + "/", "reason": ".gitignore"})
                elif is_hidden(d) and not allow_hidden:
                    skipped.append({"name": rel + "/", "reason": "hidden"})
                else:
                    keep_dirs.append(d)
            dirs[:] = keep_dirs
            for name in sorted(names):
                rel = name if rel_dir == "." else f"{rel_dir}/{name}"
                if ignore.ignored(rel, False):
                    skipped.append({"name": rel, "reason": ".gitignore"})
                    continue
                consider(rel, here / name)
    total = sum(real.stat().st_size for _, real in chosen)
    return Selection(root, chosen, skipped, total)


def build_zip(selection: Selection, archive: Path) -> None:
    """The selected files in a zip (in our private folder, never in the workspace)."""
    fd = os.open(
        archive, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600
    )
    with os.fdopen(fd, "wb") as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as zf:
        for rel, real in selection.files:
            zf.write(real, rel)


# ------------------------------------------------------------------ the job
@dataclass
class Upload:
    key: str
    size: int = 0
    md5: str = ""
    state: str = "waiting"  # waiting | uploading | verified | failed
    error: str | None = None


@dataclass
class PublishState:
    path: str
    codemeta: dict
    sandbox: bool
    community: str
    files: list[str] | None = None  # selected files (None: the folder as a zip)
    record_id: str | None = None  # new version of this published record
    deposit_id: str | None = None
    phase: str = "preparing"  # preparing | uploading | metadata | draft
    uploads: list[Upload] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    skipped_count: int = 0
    html: str | None = None

    def to_json(self) -> dict:
        body = asdict(self)
        body.pop("codemeta")
        body["uploads"] = [asdict(u) for u in self.uploads]
        body["skipped"] = self.skipped[:LISTED]
        return body


class PublishRunner(Runner):
    kind = KIND
    cancelled_message = "Cancelled; the draft on Zenodo (if any) stays until you discard it."

    def __init__(self, service: PublishService, store: JobStore):
        self.service = service
        self.max_running = lambda: service.config.publish_max_jobs
        store.register(self)

    def dump(self, data: PublishState) -> Any:
        return asdict(data)

    def load(self, body: Any) -> PublishState:
        body = dict(body)
        body["uploads"] = [Upload(**u) for u in body.get("uploads", [])]
        known = set(PublishState.__dataclass_fields__)
        return PublishState(**{k: v for k, v in body.items() if k in known})

    def describe(self, job: Job) -> dict[str, Any]:
        return self.service.job_fields(job.data)

    def conflict(self, job: Job, other: Job) -> str | None:
        if other.data.path == job.data.path:
            return f"{job.data.path} is being published already."
        return None

    def before_retry(self, job: Job) -> None:
        job.errors, job.items_failed, job.items_done, job.bytes_done = [], 0, 0, 0
        for upload in job.data.uploads:
            if upload.state != "verified":
                upload.state, upload.error = "waiting", None

    async def run(self, job: Job) -> None:
        await self.service.run(job)


class PublishService:
    """Everything publishing needs: the token, the HTTP sessions, the runner and the actions."""

    def __init__(
        self,
        config,
        workspace: Workspace,
        store: JobStore,
        data_dir: Path,
        protected,
        transport=None,
    ):
        self.config = config
        self.workspace = workspace
        self.store = store
        self.data_dir = data_dir
        self.protected = protected  # callable -> tuple[Path, ...]
        self.identity = ZenodoIdentity(data_dir / "zenodo-token.json")
        self._http: dict[bool, ServiceHTTP] = {}
        self._transport = transport
        self.runner = PublishRunner(self, store)

    @property
    def community(self) -> str:
        return self.config.publish_community or self.config.community

    def base_url(self, sandbox: bool) -> str:
        return self.config.sandbox_url if sandbox else self.config.url

    def http(self, sandbox: bool) -> ServiceHTTP:
        if sandbox not in self._http:
            self._http[sandbox] = ServiceHTTP(
                self.config, self._transport, base_url=self.base_url(sandbox)
            )
        return self._http[sandbox]

    def client(self, sandbox: bool | None = None) -> DepositClient:
        if not self.identity.configured:
            raise EscapeError(
                401,
                "zenodo_no_token",
                "Publishing needs your Zenodo token: open the publish settings and paste a "
                "personal access token with the deposit:write and deposit:actions scopes.",
                service="zenodo",
            )
        chosen = self.identity.sandbox if sandbox is None else sandbox
        return DepositClient(self.http(chosen), self.identity.token)

    async def aclose(self) -> None:
        for http in self._http.values():
            await http.aclose()

    # ------------------------------------------------------------------ identity
    def describe_identity(self) -> dict[str, Any]:
        return self.identity.describe() | {
            "url": self.http(False).public_base_url,
            "sandbox_url": self.http(True).public_base_url,
            "community": self.community,
        }

    async def save_token(self, token: Any, sandbox: bool) -> dict[str, Any]:
        token = ZenodoIdentity.check(token)
        await DepositClient(self.http(sandbox), token).probe()  # refuses before storing
        self.identity.save(token, sandbox)
        return self.describe_identity()

    # ------------------------------------------------------------------ codemeta
    def prepare(self, path: str, files: list[str] | None = None) -> dict[str, Any]:
        """The form's starting point: codemeta (read or generated), its problems, the Zenodo
        metadata it makes, and what would be uploaded."""
        selection = select(self.workspace, path, files, self.protected())
        meta, problem = cm.read(selection.root)
        source = "file"
        if meta is None:
            meta, source = cm.generate(selection.root), "generated"
        body = self.check(meta)
        if problem:
            body["problems"].insert(0, {"field": "", "level": "warning", "message": problem})
        return {
            "path": path,
            "source": source,
            "codemeta": meta,
            **body,
            "files": [{"name": rel, "size": real.stat().st_size} for rel, real in selection.files][
                :LISTED
            ],
            "files_count": len(selection.files),
            "total_bytes": selection.total,
            "skipped": selection.skipped[:LISTED],
            "skipped_count": len(selection.skipped),
            "mode": "files"
            if files is not None or (self.workspace.target(path).is_file())
            else "zip",
        }

    def check(self, meta: Any) -> dict[str, Any]:
        problems = cm.validate(meta, communities=(self.community,))
        zenodo = None
        if not cm.blocking(problems):
            zenodo = self._zenodo_metadata(meta)
        return {"problems": [p.to_json() for p in problems], "zenodo": zenodo}

    def _zenodo_metadata(self, meta: dict) -> dict:
        zenodo = cm.ossr_metadata(meta, self.community, grant=self.config.publish_grant)
        if isinstance(zenodo.get("description"), str):
            # CodeMeta's description is text, Zenodo's is HTML: escape it so that markup in a
            # codemeta.json stays text on the record page (eossr sends it as it is)
            zenodo["description"] = html.escape(zenodo["description"], quote=False)
        if isinstance(zenodo.get("keywords"), str):  # Zenodo takes a list
            zenodo["keywords"] = [zenodo["keywords"]]
        return zenodo

    # ------------------------------------------------------------------ the job
    def start(self, path, codemeta, files, record_id, key) -> Job:
        self.client()  # a token is needed before anything starts
        problems = cm.validate(codemeta, communities=(self.community,))
        errors = cm.blocking(problems)
        if errors:
            listing = "; ".join(f"{p.field or 'codemeta'}: {p.message}" for p in errors[:10])
            raise EscapeError(400, "codemeta_invalid", f"Fix the metadata first: {listing}")
        select(self.workspace, path, files, self.protected())  # refuse bad paths now
        state = PublishState(
            path, codemeta, self.identity.sandbox, self.community, files, record_id
        )
        return self.store.start(KIND, state, key)

    def job_fields(self, state: PublishState) -> dict[str, Any]:
        return state.to_json()

    async def run(self, job: Job) -> None:
        state: PublishState = job.data
        client = self.client(state.sandbox)
        loop = asyncio.get_running_loop()
        selection = await loop.run_in_executor(
            None, select, self.workspace, state.path, state.files, self.protected()
        )
        if not selection.files:
            raise JobFailed(f"Nothing to upload in {state.path} (every file was skipped).")
        if selection.total > self.config.publish_max_bytes:
            raise JobFailed(
                f"{state.path} holds {selection.total} bytes, more than "
                f"EscapeZenodo.publish_max_bytes ({self.config.publish_max_bytes})."
            )
        state.skipped, state.skipped_count = selection.skipped[:LISTED], len(selection.skipped)
        staging = Path(tempfile.mkdtemp(prefix="publish-", dir=self._staging_root()))
        try:
            uploads = await loop.run_in_executor(None, self._stage, state, selection, staging)
            await self._deposit(job, client, uploads)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _staging_root(self) -> Path:
        root = self.data_dir / "publish-staging"
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(root, 0o700)
        return root

    def _stage(self, state: PublishState, selection: Selection, staging: Path):
        """(key, path, md5) of every file to upload; the zip is built here."""
        out: list[tuple[str, Path, str]] = []
        if state.files is None and self.workspace.target(state.path).is_dir():
            name = _archive_name(selection.root.name, state.codemeta)
            archive = staging / name
            build_zip(selection, archive)
            out.append((name, archive, md5_of(archive)))
        else:
            for rel, real in selection.files:
                if rel == cm.CODEMETA:
                    continue  # the form's codemeta.json goes up below
                key = rel.replace("/", "_")
                out.append((key, real, md5_of(real)))
        meta = staging / cm.CODEMETA
        fd = os.open(meta, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(state.codemeta, handle, indent=2, ensure_ascii=False)
        out.append((cm.CODEMETA, meta, md5_of(meta)))
        return out

    async def _deposit(self, job: Job, client: DepositClient, uploads) -> None:
        state: PublishState = job.data
        state.phase = "uploading"
        done = {u.key: u for u in state.uploads}
        state.uploads = [
            done.get(key) or Upload(key, path.stat().st_size, md5) for key, path, md5 in uploads
        ]
        for upload, (_, _, md5) in zip(state.uploads, uploads, strict=False):
            if upload.md5 != md5:  # the file changed since an earlier run: upload again
                upload.md5, upload.state = md5, "waiting"
        job.items_total = len(state.uploads)
        job.bytes_total = sum(u.size for u in state.uploads)
        if state.deposit_id:
            deposition = await client.get(int(state.deposit_id))
        elif state.record_id:
            deposition = await client.new_version(int(state.record_id))
            state.deposit_id = str(deposition["id"])
            for old in deposition.get("files") or []:
                await client.delete_file(int(state.deposit_id), str(old.get("id")))
            deposition = await client.get(int(state.deposit_id))
        else:
            deposition = await client.create()
            state.deposit_id = str(deposition["id"])
        self.store.save()
        state.html = self._html(deposition)
        bucket = client.bucket_path(deposition)
        for upload, (key, path, md5) in zip(state.uploads, uploads, strict=False):
            if upload.state == "verified":
                job.items_done += 1
                job.bytes_done += upload.size
                continue
            upload.state = "uploading"

            def moved(n: int) -> None:
                job.bytes_done += n
                job.transferred += n

            answer = await client.upload(bucket, key, path, moved)
            checksum = str(answer.get("checksum") or "")
            if checksum.removeprefix("md5:") != md5:
                upload.state = "failed"
                upload.error = (
                    f"md5 mismatch: we sent {md5}, Zenodo stored {checksum or 'no checksum'}"
                )
                job.errors.append({"item": key, "message": upload.error})
                job.items_failed += 1
                raise JobFailed(
                    f"{key} arrived damaged on Zenodo ({upload.error}); retry to upload it again."
                )
            upload.state = "verified"
            job.items_done += 1
            self.store.save(force=False)
        state.phase = "metadata"
        await client.set_metadata(int(state.deposit_id), self._zenodo_metadata(state.codemeta))
        state.phase = "draft"
        where = "the Zenodo sandbox" if state.sandbox else "Zenodo"
        job.message = (
            f"Draft {state.deposit_id} is ready on {where}: review it in My uploads, then "
            "publish (this mints a DOI and cannot be undone)."
        )

    def _html(self, deposition: dict) -> str | None:
        link = str((deposition.get("links") or {}).get("html") or "")
        return link if link.startswith(("https://", "http://")) else None

    # ------------------------------------------------------------------ my uploads
    async def uploads(self) -> dict[str, Any]:
        client = self.client()
        depositions = await client.list()
        requests = await client.requests()
        return {
            "sandbox": self.identity.sandbox,
            "uploads": [self.summary(d, requests) for d in depositions],
        }

    async def upload(self, dep_id: str) -> dict[str, Any]:
        client = self.client()
        deposition = await client.get(_dep_id(dep_id))
        return self.summary(deposition, await client.requests(), detail=True)

    def summary(self, d: dict, requests: list[dict], detail: bool = False) -> dict[str, Any]:
        md = d.get("metadata") if isinstance(d.get("metadata"), dict) else {}
        state = str(d.get("state") or "")
        submitted = bool(d.get("submitted"))
        status = "published" if state == "done" else "editing" if submitted else "draft"
        rid = str(d.get("id"))
        wanted = [c.get("identifier") for c in md.get("communities") or [] if isinstance(c, dict)]
        request = next(
            (r for r in requests if str((r.get("topic") or {}).get("record")) == rid), None
        )
        if request:
            community = {
                "slug": wanted[0] if wanted else self.community,
                "status": str(request.get("status")),
            }
        elif wanted:
            community = {"slug": wanted[0], "status": "on_publish" if not submitted else "none"}
        else:
            community = {"slug": None, "status": "none"}
        body = {
            "id": rid,
            "title": str(md.get("title") or d.get("title") or ""),
            "status": status,
            "version": md.get("version"),
            "doi": d.get("doi") if submitted else None,
            "concept_doi": d.get("conceptdoi") if submitted else None,
            "record_id": rid if submitted else None,
            "created": str(d.get("created") or ""),
            "modified": str(d.get("modified") or ""),
            "html": self._html(d),
            "community": community,
            "files": [
                {
                    "key": str(f.get("filename")),
                    "size": int(f.get("filesize") or 0),
                    "md5": str(f.get("checksum") or ""),
                }
                for f in d.get("files") or []
                if isinstance(f, dict)
            ],
            "sandbox": self.identity.sandbox,
            "license": _license(md.get("license")),
        }
        if detail:
            body["metadata"] = {k: v for k, v in md.items() if k != "prereserve_doi"}
        return body

    async def act(self, dep_id: str, action: str, body: dict) -> dict[str, Any] | None:
        client = self.client()
        dep = _dep_id(dep_id)
        if action == "publish":
            if body.get("confirm") is not True:
                raise _bad(
                    "Publishing mints a DOI and cannot be undone: send confirm: true after "
                    "showing the user what will be public."
                )
            await client.action(dep, "publish")
        elif action == "edit":
            await client.action(dep, "edit")
        elif action == "discard":
            deposition = await client.get(dep)
            if deposition.get("submitted"):
                await client.action(dep, "discard")  # back to the published metadata
            else:
                await client.delete(dep)
                return None
        elif action == "metadata":
            meta = body.get("codemeta")
            checked = self.check(meta)
            errors = [p for p in checked["problems"] if p["level"] == "error"]
            if errors:
                listing = "; ".join(f"{p['field'] or 'codemeta'}: {p['message']}" for p in errors)
                raise EscapeError(400, "codemeta_invalid", f"Fix the metadata first: {listing}")
            await client.set_metadata(dep, checked["zenodo"])
        else:
            raise EscapeError(404, "not_found", f"No action {action!r}.")
        return await self.upload(dep_id)


def _dep_id(value: str) -> int:
    if not re.fullmatch(r"\d{1,12}", str(value)):
        raise _bad("An upload id is a number.")
    return int(value)


def _archive_name(folder: str, meta: dict) -> str:
    version = str(meta.get("softwareVersion") or meta.get("version") or "")
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", folder).strip("-.") or "software"
    version = re.sub(r"[^A-Za-z0-9._-]+", "-", version).strip("-.")
    return f"{stem}-{version}.zip" if version else f"{stem}.zip"
