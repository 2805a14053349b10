"""REANA user secrets through /escape/workflows/secrets against the stand-in, which answers as
REANA does (500 when overwrite is left out, 409 on an existing name, 404 with the missing names)."""

from __future__ import annotations

import base64
import json
import uuid

import pytest

from testbed.reana.routes import Secrets
from testbed.reana.state import ApiError

from .test_workflows import call, error_of


async def test_add_list_delete_env_and_file_secrets(jp_fetch, caplog):
    env, file = f"VONAME_{uuid.uuid4().hex[:6]}", f"usercert-{uuid.uuid4().hex[:6]}.pem"
    added = await call(
        jp_fetch, "secrets", method="POST", body={"name": env, "value": "escape-value-93a1"}
    )
    assert added == {"name": env, "type": "env"}
    pem = b"-----BEGIN CERTIFICATE-----\n\x00\xff\n"
    await call(
        jp_fetch,
        "secrets",
        method="POST",
        body={"name": file, "type": "file", "value_base64": base64.b64encode(pem).decode()},
    )
    listed = (await call(jp_fetch, "secrets"))["secrets"]
    assert {"name": env, "type": "env"} in listed and {"name": file, "type": "file"} in listed
    assert "escape-value-93a1" not in json.dumps(listed)
    # An existing name: 409 unless overwrite.
    code, error = await error_of(
        jp_fetch, "secrets", method="POST", body={"name": env, "value": "x"}
    )
    assert code == 409 and "already exists" in error["message"]
    await call(
        jp_fetch, "secrets", method="POST", body={"name": env, "value": "y", "overwrite": True}
    )
    assert (await call(jp_fetch, "secrets", method="DELETE", name=env))["deleted"] == [env]
    code, error = await error_of(jp_fetch, "secrets", method="DELETE", name=env)
    assert code == 404 and env in error["message"]
    await call(jp_fetch, "secrets", method="DELETE", name=file)
    assert "escape-value-93a1" not in caplog.text


@pytest.mark.parametrize(
    "body",
    [
        {"name": "1BAD", "value": "x"},
        {"name": "A", "type": "ssh", "value": "x"},
        {"name": "../x", "type": "file", "value": "x"},
        {"name": "A"},
        {"name": "A", "value": "x", "value_base64": "eA=="},
        {"name": "A", "value_base64": "not base64!"},
        {"name": "A", "value": "x", "overwrite": "yes"},
    ],
)
async def test_bad_secrets_are_refused_before_reana(jp_fetch, body):
    code, error = await error_of(jp_fetch, "secrets", method="POST", body=body)
    assert (code, error["code"]) == (400, "bad_request")


def test_the_standin_answers_500_without_overwrite_as_reana_does():
    class State:
        secrets: dict = {}

    with pytest.raises(ApiError) as caught:
        Secrets.post(State(), {}, json.dumps({"A": {"value": "eA==", "type": "env"}}).encode())
    assert caught.value.status == 500
