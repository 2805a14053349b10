"""The real ``eossr`` in its own venv: the reference for what a client of the OSSR sends.

eossr 2.3.1 (the newest release, the one we hold ourselves to) declares ``Requires-Python >=3.10``
but reads its crosswalk table with ``importlib.resources.files(<module>)``, which only Python 3.12
accepts (3.11: ``TypeError: 'eossr.metadata.codemeta' is not a package``). Debian 12 has no Python
3.12 package; the machines of this project ship pyenv's CPython 3.12 (and 3.13) beside the 3.11
the project runs on, so the venv is built from the first Python >= 3.12 found
(``ESCAPE_EOSSR_PYTHON``, ``python3.13``/``python3.12`` on PATH, then pyenv's versions), with
eossr from PyPI only. Nothing of eossr is installed into the server's environment. (Without any
Python >= 3.12 the newest eossr that runs on 3.11 is 2.1.1, which still reads its table through
``pkg_resources``; we do not fall back to it: the reference is the current eossr.)

    testbed/zenodo/standin setup     build it (idempotent)
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

from ..standin import ROOT

RUN = ROOT / "testbed" / ".run" / "zenodo"  # the stand-in's run folder (cli.py serves from it)

EOSSR_VERSION = "2.3.1"
REQUIREMENTS = [f"eossr=={EOSSR_VERSION}"]
VENV = RUN / "eossr-venv"
DRIVER = Path(__file__).with_name("eossr_driver.py")
_STAMP = f"eossr=={EOSSR_VERSION}\n"


def _version_of(python: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run(
            [python, "-c", "import sys, venv, ensurepip; print(*sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    major, minor = out.stdout.split()
    return int(major), int(minor)


def find_python() -> str | None:
    """A CPython >= 3.12 with venv and ensurepip, or None."""
    candidates = [os.environ.get("ESCAPE_EOSSR_PYTHON", "")]
    candidates += [shutil.which(name) or "" for name in ("python3.13", "python3.12")]
    roots = [os.environ.get("PYENV_ROOT", ""), str(Path.home() / ".pyenv")]
    for root in filter(None, roots):
        for version in ("3.12", "3.13"):
            candidates += sorted(glob.glob(f"{root}/versions/{version}.*/bin/python3"))
    for python in filter(None, candidates):
        found = _version_of(python)
        if found and found >= (3, 12):
            return python
    return None


def python() -> Path:
    return VENV / "bin" / "python"


def ready() -> bool:
    stamp = VENV / ".ready"
    return python().exists() and stamp.exists() and stamp.read_text() == _STAMP


def setup() -> int:
    if ready():
        print(f"eossr {EOSSR_VERSION}: {python()}")
        return 0
    interpreter = find_python()
    if interpreter is None:
        print(
            "eossr needs a Python >= 3.12 (none found: set ESCAPE_EOSSR_PYTHON, or install one "
            "with pyenv)",
            file=sys.stderr,
        )
        return 1
    print(f"installing {' '.join(REQUIREMENTS)} into {VENV} (own venv, {interpreter})")
    subprocess.run([interpreter, "-m", "venv", "--clear", str(VENV)], check=True)
    subprocess.run(
        [str(python()), "-m", "pip", "install", "-q", "--disable-pip-version-check"] + REQUIREMENTS,
        check=True,
    )
    probe = subprocess.run(
        [str(python()), str(DRIVER), "version"], capture_output=True, text=True, timeout=120
    )
    if probe.returncode != 0 or probe.stdout.strip() != EOSSR_VERSION:
        print(f"eossr does not import: {probe.stderr.strip()[-500:]}", file=sys.stderr)
        return 1
    (VENV / ".ready").write_text(_STAMP)
    print(f"eossr {EOSSR_VERSION}: {python()}")
    return 0
