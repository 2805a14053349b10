"""The official REANA Swagger 2.0 contract, read from the downloaded reana-commons distribution.

reana-commons is never installed here: ``setup`` runs ``pip download --no-deps`` into the
stand-in's state dir and this module reads
``reana_commons/openapi_specifications/reana_server.json`` straight out of the archive.
PyPI ships the 0.9 line as an sdist only (no wheel), so both .whl (zip) and .tar.gz are read.

``Contract`` checks requests (path, query/path/body parameters, consumes) and responses
(status code listed, content type in ``produces``, JSON body against the inline schema) for
the Swagger 2.0 subset the spec uses. Schemas go through ``jsonschema`` draft 4 (Swagger 2.0
schemas are a dialect of it): ``x-nullable`` allows null, ``$ref`` resolves against the spec.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import jsonschema

ROOT = Path(__file__).resolve().parents[2]
RUN = ROOT / "testbed" / ".run" / "reana"
CLIENT_VENV = RUN / "client-venv"  # reana-client's own venv, also the engines' (engine_check.py)
DIST = RUN / "dist"
COMMONS_REQUIREMENT = "reana-commons==0.9.*"
SPEC_MEMBER = "reana_commons/openapi_specifications/reana_server.json"
ANALYSIS_SCHEMA_MEMBER = "reana_commons/validation/schemas/reana_analysis_schema.json"


class ContractError(Exception):
    """A request or response that the official spec does not allow."""


def download_commons(dist: Path = DIST) -> Path:
    """Fetch the reana-commons distribution (no dependencies, not installed); idempotent."""
    found = _distribution(dist)
    if found:
        return found
    dist.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(dist)]
        + [COMMONS_REQUIREMENT],
        check=True,
    )
    found = _distribution(dist)
    if not found:
        raise FileNotFoundError(f"pip download left no reana-commons archive in {dist}")
    return found


def _distribution(dist: Path) -> Path | None:
    candidates = sorted(dist.glob("reana_commons-0.9.*.whl")) + sorted(
        dist.glob("reana_commons-0.9.*.tar.gz")
    )
    return candidates[-1] if candidates else None


def read_member(archive: Path, member: str) -> bytes:
    """Read ``member`` (a path inside the package) from a wheel or an sdist."""
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as wheel:
            return wheel.read(member)
    with tarfile.open(archive) as sdist:
        for info in sdist.getmembers():
            if info.name.endswith("/" + member) and info.name.count("/") == member.count("/") + 1:
                return sdist.extractfile(info).read()
    raise KeyError(f"{member} not in {archive.name}")


def load_spec(dist: Path = DIST) -> tuple[dict, str]:
    archive = _distribution(dist)
    if archive is None:
        raise FileNotFoundError(
            f"no reana-commons archive in {dist}; run `testbed/reana/standin setup` first"
        )
    return json.loads(read_member(archive, SPEC_MEMBER)), archive.name


def _to_json_schema(schema):
    """Swagger 2.0 schema object -> draft 4 JSON Schema (x-nullable means null is allowed)."""
    if isinstance(schema, list):
        return [_to_json_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    converted = {
        key: _to_json_schema(value)
        for key, value in schema.items()
        if not key.startswith("x-") and key not in ("example", "examples", "discriminator")
    }
    if schema.get("x-nullable") and "type" in converted:
        converted["type"] = [converted["type"], "null"]
    return converted


@dataclass
class Operation:
    method: str
    path: str
    regex: re.Pattern
    spec: dict

    @property
    def parameters(self) -> list[dict]:
        return self.spec.get("parameters", [])


def _path_regex(path: str) -> re.Pattern:
    # REANA routes the trailing {file_name} as a Flask <path:...>: it may hold slashes.
    pattern = ""
    for piece in re.split(r"(\{[^}]+\})", path):
        if piece.startswith("{"):
            name = piece[1:-1]
            last = path.endswith(piece)
            body = ".+" if (name == "file_name" and last) else "[^/]+"
            pattern += f"(?P<{name}>{body})"
        else:
            pattern += re.escape(piece)
    return re.compile(pattern + "$")


class Contract:
    def __init__(self, spec: dict, source: str = "reana_server.json"):
        if spec.get("swagger") != "2.0":
            raise ContractError(f"expected a Swagger 2.0 spec, got {spec.get('swagger')!r}")
        self.spec = spec
        self.source = source
        self.version = spec.get("info", {}).get("version", "?")
        self.definitions = _to_json_schema(spec.get("definitions", {}))
        self.operations: list[Operation] = []
        self.undeclared: list[str] = []
        for path, item in spec["paths"].items():
            shared = item.get("parameters", [])
            for method, op in item.items():
                if method == "parameters":
                    continue
                op = dict(op, parameters=shared + op.get("parameters", []))
                self.operations.append(Operation(method.upper(), path, _path_regex(path), op))
        # Literal segments first, so /workflows/move_files/{x} never reads as /workflows/{id}/...
        self.operations.sort(key=lambda o: (o.path.count("{"), -len(o.path)))

    @classmethod
    def from_dist(cls, dist: Path = DIST) -> Contract:
        spec, source = load_spec(dist)
        return cls(spec, source)

    def match(self, method: str, path: str) -> tuple[Operation | None, dict, bool]:
        """(operation, path parameters, path_known)."""
        known = False
        for op in self.operations:
            found = op.regex.match(path)
            if found:
                known = True
                if op.method == method:
                    return op, found.groupdict(), True
        return None, {}, known

    def _schema_errors(self, instance, schema: dict, where: str) -> None:
        full = dict(_to_json_schema(schema), definitions=self.definitions)
        errors = sorted(
            jsonschema.Draft4Validator(full).iter_errors(instance), key=lambda e: list(e.path)
        )
        if errors:
            first = errors[0]
            at = "/".join(str(p) for p in first.absolute_path) or "(root)"
            raise ContractError(f"{where} at {at}: {first.message}")

    def validate_request(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        content_type: str,
        body: bytes,
    ) -> tuple[Operation, dict]:
        """Raise ContractError unless the spec allows the request; return (operation, path args)."""
        op, path_args, known = self.match(method, path)
        if op is None:
            what = "method" if known else "path"
            raise ContractError(f"{method} {path}: {what} not in {self.source}")
        where = f"request {method} {op.path}"
        # Swagger 2.0 does not forbid undeclared query parameters and REANA (webargs) ignores
        # them; reana-client itself sends ``file_name`` to the download route. Only noted.
        declared = {p["name"] for p in op.parameters if p["in"] == "query"}
        self.undeclared = sorted(set(query) - declared)
        for param in op.parameters:
            name, place = param["name"], param["in"]
            if place == "query":
                values = query.get(name)
                if not values:
                    if param.get("required"):
                        raise ContractError(f"{where}: required query parameter {name!r} missing")
                    continue
                self._check_simple(param, values, f"{where}: query parameter {name!r}")
            elif place == "path":
                self._check_simple(param, [path_args[name]], f"{where}: path parameter {name!r}")
            elif place == "body":
                self._check_body(op, param, content_type, body, where)
            elif place in ("formData", "header"):
                pass  # not used by the endpoints the stand-in serves
        return op, path_args

    def _check_simple(self, param: dict, values: list[str], where: str) -> None:
        kind = param.get("type", "string")
        if kind == "array":
            fmt = param.get("collectionFormat", "csv")
            if len(values) > 1 and fmt != "multi":
                # REANA's webargs reads repeated keys as well; bravado sends csv.
                pass
            items = [v for value in values for v in value.split(",")]
            for item in items:
                self._check_simple(dict(param.get("items", {})), [item], where)
            return
        if len(values) > 1:
            raise ContractError(f"{where}: given {len(values)} times")
        value = values[0]
        if kind == "integer":
            try:
                number = int(value)
            except ValueError:
                raise ContractError(f"{where}: {value!r} is not an integer") from None
            if "minimum" in param and number < param["minimum"]:
                raise ContractError(f"{where}: {number} < minimum {param['minimum']}")
        elif kind == "boolean":
            if value.lower() not in ("true", "false"):
                raise ContractError(f"{where}: {value!r} is not a boolean")
        if "enum" in param and value not in param["enum"]:
            raise ContractError(f"{where}: {value!r} not one of {param['enum']}")

    def _check_body(self, op: Operation, param: dict, content_type: str, body: bytes, where):
        consumes = op.spec.get("consumes") or self.spec.get("consumes") or ["application/json"]
        media = content_type.split(";")[0].strip().lower()
        if not body:
            if param.get("required") and "application/octet-stream" not in consumes:
                raise ContractError(f"{where}: body {param['name']!r} required")
            if param.get("required") and media not in consumes:
                raise ContractError(f"{where}: Content-Type {media!r} not in consumes {consumes}")
            return
        if media not in consumes and not (op.method == "GET" and media == "application/json"):
            raise ContractError(f"{where}: Content-Type {media!r} not in consumes {consumes}")
        schema = param.get("schema", {})
        if media == "application/octet-stream":
            return  # raw bytes: schema {type: string}
        try:
            instance = json.loads(body)
        except ValueError as error:
            raise ContractError(f"{where}: body {param['name']!r} is not JSON: {error}") from None
        self._schema_errors(instance, schema, f"{where}: body {param['name']!r}")

    def validate_response(self, op: Operation, status: int, content_type: str, body: bytes) -> None:
        where = f"response {status} to {op.method} {op.path}"
        responses = op.spec.get("responses", {})
        declared = responses.get(str(status)) or responses.get("default")
        if declared is None:
            raise ContractError(f"{where}: status not among {sorted(responses)}")
        produces = op.spec.get("produces") or self.spec.get("produces") or ["application/json"]
        media = content_type.split(";")[0].strip().lower()
        if body and not any(_media_matches(media, allowed) for allowed in produces):
            raise ContractError(f"{where}: Content-Type {media!r} not in produces {produces}")
        schema = declared.get("schema")
        if schema and media == "application/json":
            try:
                instance = json.loads(body)
            except ValueError as error:
                raise ContractError(f"{where}: body is not JSON: {error}") from None
            self._schema_errors(instance, schema, where)


def _media_matches(media: str, allowed: str) -> bool:
    if allowed.endswith("/*"):
        return media.startswith(allowed[:-1])
    return media == allowed
