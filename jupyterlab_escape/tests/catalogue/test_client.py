"""The Zenodo client: rate limiting, 429 + Retry-After, 5xx, slow answers, no open proxy."""

from __future__ import annotations

import asyncio
import time

import pytest

from jupyterlab_escape.catalogue.catalogue import Catalogue
from jupyterlab_escape.catalogue.client import RateLimited, ZenodoClient
from jupyterlab_escape.catalogue.limits import RateLimiter, TTLCache
from jupyterlab_escape.http import EscapeError

from .helpers import error_of


def _search(catalogue, **args):
    return catalogue.search({k: [str(v)] for k, v in args.items()})


async def test_short_retry_after_is_waited_out_on_the_server(zenodo_http, zenodo_standin):
    zenodo_standin.state.switches.rate_limit_next = 1
    zenodo_standin.state.switches.retry_after = 1
    catalogue = Catalogue(ZenodoClient(zenodo_http))
    started = time.monotonic()
    result = await _search(catalogue, q="gamma")
    assert result["total"] > 0
    assert time.monotonic() - started >= 1.0
    assert zenodo_standin.state.stats.searches == 2


async def test_long_retry_after_blocks_and_is_reported(zenodo_http, zenodo_standin):
    zenodo_standin.state.switches.rate_limit_next = 1
    zenodo_standin.state.switches.retry_after = 30
    catalogue = Catalogue(ZenodoClient(zenodo_http))
    with pytest.raises(RateLimited) as caught:
        await _search(catalogue, q="gamma")
    assert caught.value.status == 429 and caught.value.retry_after == 30
    assert caught.value.message == "Zenodo asks us to slow down: retrying in 30 s."
    # Blocked: the next call does not even reach Zenodo.
    with pytest.raises(RateLimited):
        await _search(catalogue, q="radio")
    assert zenodo_standin.state.stats.searches == 1


async def test_route_answers_429_with_retry_after(jp_fetch, zenodo_standin):
    zenodo_standin.state.switches.rate_limit_next = 1
    zenodo_standin.state.switches.retry_after = 20
    code, error, headers = await error_of(jp_fetch, "search", params={"q": "x"})
    assert code == 429 and error["code"] == "zenodo_rate_limited"
    assert headers["Retry-After"] == "20"
    assert error["upstream_status"] == 429


async def test_own_budget_keeps_below_zenodo_search_limit(zenodo_config, zenodo_standin):
    from jupyterlab_escape.http import ServiceHTTP

    zenodo_config.search_rate = 3
    zenodo_config.max_retry_wait = 0.5
    catalogue = Catalogue(ZenodoClient(ServiceHTTP(zenodo_config)))
    for i in range(3):
        await _search(catalogue, q=f"term{i}")
    with pytest.raises(RateLimited) as caught:
        await _search(catalogue, q="term4")
    assert caught.value.upstream_status is None
    assert caught.value.message.startswith("Searching Zenodo too fast: retrying in")
    assert zenodo_standin.state.stats.searches == 3


async def test_5xx_is_retried_then_explained(zenodo_http, zenodo_standin):
    catalogue = Catalogue(ZenodoClient(zenodo_http))
    zenodo_standin.state.switches.fail_next = [503]
    assert (await _search(catalogue, q="a"))["total"] >= 0  # one retry (retries=1) succeeds
    zenodo_standin.state.switches.fail_next = [503, 500]
    with pytest.raises(EscapeError) as caught:
        await _search(catalogue, q="b")
    assert caught.value.status == 502 and caught.value.code == "zenodo_upstream_error"
    assert caught.value.message == "Zenodo is having trouble (HTTP 500); try again in a minute."


async def test_slow_answer_becomes_a_timeout(zenodo_config, zenodo_standin):
    from jupyterlab_escape.http import ServiceHTTP

    zenodo_config.read_timeout = 0.3
    zenodo_standin.state.switches.delay = 1.0
    catalogue = Catalogue(ZenodoClient(ServiceHTTP(zenodo_config)))
    with pytest.raises(EscapeError) as caught:
        await _search(catalogue, q="slow")
    assert caught.value.status == 504 and caught.value.code == "zenodo_timeout"
    assert "did not answer within 0.3 s" in caught.value.message


async def test_concurrent_identical_searches_share_one_request(zenodo_http, zenodo_standin):
    zenodo_standin.state.switches.delay = 0.2
    catalogue = Catalogue(ZenodoClient(zenodo_http))
    results = await asyncio.gather(*(_search(catalogue, q="flux") for _ in range(5)))
    assert len({r["total"] for r in results}) == 1
    assert zenodo_standin.state.stats.searches == 1


async def test_anonymous_page_size_is_zenodo_s_limit(zenodo_http):
    catalogue = Catalogue(ZenodoClient(zenodo_http))
    with pytest.raises(EscapeError) as caught:
        await _search(catalogue, size=26)
    assert "between 1 and 25" in caught.value.message


def test_rate_limiter_and_cache_with_a_fake_clock():
    now = [0.0]
    limiter = RateLimiter(2, per=60, clock=lambda: now[0])
    assert limiter.reserve() == 0 and limiter.reserve() == 0
    assert limiter.reserve() == pytest.approx(30)
    limiter.cancel()
    now[0] = 30
    assert limiter.wait_time() == 0
    cache = TTLCache(10, max_entries=2, clock=lambda: now[0])
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("c", 3)
    assert cache.get("a") is None and cache.get("c") == 3
    now[0] = 41
    assert cache.get("c") is None
