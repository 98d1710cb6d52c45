"""One timer for the deadlines of every FastAGI session of a server, instead of a timer per session.

Each session waits on one thing at a time (the env block, a command's answer, the final EOF) and bounds
the wait by a deadline. A timer per session cost a `TimerHandle` and a heap push per call, and each closed
call left a cancelled handle in the loop's heap until it was swept (bench/agi_load.py). Here a session
only writes its deadline (a float) and joins a set; one timer walks the set, at the earliest pending
deadline but at most every `resolution` seconds, so a wait ends at most `resolution` seconds late.
FastAGI waits are seconds long (handshake 2 s, idle 300 s), so a quarter of a second is noise.

The same set serves a patrol for what no deadline catches, because nothing waits on the session: a scenario's
block busy away from the channel (a plugin waiting on an API that never answers). Once the host gives it a
session to patrol (`patrol`, once per call), one timer calls the host's `look` on every session every
`PATROL_INTERVAL`. Nothing is done per command or per step for it, which the server's CPU budget per command could
not afford (bench/agi_load.py); the host's `look` compares what it sees with what it saw the round before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Final, Protocol

RESOLUTION: Final = 0.25
# Between two patrol rounds. A block's time limit (BlockType.max_seconds, 90 s unless the block says otherwise)
# is kept to within two rounds; a look is a few attribute reads, so at 2,000 calls a round is about a millisecond.
PATROL_INTERVAL: Final = 1.0


class Watched(Protocol):
    """A session with a deadline: `deadline` is None while nothing waits."""

    deadline: float | None

    def expire(self) -> None:
        """The deadline passed: fail the wait in progress."""


# The host's patrol: called with each watched session and the loop's time; True while that session still has
# something worth patrolling (the rounds stop when no session has).
Look = Callable[[Watched, float], bool]


class Watchdog:
    def __init__(
        self, *, resolution: float = RESOLUTION, look: Look | None = None, patrol_interval: float = PATROL_INTERVAL
    ) -> None:
        self._loop = asyncio.get_running_loop()
        self._resolution = resolution
        self._watched: set[Watched] = set()
        self._timer: asyncio.TimerHandle | None = None
        self._next_at = float("inf")  # when the timer fires; inf: no timer
        self._look = look
        self._patrol_interval = patrol_interval
        self._patrol_timer: asyncio.TimerHandle | None = None

    def patrol(self, session: Watched) -> None:
        """Have the patrol's rounds look at `session` from now on (until `forget`), and start them unless they
        run. They stop by themselves at a round in which no session had anything worth looking at."""
        self._watched.add(session)  # a session whose env block came before it asked for it is not in yet
        if self._patrol_timer is None and self._look is not None:
            self._patrol_timer = self._loop.call_later(self._patrol_interval, self._round)

    def stop_patrol(self) -> None:
        if self._patrol_timer is not None:
            self._patrol_timer.cancel()
            self._patrol_timer = None

    def _round(self) -> None:
        # The next round first: a look that raises (the loop logs it) must not end the patrol for every session.
        self._patrol_timer = self._loop.call_later(self._patrol_interval, self._round)
        look = self._look
        assert look is not None
        now = self._loop.time()
        active = False
        for session in tuple(self._watched):  # a copy: the set must not change under the loop, whatever a look does
            if look(session, now):
                active = True
        if not active:
            self.stop_patrol()

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
