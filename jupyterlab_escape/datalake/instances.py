"""The Rucio instances of this server: the configured one first, then `EscapeRucio.instances`.

Each instance has its own settings, HTTP session, token and user credentials; a request names
the instance it is for (`?instance=`), the first one by default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from traitlets.config import Configurable

from ..config import EscapeRucio
from ..http import EscapeError, ServiceHTTP
from .client import RucioClient
from .credentials import CredentialStore

ALIASES = {"name": "instance_name", "display_name": "instance_display_name"}
NAME_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")


@dataclass
class RucioInstance:
    config: EscapeRucio
    client: RucioClient
    credentials: CredentialStore

    @property
    def name(self) -> str:
        return self.config.instance_name

    def describe(self) -> dict[str, str]:
        return {"name": self.name, "display_name": self.config.instance_display_name}


def _settings(entry: dict[str, Any]) -> dict[str, Any]:
    settings = {ALIASES.get(key, key): value for key, value in entry.items()}
    allowed = set(EscapeRucio.class_traits(config=True)) - {"instances"}
    unknown = set(settings) - allowed
    if unknown:
        raise ValueError(f"EscapeRucio.instances: unknown setting {sorted(unknown)[0]!r}")
    if not NAME_RE.match(str(settings.get("instance_name", ""))):
        raise ValueError("EscapeRucio.instances: every instance needs a name ([A-Za-z0-9_.-])")
    return settings


class RucioInstances:
    def __init__(
        self,
        base: EscapeRucio,
        base_http: ServiceHTTP,
        parent: Configurable,
        data_dir: Path,
        client_class: type[RucioClient] = RucioClient,
    ):
        configs = [(base, base_http)]
        for entry in base.instances:
            config = EscapeRucio(parent=parent, **_settings(entry))
            configs.append((config, ServiceHTTP(config)))
        self._items: dict[str, RucioInstance] = {}
        for index, (config, http) in enumerate(configs):
            if config.instance_name in self._items:
                raise ValueError(f"two Rucio instances are named {config.instance_name!r}")
            file = "rucio.json" if index == 0 else f"rucio-{config.instance_name}.json"
            credentials = CredentialStore(config, data_dir / file)
            credentials.load()
            client = client_class.from_config(config, http)
            self._items[config.instance_name] = RucioInstance(config, client, credentials)

    @property
    def default(self) -> RucioInstance:
        return next(iter(self._items.values()))

    def get(self, name: str | None) -> RucioInstance:
        if not name:
            return self.default
        try:
            return self._items[name]
        except KeyError:
            raise EscapeError(
                404,
                "rucio_instance_not_found",
                f"There is no Rucio instance '{name}' here.",
                service="rucio",
            ) from None

    def all(self) -> list[RucioInstance]:
        return list(self._items.values())

    def describe(self) -> list[dict[str, str]]:
        return [item.describe() for item in self._items.values()]

    def secrets(self) -> list[str]:
        return [s for item in self._items.values() for s in item.config.secrets()]

    async def aclose(self) -> None:
        for index, item in enumerate(self._items.values()):
            await item.client.aclose()
            if index:  # the first instance's session belongs to Services
                await item.client.http.aclose()
