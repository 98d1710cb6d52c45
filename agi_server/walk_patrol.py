"""The FastAGI server's watch over a call's walk while a block is busy away from the channel (an API, a database, a
lock of its own): the block is stopped when the caller hangs up meanwhile (`Walking.interrupt`, from
AgiConnection.walk) or when it overruns its `max_seconds` (`look_at_walk`, the watchdog's patrol); one that catches
the CancelledError and carries on is cancelled again, and in the end handed to the server, which gives its call up
(`AgiServer._give_up`): recorded and closed without waiting for the block, which may run on.

Its line keeps the FastAGI server's logger, `agi_server.server`, which a call's lines were always written under.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, Final

from agi_server.channel import AgiChannel
from agi_server.connection import AgiConnection
from agi_server.metrics import AgiMetrics
from agi_server.records import CallRecord
from agi_server.watchdog import Watched
from graph_engine.errors import CallerHangup, EngineError
from graph_engine.interpreter import CallRun, look_for_overrun

log = logging.getLogger("agi_server.server")

# What a call's record says the caller hung up during when the hangup came while a block worked away from the
# channel (a database lookup, a speech synthesis): `block:` and the block's type, never a channel operation's name.
DURING_BLOCK_WORK: Final = "block:"
_HANGUP_DURING_LENGTH: Final = 40  # the register's column
# How many cancellations a block may ignore before its call is given up on (`AgiServer._give_up`). The patrol
# cancels it again at each round (PATROL_INTERVAL) while the interruption is pending, so the call ends 2 to 3 s
# after the caller hung up or the block's max_seconds stopped it.
STUBBORN_BLOCK_CANCELS: Final = 3


def look_at_walk(
    metrics: AgiMetrics, stubborn: Callable[[AgiConnection, Walking], None], session: Watched, now: float
) -> bool:
    """The watchdog's patrol over one session: stop the block of its walk that stayed away from the channel (an
    API, a database, a lock of its own) past its `max_seconds`. False when no walk runs over it.

    A block already interrupted (past its time, or the caller's hangup) that has not ended since caught the
    CancelledError and carried on: cancelled again at each look, and after `STUBBORN_BLOCK_CANCELS` handed to
    `stubborn` (`AgiServer._give_up`).

    "Away from the channel" is read, not timed per command: this look and the one before saw no command in flight,
    the same step and no command sent in between, so the block has been off the channel all that while. The walk
    does nothing for it; a block is stopped at most two patrol intervals late."""
    if not isinstance(session, AgiConnection):
        return False
    walking = session.walk
    if not isinstance(walking, Walking):
        return False
    run = walking.run
    cancels = run.interruptions
    if cancels:
        if cancels < STUBBORN_BLOCK_CANCELS:
            run.interrupt_again()  # refused while the host cancels the walk (its shutdown): stop() sees to it
        else:
            stubborn(session, walking)
        return True
    if session.busy or not run.steps:
        session.patrol_note = None  # on the channel (or not yet in a block): nothing to time
        return True
    session.patrol_note, reason = look_for_overrun(run, session.commands_sent, session.patrol_note, now)
    if reason is not None and run.interrupt(reason):
        metrics.errors.labels("block_time_limit").inc()
        log.warning("call_id=%s %s: stopped", run.call_id, reason, extra={"call_id": run.call_id})
    return True


class Walking:
    """A call's walk, as its session knows it (`AgiConnection.walk`) for the walk's duration: what the host needs to
    end the call without the session's task (`AgiServer._give_up`), when a block ignoring its cancellation holds
    that task."""

    __slots__ = ("channel", "given_up", "record", "run", "task")

    def __init__(self, run: CallRun, record: CallRecord, channel: AgiChannel, task: asyncio.Task[Any] | None) -> None:
        if task is None:  # pragma: no cover - `AgiServer._call` always runs in its session's task
            raise RuntimeError("a call's walk runs in a task")
        self.run, self.record, self.channel, self.task = run, record, channel, task
        self.given_up = False

    def interrupt(self, reason: CallerHangup | EngineError) -> bool:
        """The session's word that the caller hung up with no command in flight: the block is busy away from the
        channel, so no channel operation will say what the hangup cut; the record says it was the block's work."""
        run = self.run
        interrupted = run.interrupt(reason)
        channel, steps = self.channel, run.steps
        # Also when the block is being stopped already (past its max_seconds) and ignores it: the hangup still cut
        # its work, and the record of the call given up on must say the caller hung up.
        cut_short = interrupted or run.interruptions > 0
        if cut_short and isinstance(reason, CallerHangup) and channel.hangup_during is None and steps:
            channel.hangup_during = f"{DURING_BLOCK_WORK}{steps[-1].type}"[:_HANGUP_DURING_LENGTH]
        return interrupted
