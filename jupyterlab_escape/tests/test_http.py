"""The shared HTTP layer, against real HTTP servers on loopback (doubles and the Rucio testbed)."""

from urllib.parse import urlsplit

import pytest

from jupyterlab_escape import __version__
from jupyterlab_escape.config import EscapeReana, EscapeRucio
from jupyterlab_escape.http import EscapeError, ServiceHTTP

from .doubles import UpstreamDouble, free_port


@pytest.fixture
def double():
    server = UpstreamDouble({r"/api/thing": {"ok": True}}).start()
    yield server
    server.stop()


def http_for(url: str, **settings) -> ServiceHTTP:
    return ServiceHTTP(EscapeReana(url=url, **settings))


async def test_user_agent_names_package_and_version(double):
    http = http_for(double.url)
    response = await http.request("GET", "api/thing")
    assert response.json() == {"ok": True}
    assert double.state.headers[0]["User-Agent"].startswith(f"jupyterlab-escape/{__version__} ")
    await http.aclose()


async def test_get_is_retried_on_503_then_succeeds(double):
    double.state.fail_next = [503, 502]
    http = http_for(double.url, retries=2)
    response = await http.request("GET", "api/thing")
    assert response.status_code == 200
    assert double.state.hits == ["GET /api/thing"] * 3
    await http.aclose()


async def test_get_gives_up_after_retries_with_envelope(double):
    double.state.fail_next = [503, 503, 503]
    http = http_for(double.url, retries=1)
    with pytest.raises(EscapeError) as caught:
        await http.request("GET", "api/thing")
    assert caught.value.status == 502
    assert caught.value.code == "reana_upstream_error"
    assert caught.value.upstream_status == 503
    assert len(double.state.hits) == 2
    await http.aclose()


async def test_post_is_never_retried(double):
    double.state.fail_next = [503]
    http = http_for(double.url, retries=3)
    with pytest.raises(EscapeError):
        await http.request("POST", "api/thing", json={})
    assert double.state.hits == ["POST /api/thing"]
    await http.aclose()


@pytest.mark.parametrize(
    "upstream, status, suffix",
    [
        (400, 400, "bad_request"),
        (401, 401, "unauthorized"),
        (403, 403, "forbidden"),
        (404, 404, "not_found"),
        (409, 409, "conflict"),
        (500, 502, "upstream_error"),
        (504, 504, "timeout"),
    ],
)
async def test_upstream_status_mapping(double, upstream, status, suffix):
    double.state.fail_next = [upstream]
    http = http_for(double.url, retries=0)
    with pytest.raises(EscapeError) as caught:
        await http.request("GET", "api/thing")
    assert (caught.value.status, caught.value.code) == (status, f"reana_{suffix}")
    assert caught.value.envelope()["error"]["service"] == "reana"
    await http.aclose()


async def test_connection_refused_is_a_clear_502():
    port = free_port()
    http = http_for(f"http://127.0.0.1:{port}", retries=0)
    with pytest.raises(EscapeError) as caught:
        await http.request("GET", "api/ping")
    assert caught.value.status == 502
    assert caught.value.code == "reana_unreachable"
    assert f"127.0.0.1:{port} refused the connection" in caught.value.message


async def test_read_timeout_is_a_504():
    slow = UpstreamDouble({r"/api/slow": {"ok": True}}, delay=2.0).start()
    http = http_for(slow.url, read_timeout=0.3, retries=2)
    with pytest.raises(EscapeError) as caught:
        await http.request("GET", "api/slow")
    assert caught.value.status == 504
    assert "0.3 s (read timeout)" in caught.value.message
    assert len(slow.state.hits) == 1  # a read timeout is not retried: the request may be running
    await http.aclose()
    slow.stop()


@pytest.mark.parametrize(
    "path", ["http://evil.example/x", "//evil.example/x", "../admin", "a/../../b", "a\\b"]
)
def test_no_open_proxy(path):
    http = http_for("https://reana.example/base")
    with pytest.raises(EscapeError) as caught:
        http.url_for(path)
    assert caught.value.status == 400


def test_paths_join_below_base():
    http = http_for("https://reana.example/base")
    assert http.url_for("/api/ping") == "https://reana.example/base/api/ping"


def test_unconfigured_service_says_how_to_configure(monkeypatch):
    monkeypatch.delenv("REANA_SERVER_URL", raising=False)
    http = ServiceHTTP(EscapeReana(url=""))
    with pytest.raises(EscapeError) as caught:
        http.url_for("api/ping")
    assert caught.value.code == "reana_not_configured"
    assert "REANA_SERVER_URL" in caught.value.message


async def test_tls_verification_is_on_and_ca_bundle_works(rucio_testbed):
    """Self-signed testbed nginx: refused by default, trusted with its CA bundle."""
    https = urlsplit(rucio_testbed.remote_rse.https_prefix)
    base = f"https://{https.netloc}"
    strict = ServiceHTTP(EscapeRucio(url=base, retries=0))
    with pytest.raises(EscapeError) as caught:
        await strict.request("GET", https.path, raise_for_status=False)
    assert caught.value.code == "rucio_tls"
    assert "could not be verified" in caught.value.message
    trusting = ServiceHTTP(EscapeRucio(url=base, ca_bundle=str(rucio_testbed.ca_cert)))
    response = await trusting.request("GET", https.path, raise_for_status=False)
    assert response.status_code < 500
    await trusting.aclose()
    await strict.aclose()
