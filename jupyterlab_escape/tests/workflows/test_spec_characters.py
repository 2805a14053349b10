"""A spec or cell holding a character YAML refuses (a control character) is a syntax issue with
its line and column, not a 500 (found by bench/fuzz_api.py: PyYAML raises it before parsing)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import write_project
from .test_workflows import call


@pytest.mark.parametrize("character", ["\x0b", "\x07", "\x1b"])
async def test_a_control_character_is_a_syntax_issue_with_its_place(
    jp_fetch, jp_root_dir, character
):
    spec = f"workflow:\n  type: serial\n  file: a{character}b.yaml\n"
    write_project(Path(jp_root_dir), "control", spec)
    answer = await call(jp_fetch, "validate", method="POST", body={"path": "control/reana.yaml"})
    assert answer["valid"] is False
    [issue] = answer["issues"]
    assert (issue["line"], issue["column"]) == (3, 10)
    assert issue["message"] == (
        f"YAML error: special characters are not allowed (#x{ord(character):04x})"
    )


async def test_spec_text_with_a_control_character_is_refused_in_words(jp_fetch, jp_root_dir):
    answer = await call(
        jp_fetch, "validate", method="POST", body={"spec_text": "\x0bworkflow: {}", "base": ""}
    )
    assert answer["valid"] is False
    [issue] = answer["issues"]
    assert issue["message"].startswith("YAML error: special characters are not allowed")
    assert issue["line"] == 1
