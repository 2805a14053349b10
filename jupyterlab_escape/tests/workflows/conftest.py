"""REANA fixtures: the Jupyter server's REANA settings point at the REANA stand-in
(testbed/reana, Swagger-checked), and a small analysis project in the workspace."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from testbed.reana.pytest_plugin import reana_standin  # noqa: F401  (fixture)

SPEC = """\
version: 0.9.0
inputs:
  files:
    - code/fit.py
  directories:
    - data
  parameters:
    events: 100
    model: gauss
workflow:
  type: serial
  specification:
    steps:
      - name: fit
        environment: docker.io/library/python:3.12-slim
        commands:
          - python code/fit.py --events ${events} --model ${model}
      - name: plot
        environment: docker.io/library/python:3.12-slim
        commands:
          - python code/fit.py --plot
outputs:
  files:
    - results/fit.json
  directories:
    - plots
"""


def write_project(root: Path, folder: str = "analysis", spec: str = SPEC) -> Path:
    base = root / folder
    (base / "code").mkdir(parents=True, exist_ok=True)
    (base / "data" / "raw").mkdir(parents=True, exist_ok=True)
    (base / "reana.yaml").write_text(textwrap.dedent(spec))
    (base / "code" / "fit.py").write_text("print('fit')\n")
    (base / "data" / "events.csv").write_text("a,b\n1,2\n")
    (base / "data" / "raw" / "run1.dat").write_bytes(b"\x00" * 2048)
    return base


@pytest.fixture
def project(jp_root_dir) -> Path:
    return write_project(Path(jp_root_dir))


@pytest.fixture
def escape_config(request, escape_config, reana_standin, closed_port):  # noqa: F811
    """The stand-in, unless a test's ``escape_config`` marker says otherwise."""
    reana = {"url": reana_standin.url, "access_token": reana_standin.token}
    # The engines reana-client uses, from the stand-in's venv (built by `standin setup`).
    reana["cwltool"] = str(reana_standin.reana_client.with_name("cwltool"))
    reana["snakemake_python"] = str(reana_standin.reana_client.with_name("python"))
    for marker in request.node.iter_markers("escape_config"):
        for key, value in marker.args[0].get("EscapeReana", {}).items():
            reana[key] = value.format(closed_port=closed_port) if isinstance(value, str) else value
    escape_config["EscapeReana"] = reana
    return escape_config
