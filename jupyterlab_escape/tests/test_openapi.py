"""openapi.yaml describes every registered /escape/ route and verb, and nothing else; the server
serves it; every $ref in it resolves."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from tornado.httpclient import HTTPClientError

from ..handler import UnknownPathHandler
from .conftest import escape_routes
from .openapi_contract import DESCRIPTION, Contract, load_description
from .test_routes import implemented_verbs


def sample_path(template: str) -> str:
    """A concrete path for a described template: every parameter becomes a plausible id."""
    return re.sub(r"\{\w+\}", "123", template)


def route_samples(pattern: str) -> list[str]:
    """Concrete paths a route regex matches (each capture group as '123')."""
    path = re.sub(r"\(\?P<\w+>[^)]*\)|\([^)]*\)", "123", pattern)
    return [path.rstrip("$")]


async def test_every_registered_route_is_described_and_nothing_else(jp_serverapp, jp_base_url):
    contract = Contract()
    base = jp_base_url.rstrip("/")
    every = escape_routes(jp_serverapp.web_app)
    # The unknown-path route is described by x-unknown-path, and it is the last one.
    assert every and every[-1][1] is UnknownPathHandler
    assert contract.doc["x-unknown-path"]["responses"].keys() == {"404"}
    routes = [(p, h) for p, h in every if h is not UnknownPathHandler]
    problems = []
    described_seen: set[tuple[str, str]] = set()
    for pattern, handler in routes:
        regex = re.compile(pattern)
        templates = [t for t in contract.doc["paths"] if regex.fullmatch(base + sample_path(t))]
        if not templates:
            problems.append(f"route {pattern} ({handler.__name__}) is not in openapi.yaml")
            continue
        described = {
            verb
            for t in templates
            for verb in ("get", "put", "post", "delete", "patch")
            if verb in contract.items[t]
        }
        implemented = set(implemented_verbs(handler))
        for verb in sorted(implemented - described):
            problems.append(f"{verb.upper()} {pattern} ({handler.__name__}) is not described")
        for verb in sorted(described - implemented):
            problems.append(f"{verb.upper()} {', '.join(templates)} is described, not served")
        described_seen |= {(t, v) for t in templates for v in described}
    for template in contract.doc["paths"]:
        concrete = base + sample_path(template)
        if not any(re.fullmatch(p, concrete) for p, _ in routes):
            problems.append(f"{template} is described but no route serves it")
    assert not problems, "\n".join(problems)


async def test_the_description_is_served(jp_fetch):
    response = await jp_fetch("escape", "openapi.yaml")
    assert response.code == 200
    assert response.headers["Content-Type"].startswith("application/yaml")
    assert yaml.safe_load(response.body) == load_description()


def test_every_ref_resolves_and_every_operation_has_an_id():
    doc = load_description()
    contract = Contract(doc)
    text = DESCRIPTION.read_text()
    for ref in set(re.findall(r"\$ref: '([^']+)'", text)):
        contract.resolve({"$ref": ref})
    ids = [
        op.spec.get("operationId")
        for op in contract.operations
        if op.template not in contract.aliases
    ]
    assert all(ids) and len(ids) == len(set(ids))
    for op in contract.operations:
        assert "default" in op.spec["responses"], f"{op.method} {op.template}: no error envelope"
    # Every schema compiles as JSON Schema 2020-12 with the document's refs.
    for schema in doc["components"]["schemas"].values():
        contract.validator(schema).is_valid(None)
        json.dumps(schema)


def test_the_description_ships_in_the_wheel():
    """Hatch puts every tracked file of the package into the wheel unless the wheel excludes it."""
    import subprocess

    import tomllib

    repo = DESCRIPTION.parents[1]
    wheel = tomllib.loads((repo / "pyproject.toml").read_text())["tool"]["hatch"]["build"][
        "targets"
    ]["wheel"]
    assert "jupyterlab_escape" in wheel["packages"]
    relative = DESCRIPTION.relative_to(repo).as_posix()
    assert not any(relative.startswith(e.rstrip("/")) for e in wheel.get("exclude", []))
    ignored = subprocess.run(["git", "check-ignore", "-q", relative], cwd=repo)
    assert ignored.returncode == 1, f"{relative} is git-ignored, so hatch would leave it out"


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize(
    "path",
    [
        "escape/nothing",
        "escape/datalake/nothing/here",
        "escape/datalake/jobs/not-an-id",  # outside the job id's pattern
        "escape/workflows/jobs/abc/explode",  # an action no job route takes
        "escape/",
    ],
)
async def test_an_unknown_path_is_a_404_in_the_envelope(jp_fetch, path, method):
    body = b"{}" if method in ("POST", "PUT", "PATCH") else None
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch(*path.split("/"), method=method, body=body)
    response = info.value.response
    assert response.code == 404
    assert response.headers["Content-Type"].startswith("application/json")
    error = json.loads(response.body)["error"]
    assert error["code"] == "not_found"
    assert "No such route" in error["message"] and "/escape/openapi.yaml" in error["message"]
    # The plugin checked the answer against x-unknown-path too (this test fails if not).


def test_the_contract_holds_unknown_paths_to_the_envelope():
    contract = Contract()
    html = contract.check("GET", "/escape/nothing", {}, None, 404, "text/html", b"<html>")
    assert html.problems and "content type" in html.problems[0]
    other = contract.check("GET", "/escape/nothing", {}, None, 200, "application/json", b"{}")
    assert other.problems == ["GET /escape/nothing -> 200: the path is not in the description"]
    body = b'{"error": {"code": "not_found", "message": "No such route.", "service": null, '
    body += b'"upstream_status": null}}'
    ok = contract.check("DELETE", "/escape/nothing", {}, None, 404, "application/json", body)
    assert ok.problems == []
