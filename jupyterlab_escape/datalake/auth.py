"""Rucio credentials, held on the server only: userpass, X.509, or an OIDC token.

Tokens Rucio issues (userpass, X.509) are cached until `token_margin` seconds before their expiry
and renewed once on a 401. An OIDC token comes from the first of `EscapeRucio.token_sources` that
has one: the JupyterHub auth state (tokens.py; the hub refreshes it), the token file (re-read
whenever it changes, so a token a refresher rewrites works without a restart), or an environment
variable. Its JWT `exp` is decoded locally so an expired token is reported with its expiry time
instead of an upstream 401.
"""

from __future__ import annotations

import asyncio
import json
import os
import stat
import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from ..config import TOKEN_FILE_MAX, EscapeRucio
from ..http import EscapeError, ServiceHTTP
from ..tokens import Token, hhmm, hub_for, jwt_expiry

SUPPORTED = ("userpass", "oidc", "x509", "x509_proxy")
__all__ = ["RucioAuth", "Token", "hhmm", "jwt_expiry", "rucio_message"]


def _rucio_expiry(header: str | None) -> float | None:
    if not header:
        return None
    try:
        return parsedate_to_datetime(header.replace(" UTC", " GMT")).timestamp()
    except (TypeError, ValueError):
        return None


class RucioAuth:
    """Gives the current Rucio token, obtaining or re-reading it as needed."""

    def __init__(self, config: EscapeRucio, auth_http: ServiceHTTP, now=time.time):
        self.config = config
        self.http = auth_http
        self._now = now
        self._token: Token | None = None
        self._file_stamp: tuple[float, int] | None = None
        self._lock = asyncio.Lock()

    @property
    def method(self) -> str:
        return self.config.auth_type or "userpass"

    def describe(self) -> dict:
        """What the browser may know about the credentials: never the secret itself."""
        info = {"auth_type": self.method, "account": self.config.account or None}
        if self.method == "oidc":
            info["token_source"] = (
                self._token.source
                if self._token
                else f"file {self.config.oidc_token_file}"
                if self.config.oidc_token_file
                else f"environment variable {self.config.oidc_token_env}"
            )
        if self._token and self._token.expires_at:
            info["token_expires_at"] = datetime.fromtimestamp(
                self._token.expires_at, tz=timezone.utc
            ).isoformat(timespec="seconds")
        return info

    @property
    def renewable(self) -> bool:
        """Whether a refused token can be asked for again: Rucio's own, and the hub's."""
        return self.method != "oidc" or bool(
            self._token and self._token.source.startswith("the hub's")
        )

    def invalidate(self) -> None:
        self._token = None
        if self.method == "oidc":
            hub_for(self.config).forget(self.config.oidc_audience)

    async def token(self) -> Token:
        async with self._lock:
            if self.method == "oidc":
                return await self._oidc_sources()
            if self._token and (
                self._token.expires_at is None
                or self._token.expires_at - self.config.token_margin > self._now()
            ):
                return self._token
            self._token = await self._issue()
            return self._token

    # ------------------------------------------------------------------ OIDC
    async def _oidc_sources(self) -> Token:
        """The first source of `token_sources` that has a token: the hub's auth state (when
        this server runs under a hub that keeps one), the token file, the environment."""
        for source in self.config.token_sources:
            if source == "hub":
                hub = hub_for(self.config)
                if hub.available:
                    token = await hub.token(self.config.oidc_audience, "rucio")
                    if token is not None:
                        self._token = token
                        self._file_stamp = None
                        return token
            elif source == "file" and self.config.oidc_token_file:
                return self._oidc_token(use_file=True)
            elif source == "env" and self.config.oidc_token_env:
                return self._oidc_token(use_file=False)
        raise EscapeError(
            401,
            "rucio_token_missing",
            "No Rucio token found in any of its sources "
            f"({', '.join(self.config.token_sources) or 'none configured'}).",
            service="rucio",
        )

    def _oidc_token(self, use_file: bool = True) -> Token:
        path = self.config.oidc_token_file if use_file else ""
        if path:
            try:
                st = os.stat(path)
            except OSError as exc:
                raise EscapeError(
                    401,
                    "rucio_token_missing",
                    f"The Rucio token file {path} cannot be read ({exc.strerror}).",
                    service="rucio",
                ) from exc
            if not stat.S_ISREG(st.st_mode) or st.st_size > TOKEN_FILE_MAX:
                raise EscapeError(
                    401,
                    "rucio_token_missing",
                    f"The Rucio token file {path} is not a token file (a regular file of at "
                    f"most {TOKEN_FILE_MAX // 1024} KiB).",
                    service="rucio",
                )
            stamp = (st.st_mtime, st.st_size)
            if self._token is None or stamp != self._file_stamp:
                self._file_stamp = stamp
                value = self.config.oidc_token()
                self._token = Token(value, jwt_expiry(value), f"file {path}")
        else:
            value = os.environ.get(self.config.oidc_token_env, "").strip()
            if self._token is None or self._token.value != value:
                self._token = Token(
                    value, jwt_expiry(value), f"environment variable {self.config.oidc_token_env}"
                )
        token = self._token
        if not token.value:
            raise EscapeError(
                401,
                "rucio_token_missing",
                f"No Rucio token found in the {token.source}.",
                service="rucio",
            )
        if token.expires_at is not None and token.expires_at <= self._now():
            raise EscapeError(
                401,
                "rucio_token_expired",
                f"Your Rucio token expired at {hhmm(token.expires_at)}; refresh it and retry.",
                service="rucio",
            )
        return token

    # ------------------------------------------------------------------ userpass / x509
    def _headers(self) -> dict[str, str]:
        headers = {}
        if self.config.account:
            headers["X-Rucio-Account"] = self.config.account
        if self.config.vo:
            headers["X-Rucio-VO"] = self.config.vo
        return headers

    async def _issue(self) -> Token:
        headers = self._headers()
        if self.method == "userpass":
            if not (self.config.username and self.config.password):
                raise EscapeError(
                    401,
                    "rucio_credentials_missing",
                    "Rucio userpass authentication needs a username and a password "
                    "(c.EscapeRucio.username/password or RUCIO_USERNAME/RUCIO_PASSWORD).",
                    service="rucio",
                )
            headers["X-Rucio-Username"] = self.config.username
            headers["X-Rucio-Password"] = self.config.password
            path = "auth/userpass"
        elif self.method in ("x509", "x509_proxy"):
            if not self.config.client_cert:
                raise EscapeError(
                    401,
                    "rucio_credentials_missing",
                    "Rucio X.509 authentication needs a certificate (c.EscapeRucio.client_cert "
                    "or X509_USER_CERT / X509_USER_PROXY).",
                    service="rucio",
                )
            path = "auth/x509"
        else:
            raise EscapeError(
                400,
                "rucio_auth_unsupported",
                f"Unknown Rucio auth type '{self.method}': use one of {', '.join(SUPPORTED)}.",
                service="rucio",
            )
        response = await self.http.request("GET", path, headers=headers, raise_for_status=False)
        if response.status_code == 206:
            raise EscapeError(
                409,
                "rucio_account_ambiguous",
                "This identity maps to several Rucio accounts: set c.EscapeRucio.account.",
                service="rucio",
                upstream_status=206,
            )
        if response.status_code in (401, 403):
            raise EscapeError(
                401,
                "rucio_unauthorized",
                f"Rucio refused the {self.method} credentials"
                f"{' of account ' + self.config.account if self.config.account else ''}: "
                f"{rucio_message(response) or 'check them'}.",
                service="rucio",
                upstream_status=response.status_code,
            )
        if response.status_code >= 400:
            raise self.http.error_from_response(response, rucio_message(response))
        value = response.headers.get("X-Rucio-Auth-Token")
        if not value:
            raise EscapeError(
                502, "rucio_bad_response", "Rucio answered without a token.", service="rucio"
            )
        expires = _rucio_expiry(response.headers.get("X-Rucio-Auth-Token-Expires"))
        return Token(value, expires, self.method)


def rucio_message(response) -> str | None:
    """Rucio's own explanation: ExceptionMessage header or body."""
    message = response.headers.get("ExceptionMessage")
    if not message:
        try:
            body = json.loads(response.content or b"{}")
            message = body.get("ExceptionMessage") if isinstance(body, dict) else None
        except ValueError:
            message = None
    return message.strip().rstrip(".") if message else None
