"""One piece of work per key at a time: callers asking for a key already in flight wait for that same result."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class SingleFlight(Generic[T]):
    def __init__(self) -> None:
        self._running: dict[str, asyncio.Future[T]] = {}

    def in_flight(self, key: str) -> bool:
        return key in self._running

    async def run(self, key: str, work: Callable[[], Awaitable[T]]) -> T:
        """Run `work()` unless a run for `key` is under way; either way return (or raise) that run's outcome.

        The work runs in its own task, so one impatient caller being cancelled (a caller hung up) does not
        cancel the render the other callers are waiting for.
        """
        future = self._running.get(key)
        if future is None:
            task = asyncio.ensure_future(work())
            self._running[key] = task
            task.add_done_callback(lambda _: self._running.pop(key, None))
            future = task
        return await asyncio.shield(future)
