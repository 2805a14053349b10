"""The genuine Rucio REST app, but every token it issues expires after N seconds.

Rucio hard-codes the lifetime of userpass/x509/ssh/gss tokens to one hour (the column
default of ``models.Token.expired_at``). To test expiry for real, the testbed runs this
module as a second gunicorn on its own port, against the same database: a SQLAlchemy
``before_insert`` listener sets ``expired_at`` to now + ``ESCAPE_TESTBED_SHORT_TOKEN_SECONDS``
(default 30; overridable at run time through the file named by
``ESCAPE_TESTBED_SHORT_TOKEN_FILE``) before the row is written, so the token stored in the DB
and the ``X-Rucio-Auth-Token-Expires`` header agree. The tokens are valid on both servers (same DB);
once expired both answer 401 ``CannotAuthenticate``.

Runs inside the testbed's Rucio venv (imported by gunicorn via ``--pythonpath``).
"""

import datetime
import importlib
import os

from sqlalchemy import event

# First the testbed's SQLite settings and Rucio's app (the Token listener works either way).
application = importlib.import_module("testbed_wsgi").application
models = importlib.import_module("rucio.db.sqla.models")

DEFAULT_SECONDS = int(os.environ.get("ESCAPE_TESTBED_SHORT_TOKEN_SECONDS", "30"))
# A test may change the lifetime at run time by writing a number of seconds into this file
# (read on every token creation; `testbed reset` removes it).
OVERRIDE_FILE = os.environ.get("ESCAPE_TESTBED_SHORT_TOKEN_FILE", "")


def lifetime_seconds() -> int:
    if OVERRIDE_FILE:
        try:
            with open(OVERRIDE_FILE) as fh:
                return int(fh.read().strip())
        except (OSError, ValueError):
            pass
    return DEFAULT_SECONDS


@event.listens_for(models.Token, "before_insert")
def _shorten_token_lifetime(mapper, connection, target):  # SQLAlchemy's signature
    if target.token and target.token.startswith("challenge-"):
        return  # ssh challenge nonces keep their own 10 s lifetime
    # naive UTC, like every Rucio timestamp
    now = datetime.datetime.utcnow()  # noqa: DTZ003
    target.expired_at = now + datetime.timedelta(seconds=lifetime_seconds())


__all__ = ["application"]
