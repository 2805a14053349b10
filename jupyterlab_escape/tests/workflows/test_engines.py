"""Issue 17's bullets, each shown fixed: engines loaded as reana-client loads them, compute
backends of every engine, date versions, output paths, "." directories, missing inputs."""

from __future__ import annotations

import uuid
from pathlib import Path

from jupyterlab_escape.workflows.engines import EngineTools
from jupyterlab_escape.workflows.prepare import blocker, prepare

from .corpus import CWL, DIRECTORIES, SNAKEMAKE, YADAGE
from .test_workflows import error_of, submit

CAPS = {"compute_backends": ["kubernetes"], "workspaces_available": ["/var/reana"]}


def tools(standin) -> EngineTools:
    bin_ = standin.reana_client.parent
    return EngineTools([str(bin_ / "cwltool")], str(bin_ / "python"), 120)


def errors(prepared):
    return [(i.where, i.message) for i in prepared.issues if i.severity == "error"]


def test_snakemake_parameters_and_dag_are_loaded(jp_root_dir, reana_standin):
    SNAKEMAKE.write(Path(jp_root_dir) / "sm")
    prepared = prepare(
        jp_root_dir, "sm/reana.yaml", CAPS, tools=tools(reana_standin), load_engines=True
    )
    assert prepared.valid, prepared.issues
    assert prepared.body["inputs"]["parameters"] == {"events": 20, "label": "run-a"}
    [step] = prepared.body["workflow"]["specification"]["steps"]
    assert step["name"] == "count" and step["compute_backend"] == "kubernetes"
    assert step["commands"] == [
        "mkdir -p results && python {input.script} {params.events} {params.label} > {output}"
    ]


def test_compute_backends_are_checked_for_every_engine(jp_root_dir, reana_standin):
    root = Path(jp_root_dir)
    for case, folder, old, new in (
        (SNAKEMAKE, "sm", 'compute_backend="kubernetes"', 'compute_backend="htcondorcern"'),
        (YADAGE, "yd", "compute_backend: kubernetes", "compute_backend: slurmcern"),
        (CWL, "cw", "compute_backend: kubernetes", "compute_backend: htcondorcern"),
    ):
        case.write(root / folder)
        for path in (root / folder).rglob("*"):
            if path.is_file() and old in path.read_text():
                path.write_text(path.read_text().replace(old, new))
        prepared = prepare(
            jp_root_dir, f"{folder}/reana.yaml", CAPS, tools=tools(reana_standin), load_engines=True
        )
        [(where, message)] = errors(prepared)
        assert where == "workflow.file" and message.startswith("this REANA offers kubernetes, not ")
    yadage = prepare(jp_root_dir, "yd/reana.yaml", CAPS)  # checked while validating too
    assert yadage.body["workflow"]["specification"] is None and not yadage.valid


def test_cwl_is_packed_with_its_parameters(jp_root_dir, reana_standin):
    CWL.write(Path(jp_root_dir) / "cw")
    prepared = prepare(
        jp_root_dir, "cw/reana.yaml", CAPS, tools=tools(reana_standin), load_engines=True
    )
    assert prepared.valid, prepared.issues
    assert "$graph" in prepared.body["workflow"]["specification"]
    assert prepared.body["inputs"]["parameters"]["who"] == "world"


def test_snakemake_without_an_engine_says_how_to_get_one(jp_root_dir):
    SNAKEMAKE.write(Path(jp_root_dir) / "sm")
    prepared = prepare(jp_root_dir, "sm/reana.yaml", tools=EngineTools(None, None))
    [(where, message)] = errors(prepared)
    assert where == "workflow.type" and "EscapeReana.snakemake_python" in message


def test_a_date_version_and_outputs_leaving_the_workspace_are_refused(jp_root_dir):
    spec = (
        "version: 2024-01-01\nworkflow:\n  type: serial\n  specification:\n    steps: []\n"
        "outputs:\n  files: ['../../x']\n"
    )
    base = Path(jp_root_dir) / "v"
    base.mkdir()
    (base / "reana.yaml").write_text(spec)
    found = errors(prepare(jp_root_dir, "v/reana.yaml"))
    assert ("version", 'must be a string, not a date: quote it (version: "2024-01-01")') in found
    assert ("outputs.files[0]", "output '../../x' leaves the reana.yaml folder ('..')") in found
    (base / "reana.yaml").write_text(
        spec.replace("2024-01-01", '"2024-01-01"').replace("../../x", "x")
    )
    assert prepare(jp_root_dir, "v/reana.yaml").valid


def test_the_folder_itself_uploads_each_file_once_without_dot(jp_root_dir):
    DIRECTORIES.write(Path(jp_root_dir) / "d")
    prepared = prepare(jp_root_dir, "d/reana.yaml")
    assert sorted(f.name for f in prepared.plan.files) == [
        "code/a.py",
        "data/keep.txt",
        "reana.yaml",
    ]


async def test_missing_inputs_block_unless_submitted_anyway(jp_fetch, project):
    (project / "code" / "fit.py").unlink()
    code, error = await error_of(
        jp_fetch,
        "submit",
        method="POST",
        body={"path": "analysis/reana.yaml", "idempotency_key": uuid.uuid4().hex},
    )
    assert (code, error["code"]) == (400, "reana_missing_inputs")
    assert "code/fit.py" in error["message"] and "submit anyway" in error["message"]
    events = await submit(jp_fetch, allow_missing_inputs=True, name=f"m{uuid.uuid4().hex[:8]}")
    assert events[-1]["stage"] == "started"
    assert any("code/fit.py" in w for w in events[0]["warnings"])
    assert blocker is not None
