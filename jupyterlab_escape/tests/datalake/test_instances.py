"""Several Rucio instances: the user switches with ?instance=, each with its own identity."""

from __future__ import annotations

import pytest

from .helpers import get_error, get_json, ndjson

SECOND = pytest.mark.escape_config(
    {
        "EscapeRucio": {
            "instances": lambda tb: [
                {
                    "name": "second",
                    "display_name": "Second testbed server",
                    "url": tb.short_token_auth_url,
                    "account": "jdoe",
                    "username": tb.jdoe.username,
                    "password": tb.jdoe.password,
                }
            ]
        }
    }
)


@SECOND
async def test_whoami_lists_instances_and_switches(jp_fetch, rucio_testbed):
    first = await get_json(jp_fetch, "whoami")
    assert [i["name"] for i in first["instances"]] == ["default", "second"]
    assert first["account"]["account"] == "root"
    second = await get_json(jp_fetch, "whoami", instance="second")
    assert second["instance"]["display_name"] == "Second testbed server"
    assert second["instance"]["url"] == rucio_testbed.short_token_auth_url
    assert second["account"]["account"] == "jdoe"


@SECOND
async def test_listing_from_the_other_instance(jp_fetch, rucio_testbed):
    dataset = rucio_testbed.datasets["cta_dataset"]
    rows = await ndjson(jp_fetch, "content", did=dataset["did"], instance="second")
    assert len(rows) == dataset["files"]


@SECOND
async def test_credentials_are_per_instance(jp_fetch, rucio_testbed):
    second = await get_json(jp_fetch, "credentials", instance="second")
    first = await get_json(jp_fetch, "credentials")
    assert second["account"] == "jdoe" and first["account"] == "root"


async def test_unknown_instance_is_a_404(jp_fetch):
    status, error = await get_error(jp_fetch, "scopes", instance="elsewhere")
    assert status == 404 and error["code"] == "rucio_instance_not_found"


@pytest.mark.escape_config({"EscapeRucio": {"instances": [{"name": "x", "colour": "red"}]}})
async def test_bad_instance_settings_fail_at_start(jp_server_config):
    from traitlets.config import Config

    from jupyterlab_escape.app import EscapeApp
    from jupyterlab_escape.config import EscapeRucio
    from jupyterlab_escape.datalake.instances import RucioInstances
    from jupyterlab_escape.http import ServiceHTTP

    base = EscapeRucio(config=Config(jp_server_config))
    with pytest.raises(ValueError, match="unknown setting 'colour'"):
        RucioInstances(base, ServiceHTTP(base), parent=EscapeApp(), data_dir=None)
