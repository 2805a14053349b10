"""Paths inside the workspace (the server's root_dir), and nothing outside it; safe unzipping.

Shared by every slice that writes into the workspace. A path from the browser, a record or an
upstream (file keys, zip members, workflow outputs) is relative, has no ``..``, no absolute or
drive prefix, no backslash or NUL, and no component that is a symlink: it is refused otherwise,
before anything is written.
"""

from __future__ import annotations

import os
import re
import stat
import zipfile
from pathlib import Path, PurePosixPath

from .http import EscapeError


def refuse(path: str, why: str, service: str | None = None) -> EscapeError:
    return EscapeError(400, "bad_path", f"Refused to write to {path!r}: {why}.", service=service)


def relative_parts(path: str, service: str | None = None) -> tuple[str, ...]:
    if not path or "\x00" in path or "\\" in path:
        raise refuse(path, "not a plain relative path", service)
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        raise refuse(path, "absolute paths are not allowed", service)
    parts = tuple(p for p in PurePosixPath(path).parts if p not in ("", "."))
    if not parts or any(p == ".." for p in parts):
        raise refuse(path, "it leaves the workspace", service)
    return parts


def inside(root: str | Path, path: str, service: str | None = None) -> Path:
    """``root/path`` after checking it stays inside ``root``, symlinks included."""
    base = Path(root).resolve()
    current = base
    for part in relative_parts(path, service):
        current = current / part
        if current.is_symlink():
            raise refuse(path, "it goes through a symbolic link", service)
    target = current.resolve()
    if target != base and base not in target.parents:
        raise refuse(path, "it leaves the workspace", service)
    return target


def extract_zip(
    archive: Path,
    folder: Path,
    root_dir: str,
    max_bytes: int = 4 * 1024**3,
    service: str | None = None,
) -> list[str]:
    """Extract into ``folder``, each member checked like a browser path; workspace paths out."""
    out: list[str] = []
    base = Path(root_dir).resolve()
    with zipfile.ZipFile(archive) as zf:
        members = [m for m in zf.infolist() if not m.is_dir()]
        if sum(m.file_size for m in members) > max_bytes:
            raise EscapeError(
                400, "zip_too_large", f"{archive.name} unpacks to too much data.", service=service
            )
        for member in members:
            if stat.S_ISLNK(member.external_attr >> 16):
                continue  # symlinks inside archives are never recreated
            target = inside(folder, member.filename, service)
            target.parent.mkdir(parents=True, exist_ok=True)
            temp = target.with_name(f".{target.name}.unzip.part")
            with zf.open(member) as source, open(temp, "wb") as sink:
                while chunk := source.read(256 * 1024):
                    sink.write(chunk)
            os.replace(temp, target)
            out.append(str(target.relative_to(base)))
    return out
