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
