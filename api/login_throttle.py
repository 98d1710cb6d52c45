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
from collections.abc import Callable, Iterator
from contextlib import contextmanager

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

    def attempt(self, username: str, address: str) -> SignInAttempt:
        """Count a sign-in attempt before its password is checked, or raise `TooManySignIns` while this pair or
        address must wait. The attempt counts as a failure until `SignInAttempt.succeeded` (or `.abandoned`, when
        the check itself could not run): counted only after the slow hash check, a burst of guesses sent at once
        all passed the limit before the first of them failed (review, 2026-12-05: 12 parallel guesses, 12 checked).
        """
        now = self._clock()
        with self._lock:
            keys = self._keys(username, address)
            for key, limit in keys:
                failures = self._failures.recent(key, now)
                if len(failures) >= limit:
                    raise TooManySignIns(self._failures.wait(failures, now))
            for key, _ in keys:
                self._failures.add(key, now)
        return SignInAttempt(self, username, address, now)

    @contextmanager
    def checking(self, username: str, address: str, *, wrong_password: type[Exception]) -> Iterator[None]:
        """A password check, as one attempt: counted as it starts (`attempt`); left counted when the block raises
        `wrong_password`; withdrawn when the block ends (`succeeded`) or raises anything else, which means no
        password was checked, e.g. the database failed (`abandoned`)."""
        attempt = self.attempt(username, address)
        try:
            yield
        except wrong_password:
            raise
        except BaseException:
            attempt.abandoned()
            raise
        attempt.succeeded()

    def _withdraw(self, username: str, address: str, moment: float, *, keep_pair: bool) -> None:
        with self._lock:
            for key, _ in self._keys(username, address):
                if key[0] == "pair" and not keep_pair:
                    self._failures.forget(key)
                else:
                    self._failures.remove(key, moment)

    def _keys(self, username: str, address: str) -> list[tuple[tuple[str, ...], int]]:
        return [
            (("pair", username.casefold(), address), self._limits["pair"]),
            (("address", address), self._limits["address"]),
        ]


class SignInAttempt:
    """One counted attempt (see `LoginThrottle.attempt`): a failure unless told otherwise."""

    def __init__(self, throttle: LoginThrottle, username: str, address: str, moment: float) -> None:
        self._throttle, self._username, self._address, self._moment = throttle, username, address, moment

    def succeeded(self) -> None:
        """The password was right: the pair's failures are forgotten and this attempt is not one."""
        self._throttle._withdraw(self._username, self._address, self._moment, keep_pair=False)

    def abandoned(self) -> None:
        """No password was checked (the database failed): the attempt does not count."""
        self._throttle._withdraw(self._username, self._address, self._moment, keep_pair=True)
