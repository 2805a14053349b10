import pytest
from traitlets.config import Config
from traitlets.traitlets import TraitError

from jupyterlab_escape.config import EscapeReana, EscapeRucio, EscapeZenodo, public_url

SERVICE_ENV = (
    "RUCIO_BASE_URL RUCIO_AUTH_URL RUCIO_ACCOUNT RUCIO_USERNAME RUCIO_PASSWORD RUCIO_VO "
    "RUCIO_CA_CERT RUCIO_AUTH_TYPE RUCIO_DEFAULT_AUTH_TYPE RUCIO_MODE RUCIO_DESTINATION_RSE "
    "RUCIO_RSE_MOUNT_PATH RUCIO_PATH_BEGINS_AT RUCIO_OIDC_ENV_NAME RUCIO_ACCESS_TOKEN "
    "REANA_SERVER_URL REANA_ACCESS_TOKEN REANA_VERIFY_TLS ZENODO_BASE_URL ZENODO_COMMUNITY "
    "ZENODO_ACCESS_TOKEN"
).split()


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in SERVICE_ENV:
        monkeypatch.delenv(name, raising=False)


def test_defaults_without_environment():
    rucio, reana, zenodo = EscapeRucio(), EscapeReana(), EscapeZenodo()
    assert not rucio.configured and not reana.configured
    assert zenodo.url == "https://zenodo.org"
    assert zenodo.community == "escape2020"
    assert rucio.auth_type == "userpass"
    assert rucio.connect_timeout == 5.0 and rucio.read_timeout == 30.0
    assert rucio.tls_verify() is True
    assert rucio.secrets() == [] and reana.secrets() == [] and zenodo.secrets() == []


def test_environment_fallbacks_match_deployments(monkeypatch):
    monkeypatch.setenv("RUCIO_BASE_URL", "https://vre-rucio.cern.ch/")
    monkeypatch.setenv("RUCIO_AUTH_URL", "https://vre-rucio-auth.cern.ch")
    monkeypatch.setenv("RUCIO_CA_CERT", "/certs/rucio_ca.pem")
    monkeypatch.setenv("RUCIO_PASSWORD", "pw-1")
    monkeypatch.setenv("RUCIO_PATH_BEGINS_AT", "5")
    monkeypatch.setenv("RUCIO_OIDC_ENV_NAME", "MY_TOKEN")
    monkeypatch.setenv("MY_TOKEN", "oidc-abc")
    monkeypatch.setenv("REANA_SERVER_URL", "https://reana.cern.ch")
    monkeypatch.setenv("REANA_ACCESS_TOKEN", "reana-xyz")
    monkeypatch.setenv("ZENODO_COMMUNITY", "other")
    rucio, reana, zenodo = EscapeRucio(), EscapeReana(), EscapeZenodo()
    assert rucio.url == "https://vre-rucio.cern.ch"  # trailing slash dropped
    assert rucio.auth_url == "https://vre-rucio-auth.cern.ch"
    assert rucio.tls_verify() == "/certs/rucio_ca.pem"
    assert rucio.path_begins_at == 5
    assert sorted(rucio.secrets()) == ["oidc-abc", "pw-1"]
    assert reana.url == "https://reana.cern.ch" and reana.secrets() == ["reana-xyz"]
    assert zenodo.community == "other"


def test_traitlets_config_wins_over_environment(monkeypatch):
    monkeypatch.setenv("REANA_SERVER_URL", "https://from-env.example")
    config = Config()
    config.EscapeReana.url = "https://from-config.example"
    config.EscapeReana.verify_tls = False
    reana = EscapeReana(config=config)
    assert reana.url == "https://from-config.example"
    assert reana.tls_verify() is False


def test_url_must_be_http():
    with pytest.raises(TraitError):
        EscapeRucio(url="ftp://example.org")


@pytest.mark.parametrize(
    "url, shown",
    [
        ("https://user:pw@host.example:8443/base?token=x#frag", "https://host.example:8443/base"),
        ("http://127.0.0.1:18080", "http://127.0.0.1:18080"),
        ("", ""),
    ],
)
def test_public_url_strips_credentials(url, shown):
    assert public_url(url) == shown
