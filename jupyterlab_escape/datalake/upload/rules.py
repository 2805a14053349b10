"""What may be uploaded and under which names: Rucio's naming rules, the request as the browser
or the kernel sends it, and the selection of workspace files (every path through the workspace
rules; hidden files, links and the server's own files left out or refused)."""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ...http import EscapeError
from ...workspace import Workspace, is_protected

MiB = 1024 * 1024
READBACK_MAX = 64 * MiB  # files up to this size are read back and their checksums compared
REGISTER_BATCH = 500
MAX_FILES = 100_000
TRIES = 3
WRITE_SCHEMES = ("https", "davs")
# Rucio's naming rules (common/schema): ESCAPE's schema allows no '/' in names; the generic
# one does but WebDAV servers escape such paths in PROPFIND answers. We apply the stricter one.
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-_]*$")
NAME_MAX = 250
SCOPE_RE = re.compile(r"^[a-zA-Z_\-.0-9]+$")
SCOPE_MAX = 25
# Rucio's DID columns (metadata any server stores; free keys need the JSON plugin).
DID_COLUMNS = (
    "project", "datatype", "run_number", "stream_name", "prod_step", "version", "campaign",
    "task_id", "panda_id", "lumiblocknr", "provenance", "phys_group", "transient", "guid",
)  # fmt: skip
STATUS = {"bad_path": 400, "bad_did_name": 400, "did_clash": 409, "rucio_quota_exceeded": 409}


def name_problem(name: str) -> str | None:
    if not isinstance(name, str) or not name:
        return "a DID name cannot be empty"
    if len(name) > NAME_MAX:
        return f"{name[:40]}… is longer than Rucio's {NAME_MAX} characters"
    if not NAME_RE.match(name):
        return (
            f"{name!r} breaks Rucio's naming rule (letters, digits, '.', '-', '_'; starting "
            "with a letter or digit; no '/')"
        )
    return None


def scope_problem(scope: str) -> str | None:
    if not isinstance(scope, str) or not SCOPE_RE.match(scope) or len(scope) > SCOPE_MAX:
        return f"{scope!r} is not a Rucio scope (letters, digits, '_', '-', '.'; at most 25)"
    return None


def default_name(rel_in_selection: str) -> str:
    """A DID name from a path inside the selection: folders joined with '.' (ESCAPE: no '/')."""
    return ".".join(PurePosixPath(rel_in_selection).parts)


@dataclass
class UploadRequest:
    paths: list[str]
    scope: str
    rse: str
    dataset: str | None = None
    dataset_new: bool | None = None
    container: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    lifetime: int | None = None
    copies: int = 1
    rse_expression: str | None = None
    names: dict[str, str] = field(default_factory=dict)
    cwd: str | None = None

    @classmethod
    def parse(cls, body: dict) -> UploadRequest:
        def bad(message: str) -> EscapeError:
            return EscapeError(400, "bad_request", message, service="rucio")

        paths = body.get("paths")
        if isinstance(paths, str):
            paths = [paths]
        if not isinstance(paths, list) or not paths or not all(isinstance(p, str) for p in paths):
            raise bad("paths must be a list of workspace paths (files or folders).")
        for key in ("scope", "rse"):
            if not isinstance(body.get(key), str) or not body.get(key):
                raise bad(f"{key} is required.")
        for key in ("dataset", "container", "rse_expression", "cwd"):
            if body.get(key) is not None and not isinstance(body.get(key), str):
                raise bad(f"{key} must be a string.")
        meta = body.get("meta") or {}
        if not isinstance(meta, dict) or not all(isinstance(k, str) for k in meta):
            raise bad("meta must be an object of key: value.")
        for key, value in meta.items():
            if not isinstance(value, str | int | float | bool) or not re.match(
                r"^[A-Za-z_]\w*$", key
            ):
                raise bad(f"metadata {key!r} must be a simple key with a text or number value.")
        names = body.get("names") or {}
        if not isinstance(names, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in names.items()
        ):
            raise bad("names must map workspace paths to DID names.")
        lifetime = body.get("lifetime")
        if lifetime is not None and (
            isinstance(lifetime, bool) or not isinstance(lifetime, int) or lifetime <= 0
        ):
            raise bad("lifetime is a number of seconds (or null for no expiry).")
        copies = body.get("copies", 1)
        if isinstance(copies, bool) or not isinstance(copies, int) or not 1 <= copies <= 10:
            raise bad("copies is a number from 1 to 10.")
        dataset_new = body.get("dataset_new")
        if dataset_new is not None and not isinstance(dataset_new, bool):
            raise bad("dataset_new is true (create it) or false (attach to an existing one).")
        return cls(
            paths=paths,
            scope=body["scope"],
            rse=body["rse"],
            dataset=body.get("dataset") or None,
            dataset_new=dataset_new,
            container=body.get("container") or None,
            meta=meta,
            lifetime=lifetime,
            copies=copies,
            rse_expression=body.get("rse_expression") or None,
            names=names,
            cwd=body.get("cwd"),
        )


@dataclass
class Selection:
    files: list[tuple[str, str, int]]  # (workspace path, DID name, bytes)
    skipped: list[dict]  # [{path, why}] left out of folder walks
    problems: list[dict]  # [{code, message, path?}]
    folder: str | None  # the one folder selected, if so (its name is the default dataset)


def _problem(code: str, message: str, path: str | None = None) -> dict:
    return {"code": code, "message": message} | ({"path": path} if path else {})


def select_files(
    workspace: Workspace,
    request: UploadRequest,
    protected: tuple[Path, ...] = (),
) -> Selection:
    """Every file the request names, each through the workspace rules (in a thread)."""
    base = ""
    if request.cwd is not None:
        from ...workflows.prepare import base_of  # the one kernel-folder rule (a named hand-off)

        base = base_of(workspace, request.cwd)
    files: list[tuple[str, str, int]] = []
    skipped: list[dict] = []
    problems: list[dict] = []
    folders = []
    root = workspace.root

    def add_file(target: Path, in_selection: str) -> None:
        rel = workspace.relative(target)
        if is_protected(target, protected):
            problems.append(
                _problem(
                    "bad_path",
                    f"{rel} is one of the Jupyter server's own runtime or credential files; "
                    "it is never uploaded.",
                    rel,
                )
            )
            return
        info = target.stat()
        if not stat.S_ISREG(info.st_mode):
            problems.append(_problem("bad_path", f"{rel} is not a regular file.", rel))
            return
        name = request.names.get(rel) or default_name(in_selection)
        files.append((rel, name, info.st_size))

    for raw in request.paths:
        joined = f"{base}/{raw}" if base and not raw.startswith("/") else raw
        try:
            if raw.startswith("/"):  # an absolute path is accepted only inside the workspace
                resolved = Path(raw)
                joined = str(resolved.relative_to(root)) if root in resolved.parents else raw
            parts = workspace.parts(joined, "rucio")
            target = workspace.target("/".join(parts), "rucio")
        except EscapeError as err:
            message = err.message.replace("Refused to write to", "Refused to upload", 1)
            problems.append(_problem("bad_path", message, raw))
            continue
        if not target.exists():
            problems.append(_problem("bad_path", f"{joined} does not exist.", raw))
            continue
        if target.is_file():
            add_file(target, target.name)
            continue
        if not target.is_dir():
            problems.append(_problem("bad_path", f"{joined} is not a file or folder.", raw))
            continue
        folders.append(workspace.relative(target))
        if is_protected(target, protected):
            problems.append(
                _problem("bad_path", f"{joined} holds the Jupyter server's own files.", raw)
            )
            continue
        for dirpath, dirnames, filenames in os.walk(target, followlinks=False):
            here = Path(dirpath)
            for entry in sorted(dirnames):
                full = here / entry
                rel = workspace.relative(full)
                if entry.startswith(".") and not workspace.allow_hidden:
                    skipped.append({"path": rel, "why": "hidden folder"})
                    dirnames.remove(entry)
                elif full.is_symlink():
                    skipped.append({"path": rel, "why": "symbolic link"})
            for entry in sorted(filenames):
                full = here / entry
                rel = workspace.relative(full)
                if entry.startswith(".") and not workspace.allow_hidden:
                    skipped.append({"path": rel, "why": "hidden file"})
                    continue
                if full.is_symlink():
                    skipped.append({"path": rel, "why": "symbolic link"})
                    continue
                # the folder's name leads: a user scope is one flat namespace
                add_file(full, str(full.relative_to(target.parent)))
                if len(files) > MAX_FILES:
                    raise EscapeError(
                        400, "too_many_files", f"More than {MAX_FILES} files in one upload."
                    )
    folder = folders[0] if len(folders) == 1 and len(request.paths) == 1 else None
    return Selection(files, skipped, problems, folder)
