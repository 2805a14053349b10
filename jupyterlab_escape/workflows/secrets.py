"""REANA user secrets: list, add and delete (``/escape/workflows/secrets``).

Environment secrets become variables of every job; file secrets are mounted at
``/etc/reana/secrets/<name>`` (a VOMS proxy, ``usercert.pem``...): what lets a workflow read the
Data Lake with the user's Rucio credentials. A value goes to REANA base64-encoded and is never
sent back: REANA lists names and types only, and so do we; values are not logged.
"""

from __future__ import annotations

import base64
import binascii
import re

from ..http import EscapeError

ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,254}$")
FILE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$")
MAX_VALUE = 1024 * 1024
TYPES = ("env", "file")


def _bad(message: str) -> EscapeError:
    return EscapeError(400, "bad_request", message, service="reana")


def check_name(name, kind: str) -> str:
    pattern = ENV_NAME if kind == "env" else FILE_NAME
    if not isinstance(name, str) or not pattern.match(name):
        if kind == "env":
            raise _bad("An environment secret's name is a variable name: letters, digits, '_'.")
        raise _bad("A file secret's name is a file name: letters, digits, '_', '.', '-'.")
    return name


def encode_value(body: dict) -> str:
    """The value as REANA wants it (base64): ``value`` (text) or ``value_base64`` (bytes)."""
    text, raw = body.get("value"), body.get("value_base64")
    if (text is None) == (raw is None):
        raise _bad("Send the secret's value as value (text) or value_base64.")
    if text is not None:
        if not isinstance(text, str):
            raise _bad("value must be a string.")
        data = text.encode()
    else:
        if not isinstance(raw, str):
            raise _bad("value_base64 must be a string.")
        try:
            data = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise _bad("value_base64 is not base64.") from None
    if not data or len(data) > MAX_VALUE:
        raise _bad("A secret's value is 1 byte to 1 MiB long.")
    return base64.b64encode(data).decode()


async def list_secrets(client) -> dict:
    """The user's REANA secrets by name and type; REANA never gives values, nor do we."""
    listed = await client.secrets()
    items = (
        [
            {"name": str(s.get("name")), "type": str(s.get("type"))}
            for s in listed
            if isinstance(s, dict)
        ]
        if isinstance(listed, list)
        else []
    )
    return {"secrets": sorted(items, key=lambda s: s["name"])}


async def add_secret(client, body: dict) -> dict:
    kind = body.get("type", "env")
    if kind not in TYPES:
        raise _bad("type must be env or file.")
    name = check_name(body.get("name"), kind)
    overwrite = body.get("overwrite", False)
    if not isinstance(overwrite, bool):
        raise _bad("overwrite must be true or false.")
    value = encode_value(body)
    await client.add_secrets({name: {"value": value, "type": kind}}, overwrite)
    return {"name": name, "type": kind}


async def delete_secret(client, name: str) -> dict:
    if not name or len(name) > 255:
        raise _bad("Say which secret: ?name=")
    try:
        deleted = await client.delete_secrets([name])
    except EscapeError as error:
        if error.status == 404 or getattr(error, "upstream_status", None) == 404:
            raise EscapeError(
                404, "not_found", f"REANA has no secret named {name!r}.", service="reana"
            ) from None
        raise
    return {"deleted": [str(d) for d in deleted] if isinstance(deleted, list) else [name]}
