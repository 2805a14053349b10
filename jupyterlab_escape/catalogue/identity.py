"""The user's Zenodo token for publishing, kept on the server only.

Stored like the Rucio credentials (``datalake/credentials.py``): a JSON file readable by the
server's user alone (0600 in a 0700 folder, forced on every save), written to a temporary name
opened ``O_CREAT | O_EXCL | O_NOFOLLOW`` and renamed. The browser learns whether a token is set,
for which Zenodo (production or the sandbox) and whether its scopes were found sufficient, never
the token.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from ..http import EscapeError

SCOPES = ("deposit:write", "deposit:actions")
_TOKEN = re.compile(r"^[A-Za-z0-9._~+/=-]{8,512}$")


class ZenodoIdentity:
    def __init__(self, path: Path):
        self.path = path
        self.token: str = ""
        self.sandbox: bool = False
        self.load()

    def load(self) -> None:
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            return
        try:
            with os.fdopen(fd, "rb") as handle:
                if not os.path.isfile(self.path) or os.fstat(handle.fileno()).st_size > 65536:
                    return
                data = json.loads(handle.read() or b"{}")
        except (OSError, ValueError):
            return
        if isinstance(data, dict) and isinstance(data.get("token"), str):
            self.token = data["token"]
            self.sandbox = bool(data.get("sandbox"))

    @property
    def configured(self) -> bool:
        return bool(self.token)

    def describe(self) -> dict[str, Any]:
        return {"stored": self.configured, "sandbox": self.sandbox, "scopes": list(SCOPES)}

    @staticmethod
    def check(token: Any) -> str:
        if not isinstance(token, str) or not _TOKEN.fullmatch(token.strip()):
            raise EscapeError(
                400,
                "zenodo_bad_token",
                "Paste a Zenodo personal access token (letters and digits, from Zenodo's "
                "Applications page).",
                service="zenodo",
            )
        return token.strip()

    def save(self, token: str, sandbox: bool) -> None:
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(folder, 0o700)  # also when it existed with a looser mode
        temp = self.path.with_name(self.path.name + ".tmp")
        temp.unlink(missing_ok=True)  # never write through a planted link or an old file
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump({"token": token, "sandbox": bool(sandbox)}, handle)
        os.chmod(temp, 0o600)
        os.replace(temp, self.path)
        self.token, self.sandbox = token, bool(sandbox)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)
        self.token, self.sandbox = "", False
