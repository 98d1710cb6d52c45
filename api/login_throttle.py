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
from collections.abc import Callable

from api.rate_limit import Moments, TooManyRequests


class TooManySignIns(TooManyRequests):
    def __init__(self, retry_after: float) -> None:
        super().__init__("failed sign-ins from this address", retry_after)


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
        self._clock = clock
        self._failures = Moments(window, max_keys=max_keys)
        self._lock = threading.Lock()  # sync routes run on worker threads

    def check(self, username: str, address: str) -> None:
        """Raise `TooManySignIns` while this pair or address must wait."""
        now = self._clock()
        with self._lock:
            for key, limit in self._keys(username, address):
                failures = self._failures.recent(key, now)
                if len(failures) >= limit:
                    raise TooManySignIns(self._failures.wait(failures, now))

    def failed(self, username: str, address: str) -> None:
        now = self._clock()
        with self._lock:
            for key, _ in self._keys(username, address):
                self._failures.add(key, now)

    def succeeded(self, username: str, address: str) -> None:
        with self._lock:
            self._failures.forget(("pair", username.casefold(), address))

    def _keys(self, username: str, address: str) -> list[tuple[tuple[str, ...], int]]:
        return [
            (("pair", username.casefold(), address), self._limits["pair"]),
            (("address", address), self._limits["address"]),
        ]
