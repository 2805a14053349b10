"""Small helpers shared by the catalogue tests."""

from __future__ import annotations

import json

from tornado.httpclient import HTTPClientError


async def get_json(jp_fetch, *path, params=None):
    response = await jp_fetch("escape", "catalogue", *path, params=params or {})
    return json.loads(response.body)


async def error_of(jp_fetch, *path, method="GET", body=None, params=None):
    """(status, envelope error, headers) of a call that must fail."""
    try:
        await jp_fetch("escape", "catalogue", *path, method=method, body=body, params=params or {})
    except HTTPClientError as err:
        return err.code, json.loads(err.response.body)["error"], err.response.headers
    raise AssertionError(f"{'/'.join(path)} did not fail")
