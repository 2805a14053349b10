"""Catalogue fixtures: the Jupyter server's Zenodo settings point at the Zenodo stand-in."""

from __future__ import annotations

import pytest

from testbed.zenodo.pytest_plugin import zenodo_standin  # noqa: F401  (fixture)

from ...config import EscapeZenodo
from ...http import ServiceHTTP
from ..conftest import ZENODO_TOKEN


@pytest.fixture
def escape_config(escape_config, zenodo_standin):  # noqa: F811
    escape_config["EscapeZenodo"] = {
        "url": zenodo_standin.url,
        "access_token": ZENODO_TOKEN,
        "max_retry_wait": 1.5,
        "retries": 1,
    }
    zenodo_standin.state.reset()
    return escape_config


@pytest.fixture
def zenodo_config(zenodo_standin):  # noqa: F811
    """An EscapeZenodo for client-level tests (anonymous unless a test sets a token)."""
    zenodo_standin.state.reset()
    return EscapeZenodo(url=zenodo_standin.url, max_retry_wait=1.5, retries=1, read_timeout=5.0)


@pytest.fixture
def zenodo_http(zenodo_config):
    return ServiceHTTP(zenodo_config)
