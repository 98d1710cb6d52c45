"""A program's end as `asyncio.run` makes it, for the tests of work cancelled there: every task left is cancelled
at once, asyncio's own included (those connecting a new process's pipes), and the loop waits for all of them."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any


def run_to_the_end(main: Callable[[], Coroutine[Any, Any, None]], *, within: float) -> None:
    """`asyncio.run(main())` on a thread of its own, which must have ended `within` seconds: a loop whose final
    cancel-all never ends fails the test instead of hanging it (the thread is left behind, a daemon)."""
    failures: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(main())
        except BaseException as error:  # re-raised on the test's thread below
            failures.append(error)

    thread = threading.Thread(target=run, name="cancel-all", daemon=True)
    thread.start()
    thread.join(within)
    assert not thread.is_alive(), f"the loop's final cancel-all did not end within {within:g} s"
    if failures:
        raise failures[0]


def children(*names: str) -> list[str]:
    """This process's child processes named `names`, zombies included, as `pid name state`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # it ended meanwhile
            continue
        pid, _, rest = text.partition(" (")
        name, _, fields = rest.rpartition(") ")
        state, parent = fields.split()[:2]
        if int(parent) == os.getpid() and name in names:
            found.append(f"{pid} {name} {state}")
    return found


def no_children_within(seconds: float, *names: str) -> list[str]:
    """`children(*names)` once none is left, or after `seconds`: a killed process is reaped by asyncio's watcher
    thread a moment after its task ended."""
    deadline = time.monotonic() + seconds
    while (left := children(*names)) and time.monotonic() < deadline:
        time.sleep(0.02)
    return left
