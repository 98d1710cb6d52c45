"""The session rhythm over real TCP against the fake Asterisk: codes 510/511/520/100, HANGUP lines, close."""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import pytest

from agi_server.connection import BOOKKEEPING_VERBS, AgiConnection
from agi_server.errors import ConnectionLost, DeadChannel, InvalidCommand, ResponseError, UsageError
from agi_server.protocol import KNOWN_VERBS
from agi_server.watchdog import Watchdog
from tests.agi_server.conftest import agi_session
from tests.fakes.asterisk import CallerScript, default_env, encode_env


async def test_round_trip_and_half_close() -> None:
    """basic.txt: a command, its answer; on close the final HANGUP is read and the fake sees our half-close."""
    async with agi_session() as (connection, fake):
        response = await connection.command("GET VARIABLE", "CHANNEL")
        assert response.data == fake.env["agi_channel"]
    assert fake.call.server_half_closed
    assert connection.hangup_lines == 1  # the session-end HANGUP


async def test_510_for_an_unknown_command() -> None:
    """errors.txt: 510 Invalid or unknown command."""
    async with agi_session() as (connection, _):
        with pytest.raises(InvalidCommand) as caught:
            await connection._send(b"FOOBAR\n", "FOOBAR", None)
        assert caught.value.code == 510
        assert (await connection.command("NOOP")).result == "0"  # the session goes on


async def test_520_carries_the_usage_text() -> None:
    """errors.txt: "520-" then, ~40 ms later, the usage and "520 End of proper usage."."""
    async with agi_session() as (connection, _):
        with pytest.raises(UsageError) as caught:
            await connection.command("SAY NUMBER", "notanumber", "")
        assert caught.value.text.startswith("Say a given number")
        assert (await connection.command("NOOP")).code == 200


async def test_progress_line_is_skipped() -> None:
    """README section 2: "100 ... Trying" precedes the real answer."""
    caller = CallerScript(garbage_at_command={0: b"100 result=0 Trying...\n200 result=0\n"})
    async with agi_session(caller) as (connection, _):
        assert (await connection.command("ANSWER")).result == "0"


async def test_hangup_then_dead_mode() -> None:
    """hangupstream.txt: -1, then HANGUP; 511 for media commands; bookkeeping still works; refused locally."""
    async with agi_session(CallerScript(hangup_at_command=0), nagle_delay=0.01) as (connection, fake):
        response = await connection.command("STREAM FILE", "tt-monkeys", "")
        assert response.result == "-1"
        with pytest.raises(DeadChannel):
            await connection.command("CHANNEL STATUS")  # 511 from Asterisk
        assert connection.hung_up
        assert (await connection.command("GET VARIABLE", "FOO")).result == "0"
        sent = len(fake.call.commands)
        with pytest.raises(DeadChannel):
            await connection.command("ANSWER")  # refused without touching the wire
        await asyncio.sleep(0.05)
        assert len(fake.call.commands) == sent


@pytest.mark.parametrize("verb", sorted(KNOWN_VERBS - BOOKKEEPING_VERBS - {"HANGUP"}))
async def test_dead_mode_refuses_every_channel_verb_locally(verb: str) -> None:
    """hangupstream.txt: after the hangup only bookkeeping reaches Asterisk; each other verb is refused here,
    whatever it is (mutation review of 2026-12-05: only ANSWER was tried)."""
    async with agi_session(CallerScript(hangup_at_command=0), nagle_delay=0.01) as (connection, fake):
        assert (await connection.command("STREAM FILE", "tt-monkeys", "")).result == "-1"
        await asyncio.sleep(0.1)  # the HANGUP line that follows (~40 ms later in the capture)
        sent = len(fake.call.commands)
        with pytest.raises(DeadChannel):
            await connection.command(verb)
        await asyncio.sleep(0.02)
        assert len(fake.call.commands) == sent


async def test_one_command_in_flight_even_when_two_are_asked_at_once() -> None:
    """pipeline.txt: a second command written before the first is answered shifts every later answer. Two
    coroutines asking at once get their own answers, the second sent only after the first's."""
    async with agi_session(media={"long": 0.2}) as (connection, fake):
        played, status = await asyncio.gather(
            connection.command("STREAM FILE", "long", ""), connection.command("GET VARIABLE", "CHANNEL")
        )
        assert played.result == "0" and status.data == fake.env["agi_channel"]
        assert fake.call.interrupted == 0  # nothing was written while the prompt played


async def test_a_timed_out_command_ends_the_session() -> None:
    """Its answer may still come and would be taken for the next command's: after the timeout nothing more is
    sent (mutation review of 2026-12-05)."""
    async with agi_session(idle_timeout=0.1, media={"long": 0.5}) as (connection, fake):
        with pytest.raises(ConnectionLost):
            await connection.command("STREAM FILE", "long", "")
        assert connection.closed
        sent = len(fake.call.commands)
        with pytest.raises(ConnectionLost):
            await connection.command("NOOP")
        assert len(fake.call.commands) == sent


async def test_an_answer_with_no_command_in_flight_ends_the_session() -> None:
    """An answer nobody asked for would be taken for the next command's: the session is given up instead."""
    async with agi_session(CallerScript(hangup_after=0.0)) as (connection, _):
        connection.data_received(b"200 result=0\n")
        assert isinstance(connection.failure, ResponseError) and connection.closed


async def test_unsolicited_hangup_is_noted() -> None:
    """hangupidle.txt: HANGUP while idle; the next command sees it and learns the channel is dead."""
    async with agi_session(CallerScript(hangup_after=0.01)) as (connection, _):
        await asyncio.sleep(0.05)
        with pytest.raises(DeadChannel):
            await connection.command("STREAM FILE", "beep", "")
        assert connection.hung_up and connection.hangup_lines == 1


async def test_early_eof_is_connection_lost() -> None:
    async with agi_session(CallerScript(eof_at_command=0)) as (connection, _):
        with pytest.raises(ConnectionLost):
            await connection.command("ANSWER")
        with pytest.raises(ConnectionLost):
            await connection.command("NOOP")  # nothing is written after the loss


async def test_garbage_answer_is_a_protocol_error_and_ends_the_session() -> None:
    async with agi_session(CallerScript(garbage_at_command={0: b"HTTP/1.1 400 Bad Request\n"})) as (connection, _):
        with pytest.raises(ResponseError):
            await connection.command("ANSWER")
        assert connection.closed


async def test_silent_asterisk_hits_the_idle_timeout() -> None:
    async with agi_session(idle_timeout=0.1, media={"long": 0.5}) as (connection, _):
        with pytest.raises(ConnectionLost, match="no answer"):
            await connection.command("STREAM FILE", "long", "")


async def test_slow_bytes_are_reassembled() -> None:
    """A response dribbling in byte by byte is still one response (read by lines, never by recv)."""
    async with agi_session(CallerScript(byte_delay=0.001)) as (connection, _):
        assert (await connection.command("GET VARIABLE", "CHANNEL")).data == "Local/dtmf@caller-0000046b;1"


async def test_exit_on_hangup_closes_the_socket() -> None:
    """hangupexit.txt: -1, HANGUP, HANGUP, EOF: the next command is a lost connection, not a hang."""
    async with agi_session(CallerScript(hangup_at_command=0), exit_on_hangup=True) as (connection, _):
        assert (await connection.command("STREAM FILE", "tt-monkeys", "")).result == "-1"
        with pytest.raises((ConnectionLost, DeadChannel)):
            await connection.command("STREAM FILE", "beep", "")


class _DuckTransport:
    """asyncio.Transport's methods without its class, as uvloop's TCP transports are."""

    def __init__(self) -> None:
        self.written: list[bytes] = []
        self.closing = False

    def write(self, data: bytes) -> None:
        self.written.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closing

    def can_write_eof(self) -> bool:
        return True

    def write_eof(self) -> None:
        self.written.append(b"<eof>")

    def close(self) -> None:
        self.closing = True

    def abort(self) -> None:
        self.closing = True

    def get_extra_info(self, name: str, default: object = None) -> object:
        return ("127.0.0.1", 40000) if name == "peername" else default


async def test_a_transport_need_not_derive_from_asyncio_transport() -> None:
    """A session runs on any transport with asyncio.Transport's methods (uvloop, the loop of uvicorn[standard])."""
    transport = _DuckTransport()
    connection = AgiConnection()
    connection.connection_made(transport)  # type: ignore[arg-type]
    env_block = b"agi_network: yes\nagi_network_script: greet\n\n"
    connection.data_received(env_block)
    assert await connection.read_env_block(1.0) == env_block
    answer = asyncio.ensure_future(connection.command("ANSWER"))
    await asyncio.sleep(0)
    assert transport.written == [b"ANSWER\n"]
    connection.data_received(b"200 result=0\n")
    assert (await answer).result == "0"
    closing = asyncio.ensure_future(connection.close(drain_timeout=1.0))
    await asyncio.sleep(0)
    assert transport.written[-1] == b"<eof>"
    connection.data_received(b"HANGUP\n")
    connection.eof_received()
    await closing
    assert transport.closing and connection.hangup_lines == 1


@pytest.mark.parametrize(
    "answer",
    [
        b"200 result=1 (" + b"x" * 5000 + b")\n",  # one read, the whole line: the fast path
        b"200 result=1 (" + b"x" * 5000 + b")\nHANGUP\n",  # two lines in one read: the line loop
        b"200 result=1 (a\n" + b"x" * 5000 + b")\n",  # a value with a line feed, its second line too long
    ],
    ids=["whole-line", "with-hangup", "continued-value"],
)
async def test_a_response_line_over_the_cap_is_refused_however_it_arrives(answer: bytes) -> None:
    """The cap on a response line held only for a line still being buffered; one that arrived whole in a read
    (a recv takes up to 256 KiB) was parsed whatever its length (review of 2026-12-05, second day)."""
    transport = _DuckTransport()
    connection = AgiConnection(max_line_bytes=1000, idle_timeout=2.0)
    connection.connection_made(transport)  # type: ignore[arg-type]
    connection.data_received(b"agi_network: yes\nagi_network_script: greet\n\n")
    await connection.read_env_block(1.0)
    pending = asyncio.ensure_future(connection.command("GET VARIABLE", "X"))
    await asyncio.sleep(0)
    connection.data_received(answer)
    with pytest.raises(ResponseError, match="longer than 1000 bytes"):
        await asyncio.wait_for(pending, 1.0)
    assert connection.closed and isinstance(connection.failure, ResponseError)


async def test_an_env_block_with_a_value_ending_in_a_line_feed_is_taken_whole_in_any_reads() -> None:
    """Review of 2026-12-05: a caller name ending in LF cut the block at its empty line. Read in three pieces, one
    ending inside the next key's name, the block is whole, and what follows it (a HANGUP) is read as an answer."""
    block = encode_env(default_env("greet", agi_calleridname="Alice Example\n"))
    middle = block.index(b"\n\nagi_callingpres") + len(b"\n\nagi_call")
    connection = AgiConnection()
    connection.connection_made(_DuckTransport())  # type: ignore[arg-type]
    for piece in (block[:40], block[40:middle], block[middle:] + b"HANGUP\n"):
        connection.data_received(piece)
    assert await connection.read_env_block(1.0) == block
    assert connection.hung_up and connection.failure is None


async def _longest_stall(done: asyncio.Future[object]) -> float:
    """The longest time the event loop did not run a 5 ms ticker until `done`."""
    worst, last = 0.0, time.monotonic()
    while not done.done():
        await asyncio.sleep(0.005)
        now = time.monotonic()
        worst, last = max(worst, now - last), now
    return worst


async def test_a_hostile_64_line_answer_does_not_stall_the_event_loop() -> None:
    """Review of 2026-12-05: an answer's (data) left open over 64 lines of 16 KiB " a=)" was matched with
    quadratic backtracking, again for each line: minutes during which no other call was served."""
    loop = asyncio.get_running_loop()
    accepted: asyncio.Queue[AgiConnection] = asyncio.Queue()
    listener = await loop.create_server(
        lambda: AgiConnection(idle_timeout=10.0, on_connect=lambda c, _: accepted.put_nowait(c)), "127.0.0.1", 0
    )
    reader, writer = await asyncio.open_connection("127.0.0.1", listener.sockets[0].getsockname()[1])
    try:
        writer.write(encode_env(default_env("greet")))
        connection = await accepted.get()
        await connection.read_env_block(1.0)
        answer = asyncio.ensure_future(connection.command("GET VARIABLE", "X"))
        await reader.readline()
        hostile = " a=)" * 4000 + " !"  # 16 KiB, under the line cap
        writer.write(f"200 result=1 ({hostile}\n".encode() + f"{hostile}\n".encode() * 62 + b"end)\n")
        stall = await _longest_stall(answer)
        assert stall < 0.25, f"the event loop was held {stall:.2f} s by one answer"
        assert (await answer).data == "\n".join([hostile] * 63 + ["end"])
    finally:
        writer.transport.abort()
        listener.close()
        await listener.wait_closed()


async def test_an_answer_read_in_the_pass_its_deadline_fires_still_counts() -> None:
    """Review of 2026-12-05: the loop stalled past a command's deadline while Asterisk's answer (sent 50 ms after
    the command) sat in the socket; the pass that read it also ran the watchdog's tick, which closed the session as
    silent. The command got its 200, the next one "the session is closed", and the record blamed Asterisk."""
    loop = asyncio.get_running_loop()
    accepted: asyncio.Queue[AgiConnection] = asyncio.Queue()
    watchdog = Watchdog()
    listener = await loop.create_server(
        lambda: AgiConnection(watchdog=watchdog, on_connect=lambda c, _: accepted.put_nowait(c)), "127.0.0.1", 0
    )
    answered = threading.Event()

    def asterisk(port: int) -> None:  # answers every command 50 ms after it, as a short prompt would
        with socket.create_connection(("127.0.0.1", port)) as sock, sock.makefile("rb") as stream:
            sock.sendall(encode_env(default_env("greet")))
            while line := stream.readline():
                if line.strip():
                    time.sleep(0.05)
                    sock.sendall(b"200 result=0\n")
                    answered.set()

    threading.Thread(target=asterisk, args=(listener.sockets[0].getsockname()[1],), daemon=True).start()
    connection = await accepted.get()
    await connection.read_env_block(5.0)

    def stall() -> None:  # a long pause of the loop right after NOOP went out, the answer arriving meanwhile
        assert answered.wait(5)
        time.sleep(0.5)

    loop.call_soon(stall)
    assert (await connection.command("NOOP", timeout=0.3)).code == 200
    assert connection.failure is None and not connection.closed
    assert (await connection.command("NOOP", timeout=5)).code == 200
    await connection.close(drain_timeout=0.5)
    listener.close()
