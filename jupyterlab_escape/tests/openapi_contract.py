"""The server's contract, ``jupyterlab_escape/openapi.yaml``, as a checker of one exchange.

``Contract.check(method, path, query, body, status, content_type, response_body)`` returns what
is wrong with a request and its response, in words. A request the description does not allow is
fine when the server refused it (4xx with the error envelope): that is how the suite tests bad
input. Everything the server answers must match the description: the status (or ``default``), the
content type, the body (JSON, or each line of an NDJSON stream), and every 4xx/5xx is the envelope.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

DESCRIPTION = Path(__file__).resolve().parents[1] / "openapi.yaml"
URI = "urn:jupyterlab-escape:openapi"
VERBS = ("get", "put", "post", "delete", "patch")


def load_description(path: Path = DESCRIPTION) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def template_regex(template: str) -> re.Pattern:
    """``/escape/x/{id}/y`` -> a regex with one named group per path parameter."""
    parts = re.split(r"(\{\w+\})", template)
    pattern = "".join(f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(pattern + "$")


@dataclass
class Operation:
    template: str
    method: str
    spec: dict
    path_item: dict

    def parameters(self, resolve) -> list[dict]:
        """The path item's parameters, overridden by the operation's ($refs followed)."""
        own = {}
        for p in [*self.path_item.get("parameters", []), *self.spec.get("parameters", [])]:
            p = resolve(p)
            own[(p["name"], p["in"])] = p
        return list(own.values())


@dataclass
class Exchange:
    """What one request and its answer did wrong (``problems``), and whether the request was one
    the description allows (``request_ok``)."""

    request_problems: list[str] = field(default_factory=list)
    response_problems: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return self.response_problems


class Contract:
    def __init__(self, description: dict | None = None):
        self.doc = description if description is not None else load_description()
        resource = Resource.from_contents(self.doc, default_specification=DRAFT202012)
        self.registry = Registry().with_resource(URI, resource)
        # A legacy alias is a path item that is a $ref to the route it stands for.
        self.items = {t: self.resolve(item) for t, item in self.doc["paths"].items()}
        self.aliases = {t for t, item in self.doc["paths"].items() if "$ref" in item}
        self.paths = [(template_regex(t), t, item) for t, item in self.items.items()]
        self._resolved: dict[str, Any] = {}

    # ------------------------------------------------------------------ lookup
    def resolve(self, node: Any) -> Any:
        """Follow a ``$ref`` (components/parameters, responses, schemas) to its object."""
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            target: Any = self.doc
            for part in ref.lstrip("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        return node

    def validator(self, schema: dict) -> Draft202012Validator:
        key = json.dumps(schema, sort_keys=True)
        found = self._resolved.get(key)
        if found is None:
            wrapped = _rebase(schema)
            found = Draft202012Validator(wrapped, registry=self.registry)
            self._resolved[key] = found
        return found

    def schema_errors(self, schema: dict, value: Any, where: str) -> list[str]:
        errors = sorted(self.validator(schema).iter_errors(value), key=lambda e: list(e.path))
        out = []
        for err in errors[:5]:
            at = "".join(f"[{p!r}]" if isinstance(p, str) else f"[{p}]" for p in err.path)
            out.append(f"{where}{at}: {_short(err)}")
        return out

    def match(self, path: str) -> tuple[str, dict, dict[str, str]] | None:
        """The described path (template, path item, path parameters) that ``path`` is."""
        for regex, template, item in self.paths:
            found = regex.match(path)
            if found:
                return template, item, {k: unquote(v) for k, v in found.groupdict().items()}
        return None

    @cached_property
    def operations(self) -> list[Operation]:
        return [
            Operation(t, verb, item[verb], item)
            for t, item in self.items.items()
            for verb in VERBS
            if verb in item
        ]

    # ------------------------------------------------------------------ checking
    def check(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        body: bytes | None,
        status: int,
        content_type: str | None,
        response_body: bytes,
    ) -> Exchange:
        ex = Exchange()
        method = method.lower()
        found = self.match(path)
        where = f"{method.upper()} {path} -> {status}"
        if found is None:
            ex.response_problems += self._unknown_path(where, status, content_type, response_body)
            return ex
        template, item, path_params = found
        spec = item.get(method)
        if spec is None:
            if status == 404 and self._path_problems(item, path_params):
                # The path parameter is outside its pattern: no route serves such a path.
                ex.response_problems += self._unknown_path(
                    where, status, content_type, response_body
                )
                return ex
            ex.request_problems.append(f"{method.upper()} is not described for {template}")
            if status != 405:
                ex.response_problems.append(
                    f"{where}: {method.upper()} is not described for {template}, yet the "
                    "server did not answer 405"
                )
            self._check_envelope_if_error(ex, where, status, content_type, response_body)
            return ex
        op = Operation(template, method, spec, item)
        ex.request_problems += self._check_request(op, path_params, query, body)
        if status == 404 and any(p.startswith("path parameter") for p in ex.request_problems):
            # No route matches such a path: the unknown-path route answers (x-unknown-path).
            ex.response_problems += self._unknown_path(where, status, content_type, response_body)
            return ex
        ex.response_problems += self._check_response(op, where, status, content_type, response_body)
        if ex.request_problems and status < 400:
            ex.response_problems.append(
                f"{where}: the server accepted a request the description does not allow: "
                + "; ".join(ex.request_problems)
            )
        return ex

    def _path_problems(self, item: dict, path_params: dict[str, str]) -> list[str]:
        """What is wrong with the path parameters by the parameters every verb shares."""
        problems = []
        shared = [self.resolve(p) for p in item.get("parameters", [])]
        for param in shared:
            if param["in"] == "path":
                value = path_params.get(param["name"])
                problems += self.schema_errors(param["schema"], value, "path parameter")
        return problems

    def _unknown_path(self, where, status, content_type, response_body) -> list[str]:
        """A path no route serves: what ``x-unknown-path`` says (404, the envelope)."""
        responses = self.doc.get("x-unknown-path", {}).get("responses", {})
        response = self.resolve(responses.get(str(status)))
        if response is None:
            return [f"{where}: the path is not in the description"]
        schema = response["content"]["application/json"]["schema"]
        return self._json_problems(schema, where, content_type, response_body, "application/json")

    def _check_envelope_if_error(self, ex, where, status, content_type, response_body) -> None:
        if status >= 400:
            envelope = self.doc["components"]["schemas"]["ErrorEnvelope"]
            ex.response_problems += self._json_problems(
                envelope, where, content_type, response_body, "application/json"
            )

    def _check_request(self, op: Operation, path_params, query, body) -> list[str]:
        problems = []
        described = set()
        for param in op.parameters(self.resolve):
            name, place = param["name"], param["in"]
            if place == "path":
                value: Any = path_params.get(name)
                problems += self.schema_errors(param["schema"], value, f"path parameter {name}")
                continue
            if place != "query":
                continue
            described.add(name)
            values = query.get(name)
            if not values:
                if param.get("required"):
                    problems.append(f"query parameter {name} is required")
                continue
            if "content" in param:
                (media,) = param["content"].values()
                try:
                    value = json.loads(values[0])
                except ValueError:
                    problems.append(f"query parameter {name} is not JSON")
                    continue
                problems += self.schema_errors(media["schema"], value, f"query parameter {name}")
                continue
            schema = self.resolve(param["schema"])
            value = _coerce(schema, values)
            problems += self.schema_errors(schema, value, f"query parameter {name}")
        # Query parameters the description does not name are ignored by the server (as HTTP
        # allows); they are not a violation.
        request_body = self.resolve(op.spec.get("requestBody"))
        if request_body:
            media = request_body["content"].get("application/json")
            if not body:
                if request_body.get("required"):
                    problems.append("a JSON body is required")
            elif media:
                try:
                    value = json.loads(body)
                except ValueError:
                    problems.append("the body is not JSON")
                else:
                    problems += self.schema_errors(media["schema"], value, "request body")
        elif body and body.strip() not in (b"", b"{}"):
            problems.append("a body was sent where none is described")
        return problems

    def _check_response(self, op, where, status, content_type, response_body) -> list[str]:
        responses = op.spec["responses"]
        response = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX")
        if response is None:
            response = responses.get("default")
            if response is None or status < 400:
                return [f"{where}: status {status} is not described"]
        response = self.resolve(response)
        problems: list[str] = []
        if status >= 400:
            envelope = self.doc["components"]["schemas"]["ErrorEnvelope"]
            return self._json_problems(
                envelope, where, content_type, response_body, "application/json"
            )
        content = response.get("content")
        if not content:
            if response_body:
                problems.append(f"{where}: a body came where none is described")
            return problems
        media_type = (content_type or "").split(";")[0].strip().lower()
        if media_type not in content:
            return [f"{where}: content type {content_type!r}, described: {', '.join(content)}"]
        schema = content[media_type].get("schema", {})
        if media_type == "application/x-ndjson":
            return self._ndjson_problems(schema, where, response_body)
        if media_type == "application/json":
            return self._json_problems(schema, where, content_type, response_body, media_type)
        return problems

    def _json_problems(self, schema, where, content_type, response_body, media_type) -> list[str]:
        got = (content_type or "").split(";")[0].strip().lower()
        if got != media_type:
            return [f"{where}: content type {content_type!r}, expected {media_type}"]
        try:
            value = json.loads(response_body)
        except ValueError:
            return [f"{where}: the body is not JSON: {response_body[:120]!r}"]
        return self.schema_errors(schema, value, f"{where}: body")

    def _ndjson_problems(self, schema, where, response_body) -> list[str]:
        problems = []
        text = response_body.decode("utf-8", "replace")
        if text and not text.endswith("\n"):
            problems.append(f"{where}: the stream does not end with a newline")
        for number, line in enumerate(text.splitlines(), 1):
            try:
                value = json.loads(line)
            except ValueError:
                problems.append(f"{where}: line {number} is not JSON: {line[:120]!r}")
                continue
            problems += self.schema_errors(schema, value, f"{where}: line {number}")
            if len(problems) >= 5:
                break
        return problems


def _rebase(schema: dict) -> dict:
    """A schema from the description whose ``#/components/...`` refs resolve in the document."""

    def walk(node):
        if isinstance(node, dict):
            return {
                k: (URI + v if k == "$ref" and v.startswith("#") else walk(v))
                for k, v in node.items()
            }
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(schema)


def _coerce(schema: dict, values: list[str]) -> Any:
    """A query string's text as the JSON value the schema describes (left as text if it is not)."""
    kind = schema.get("type")
    if kind == "array":
        items = schema.get("items", {})
        return [_coerce(items, [v]) for v in values]
    value = values[0]
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value)
        if kind == "boolean" and value in ("true", "false"):
            return value == "true"
    except ValueError:
        return value
    return value


def _short(err) -> str:
    message = err.message
    return message if len(message) <= 300 else message[:297] + "..."
