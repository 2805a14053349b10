"""Checks of a parsed specification against what REANA accepts: the engine's operational
options, the declared parameters, and this REANA's compute backends and workspaces."""

from __future__ import annotations

from typing import Any

import yaml

from . import engines
from . import spec as specs


def option_issues(doc, summary: specs.Summary, extra: dict | None) -> list[specs.Issue]:
    known = specs.OPTIONS.get(summary.type or "")
    if known is None:
        return []
    issues = []
    for key in summary.options:
        if key not in known:
            line, column = doc.locate(("inputs", "options", key))
            issues.append(
                specs.Issue(
                    ("inputs", "options", key),
                    f"operational option {key!r} is not one {summary.type} accepts "
                    f"({', '.join(sorted(known))})",
                    line=line,
                    column=column,
                )
            )
    for key in extra or {}:
        if key not in known:
            issues.append(
                specs.Issue(
                    ("options",),
                    f"operational option {key!r} is not one {summary.type} accepts "
                    f"({', '.join(sorted(known))})",
                )
            )
    return issues


def parameter_issues(summary: specs.Summary, parameters: dict | None) -> list[specs.Issue]:
    return [
        specs.Issue(
            ("parameters", key),
            f"parameter {key!r} is not declared under inputs.parameters of the reana.yaml",
        )
        for key in parameters or {}
        if key not in summary.parameters
    ]


def typed_parameter(declared: Any, value: Any) -> Any:
    """An override typed in a form or on a ``-p key=value`` line is text: give it the type the
    reana.yaml declares (``events: 1000`` stays an int with ``-p events=2000``), when the text
    reads as a value of that type; otherwise it stays the text it was."""
    if not isinstance(value, str) or isinstance(declared, str) or declared is None:
        return value
    if len(value) > 4096:
        return value
    try:
        # No aliases: a few bytes of them would expand into a huge parameter once sent.
        if any(isinstance(token, yaml.AliasToken) for token in yaml.scan(value)):
            return value
        parsed = yaml.safe_load(value)
    except yaml.YAMLError:
        return value
    if isinstance(declared, bool):
        return parsed if isinstance(parsed, bool) else value
    if isinstance(declared, int):
        return parsed if isinstance(parsed, int) and not isinstance(parsed, bool) else value
    if isinstance(declared, float):
        ok = isinstance(parsed, (int, float)) and not isinstance(parsed, bool)
        return float(parsed) if ok else value
    if isinstance(declared, (list, dict)):
        return parsed if isinstance(parsed, type(declared)) else value
    return value


def typed_parameters(summary: specs.Summary, parameters: dict | None) -> dict:
    declared = summary.parameters or {}
    return {
        key: typed_parameter(declared.get(key), value) for key, value in (parameters or {}).items()
    }


def output_issues(doc, summary: specs.Summary) -> list[specs.Issue]:
    """Output paths are workspace paths: downloads of ``../../x`` would all be refused, so the
    spec is refused now (REANA's own checks are the same as for inputs)."""
    from .inputs import bad_spec_path

    issues = []
    for key, entries in (
        ("files", summary.output_files),
        ("directories", summary.output_directories),
    ):
        for index, entry in enumerate(entries):
            why = bad_spec_path(entry)
            if why:
                where = ("outputs", key, index)
                line, column = doc.locate(where)
                issues.append(
                    specs.Issue(where, f"output {entry!r} {why}", line=line, column=column)
                )
    return issues


def capability_issues(
    doc, data, capabilities: dict | None, kind: str | None = None, loaded=None
) -> list[specs.Issue]:
    """Compute backends of every engine's steps (reana-client validate --server-capabilities)
    and ``workspace.root_path`` against this REANA's ``/info``."""
    if not capabilities:
        return []
    issues = []
    backends = capabilities.get("compute_backends") or []
    workflow = data.get("workflow") if isinstance(data, dict) else None
    if not isinstance(workflow, dict):
        workflow = {}
    specification = loaded
    if specification is None and kind == "serial":
        specification = workflow.get("specification")
    inline = kind == "serial" and isinstance(workflow.get("specification"), dict)
    steps = specification.get("steps") if inline and isinstance(specification, dict) else None
    for index, (step, backend) in enumerate(engines.backends_used(kind, specification)):
        if not backends or backend in backends:
            continue
        if inline and isinstance(steps, list):
            position = next(
                (
                    i
                    for i, s in enumerate(steps)
                    if isinstance(s, dict)
                    and s.get("compute_backend") == backend
                    and str(s.get("name", i)) == step
                ),
                index,
            )
            where = ("workflow", "specification", "steps", position, "compute_backend")
        else:
            where = ("workflow", "file") if "file" in workflow else ("workflow",)
        line, column = doc.locate(where)
        issues.append(
            specs.Issue(
                where,
                f"this REANA offers {', '.join(backends)}, not {backend}"
                + ("" if inline else f" (step {step!r})"),
                line=line,
                column=column,
            )
        )
    workspaces = capabilities.get("workspaces_available") or []
    root_path = (data.get("workspace") or {}).get("root_path") if isinstance(data, dict) else None
    if (
        workspaces
        and isinstance(root_path, str)
        and not any(root_path == w or root_path.startswith(w.rstrip("/") + "/") for w in workspaces)
    ):
        line, column = doc.locate(("workspace", "root_path"))
        issues.append(
            specs.Issue(
                ("workspace", "root_path"),
                f"this REANA offers the workspaces {', '.join(workspaces)}, not {root_path}",
                line=line,
                column=column,
            )
        )
    return issues
