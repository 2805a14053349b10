"""pytest fixture: a fresh Zenodo stand-in on a free loopback port, in the test's event loop."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ..standin import free_port
from .seed import generate
from .server import State, make_app

_SEED = None


def _records():
    global _SEED
    if _SEED is None:
        _SEED = generate()
    return _SEED


@dataclass
class StandIn:
    url: str
    state: State
    server: object

    def stop(self) -> None:
        self.server.stop()


@pytest.fixture
def zenodo_standin():
    """Sync on purpose: pytest-jupyter's loop is current while the server starts listening."""
    app = make_app(_records())
    port = free_port()
    server = app.listen(port, address="127.0.0.1")
    standin = StandIn(f"http://127.0.0.1:{port}", app.standin_state, server)
    yield standin
    standin.stop()


@pytest.fixture(scope="session")
def eossr_python():
    """The real eossr's venv (testbed/zenodo/eossr_env.py), built on first use. A machine where it
    cannot be built fails the tests that need it: they are never skipped."""
    from . import eossr_env

    if not eossr_env.ready():
        assert eossr_env.setup() == 0, "testbed/zenodo/standin setup could not build eossr's venv"
    return eossr_env.python()


async def run_eossr(python, *args: str, stdin: bytes | None = None, timeout: float = 300):
    """Run testbed/zenodo/eossr_driver.py in eossr's venv without blocking the event loop (the
    in-process stand-in must answer it). Returns (returncode, stdout, stderr)."""
    import asyncio

    from . import eossr_env

    process = await asyncio.create_subprocess_exec(
        str(python),
        str(eossr_env.DRIVER),
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(stdin), timeout)
    return process.returncode, out.decode(), err.decode()
