"""Checks of a parsed specification against what REANA accepts: the engine's operational
options, the declared parameters, and this REANA's compute backends and workspaces."""

from __future__ import annotations

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


def capability_issues(doc, data, capabilities: dict | None) -> list[specs.Issue]:
    if not capabilities:
        return []
    issues = []
    backends = capabilities.get("compute_backends") or []
    workflow = data.get("workflow") if isinstance(data, dict) else None
    steps = []
    if isinstance(workflow, dict) and isinstance(workflow.get("specification"), dict):
        steps = workflow["specification"].get("steps") or []
    for index, step in enumerate(steps if isinstance(steps, list) else []):
        backend = step.get("compute_backend") if isinstance(step, dict) else None
        if backends and isinstance(backend, str) and backend not in backends:
            where = ("workflow", "specification", "steps", index, "compute_backend")
            line, column = doc.locate(where)
            issues.append(
                specs.Issue(
                    where,
                    f"this REANA offers {', '.join(backends)}, not {backend}",
                    line=line,
                    column=column,
                )
            )
    workspaces = capabilities.get("workspaces_available") or []
    root_path = (data.get("workspace") or {}).get("root_path") if isinstance(data, dict) else None
    if workspaces and isinstance(root_path, str) and root_path not in workspaces:
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
