"""A per-user budget for requests that cost the server real work (speaking a TTS preview): so many per window.

Counted in this process's memory, as the sign-in throttle is (the API runs in one process). A user over the
budget is refused with 429 and Retry-After until their oldest counted request leaves the window.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class TooManyRequests(Exception):
    def __init__(self, what: str, retry_after: float) -> None:
        self.retry_after = max(1, int(retry_after + 0.999))
        super().__init__(f"too many {what}; try again in {self.retry_after} s")


class RateLimit:
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
        self._window = window
        self._clock = clock
        self._max_keys = max_keys
        self._taken: dict[str, deque[float]] = {}
        self._lock = threading.Lock()  # sync routes run on worker threads

    def take(self, key: str) -> None:
        """Count one request of `key`, or raise `TooManyRequests` when its budget for the window is spent."""
        now = self._clock()
        with self._lock:
            taken = self._taken.get(key)
            if taken is None:
                if len(self._taken) >= self._max_keys:  # many users at once: forget the quietest half
                    for old in sorted(self._taken, key=lambda k: self._taken[k][-1])[: self._max_keys // 2]:
                        del self._taken[old]
                taken = self._taken[key] = deque()
            while taken and taken[0] <= now - self._window:
                taken.popleft()
            if len(taken) >= self._limit:
                raise TooManyRequests(self._what, taken[0] + self._window - now)
            taken.append(now)
