"""One FastAGI session on an asyncio stream: one command in flight, its full response read, then the next.

Asterisk reads commands through stdio but waits for input with poll() on the raw socket, so a second command
written before the first is answered sits unread until more bytes arrive and every later answer is shifted
by one (pipeline.txt). Hence the lock and the strict send-then-read rhythm. Lines end with a bare LF.

After a hangup the session is "dead": Asterisk answers 511 to anything but bookkeeping, and we refuse those
commands locally once we know. Closing is a half-close: we stop writing, then read Asterisk's final
`HANGUP` line and its EOF, so the channel is released at once instead of after a timeout.

Waits are bounded by one watchdog timer per session rather than an `asyncio.timeout` per command: a command
only moves the deadline (a float), and the timer, when it fires early, re-arms itself at the current deadline.
With thousands of calls that is one timer per call instead of one timer per command (bench/agi_load.py).
On expiry the watchdog fails the pending read with `TimeoutError`; the session is over after that anyway.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Final

from agi_server.errors import (
    CommandFailed,
    ConnectionLost,
    DeadChannel,
    InvalidCommand,
    ProtocolError,
    ResponseError,
    UsageError,
)
from agi_server.protocol import HANGUP_NOTICE, AgiResponse, ResponseParser, encode_command, encode_exec

# Commands Asterisk still runs on a dead channel (hangupstream.txt); everything else gets 511.
BOOKKEEPING_VERBS: Final = frozenset({"GET VARIABLE", "SET VARIABLE", "VERBOSE", "NOOP"})

RoundTripObserver = Callable[[str, float], None]

log = logging.getLogger(__name__)


class AgiConnection:
    """The command/response rhythm over one socket, with dead-channel bookkeeping and a clean close."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        idle_timeout: float = 300.0,
        on_round_trip: RoundTripObserver | None = None,
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._idle_timeout = idle_timeout
        self._on_round_trip = on_round_trip
        self._parser = ResponseParser()
        self._loop = asyncio.get_running_loop()
        self._busy = False  # a command is in flight
        self._idle: asyncio.Future[None] | None = None  # made only when a second command has to wait
        self._deadline: float | None = None  # when the read in progress gives up; None: no read in progress
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = 0.0
        self.hung_up = False  # the channel is dead: only BOOKKEEPING_VERBS may go out
        self.closed = False  # we half-closed or lost the socket: nothing goes out any more
        self.hangup_lines = 0
        self.commands_sent = 0

    # -- the watchdog --------------------------------------------------------------------------------------
    def _arm(self, seconds: float) -> None:
        """Bound the next read by `seconds` (inf: unbounded, e.g. an answered Dial)."""
        if seconds == float("inf"):
            self._deadline = None
            return
        deadline = self._loop.time() + seconds
        self._deadline = deadline
        if self._timer is None or self._timer_at > deadline:
            if self._timer is not None:
                self._timer.cancel()
            self._timer_at = deadline
            self._timer = self._loop.call_at(deadline, self._expire)

    def _expire(self) -> None:
        self._timer = None
        deadline = self._deadline
        if deadline is None:
            return  # nothing is being waited for; the next `_arm` schedules a new timer
        if self._loop.time() < deadline:
            self._timer_at = deadline
            self._timer = self._loop.call_at(deadline, self._expire)
            return
        self._deadline = None
        self._reader.set_exception(TimeoutError())  # wakes the read with the error

    def _stop_watchdog(self) -> None:
        self._deadline = None
        if self._timer is not None:
            self._timer.cancel()  # a parked timer would keep this session in memory until it fires
            self._timer = None

    # -- reading the env block -----------------------------------------------------------------------------
    async def read_env_block(self, timeout: float) -> bytes:
        """The raw env block up to its closing empty line (`asyncio.LimitOverrunError` beyond the stream limit,
        `TimeoutError` after `timeout` seconds, `asyncio.IncompleteReadError` on an early EOF)."""
        self._arm(timeout)
        try:
            return await self._reader.readuntil(b"\n\n")
        finally:
            self._deadline = None

    # -- commands ------------------------------------------------------------------------------------------
    async def command(self, verb: str, *args: str, timeout: float | None = None) -> AgiResponse:
        """Send `verb` with quoted `args` and return its 200 response; raise the typed error otherwise.

        `timeout` bounds the wait for the answer (None: the idle timeout). A blocking command such as an
        answered Dial may pass `float("inf")`.
        """
        return await self._send(encode_command(verb, *args), verb, timeout)

    async def exec(self, application: str, argument: str, *, timeout: float | None = None) -> AgiResponse:
        """EXEC an allow-listed application (see `protocol.EXEC_ALLOWED`)."""
        return await self._send(encode_exec(application, argument), "EXEC", timeout)

    async def _send(self, line: bytes, verb: str, timeout: float | None) -> AgiResponse:
        # One command at a time (see the module docstring). A second coroutine on the same session would be a
        # bug of ours; it still only waits its turn. A flag and a rarely made future cost less than a Lock.
        while self._busy:
            if self._idle is None:
                self._idle = self._loop.create_future()
            await asyncio.shield(self._idle)
        self._busy = True
        try:
            return await self._exchange(line, verb, timeout)
        finally:
            self._busy = False
            if self._idle is not None:
                idle, self._idle = self._idle, None
                idle.set_result(None)

    async def _exchange(self, line: bytes, verb: str, timeout: float | None) -> AgiResponse:
        if self.closed:
            raise ConnectionLost(f"{verb}: the AGI session is closed")
        if self.hung_up and verb not in BOOKKEEPING_VERBS:
            raise DeadChannel(511, "refused locally: the channel hung up", verb)
        started = time.perf_counter()
        wait = self._idle_timeout if timeout is None else timeout
        writer = self._writer
        try:
            writer.write(line)
            if writer.transport.get_write_buffer_size():  # the kernel took it all (the usual case): no drain
                await writer.drain()
            self.commands_sent += 1
            self._arm(wait)
            response = await self._read_response()
        except TimeoutError as error:
            # The answer may still come later and would then be taken for the next command's: give up.
            self.closed = True
            raise ConnectionLost(f"{verb}: no answer within {wait:g} s") from error
        except (ConnectionError, OSError) as error:
            self.closed = True
            raise ConnectionLost(f"{verb}: {type(error).__name__}: {error}") from error
        except ProtocolError:
            self.closed = True
            raise
        finally:
            self._deadline = None
        if self._on_round_trip is not None:
            self._on_round_trip(verb, time.perf_counter() - started)
        if response.code == 200:
            return response
        return self._check(response, verb)

    def _check(self, response: AgiResponse, verb: str) -> AgiResponse:
        if response.code == 200:
            return response
        if response.code == 511:
            self.hung_up = True
            raise DeadChannel(511, response.text, verb)
        if response.code == 510:
            raise InvalidCommand(510, response.text, verb)
        if response.code == 520:
            raise UsageError(520, response.text, verb)
        raise CommandFailed(response.code, response.text, verb)

    async def _read_response(self) -> AgiResponse:
        readuntil, feed_line = self._reader.readuntil, self._parser.feed_line
        while True:
            try:
                raw = await readuntil(b"\n")
            except asyncio.IncompleteReadError as error:
                self.closed = True
                raise ConnectionLost("Asterisk closed the AGI session") from error
            except asyncio.LimitOverrunError as error:
                raise ResponseError("response line longer than the stream limit") from error
            event = feed_line(raw[:-1].decode("utf-8", errors="replace"))
            if isinstance(event, AgiResponse):
                return event
            if event is HANGUP_NOTICE:
                self._note_hangup()

    def _note_hangup(self) -> None:
        self.hangup_lines += 1
        self.hung_up = True

    async def close(self, *, drain_timeout: float = 2.0) -> None:
        """Half-close, read the final HANGUP and EOF (bounded by `drain_timeout`), then close the socket."""
        if self.closed and self._writer.is_closing():
            self._stop_watchdog()
            return
        self.closed = True
        try:
            if self._writer.can_write_eof() and not self._writer.is_closing():
                self._writer.write_eof()
            self._arm(drain_timeout)
            while line := await self._reader.readline():
                if line.rstrip(b"\n") == b"HANGUP":
                    self._note_hangup()
        except (TimeoutError, ConnectionError, OSError, asyncio.LimitOverrunError, ValueError):
            pass  # Asterisk is gone or slow: closing is all that is left to do
        finally:
            self._stop_watchdog()
            # Not awaiting wait_closed(): the transport finishes closing on the next loop turn by itself, and
            # waiting for it cost every call one more future and wake-up (bench/agi_load.py).
            self._writer.close()
