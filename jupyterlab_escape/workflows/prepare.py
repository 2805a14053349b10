"""Preparing a submission: everything that needs no change upstream.

A request names a reana.yaml in the workspace (``path``), or carries a notebook cell (``cell``,
the ``%%reana`` line and the YAML, read by ``cell.py``) or a specification's text (``spec_text``).
Preparing parses and schema-checks it, checks the engine options, the parameters and the server's
capabilities, and walks the inputs on disk, so the dialog can show problems before anything is
created. ``Preparer.for_submission`` also decides what blocks a submission; ``submit.py`` runs what
is left as a job.
"""

from __future__ import annotations

import asyncio
import copy
import re
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from ..http import EscapeError
from ..workspace import Workspace
from . import spec as specs
from .cell import ReanaCell, parse_cell
from .checks import (
    capability_issues,
    option_issues,
    output_issues,
    parameter_issues,
    typed_parameters,
)
from .engines import EngineTools, missing_tool, pack_cwl, snakemake_spec, yadage_stages
from .inputs import InputPlan, check_source, collect
from .lake import LakeInputs, LakePlan, add_parameters, parse_lake
from .workflows import Workflows

NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,100}$")
UUID4_RE = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", re.I
)


def bad_request(message: str) -> EscapeError:
    return EscapeError(400, "reana_bad_request", message, service="reana")


@dataclass
class Prepared:
    path: str
    doc: specs.SpecDocument | None
    summary: specs.Summary
    plan: InputPlan
    issues: list[specs.Issue]
    body: dict | None  # what POST /workflows gets
    default_name: str
    lake: LakePlan | None = None  # Data Lake inputs: mode of each and why

    @property
    def valid(self) -> bool:
        return not any(i.severity == "error" for i in self.issues)

    def add_lake(self, plan: LakePlan, lake: dict[str, str]) -> None:
        """The Data Lake inputs' plan; their problems as issues; each DID a parameter."""
        self.lake = plan
        for message in plan.errors():
            self.issues.append(specs.Issue(("lake",), message, code="lake_input"))
        add_parameters(self.body, lake)
        for param, did in lake.items():
            self.summary.parameters[param] = did

    def warnings(self) -> list[str]:
        return [
            f"{i.where} {i.message}" + (f" (line {i.line})" if i.line else "")
            for i in self.issues
            if i.severity == "warning"
        ]

    def to_json(self) -> dict:
        return {
            "path": self.path,
            "valid": self.valid,
            "issues": [i.to_json() for i in self.issues],
            "summary": self.summary.to_json(),
            "inputs": self.plan.to_json(),
            "default_name": self.default_name,
        } | ({"lake": self.lake.to_json()} if self.lake else {})


def default_name(path: str) -> str:
    folder = Path(path).parent.name or "workflow"
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", folder).strip("-")
    return (name or "workflow")[:60]


def check_name(name: str) -> str:
    if not NAME_RE.match(name or "") or UUID4_RE.match(name):
        raise bad_request(
            f"{name!r} cannot be a REANA workflow name: use letters, digits, '-' and '_' "
            "(no dots), at most 100 characters."
        )
    return name


def _load_yaml_file(
    folder: Path,
    rel: str,
    protected: tuple[Path, ...],
    beside: str,
    where: specs.Path_ = ("workflow", "file"),
    what: str = "workflow file",
    serial: bool = True,
) -> tuple[Any, list[specs.Issue]]:
    """A file whose contents go to REANA in the request body (``workflow.file`` of a serial
    workflow, ``inputs.parameters.input`` of cwl and snakemake): read like an input."""
    target, why = check_source(rel, folder, protected, beside)
    if why:
        return None, [specs.Issue(where, why)]
    if target is None or not target.is_file():
        return None, [specs.Issue(where, f"{what} {rel!r} does not exist")]
    if target.stat().st_size > specs.MAX_SPEC_BYTES:
        return None, [specs.Issue(where, f"{rel!r} is larger than 1 MiB")]
    try:
        doc = specs.parse(target.read_text(errors="replace"))
    except specs.SpecSyntaxError as error:
        issue = error.issue
        issue.message = f"{rel}: {issue.message}"
        issue.path = where
        return None, [issue]
    if not serial:
        if not isinstance(doc.data, dict):
            return None, [specs.Issue(where, f"{rel} must hold a mapping of parameters")]
        return doc.data, []
    found = specs.serial_specification_issues(doc.data)
    issues = specs.issues_for(doc, found)
    for issue in issues:
        issue.message = f"{rel} line {issue.line}: {specs.dotted(issue.path)} {issue.message}"
        issue.path = where
        issue.line = issue.column = None
    return doc.data, issues


def _workspace(workspace: Workspace | str | Path) -> Workspace:
    return workspace if isinstance(workspace, Workspace) else Workspace(Path(workspace))


def _source(workspace: Workspace, path: str) -> Path:
    """A spec file or folder we read and upload from: the workspace rule, said as a read."""
    try:
        return workspace.target(path, "reana")
    except EscapeError as error:
        error.message = error.message.replace("Refused to write to", "Refused to use", 1)
        raise


def base_of(workspace: Workspace | str | Path, cwd: str) -> str:
    """The kernel's working directory (absolute, as the kernel sees it) as a workspace path.

    The kernel does not always know the server's root (under JupyterHub without
    JUPYTERHUB_ROOT_DIR it does not); the server does, so it decides, and refuses a folder
    outside its root rather than resolving the inputs somewhere else."""
    workspace = _workspace(workspace)
    if not isinstance(cwd, str) or not cwd.startswith("/") or "\x00" in cwd:
        raise EscapeError(400, "bad_request", "cwd must be the kernel's absolute folder.")
    try:
        relative = Path(cwd).resolve().relative_to(workspace.root)
    except ValueError:
        raise EscapeError(
            400,
            "bad_path",
            f"The notebook's folder {cwd} is outside the Jupyter server's root directory; "
            "inputs are only sent from inside it.",
            service="reana",
        ) from None
    return relative.as_posix() if relative.parts else ""


def prepare(
    workspace: Workspace | str | Path,
    path: str,
    capabilities: dict | None = None,
    parameters: dict | None = None,
    options: dict | None = None,
    protected: tuple[Path, ...] = (),
    tools: EngineTools | None = None,
    load_engines: bool = False,
) -> Prepared:
    """Everything about a submission of a reana.yaml file that can be known without creating
    anything upstream."""
    workspace = _workspace(workspace)
    target = _source(workspace, path)
    if not target.is_file():
        raise EscapeError(404, "not_found", f"{path} is not a file in the workspace.")
    if target.suffix.lower() not in (".yaml", ".yml"):
        raise bad_request(f"{path} is not a YAML file; REANA reads reana.yaml or reana.yml.")
    if target.stat().st_size > specs.MAX_SPEC_BYTES:
        raise bad_request(f"{path} is larger than 1 MiB; is it really a reana.yaml?")
    text = target.read_text(errors="replace")
    return _prepare(
        workspace.root,
        target.parent,
        text,
        path,
        target.name,
        default_name(path),
        capabilities,
        parameters,
        options,
        protected,
        tools,
        load_engines,
    )


def prepare_text(
    workspace: Workspace | str | Path,
    base: str,
    text: str,
    line_offset: int = 0,
    capabilities: dict | None = None,
    parameters: dict | None = None,
    options: dict | None = None,
    protected: tuple[Path, ...] = (),
    cwd: str | None = None,
    tools: EngineTools | None = None,
    load_engines: bool = False,
) -> Prepared:
    """The same for a specification written in a notebook cell: inputs resolve against
    ``base`` (the notebook's folder) or the kernel's absolute ``cwd``, and line numbers count
    from the cell's first line."""
    workspace = _workspace(workspace)
    if cwd is not None:
        base = base_of(workspace, cwd)
    folder = _source(workspace, base) if base.strip("/") else workspace.root
    if not folder.is_dir():
        raise EscapeError(404, "not_found", f"{base} is not a folder in the workspace.")
    if len(text.encode()) > specs.MAX_SPEC_BYTES:
        raise bad_request("The specification is larger than 1 MiB.")
    label = f"{base.strip('/') or '.'}/<cell>"
    prepared = _prepare(
        workspace.root,
        folder,
        text,
        label,
        None,
        default_name(label),
        capabilities,
        parameters,
        options,
        protected,
        tools,
        load_engines,
    )
    for issue in prepared.issues:
        if issue.line is not None:
            issue.line += line_offset
    return prepared


def _located(doc: specs.SpecDocument, path: specs.Path_, message: str) -> specs.Issue:
    line, column = doc.locate(path)
    return specs.Issue(path, message, line=line, column=column)


def _load_engine(
    doc: specs.SpecDocument,
    data: dict,
    body: dict,
    folder: Path,
    protected: tuple[Path, ...],
    beside: str,
    tools: EngineTools,
    load_engines: bool,
) -> tuple[Any, list[specs.Issue]]:
    """Fill ``body`` as reana-client's load_reana_spec does for each engine; the loaded
    specification (or yadage's stages) for the capability check, and the issues."""
    workflow = data["workflow"]
    kind, file = workflow.get("type"), workflow.get("file")
    inputs = data.get("inputs") if isinstance(data.get("inputs"), dict) else {}
    issues: list[specs.Issue] = []
    if kind in ("cwl", "snakemake"):
        params = inputs.get("parameters") if isinstance(inputs.get("parameters"), dict) else {}
        if isinstance(params.get("input"), str):
            where = ("inputs", "parameters", "input")
            loaded, more = _load_yaml_file(
                folder, params["input"], protected, beside, where, "parameters file", False
            )
            issues += [_located(doc, where, i.message) for i in more]
            if loaded is not None:
                body["inputs"]["parameters"] = loaded  # replaced wholesale, as reana-client
        why = missing_tool(kind, tools)
        if why:
            return None, issues + [_located(doc, ("workflow", "type"), why)]
        if not isinstance(file, str):
            if isinstance(workflow.get("specification"), dict):
                return workflow["specification"], issues
            return None, issues + [_located(doc, ("workflow",), f"a {kind} workflow needs 'file'")]
        target, why = check_source(file, folder, protected, beside)
        if why or target is None or not target.is_file():
            message = why or f"workflow file {file!r} does not exist"
            return None, issues + [_located(doc, ("workflow", "file"), message)]
        if not load_engines:
            return None, issues
        if any(i.severity == "error" for i in issues):
            return None, issues
        if kind == "cwl":
            loaded, error = pack_cwl(tools, folder, file)
        else:
            config = params.get("input") if isinstance(params.get("input"), str) else None
            loaded, error = snakemake_spec(tools, folder, file, config)
        if error:
            return None, issues + [_located(doc, ("workflow", "file"), error)]
        body["workflow"]["specification"] = loaded
        return loaded, issues
    if kind == "yadage":
        body["workflow"]["specification"] = None  # REANA loads it at start
        if not isinstance(file, str):
            return None, issues
        options = inputs.get("options") if isinstance(inputs.get("options"), dict) else {}
        toplevel = options.get("toplevel") if isinstance(options.get("toplevel"), str) else ""
        if "://" in toplevel or toplevel.startswith("github:"):
            return None, issues
        stages, error = yadage_stages(folder, file, toplevel)
        if error:
            issues.append(_located(doc, ("workflow", "file"), f"yadage workflow {error}"))
        return stages, issues
    if kind == "serial":
        if isinstance(file, str) and not workflow.get("specification"):
            loaded, more = _load_yaml_file(folder, file, protected, beside)
            issues += more
            if loaded is not None:
                body["workflow"]["specification"] = loaded
            return loaded, issues
        return workflow.get("specification"), issues
    return None, issues


def _prepare(
    root: Path,
    folder: Path,
    text: str,
    label: str,
    spec_name: str | None,
    name: str,
    capabilities: dict | None,
    parameters: dict | None,
    options: dict | None,
    protected: tuple[Path, ...] = (),
    tools: EngineTools | None = None,
    load_engines: bool = False,
) -> Prepared:
    empty = Prepared(label, None, specs.Summary(), InputPlan(), [], None, name)
    try:
        doc = specs.parse(text)
    except specs.SpecSyntaxError as error:
        empty.issues = [error.issue]
        return empty
    issues = specs.issues_for(doc, specs.schema_issues(doc.data))
    issues += specs.version_issues(doc)
    data = doc.data if isinstance(doc.data, dict) else {}
    workflow = data.get("workflow") if isinstance(data.get("workflow"), dict) else {}
    kind = workflow.get("type")
    body = copy.deepcopy(data)
    loaded = None
    if workflow and kind in specs.ENGINES:
        loaded, more = _load_engine(
            doc,
            data,
            body,
            folder,
            protected,
            spec_name or "the notebook",
            tools or EngineTools.from_config(None),
            load_engines,
        )
        issues += more
    summary = specs.summarize(data, loaded if kind == "serial" else None)
    if kind in ("cwl", "snakemake") and isinstance(body.get("inputs"), dict):
        loaded_params = body["inputs"].get("parameters")
        if isinstance(loaded_params, dict):
            summary.parameters = {str(k): v for k, v in loaded_params.items()}
    issues += option_issues(doc, summary, options)
    issues += parameter_issues(summary, parameters)
    if parameters:
        # Overrides arrive as text (forms, -p key=value): keep the types reana.yaml declares.
        parameters.update(typed_parameters(summary, parameters))
    issues += output_issues(doc, summary)
    issues += capability_issues(doc, data, capabilities, kind, loaded)
    plan = InputPlan()
    if isinstance(data, dict) and data:
        plan = collect(doc, summary, root, folder, spec_name, protected=protected)
        issues += plan.issues
    issues.sort(key=lambda i: (i.line or 0, i.column or 0))
    return Prepared(label, doc, summary, plan, issues, body, name)


# -- requests -----------------------------------------------------------------------------------


def mapping_arg(value: Any, what: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise EscapeError(400, "bad_request", f"{what} must be an object of names to values.")
    return value


@dataclass
class SpecRequest:
    """What a validate or submit request asks for, its fields checked."""

    path: str | None = None
    text: str | None = None  # a cell's YAML or spec_text
    base: str = ""  # the notebook's folder (workspace path)
    cwd: str | None = None  # or the kernel's absolute folder
    line_offset: int = 0
    parameters: dict | None = None
    options: dict | None = None
    name: str | None = None
    cell: ReanaCell | None = None
    allow_missing_inputs: bool = False
    lake: dict[str, str] = field(default_factory=dict)  # parameter -> DID
    # The user agreed, in this request, that their Rucio identity is set as REANA secrets.
    # Sent by the consent dialog or the kernel API's explicit argument; a cell cannot say it.
    lake_consent: bool = False

    @classmethod
    def parse(cls, body: dict) -> SpecRequest:
        allow = body.get("allow_missing_inputs", False)
        if not isinstance(allow, bool):
            raise EscapeError(400, "bad_request", "allow_missing_inputs must be true or false.")
        consent = body.get("lake_consent", False)
        if not isinstance(consent, bool):
            raise EscapeError(400, "bad_request", "lake_consent must be true or false.")
        request = cls._parse(body)
        request.allow_missing_inputs = allow
        request.lake_consent = consent
        lake = parse_lake(body.get("lake"))
        request.lake = parse_lake({**(request.cell.lake if request.cell else {}), **lake})
        return request

    @classmethod
    def _parse(cls, body: dict) -> SpecRequest:
        parameters = mapping_arg(body.get("parameters"), "parameters")
        options = mapping_arg(body.get("options"), "options")
        name = body.get("name")
        if name is not None and not isinstance(name, str):
            raise EscapeError(400, "bad_request", "name must be a string.")
        text, cell, offset = body.get("spec_text"), body.get("cell"), body.get("line_offset", 0)
        if cell is not None:
            if not isinstance(cell, str):
                raise EscapeError(400, "bad_request", "cell must be the cell's text.")
            if len(cell.encode()) > specs.MAX_SPEC_BYTES + 4096:
                raise bad_request("The cell is larger than 1 MiB.")
            cell = parse_cell(cell)
            text, offset = cell.spec, cell.line_offset
            parameters = {**cell.parameters, **parameters}
            name = name or cell.name
        if text is None:
            path = body.get("path")
            if not isinstance(path, str) or not path:
                raise EscapeError(
                    400,
                    "bad_request",
                    "Send path (a reana.yaml in the workspace), cell or spec_text.",
                )
            return cls(path=path, parameters=parameters, options=options, name=name)
        base, cwd = body.get("base", ""), body.get("cwd")
        if not isinstance(text, str) or not isinstance(base, str):
            raise EscapeError(400, "bad_request", "spec_text and base must be strings.")
        if cwd is not None and not isinstance(cwd, str):
            raise EscapeError(400, "bad_request", "cwd must be the kernel's absolute folder.")
        if not isinstance(offset, int) or not 0 <= offset < 10_000:
            raise EscapeError(400, "bad_request", "line_offset must be a small number.")
        return cls(None, text, base, cwd, offset, parameters, options, name, cell)

    def prepare(
        self,
        workspace,
        capabilities,
        protected: tuple[Path, ...],
        tools: EngineTools | None = None,
        load_engines: bool = False,
    ) -> Prepared:
        """Parse, check and walk the inputs (blocking: run it in a thread); ``load_engines``
        runs cwltool or snakemake (only for a submission: a Snakefile is code)."""
        if self.text is None:
            assert self.path is not None
            return prepare(
                workspace,
                self.path,
                capabilities,
                self.parameters,
                self.options,
                protected,
                tools,
                load_engines,
            )
        return prepare_text(
            workspace,
            self.base,
            self.text,
            self.line_offset,
            capabilities,
            self.parameters,
            self.options,
            protected,
            self.cwd,
            tools,
            load_engines,
        )


def blocker(prepared: Prepared, allow_missing_inputs: bool = False) -> EscapeError | None:
    """Why this prepared specification cannot be submitted (its first error, or inputs that do
    not exist unless the user said to submit anyway), if it cannot."""
    first = next((i for i in prepared.issues if i.severity == "error"), None)
    if first is None:
        missing = [i for i in prepared.issues if i.code == "missing_input"]
        if missing and not allow_missing_inputs:
            names = "; ".join(f"{i.where} {i.message}" for i in missing[:5])
            return EscapeError(
                400,
                "reana_missing_inputs",
                f"{prepared.path}: {names}. REANA would run without "
                f"{'it' if len(missing) == 1 else 'them'}; submit anyway "
                "(allow_missing_inputs) if the workflow does not need "
                f"{'it' if len(missing) == 1 else 'them'}.",
                service="reana",
            )
        return None
    where = f" (line {first.line})" if first.line else ""
    return EscapeError(
        400,
        "reana_invalid_spec",
        f"{prepared.path} cannot be submitted: {first.where} {first.message}{where}.",
        service="reana",
    )


def consent_needed(plan: LakePlan) -> EscapeError:
    large = [i for i in plan.inputs if i.mode == "lake"]
    names = ", ".join(f"{i.param} ({i.did})" for i in large)
    return EscapeError(
        400,
        "reana_lake_consent",
        f"{names} {'is' if len(large) == 1 else 'are'} too large to stream: the workflow must "
        f"read {'it' if len(large) == 1 else 'them'} from the lake at {plan.host} with your Rucio "
        f"identity, set as REANA secrets ({', '.join(plan.secrets)}; existing ones with these "
        "names are replaced). Agree to that (lake_consent) to submit.",
        service="reana",
    )


class Preparer:
    """Requests to prepared specifications, with the REANA capabilities asked for once."""

    def __init__(
        self,
        workflows: Workflows,
        workspace: Workspace,
        protected: tuple[Path, ...],
        lake: LakeInputs | None = None,
    ):
        self.workflows = workflows
        self.workspace = workspace
        self.protected = protected
        self.lake = lake

    async def _with_lake(self, request: SpecRequest, prepared: Prepared) -> Prepared:
        if not request.lake:
            return prepared
        if self.lake is None:
            raise EscapeError(
                400, "reana_bad_lake_input", "No Data Lake is configured here.", service="reana"
            )
        prepared.add_lake(await self.lake.plan(request.lake), request.lake)
        return prepared

    async def _prepare(
        self, request: SpecRequest, capabilities: dict | None, load_engines: bool = False
    ) -> Prepared:
        # A big input tree is walked and the engines run in a thread: never on the event loop.
        tools = EngineTools.from_config(self.workflows.client.config)
        work = partial(
            request.prepare, self.workspace, capabilities, self.protected, tools, load_engines
        )
        return await asyncio.get_running_loop().run_in_executor(None, work)

    async def _capabilities(self) -> tuple[dict | None, EscapeError | None]:
        if not self.workflows.client.config.configured:
            return None, None
        try:
            return await self.workflows.capabilities(), None
        except EscapeError as error:
            return None, error

    async def _strict_capabilities(self) -> EscapeError | None:
        try:
            await self.workflows.capabilities()
        except EscapeError as error:
            return error
        return None

    async def validate(self, body: dict) -> Prepared:
        """What the dialog shows; REANA's capabilities are checked when REANA answers."""
        request = SpecRequest.parse(body)
        capabilities, _ = await self._capabilities()
        return await self._with_lake(request, await self._prepare(request, capabilities))

    async def for_submission(self, body: dict) -> tuple[SpecRequest, Prepared, str]:
        """The request, its preparation and the workflow name; raises what blocks it: bad
        input, an invalid spec (first), then an unreachable REANA or a refused token."""
        request = SpecRequest.parse(body)
        capabilities, unreachable = await self._capabilities()
        prepared = await self._prepare(request, capabilities, load_engines=True)
        prepared = await self._with_lake(request, prepared)
        name = check_name(str(request.name or prepared.default_name))
        error = blocker(prepared, request.allow_missing_inputs)
        if error is None and prepared.lake and prepared.lake.needs_secrets:
            if not request.lake_consent:
                error = consent_needed(prepared.lake)
        if error is None and capabilities is None:
            # Not configured, unreachable or the token refused: said before any job starts.
            error = unreachable or await self._strict_capabilities()
        if error:
            raise error
        request.parameters = {
            k: v for k, v in (request.parameters or {}).items() if v not in (None, "")
        }
        return request, prepared, name
