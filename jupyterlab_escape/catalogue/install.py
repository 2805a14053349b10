"""The "install" code cell a record suggests: from its codemeta.json, else its code repository.

The cell is inserted, never run: the user reads and edits it first. Values from the record are
only used when they look like what they claim to be (a package name, a version, an https git
URL), so a hostile record cannot smuggle shell syntax into the cell.
"""

from __future__ import annotations

import re
import shlex
import textwrap

_PACKAGE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+!_-]{0,39}$")
_REQUIREMENT = re.compile(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9,._-]+\])?([<>=!~]=?[A-Za-z0-9.*+!_-]+,?)*$"
)
_GIT_URL = re.compile(r"^https://[A-Za-z0-9.-]+(:\d+)?/[A-Za-z0-9._~/-]+$")
_RECORD_ID = re.compile(r"^\d{1,12}$")
_PYPI = re.compile(r"^https://pypi\.org/project/([A-Za-z0-9._-]+)/?")


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()[:120]


def _pypi_name(codemeta: dict) -> str | None:
    for url in codemeta.get("installUrl") or []:
        match = _PYPI.match(url)
        if match:
            return match.group(1)
    for text in codemeta.get("buildInstructions") or []:
        parts = text.split()
        if len(parts) >= 3 and parts[:2] == ["pip", "install"]:
            name = re.split(r"[<>=!~\[]", parts[2])[0]
            if _PACKAGE.match(name):
                return name
    return None


def _repository(codemeta: dict | None, related: list[dict]) -> str | None:
    candidates = list((codemeta or {}).get("codeRepository") or [])
    candidates += [r["identifier"] for r in related if r.get("kind") == "repository"]
    for url in candidates:
        url = url.rstrip("/")
        if _GIT_URL.match(url):
            return url
    return None


def install_cell(
    summary: dict, codemeta: dict | None, related: list[dict], *, record_id: str
) -> dict:
    """{"source": "codemeta" | "repository" | "none", "code": cell text}.

    ``record_id`` is the id the server validated, never the upstream's own ``id`` field (which
    could carry a newline and so a line of code into the cell)."""
    if not _RECORD_ID.match(record_id):
        raise ValueError(f"not a validated record id: {record_id!r}")
    title = _one_line(str(summary.get("title") or ""))
    version = summary.get("version")
    version = version if isinstance(version, str) and _VERSION.match(version) else ""
    # A long title is wrapped, every line a comment, so the cell shows it whole (review s3 §22).
    heading = f"Install {title}" + (f" {version}" if version else "")
    head = [f"# {line}" for line in textwrap.wrap(heading, 77, break_on_hyphens=False)] + [
        f"# from the ESCAPE OSSR, record {record_id}. Review and edit before running.",
    ]
    python = any(
        "python" in lang.lower() for lang in (codemeta or {}).get("programmingLanguage") or []
    )
    requirements = [
        r
        for r in (codemeta or {}).get("softwareRequirements") or []
        if _REQUIREMENT.match(r.replace(" ", ""))
    ]
    package = _pypi_name(codemeta) if codemeta else None
    if package:
        pin = f"{package}=={version}" if version else package
        return {
            "source": "codemeta",
            "code": "\n".join([*head, f"%pip install {shlex.quote(pin)}"]),
        }
    repo = _repository(codemeta, related)
    if repo:
        folder = repo.rsplit("/", 1)[-1].removesuffix(".git")
        # git names the clone after the URL's last part; when that would be hidden ("." or "..")
        # or empty, the cell names a plain folder instead.
        into = ""
        if not folder or folder.startswith("."):
            folder, into = "source", " source"
        lines = [*head]
        tag = f"--branch {shlex.quote('v' + version)} " if version else ""
        lines.append(f"!git clone --depth 1 {tag}{shlex.quote(repo)}{into}")
        if python or requirements:
            if requirements:
                quoted = " ".join(shlex.quote(r.replace(" ", "")) for r in requirements)
                lines.append(f"%pip install {quoted}")
            lines.append(f"%pip install ./{shlex.quote(folder)}")
        return {"source": "codemeta" if codemeta else "repository", "code": "\n".join(lines)}
    lines = [
        *head,
        "# The record names no package or code repository: fetch its files into the",
        "# workspace with 'Fetch files' in the Software Catalogue, then follow its",
        "# README.",
    ]
    return {"source": "none", "code": "\n".join(lines)}
