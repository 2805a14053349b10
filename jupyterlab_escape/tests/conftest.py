"""Server-extension fixtures: a Jupyter server with jupyterlab_escape configured against the real
Rucio testbed and REANA/Zenodo test doubles, with secrets set so tests can look for leaks."""

from __future__ import annotations

import pytest

from .doubles import free_port, reana_double, zenodo_double

REANA_TOKEN = "reana-secret-token-7f3a9c"
ZENODO_TOKEN = "zenodo-secret-token-51be02"


# Doubles are plain fixtures: pytest-jupyter runs every async test in its own loop
# (jp_asyncio_loop, autouse), which is the current loop while these start listening.
@pytest.fixture
def reana_up():
    server = reana_double().start()
    yield server
    server.stop()


@pytest.fixture
def zenodo_up():
    server = zenodo_double().start()
    yield server
    server.stop()


@pytest.fixture
def closed_port():
    """A loopback port where nothing listens."""
    return free_port()


@pytest.fixture
def escape_config(request, rucio_testbed, reana_up, zenodo_up, closed_port):
    """Traitlets for the three services. A test edits them with
    ``@pytest.mark.escape_config({"EscapeRucio": {...}})`` ("{closed_port}" is substituted);
    a callable value is called with the testbed."""
    config = {
        "EscapeRucio": {
            "url": rucio_testbed.base_url,
            "instance_display_name": "Testbed",
            "account": rucio_testbed.root.account,
            "username": rucio_testbed.root.username,
            "password": rucio_testbed.root.password,
            # The testbed's storage is on loopback, which deployments refuse by default.
            "allow_private_storage": True,
        },
        "EscapeReana": {"url": reana_up.url, "access_token": REANA_TOKEN},
        "EscapeZenodo": {"url": zenodo_up.url, "access_token": ZENODO_TOKEN},
    }
    for marker in request.node.iter_markers("escape_config"):
        for service, values in marker.args[0].items():
            for key, value in values.items():
                if callable(value):
                    value = value(rucio_testbed)
                elif isinstance(value, str):
                    value = value.format(closed_port=closed_port)
                config[service][key] = value
    return config


@pytest.fixture
def jp_server_config(escape_config):
    return {
        "ServerApp": {
            "jpserver_extensions": {"jupyterlab_escape": True},
            "allow_unauthenticated_access": False,
        },
        **escape_config,
    }


def escape_routes(web_app) -> list[tuple[str, type]]:
    """Every (regex, handler class) the running server registered below /escape/."""
    found: list[tuple[str, type]] = []

    def walk(router):
        for rule in getattr(router, "rules", []):
            target = rule.target
            if isinstance(target, type):
                pattern = getattr(rule.matcher, "regex", None)
                if pattern is not None and "/escape/" in pattern.pattern:
                    found.append((pattern.pattern, target))
            else:
                walk(target)

    walk(web_app.default_router)
    return found
