"""A finished workflow's outputs back to the Data Lake: the named hand-off from workflows to the
Data Lake upload job (``datalake.upload``).

"Upload outputs to the Data Lake" makes a new dataset named from the workflow and its run
(``<name>.<run>``, editable) with metadata linking it to the workflow, and runs on the upload job
(the same job card, checks, checksums, read-back and registration as any upload).

Why a temporary area and not a stream: the upload job reads workspace files, twice (it sends
them, then reads the stored bytes back to compare adler32 and md5) and again on a retry after a
failure or a server restart. A stream from REANA could be read once only, so it would lose the
retry and the read-back. The outputs are therefore fetched through our workflows client (the same
checked download as "Download outputs": every name through the workspace rule, never over a
user's file) into a scratch folder that ``workspace.py`` makes (``<outputs_dir>/to-lake-<random>``)
and deleted as soon as the upload job is done or cancelled; a failed upload keeps it for its
retry, and a sweep removes the scratch folders of jobs that are gone (also after a restart).
"""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from ..config import public_url
from ..datalake.upload import KIND as UPLOAD_KIND
from ..datalake.upload import NAME_MAX, NAME_RE, UploadRunner
from ..http import EscapeError
from ..jobs import Job, JobStore
from ..workspace import Workspace
from .client import check_workflow_ref
from .workflows import Workflows

log = logging.getLogger("jupyterlab_escape.workflows")

PREFIX = "to-lake"
KEPT = ("failed", "interrupted")  # a retry needs the files


def dataset_name(full_name: str) -> str:
    """``<name>.<run>`` as a Rucio name (letters, digits, '.', '-', '_')."""
    name = re.sub(r"[^A-Za-z0-9.\-_]+", "-", full_name or "workflow").strip("-.") or "workflow"
    if not name[0].isalnum():
        name = f"w{name}"
    return f"{name}.outputs"[:NAME_MAX]


def link_meta(workflow: dict, server: str) -> dict[str, str]:
    """Metadata linking the dataset to its workflow, in Rucio's DID columns (any Rucio stores
    them; free keys need the JSON plugin): campaign = name.run, stream_name = the workflow id,
    prod_step = the REANA server's host."""
    host = urlsplit(server).netloc or server
    return {
        "campaign": str(workflow.get("full_name") or "")[:50],
        "stream_name": str(workflow.get("id") or "")[:70],
        "prod_step": f"reana@{host}"[:50],
    }


def check_dataset(dataset) -> str:
    if not isinstance(dataset, str) or not NAME_RE.match(dataset) or len(dataset) > NAME_MAX:
        raise EscapeError(
            400,
            "bad_did_name",
            f"{dataset!r} cannot be a dataset name: letters, digits, '.', '-', '_', starting "
            "with a letter or digit.",
            service="rucio",
        )
    return dataset


class OutputsToLake:
    def __init__(
        self, workflows: Workflows, uploads: UploadRunner, workspace: Workspace, store: JobStore
    ):
        self.workflows = workflows
        self.uploads = uploads
        self.workspace = workspace
        self.store = store
        self._scratch: dict[str, tuple[str, bool]] = {}  # job id -> (folder, parent made)
        self._watchers: set[asyncio.Task] = set()

    @property
    def folder(self) -> str:
        return self.workflows.client.config.outputs_dir or "reana"

    @property
    def server(self) -> str:
        config = self.workflows.client.config
        return public_url(config.ui_url or config.url)

    async def _finished(self, ref: str) -> dict:
        workflow = await self.workflows.get(check_workflow_ref(ref))
        if workflow["status"] != "finished":
            raise EscapeError(
                409,
                "reana_not_finished",
                f"{workflow['full_name']} is {workflow['status']}: only the outputs of a finished "
                "run go to the Data Lake.",
                service="reana",
            )
        return workflow

    async def describe(self, ref: str) -> dict:
        """What the dialog shows before anything is made: the default dataset name, the
        metadata, the outputs the specification declares."""
        workflow = await self._finished(ref)
        declared = await self.workflows.outputs(workflow["id"])
        return {
            "workflow": {
                "id": workflow["id"],
                "name": workflow["name"],
                "run_number": workflow["run_number"],
                "full_name": workflow["full_name"],
                "status": workflow["status"],
            },
            "reana_server": self.server,
            "dataset": dataset_name(workflow["full_name"]),
            "meta": link_meta(workflow, self.server),
            "outputs": declared["files"] + declared["directories"],
        }

    async def start(self, ref: str, body: dict, instance: str | None = None) -> Job:
        """Fetch the outputs into a scratch folder and start the upload job on it."""
        key = body.get("idempotency_key")
        if isinstance(key, str):
            known = next(
                (
                    j
                    for j in self.store.jobs.values()
                    if j.kind == UPLOAD_KIND and j.idempotency_key == key
                ),
                None,
            )
            if known is not None:
                return known
        for field in ("scope", "rse"):
            if not isinstance(body.get(field), str) or not body.get(field):
                raise EscapeError(400, "bad_request", f"{field} is required.", service="rucio")
        dataset = body.get("dataset")
        if dataset is not None:
            check_dataset(dataset)
        workflow = await self._finished(ref)
        dataset = check_dataset(dataset or dataset_name(workflow["full_name"]))
        self.sweep()
        parent = self.workspace.target(self.folder, "reana")
        new_parent = not parent.exists()
        scratch, _ = await asyncio.get_running_loop().run_in_executor(
            None, self.workspace.scratch, self.folder, PREFIX, "reana"
        )
        try:
            got = await self.workflows.download_outputs(workflow["id"], scratch)
            if not got["files"]:
                raise EscapeError(
                    404,
                    "reana_no_outputs",
                    f"{workflow['full_name']} has none of its declared outputs in its workspace.",
                    service="reana",
                )
            # File DIDs are unique in their scope: each is named from the dataset and the
            # output's path (<dataset>.results.fit.json), never from the scratch folder.
            names = {
                path: ".".join([dataset, *PurePosixPath(path).relative_to(scratch).parts])
                for path in got["files"]
            }
            upload = {
                "paths": [scratch],
                "names": names,
                "scope": body["scope"],
                "rse": body["rse"],
                "dataset": dataset,
                "dataset_new": True,
                "meta": link_meta(workflow, self.server),
            }
            for field in ("lifetime", "idempotency_key"):
                if body.get(field) is not None:
                    upload[field] = body[field]
            job = await self.uploads.start(instance, upload)
        except BaseException:
            self._remove(scratch, new_parent)
            raise
        self._scratch[job.id] = (scratch, new_parent)
        watcher = asyncio.ensure_future(self._clean_after(job))
        self._watchers.add(watcher)
        watcher.add_done_callback(self._watchers.discard)
        return job

    async def _clean_after(self, job: Job) -> None:
        await self.store.wait(job.id)
        scratch = self._scratch.pop(job.id, None)
        # A failed or interrupted upload keeps its files for a retry; the sweep removes them
        # once the job is done, cancelled or forgotten.
        if scratch and job.state not in KEPT:
            self._remove(*scratch)

    def _remove(self, scratch: str, new_parent: bool) -> None:
        """The scratch folder, and the outputs folder if we made it for it and it is empty."""
        self.workspace.remove_scratch(scratch, PREFIX)
        if new_parent:
            try:
                self.workspace.target(self.folder).rmdir()
            except OSError:
                pass  # not empty (the user's files or another upload): it stays

    def sweep(self) -> list[str]:
        """Remove the scratch folders no upload job needs any more (after a restart too)."""
        try:
            parent = self.workspace.target(self.folder)
        except EscapeError:
            return []
        if not parent.is_dir():
            return []
        needed = set()
        for job in self.store.jobs.values():
            if job.kind != UPLOAD_KIND or not (job.active or job.state in KEPT):
                continue
            for item in getattr(job.data, "items", []) or []:
                needed.add(str(item.path).split("/")[len(self.folder.split("/"))])
        removed = []
        for entry in parent.iterdir():
            if entry.name.startswith(f"{PREFIX}-") and entry.name not in needed:
                if self.workspace.remove_scratch(f"{self.folder}/{entry.name}", PREFIX):
                    removed.append(entry.name)
        return removed
