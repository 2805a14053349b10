"""pytest plugin: every request the suite sends to ``/escape/...`` through pytest-jupyter's
``jp_fetch``, and the server's answer, is checked against ``jupyterlab_escape/openapi.yaml``.

A response outside the description (or a request the description forbids that the server
accepted) fails the test that sent it, with the words of ``openapi_contract``. NDJSON streams are
checked line by line, also when the test reads them with ``streaming_callback``. The terminal
summary says how many exchanges were checked.
"""

from __future__ import annotations

import urllib.parse

import pytest
from jupyter_server.utils import url_path_join
from tornado.escape import url_escape
from tornado.httpclient import HTTPClientError

from .openapi_contract import Contract

VIOLATIONS = pytest.StashKey[list]()
_counts = {"checked": 0, "violations": 0}
_contract: Contract | None = None


def contract() -> Contract:
    global _contract
    if _contract is None:
        _contract = Contract()
    return _contract


@pytest.fixture
def jp_fetch(jp_fetch, jp_base_url, request):  # noqa: F811 - wraps pytest-jupyter's
    """pytest-jupyter's ``jp_fetch``, with each /escape/ exchange checked against the contract."""
    prefix = url_path_join(jp_base_url, "escape")
    violations = request.node.stash.setdefault(VIOLATIONS, [])

    async def fetch(*parts, headers=None, params=None, **kwargs):
        path = url_path_join(jp_base_url, url_escape(url_path_join(*parts), plus=False))
        if not (path == prefix or path.startswith(prefix + "/")):
            return await jp_fetch(*parts, headers=headers, params=params, **kwargs)
        chunks: list[bytes] = []
        callback = kwargs.get("streaming_callback")
        if callback is not None:

            def tee(chunk: bytes) -> None:
                chunks.append(chunk)
                callback(chunk)

            kwargs["streaming_callback"] = tee
        try:
            response = await jp_fetch(*parts, headers=headers, params=params, **kwargs)
        except HTTPClientError as err:
            if err.response is not None:
                _check(violations, path, params, kwargs, err.response, chunks)
            raise
        _check(violations, path, params, kwargs, response, chunks)
        return response

    return fetch


def _check(violations, path, params, kwargs, response, chunks) -> None:
    body = kwargs.get("body")
    if isinstance(body, str):
        body = body.encode()
    query = urllib.parse.parse_qs(urllib.parse.urlencode(params or {}), keep_blank_values=True)
    base = contract()
    # The contract's paths start at /escape: drop the server's base_url.
    relative = "/escape" + path.split("/escape", 1)[1]
    received = b"".join(chunks) if chunks else (response.body or b"")
    exchange = base.check(
        kwargs.get("method", "GET"),
        relative,
        query,
        body,
        response.code,
        response.headers.get("Content-Type"),
        received,
    )
    _counts["checked"] += 1
    if exchange.problems:
        _counts["violations"] += 1
        violations.extend(exchange.problems)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    found = item.stash.get(VIOLATIONS, [])
    if found:
        lines = "\n  ".join(found[:20])
        raise AssertionError(
            f"{len(found)} exchange(s) outside jupyterlab_escape/openapi.yaml:\n  {lines}"
        )
    return result


def pytest_terminal_summary(terminalreporter):
    if _counts["checked"]:
        terminalreporter.write_line(
            f"openapi: {_counts['checked']} /escape/ exchanges checked against openapi.yaml, "
            f"{_counts['violations']} outside it"
        )
