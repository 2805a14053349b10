"""Being a good citizen of Zenodo: a TTL cache of answers and per-minute request budgets."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class TTLCache:
    """Answers kept for ``ttl`` seconds, least recently used dropped beyond ``max_entries``."""

    def __init__(
        self, ttl: float, max_entries: int = 512, clock: Callable[[], float] = time.monotonic
    ):
        self.ttl = ttl
        self.max_entries = max_entries
        self.clock = clock
        self._items: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()

    def get(self, key: Hashable) -> Any | None:
        item = self._items.get(key)
        if item is None:
            return None
        expires, value = item
        if expires <= self.clock():
            del self._items[key]
            return None
        self._items.move_to_end(key)
        return value

    def put(self, key: Hashable, value: Any) -> None:
        if self.ttl <= 0:
            return
        self._items[key] = (self.clock() + self.ttl, value)
        self._items.move_to_end(key)
        while len(self._items) > self.max_entries:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


class RateLimiter:
    """A token bucket: ``rate`` requests per ``per`` seconds, bursts up to ``rate``.

    ``reserve()`` takes a token and says how long to wait before using it (0: go now), so
    callers can wait briefly or refuse with a Retry-After when the wait is long.
    """

    def __init__(self, rate: int, per: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.capacity = max(1, rate)
        self.interval = per / self.capacity
        self.clock = clock
        self._tokens = float(self.capacity)
        self._stamp = clock()

    def _refill(self) -> None:
        now = self.clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._stamp) / self.interval)
        self._stamp = now

    def wait_time(self) -> float:
        """Seconds until a token is free, without taking one."""
        self._refill()
        return 0.0 if self._tokens >= 1 else (1 - self._tokens) * self.interval

    def reserve(self) -> float:
        self._refill()
        self._tokens -= 1
        return 0.0 if self._tokens >= 0 else -self._tokens * self.interval

    def cancel(self) -> None:
        """Give back a token reserved but not used."""
        self._tokens = min(self.capacity, self._tokens + 1)
