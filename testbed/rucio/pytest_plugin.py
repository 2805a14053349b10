"""pytest plugin: a real Rucio data lake for the test session.

Load it from a conftest.py::

    pytest_plugins = ["testbed.rucio.pytest_plugin"]

Fixtures
    rucio_testbed        (session) runs `testbed/rucio/testbed setup` (idempotent: ~0.3 s when
                         everything is up, a few minutes on a fresh machine) and yields a
                         :class:`RucioTestbed`. Services it had to start are stopped at the end of
                         the session unless ESCAPE_TESTBED_KEEP=1 or another process (pytest
                         session, benchmark) still holds a lease on them.
    rucio_testbed_clean  (function) the same object; calls ``reset()`` after the test.

Environment: ESCAPE_TESTBED_HOME (state dir parent), ESCAPE_TESTBED_BIG=1 (also seed the
100,000-DID scope), ESCAPE_TESTBED_KEEP=1 (leave services running).

Only the standard library is used here: the Rucio server and CLI live in the testbed's own venv
and are reached over HTTP or run as subprocesses.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

import pytest

from testbed.rucio.handle import (  # noqa: F401  (re-exported for users of the plugin)
    RucioAccount,
    RucioRSE,
    RucioTestbed,
    default_state_dir,
    load_testbed,
    release_lease,
    run_testbed,
    services_up,
    take_lease,
)


@pytest.fixture(scope="session")
def rucio_testbed() -> Iterator[RucioTestbed]:
    was_up = services_up()
    output = run_testbed("setup")
    if not was_up:
        sys.stderr.write(output[-2000:])
    testbed = load_testbed(default_state_dir())
    lease = take_lease(testbed.state_dir)
    try:
        yield testbed
    finally:
        last_user = release_lease(lease)
        if not was_up and last_user and os.environ.get("ESCAPE_TESTBED_KEEP") != "1":
            run_testbed("stop")


@pytest.fixture
def rucio_testbed_clean(rucio_testbed: RucioTestbed) -> Iterator[RucioTestbed]:
    try:
        yield rucio_testbed
    finally:
        rucio_testbed.reset()
