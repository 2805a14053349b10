"""The one rule for paths we write: inside the workspace (the server's root_dir), never hidden.

Every slice that writes into the workspace (Data Lake fetches, record files and zip members,
REANA outputs) goes through this module. A path that comes from the browser, a notebook, a record
or an upstream (file keys, zip members, workflow outputs) is relative, has no ``..``, no absolute
or drive prefix, no backslash or NUL, no component longer than 255 bytes, no component that is a
symlink and, unless the contents manager's ``allow_hidden`` is on, no component that starts with
``.``: it is refused otherwise, before anything is written. Hidden folders are where code runs
from (``.local/share/jupyter/kernels``, ``.ipython/profile_default/startup``, ``.ssh``), so a
shared notebook, spec or record must never be able to write there.

Files are created with ``O_CREAT | O_EXCL | O_NOFOLLOW`` (never through a planted link, never
over a file that appeared meanwhile), and an existing user file is never replaced silently:
``free_path`` picks ``name (1).ext`` and the caller says so.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import stat
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .http import EscapeError

NAME_MAX = 255  # bytes per path component on every filesystem we run on
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def refuse(path: str, why: str, service: str | None = None) -> EscapeError:
    return EscapeError(400, "bad_path", f"Refused to write to {path!r}: {why}.", service=service)


def relative_parts(
    path: str, service: str | None = None, *, allow_hidden: bool = False
) -> tuple[str, ...]:
    """The components of a relative workspace path, or a refusal saying why not."""
    if not isinstance(path, str) or not path or "\x00" in path or "\\" in path:
        raise refuse(str(path), "not a plain relative path", service)
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        raise refuse(path, "absolute paths are not allowed", service)
    parts = tuple(p for p in PurePosixPath(path).parts if p not in ("", "."))
    if not parts or any(p == ".." for p in parts):
        raise refuse(path, "it leaves the workspace", service)
    for part in parts:
        if len(part.encode("utf-8", "surrogateescape")) > NAME_MAX:
            raise refuse(path, f"a name is longer than {NAME_MAX} bytes", service)
        if part.startswith(".") and not allow_hidden:
            raise refuse(
                path, f"{part!r} is hidden (hidden files and folders are not written)", service
            )
    return parts


def is_hidden(path: str) -> bool:
    """True when a component of ``path`` starts with ``.`` (``a/.git/x``, ``.ssh``)."""
    return any(p.startswith(".") for p in PurePosixPath(path).parts if p not in ("", ".", ".."))


def inside(
    root: str | Path, path: str, service: str | None = None, *, allow_hidden: bool = False
) -> Path:
    """``root/path`` after checking it stays inside ``root``: no symlink, no hidden part."""
    base = Path(root).resolve()
    current = base
    for part in relative_parts(path, service, allow_hidden=allow_hidden):
        current = current / part
        if current.is_symlink():
            raise refuse(path, "it goes through a symbolic link", service)
    target = current.resolve()
    if target != base and base not in target.parents:
        raise refuse(path, "it leaves the workspace", service)
    return target


def is_protected(path: Path, protected) -> bool:
    """True when ``path`` is one of the server's own files or inside one of its folders (the
    runtime folder, the credential store, token files): never uploaded, whatever asks."""
    try:
        real = path.resolve()
    except OSError:
        return True
    for place in protected:
        try:
            place = Path(place).resolve()
        except OSError:
            continue
        if real == place or place in real.parents:
            return True
    return False


def confined(folder: str, path: str, service: str | None = None) -> str:
    """``path`` when it lies inside the workspace folder ``folder``, refused otherwise.

    For destinations that come from untrusted documents (notebook metadata): they may choose a
    subfolder of the configured fetch folder, nothing else."""
    own = relative_parts(folder, service, allow_hidden=True)
    parts = relative_parts(path, service, allow_hidden=True)  # hidden parts: the caller's rule
    if parts[: len(own)] != own:
        raise refuse(path, f"a notebook may only name places inside {'/'.join(own)}/", service)
    return "/".join(parts)


def _create(path: Path, mode: int = 0o644) -> int:
    """A descriptor of a new file: refused if anything (file or link) is there."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_CLOEXEC, mode)


def open_new(path: Path, mode: int = 0o644):
    """A new file opened for binary writing: refused if anything (file or link) is there."""
    return os.fdopen(_create(path, mode), "wb")


def open_part(path: Path, offset: int = 0) -> int:
    """Our own temporary file for writing at ``offset``, as a raw descriptor (``os.write``):
    created exclusively when new, never followed when it is a link; an existing part file is
    resumed (its bytes kept up to offset)."""
    if offset:
        fd = os.open(path, os.O_WRONLY | _O_NOFOLLOW | _O_CLOEXEC)
        try:
            os.ftruncate(fd, offset)
            os.lseek(fd, offset, os.SEEK_SET)
        except BaseException:
            os.close(fd)
            raise
        return fd
    try:
        return _create(path)
    except FileExistsError:
        if path.is_symlink() or not path.is_file():
            raise
        path.unlink()  # a stale part of ours from an earlier attempt
        return _create(path)


def free_path(target: Path) -> Path:
    """``target`` if nothing is there, else the first free ``name (n).ext`` beside it."""
    if not os.path.lexists(target):
        return target
    stem, suffix = target.stem, target.suffix
    for n in range(1, 10_000):
        candidate = target.with_name(f"{stem} ({n}){suffix}")
        if not os.path.lexists(candidate):
            return candidate
    raise refuse(target.name, "no free name beside it", None)


def same_bytes(a: Path, b: Path) -> bool:
    """True when two files hold the same bytes (sizes first, then content)."""
    try:
        if a.stat().st_size != b.stat().st_size:
            return False
        with open(a, "rb") as x, open(b, "rb") as y:
            while True:
                left, right = x.read(1 << 20), y.read(1 << 20)
                if left != right:
                    return False
                if not left:
                    return True
    except OSError:
        return False


def place(temp: Path, target: Path) -> Path:
    """Move our finished ``temp`` to ``target``; an existing different file stays as it is and
    ours takes a free name beside it. Returns where the file now is."""
    # link + unlink never replaces a file that is there or appeared meanwhile (os.replace would).
    try:
        os.link(temp, target)
    except FileExistsError:
        return _beside(temp, target)
    except OSError:  # filesystems without hard links
        if os.path.lexists(target):
            return _beside(temp, target)
        os.replace(temp, target)
        return target
    temp.unlink()
    return target


def _beside(temp: Path, target: Path) -> Path:
    """``target`` is taken: the same bytes there are ours already, else a free name beside it."""
    if not target.is_symlink() and target.is_file() and same_bytes(temp, target):
        temp.unlink()
        return target
    return place(temp, free_path(target))


@dataclass
class Workspace:
    """The server's root directory and its hidden-file policy, shared by every slice."""

    root: Path
    hidden_allowed: Callable[[], bool] = field(default=lambda: False)

    def __post_init__(self) -> None:
        self.root = Path(self.root).resolve()

    @property
    def allow_hidden(self) -> bool:
        return bool(self.hidden_allowed())

    def target(self, path: str, service: str | None = None) -> Path:
        """Where the workspace path ``path`` is written, after every check."""
        return inside(self.root, path, service, allow_hidden=self.allow_hidden)

    def within(self, folder: Path, path: str, service: str | None = None) -> Path:
        """``folder/path`` for a name from upstream (file key, zip member, output)."""
        return inside(folder, path, service, allow_hidden=self.allow_hidden)

    def parts(self, path: str, service: str | None = None) -> tuple[str, ...]:
        return relative_parts(path, service, allow_hidden=self.allow_hidden)

    def relative(self, path: Path) -> str:
        return str(path.relative_to(self.root))

    def scratch(self, folder: str, prefix: str, service: str | None = None) -> tuple[str, Path]:
        """A new empty folder of ours, ``folder/<prefix>-<random>``: a temporary area for work
        that must pass through files (made with an exclusive mkdir, never an existing folder);
        ``remove_scratch`` deletes it. Returns its workspace path and its place on disk."""
        parent = self.target(folder, service)
        parent.mkdir(parents=True, exist_ok=True)
        for _ in range(100):
            path = self.within(parent, f"{prefix}-{secrets.token_hex(4)}", service)
            try:
                path.mkdir()
            except FileExistsError:
                continue
            return self.relative(path), path
        raise refuse(folder, "no free temporary name in it", service)

    def remove_scratch(self, path: str, prefix: str) -> bool:
        """Delete a folder ``scratch`` made (a real folder named ``<prefix>-...``; links are
        never followed). False when there is nothing of ours to delete."""
        try:
            target = self.target(path)
        except EscapeError:
            return False
        if not target.name.startswith(f"{prefix}-") or target.is_symlink() or not target.is_dir():
            return False
        shutil.rmtree(target, ignore_errors=True)
        return not os.path.lexists(target)


class Targets:
    """``Workspace.target`` for a batch of paths under few folders (the files of a fetched
    dataset): the same rules, with each folder checked once.

    A folder is checked by ``inside`` (every component: no symlink, no hidden part, inside the
    root) the first time one of its files is asked for, and made (``ensure_folder``) once. Each
    path then costs its own name's checks and one ``lstat`` of its last component: a link there
    is refused, and files are still created with ``O_EXCL | O_NOFOLLOW`` (``open_part``). Use
    one instance per job run: the hidden-file policy is read when it is made, and a link that
    the user's own processes put at an already checked folder during the run is not seen (the
    window every check-then-write has, here as long as the run)."""

    def __init__(self, workspace: Workspace, service: str | None = None):
        self.root = workspace.root
        self.allow_hidden = workspace.allow_hidden
        self.service = service
        self._folders: dict[tuple[str, ...], Path] = {}
        self._made: set[Path] = set()

    def target(self, path: str) -> Path:
        parts = relative_parts(path, self.service, allow_hidden=self.allow_hidden)
        folder = self._folders.get(parts[:-1])
        if folder is None:
            folder = self.root
            if len(parts) > 1:
                try:  # hidden parts: refused just above
                    folder = inside(folder, "/".join(parts[:-1]), self.service, allow_hidden=True)
                except EscapeError:  # refused in the words Workspace.target uses for this path
                    inside(self.root, path, self.service, allow_hidden=self.allow_hidden)
                    raise
            self._folders[parts[:-1]] = folder
        return self._checked_leaf(path, folder / parts[-1])[0]

    def look(self, path: str) -> tuple[Path, os.stat_result | None]:
        """``target(path)`` and what is there now (its ``lstat``, None when nothing): one look
        at the leaf serves the link check and the caller."""
        parts = relative_parts(path, self.service, allow_hidden=self.allow_hidden)
        folder = self._folders.get(parts[:-1])
        if folder is None:
            return self._checked_leaf(path, self.target(path))
        return self._checked_leaf(path, folder / parts[-1])

    def _checked_leaf(self, path: str, target: Path) -> tuple[Path, os.stat_result | None]:
        try:
            st = os.lstat(target)
        except (FileNotFoundError, NotADirectoryError):
            return target, None
        if stat.S_ISLNK(st.st_mode):
            raise refuse(path, "it goes through a symbolic link", self.service)
        return target, st

    def ensure_folder(self, folder: Path) -> None:
        """``folder`` (a checked target's parent) exists: made once per run."""
        if folder not in self._made:
            folder.mkdir(parents=True, exist_ok=True)
            self._made.add(folder)


@dataclass
class Extracted:
    paths: list[str]  # workspace paths written
    renamed: list[tuple[str, str]]  # (member name, workspace path it went to instead)
    skipped: list[str]  # member names not written (links, hidden)


def extract_zip(
    archive: Path,
    folder: Path,
    workspace: Workspace,
    max_bytes: int = 4 * 1024**3,
    service: str | None = None,
) -> Extracted:
    """Extract into ``folder``, each member checked like a browser path; workspace paths out.

    Symbolic links are never recreated; hidden members are skipped unless hidden files are
    allowed; a member whose path is taken by another file goes to a free name beside it."""
    out = Extracted([], [], [])
    with zipfile.ZipFile(archive) as zf:
        members = [m for m in zf.infolist() if not m.is_dir()]
        if sum(m.file_size for m in members) > max_bytes:
            raise EscapeError(
                400, "zip_too_large", f"{archive.name} unpacks to too much data.", service=service
            )
        for member in members:
            if stat.S_ISLNK(member.external_attr >> 16):
                out.skipped.append(member.filename)
                continue
            if is_hidden(member.filename) and not workspace.allow_hidden:
                out.skipped.append(member.filename)
                continue
            target = workspace.within(folder, member.filename, service)
            target.parent.mkdir(parents=True, exist_ok=True)
            temp = target.with_name(f".{os.getpid()}.{id(member)}.unzip.part")
            try:
                with zf.open(member) as source, open_new(temp) as sink:
                    written = 0
                    while chunk := source.read(256 * 1024):
                        written += len(chunk)
                        if written > member.file_size:  # a member lying about its size
                            raise EscapeError(
                                400,
                                "zip_too_large",
                                f"{member.filename} unpacks to more than it declares.",
                                service=service,
                            )
                        sink.write(chunk)
                final = place(temp, target)
            finally:
                temp.unlink(missing_ok=True)
            rel = workspace.relative(final)
            out.paths.append(rel)
            if final != target:
                out.renamed.append((member.filename, rel))
    return out
