"""reana.yaml checks: located errors, and a differential test against REANA's official schema."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest

from jupyterlab_escape.workflows import spec as specs
from jupyterlab_escape.workflows.prepare import prepare
from testbed.reana.contract import ANALYSIS_SCHEMA_MEMBER, DIST, _distribution, read_member

from .conftest import write_project


def official_validator():
    archive = _distribution(DIST)
    assert archive is not None, "testbed/reana/standin setup has not run"
    schema = json.loads(read_member(archive, ANALYSIS_SCHEMA_MEMBER))
    return jsonschema.Draft7Validator(schema)


def test_yaml_syntax_error_has_line_and_column(tmp_path):
    with pytest.raises(specs.SpecSyntaxError) as caught:
        specs.parse("workflow:\n  type: serial\n  specification: {steps: [\n")
    issue = caught.value.issue
    assert issue.line == 4 and issue.column == 1
    assert issue.message.startswith("YAML syntax error")


def test_schema_errors_point_at_their_line(tmp_path):
    text = (
        "inputs:\n"
        "  files: code.py\n"  # line 2: not a list
        "workflow:\n"
        "  type: serial\n"
        "  specification:\n"
        "    steps:\n"
        "      - environment: busybox\n"  # line 7: step without commands
        "        kerberos: maybe\n"  # line 8: not a boolean
        "        colour: red\n"  # line 9: unknown key -> warning
    )
    doc = specs.parse(text)
    issues = {
        (i.where, i.severity): i for i in specs.issues_for(doc, specs.schema_issues(doc.data))
    }
    files = issues[("inputs.files", "error")]
    assert (files.line, files.message) == (2, "must be an array, not string")
    step = issues[("workflow.specification.steps[0]", "error")]
    assert step.line == 7 and "'commands' is required" in step.message
    kerberos = issues[("workflow.specification.steps[0].kerberos", "error")]
    assert (kerberos.line, kerberos.column) == (8, 19)
    colour = issues[("workflow.specification.steps[0].colour", "warning")]
    assert (colour.line, colour.column) == (9, 9)


def test_workflow_needs_type_and_file_or_specification():
    doc = specs.parse("workflow:\n  type: yadage\n")
    [issue] = specs.issues_for(doc, specs.schema_issues(doc.data))
    assert issue.where == "workflow" and issue.line == 2
    assert "either 'file' or 'specification'" in issue.message


def test_cwl_without_cwltool_is_refused_with_a_clear_message(jp_root_dir):
    from jupyterlab_escape.workflows.engines import EngineTools

    write_project(Path(jp_root_dir), "cwl", "workflow:\n  type: cwl\n  file: main.cwl\n")
    prepared = prepare(jp_root_dir, "cwl/reana.yaml", tools=EngineTools(None, None))
    assert not prepared.valid
    [cwl] = [i for i in prepared.issues if i.where == "workflow.type"]
    assert "cwltool is not installed on the Jupyter server" in cwl.message and cwl.line == 2
    assert "jupyterlab-escape[cwl]" in cwl.message


def test_serial_workflow_file_is_loaded_and_checked(jp_root_dir):
    base = write_project(
        Path(jp_root_dir),
        "ser",
        "inputs:\n  files: [steps.yaml]\nworkflow:\n  type: serial\n  file: steps.yaml\n",
    )
    (base / "steps.yaml").write_text("steps:\n  - environment: busybox\n    commands: [ls]\n")
    good = prepare(jp_root_dir, "ser/reana.yaml")
    assert good.valid, good.issues
    assert good.body["workflow"]["specification"]["steps"][0]["commands"] == ["ls"]
    assert good.summary.steps[0]["environment"] == "busybox"
    (base / "steps.yaml").write_text("steps:\n  - environment: busybox\n")
    bad = prepare(jp_root_dir, "ser/reana.yaml")
    assert ["steps.yaml line 2: steps[0] 'commands' is required"] == [
        i.message for i in bad.issues if i.severity == "error"
    ]


def test_unknown_operational_option_and_parameter(jp_root_dir):
    write_project(
        Path(jp_root_dir),
        "opt",
        "inputs:\n  parameters: {n: 1}\n  options: {CACHE: 'off', FORCE: 1}\n"
        "workflow:\n  type: serial\n  specification: {steps: []}\n",
    )
    prepared = prepare(jp_root_dir, "opt/reana.yaml", parameters={"n": 2, "m": 3})
    messages = [(i.where, i.line) for i in prepared.issues if i.severity == "error"]
    assert ("inputs.options.FORCE", 3) in messages
    assert ("parameters.m", None) in messages
    assert len(messages) == 2


# -- differential test --------------------------------------------------------------------------

VALID = [
    {"workflow": {"type": "serial", "specification": {"steps": []}}},
    {
        "version": "0.9.0",
        "inputs": {
            "files": ["a.py", "b.C"],
            "directories": ["data"],
            "parameters": {"n": 5, "label": "x", "nested": {"a": [1]}},
            "options": {"CACHE": "off"},
        },
        "workflow": {
            "type": "serial",
            "resources": {"cvmfs": ["sft.cern.ch", "atlas.cern.ch"], "kerberos": False},
            "specification": {
                "steps": [
                    {
                        "name": "fit",
                        "environment": "python:3.12",
                        "commands": ["python a.py", "ls"],
                        "compute_backend": "kubernetes",
                        "kubernetes_job_timeout": 60,
                        "kubernetes_memory_limit": "1Gi",
                        "kerberos": True,
                        "voms_proxy": False,
                        "rucio": True,
                        "unpacked_img": False,
                        "htcondor_max_runtime": "espresso",
                    }
                ]
            },
        },
        "outputs": {"files": ["out.json"], "directories": ["plots"]},
        "tests": {"files": ["t.feature"]},
        "workspace": {"root_path": "/var/reana", "retention_days": {"data/*": 1, "**/*.root": 0}},
    },
    {"workflow": {"type": "yadage", "file": "workflow.yaml"}, "inputs": {"options": {}}},
    {"workflow": {"type": "snakemake", "file": "Snakefile", "specification": {"any": 1}}},
    {"workflow": {"type": "cwl", "file": "main.cwl"}},
    {"workflow": {"type": "serial", "file": "steps.yaml"}},
]
REPLACEMENTS = [None, 0, -1, 1.5, 2.0, "x", "", True, [], ["x"], [1], {}, {"x": 1}, "a" * 61]


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, prefix + (index,))


def _get(value, path):
    for part in path:
        value = value[part]
    return value


def variants():
    """Each valid spec, and for every node: removed, replaced by each value of REPLACEMENTS,
    an unknown key added (objects), an item duplicated (arrays); plus each spec's type swapped."""
    for base in VALID:
        yield base
        for path in _paths(base):
            for replacement in REPLACEMENTS:
                changed = copy.deepcopy(base)
                if path:
                    _get(changed, path[:-1])[path[-1]] = copy.deepcopy(replacement)
                else:
                    changed = copy.deepcopy(replacement)
                yield changed
            node = _get(base, path)
            if path:
                removed = copy.deepcopy(base)
                del _get(removed, path[:-1])[path[-1]]
                yield removed
            if isinstance(node, dict):
                extra = copy.deepcopy(base)
                _get(extra, path)["unexpected"] = 1
                yield extra
            if isinstance(node, list) and node:
                doubled = copy.deepcopy(base)
                _get(doubled, path).append(copy.deepcopy(node[0]))
                yield doubled
        for engine in ("serial", "yadage", "cwl", "snakemake", "Serial", 7):
            swapped = copy.deepcopy(base)
            swapped["workflow"]["type"] = engine
            yield swapped


def test_differential_against_the_official_analysis_schema():
    validator = official_validator()
    cases = list(variants())
    disagreements = []
    accepted = rejected = 0
    for case in cases:
        official = validator.is_valid(case)
        ours = not specs.schema_issues(case)
        accepted += official
        rejected += not official
        if official != ours:
            disagreements.append((case, official, specs.schema_issues(case)))
    assert len(cases) > 700
    assert accepted > 30 and rejected > 500  # the corpus exercises both answers
    assert disagreements == []


def test_official_schema_is_read_from_the_reana_commons_archive():
    validator = official_validator()
    assert validator.schema["title"] == "REANA analysis specification"
    assert set(validator.schema["properties"]) == set(specs.TOP)


def test_every_corpus_variant_gets_an_answer_not_a_crash(tmp_path):
    """prepare() on each differential variant written as YAML: a verdict, never an exception."""
    import yaml

    (tmp_path / "w").mkdir()
    checked = 0
    for index, case in enumerate(variants()):
        if index % 3:
            continue  # a third of the corpus keeps this quick
        (tmp_path / "w" / "reana.yaml").write_text(yaml.safe_dump(case))
        prepared = prepare(tmp_path, "w/reana.yaml")
        assert isinstance(prepared.valid, bool)
        checked += 1
    assert checked > 200


def test_a_few_anchors_still_work_and_bombs_do_not():
    shared = (
        "env: &env {environment: busybox, kubernetes_memory_limit: 1Gi}\n"
        "workflow:\n  type: serial\n  specification:\n    steps:\n"
        "      - {<<: *env, name: a, commands: [ls]}\n"
        "      - {<<: *env, name: b, commands: [ls]}\n"
    )
    doc = specs.parse(shared)
    steps = doc.data["workflow"]["specification"]["steps"]
    assert [s["environment"] for s in steps] == ["busybox", "busybox"]
    wide = "a: &a [" + ",".join(["x"] * 5000) + "]\nb: [*a]\nc: [*a, *a]\n"
    with pytest.raises(specs.SpecSyntaxError) as caught:
        specs.parse(wide)
    assert (caught.value.issue.line, caught.value.issue.column) == (3, 5)
    assert caught.value.issue.message.startswith("YAML aliases expand to more than 10000 nodes")
