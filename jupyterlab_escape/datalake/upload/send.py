"""Transfer and verification of one file, in worker threads: PUT to a temporary name beside
the PFN (adler32 and md5 computed on the bytes as they are sent), the size the storage reports,
a read-back for files up to ``READBACK_MAX``, MOVE to the PFN. A file already registered is
hashed first: same adler32 -> skipped, other bytes -> refused."""

from __future__ import annotations

import asyncio
import os
import stat
import threading
from pathlib import Path

from ...http import EscapeError
from ...workspace import Workspace
from ..checksums import Checksums, HashStopped, adler_equal, adler_hex, hash_file
from ..transfer import StorageRefused, Transient
from ..webdav import Stopped, WriteRefused, WriteStorage, temporary_url
from .rules import READBACK_MAX, MiB
from .state import UploadItem, UploadState

TRIES = 3


class Skip(Exception):
    """The file is in the lake already with the same bytes."""


class Fail(Exception):
    """The file cannot be uploaded; ``args[0]`` says why."""


def delete_quietly(storage: WriteStorage, url: str | None) -> None:
    if not url:
        return
    try:
        storage.delete(url)
    except Exception:  # noqa: BLE001 - best effort tidy-up
        pass


class Sender:
    """Sends the files of upload jobs. A cancelled send (cancel, or the server stopping) deletes
    its temporary file before it ends."""

    def __init__(self, workspace: Workspace):
        self.workspace = workspace

    async def send_file(self, state: UploadState, item: UploadItem, storage, threads) -> None:
        loop = asyncio.get_running_loop()
        stop = threading.Event()
        work = None
        item.state, item.done, item.error = "sending", 0, None
        try:
            for attempt in range(TRIES):
                work = loop.run_in_executor(threads, self.send_bytes, state, item, storage, stop)
                try:
                    await asyncio.shield(work)
                except Transient as err:
                    item.error = str(err)
                    await asyncio.sleep(0.2 * (attempt + 1))
                    continue
                except Skip:
                    item.state, item.done = "skipped", item.bytes
                    return
                except Fail as err:
                    item.state, item.error, item.done = "failed", err.args[0], 0
                    return
                except (WriteRefused, StorageRefused) as err:
                    item.state, item.error, item.done = "failed", f"Not uploaded: {err}.", 0
                    return
                except Stopped:
                    if stop.is_set():
                        raise asyncio.CancelledError() from None
                    item.state, item.done = "failed", 0
                    item.error = f"{item.path} changed while it was sent; start a new upload."
                    return
                except EscapeError as err:
                    item.state, item.error, item.done = "failed", err.message, 0
                    return
                except OSError as err:
                    item.state, item.done = "failed", 0
                    item.error = f"Cannot read {item.path}: {err.strerror or err}."
                    return
                item.state, item.error = "stored", None
                return
        except asyncio.CancelledError:
            stop.set()
            if work is not None:
                await asyncio.gather(work, return_exceptions=True)
            if item.pfn:  # cancelled or the server stops: no stray temporary file
                tmp = temporary_url(item.pfn, state.job_id)
                await loop.run_in_executor(threads, delete_quietly, storage, tmp)
            raise
        item.state, item.done = "failed", 0
        item.error = f"Not uploaded after {TRIES} tries: {item.error}."

    def send_bytes(self, state: UploadState, item: UploadItem, storage: WriteStorage, stop) -> None:
        """In a worker thread: one file to its PFN, verified (or skipped when it is there)."""
        target = self.workspace.target(item.path, "rucio")  # the rules again, at send time
        info = os.lstat(target)
        if not stat.S_ISREG(info.st_mode):
            raise Fail(f"{item.path} is no longer a regular file; not uploaded.")
        if info.st_size != item.bytes:
            raise Fail(
                f"{item.path} changed size since the upload was planned ({item.bytes} -> "
                f"{info.st_size} bytes); start a new upload."
            )
        if not item.pfn:
            raise Fail(f"Rucio gave no PFN for {state.scope}:{item.name} on {state.rse}.")
        tmp = temporary_url(item.pfn, state.job_id)
        if item.tried:  # a leftover of an interrupted or failed try: never left behind
            storage.delete(tmp)
        registered = item.registered_adler32
        if item.existing:
            # The DID exists: same bytes -> skip (or add our replica), other bytes -> refuse.
            sums = _hash(target, stop)
            adler = adler_hex(sums)
            if registered and not adler_equal(registered, adler):
                raise Fail(
                    f"{state.scope}:{item.name} is already registered with other bytes (adler32 "
                    f"{registered}, yours {adler}); choose another name. Nothing was uploaded."
                )
            item.adler32, item.md5 = adler, sums.md5.hexdigest()
            present = storage.size(item.pfn)
            if present == item.bytes:
                item.verified = "already in the lake with the same adler32"
                raise Skip()

        def on_bytes(n: int) -> None:
            item.done += n
            item.sent += n

        item.done = 0
        item.tried = True
        sums = storage.put(tmp, target, item.bytes, on_bytes, stop)
        item.adler32, item.md5 = adler_hex(sums), sums.md5.hexdigest()
        if item.bytes <= READBACK_MAX:
            # the bytes read back: their size and checksums against what was sent
            back, back_size = storage.read_back(tmp, stop)
            if (
                back_size != item.bytes
                or adler_hex(back) != item.adler32
                or (back.md5.hexdigest() != item.md5)
            ):
                storage.delete(tmp)
                raise Transient("the bytes read back differ from the bytes sent")
            verified = "size, adler32 and md5 read back"
        else:
            size = storage.size(tmp)  # the size as the storage reports it
            if size != item.bytes:
                storage.delete(tmp)
                raise Transient(f"the storage holds {size} bytes of {item.bytes} after the upload")
            verified = "size"
        storage.move(tmp, item.pfn)
        if storage.size(item.pfn) != item.bytes:
            raise Transient("the file is not at its final name after the rename")
        item.verified = verified + " (the storage reports no checksum)"
        item.done = item.bytes


def _hash(path: Path, stop: threading.Event) -> Checksums:
    try:
        return hash_file(path, stop=stop, chunk=4 * MiB)[0]
    except HashStopped:
        raise Stopped() from None
