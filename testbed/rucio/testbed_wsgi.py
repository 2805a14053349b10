"""The genuine Rucio REST app, served to the testbed with SQLite made fit for concurrency.

gunicorn imports ``testbed_wsgi:application`` (``--pythonpath testbed/rucio``) instead of
``rucio.web.rest.flaskapi.v1.main:application``. The Flask app and every Rucio code path are
untouched; only the SQLite connections of the process are tuned, through SQLAlchemy events on the
``Engine`` class (Rucio creates its engine lazily, after this import).

Why: with Rucio's defaults, two overlapping writes (a token insert during a bulk attach, two
uploads) make one of them fail at once with ``database is locked`` -> HTTP 500, even with a busy
timeout, because a transaction that has already read cannot wait for the write lock (SQLite
returns SQLITE_BUSY immediately to avoid a deadlock). Measured: 50 of 257 requests failed under
a small mixed load. With the settings below: none.

- ``journal_mode=WAL``: readers never block the writer and the writer never blocks readers.
- Requests that may write (any method but GET/HEAD, and everything under ``/auth``, which
  stores tokens) open their first transaction with ``BEGIN IMMEDIATE``: they take the write
  lock first, so they queue behind each other (``busy_timeout``) instead of failing. Read-only
  requests use a plain deferred ``BEGIN`` and run in parallel on a WAL snapshot.
- ``synchronous=NORMAL``: no fsync per commit (a testbed needs no durability across power cuts).

Database errors are logged (WARNING, to the server log) with the SQLite message, which Rucio's
REST layer otherwise hides behind "An unknown Database Exception has occurred."

Runs inside the testbed's Rucio venv.
"""

import importlib
import logging
import os
import threading

from sqlalchemy import event
from sqlalchemy.engine import Engine

BUSY_MS = int(os.environ.get("ESCAPE_TESTBED_SQLITE_BUSY_MS", "60000"))


def _trust_the_testbed_certificate() -> None:
    """The hub testbed's OpenID Connect provider serves HTTPS with this testbed's certificate:
    Rucio's OIDC code (pyoidc over requests) fetches its discovery document and keys through
    requests, which trusts REQUESTS_CA_BUNDLE: the usual CAs plus that certificate."""
    if not os.environ.get("RUCIO_CONFIG"):
        return
    certs = os.path.normpath(os.path.join(os.path.dirname(os.environ["RUCIO_CONFIG"]), "../certs"))
    ours = os.path.join(certs, "server.crt")
    try:
        import certifi

        usual = os.environ.get("REQUESTS_CA_BUNDLE") or certifi.where()
        if usual.startswith(certs):
            usual = certifi.where()
        with open(usual, "rb") as a, open(ours, "rb") as b:
            bundle = a.read() + b"\n" + b.read()
    except (ImportError, OSError):
        return
    path = os.path.join(certs, f"requests-ca-bundle.{os.getpid()}.pem")
    with open(path, "wb") as handle:
        handle.write(bundle)
    os.replace(path, os.path.join(certs, "requests-ca-bundle.pem"))
    os.environ["REQUESTS_CA_BUNDLE"] = os.path.join(certs, "requests-ca-bundle.pem")


_trust_the_testbed_certificate()
LOG = logging.getLogger("escape.testbed")
_REQUEST = threading.local()  # .writes: the current request may write (gthread: one per thread)
# POST endpoints that only read (big bodies of DIDs); they may stream for a long time and must
# not hold the write lock meanwhile.
READ_ONLY_POSTS = ("/replicas/list",)


def _is_sqlite(dbapi_connection) -> bool:
    return type(dbapi_connection).__module__.split(".")[0] in ("sqlite3", "pysqlite2")


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):  # SQLAlchemy's signature
    if not _is_sqlite(dbapi_connection):
        return
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_MS}")
    finally:
        cursor.close()
    # The driver must not open transactions by itself (it would do so lazily, right before the
    # first INSERT/UPDATE/DELETE): the "begin" listener below opens them.
    dbapi_connection.isolation_level = None


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection):
    if connection.dialect.name != "sqlite":
        return
    # Only the first transaction of a request takes the write lock. Rucio sometimes opens a
    # second, independent session while the first is still open (creating a rule does); were
    # that one IMMEDIATE too, it would wait for the lock its own request holds.
    if getattr(_REQUEST, "writes", True) and getattr(_REQUEST, "owner", None) is None:
        _REQUEST.owner = connection
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.exec_driver_sql("BEGIN")


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _sqlite_end(connection):
    if getattr(_REQUEST, "owner", None) is connection:
        _REQUEST.owner = None


@event.listens_for(Engine, "handle_error")
def _log_database_error(context):
    statement = (context.statement or "").split("\n", 1)[0][:160]
    LOG.warning("database error %r in: %s", context.original_exception, statement)


# Imported only now, after the listeners: Rucio may open its engine while importing.
rucio_application = importlib.import_module("rucio.web.rest.flaskapi.v1.main").application


def application(environ, start_response):
    method = environ.get("REQUEST_METHOD", "GET")
    path = environ.get("PATH_INFO", "")
    _REQUEST.owner = None
    if method in ("GET", "HEAD"):
        _REQUEST.writes = path.startswith("/auth")
    else:
        _REQUEST.writes = not path.rstrip("/").endswith(READ_ONLY_POSTS)
    return rucio_application(environ, start_response)


__all__ = ["application"]
