"""Bearer tokens of an OpenID Connect provider, checked as a REANA in OIDC mode would.

A token is accepted when it is a JWT signed with a key of the provider's JWKS (fetched by PyJWT's
``PyJWKClient`` and cached), its ``iss`` is the provider, its ``aud`` includes the audience and it
has not expired. The stand-in then acts for its one user, whatever the ``sub``.
"""

from __future__ import annotations

import logging
import os
import ssl
from dataclasses import dataclass, field

import jwt

log = logging.getLogger("reana-standin")


@dataclass
class OidcCheck:
    issuer: str
    jwks_url: str
    audience: str = "reana"
    ca_file: str = ""
    _keys: jwt.PyJWKClient | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls) -> OidcCheck | None:
        """ESCAPE_REANA_OIDC_ISSUER (+ _JWKS_URL, default <issuer>/jwks; _AUDIENCE, default
        reana; _CA, a PEM file that verifies the provider): set -> bearer tokens are checked
        against that provider."""
        issuer = os.environ.get("ESCAPE_REANA_OIDC_ISSUER", "").rstrip("/")
        if not issuer:
            return None
        return cls(
            issuer=issuer,
            jwks_url=os.environ.get("ESCAPE_REANA_OIDC_JWKS_URL") or f"{issuer}/jwks",
            audience=os.environ.get("ESCAPE_REANA_OIDC_AUDIENCE") or "reana",
            ca_file=os.environ.get("ESCAPE_REANA_OIDC_CA", ""),
        )

    def valid(self, token: str) -> bool:
        if self._keys is None:
            context = ssl.create_default_context(cafile=self.ca_file or None)
            self._keys = jwt.PyJWKClient(
                self.jwks_url, cache_keys=True, timeout=5, ssl_context=context
            )
        try:
            key = self._keys.get_signing_key_from_jwt(token)
            jwt.decode(
                token,
                key.key,
                algorithms=["RS256", "ES256", "PS256"],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as error:
            log.info("bearer token refused: %s", error)
            return False
        return True
