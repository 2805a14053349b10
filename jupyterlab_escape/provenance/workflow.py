"""A REANA run as a provenance record (``ProvenanceWorkflow``), from the configured REANA.

The frontend records launched runs from this answer (never from what a cell or notebook says):
engine, parameters and the digest of the specification REANA holds, status and times.
"""

from __future__ import annotations

import re
from typing import Any

from ..workflows.client import check_workflow_ref
from ..workflows.workflows import Workflows
from .records import MAX_PARAMETERS_JSON, spec_digest, validator

_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d{1,6})?\d*(Z|\+00:00)?$")
ENGINES = ("serial", "cwl", "yadage", "snakemake")


def _time(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    match = _TIME.match(value)
    return f"{match.group(1)}Z" if match else None


def _parameters(spec: dict, given: Any) -> dict:
    declared = (spec.get("inputs") or {}).get("parameters") if isinstance(spec, dict) else None
    out = dict(declared) if isinstance(declared, dict) else {}
    if isinstance(given, dict):
        out.update(given)
    import json

    if len(out) > 100 or len(json.dumps(out, default=str)) > MAX_PARAMETERS_JSON:
        return {}
    return json.loads(json.dumps(out, default=str))


async def workflow_record(workflows: Workflows, ref: str) -> dict:
    ref = check_workflow_ref(ref)
    status = await workflows.get(ref)
    answer = await workflows.client.specification(status["id"] or ref)
    spec = answer.get("specification") if isinstance(answer, dict) else None
    spec = spec if isinstance(spec, dict) else {}
    engine = (spec.get("workflow") or {}).get("type")
    record = {
        "id": status["id"],
        "name": status["name"],
        "run_number": status["run_number"],
        "engine": engine if engine in ENGINES else None,
        "spec_sha256": spec_digest(spec) if spec else None,
        "spec_path": None,
        "parameters": _parameters(
            spec, answer.get("parameters") if isinstance(answer, dict) else None
        ),
        "status": status["status"],
        "created": _time(status.get("created")),
        "started": _time(status.get("started")),
        "finished": _time(status.get("finished")),
        "inputs": [],
    }
    # What REANA said is checked like a notebook's record: the record always fits the schema.
    errors = sorted(validator("ProvenanceWorkflow").iter_errors(record), key=str)
    if errors:
        from ..http import EscapeError

        raise EscapeError(
            502,
            "reana_bad_answer",
            f"REANA's answer for {ref} does not make a provenance record: {errors[0].message}",
            service="reana",
        )
    return record
