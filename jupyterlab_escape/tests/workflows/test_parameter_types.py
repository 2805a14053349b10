"""#21: a parameter declared ``events: 1000`` stays an int when overridden with text (the
submit form, the restart form, ``%%reana -p events=2000``); text that does not read as the
declared type stays text, and YAML aliases are never expanded."""

from __future__ import annotations

import pytest

from jupyterlab_escape.workflows.checks import typed_parameter

from .test_workflows import submit, unique_name

SPEC = """\
version: 0.9.0
inputs:
  parameters:
    events: 1000
    scale: 0.5
    fast: false
    model: gauss
    runs: [1, 2]
workflow:
  type: serial
  specification:
    steps:
      - environment: docker.io/library/python:3.12-slim
        commands:
          - echo ${events} ${scale} ${fast} ${model} ${runs}
"""


@pytest.mark.parametrize(
    "declared, text, expected",
    [
        (1000, "2000", 2000),
        (1000, "2e3", "2e3"),  # not an int: stays text, REANA says what it makes of it
        (1000, "true", "true"),
        (0.5, "2", 2.0),
        (0.5, "0.25", 0.25),
        (False, "true", True),
        (False, "1", "1"),
        ("gauss", "007", "007"),  # declared text stays text
        ([1, 2], "[3, 4]", [3, 4]),
        ([1, 2], "[*a]", "[*a]"),  # an alias is never read
        ([1, 2], "&a [1, *a]", "&a [1, *a]"),
        (1000, 3000, 3000),  # already typed: as sent
        (None, "12", "12"),  # not declared: as sent
    ],
)
def test_text_takes_the_declared_type(declared, text, expected):
    got = typed_parameter(declared, text)
    assert got == expected and type(got) is type(expected)


async def test_a_cell_override_keeps_the_declared_types(jp_fetch, reana_standin):
    cell = f"%%reana -n {unique_name()} -p events=2000 -p scale=1 -p fast=true -p model=007\n{SPEC}"
    events = await submit(jp_fetch, path=None, cell=cell, base="")
    assert events[-1].get("stage") == "started", events
    start = reana_standin.capture(events[-1]["workflow_id"])["capture"]["start"]
    assert start["input_parameters"] == {
        "events": 2000,
        "scale": 1.0,
        "fast": True,
        "model": "007",
    }
    assert type(start["input_parameters"]["events"]) is int
