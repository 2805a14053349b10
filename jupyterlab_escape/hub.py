"""JupyterHub side of fresh tokens: OAuthenticator hooks for the hub's configuration.

This module runs in the **hub**, not in the single-user server: import it from
``jupyterhub_config.py`` (it needs only OAuthenticator, and nothing of this package is imported)::

    from jupyterlab_escape.hub import token_hooks
    modify, refresh = token_hooks(audiences=["rucio"], margin=60)
    c.GenericOAuthenticator.modify_auth_state_hook = modify
    c.GenericOAuthenticator.refresh_user_hook = refresh

- ``modify_auth_state_hook`` runs at login and after every refresh: it notes when the access token
  expires and exchanges it (RFC 8693 token exchange at the provider's token endpoint, as the ESCAPE
  hub does for Rucio) for one token per audience, kept in
  ``auth_state["exchanged_tokens"][audience] = {"access_token", "expires_at"}``. An audience the
  provider refuses to exchange is logged and left out (the server then uses the access token).
- ``refresh_user_hook`` answers "still fresh" without any network call while every token has more
  than ``margin`` seconds left; otherwise it uses the refresh token (OAuthenticator's own request
  builders) and runs the exchange again. A refused refresh (revoked or expired refresh token)
  returns False: the hub keeps the stale state for API requests and asks for a new login on the next
  browser request; the single-user server turns the expired token into "sign in again".

The hub calls ``refresh_user`` when an authenticated request (a browser cookie or the server's
own API token reading its auth state) finds the last refresh older than
``Authenticator.auth_refresh_age``: keep that below the token lifetime minus ``margin``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"


def _expiry(token_info: dict, now: float) -> float | None:
    try:
        return now + float(token_info["expires_in"])
    except (KeyError, TypeError, ValueError):
        return None


def earliest_expiry(auth_state: dict) -> float | None:
    """When the first of the access token and the exchanged tokens expires (None: unknown)."""
    times = [auth_state.get("access_token_expires_at")]
    for entry in (auth_state.get("exchanged_tokens") or {}).values():
        if isinstance(entry, dict):
            times.append(entry.get("expires_at"))
    known = [float(t) for t in times if isinstance(t, (int, float))]
    return min(known) if known else None


def token_hooks(audiences: Iterable[str] = ("rucio",), margin: float = 60, scope: str = ""):
    """The two OAuthenticator hooks: (modify_auth_state_hook, refresh_user_hook)."""
    audiences = list(audiences)

    async def exchange(authenticator, access_token: str, audience: str) -> dict | None:
        params = {
            "grant_type": TOKEN_EXCHANGE,
            "subject_token": access_token,
            "subject_token_type": ACCESS_TOKEN_TYPE,
            "requested_token_type": ACCESS_TOKEN_TYPE,
            "audience": audience,
        }
        if scope:
            params["scope"] = scope
        if not authenticator.basic_auth:
            params["client_id"] = authenticator.client_id
            params["client_secret"] = authenticator.client_secret
        try:
            info = await authenticator.get_token_info(None, params)
        except Exception as exc:  # the provider refused: keep going without this audience
            authenticator.log.warning("Token exchange for audience %r failed: %s", audience, exc)
            return None
        return {
            "access_token": info["access_token"],
            "expires_at": _expiry(info, time.time()),
        }

    async def modify_auth_state(authenticator, auth_state: dict) -> dict:
        now = time.time()
        response = auth_state.get("token_response") or {}
        auth_state["access_token_expires_at"] = _expiry(response, now)
        exchanged = {}
        for audience in audiences:
            entry = await exchange(authenticator, auth_state["access_token"], audience)
            if entry:
                exchanged[audience] = entry
        auth_state["exchanged_tokens"] = exchanged
        return auth_state

    async def refresh_user(authenticator, user, auth_state: dict | None):
        if not auth_state:
            return None  # OAuthenticator's default: a new login
        expires = earliest_expiry(auth_state)
        if expires is not None and expires - margin > time.time():
            return True
        refresh_token = auth_state.get("refresh_token")
        if not refresh_token:
            return None
        params = authenticator.build_refresh_token_request_params(refresh_token)
        try:
            token_info = await authenticator.get_token_info(None, params)
        except Exception as exc:
            authenticator.log.info(
                "Refreshing the tokens of %s failed (%s): a new login is needed", user.name, exc
            )
            return False
        if not token_info.get("refresh_token"):
            token_info["refresh_token"] = refresh_token
        user_info = await authenticator.token_to_user(token_info)
        state = authenticator.build_auth_state_dict(token_info, user_info)
        if hasattr(state, "__await__"):
            state = await state
        state = await modify_auth_state(authenticator, state)
        authenticator.log.info("Refreshed the tokens of %s", user.name)
        return {"name": user.name, "auth_state": state}

    return modify_auth_state, refresh_user
