"""Access tokens from the JupyterHub that started this server: fresh without a restart.

Under a hub whose authenticator keeps tokens in its (encrypted) auth state, the single-user server
may read its own user's auth state with its API token (``GET $JUPYTERHUB_API_URL/users/$USER``,
scope ``admin:auth_state!user``; see ``jupyterlab_escape.hub`` for the hub's side). Each read can
make the hub refresh the tokens (``refresh_user``), so asking shortly before a token expires gives
a fresh one. A token is cached per audience until ``margin`` seconds before its expiry.

Which token serves an upstream: ``auth_state["exchanged_tokens"][audience]["access_token"]`` (the
hub exchanged the sign-in token for this audience, RFC 8693), else the sign-in ``access_token``.
A token the hub hands back already expired means the hub could not refresh it (revoked or expired
refresh token): the user must sign in again, and the error says so with the hub's login link.

The hub's answer is trusted as far as the hub is (its URL and token come from the environment the
hub set); its size is bounded and nothing of it reaches the browser except the login link.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import quote

import httpx

from .config import EscapeHub
from .http import EscapeError

log = logging.getLogger("jupyterlab_escape.tokens")

HUB_ANSWER_MAX = 1024 * 1024


@dataclass
class Token:
    value: str
    expires_at: float | None  # epoch seconds, None when unknown
    source: str


def jwt_expiry(token: str) -> float | None:
    """The `exp` claim of a JWT, without verifying it (the service verifies); None if not a JWT."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(payload))
        return float(claims["exp"])
    except (ValueError, KeyError, TypeError):
        return None


def hhmm(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%H:%M UTC")


def _number(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


class HubTokens:
    """Tokens of this server's user, read from the hub's auth state and cached per audience."""

    def __init__(
        self, config: EscapeHub, now=time.time, transport: httpx.AsyncBaseTransport | None = None
    ):
        self.config = config
        self._now = now
        self._transport = transport
        self._cache: dict[str, Token] = {}
        self._refused: dict[str, str] = {}
        self._lock = asyncio.Lock()
        self._client: httpx.AsyncClient | None = None
        self._unavailable_logged = False

    @property
    def available(self) -> bool:
        """Running under a hub: its API URL, this server's token and user are known."""
        return bool(self.config.api_url and self.config.api_token and self.config.user)

    def signin_expired(self, service: str, expired_at: float | None) -> EscapeError:
        when = f" at {hhmm(expired_at)}" if expired_at else ""
        login = self.config.login_url
        return EscapeError(
            401,
            "signin_expired",
            f"Your sign-in expired{when} and the hub could not renew it: sign in again"
            + (f" at {login}" if login else "")
            + ", then retry.",
            service=service,
            login_url=login or None,
        )

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(self.config.timeout),
                transport=self._transport,
                follow_redirects=False,
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def forget(self, audience: str | None = None) -> None:
        """Drop cached tokens (after the service refused one): the next call asks the hub. A
        refused token the hub hands back again at the end of its life was not renewed."""
        if audience is None:
            self._cache.clear()
            self._refused.clear()
            return
        refused = self._cache.pop(audience, None)
        if refused is not None:
            self._refused[audience] = refused.value

    async def token(self, audience: str, service: str) -> Token | None:
        """The current token for ``audience``; None when the hub keeps no tokens for this user
        (auth state disabled or not readable by this server): the next source is tried."""
        async with self._lock:
            cached = self._cache.get(audience)
            if cached and (
                cached.expires_at is None or cached.expires_at - self.config.margin > self._now()
            ):
                return cached
            state = await self._auth_state(service)
            if state is None:
                return None
            token = self._pick(state, audience)
            if token is None:
                return None
            refused = self._refused.pop(audience, None) == token.value
            if token.expires_at is not None and (
                token.expires_at <= self._now()
                or (refused and token.expires_at - self.config.margin <= self._now())
            ):
                self._cache.pop(audience, None)
                raise self.signin_expired(service, token.expires_at)
            self._cache[audience] = token
            return token

    def _pick(self, state: dict, audience: str) -> Token | None:
        exchanged = state.get("exchanged_tokens")
        entry = exchanged.get(audience) if isinstance(exchanged, dict) else None
        if isinstance(entry, dict) and isinstance(entry.get("access_token"), str):
            value = entry["access_token"]
            expires = _number(entry.get("expires_at")) or jwt_expiry(value)
            return Token(value, expires, f"the hub's auth state ({audience} token)")
        value = state.get("access_token")
        if not isinstance(value, str) or not value:
            return None
        expires = _number(state.get("access_token_expires_at")) or jwt_expiry(value)
        return Token(value, expires, "the hub's auth state (access token)")

    async def _auth_state(self, service: str) -> dict | None:
        url = f"{self.config.api_url.rstrip('/')}/users/{quote(self.config.user, safe='')}"
        try:
            response = await self._http().get(
                url, headers={"Authorization": f"token {self.config.api_token}"}
            )
        except httpx.TimeoutException as exc:
            raise EscapeError(
                504, "hub_timeout", "The hub did not answer in time for a token.", service=service
            ) from exc
        except httpx.HTTPError as exc:
            raise EscapeError(
                502,
                "hub_unreachable",
                f"The hub could not be reached for a token ({type(exc).__name__}).",
                service=service,
            ) from exc
        if response.status_code in (401, 403, 404):
            self._log_unavailable(f"HTTP {response.status_code}")
            return None
        if response.status_code >= 400 or len(response.content) > HUB_ANSWER_MAX:
            raise EscapeError(
                502,
                "hub_bad_response",
                f"The hub answered HTTP {response.status_code} when asked for a token.",
                service=service,
                upstream_status=response.status_code,
            )
        try:
            state = response.json().get("auth_state")
        except (ValueError, AttributeError):
            state = None
        if not isinstance(state, dict):
            self._log_unavailable("no auth_state in the answer")
            return None
        return state

    def _log_unavailable(self, why: str) -> None:
        if not self._unavailable_logged:
            self._unavailable_logged = True
            log.warning(
                "jupyterlab_escape: the hub keeps no tokens this server may read (%s): enable "
                "auth state and grant admin:auth_state!user to servers (README, 'Under "
                "JupyterHub'); using the next token source",
                why,
            )


def hub_for(config) -> HubTokens:
    """The hub token source of a service's configuration: the server's shared one (set by the
    app), else one made from the hub's environment."""
    hub = getattr(config, "hub_tokens", None)
    if hub is None:
        hub = HubTokens(EscapeHub(parent=getattr(config, "parent", None)))
        config.hub_tokens = hub
    return hub
