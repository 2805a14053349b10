"""The fetch's folder-checked targets (``workspace.Targets``) keep every rule of
``Workspace.target``: a hostile path is refused by both, with the same words, and a planted link
(a folder or the file itself) is never written through, whichever file of the folder comes first.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jupyterlab_escape.http import EscapeError
from jupyterlab_escape.workspace import Targets, Workspace

HOSTILE = [
    "../escape-evil.txt",
    "datalake/../../escape-evil.txt",
    "/etc/passwd",
    "C:/evil.txt",
    "datalake/.ssh/authorized_keys",
    ".local/share/jupyter/kernels/python3/kernel.json",
    "datalake/scope/.hidden",
    "datalake\\evil.txt",
    "datalake/x\x00.txt",
    "datalake/" + "n" * 256,
    "",
]


def outcome(call, path: str) -> str:
    try:
        return f"ok {call(path)}"
    except EscapeError as err:
        return f"refused {err.message}"


@pytest.fixture
def scene(tmp_path) -> tuple[Workspace, Path]:
    root = tmp_path / "root"
    outside = tmp_path / "outside"
    (root / "datalake" / "scope" / "ds").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.txt").write_text("untouched\n")
    # a folder and a file that are links out of the workspace, planted before the fetch
    os.symlink(outside, root / "datalake" / "scope" / "linked")
    os.symlink(outside / "secret.txt", root / "datalake" / "scope" / "ds" / "leaf.txt")
    return Workspace(root), outside


@pytest.mark.parametrize("path", HOSTILE)
def test_hostile_paths_are_refused_like_workspace_target(scene, path):
    workspace, _ = scene
    theirs = outcome(lambda p: workspace.target(p, "rucio"), path)
    ours = outcome(Targets(workspace, "rucio").target, path)
    assert theirs.startswith("refused")
    assert ours == theirs


@pytest.mark.parametrize(
    "path",
    [
        "datalake/scope/linked/secret.txt",
        "datalake/scope/linked/new.txt",
        "datalake/scope/ds/leaf.txt",
    ],
)
def test_links_are_refused_first_or_after_a_sibling(scene, path):
    workspace, _ = scene
    first = Targets(workspace, "rucio")
    after = Targets(workspace, "rucio")
    # a sibling in the same folder first: the folder's check is cached, the link still refused
    sibling = str(Path(path).parent / "sibling.txt")
    outcome(after.target, sibling)
    for targets in (first, after):
        got = outcome(targets.target, path)
        assert got == "refused " + (
            f"Refused to write to {path!r}: it goes through a symbolic link."
        )


def test_hidden_parts_follow_the_contents_manager(scene):
    workspace, _ = scene
    shown = Workspace(workspace.root, hidden_allowed=lambda: True)
    assert outcome(Targets(workspace).target, "datalake/.cache/x").startswith("refused")
    assert outcome(Targets(shown).target, "datalake/.cache/x") == (
        f"ok {workspace.root / 'datalake/.cache/x'}"
    )


def test_allowed_paths_land_where_workspace_target_puts_them(scene):
    workspace, outside = scene
    targets = Targets(workspace, "rucio")
    for name in ("a.txt", "b.txt", "sub/c.txt"):
        path = f"datalake/scope/ds/{name}"
        assert targets.target(path) == workspace.target(path)
    made = targets.target("datalake/scope/new/d.txt")
    targets.ensure_folder(made.parent)
    assert made.parent.is_dir() and not made.parent.is_symlink()
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]
    assert (outside / "secret.txt").read_text() == "untouched\n"
