"""The base handler's query parameters: one reading of yes/no flags and whole numbers for every
slice (found by fuzzing: ``fresh=<anything>`` and ``size=`` were accepted)."""

from __future__ import annotations

import json

import pytest
from tornado.httpclient import HTTPClientError

from .doubles import UpstreamDouble


async def _refused(jp_fetch, *parts, params):
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch(*parts, params=params)
    response = info.value.response
    assert response.code == 400
    return json.loads(response.body)["error"]


@pytest.mark.parametrize("value", ["", "yes", "TRUE", "2"])
async def test_a_flag_takes_only_1_0_true_false(jp_fetch, value):
    error = await _refused(jp_fetch, "escape", "workflows", "capabilities", params={"fresh": value})
    assert error["code"] == "bad_request"
    assert error["message"] == "fresh must be 1, 0, true or false."


@pytest.mark.parametrize("value", ["", "ten", "1.5"])
async def test_a_whole_number_is_refused_when_it_is_not_one(jp_fetch, value):
    error = await _refused(jp_fetch, "escape", "catalogue", "search", params={"size": value})
    assert "size must be a whole number" in error["message"]
    error = await _refused(jp_fetch, "escape", "workflows", "workflows", params={"page": value})
    assert error["message"] == "page must be a whole number."


@pytest.fixture
def reana_up():
    """A REANA double that answers what /escape/workflows/capabilities asks."""
    server = UpstreamDouble(
        {
            r"/api/ping": {"status": "200", "reana_server_version": "0.9.4"},
            r"/api/info": {"compute_backends": {"value": ["kubernetes"]}},
            r"/api/config": {"polling_secs": 7},
        }
    ).start()
    yield server
    server.stop()


@pytest.mark.parametrize("value", ["1", "true", "0", "false"])
async def test_a_flag_is_read_as_written(jp_fetch, reana_up, value):
    first = await jp_fetch("escape", "workflows", "capabilities")
    assert json.loads(first.body)["polling_secs"] == 7
    asked = len(reana_up.state.hits)
    response = await jp_fetch("escape", "workflows", "capabilities", params={"fresh": value})
    assert json.loads(response.body)["compute_backends"] == ["kubernetes"]
    # fresh asks REANA again (three calls); otherwise the cached answer is served.
    assert len(reana_up.state.hits) - asked == (3 if value in ("1", "true") else 0)
