"""Staging a submission's inputs into the workflow's REANA workspace (the job's middle phases,
run by ``submit.SubmitRunner``): the workspace files planned by ``inputs.py``, then the Data Lake
inputs of ``lake.py`` (the user's Rucio identity as REANA secrets, with their consent; small DIDs
streamed from a replica, checksummed on the way)."""

from __future__ import annotations

import asyncio
import base64
import os
import ssl
import stat
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from pathlib import Path

from ..datalake.checksums import ChecksumMismatch, Checksums
from ..datalake.transfer import StorageRefused, Transient
from ..http import EscapeError, ServiceHTTP
from ..jobs import Job, JobFailed, JobStore
from .client import ReanaClient
from .inputs import InputFile
from .lake import LakeFile, LakeInputs, identity_secrets
from .submit_state import SubmitState

CHUNK = 1024 * 1024
PROGRESS_EVERY = 0.25  # seconds between upload progress events
LANES_FROM = 32  # files from which each upload lane has a session of its own
READ_BATCH = 16  # small files read in one thread hop


def regular_file(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


async def file_chunks(path: Path, sent: dict[str, int], name: str) -> AsyncIterator[bytes]:
    loop = asyncio.get_running_loop()
    # Disk reads go to a thread: nothing blocks the event loop.
    handle = await loop.run_in_executor(None, open, path, "rb")
    try:
        while chunk := await loop.run_in_executor(None, handle.read, CHUNK):
            sent[name] = sent.get(name, 0) + len(chunk)
            yield chunk
    finally:
        await loop.run_in_executor(None, handle.close)


def read_batches(files: list[InputFile]) -> Iterator[InputFile | list[InputFile]]:
    """The files in order: a large one alone (streamed), small ones in batches that are read in
    one go (at most READ_BATCH files and CHUNK bytes)."""
    batch: list[InputFile] = []
    size = 0
    for item in files:
        if item.size > CHUNK:
            yield item
            continue
        if batch and (len(batch) >= READ_BATCH or size + item.size > CHUNK):
            yield batch
            batch, size = [], 0
        batch.append(item)
        size += item.size
    if batch:
        yield batch


def read_all(batch: list[InputFile]) -> list[bytes]:
    return [item.source.read_bytes() for item in batch]


async def all_or_none(work: Iterable[Awaitable[None]]) -> None:
    """Run them together; when one fails (or the job is cancelled) the others are cancelled and
    awaited before the error goes on."""
    tasks = [asyncio.ensure_future(w) for w in work]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


class _LaneHTTP(ServiceHTTP):
    """One upload lane's own session to REANA, with the shared session's settings and TLS
    context."""

    def __init__(self, shared: ServiceHTTP, context: ssl.SSLContext | bool):
        super().__init__(shared.config, base_url=shared.base_url)
        self._context = context

    def tls_context(self) -> ssl.SSLContext | bool:
        return self._context


class InputStaging:
    """The phases of a submission that send its inputs; ``changed`` tells the runner's followers."""

    def __init__(
        self,
        client: ReanaClient,
        store: JobStore,
        lake: LakeInputs | None,
        changed: Callable[[Job], None],
    ):
        self.client = client
        self.store = store
        self.lake = lake
        self.changed = changed

    async def upload(self, job: Job, state: SubmitState) -> None:
        assert state.workflow_id is not None
        ref = state.workflow_id
        todo = [f for f in state.files if f.name not in state.uploaded]
        loop = asyncio.get_running_loop()
        if state.uploaded:  # a resume: the files must still be the plain files we planned
            gone = await loop.run_in_executor(
                None, lambda: [f.name for f in todo if not regular_file(f.source)]
            )
            if gone:
                raise JobFailed(
                    f"{state.shown_name} was created but cannot be resumed safely: the input "
                    f"{gone[0]!r} is no longer a plain file in the workspace. Delete the workflow "
                    "in REANA and submit again."
                )
        state.stage = "uploading"
        last = [0.0]

        def report(force: bool = False) -> None:
            now = time.monotonic()
            if force or now - last[0] >= PROGRESS_EVERY:
                last[0] = now
                self.changed(job)
                self.store.save(force=False)

        async def counted(item: InputFile) -> AsyncIterator[bytes]:
            async for chunk in file_chunks(item.source, state.sending, item.name):
                report()
                yield chunk

        def sent(item: InputFile) -> None:
            state.sending.pop(item.name, None)
            state.uploaded.add(item.name)
            report()

        # The largest files first: they stream while the small ones go by, instead of being
        # left alone at the end of the upload.
        work = deque(read_batches(sorted(todo, key=lambda f: -f.size if f.size > CHUNK else 0)))

        async def lane(client: ReanaClient) -> None:
            """Uploads one file after the other; small files are read a batch at a time (one
            thread hop for several files)."""
            while work:
                unit = work.popleft()
                if isinstance(unit, InputFile):
                    await client.upload(ref, unit.name, counted(unit), unit.size)
                    sent(unit)
                    continue
                contents = await loop.run_in_executor(None, read_all, unit)
                for item, content in zip(unit, contents, strict=True):
                    await client.upload(ref, item.name, content, len(content))
                    sent(item)

        clients = self.upload_lanes(len(todo))
        report(force=True)
        try:
            await all_or_none(lane(client) for client in clients)
        finally:
            for client in clients:
                if client is not self.client:
                    await client.http.aclose()
        report(force=True)

    def upload_lanes(self, files: int) -> list[ReanaClient]:
        """The clients the upload lanes use: one session (and connection) per lane when there
        are many files, so that no request waits on a scan of the other lanes' connections
        (httpx checks every pooled connection before each request); the shared client when the
        session is a special one (a test transport) or there are few files."""
        lanes = max(1, min(self.client.config.upload_concurrency, files))
        http = self.client.http
        special = type(http) is not ServiceHTTP or getattr(http, "_transport", None) is not None
        if files < LANES_FROM or lanes == 1 or special:
            return [self.client] * lanes
        context = http.tls_context()  # made once, shared by the lanes
        return [type(self.client)(_LaneHTTP(http, context)) for _ in range(lanes)]

    # ------------------------------------------------------------------ Data Lake inputs
    def lake_instance(self, state: SubmitState):
        if self.lake is None:
            raise JobFailed("No Data Lake is configured here any more; submit again.")
        return self.lake.instance(state.lake_instance)

    async def set_lake_secrets(self, state: SubmitState) -> None:
        """The user's Rucio identity as REANA secrets (mode "lake"), only with their consent
        given in this submission; values are read now, from this server's configuration."""
        if not state.lake_secrets or state.lake_secrets_set:
            return
        instance = self.lake_instance(state)
        secrets = identity_secrets(instance.config)
        body = {
            name: {"type": kind, "value": base64.b64encode(value.encode()).decode()}
            for name, (kind, value) in secrets.items()
        }
        await self.client.add_secrets(body, overwrite=True)
        state.lake_secrets_set = True
        self.store.save()

    async def stream_lake(self, job: Job, state: SubmitState) -> None:
        """Small DIDs (mode "stream"): each file read from a replica with the user's identity,
        checksummed on the way and uploaded into the workflow's workspace; a file whose bytes do
        not match what Rucio lists is sent again from the next replica, and the workflow is not
        started unless every file matches."""
        todo = [f for f in state.lake_files if f.path not in state.uploaded]
        if not todo:
            return
        assert self.lake is not None and state.workflow_id is not None
        instance = self.lake_instance(state)
        ranked = await self.lake.replicas(instance, todo)
        semaphore = asyncio.Semaphore(max(1, self.client.config.upload_concurrency))

        async def one(item: LakeFile) -> None:
            why = "Rucio lists no readable replica"
            async with semaphore:
                for candidate in ranked.get(item.did) or []:
                    sums, sent = Checksums(), [0]
                    chunks = self.lake.stream(instance, item, candidate.url, sums, sent)
                    try:
                        await self.client.upload(state.workflow_id, item.path, chunks, item.bytes)
                    except (StorageRefused, Transient, OSError) as error:
                        why = f"{candidate.rse}: {error}"
                        continue
                    except EscapeError as error:
                        if error.service == "reana":
                            raise
                        why = f"{candidate.rse}: {error.message}"
                        continue
                    finally:
                        state.sending.pop(item.path, None)
                    try:
                        sums.check(item, sent[0])
                    except ChecksumMismatch as mismatch:
                        why = f"{candidate.rse}: {mismatch}"
                        continue
                    state.uploaded.add(item.path)
                    self.changed(job)
                    return
            raise EscapeError(
                502,
                "rucio_stream_failed",
                f"{item.did} could not be streamed into the workflow's inputs ({why}).",
                service="rucio",
            )

        await all_or_none(one(item) for item in todo)
        self.store.save()
