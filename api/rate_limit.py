"""Per-key budgets over a sliding window, in this process's memory (the API runs in one process).

`Moments` counts what happened per key in the last `window` seconds; `RateLimit` is a budget of requests per
user (a TTS preview costs the server real work) and `api.login_throttle` counts failed sign-ins with it. Over
budget is `TooManyRequests`: 429 with Retry-After until the oldest counted moment leaves the window.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Hashable


class TooManyRequests(Exception):
    def __init__(self, what: str, retry_after: float) -> None:
        self.retry_after = max(1, int(retry_after + 0.999))
        super().__init__(f"too many {what}; try again in {self.retry_after} s")


class Moments:
    """When something happened, per key, within the last `window` seconds. Not thread-safe: callers lock."""

    def __init__(self, window: float, *, max_keys: int = 10_000) -> None:
        self.window = window
        self._max_keys = max_keys
        self._moments: dict[Hashable, deque[float]] = {}

    def recent(self, key: Hashable, now: float) -> deque[float]:
        """The key's moments still inside the window, oldest first (a key left with none is forgotten)."""
        moments = self._moments.get(key, deque())
        while moments and moments[0] <= now - self.window:
            moments.popleft()
        if not moments:
            self._moments.pop(key, None)
        return moments

    def add(self, key: Hashable, now: float) -> None:
        if key not in self._moments and len(self._moments) >= self._max_keys:
            # Many keys at once: forget the quietest half.
            for quiet in sorted(self._moments, key=lambda k: self._moments[k][-1])[: self._max_keys // 2]:
                del self._moments[quiet]
        self._moments.setdefault(key, deque()).append(now)

    def forget(self, key: Hashable) -> None:
        self._moments.pop(key, None)

    def remove(self, key: Hashable, moment: float) -> None:
        """Take one moment back (an attempt counted in advance that turned out not to count)."""
        moments = self._moments.get(key)
        if moments is not None and moment in moments:
            moments.remove(moment)
            if not moments:
                del self._moments[key]

    def wait(self, moments: deque[float], now: float) -> float:
        """Seconds until the oldest of `moments` (a key's `recent`) leaves the window."""
        return moments[0] + self.window - now


class RateLimit:
    """At most `limit` requests per key in `window` seconds."""

    def __init__(
        self,
        what: str,
        *,
        limit: int,
        window: float,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 10_000,
    ) -> None:
        self._what = what
        self._limit = limit
        self._clock = clock
        self._taken = Moments(window, max_keys=max_keys)
        self._lock = threading.Lock()  # sync routes run on worker threads

    def take(self, key: str) -> None:
        """Count one request of `key`, or raise `TooManyRequests` when its budget for the window is spent."""
        now = self._clock()
        with self._lock:
            taken = self._taken.recent(key, now)
            if len(taken) >= self._limit:
                raise TooManyRequests(self._what, self._taken.wait(taken, now))
            self._taken.add(key, now)
