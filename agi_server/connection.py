"""One FastAGI session as an `asyncio.Protocol`: one command in flight, its full response parsed, then the next.

Asterisk reads commands through stdio but waits for input with poll() on the raw socket, so a second command
written before the first is answered sits unread until more bytes arrive and every later answer is shifted
by one (pipeline.txt). Hence the strict send-then-wait rhythm. Lines end with a bare LF.

Why a Protocol and not asyncio streams: at thousands of calls the CPU per command is the budget
(bench/agi_load.py), and streams put a buffer, a reader future and a drain check between every response line
and the call waiting for it. Here `data_received` splits lines, feeds them to the pure `ResponseParser` and
resolves the one waiting future directly. Writes need no flow control: one command of at most
`MAX_COMMAND_BYTES` is all that can ever be buffered.

After a hangup the session is "dead": Asterisk answers 511 to anything but bookkeeping, and we refuse those
commands locally once we know. Closing is a half-close: we stop writing, then read Asterisk's final
`HANGUP` line and its EOF, so the channel is released at once instead of after a timeout.

Waits are bounded by deadlines that one `Watchdog` per server checks for all its sessions: a command only
writes its deadline (a float). On expiry the pending wait fails; the session is over after that anyway.

A hangup during a command reaches the call through that command (its -1 answer, or a 511 after the HANGUP line).
One while no command is in flight (the call's block busy elsewhere: an API, a database) would reach it only at
its next command, maybe never: the scenario's walk over the session (`walk`) is interrupted at once instead.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any, Final, Protocol, cast

from agi_server.errors import (
    AgiError,
    AnswerTimeout,
    CommandFailed,
    ConnectionLost,
    DeadChannel,
    EnvBlockError,
    InvalidCommand,
    ProtocolError,
    ResponseError,
    UsageError,
)
from agi_server.protocol import (
    HANGUP_NOTICE,
    MAX_ENV_BYTES,
    AgiResponse,
    ResponseParser,
    complete_result,
    encode_exec,
    encode_line,
    find_env_block_end,
)
from agi_server.watchdog import Watchdog
from graph_engine.errors import CallerHangup, EngineError

# Commands Asterisk still runs on a dead channel (hangupstream.txt); everything else gets 511.
BOOKKEEPING_VERBS: Final = frozenset({"GET VARIABLE", "SET VARIABLE", "VERBOSE", "NOOP"})

RoundTripObserver = Callable[[str, float], None]
# Called from `connection_made`; the host checks the peer there and starts (or refuses) the session.
ConnectHook = Callable[["AgiConnection", asyncio.Transport], None]


class Walk(Protocol):
    """The scenario's walk over a session, as the session knows it (graph_engine.interpreter.CallRun)."""

    def interrupt(self, reason: CallerHangup | EngineError) -> bool:
        """Stop the block now running, which is busy away from the channel."""
        ...


log = logging.getLogger(__name__)

# asyncio's loop.time() is this clock behind a Python method call; a command reads it twice.
_loop_clock: Final = time.monotonic


class AgiConnection(asyncio.Protocol):
    """The command/response rhythm over one socket, with dead-channel bookkeeping and a clean close."""

    # The host's patrol notes on the walk (walk_patrol.look_at_walk): (steps, commands sent, since) when it last saw
    # no command in flight. A class default, so a session the patrol never looks at pays nothing for it.
    patrol_note: tuple[int, int, float] | None = None
    # The caller hung up (or the line went) before the host attached a walk to tell (`_caller_gone`): during the
    # scenario lookup or the input resolver. The walk hears of it once it starts (`walk_began`). A class default too.
    _gone_before_walk = False

    def __init__(
        self,
        *,
        idle_timeout: float = 300.0,
        on_round_trip: RoundTripObserver | None = None,
        on_connect: ConnectHook | None = None,
        max_line_bytes: int = MAX_ENV_BYTES,
        watchdog: Watchdog | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self._idle_timeout = idle_timeout
        self._on_round_trip = on_round_trip
        self._on_connect = on_connect
        self._max_line_bytes = max_line_bytes  # also the env block's cap
        self._parser = ResponseParser()
        self._loop = loop or asyncio.get_running_loop()  # the server passes its loop: one lookup less per call
        self._transport: asyncio.Transport | None = None
        self._buffer = b""  # bytes after the last LF
        self._env: bytes | None = None  # the env block, once complete
        self._env_error: BaseException | None = None
        self._env_head = b""  # the first bytes of an env block refused over the size cap (`env_so_far`)
        self._env_scan = 0  # where the look for the env block's end resumes (see protocol.find_env_block_end)
        self._env_keys = 0  # Asterisk's keys the env block showed in order so far (ditto)
        self._waiter: asyncio.Future[Any] | None = None  # the env block, a command's answer, or the final EOF
        self._waiting_for = ""  # what the waiter waits for, for the timeout message
        self._wait_seconds = 0.0
        self._closing = False  # we half-closed: only HANGUP lines and EOF matter now
        self._eof = False
        self._busy = False  # a command is in flight
        self._idle: asyncio.Future[None] | None = None  # made only when a second command has to wait
        self._watchdog = watchdog or Watchdog()
        self.deadline: float | None = None  # when the wait in progress gives up; None: nothing waits
        self.hung_up = False  # the channel is dead: only BOOKKEEPING_VERBS may go out
        self.closed = False  # we half-closed or lost the socket: nothing goes out any more
        self.hangup_lines = 0
        self.commands_sent = 0
        # Why we gave up on the session ourselves (Asterisk silent past a deadline, or a line we cannot follow),
        # for the call record: the engine only hears that the line is gone, as it does for a hangup.
        self.failure: AgiError | None = None
        # The scenario walking over this session, set by the host for the walk's duration: a caller hangup with no
        # command in flight interrupts it (`_caller_gone`), and the host's watchdog patrol looks at it.
        self.walk: Walk | None = None

    @property
    def env_so_far(self) -> bytes:
        """The env block as far as it came: whole once its empty line came, else the bytes of it read so far (the
        first `max_line_bytes` of one over the cap). What the host still reads of a session refused at its handshake
        (`protocol.env_before_refusal`)."""
        if self._env is not None:
            return self._env
        return self._env_head or self._buffer

    @property
    def busy(self) -> bool:
        """A command is in flight: the call is waiting on the channel, and will hear of a hangup from it."""
        return self._busy

    # -- asyncio.Protocol ----------------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # Not an isinstance check: uvloop's TCP transports (the loop uvicorn[standard] installs) have
        # asyncio.Transport's methods without deriving from it, and a stream socket's transport always has them.
        self._transport = stream = cast(asyncio.Transport, transport)
        if self._on_connect is not None:
            self._on_connect(self, stream)

    def data_received(self, data: bytes) -> None:
        if self._buffer:
            data, self._buffer = self._buffer + data, b""
        if self._env is None:
            data = self._take_env_block(data)
            if not data:
                return
        if (
            self._busy
            and data.find(b"\n") == len(data) - 1
            and len(data) <= self._max_line_bytes
            and self._parser.mode is None
        ):
            # Nearly every packet is one whole `200 result=` answer to the command in flight: resolve it here,
            # without the line loop, the parser's dispatch and the helpers (a fifth of this layer's calls).
            response = complete_result(data[:-1].decode("utf-8", errors="replace"))
            if response is not None:
                waiter = self._waiter
                if waiter is not None and not waiter.done():
                    waiter.set_result(response)
                return
        start = 0
        while (newline := data.find(b"\n", start)) >= 0:
            if newline - start > self._max_line_bytes and not self._closing:  # a whole line in one read, too
                self._fail(ResponseError(f"response line longer than {self._max_line_bytes} bytes"))
                return
            # The next line too, when this read holds all of it (see ResponseParser.feed_line).
            after = data.find(b"\n", newline + 1)
            self._line(data[start:newline], data[newline + 1 : after] if after >= 0 else None)
            start = newline + 1
        if start < len(data):
            rest = data[start:]
            if len(rest) > self._max_line_bytes and not self._closing:
                self._fail(ResponseError(f"response line longer than {self._max_line_bytes} bytes"))
                return
            self._buffer = rest[-self._max_line_bytes :]

    def eof_received(self) -> bool:
        self._eof = True
        self._lost(ConnectionLost("Asterisk closed the AGI session"))
        return False  # nothing is left to say to a peer that stopped talking: let the transport close

    def connection_lost(self, exc: Exception | None) -> None:
        detail = f": {type(exc).__name__}: {exc}" if exc is not None else ""
        self._lost(ConnectionLost(f"the AGI socket closed{detail}"))
        self._transport = None
        if self.walk is not None:
            # Its walk runs on: a block busy away from the channel, which the patrol must go on stopping and, if it
            # ignores its cancellation, give up on (walk_patrol.look_at_walk). Forgotten here, the call stayed active,
            # unrecorded, until shutdown (plugin review). Nothing waits on the socket any more; the call's close,
            # once its walk ends or is given up on, forgets the session (`close_now`).
            self.deadline = None
            return
        self._watchdog.forget(self)  # a watched session would stay in memory until the server stops

    # -- incoming bytes ------------------------------------------------------------------------------------
    def _take_env_block(self, data: bytes) -> bytes:
        """Hold bytes until the env block is complete; return what follows it."""
        end, self._env_scan, self._env_keys = find_env_block_end(data, self._env_scan, self._env_keys)
        if end < 0:
            if len(data) > self._max_line_bytes:
                self._env_head = data[: self._max_line_bytes]
                self._env_failed(EnvBlockError(f"env block over the {self._max_line_bytes}-byte cap"))
            else:
                self._buffer = data
            return b""
        self._env = data[:end]
        self._resolve(self._env)
        return data[end:]

    def _env_failed(self, error: BaseException) -> None:
        self._env_error = error
        self._resolve_error(error)
        if self._transport is not None:
            self._transport.abort()

    def _line(self, raw: bytes, following: bytes | None = None) -> None:
        if self._closing:
            if raw == b"HANGUP":
                self._note_hangup()
            return  # the session is over: anything else Asterisk still says is of no use
        try:
            event = self._parser.feed_line(
                raw.decode("utf-8", errors="replace"),
                following.decode("utf-8", errors="replace") if following is not None else None,
            )
        except ResponseError as error:
            self._fail(error)
            return
        if event is None:
            return
        if event is HANGUP_NOTICE:
            self._note_hangup()
        elif self._busy:
            self._resolve(event)
        else:
            # Only an answer to a command we gave up on (timeout, cancellation) can arrive now, and those
            # sessions are closed; on an open one it would shift every later answer by one.
            self._fail(ResponseError("an answer arrived with no command in flight", str(event)))

    def _note_hangup(self) -> None:
        self.hangup_lines += 1
        if not self.hung_up:
            self._caller_gone()
        self.hung_up = True

    def _caller_gone(self) -> None:
        """The caller is gone: with a command in flight its answer tells the walk; with none, nothing would until
        the walk's next command, so its block is interrupted now. Not after our own HANGUP (`hung_up` is set by
        then: the walk may go on with bookkeeping) nor once closing (the walk is over)."""
        walk = self.walk
        if self._closing:
            return
        if walk is None:
            self._gone_before_walk = True  # told to the walk the host may still start (`walk_began`)
            return
        if not self._busy:
            walk.interrupt(CallerHangup("the caller hung up while the block was busy away from the channel"))
        elif self._waiter is not None and self._waiter.done():
            # The command's answer came in the same read, just before this line: the walk has not taken it yet,
            # and with it a good result it would go on knowing nothing, maybe away from the channel. Look again
            # once it has (its wake-up is queued before this callback).
            self._loop.call_soon(self._caller_gone_after_answer)

    def _caller_gone_after_answer(self) -> None:
        # Busy again: a command for the caller is refused by the dead channel, which tells the walk. Idle: the
        # block left the channel.
        walk = self.walk
        if walk is not None and not self._busy and not self._closing:
            walk.interrupt(CallerHangup("the caller hung up as a command ended; the block went on away from it"))

    def walk_began(self) -> None:
        """The host has just attached `walk`, once per call. If the caller left before (`_gone_before_walk`: a
        HANGUP line or the EOF during the scenario lookup or the input resolver), nothing would tell the walk while
        its blocks work away from the channel (a Start that does not answer, then a database): it ran to its
        max_seconds for a caller who was gone. It is told as `_caller_gone` would have, once it awaits its first
        block: a block on the dead channel is refused there, and learns it itself."""
        if self._gone_before_walk:
            self._loop.call_soon(self._caller_gone_before_walk)

    def _caller_gone_before_walk(self) -> None:
        walk = self.walk
        if walk is None or self._closing:
            return
        if not self._busy:
            walk.interrupt(CallerHangup("the caller hung up before the walk began; its block was busy away from it"))
        elif (waiter := self._waiter) is not None:
            # Bookkeeping on the dead channel (SET VARIABLE, ...): Asterisk answers it as usual, which tells the walk
            # nothing. Look again once the walk has taken the answer (its wake-up is queued before this callback).
            waiter.add_done_callback(lambda _: self._caller_gone_before_walk())

    def _resolve(self, value: Any) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(value)

    def _resolve_error(self, error: BaseException) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)

    def _fail(self, error: ProtocolError) -> None:
        """Asterisk said something we cannot follow: the session cannot go on."""
        self.closed = True
        if self.failure is None:
            self.failure = error
        self._resolve_error(error)

    def _lost(self, error: ConnectionLost) -> None:
        if not self.closed and not self.hung_up:  # the first news of it (connection_lost follows eof_received)
            self._caller_gone()
        self.closed = True
        if self._env is None and self._env_error is None:
            self._env_error = error
        if self._closing:
            self._resolve(None)  # the EOF the close was waiting for
        else:
            self._resolve_error(error)

    # -- the deadline: `Watchdog.watch` bounds each wait (see agi_server.watchdog) -----------------------------
    def expire(self) -> None:
        """The watchdog's call: the wait in progress ran past its deadline."""
        waiter = self._waiter
        if waiter is None or waiter.done():
            # Answered after all: the loop stalled past the deadline with the answer already read in the same
            # pass, before the waiting command could clear its deadline (review of 2026-12-05: the call was cut
            # off and recorded as Asterisk's silence although the answer had come).
            return
        if self._closing:
            self._resolve(None)  # Asterisk is slow to say goodbye: closing is all that is left
            return
        # The answer may still come later and would then be taken for the next command's: give up.
        self.closed = True
        message = f"{self._waiting_for}: no answer within {self._wait_seconds:g} s"
        if self._env is not None and self.failure is None:
            self.failure = AnswerTimeout(message)
        self._resolve_error(TimeoutError(message))

    # -- reading the env block -----------------------------------------------------------------------------
    async def read_env_block(self, timeout: float) -> bytes:
        """The raw env block up to its closing empty line (`EnvBlockError` beyond the size cap,
        `TimeoutError` after `timeout` seconds, `ConnectionLost` on an early EOF)."""
        if self._env is not None:
            return self._env
        if self._env_error is not None:
            raise self._env_error
        waiter: asyncio.Future[bytes] = self._loop.create_future()
        self._waiter, self._waiting_for, self._wait_seconds = waiter, "env block", timeout
        self._watchdog.watch(self, timeout)
        try:
            return await waiter
        finally:
            self._waiter, self.deadline = None, None

    # -- commands ------------------------------------------------------------------------------------------
    def command(self, verb: str, *args: str, timeout: float | None = None) -> Coroutine[Any, Any, AgiResponse]:
        """Send `verb` with quoted `args` and return its 200 response; raise the typed error otherwise.

        `timeout` bounds the wait for the answer (None: the idle timeout). A blocking command such as an
        answered Dial may pass `float("inf")`. Encoding errors (`UnsafeArgument`) raise at the call.
        """
        return self._send(encode_line(verb, args), verb, timeout)

    def exec(
        self, application: str, argument: str, *, timeout: float | None = None
    ) -> Coroutine[Any, Any, AgiResponse]:
        """EXEC an allow-listed application (see `protocol.EXEC_ALLOWED`)."""
        return self._send(encode_exec(application, argument), "EXEC", timeout)

    async def _send(self, line: bytes, verb: str, timeout: float | None) -> AgiResponse:
        # One command at a time (see the module docstring). A second coroutine on the same session would be a
        # bug of ours; it still only waits its turn. A flag and a rarely made future cost less than a Lock.
        while self._busy:
            if self._idle is None:
                self._idle = self._loop.create_future()
            await asyncio.shield(self._idle)
        transport = self._transport
        if self.closed or transport is None or transport.is_closing():
            self.closed = True
            raise ConnectionLost(f"{verb}: the AGI session is closed")
        if self.hung_up and verb not in BOOKKEEPING_VERBS:
            raise DeadChannel(511, "refused locally: the channel hung up", verb)
        wait = self._idle_timeout if timeout is None else timeout
        waiter: asyncio.Future[AgiResponse] = self._loop.create_future()
        self._busy, self._waiter, self._waiting_for, self._wait_seconds = True, waiter, verb, wait
        started = _loop_clock()
        try:
            transport.write(line)
            self.commands_sent += 1
            self._watchdog.watch(self, wait, started)
            response = await waiter
        except TimeoutError as error:
            raise ConnectionLost(str(error)) from error
        except asyncio.CancelledError:
            self.closed = True  # its answer may still come and would be taken for the next command's
            raise
        finally:
            self._busy, self._waiter, self.deadline = False, None, None
            if self._idle is not None:
                idle, self._idle = self._idle, None
                idle.set_result(None)
        if self._on_round_trip is not None:
            self._on_round_trip(verb, _loop_clock() - started)
        if response.code == 200:
            return response
        return self._check(response, verb)

    def _check(self, response: AgiResponse, verb: str) -> AgiResponse:
        if response.code == 511:
            self.hung_up = True
            raise DeadChannel(511, response.text, verb)
        if response.code == 510:
            raise InvalidCommand(510, response.text, verb)
        if response.code == 520:
            raise UsageError(520, response.text, verb)
        raise CommandFailed(response.code, response.text, verb)

    def close_now(self) -> None:
        """Close the socket at once, without waiting for Asterisk's goodbye (shutdown's deadline came)."""
        self.closed = True
        self._watchdog.forget(self)
        if self._transport is not None:
            self._transport.close()

    async def close(self, *, drain_timeout: float = 2.0) -> None:
        """Half-close, read the final HANGUP and EOF (bounded by `drain_timeout`), then close the socket."""
        transport = self._transport
        if transport is None or transport.is_closing() or self._eof or self._closing:
            self.close_now()
            return
        self.closed = True
        self._closing = True
        waiter: asyncio.Future[None] = self._loop.create_future()
        self._waiter, self._waiting_for, self._wait_seconds = waiter, "close", drain_timeout
        try:
            if transport.can_write_eof():
                transport.write_eof()
            self._watchdog.watch(self, drain_timeout)
            await waiter
        except (ConnectionError, OSError):
            pass  # Asterisk is gone: closing is all that is left to do
        finally:
            self._waiter = None
            self._watchdog.forget(self)
            transport.close()
