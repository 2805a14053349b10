"""The files a workflow needs, collected from the workspace the way reana-client does it, but safer.

Paths in ``inputs.files`` / ``inputs.directories`` are relative to the folder of the reana.yaml
(or, for a notebook cell, the notebook's folder) and become the same relative paths in the REANA
workspace. A spec is written by someone else as often as not, so what it can make us send is
bounded:

- a listed path is relative, without ``..``, NUL or a name over 255 bytes, and a symbolic link
  (the path itself or a folder on the way) must stay inside the spec's folder: a cloned
  repository with ``data.txt -> ../../.ssh/id_rsa`` is refused;
- directories are walked without following links, and hidden entries (``.ssh``, ``.git``,
  ``.local``) are left out and reported; a hidden path is sent only when the spec lists it
  itself;
- the Jupyter server's own files (the runtime folder with its ``jpserver-*.json`` tokens, our data
  folder with the Rucio credential store, the configured certificate and token files) are never
  sent, whatever the spec says;
- ``.gitignore`` and ``.reanaignore`` of the spec's folder (gitwildmatch patterns) filter what is
  uploaded, as in reana-client.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pathspec

from ..http import EscapeError
from ..workspace import NAME_MAX, is_protected
from .spec import Issue, SpecDocument, Summary

IGNORE_FILES = (".gitignore", ".reanaignore")
MAX_FILES = 50_000


@dataclass
class InputFile:
    source: Path  # absolute path on this server
    name: str  # path in the REANA workspace
    size: int


@dataclass
class InputPlan:
    files: list[InputFile] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)

    def to_json(self, limit: int = 200) -> dict:
        return {
            "count": len(self.files),
            "bytes": self.total_bytes,
            "files": [{"name": f.name, "size": f.size} for f in self.files[:limit]],
            "skipped": self.skipped[:limit],
        }


def bad_spec_path(path: str) -> str | None:
    """Why a path from reana.yaml cannot be a workspace path (REANA refuses the same)."""
    if not path or "\x00" in path or "\\" in path:
        return "is not a plain relative path"
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        return "is absolute; use a path relative to the reana.yaml folder"
    if any(p == ".." for p in PurePosixPath(path).parts):
        return "leaves the reana.yaml folder ('..')"
    if any(len(p.encode("utf-8", "surrogateescape")) > NAME_MAX for p in PurePosixPath(path).parts):
        return f"has a name longer than {NAME_MAX} bytes"
    return None


def hidden(name: str) -> bool:
    return name.startswith(".") and name not in (".", "..")


def _within(root: Path, target: Path) -> bool:
    return target == root or root in target.parents


def check_source(
    entry: str, folder: Path, protected: Iterable[Path], beside: str
) -> tuple[Path | None, str | None]:
    """The file or folder a spec names, resolved, or why it cannot be sent."""
    why = bad_spec_path(entry)
    if why:
        return None, f"{entry!r} {why}"
    candidate = folder / entry
    if not candidate.exists() and not candidate.is_symlink():
        return candidate, None  # the caller says what kind of thing is missing
    target = candidate.resolve()
    if not _within(folder.resolve(), target):
        return None, f"{entry!r} is a link to a place outside the folder of {beside}; refused"
    if is_protected(target, protected):
        return None, (
            f"{entry!r} is one of the Jupyter server's own runtime or credential files; "
            "it is never uploaded"
        )
    return target, None


def ignore_spec(folder: Path) -> pathspec.PathSpec | None:
    lines: list[str] = []
    for name in IGNORE_FILES:
        candidate = folder / name
        if candidate.is_file() and not candidate.is_symlink():
            lines += candidate.read_text(errors="replace").splitlines()
    return pathspec.GitIgnoreSpec.from_lines(lines) if lines else None


def collect(
    doc: SpecDocument,
    summary: Summary,
    root: Path,
    folder: Path,
    spec_name: str | None,
    max_files: int = MAX_FILES,
    protected: Iterable[Path] = (),
) -> InputPlan:
    """Resolve every declared input to files on disk; problems become located issues."""
    root = root.resolve()
    folder = folder.resolve()
    protected = tuple(Path(p).resolve() for p in protected)
    beside = spec_name or "the notebook"
    plan = InputPlan()
    seen: set[str] = set()
    ignored = ignore_spec(folder)

    def problem(
        path: tuple, message: str, severity: str = "error", code: str | None = None
    ) -> None:
        line, column = doc.locate(path)
        plan.issues.append(Issue(path, message, severity, line, column, code))

    def add(source: Path, name: str) -> None:
        if name in seen:
            return
        if len(plan.files) >= max_files:
            raise EscapeError(
                400,
                "reana_too_many_inputs",
                f"The inputs hold more than {max_files} files; add a .reanaignore to leave "
                "some out, or zip them.",
                service="reana",
            )
        seen.add(name)
        plan.files.append(InputFile(source, name, source.stat().st_size))

    def resolve(entry: str, where: tuple, want_dir: bool) -> Path | None:
        target, why = check_source(entry, folder, protected, beside)
        if why:
            problem(where, why)
            return None
        assert target is not None
        if not target.exists():
            kind = "directory" if want_dir else "file"
            # reana-client skips it silently; we say so, and the user may submit anyway.
            problem(
                where,
                f"input {kind} {entry!r} does not exist next to {beside}",
                "warning",
                "missing_input",
            )
            return None
        if want_dir and not target.is_dir():
            problem(where, f"{entry!r} is listed under directories but is not a directory")
            return None
        if not want_dir and not target.is_file():
            problem(where, f"{entry!r} is listed under files but is not a file")
            return None
        return target

    if spec_name:  # a spec file travels with its inputs; a cell's spec is in the request
        add(folder / spec_name, spec_name)
    for index, entry in enumerate(summary.input_files):
        target = resolve(entry, ("inputs", "files", index), want_dir=False)
        if target is not None:
            add(target, str(PurePosixPath(entry)))
    for index, entry in enumerate(summary.input_directories):
        where = ("inputs", "directories", index)
        target = resolve(entry, where, want_dir=True)
        if target is None:
            continue
        left_out: dict[str, list[str]] = {"hidden": [], "protected": []}

        def skip(name: str, reason: str, left_out: dict = left_out) -> None:
            plan.skipped.append({"name": name, "reason": reason})
            if reason in left_out:
                left_out[reason].append(name)

        base = str(PurePosixPath(entry)).rstrip("/")
        base = "" if base == "." else base
        for dirpath, dirnames, filenames in os.walk(target, followlinks=False):
            rel_dir = os.path.relpath(dirpath, target)
            prefix = base if rel_dir == "." else f"{base}/{Path(rel_dir).as_posix()}".lstrip("/")
            keep = []
            for dirname in sorted(dirnames):
                name = f"{prefix}/{dirname}".lstrip("/")
                path = Path(dirpath) / dirname
                if path.is_symlink():
                    skip(name, "symlink")
                elif hidden(dirname):
                    skip(name + "/", "hidden")
                elif is_protected(path.resolve(), protected):
                    skip(name + "/", "protected")
                elif not (ignored and ignored.match_file(f"{name}/")):
                    keep.append(dirname)
            dirnames[:] = keep
            for filename in sorted(filenames):
                name = f"{prefix}/{filename}".lstrip("/")
                path = Path(dirpath) / filename
                if path.is_symlink():
                    skip(name, "symlink")
                elif hidden(filename):
                    skip(name, "hidden")
                elif is_protected(path.resolve(), protected):
                    skip(name, "protected")
                elif ignored and ignored.match_file(name):
                    skip(name, "ignored")
                elif path.is_file():
                    add(path, name)
        if left_out["hidden"]:
            names = left_out["hidden"]
            shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
            problem(
                where,
                f"hidden entries are not uploaded from {entry!r}: {shown}; list one under "
                "inputs to send it",
                "warning",
            )
        if left_out["protected"]:
            problem(
                where,
                f"the Jupyter server's own runtime and credential files are never uploaded: "
                f"{', '.join(left_out['protected'][:5])}",
                "warning",
            )
    return plan
