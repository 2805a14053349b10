"""roc-validator (CRS4 rocrate-validator) run offline in the test process.

The validator resolves the crate's JSON-LD context over HTTP through one shared session
(``HttpRequester``). Here that session serves the RO-Crate 1.1 context from ``data/`` and refuses
every other URL, so validation runs without network and can never reach a host.
"""

from __future__ import annotations

from pathlib import Path

import requests
from requests.adapters import BaseAdapter

CONTEXT_URL = "https://w3id.org/ro/crate/1.1/context"
CONTEXT_FILE = Path(__file__).with_name("data") / "ro-crate-1.1-context.jsonld"


class _LocalContext(BaseAdapter):
    def send(self, request, **kwargs):
        response = requests.Response()
        response.url = request.url
        response.request = request
        if request.url.rstrip("/") == CONTEXT_URL:
            response.status_code = 200
            response._content = CONTEXT_FILE.read_bytes()
            response.headers["Content-Type"] = "application/ld+json"
        else:
            response.status_code = 404
            response._content = b""
        return response

    def close(self):
        pass


def _offline_requester() -> None:
    from rocrate_validator.utils.document_loader import install_document_loader
    from rocrate_validator.utils.http import HttpRequester

    install_document_loader()  # rdflib's JSON-LD contexts through the same session

    requester = HttpRequester()
    adapter = _LocalContext()
    requester.session.mount("http://", adapter)
    requester.session.mount("https://", adapter)


def validate(crate: Path, profile: str, level: str = "REQUIRED") -> list[tuple[str, str]]:
    """The issues (severity, message) the validator finds in ``crate`` for ``profile``."""
    from rocrate_validator import services
    from rocrate_validator.models import Severity, ValidationSettings

    settings = ValidationSettings(
        rocrate_uri=str(crate),
        profile_identifier=profile,
        requirement_severity=Severity[level],
        enable_profile_inheritance=True,
        no_cache=True,
    )
    _offline_requester()  # after the settings: they rebuild the validator's session
    result = services.validate(settings)
    return [(str(i.severity.name), i.message) for i in result.get_issues()] + (
        [] if result.passed() else [("FAILED", "the validator did not pass the crate")]
    )
