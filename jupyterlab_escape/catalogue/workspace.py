"""Paths inside the workspace for the catalogue (the shared rules of ``..workspace``).

A path from the browser or from a record (file keys, zip members) is relative, has no ``..``,
no absolute or drive prefix, no backslash or NUL, and no component that is a symlink: it is
refused otherwise, before anything is written.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from ..http import EscapeError
from ..workspace import inside as _inside
from ..workspace import refuse as _refuse
from ..workspace import relative_parts as _relative_parts


def refuse(path: str, why: str) -> EscapeError:
    return _refuse(path, why, "zenodo")


def relative_parts(path: str) -> tuple[str, ...]:
    return _relative_parts(path, "zenodo")


def inside(root: str | Path, path: str) -> Path:
    """``root/path`` after checking it stays inside ``root``, symlinks included."""
    return _inside(root, path, "zenodo")


def slug(text: str, limit: int = 48) -> str:
    """A folder-safe ASCII name: 'Gamma-Pipe: tools!' -> 'gamma-pipe-tools'."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return text[:limit].rstrip("-") or "record"


def safe_name(text: str) -> str:
    """A version string usable in a folder name."""
    return re.sub(r"[^A-Za-z0-9._+-]+", "-", text or "").strip("-.") or "latest"
