"""The configured upstream services of one server: their settings and HTTP sessions."""

from __future__ import annotations

from dataclasses import dataclass, field

from .config import EscapeReana, EscapeRucio, EscapeZenodo, ServiceConfig
from .http import ServiceHTTP


@dataclass
class Services:
    rucio: EscapeRucio
    reana: EscapeReana
    zenodo: EscapeZenodo
    http: dict[str, ServiceHTTP] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for config in self.all():
            self.http.setdefault(config.service_id, ServiceHTTP(config))

    def all(self) -> list[ServiceConfig]:
        return [self.rucio, self.reana, self.zenodo]

    def secrets(self) -> list[str]:
        return [secret for config in self.all() for secret in config.secrets()]

    async def aclose(self) -> None:
        for http in self.http.values():
            await http.aclose()
