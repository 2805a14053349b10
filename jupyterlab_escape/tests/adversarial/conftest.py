"""The hostile corpus: crafted notebooks, specs, records, zips and upstream answers.

Every case asserts the exact refusal *and* that nothing was written where it should not be:
``writes`` snapshots the whole test sandbox (the server's root directory, the home, data and
runtime folders pytest-jupyter makes under ``tmp_path``) before the test, and after it lists the
files that appeared or changed, and the files that carry a hostile payload's marker.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest


class WriteGuard:
    def __init__(self, top: Path):
        self.top = top
        self.marker = f"ESCAPE-HOSTILE-{secrets.token_hex(6)}".encode()
        self.before = self._state()

    def rebase(self) -> None:
        """Take the snapshot again (after a test has laid out its own scene)."""
        self.before = self._state()

    def _state(self) -> dict[str, tuple[int, int]]:
        out: dict[str, tuple[int, int]] = {}
        for folder, dirs, files in os.walk(self.top, followlinks=False):
            for name in files + [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
                path = os.path.join(folder, name)
                try:
                    st = os.lstat(path)
                except OSError:
                    continue
                out[os.path.relpath(path, self.top)] = (st.st_size, st.st_mtime_ns)
        return out

    def changed(self) -> list[str]:
        """Sandbox paths (relative to ``tmp_path``) created or modified since the snapshot."""
        after = self._state()
        return sorted(p for p, sig in after.items() if self.before.get(p) != sig)

    def carrying_marker(self) -> list[str]:
        found = []
        for folder, _dirs, files in os.walk(self.top, followlinks=False):
            for name in files:
                path = os.path.join(folder, name)
                if os.path.islink(path):
                    continue
                try:
                    with open(path, "rb") as handle:
                        if self.marker in handle.read(16 * 1024 * 1024):
                            found.append(os.path.relpath(path, self.top))
                except OSError:
                    continue
        return sorted(found)

    def assert_only(self, *allowed: str, ignore: tuple[str, ...] = ()) -> None:
        """Nothing changed and no marker landed outside the ``allowed`` prefixes (relative to
        ``tmp_path``, e.g. ``"root_dir/datalake"``). Our own state files may be ``ignore``d."""

        def ok(path: str) -> bool:
            return any(path == a or path.startswith(a.rstrip("/") + "/") for a in allowed) or any(
                path.startswith(i) for i in ignore
            )

        strays = [p for p in self.changed() + self.carrying_marker() if not ok(p)]
        assert not strays, f"written outside {allowed}: {strays}"

    def assert_nothing(self, ignore: tuple[str, ...] = ()) -> None:
        self.assert_only(ignore=ignore)


@pytest.fixture
def writes(tmp_path) -> WriteGuard:
    """Snapshot of the test sandbox; the test calls ``writes.assert_only(...)`` at its end."""
    return WriteGuard(tmp_path)
