"""The files a workflow needs, collected from the workspace the way reana-client does it, but safer.

Paths in ``inputs.files`` / ``inputs.directories`` are relative to the folder of the reana.yaml
and become the same relative paths in the REANA workspace. Directories are walked recursively;
``.gitignore`` and ``.reanaignore`` of the spec's folder (gitwildmatch patterns) filter what is
uploaded; symbolic links inside walked directories are skipped like reana-client skips them, and a
listed path that is (or goes through) a link leading outside the workspace is refused.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pathspec

from ..http import EscapeError
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
    return None


def ignore_spec(folder: Path) -> pathspec.PathSpec | None:
    lines: list[str] = []
    for name in IGNORE_FILES:
        candidate = folder / name
        if candidate.is_file() and not candidate.is_symlink():
            lines += candidate.read_text(errors="replace").splitlines()
    return pathspec.GitIgnoreSpec.from_lines(lines) if lines else None


def _within(root: Path, target: Path) -> bool:
    return target == root or root in target.parents


def collect(
    doc: SpecDocument,
    summary: Summary,
    root: Path,
    folder: Path,
    spec_name: str | None,
    max_files: int = MAX_FILES,
) -> InputPlan:
    """Resolve every declared input to files on disk; problems become located issues."""
    root = root.resolve()
    plan = InputPlan()
    seen: set[str] = set()
    ignored = ignore_spec(folder)

    def problem(path: tuple, message: str) -> None:
        line, column = doc.locate(path)
        plan.issues.append(Issue(path, message, "error", line, column))

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
        why = bad_spec_path(entry)
        if why:
            problem(where, f"{entry!r} {why}")
            return None
        candidate = folder / entry
        if not candidate.exists() and not candidate.is_symlink():
            kind = "directory" if want_dir else "file"
            beside = spec_name or "the notebook"
            problem(where, f"input {kind} {entry!r} does not exist next to {beside}")
            return None
        target = candidate.resolve()
        if not _within(root, target):
            problem(where, f"{entry!r} is a link to a place outside the workspace; refused")
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
        target = resolve(entry, ("inputs", "directories", index), want_dir=True)
        if target is None:
            continue
        base = str(PurePosixPath(entry)).rstrip("/")
        for dirpath, dirnames, filenames in os.walk(target, followlinks=False):
            rel_dir = os.path.relpath(dirpath, target)
            prefix = base if rel_dir == "." else f"{base}/{Path(rel_dir).as_posix()}"
            for dirname in sorted(dirnames):
                if os.path.islink(os.path.join(dirpath, dirname)):
                    plan.skipped.append({"name": f"{prefix}/{dirname}", "reason": "symlink"})
            dirnames[:] = sorted(
                d
                for d in dirnames
                if not os.path.islink(os.path.join(dirpath, d))
                and not (ignored and ignored.match_file(f"{prefix}/{d}/"))
            )
            for filename in sorted(filenames):
                name = f"{prefix}/{filename}"
                path = Path(dirpath) / filename
                if path.is_symlink():
                    plan.skipped.append({"name": name, "reason": "symlink"})
                elif ignored and ignored.match_file(name):
                    plan.skipped.append({"name": name, "reason": "ignored"})
                elif path.is_file():
                    add(path, name)
    return plan
