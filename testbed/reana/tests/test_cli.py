"""Fidelity check: the real reana-client 0.9 CLI (its own venv) against the stand-in."""

from __future__ import annotations

import subprocess
import time
import zipfile

import pytest

REANA_YAML = """\
version: 0.9.0
inputs:
  files:
    - code/hello.py
  parameters:
    greeting: hello
workflow:
  type: serial
  specification:
    steps:
      - name: greet
        environment: 'docker.io/library/python:3.11-slim'
        commands:
          - mkdir -p results && python code/hello.py "${greeting}" > results/greeting.txt
outputs:
  files:
    - results/greeting.txt
"""


@pytest.fixture
def analysis(tmp_path):
    (tmp_path / "reana.yaml").write_text(REANA_YAML)
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "hello.py").write_text("import sys\nprint(sys.argv[1])\n")
    return tmp_path


def run(standin, cwd, *args, ok=True):
    result = subprocess.run(
        [str(standin.reana_client), *args],
        cwd=cwd,
        env=standin.client_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if ok:
        assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result.stdout + result.stderr


def test_reana_client_journey(reana_standin, analysis):
    name = f"journey{time.time_ns() % 10**9}"
    violations_before = len(reana_standin.stats()["violations"])

    out = run(reana_standin, analysis, "ping")
    assert "Status: Connected" in out and "Jane Doe" in out

    out = run(reana_standin, analysis, "create", "-w", name, "-f", "reana.yaml")
    assert f"{name}.1" in out
    run(reana_standin, analysis, "upload", "-w", name)
    out = run(reana_standin, analysis, "ls", "-w", name)
    assert "code/hello.py" in out and "reana.yaml" in out

    out = run(reana_standin, analysis, "start", "-w", name, "-p", "greeting=bonjour")
    assert "queued" in out
    deadline = time.monotonic() + 60
    while "finished" not in run(reana_standin, analysis, "status", "-w", name):
        assert time.monotonic() < deadline, "workflow did not finish"
        time.sleep(0.5)

    assert name in run(reana_standin, analysis, "list")
    out = run(reana_standin, analysis, "logs", "-w", name)
    assert "Step: greet" in out and "finished" in out
    out = run(reana_standin, analysis, "ls", "-w", name)
    assert "results/greeting.txt" in out

    downloads = analysis / "downloads"
    downloads.mkdir()
    run(reana_standin, downloads, "download", "-w", name, "results/greeting.txt")
    assert "REANA stand-in" in (downloads / "greeting.txt").read_text()
    run(reana_standin, downloads, "download", "-w", name, "results")
    with zipfile.ZipFile(downloads / "results.zip") as archive:
        assert archive.namelist() == ["results/greeting.txt"]

    run(reana_standin, analysis, "delete", "-w", name)
    assert name not in run(reana_standin, analysis, "list")
    assert reana_standin.stats()["violations"][violations_before:] == []


def test_reana_client_sees_a_bad_token(reana_standin, analysis):
    standin = type(reana_standin)(reana_standin.url, "wrong-token", reana_standin.reana_client)
    out = run(standin, analysis, "ping", ok=False)
    assert "Token not valid" in out or "INVALID ACCESS TOKEN" in out
