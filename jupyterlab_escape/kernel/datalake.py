"""Upload to the Data Lake from a notebook cell, through the Jupyter server (never to Rucio
directly: the Rucio credentials stay on the server).

    from jupyterlab_escape.kernel import upload
    result = upload(["results/"], scope="user.jdoe", dataset="crab.fit.v3", rse="ESCAPE_USERDISK",
                    meta={"project": "crab_analysis"})
    result["dids"]   # [{did, scope, name, bytes, adler32, md5, guid, pfn, rse, state}, ...]

Paths are relative to the notebook's folder: the kernel sends its working directory and the
server resolves the paths against its own root (refusing anything outside it, hidden paths and
the server's own files). The kernel also sends its own id: the server checks that it runs that
kernel and records the kernel's notebook (from its own session list) as the job's origin, and
JupyterLab then records the produced DIDs in that notebook's metadata, as for an upload started
from the dialog.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from pathlib import Path
from typing import Any

from .api import EscapeKernelError, EscapeServer, _server

FINISHED = ("done", "failed", "cancelled", "interrupted")


def kernel_id() -> str | None:
    """The id of the kernel this code runs in (from its connection file's name), or None."""
    try:
        from ipykernel.connect import get_connection_file

        name = Path(get_connection_file()).name
    except Exception:  # noqa: BLE001 - not in a kernel (a script, a test): no origin
        return None
    found = re.fullmatch(r"kernel-([A-Za-z0-9-]+)\.json", name)
    return found.group(1) if found else None


def upload(
    paths: str | list[str],
    *,
    scope: str,
    rse: str,
    dataset: str | None = None,
    dataset_new: bool | None = None,
    container: str | None = None,
    meta: dict[str, Any] | None = None,
    lifetime: int | None = None,
    copies: int = 1,
    names: dict[str, str] | None = None,
    wait: bool = True,
    check: bool = False,
    base: str | Path | None = None,
    interval: float = 1.0,
    server: EscapeServer | None = None,
    on_progress=None,
    kernel: str | None = None,
) -> dict:
    """Upload files and folders (relative to the notebook's folder) into Rucio.

    ``check=True`` answers the plan only (each file's DID, size and PFN, and the problems: quota,
    permission, name rules, clashes). Otherwise the upload starts as a job of the server; with
    ``wait`` (default) this returns when it ends: ``{job, state, message, dataset, rules, dids}``
    where ``dids`` are the files in the lake with their checksums (provenance); it raises
    ``EscapeKernelError`` with the server's words when the upload is refused or fails.
    ``on_progress`` is called with the job's JSON at each poll. ``kernel`` defaults to the id of
    the kernel this runs in (the notebook that gets the provenance)."""
    server = _server(server)
    folder = Path(base) if base is not None else Path.cwd()
    body: dict[str, Any] = {
        "paths": [paths] if isinstance(paths, str) else [str(p) for p in paths],
        "scope": scope,
        "rse": rse,
        "cwd": str(folder.resolve()),
        "copies": copies,
        "idempotency_key": uuid.uuid4().hex,
    }
    for key, value in (
        ("dataset", dataset),
        ("dataset_new", dataset_new),
        ("container", container),
        ("meta", meta),
        ("lifetime", lifetime),
        ("names", names),
        ("kernel", kernel or kernel_id()),
    ):
        if value is not None:
            body[key] = value
    if check:
        return server.post("escape/datalake/upload", body | {"check": True})
    job = server.post("escape/datalake/upload", body)
    if not wait:
        return {"job": job["id"], "state": job["state"], "message": job.get("message")}
    while True:
        job = server.get(f"escape/datalake/jobs/{job['id']}")
        if on_progress is not None:
            on_progress(job)
        if job["state"] in FINISHED:
            break
        time.sleep(interval)
    if job["state"] != "done":
        raise EscapeKernelError(job.get("message") or f"The upload ended {job['state']}.")
    return {
        "job": job["id"],
        "state": job["state"],
        "message": job.get("message"),
        "dataset": job.get("dataset"),
        "container": job.get("container"),
        "rules": job.get("rules", []),
        "dids": job.get("dids", []),
    }


def fetch(
    dids: str | list[str],
    *,
    dest: str | None = None,
    wait: bool = True,
    interval: float = 1.0,
    server: EscapeServer | None = None,
) -> dict:
    """Fetch Data Lake DIDs (``scope:name``: files, datasets, containers) into the workspace,
    through the Jupyter server: no Rucio client and no Rucio credentials in the kernel.

        from jupyterlab_escape.kernel import fetch
        result = fetch("escape_opendata:crab_nebula_sample.001.fits")
        result["local_paths"]  # as this notebook's code opens them

    ``dest`` is a workspace folder (the server's fetch folder by default). With ``wait``, returns
    once the verified files are in place: ``{job, state, dest, paths: [{did, path}],
    local_paths}``, ``local_paths`` relative to the kernel's working directory when the server's
    root is known (else the workspace paths)."""
    server = _server(server)
    names = [dids] if isinstance(dids, str) else list(dids)
    job = server.post("escape/datalake/fetch", {"dids": names, "dest": dest})
    if wait:
        while job["state"] not in FINISHED:
            time.sleep(interval)
            job = server.get(f"escape/datalake/jobs/{job['id']}")
        if job["state"] != "done":
            raise EscapeKernelError(job.get("message") or f"The fetch ended {job['state']}.")
    paths = [
        {"did": p.get("did"), "path": p.get("path")}
        for p in job.get("paths") or []
        if isinstance(p, dict) and isinstance(p.get("path"), str)
    ]
    return {
        "job": job["id"],
        "state": job["state"],
        "dest": job.get("dest"),
        "paths": paths,
        "local_paths": [_local(p["path"], server.root_dir) for p in paths],
    }


def _local(path: str, root_dir: str) -> str:
    """A workspace path as seen from the kernel's working directory (the notebook's folder)."""
    if not root_dir:
        return path
    return os.path.relpath(Path(root_dir).resolve() / path, Path.cwd().resolve())
