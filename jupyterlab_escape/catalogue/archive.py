"""Zips fetched from a record, extracted through the workspace's one path rule: an archive with
a member we refuse (zip-slip, absolute, backslashes, over-long) or a corrupt member is refused as
a whole; links and hidden members are skipped and reported."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

from ..http import EscapeError
from ..workspace import Extracted, Workspace, extract_zip, is_hidden, relative_parts


def short(name: str, limit: int = 80) -> str:
    """A name cut to ``limit`` characters for a message."""
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _check_members(archive: Path, workspace: Workspace) -> None:
    """Every member path the archive would write, checked before anything is extracted."""
    with zipfile.ZipFile(archive) as zf:
        for member in zf.infolist():
            if member.is_dir() or stat.S_ISLNK(member.external_attr >> 16):
                continue  # links are skipped (and reported) by extract_zip
            # The shape of the path, hidden or not: hidden members are skipped and reported by
            # extract_zip, but a hidden-looking "..\\x" is refused for what it is.
            relative_parts(member.filename, "zenodo", allow_hidden=True)


def unpack(archive: Path, folder: Path, workspace: Workspace, key: str) -> Extracted:
    """Extract a fetched zip into ``folder``; an archive with a member we refuse (zip-slip,
    absolute, over-long) or a corrupt member is refused as a whole, before anything is written
    where possible."""
    try:
        _check_members(archive, workspace)
        return extract_zip(archive, folder, workspace, service="zenodo")
    except zipfile.BadZipFile as err:
        raise EscapeError(
            502,
            "zenodo_bad_zip",
            f"{short(key)} is not a valid zip archive ({short(str(err))}); "
            "the archive was kept and extraction stopped.",
            service="zenodo",
        ) from None


def skip_reason(name: str, allow_hidden: bool) -> str:
    return "hidden" if is_hidden(name) and not allow_hidden else "symbolic link"
