"""Loading CWL, Snakemake and yadage workflows the way reana-client 0.9.6 does, without its pins.

reana-client fills ``workflow.specification`` before it creates a workflow:

- **cwl**: the output of ``cwltool --pack --quiet <workflow.file>`` (packed JSON);
- **snakemake**: a dry run of the Snakefile with ``inputs.parameters.input`` as its config file,
  then the job DAG (``job_dependencies`` and one step per rule: name, environment, inputs, params,
  outputs, commands, compute_backend, kubernetes_memory_limit, kubernetes_uid);
- **yadage**: nothing (``specification: null``; REANA loads it at start), but the stages are
  read here for the compute-backend check;
- **cwl and snakemake**: ``inputs.parameters`` is replaced by the YAML loaded from
  ``inputs.parameters.input``.

cwltool and snakemake cannot live in the Jupyter server's environment for free: cwltool brings
schema-salad, rdflib and a pinned ruamel.yaml (the ``cwl`` extra installs it), and snakemake 7 (the
API reana-commons 0.9 uses) pins PuLP and much else. Both run as **bounded subprocesses** (time,
output size, a minimal environment without our credentials, the spec's folder as the working
directory): ``EscapeReana.cwltool`` and ``EscapeReana.snakemake_python`` (an interpreter with
snakemake 7). A Snakefile is Python: loading it runs its code, exactly as ``reana-client`` would on
the user's machine, so it is loaded only when the user submits, never while a dialog validates.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import spec as specs

MAX_OUTPUT = 16 * 1024 * 1024
SNAKEMAKE_HELPER = Path(__file__).with_name("snakemake_dag.py")
MAX_REF_FILES = 50


@dataclass
class EngineTools:
    cwltool: list[str] | None = None  # the command, or None when not installed
    snakemake_python: str | None = None  # an interpreter with snakemake 7, or None
    timeout: float = 120.0

    @classmethod
    def from_config(cls, config: Any) -> EngineTools:
        timeout = float(getattr(config, "engine_timeout", 120) or 120)
        cwl = (getattr(config, "cwltool", "") or "").strip()
        if cwl:
            command: list[str] | None = cwl.split()
        else:
            beside = Path(sys.executable).with_name("cwltool")
            found = shutil.which("cwltool")
            command = [str(beside)] if beside.exists() else ([found] if found else None)
        snake = (getattr(config, "snakemake_python", "") or "").strip() or None
        if snake is None and _importable("snakemake"):
            snake = sys.executable
        return cls(command, snake, timeout)


def _importable(module: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


CWL_MISSING = (
    "CWL workflows are packed with cwltool before they are sent (as reana-client does), and "
    "cwltool is not installed on the Jupyter server: pip install 'jupyterlab-escape[cwl]' or set "
    "EscapeReana.cwltool to its command."
)
SNAKEMAKE_MISSING = (
    "Snakemake workflows are loaded with snakemake 7 before they are sent (as reana-client "
    "does), and this Jupyter server has none: set EscapeReana.snakemake_python to a Python "
    "interpreter with snakemake 7 installed (python -m venv sm && sm/bin/pip install "
    "'snakemake<8' 'pulp<2.8')."
)


def missing_tool(kind: str | None, tools: EngineTools) -> str | None:
    if kind == "cwl" and not tools.cwltool:
        return CWL_MISSING
    if kind == "snakemake" and not tools.snakemake_python:
        return SNAKEMAKE_MISSING
    return None


def _env() -> dict[str, str]:
    """A minimal environment: no tokens or server settings reach the engine's code."""
    keep = ("PATH", "LANG", "LC_ALL", "HOME", "TMPDIR")
    return {k: os.environ[k] for k in keep if k in os.environ}


def _run(command: list[str], folder: Path, timeout: float) -> tuple[str | None, str]:
    try:
        result = subprocess.run(
            command,
            cwd=folder,
            env=_env(),
            capture_output=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return None, f"took longer than {timeout:.0f} s and was stopped"
    except OSError as error:
        return None, f"could not run {command[0]}: {error.strerror or error}"
    if len(result.stdout) > MAX_OUTPUT:
        return None, "printed more than 16 MiB"
    if result.returncode != 0:
        text = result.stderr.decode(errors="replace").strip() or result.stdout.decode(
            errors="replace"
        )
        return None, _tail(text)
    return result.stdout.decode(errors="replace"), ""


def _tail(text: str, lines: int = 12) -> str:
    kept = [line for line in text.strip().splitlines() if line.strip()][-lines:]
    return "\n".join(kept)[-2000:] or "failed without a message"


def pack_cwl(tools: EngineTools, folder: Path, file: str) -> tuple[dict | None, str | None]:
    """``cwltool --pack --quiet <file>`` in the spec's folder (reana-commons' cwl_load)."""
    if not tools.cwltool:
        return None, CWL_MISSING
    out, error = _run([*tools.cwltool, "--pack", "--quiet", file], folder, tools.timeout)
    if out is None:
        return None, f"cwltool --pack {file}: {error}"
    try:
        return json.loads(out), None
    except ValueError:
        return None, f"cwltool --pack {file} did not print JSON"


def snakemake_spec(
    tools: EngineTools, folder: Path, file: str, configfile: str | None
) -> tuple[dict | None, str | None]:
    """The dry run and DAG of reana-commons' snakemake_load, in ``snakemake_python``."""
    if not tools.snakemake_python:
        return None, SNAKEMAKE_MISSING
    command = [tools.snakemake_python, str(SNAKEMAKE_HELPER), file, configfile or ""]
    out, error = _run(command, folder, tools.timeout)
    if out is None:
        return None, f"snakemake could not load {file}: {error}"
    try:
        return json.loads(out.strip().splitlines()[-1]), None
    except (ValueError, IndexError):
        return None, f"snakemake could not load {file}: no DAG was printed"


# -- yadage: the stages, for the compute-backend check ----------------------------------------


def yadage_stages(folder: Path, file: str, toplevel: str = "") -> tuple[list | None, str | None]:
    """The stages of a yadage workflow, local ``$ref``s resolved (``file.yml#/pointer``, relative
    to ``toplevel`` as yadage-schemas resolves them) within the spec's folder; remote references
    are not fetched (their stages are not checked)."""
    base = (folder / toplevel).resolve() if toplevel else folder.resolve()
    root = folder.resolve()
    cache: dict[Path, Any] = {}

    def load(path: Path) -> Any:
        if path not in cache:
            if len(cache) >= MAX_REF_FILES:
                raise ValueError(f"more than {MAX_REF_FILES} referenced files")
            if not (path == root or root in path.parents) or not path.is_file():
                raise ValueError(f"{path.name} is not a file in the workflow's folder")
            if path.stat().st_size > specs.MAX_SPEC_BYTES:
                raise ValueError(f"{path.name} is larger than 1 MiB")
            cache[path] = specs.parse(path.read_text(errors="replace")).data
        return cache[path]

    def resolve(value: Any, here: Path, depth: int = 0) -> Any:
        if depth > 40:
            raise ValueError("references nested too deeply")
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str) and "://" not in ref and not ref.startswith("github:"):
                name, _, pointer = ref.partition("#")
                target = (base / name).resolve() if name else here
                node = load(target)
                for part in [p for p in pointer.split("/") if p]:
                    part = part.replace("~1", "/").replace("~0", "~")
                    node = node[int(part)] if isinstance(node, list) else node[part]
                return resolve(node, target, depth + 1)
            return {k: resolve(v, here, depth + 1) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve(v, here, depth + 1) for v in value]
        return value

    try:
        path = (base / file).resolve()
        data = resolve(load(path), path)
    except specs.SpecSyntaxError as error:
        return None, f"{file}: {error.issue.message}"
    except (ValueError, KeyError, IndexError, TypeError, OSError) as error:
        return None, f"{file}: {error}"
    stages = data.get("stages") if isinstance(data, dict) else None
    return (stages if isinstance(stages, list) else []), None


# -- compute backends of every engine (reana_commons/validation/compute_backends.py) ----------


def backends_used(kind: str | None, specification: Any) -> list[tuple[str, str]]:
    """(step name, compute backend) of every step that names one."""
    found: list[tuple[str, str]] = []
    if not isinstance(specification, (dict, list)):
        return found
    if kind in ("serial", "snakemake") and isinstance(specification, dict):
        steps = specification.get("steps")
        for index, step in enumerate(steps if isinstance(steps, list) else []):
            if isinstance(step, dict) and isinstance(step.get("compute_backend"), str):
                found.append((str(step.get("name", index)), step["compute_backend"]))
    elif kind == "yadage":
        _yadage_backends(specification, found)
    elif kind == "cwl":
        graph = (
            specification.get("$graph", specification)
            if isinstance(specification, dict)
            else specification
        )
        for workflow in graph if isinstance(graph, list) else [graph]:
            steps = workflow.get("steps") if isinstance(workflow, dict) else None
            for step in steps if isinstance(steps, list) else []:
                hints = step.get("hints") if isinstance(step, dict) else None
                for hint in hints if isinstance(hints, list) else []:
                    # cwltool --pack writes the class as a file URI ending in "/reana", which
                    # reana-client's own check misses; we read both.
                    cls = hint.get("class") if isinstance(hint, dict) else None
                    if isinstance(cls, str) and (
                        cls == "reana" or cls.endswith(("/reana", "#reana"))
                    ):
                        backend = hint.get("compute_backend")
                        if isinstance(backend, str):
                            found.append((str(step.get("id")), backend))
                        break
    return found


def _yadage_backends(stages: Any, found: list[tuple[str, str]]) -> None:
    for stage in stages if isinstance(stages, list) else []:
        scheduler = stage.get("scheduler") if isinstance(stage, dict) else None
        if not isinstance(scheduler, dict):
            continue
        if isinstance(scheduler.get("workflow"), dict):
            _yadage_backends(scheduler["workflow"].get("stages"), found)
            continue
        step = scheduler.get("step") if isinstance(scheduler.get("step"), dict) else {}
        environment = step.get("environment") if isinstance(step.get("environment"), dict) else {}
        resources = environment.get("resources")
        for resource in resources if isinstance(resources, list) else []:
            if isinstance(resource, dict) and "compute_backend" in resource:
                found.append((str(stage.get("name")), str(resource["compute_backend"])))
                break
