"""Failed authentication, counted per client address, slows guessing down.

After ``limit`` failures from one address within ``window`` seconds (a fixed window from the
first failure), that address's requests without a valid token are answered 429 with
``Retry-After`` until the window ends. A valid token is never refused: the limiter only decides
what a failure is answered with, and which requests may skip the token lookup (a missing,
malformed or wrongly shaped token cannot be valid). Counts live in the process (each server
process counts for itself), in a table of at most ``capacity`` addresses: the least recently
failing address is forgotten first, so many addresses cannot grow it without bound.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable


class FailureLimiter:
    def __init__(
        self,
        limit: int,
        window: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        capacity: int = 10_000,
    ) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self.capacity = capacity
        self._windows: OrderedDict[str, tuple[float, int]] = OrderedDict()  # start, failures

    def __len__(self) -> int:
        return len(self._windows)

    def retry_after(self, address: str) -> int | None:
        """Seconds until ``address`` may fail again, or None if it is not limited."""
        entry = self._windows.get(address)
        if entry is None:  # the common case, on every authenticated request: one dict lookup
            return None
        start, failures = entry
        left = start + self.window - self.clock()
        if left <= 0:
            del self._windows[address]
            return None
        return max(1, math.ceil(left)) if failures >= self.limit else None

    def failed(self, address: str) -> None:
        now = self.clock()
        start, failures = self._windows.pop(address, (now, 0))
        if now - start >= self.window:
            start, failures = now, 0
        self._windows[address] = (start, failures + 1)  # last in the order: most recent
        while len(self._windows) > self.capacity:
            self._windows.popitem(last=False)
