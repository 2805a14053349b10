"""Helpers for the Data Lake route tests (all against the real Rucio testbed)."""

from __future__ import annotations

import json

from tornado.httpclient import HTTPClientError


async def get_json(jp_fetch, route: str, **params):
    response = await jp_fetch("escape", "datalake", route, params=params)
    return json.loads(response.body)


async def get_error(jp_fetch, route: str, **params) -> tuple[int, dict]:
    try:
        await jp_fetch("escape", "datalake", route, params=params)
    except HTTPClientError as err:
        return err.code, json.loads(err.response.body)["error"]
    raise AssertionError(f"{route} {params} did not fail")


async def ndjson(jp_fetch, route: str, **params) -> list[dict]:
    response = await jp_fetch("escape", "datalake", route, params=params)
    assert response.headers["Content-Type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in response.body.decode().splitlines() if line]
