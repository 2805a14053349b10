"""Answers that Galata specs give the page instead of the server say what the server says, word
for word: a screenshot must never document wording the product does not show (review s3 §13)."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

from jupyterlab_escape.config import EscapeHub
from jupyterlab_escape.tokens import HubTokens

SPECS = Path(__file__).resolve().parents[2] / "ui-tests" / "tests"


def test_the_mocked_signin_expiry_is_the_servers_sentence():
    spec = (SPECS / "truths-21.spec.ts").read_text(encoding="utf-8")
    login = re.search(r"const LOGIN = '([^']+)'", spec).group(1)
    mocked = re.search(r"code: 'signin_expired',\s*message: `([^`]+)`", spec).group(1)
    mocked = mocked.replace("${LOGIN}", login)
    at = re.search(r"expired at (\d\d):(\d\d)", mocked)
    assert at, mocked
    expired = datetime(2026, 11, 26, int(at[1]), int(at[2]), tzinfo=timezone.utc).timestamp()
    hub = HubTokens(
        EscapeHub(api_url="http://127.0.0.1:9/hub/api", api_token="t", user="u", login_url=login)
    )
    assert mocked == hub.signin_expired("rucio", expired).message
