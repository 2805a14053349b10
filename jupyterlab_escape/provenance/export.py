"""Export a notebook's provenance as a Workflow Run RO-Crate next to the notebook.

The notebook (a path in the workspace, from the browser) is read with a size bound; its provenance
is untrusted and goes through ``records.read``. What the export reads besides the notebook:

- each recorded run's specification from the *configured* REANA (by the run's id; an id is only
  ever a path segment of that server), else the run's ``spec_path`` when it names a
  ``reana.yaml``-like file inside the workspace (no ``..``, no absolute path, no link, no hidden
  part, none of the server's own files, at most 1 MiB);
- nothing else: DIDs and software are described from the record, identified by URLs built from
  the *configured* Rucio and Zenodo and by DOI, never by a host the notebook names.

What it writes, through ``workspace.py``, beside the notebook: a folder ``<stem>-ro-crate/``
(``ro-crate-metadata.json``, a generated ``README.md``, a copy of the notebook, the
specifications under ``workflows/``, ``codemeta.json`` for publishing to the OSSR) and
``<stem>-ro-crate.zip`` of the same; existing files are never replaced (``name (1)``).

The notebook's own ``metadata.authors`` (nbformat's list of ``{"name": ...}``), when it has one,
gives codemeta's ``author`` and, as the publish form does, the first of them as ``maintainer``
(the OSSR requires one); the names are untrusted text, folded to one plain line and cut.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import os
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ..catalogue.codemeta import CONTEXT as CODEMETA_CONTEXT
from ..catalogue.codemeta import _person_from_name
from ..config import public_url
from ..http import EscapeError
from ..workspace import Workspace, free_path, is_protected, open_new, place
from . import crate as rc
from .records import Provenance, clean_text, read_notebook, spec_digest

SPEC_SUFFIXES = (".yaml", ".yml", ".json", ".cwl")
MAX_SPEC_BYTES = 1024 * 1024
REANA_TIMEOUT = 10.0
LICENSE_RE = r"^[A-Za-z0-9.+-]{1,64}$"
README = "README.md"
MAX_AUTHORS = 20
MAX_NAME = 200


def _bad(code: str, message: str, status: int = 400) -> EscapeError:
    return EscapeError(status, code, message, service=None)


@dataclass
class Sources:
    """What the export may consult: all from the server's configuration."""

    workspace: Workspace
    protected: Callable[[], tuple[Path, ...]]
    reana_specification: Callable[[str], Any] | None  # async (run id) -> REANA's answer
    rucio_urls: dict[str, str]
    zenodo_url: str | None


def notebook_file(workspace: Workspace, path: Any) -> Path:
    if not isinstance(path, str) or not path.endswith(".ipynb"):
        raise _bad("bad_request", "path must be a notebook (.ipynb) in the workspace.")
    target = workspace.target(path)  # refuses .., absolute, hidden, links
    if not target.is_file():
        raise _bad("not_found", f"There is no notebook {path!r}.", 404)
    return target


def _read_bounded(path: Path, limit: int) -> bytes:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ValueError("too large")
    return data


def _workspace_spec(sources: Sources, spec_path: Any) -> tuple[bytes | None, str | None]:
    """The bytes of a recorded ``spec_path``, or why it is not read."""
    if not isinstance(spec_path, str) or not spec_path:
        return None, None
    if not spec_path.lower().endswith(SPEC_SUFFIXES):
        return None, f"{spec_path!r} is not a workflow specification; not read."
    try:
        target = sources.workspace.target(spec_path)
    except EscapeError as err:
        return None, f"{spec_path!r} refused: {err.message}"
    if is_protected(target, sources.protected()) or not target.is_file():
        return None, f"{spec_path!r} is not a file of the workspace; not read."
    try:
        return _read_bounded(target, MAX_SPEC_BYTES), None
    except (OSError, ValueError):
        return None, f"{spec_path!r} could not be read (at most 1 MiB)."


async def _reana_spec(sources: Sources, run_id: str) -> tuple[Any, str | None]:
    if sources.reana_specification is None:
        return None, None
    try:
        answer = await asyncio.wait_for(sources.reana_specification(run_id), REANA_TIMEOUT)
    except EscapeError as err:
        return None, f"REANA did not give the specification of run {run_id}: {err.message}"
    except (asyncio.TimeoutError, OSError) as err:
        return None, f"REANA did not answer for run {run_id} ({type(err).__name__})."
    spec = answer.get("specification") if isinstance(answer, dict) else None
    return (spec if isinstance(spec, dict) else None), None


async def workflow_files(sources: Sources, prov: Provenance) -> tuple[dict, list[str]]:
    files: dict[str, rc.WorkflowFile] = {}
    warnings: list[str] = []
    for run in prov.workflows:
        folder = f"workflows/{run['name']}-{run['run_number']}"
        spec, why = await _reana_spec(sources, run["id"])
        if why:
            warnings.append(why)
        if spec is not None:
            matches = (
                run.get("spec_sha256") == spec_digest(spec) if run.get("spec_sha256") else None
            )
            if matches is False:
                warnings.append(
                    f"Run {run['name']}.{run['run_number']}: the digest recorded in the notebook "
                    "differs from the specification REANA holds; the crate has REANA's."
                )
            content = json.dumps(spec, indent=2, sort_keys=True, ensure_ascii=False).encode()
            files[run["id"]] = rc.WorkflowFile(
                run["id"], f"{folder}/reana.json", content, "reana", matches
            )
            continue
        content, why = _workspace_spec(sources, run.get("spec_path"))
        if why:
            warnings.append(why)
        if content is not None:
            suffix = PurePosixPath(run["spec_path"]).suffix.lower()
            files[run["id"]] = rc.WorkflowFile(
                run["id"], f"{folder}/reana{suffix}", content, "workspace"
            )
        else:
            warnings.append(
                f"Run {run['name']}.{run['run_number']}: no specification found; the crate "
                "describes it by its digest only."
            )
    return files, warnings


def notebook_authors(notebook: Any) -> list[str]:
    """The names of nbformat's ``metadata.authors`` (untrusted): plain one-line text, bounded."""
    metadata = notebook.get("metadata") if isinstance(notebook, dict) else None
    authors = metadata.get("authors") if isinstance(metadata, dict) else None
    names: list[str] = []
    for author in authors[: MAX_AUTHORS * 5] if isinstance(authors, list) else []:
        name = author.get("name") if isinstance(author, dict) else None
        name = clean_text(name, MAX_NAME) if isinstance(name, str) else ""
        if name and name not in names:
            names.append(name)
    return names[:MAX_AUTHORS]


def codemeta_of(
    metadata: dict, prov: Provenance, license_id: str | None, authors: list[str] = ()
) -> dict:
    """codemeta.json for the OSSR publish flow, from the crate's own description."""
    root = next(e for e in metadata["@graph"] if e.get("@id") == "./")
    meta: dict[str, Any] = {
        "@context": CODEMETA_CONTEXT,
        "@type": "SoftwareSourceCode",
        "name": root.get("name"),
        "description": root.get("description"),
        "softwareVersion": "1.0.0",
        "dateCreated": dt.date.today().isoformat(),
        "datePublished": dt.date.today().isoformat(),
        "keywords": ["ESCAPE", "provenance", "RO-Crate", "Workflow Run Crate", "REANA"],
    }
    if license_id:
        meta["license"] = f"https://spdx.org/licenses/{license_id}"
    requirements = [
        f"{s.get('title') or s['record_id']}"
        + (f" {s['version']}" if s.get("version") else "")
        + (f" (https://doi.org/{s['doi']})" if s.get("doi") else "")
        for s in prov.software
    ]
    if requirements:
        meta["softwareRequirements"] = requirements
    people = [_person_from_name(name) for name in authors]
    people = [p for p in people if "familyName" in p]
    if people:
        meta["author"] = people
        # the OSSR requires a maintainer: the first author, as the publish form defaults it
        meta["maintainer"] = dict(people[0])
    return meta


# What starts markup inside a line (every recorded value is placed after fixed words, never at
# the start of a line, so list and heading markers need no escape).
_MARKDOWN = re.compile(r"([\\`*_\[\]#!|<>~&])")


def _md(value: Any) -> str:
    """Recorded text as inert Markdown: one line, every markup character escaped."""
    return _MARKDOWN.sub(r"\\\1", str(clean_text(str(value), 512)))


def readme_of(
    notebook_name: str,
    prov: Provenance,
    files: dict,
    license_id: str | None,
    rucio_urls: dict[str, str],
) -> str:
    """The crate's README.md: what was run, on which DIDs, what it produced, with which
    software; every recorded value escaped (the notebook's metadata is untrusted)."""

    def did_line(entry: dict) -> str:
        did = f"{entry['scope']}:{entry['name']}"
        parts = [f"- DID {_md(did)} ({_md(entry['type'])}"]
        if entry.get("bytes") is not None:
            parts.append(f", {entry['bytes']} bytes")
        for algorithm in ("adler32", "md5"):
            if entry.get(algorithm):
                parts.append(f", {algorithm} {_md(entry[algorithm])}")
        where = rc.did_id(rucio_urls, entry["instance"], entry["scope"], entry["name"])
        parts.append(f") on Rucio instance {_md(entry['instance'])}")
        if where.startswith("http"):
            parts.append(f": <{where}>")
        return "".join(parts)

    lines = [
        f"# Provenance of {_md(notebook_name)}",
        "",
        "A Workflow Run RO-Crate (RO-Crate 1.1) exported from a JupyterLab notebook by the "
        "ESCAPE suite. `ro-crate-metadata.json` describes the same in machine-readable form; "
        "what follows was recorded in the notebook's metadata as the work happened.",
        "",
        "## Inputs (ESCAPE Data Lake)",
        "",
        *([did_line(e) for e in prov.dids_used] or ["None recorded."]),
        "",
        "## Workflow runs (REANA)",
        "",
    ]
    for run in prov.workflows or []:
        spec = files.get(run["id"])
        lines.append(
            f"- Run {_md(run['name'])}.{_md(run['run_number'])}: status {_md(run['status'])}"
            + (f", engine {_md(run['engine'])}" if run.get("engine") else "")
            + (f", specification `{spec.crate_path}`" if spec is not None else "")
            + (f", spec sha256 {_md(run['spec_sha256'])}" if run.get("spec_sha256") else "")
            + (f", inputs {', '.join(_md(d) for d in run['inputs'])}" if run.get("inputs") else "")
        )
        for name, value in (run.get("parameters") or {}).items():
            lines.append(f"  - parameter {_md(name)} = {_md(rc._value(value))}")
    if not prov.workflows:
        lines.append("None recorded.")
    lines += ["", "## Outputs (uploaded to the ESCAPE Data Lake)", ""]
    lines += [did_line(e) for e in prov.dids_produced] or ["None recorded."]
    lines += ["", "## Software (ESCAPE OSSR)", ""]
    for entry in prov.software:
        title = entry.get("title") or f"OSSR record {entry['record_id']}"
        lines.append(
            f"- Record {_md(entry['record_id'])}: {_md(title)}"
            + (f" {_md(entry['version'])}" if entry.get("version") else "")
            + (f", DOI {_md(entry['doi'])}" if entry.get("doi") else "")
            + f" ({_md(entry['action'])} in the notebook)"
        )
    if not prov.software:
        lines.append("None recorded.")
    lines += [
        "",
        "## Licence",
        "",
        f"<https://spdx.org/licenses/{license_id}>" if license_id else rc.NO_LICENSE,
        "",
    ]
    return "\n".join(lines)


def _write_new(folder: Path, workspace: Workspace, rel: str, data: bytes) -> None:
    target = workspace.within(folder, rel)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open_new(target) as handle:
        handle.write(data)


async def export(sources: Sources, path: Any, license_id: Any = None) -> dict:
    workspace = sources.workspace
    if license_id is not None and (
        not isinstance(license_id, str) or not re.fullmatch(LICENSE_RE, license_id)
    ):
        raise _bad("bad_request", "license is an SPDX identifier such as MIT or CC-BY-4.0.")
    source = notebook_file(workspace, path)
    try:
        raw = _read_bounded(source, 20 * 1024 * 1024)
    except (OSError, ValueError):
        raise _bad("provenance_notebook_too_large", "The notebook is larger than 20 MiB.") from None
    notebook, prov = read_notebook(raw)
    if prov.empty():
        raise _bad(
            "provenance_empty",
            "The notebook records no provenance yet: use Data Lake DIDs, launch a workflow, "
            "upload results or cite OSSR software from it first.",
            409,
        )
    files, warnings = await workflow_files(sources, prov)
    crate = rc.build(
        rc.CrateInputs(
            notebook_name=source.name,
            notebook_title=source.name,
            provenance=prov,
            workflow_files=files,
            rucio_urls=sources.rucio_urls,
            zenodo_url=sources.zenodo_url,
            license=f"https://spdx.org/licenses/{license_id}" if license_id else None,
            readme=README,
        )
    )
    metadata = crate.metadata.generate()
    metadata_bytes = json.dumps(metadata, indent=2, ensure_ascii=False).encode()
    readme = readme_of(source.name, prov, files, license_id, sources.rucio_urls).encode()
    contents: dict[str, bytes] = {
        "ro-crate-metadata.json": metadata_bytes,
        README: readme,
        source.name: raw,
    }
    for wf in files.values():
        contents[wf.crate_path] = wf.content
    codemeta = json.dumps(
        codemeta_of(metadata, prov, license_id, notebook_authors(notebook)),
        indent=2,
        ensure_ascii=False,
    ).encode()

    stem = source.stem
    folder = free_path(source.parent / f"{stem}-ro-crate")
    folder.mkdir()  # exclusive: free_path found nothing there
    for rel, data in contents.items():
        _write_new(folder, workspace, rel, data)
    _write_new(folder, workspace, "codemeta.json", codemeta)

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for rel, data in contents.items():
            archive.writestr(rel, data)
    part = free_path(source.parent / f"{stem}-ro-crate.zip.part")
    with open_new(part) as handle:
        handle.write(buffer.getvalue())
    zip_path = place(part, source.parent / f"{stem}-ro-crate.zip")

    profiles = [
        c["@id"]
        for c in _as_list(next(e for e in metadata["@graph"] if e["@id"] == "./").get("conformsTo"))
    ]
    return {
        "notebook": workspace.relative(source),
        "folder": workspace.relative(folder),
        "metadata": workspace.relative(folder / "ro-crate-metadata.json"),
        "zip": workspace.relative(zip_path),
        "profiles": profiles,
        "counts": prov.counts(),
        "workflow_specs": {
            run_id: {
                "path": wf.crate_path,
                "source": wf.source,
                "digest_matches": wf.digest_matches,
            }
            for run_id, wf in files.items()
        },
        "refused": prov.refused,
        "warnings": warnings,
    }


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def rucio_urls(instances) -> dict[str, str]:
    return {item.name: public_url(item.config.url) for item in instances.all() if item.config.url}
