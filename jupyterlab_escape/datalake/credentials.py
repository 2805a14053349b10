"""Rucio credentials a user enters in JupyterLab, kept on the server only.

They are written to a JSON file readable by the server's user alone (0600, written to a temporary
name then renamed) and applied over the operator's configuration. Nothing secret is ever returned:
the browser learns which fields are set, not their values.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..config import EscapeRucio
from ..http import EscapeError
from .auth import SUPPORTED

# Fields a user may set, and which of them are secret.
FIELDS = (
    "auth_type",
    "account",
    "username",
    "password",
    "oidc_token_file",
    "client_cert",
    "client_key",
)
SECRET = frozenset({"password"})
PATHS = frozenset({"oidc_token_file", "client_cert", "client_key"})


def bad(message: str) -> EscapeError:
    return EscapeError(400, "rucio_bad_credentials", message, service="rucio")


class CredentialStore:
    def __init__(self, config: EscapeRucio, path: Path):
        self.config = config
        self.path = path
        self._defaults = {name: getattr(config, name) for name in FIELDS}
        self._stored: dict[str, str] = {}

    def load(self) -> None:
        """Apply what a previous session stored (ignored if unreadable or malformed)."""
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return
        if isinstance(data, dict):
            try:
                self._apply(self._validate(data, keep_password=False))
            except EscapeError:
                return

    def describe(self) -> dict[str, Any]:
        """What the settings dialog shows: values of non-secret fields, presence of secrets."""
        out: dict[str, Any] = {"stored": bool(self._stored)}
        for name in FIELDS:
            value = getattr(self.config, name)
            if name in SECRET:
                out[f"has_{name}"] = bool(value)
            else:
                out[name] = value
        return out

    def _validate(self, body: dict, keep_password: bool) -> dict[str, str]:
        unknown = set(body) - set(FIELDS)
        if unknown:
            raise bad(f"Unknown field {sorted(unknown)[0]!r}.")
        values = {k: str(v).strip() for k, v in body.items() if v is not None}
        auth_type = values.get("auth_type", "userpass")
        if auth_type not in SUPPORTED:
            raise bad(f"Unknown auth type '{auth_type}': use one of {', '.join(SUPPORTED)}.")
        for name in PATHS & set(values):
            if values[name] and not os.path.isabs(values[name]):
                raise bad(f"{name} must be an absolute path on the server.")
        if auth_type == "userpass":
            if not values.get("username"):
                raise bad("A username is needed for userpass.")
            if not values.get("password") and not (keep_password and self._stored.get("password")):
                raise bad("A password is needed for userpass.")
        if auth_type == "oidc" and not values.get("oidc_token_file"):
            raise bad("Give the path of the token file on the server.")
        if auth_type in ("x509", "x509_proxy") and not values.get("client_cert"):
            raise bad("Give the path of the certificate or proxy on the server.")
        if keep_password and not values.get("password") and self._stored.get("password"):
            # "leave the stored password as it is": only the user's own, never the operator's
            values["password"] = self._stored["password"]
        return values

    def save(self, body: dict) -> None:
        values = self._validate(body, keep_password=True)
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.path.parent, 0o700)  # also when the folder existed with a looser mode
        temp = self.path.with_name(self.path.name + ".tmp")
        temp.unlink(missing_ok=True)  # never write through a planted link or an old file
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(values, handle)
        os.chmod(temp, 0o600)
        os.replace(temp, self.path)
        self._apply(values)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)
        self._stored = {}
        for name, value in self._defaults.items():
            setattr(self.config, name, value)

    def _apply(self, values: dict[str, str]) -> None:
        self._stored = values
        for name in FIELDS:
            setattr(self.config, name, values.get(name, ""))
