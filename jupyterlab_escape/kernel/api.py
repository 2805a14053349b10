"""A small Python API for notebooks: submit a REANA workflow, follow it, get its outputs.

Every call goes to this package's server extension (``/escape/workflows/...``) on the Jupyter server
that runs the kernel, authenticated like the browser is, never to REANA: the REANA token stays
on the server. Finding that server, in order:

1. ``JUPYTERLAB_ESCAPE_URL`` (+ ``JUPYTERLAB_ESCAPE_TOKEN``): set by hand, wins over the rest;
2. JupyterHub: the single-user server gives its kernels ``JUPYTERHUB_SERVICE_URL`` and
   ``JUPYTERHUB_API_TOKEN`` (sent as ``Authorization: token ...``); without the URL (older hubs),
   the runtime file of the server that started this kernel (``JPY_PARENT_PID``) or whose base URL
   is ``JUPYTERHUB_SERVICE_PREFIX``. The root directory: ``JUPYTERHUB_ROOT_DIR``, else that
   runtime file's;
3. the runtime files of running Jupyter servers: the one whose process started this kernel
   (``JPY_PARENT_PID``), else the one whose root directory holds the working directory.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TERMINAL = ("finished", "failed", "stopped", "deleted")
MIME = "application/vnd.jupyterlab-escape.reana-workflow+json"


class EscapeKernelError(RuntimeError):
    """A failure to show as is: its message is written for the notebook's user."""


@dataclass
class EscapeServer:
    url: str  # ends with the server's base_url and a '/'
    token: str = ""
    root_dir: str = ""

    # -- discovery ------------------------------------------------------------------------------
    @classmethod
    def find(cls) -> EscapeServer:
        explicit = os.environ.get("JUPYTERLAB_ESCAPE_URL")
        if explicit:
            return cls(_slash(explicit), os.environ.get("JUPYTERLAB_ESCAPE_TOKEN", ""))
        hub_url = os.environ.get("JUPYTERHUB_SERVICE_URL")
        hub_token = os.environ.get("JUPYTERHUB_API_TOKEN")
        prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX")
        if hub_token and (hub_url or prefix):
            info = _hub_server(prefix)
            url = hub_url or info.get("url")
            if url:
                root = os.environ.get("JUPYTERHUB_ROOT_DIR") or info.get("root_dir", "")
                return cls(_slash(url), hub_token, root)
        servers = _running_servers()
        if not servers:
            raise EscapeKernelError(
                "No running Jupyter server was found for this kernel. Set JUPYTERLAB_ESCAPE_URL "
                "and JUPYTERLAB_ESCAPE_TOKEN to the server's URL and token."
            )
        parent = os.environ.get("JPY_PARENT_PID")
        cwd = Path.cwd().resolve()

        def holds_cwd(info: dict) -> bool:
            root = Path(info.get("root_dir") or "/").resolve()
            return root == cwd or root in cwd.parents

        chosen = next((s for s in servers if str(s.get("pid")) == parent), None)
        chosen = chosen or next((s for s in servers if holds_cwd(s)), None) or servers[0]
        return cls(_slash(chosen["url"]), chosen.get("token", ""), chosen.get("root_dir", ""))

    # -- HTTP -----------------------------------------------------------------------------------
    def _request(self, method: str, path: str, body: Any = None, params: dict | None = None):
        url = urllib.parse.urljoin(self.url, path.lstrip("/"))
        if params:
            url += "?" + urllib.parse.urlencode(params)
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"token {self.token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            return urllib.request.urlopen(request, timeout=60)
        except urllib.error.HTTPError as err:
            raise EscapeKernelError(_message(err)) from None
        except urllib.error.URLError as err:
            raise EscapeKernelError(
                f"The Jupyter server at {self.url} cannot be reached ({err.reason}). Is it "
                "running? Set JUPYTERLAB_ESCAPE_URL to point at it."
            ) from None

    def get(self, path: str, **params) -> Any:
        with self._request("GET", path, params=params or None) as response:
            return json.loads(response.read() or b"null")

    def post(self, path: str, body: Any) -> Any:
        with self._request("POST", path, body) as response:
            return json.loads(response.read() or b"null")

    def stream(self, path: str, body: Any) -> Iterator[dict]:
        with self._request("POST", path, body) as response:
            for line in response:
                if line.strip():
                    yield json.loads(line)


def _slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def _hub_server(prefix: str | None) -> dict:
    """The runtime file of this kernel's single-user server: the one whose process started the
    kernel, else the one serving the hub's prefix for this server; {} if none."""
    servers = _running_servers()
    parent = os.environ.get("JPY_PARENT_PID")
    for info in servers:
        if parent and str(info.get("pid")) == parent:
            return info
    for info in servers:
        if prefix and _slash(str(info.get("base_url") or "")) == _slash(prefix):
            return info
    return {}


def _running_servers() -> list[dict]:
    try:
        from jupyter_server.serverapp import list_running_servers
    except ImportError:  # pragma: no cover - the kernel's Python has no jupyter_server
        return []
    return list(list_running_servers())


def _message(err: urllib.error.HTTPError) -> str:
    """The server's error envelope as a sentence; a plain one when Jupyter itself refused."""
    try:
        envelope = json.loads(err.read() or b"{}")
        message = str(envelope["error"]["message"])
    except (ValueError, KeyError, TypeError):
        message = ""
    if err.code in (401, 403) and message in ("", "Forbidden", "Unauthorized"):
        return (
            f"The Jupyter server refused this kernel's credentials (HTTP {err.code}): set "
            "JUPYTERLAB_ESCAPE_TOKEN to the server's token."
        )
    return message or f"The Jupyter server answered HTTP {err.code}."


# -- the API ----------------------------------------------------------------------------------


def _server(server: EscapeServer | None) -> EscapeServer:
    return server or EscapeServer.find()


def submit(
    spec: str,
    name: str | None = None,
    parameters: dict[str, Any] | None = None,
    *,
    base: str | Path | None = None,
    line_offset: int = 0,
    lake: dict[str, str] | None = None,
    lake_consent: bool = False,
    server: EscapeServer | None = None,
    progress=None,
    show: bool | None = None,
) -> dict:
    """Submit a specification (YAML text) as a REANA workflow through the Jupyter server.

    Inputs resolve against ``base`` (default: the working directory, the notebook's folder).
    ``lake`` names Data Lake inputs, ``{"data": "scope:name"}``: each becomes the parameter
    ``data`` (its value the DID); a small DID is streamed by the server into the workflow's
    workspace at ``lake/<scope>/<name>``, a larger one is read by the workflow from the lake with
    your Rucio identity set as REANA secrets, which the server does only with
    ``lake_consent=True`` (otherwise it refuses and says which secrets it would set).
    ``progress`` is called with each stage event (validated, created, uploading, started).
    Returns the workflow: ``{id, name, run_number, status, warnings, lake}`` (``warnings``: what
    the server left out of the inputs, such as hidden files; ``lake``: each Data Lake input's
    mode and why). In a notebook (``show``: by default when running in a kernel), the run's live
    status output is shown below the cell, as for ``%%reana``, so the notebook's toolbar counts
    it too.
    """
    body: dict[str, Any] = {
        "spec_text": spec,
        "line_offset": line_offset,
        "parameters": {k: str(v) for k, v in (parameters or {}).items()},
    }
    if name:
        body["name"] = name
    workflow = _submit(_lake(body, lake, lake_consent), base, server, progress)
    if show if show is not None else _in_kernel():
        _display(bundle(workflow))
    return workflow


def _in_kernel() -> bool:
    """Whether this code runs in an IPython kernel (a notebook), not a script or a terminal."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def _display(data: dict) -> None:
    from IPython.display import display

    display(data, raw=True)


def _lake(body: dict, lake: dict[str, str] | None, consent: bool) -> dict:
    if lake:
        body["lake"] = {str(k): str(v) for k, v in lake.items()}
    if consent is True:
        body["lake_consent"] = True
    return body


def submit_cell(
    cell: str,
    *,
    base: str | Path | None = None,
    lake: dict[str, str] | None = None,
    lake_consent: bool = False,
    server: EscapeServer | None = None,
    progress=None,
) -> dict:
    """Submit a ``%%reana`` cell as written (the magic line and the YAML): the server reads the
    magic's options (``-l data=scope:name`` names a Data Lake input; ``lake`` adds more). The
    answer also says whether the cell asked to ``wait``. A cell cannot agree to send your Rucio
    identity: only ``lake_consent=True`` here (or the notebook's dialog) does."""
    return _submit(_lake({"cell": cell}, lake, lake_consent), base, server, progress)


def _submit(body: dict, base, server: EscapeServer | None, progress) -> dict:
    server = _server(server)
    folder = Path(base) if base is not None else Path.cwd()
    # The absolute folder, made relative by the server against the root it knows: the kernel
    # does not always know it (JupyterHub without JUPYTERHUB_ROOT_DIR), and an empty base would
    # resolve the inputs against the home directory instead.
    body = {**body, "cwd": str(folder.resolve()), "idempotency_key": uuid.uuid4().hex}
    final: dict | None = None
    warnings: list[str] = []
    lake: list[dict] = []
    wait = False
    for event in server.stream("escape/workflows/submit", body):
        if "error" in event:
            raise EscapeKernelError(event["error"].get("message") or "The submission failed.")
        if progress is not None:
            progress(event)
        warnings += [str(w) for w in event.get("warnings") or []]
        lake = event.get("lake") or lake
        wait = wait or bool(event.get("wait"))
        final = event
    if not final or final.get("stage") != "started":
        raise EscapeKernelError("The submission ended without starting the workflow.")
    full, run = str(final.get("workflow_name") or ""), str(final.get("run_number") or "")
    return {
        "id": final["workflow_id"],
        "name": full[: -len(run) - 1] if run and full.endswith(f".{run}") else full,
        "run_number": run,
        "status": final.get("status"),
        "warnings": warnings,
        "wait": wait,
        "lake": [{k: i.get(k) for k in ("param", "did", "mode", "why", "path")} for i in lake],
    }


def _ref(workflow: dict | str) -> str:
    return workflow["id"] if isinstance(workflow, dict) else str(workflow)


def status(workflow: dict | str, *, server: EscapeServer | None = None) -> dict:
    """The workflow's state: status, progress (jobs), times."""
    return _server(server).get(f"escape/workflows/workflows/{urllib.parse.quote(_ref(workflow))}")


def wait(
    workflow: dict | str,
    *,
    timeout: float | None = None,
    interval: float = 5.0,
    server: EscapeServer | None = None,
    on_status=None,
) -> dict:
    """Poll until the workflow is finished, failed, stopped or deleted; its last status."""
    server = _server(server)
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        current = status(workflow, server=server)
        if on_status is not None:
            on_status(current)
        if current.get("status") in TERMINAL:
            return current
        if deadline is not None and time.monotonic() >= deadline:
            raise TimeoutError(f"{current.get('full_name')} is still {current.get('status')}.")
        time.sleep(interval)


def outputs(
    workflow: dict | str,
    *,
    download: bool = False,
    dest: str | None = None,
    server: EscapeServer | None = None,
) -> dict:
    """The outputs the specification declares; with ``download``, fetched into the workspace
    (default ``reana/<name>.<run>/``), answering ``{folder, files, missing, renamed, skipped,
    message}`` (workspace paths): an existing file of yours is never replaced, the output takes a
    free name beside it (``renamed``); hidden files and links in an archive are not written
    (``skipped``); ``message`` says both in one sentence. When the server's root is known,
    ``local_folder`` and ``local_files`` are the same paths relative to the kernel's working
    directory: what this notebook's own code opens."""
    server = _server(server)
    ref = urllib.parse.quote(_ref(workflow))
    if download:
        result = server.post(f"escape/workflows/workflows/{ref}/outputs", {"dest": dest})
        return _with_local_paths(result, server.root_dir)
    return server.get(f"escape/workflows/workflows/{ref}/specification")


def _with_local_paths(result: Any, root_dir: str) -> Any:
    """Workspace paths (relative to the server's root) also as paths from the working directory."""
    if not root_dir or not isinstance(result, dict) or not isinstance(result.get("folder"), str):
        return result
    root, here = Path(root_dir).resolve(), Path.cwd().resolve()

    def local(path: str) -> str:
        return os.path.relpath(root / path, here)

    files = [f for f in result.get("files") or [] if isinstance(f, str)]
    return {
        **result,
        "local_folder": local(result["folder"]),
        "local_files": [local(f) for f in files],
    }


def outputs_to_lake(
    workflow: dict | str,
    scope: str,
    rse: str,
    *,
    dataset: str | None = None,
    lifetime: int | None = None,
    wait: bool = True,
    timeout: float | None = None,
    server: EscapeServer | None = None,
) -> dict:
    """Upload a finished run's outputs to the Data Lake as a new dataset (default name
    ``<name>.<run>.outputs``; metadata: campaign = the run, stream_name = the workflow id,
    prod_step = reana@<server>), on the upload job. With ``wait``, returns the finished job
    (its ``files`` with their DIDs, adler32 and md5); else the job as started."""
    server = _server(server)
    ref = urllib.parse.quote(_ref(workflow))
    body: dict[str, Any] = {"scope": scope, "rse": rse, "idempotency_key": uuid.uuid4().hex}
    if dataset:
        body["dataset"] = dataset
    if lifetime:
        body["lifetime"] = lifetime
    job = server.post(f"escape/workflows/workflows/{ref}/outputs/lake", body)
    if not wait:
        return job
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        job = server.get(f"escape/datalake/jobs/{urllib.parse.quote(job['id'])}")
        if job.get("state") not in ("queued", "running"):
            if job.get("state") != "done":
                raise EscapeKernelError(job.get("message") or f"The upload is {job.get('state')}.")
            return job
        if deadline is not None and time.monotonic() >= deadline:
            raise TimeoutError(f"The upload of the outputs is still {job.get('state')}.")
        time.sleep(1.0)


def bundle(workflow: dict, snapshot: dict | None = None) -> dict:
    """The MIME bundle a cell shows: our renderer's data, and text for other tools."""
    data = {
        "id": workflow["id"],
        "name": workflow.get("name"),
        "run_number": workflow.get("run_number"),
        "status": (snapshot or workflow).get("status"),
    }
    if snapshot:
        data["snapshot"] = snapshot
    progress = (snapshot or {}).get("progress") or {}
    jobs = f" ({progress.get('finished', 0)}/{progress.get('total', 0)} jobs)" if progress else ""
    text = f"REANA workflow {data['name']}.{data['run_number']}: {data['status']}{jobs}"
    return {MIME: data, "text/plain": text}


# -- REANA user secrets: names and types listed, values never sent back --------------------------
def secrets(*, server: EscapeServer | None = None) -> list[dict]:
    """Your REANA secrets: ``[{"name": ..., "type": "env" | "file"}]``."""
    return _server(server).get("escape/workflows/secrets")["secrets"]


def add_secret(
    name: str,
    value: str | bytes,
    type: str = "env",  # noqa: A002  (REANA's word)
    *,
    overwrite: bool = False,
    server: EscapeServer | None = None,
) -> dict:
    """Add an environment secret (a variable in every job) or a file secret (mounted at
    ``/etc/reana/secrets/<name>``); bytes for binary files. An existing name is refused unless
    ``overwrite``."""
    import base64

    body: dict[str, Any] = {"name": name, "type": type, "overwrite": overwrite}
    if isinstance(value, bytes):
        body["value_base64"] = base64.b64encode(value).decode()
    else:
        body["value"] = value
    return _server(server).post("escape/workflows/secrets", body)


def delete_secret(name: str, *, server: EscapeServer | None = None) -> list[str]:
    """Delete one of your REANA secrets."""
    server = _server(server)
    with server._request("DELETE", "escape/workflows/secrets", params={"name": name}) as response:
        return json.loads(response.read() or b"null")["deleted"]
