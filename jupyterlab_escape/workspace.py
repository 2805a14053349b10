"""Paths inside the workspace (the server's root_dir), and nothing outside it; every slice
that writes files uses them.

A path from the browser or from a record (file keys, zip members) is relative, has no ``..``,
no absolute or drive prefix, no backslash or NUL, and no component that is a symlink: it is
refused otherwise, before anything is written.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path, PurePosixPath

from .http import EscapeError


def refuse(path: str, why: str) -> EscapeError:
    return EscapeError(400, "bad_path", f"Refused to write to {path!r}: {why}.")


def relative_parts(path: str) -> tuple[str, ...]:
    if not path or "\x00" in path or "\\" in path:
        raise refuse(path, "not a plain relative path")
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        raise refuse(path, "absolute paths are not allowed")
    parts = tuple(p for p in PurePosixPath(path).parts if p not in ("", "."))
    if not parts or any(p == ".." for p in parts):
        raise refuse(path, "it leaves the workspace")
    return parts


def inside(root: str | Path, path: str) -> Path:
    """``root/path`` after checking it stays inside ``root``, symlinks included."""
    base = Path(root).resolve()
    current = base
    for part in relative_parts(path):
        current = current / part
        if current.is_symlink():
            raise refuse(path, "it goes through a symbolic link")
    target = current.resolve()
    if target != base and base not in target.parents:
        raise refuse(path, "it leaves the workspace")
    return target


def slug(text: str, limit: int = 48) -> str:
    """A folder-safe ASCII name: 'Gamma-Pipe: tools!' -> 'gamma-pipe-tools'."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return text[:limit].rstrip("-") or "record"


def safe_name(text: str) -> str:
    """A version string usable in a folder name."""
    return re.sub(r"[^A-Za-z0-9._+-]+", "-", text or "").strip("-.") or "latest"
