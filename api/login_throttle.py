"""Failed sign-ins slow a guesser down: after a few wrong passwords from one address, that address waits.

Counted per (username, client address) and per client address, in this process's memory (the API runs in one
process). A pair that failed `per_pair` times within `window` seconds, or an address that failed `per_address`
times, is refused with 429 and Retry-After until its oldest counted failure leaves the window, even with the right
password: otherwise a guesser would learn the password from the one answer that differs. The same user from
another address is not locked out, so a guesser cannot lock the admin out.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class TooManySignIns(Exception):
    def __init__(self, retry_after: float) -> None:
        self.retry_after = max(1, int(retry_after + 0.999))
        super().__init__(f"too many failed sign-ins from this address; try again in {self.retry_after} s")


class LoginThrottle:
    def __init__(
        self,
        *,
        per_pair: int = 5,
        per_address: int = 20,
        window: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 10_000,
    ) -> None:
        self._limits = {"pair": per_pair, "address": per_address}
        self._window = window
        self._clock = clock
        self._max_keys = max_keys
        self._failures: dict[tuple[str, ...], deque[float]] = {}
        self._lock = threading.Lock()  # sync routes run on worker threads

    def check(self, username: str, address: str) -> None:
        """Raise `TooManySignIns` while this pair or address must wait."""
        now = self._clock()
        with self._lock:
            for key, limit in self._keys(username, address):
                failures = self._recent(key, now)
                if len(failures) >= limit:
                    raise TooManySignIns(failures[0] + self._window - now)

    def failed(self, username: str, address: str) -> None:
        now = self._clock()
        with self._lock:
            if len(self._failures) >= self._max_keys:  # many addresses at once: forget the oldest ones
                for key in list(self._failures)[: self._max_keys // 2]:
                    del self._failures[key]
            for key, _ in self._keys(username, address):
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, username: str, address: str) -> None:
        with self._lock:
            self._failures.pop(("pair", username.casefold(), address), None)

    def _keys(self, username: str, address: str) -> list[tuple[tuple[str, ...], int]]:
        return [
            (("pair", username.casefold(), address), self._limits["pair"]),
            (("address", address), self._limits["address"]),
        ]

    def _recent(self, key: tuple[str, ...], now: float) -> deque[float]:
        failures = self._failures.get(key, deque())
        while failures and failures[0] <= now - self._window:
            failures.popleft()
        if not failures:
            self._failures.pop(key, None)
        return failures
