"""openapi.yaml describes every registered /escape/ route and verb, and nothing else; the server
serves it; every $ref in it resolves."""

from __future__ import annotations

import json
import re

import yaml

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
    routes = escape_routes(jp_serverapp.web_app)
    assert routes
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
