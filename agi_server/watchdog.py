"""One timer for the deadlines of every FastAGI session of a server, instead of a timer per session.

Each session waits on one thing at a time (the env block, a command's answer, the final EOF) and bounds
the wait by a deadline. A timer per session cost a `TimerHandle` and a heap push per call, and each closed
call left a cancelled handle in the loop's heap until it was swept (bench/agi_load.py). Here a session
only writes its deadline (a float) and joins a set; one timer walks the set, at the earliest pending
deadline but at most every `resolution` seconds, so a wait ends at most `resolution` seconds late.
FastAGI waits are seconds long (handshake 2 s, idle 300 s), so a quarter of a second is noise.
"""

from __future__ import annotations

import asyncio
from typing import Final, Protocol

RESOLUTION: Final = 0.25


class Watched(Protocol):
    """A session with a deadline: `deadline` is None while nothing waits."""

    deadline: float | None

    def expire(self) -> None:
        """The deadline passed: fail the wait in progress."""


class Watchdog:
    def __init__(self, *, resolution: float = RESOLUTION) -> None:
        self._loop = asyncio.get_running_loop()
        self._resolution = resolution
        self._watched: set[Watched] = set()
        self._timer: asyncio.TimerHandle | None = None
        self._next_at = float("inf")  # when the timer fires; inf: no timer

    def watch(self, session: Watched, seconds: float, now: float | None = None) -> None:
        """Give `session` a deadline `seconds` from now (inf: no deadline); `now` if the caller just read the
        loop's clock."""
        if seconds == float("inf"):
            session.deadline = None
            return
        deadline = (self._loop.time() if now is None else now) + seconds
        session.deadline = deadline
        self._watched.add(session)
        if deadline < self._next_at:
            self._schedule(deadline)

    def forget(self, session: Watched) -> None:
        session.deadline = None
        self._watched.discard(session)
        if not self._watched and self._timer is not None:
            self._timer.cancel()
            self._timer, self._next_at = None, float("inf")

    def _schedule(self, at: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._next_at = at
        self._timer = self._loop.call_at(at, self._tick)

    def _tick(self) -> None:
        self._timer, self._next_at = None, float("inf")
        now = self._loop.time()
        earliest = float("inf")
        expired = []
        for session in self._watched:
            deadline = session.deadline
            if deadline is None:
                continue
            if deadline <= now:
                expired.append(session)
            elif deadline < earliest:
                earliest = deadline
        for session in expired:
            session.deadline = None
            session.expire()
        if earliest != float("inf"):
            self._schedule(max(earliest, now + self._resolution))
