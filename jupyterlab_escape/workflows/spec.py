"""reana.yaml: parsed with line and column for every node, checked against REANA's analysis schema.

reana-commons is not installed here (its pins clash with Jupyter's), so the structure of REANA
0.9's ``reana_analysis_schema.json`` (draft-07) is checked by :func:`schema_issues`, written for
this project. A differential test holds it to the official schema read from the reana-commons
archive: both must accept and reject the same specs. Like REANA, unknown keys
(``additionalProperties``) are warnings; everything else is an error.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

MAX_SPEC_BYTES = 1024 * 1024
SPEC_NAMES = ("reana.yaml", "reana.yml")
ENGINES = ("cwl", "serial", "yadage", "snakemake")
COMPUTE_BACKENDS = ("kubernetes", "htcondorcern", "slurmcern", "compute4punch")
CVMFS_PATTERN = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9.\-_]*$")

Path_ = tuple[Any, ...]


@dataclass
class Issue:
    """One problem of a spec, located by its path in the document and, when known, line/column."""

    path: Path_
    message: str
    severity: str = "error"  # or "warning"
    line: int | None = None
    column: int | None = None
    code: str | None = None  # "missing_input": a warning the user may submit anyway

    @property
    def where(self) -> str:
        return dotted(self.path)

    def to_json(self) -> dict:
        out = {
            "path": self.where,
            "message": self.message,
            "severity": self.severity,
            "line": self.line,
            "column": self.column,
        }
        if self.code:
            out["code"] = self.code
        return out


def dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


# Anchors and aliases are legal YAML, and a few are handy in a reana.yaml (one environment shared by
# several steps), but each alias repeats a whole subtree: nine lines of nested aliases expand to
# millions of nodes and tens of megabytes of JSON. Aliases may add this many nodes in all.
MAX_ALIAS_NODES = 10_000
MAX_DEPTH = 100  # nesting levels; a reana.yaml is a handful deep


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates as the strings the user wrote (JSON has no dates), and that
    refuses alias expansion beyond ``MAX_ALIAS_NODES``, recursive aliases and deep nesting while
    composing, before any Python object is built."""

    def __init__(self, stream):
        super().__init__(stream)
        self._alias_nodes = 0
        self._depth = 0
        self._open_anchors: set[str] = set()
        self._sizes: dict[int, int] = {}

    def _size(self, node: yaml.Node) -> int:
        """Nodes in ``node`` with every alias expanded (memoized: aliases share nodes)."""
        known = self._sizes.get(id(node))
        if known is not None:
            return known
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(self._size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(self._size(k) + self._size(v) for k, v in node.value)
        self._sizes[id(node)] = total
        return total

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            if event.anchor in self._open_anchors:
                raise _refusal(
                    f"alias *{event.anchor} refers to the node that contains it (a recursive "
                    "structure, which REANA cannot use)",
                    event.start_mark,
                )
            node = super().compose_node(parent, index)
            self._alias_nodes += self._size(node)
            if self._alias_nodes > MAX_ALIAS_NODES:
                raise _refusal(
                    f"YAML aliases expand to more than {MAX_ALIAS_NODES} nodes (here at alias "
                    f"*{event.anchor}); write the values out instead of using anchors and aliases",
                    event.start_mark,
                )
            return node
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _refusal(
                f"the document is nested more than {MAX_DEPTH} levels deep", event.start_mark
            )
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self._open_anchors.add(anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1
            if anchor is not None:
                self._open_anchors.discard(anchor)


_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class SpecDocument:
    data: Any
    node: yaml.Node | None = None

    def locate(self, path: Path_) -> tuple[int | None, int | None]:
        """1-based line and column of the deepest node on ``path``."""
        node = self.node
        if node is None:
            return None, None
        for part in path:
            child = None
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    if isinstance(key, yaml.ScalarNode) and key.value == part:
                        child = value
                        break
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if 0 <= part < len(node.value):
                    child = node.value[part]
            if child is None:
                break
            node = child
        return node.start_mark.line + 1, node.start_mark.column + 1

    def key_position(self, path: Path_) -> tuple[int | None, int | None]:
        """Position of the key of the last element of ``path`` (for unknown keys)."""
        parent_line, parent_col = self.locate(path[:-1])
        node = self.node
        for part in path[:-1]:
            nxt = None
            if isinstance(node, yaml.MappingNode):
                nxt = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                nxt = node.value[part] if 0 <= part < len(node.value) else None
            if nxt is None:
                return parent_line, parent_col
            node = nxt
        if isinstance(node, yaml.MappingNode):
            for key, _ in node.value:
                if getattr(key, "value", None) == path[-1]:
                    return key.start_mark.line + 1, key.start_mark.column + 1
        return parent_line, parent_col


class SpecSyntaxError(Exception):
    def __init__(self, issue: Issue):
        super().__init__(issue.message)
        self.issue = issue


def _refusal(message: str, mark) -> SpecSyntaxError:
    return SpecSyntaxError(
        Issue(
            (),
            message,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        )
    )


def parse(text: str) -> SpecDocument:
    """Load YAML (safe subset); a syntax error carries its line and column."""
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as error:  # a character YAML does not allow (found by fuzzing)
        at = max(0, min(int(error.position), len(text)))
        line = text.count("\n", 0, at) + 1
        column = at - (text.rfind("\n", 0, at) + 1) + 1
        code = error.character if isinstance(error.character, int) else ord(error.character[:1])
        raise SpecSyntaxError(
            Issue((), f"YAML error: {error.reason} (#x{code:04x})", line=line, column=column)
        ) from None
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = " ".join(p for p in (error.context, error.problem) if p) or "invalid YAML"
        raise SpecSyntaxError(
            Issue(
                (),
                f"YAML syntax error: {problem}",
                line=mark.line + 1 if mark else None,
                column=mark.column + 1 if mark else None,
            )
        ) from None
    except yaml.YAMLError as error:
        raise SpecSyntaxError(Issue((), f"YAML error: {error}")) from None
    finally:
        loader.dispose()
    return SpecDocument(data, node)


# -- the schema, checked by hand ----------------------------------------------------------------
# Each check appends (path, message, kind) with kind "additional" for unknown keys (a warning).
Found = list[tuple[Path_, str, str]]


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and math.isfinite(value) and value.is_integer()


def _want(kind: str, value: Any, path: Path_, out: Found) -> bool:
    ok = {
        "object": isinstance(value, dict),
        "array": isinstance(value, list),
        "string": isinstance(value, str),
        "boolean": isinstance(value, bool),
        "integer": _is_integer(value),
    }[kind]
    if not ok:
        article = "an" if kind[0] in "aeiou" else "a"
        out.append((path, f"must be {article} {kind}, not {_type_name(value)}", "type"))
    return ok


def _strings(value: Any, path: Path_, out: Found) -> None:
    if _want("array", value, path, out):
        for index, item in enumerate(value):
            _want("string", item, path + (index,), out)


def _object(
    value: Any,
    path: Path_,
    out: Found,
    props: dict[str, Any],
    required: tuple[str, ...] = (),
    additional: bool = False,
) -> bool:
    if not _want("object", value, path, out):
        return False
    for key in required:
        if key not in value:
            out.append((path, f"{key!r} is required", "required"))
    for key, item in value.items():
        check = props.get(key)
        if check is not None:
            check(item, path + (key,), out)
        elif not additional:
            out.append((path + (key,), f"unknown key {key!r} (REANA ignores it)", "additional"))
    return True


def _string(value, path, out):
    _want("string", value, path, out)


def _boolean(value, path, out):
    _want("boolean", value, path, out)


def _integer(value, path, out):
    _want("integer", value, path, out)


def _any_object(value, path, out):
    _want("object", value, path, out)


def _engine(value, path, out):
    if value not in ENGINES:
        out.append((path, f"must be one of {', '.join(ENGINES)}, not {value!r}", "enum"))
    else:
        _want("string", value, path, out)


def _cvmfs(value, path, out):
    if not _want("array", value, path, out):
        return
    seen: list[Any] = []
    for index, item in enumerate(value):
        where = path + (index,)
        if _want("string", item, where, out):
            if not 1 <= len(item) <= 60:
                out.append((where, "must be 1 to 60 characters long", "length"))
            if not CVMFS_PATTERN.search(item):
                out.append((where, "is not a valid CVMFS repository name", "pattern"))
        if any(item == other and type(item) is type(other) for other in seen):
            out.append((where, f"{item!r} is listed twice", "unique"))
        seen.append(item)


def _resources(value, path, out):
    _object(value, path, out, {"cvmfs": _cvmfs, "kerberos": _boolean})


def _retention(value, path, out):
    if not _want("object", value, path, out):
        return
    if not value:
        out.append((path, "needs at least one rule", "minProperties"))
    for key, days in value.items():
        where = path + (key,)
        if _want("integer", days, where, out) and days < 0:
            out.append((where, "must be 0 or more days", "minimum"))


def _compute_backend(value, path, out):
    if value not in COMPUTE_BACKENDS:
        out.append((path, f"must be one of {', '.join(COMPUTE_BACKENDS)}, not {value!r}", "enum"))


def _commands(value, path, out):
    _strings(value, path, out)
    if isinstance(value, list) and not value:
        out.append((path, "needs at least one command", "minItems"))


STEP_PROPS = {
    "commands": _commands,
    "compute_backend": _compute_backend,
    "environment": _string,
    "htcondor_accounting_group": _string,
    "htcondor_max_runtime": _string,
    "kerberos": _boolean,
    "kubernetes_job_timeout": _integer,
    "kubernetes_cpu_request": _string,
    "kubernetes_cpu_limit": _string,
    "kubernetes_memory_request": _string,
    "kubernetes_memory_limit": _string,
    "name": _string,
    "rucio": _boolean,
    "unpacked_img": _boolean,
    "voms_proxy": _boolean,
    "c4p_cpu_cores": _string,
    "c4p_memory_limit": _string,
    "c4p_additional_requirements": _string,
}


def _step(value, path, out):
    _object(value, path, out, STEP_PROPS, required=("commands", "environment"))


def _steps(value, path, out):
    if _want("array", value, path, out):
        for index, item in enumerate(value):
            _step(item, path + (index,), out)


def serial_specification_issues(value: Any, path: Path_ = ()) -> Found:
    """The serial engine's own part of the schema (also used for ``workflow.file`` contents)."""
    out: Found = []
    _object(value, path, out, {"steps": _steps})
    return out


def _workflow(value, path, out):
    if not _object(
        value,
        path,
        out,
        {
            "specification": _any_object,
            "file": _string,
            "type": _engine,
            "resources": _resources,
        },
    ):
        return
    if "type" not in value or not ("file" in value or "specification" in value):
        out.append((path, "needs 'type' and either 'file' or 'specification'", "anyOf"))
    # The schema's if/then: a workflow whose type is serial (or missing) has serial steps.
    if value.get("type", "serial") == "serial" and isinstance(value.get("specification"), dict):
        out.extend(serial_specification_issues(value["specification"], path + ("specification",)))


def _inputs(value, path, out):
    _object(
        value,
        path,
        out,
        {
            "files": _strings,
            "directories": _strings,
            "parameters": _any_object,
            "options": _any_object,
        },
    )


def _outputs(value, path, out):
    _object(value, path, out, {"files": _strings, "directories": _strings})


def _tests(value, path, out):
    _object(value, path, out, {"files": _strings})


def _workspace(value, path, out):
    _object(value, path, out, {"root_path": _string, "retention_days": _retention})


TOP = {
    "version": _string,
    "inputs": _inputs,
    "workflow": _workflow,
    "outputs": _outputs,
    "tests": _tests,
    "workspace": _workspace,
}


def schema_issues(data: Any) -> Found:
    """Everything REANA's analysis schema finds wrong in ``data`` (loaded YAML)."""
    out: Found = []
    _object(data, (), out, TOP, required=("workflow",))
    return out


_TIMESTAMP = next(
    rx
    for rx_list in yaml.SafeLoader.yaml_implicit_resolvers.values()
    for tag, rx in rx_list
    if tag == "tag:yaml.org,2002:timestamp"
)


def version_issues(doc: SpecDocument) -> list[Issue]:
    """``version: 2024-01-01`` is a date to YAML (and to reana-client, whose schema wants a
    string); our loader keeps dates as text, so an unquoted date is refused here."""
    node = doc.node
    if not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if getattr(key, "value", None) != "version" or not isinstance(value, yaml.ScalarNode):
            continue
        if (
            value.style is None
            and value.tag == "tag:yaml.org,2002:str"
            and _TIMESTAMP.match(value.value)
        ):
            return [
                Issue(
                    ("version",),
                    f'must be a string, not a date: quote it (version: "{value.value}")',
                    line=value.start_mark.line + 1,
                    column=value.start_mark.column + 1,
                )
            ]
    return []


def issues_for(doc: SpecDocument, found: Found, prefix: Path_ = ()) -> list[Issue]:
    issues = []
    for path, message, kind in found:
        full = prefix + path
        if kind == "additional":
            line, column = doc.key_position(full)
        else:
            line, column = doc.locate(full)
        severity = "warning" if kind == "additional" else "error"
        issues.append(Issue(full, message, severity, line, column))
    return issues


# -- summary --------------------------------------------------------------------------------------


@dataclass
class Summary:
    type: str | None = None
    steps: list[dict] = field(default_factory=list)
    input_files: list[str] = field(default_factory=list)
    input_directories: list[str] = field(default_factory=list)
    parameters: dict = field(default_factory=dict)
    options: dict = field(default_factory=dict)
    output_files: list[str] = field(default_factory=list)
    output_directories: list[str] = field(default_factory=list)
    workflow_file: str | None = None

    def to_json(self) -> dict:
        return {
            "type": self.type,
            "steps": self.steps,
            "inputs": {
                "files": self.input_files,
                "directories": self.input_directories,
                "parameters": self.parameters,
                "options": self.options,
            },
            "outputs": {"files": self.output_files, "directories": self.output_directories},
            "workflow_file": self.workflow_file,
        }


def _str_list(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def summarize(data: Any, serial_spec: Any = None) -> Summary:
    if not isinstance(data, dict):
        return Summary()
    workflow = data.get("workflow") if isinstance(data.get("workflow"), dict) else {}
    inputs = data.get("inputs") if isinstance(data.get("inputs"), dict) else {}
    outputs = data.get("outputs") if isinstance(data.get("outputs"), dict) else {}
    specification = serial_spec if serial_spec is not None else workflow.get("specification")
    steps = []
    if workflow.get("type") == "serial" and isinstance(specification, dict):
        listed = specification.get("steps")
        for index, step in enumerate(listed if isinstance(listed, list) else []):
            if isinstance(step, dict):
                steps.append(
                    {
                        "name": str(step.get("name") or f"step {index + 1}"),
                        "environment": str(step.get("environment") or ""),
                        "commands": _str_list(step.get("commands")),
                    }
                )
    params = inputs.get("parameters") if isinstance(inputs.get("parameters"), dict) else {}
    options = inputs.get("options") if isinstance(inputs.get("options"), dict) else {}
    return Summary(
        type=workflow.get("type") if isinstance(workflow.get("type"), str) else None,
        steps=steps,
        input_files=_str_list(inputs.get("files")),
        input_directories=_str_list(inputs.get("directories")),
        parameters={str(k): v for k, v in params.items()},
        options={str(k): v for k, v in options.items()},
        output_files=_str_list(outputs.get("files")),
        output_directories=_str_list(outputs.get("directories")),
        workflow_file=workflow.get("file") if isinstance(workflow.get("file"), str) else None,
    )


# Operational options REANA 0.9 accepts per engine (reana_commons/validation/operational_options).
OPTIONS = {
    "serial": {"CACHE", "FROM", "TARGET"},
    "cwl": {"TARGET"},
    "yadage": {"toplevel", "initdir", "initfiles", "accept_metadir"},
    "snakemake": {"report"},
}
