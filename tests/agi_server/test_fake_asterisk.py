"""The fake Asterisk replays the captured transcripts byte for byte (../shared/asterisk/*.txt).

A probe server here plays the transcript's server side (S>A chunks, its half-close) against the fake and
collects what the fake answers; that must equal the transcript's A>S bytes. Only `endpos=` sample offsets
are normalised: they depend on how long the real sound files are.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import re
import time

import pytest

from tests.agi_server.transcripts import Chunk, env_of, read_transcript
from tests.fakes.asterisk import CallerScript, FakeAsterisk, parse_args

SETTLE = 0.3  # how long the probe waits for an answer the transcript shows as missing (stalls)


def _normalise(data: bytes) -> bytes:
    return re.sub(rb"endpos=\d+", b"endpos=N", data)


def _env_dict(env: bytes) -> dict[str, str]:
    lines = env.decode().split("\n")[:-2]
    return {line.split(": ", 1)[0]: line.split(": ", 1)[1] if ": " in line else "" for line in lines}


async def replay(name: str, script: CallerScript | None = None, **fake: object) -> tuple[bytes, bytes, FakeAsterisk]:
    """Run the transcript's server side against the fake; return (expected A>S bytes, actual, the fake)."""
    chunks = read_transcript(name)
    env, segments = env_of(chunks)
    rest: list[Chunk] = chunks[len(segments) :]
    expected = b"".join(c.data if c.direction == "A>S" else b"<EOF>" for c in rest if c.direction in ("A>S", "EOF"))
    received = bytearray()
    done = asyncio.Event()

    async def probe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\n\n")
        wanted = b""
        eof = False

        async def collect(until: int) -> None:
            nonlocal eof
            deadline = time.monotonic() + SETTLE
            while len(_normalise(bytes(received))) < until and not eof and time.monotonic() < deadline:
                try:
                    chunk = await asyncio.wait_for(reader.read(65536), max(0.01, deadline - time.monotonic()))
                except TimeoutError:
                    break
                if not chunk:
                    eof = True
                    received.extend(b"<EOF>")
                received.extend(chunk)

        previous = rest[0].at if rest else 0.0
        for chunk in rest:
            if chunk.direction in ("S>A", "HALFCLOSE") and chunk.at - previous > 0.2:
                await asyncio.sleep(SETTLE)  # the probe idled here (caller hangs up meanwhile)
            previous = chunk.at
            if chunk.direction == "A>S":
                wanted += chunk.data
            elif chunk.direction == "EOF":
                wanted += b"<EOF>"
            else:
                await collect(len(_normalise(wanted)))
                with contextlib.suppress(ConnectionError, RuntimeError):
                    if chunk.direction == "S>A" and not writer.is_closing():
                        writer.write(chunk.data)
                        await writer.drain()
                    elif chunk.direction == "HALFCLOSE" and writer.can_write_eof() and not eof:
                        writer.write_eof()
        await collect(len(_normalise(wanted)))
        writer.close()
        done.set()

    server = await asyncio.start_server(probe, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    env_split = segments[0].count(b"\n")
    call = FakeAsterisk("127.0.0.1", port, env=_env_dict(env), script=script, env_split=env_split, hold=2.0, **fake)
    await asyncio.gather(call.run(timeout=20), asyncio.wait_for(done.wait(), 20))
    server.close()
    await server.wait_closed()
    assert b"".join(call.call.env_segments) == env
    assert call.call.env_segments == segments, "the env block comes in the same two segments"
    return _normalise(expected), _normalise(bytes(received)), call


async def test_errors_transcript() -> None:
    """errors.txt: 510 for unknown verbs, CRLF and empty lines; 520 usage in two segments; quoting; UTF-8."""
    expected, actual, _ = await replay("errors.txt")
    assert actual == expected


async def test_hangup_during_stream_file_then_dead_mode() -> None:
    """hangupstream.txt: -1 result, HANGUP line, then 511 for ANSWER/STREAM FILE/WAIT FOR DIGIT/CHANNEL STATUS."""
    expected, actual, fake = await replay("hangupstream.txt", CallerScript(hangup_at_command=1))
    assert actual == expected
    assert fake.call.dead_commands[0] == "GET VARIABLE FOO"


async def test_hangup_line_follows_the_result_in_its_own_segment() -> None:
    """hangupstream.txt: "HANGUP\\n" arrives ~40 ms after "200 result=-1", not in the same recv()."""
    chunks = read_transcript("hangupstream.txt")
    result, hangup = next((a, b) for a, b in itertools.pairwise(chunks) if a.data.startswith(b"200 result=-1"))
    assert hangup.data == b"HANGUP\n" and 0.03 < hangup.at - result.at < 0.06
    arrivals: list[tuple[float, bytes]] = []

    async def server(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\n\n")
        writer.write(b'STREAM FILE tt-monkeys ""\n')
        while len(arrivals) < 2 and (chunk := await reader.read(100)):
            arrivals.append((time.monotonic(), chunk))
        writer.close()

    listener = await asyncio.start_server(server, "127.0.0.1", 0)
    fake = FakeAsterisk(
        "127.0.0.1", listener.sockets[0].getsockname()[1], script=CallerScript(hangup_at_command=0), hold=0.5
    )
    await fake.run()
    listener.close()
    assert arrivals[0][1].startswith(b"200 result=-1 endpos=") and arrivals[1][1] == b"HANGUP\n"
    assert arrivals[1][0] - arrivals[0][0] >= 0.03


async def test_a_caller_gone_before_the_prompt_plays_is_told_at_once() -> None:
    """CI, 2026-12-05: a caller hanging up as STREAM FILE starts got a normal result when the prompt's (scaled)
    length passed before the fake first looked at the hangup; the server, never told, then sent HANGUP to a dead
    channel. The -1 of hangupstream.txt must come whatever the prompt's length."""
    answers: list[bytes] = []

    async def server(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\n\n")
        writer.write(b'STREAM FILE beep ""\n')
        answers.append(await reader.readline())
        writer.close()

    listener = await asyncio.start_server(server, "127.0.0.1", 0)
    fake = FakeAsterisk(
        "127.0.0.1",
        listener.sockets[0].getsockname()[1],
        script=CallerScript(hangup_at_command=0),
        media={"beep": 0.0},
        hold=0.5,
    )
    await fake.run()
    listener.close()
    assert answers == [b"200 result=-1 endpos=0\n"]


async def test_hangup_at_exit_closes_at_once() -> None:
    """hangupexit.txt: AGIEXITONHANGUP=yes sends -1, HANGUP, HANGUP and closes."""
    expected, actual, _ = await replay("hangupexit.txt", CallerScript(hangup_at_command=1), exit_on_hangup=True)
    assert actual == expected


async def test_server_hangup() -> None:
    """serverhangup.txt: HANGUP -> 200 result=1, a HANGUP line later, then dead mode."""
    expected, actual, _ = await replay("serverhangup.txt")
    assert actual == expected


async def test_hangup_while_idle() -> None:
    """hangupidle.txt: an unsolicited HANGUP line when no command runs."""
    expected, actual, _ = await replay("hangupidle.txt", CallerScript(hangup_after=0.05))
    assert actual == expected


async def test_no_sighup() -> None:
    """nosighup.txt: AGISIGHUP=no: no HANGUP line at all, only the close."""
    expected, actual, _ = await replay("nosighup.txt", CallerScript(hangup_after=0.05), sighup=False)
    assert actual == expected


async def test_failure_line() -> None:
    """failure.txt: a line starting with "failure" gets HANGUP and EOF."""
    expected, actual, _ = await replay("failure.txt")
    assert actual == expected


async def test_pipelined_commands_stall() -> None:
    """pipeline.txt: the second of two commands in one write waits for more bytes; answers shift by one."""
    expected, actual, _ = await replay("pipeline.txt")
    assert actual == expected


async def test_env_arguments_and_query_string() -> None:
    """env.txt: agi_arg_N and a query string in agi_network_script; AGI_URL reads back."""
    expected, actual, _ = await replay("env.txt")
    assert actual == expected


async def test_dial_without_g() -> None:
    """dial.txt: an answered Dial without 'g' answers -1 and the channel stays up."""
    script = CallerScript(far_end=["answered"], answered_time=5)
    expected, actual, _ = await replay("dial.txt", script)
    assert actual == expected


async def test_dial_with_g_and_unavailable() -> None:
    """dialg.txt: Dial with 'g' answers 0; a dead destination gives DIALSTATUS=CHANUNAVAIL."""
    script = CallerScript(far_end=["answered", "failed"], answered_time=5)
    expected, actual, _ = await replay("dialg.txt", script)
    assert actual == expected


async def test_get_data_result_formats() -> None:
    """getdata.txt: timeout, partial + timeout, '#' alone, hangup mid-entry."""
    script = CallerScript(keys_at_command={2: "12", 3: "#", 4: "9"}, hangup_at_command=4)
    expected, actual, _ = await replay("getdata.txt", script, time_scale=0.02)
    assert actual == expected


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ('SET VARIABLE Q "a\\"b c"', ["SET", "VARIABLE", "Q", 'a"b c']),
        ("SET VARIABLE Q2 a\\ b", ["SET", "VARIABLE", "Q2", "a b"]),
        ("  GET   VARIABLE\tFOO  ", ["GET", "VARIABLE", "FOO"]),
        ('STREAM FILE x ""', ["STREAM", "FILE", "x", ""]),
    ],
)
def test_parse_args_like_res_agi(line: str, words: list[str]) -> None:
    """errors.txt: quoting and escaping as Asterisk read them back."""
    assert parse_args(line) == words


async def test_a_byte_written_during_playback_stops_it_without_an_answer() -> None:
    """Issue 3 (res_agi watches the AGI socket while it plays): any byte interrupts STREAM FILE and no result
    line follows; the new line then runs at once."""
    answers: list[bytes] = []

    async def server(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\n\n")
        writer.write(b'STREAM FILE long ""\n')
        await asyncio.sleep(0.05)
        writer.write(b"NOOP\n")  # the mistake this runtime's one-command lock prevents
        answers.append(await reader.readuntil(b"\n"))
        writer.close()

    listener = await asyncio.start_server(server, "127.0.0.1", 0)
    fake = FakeAsterisk("127.0.0.1", listener.sockets[0].getsockname()[1], media={"long": 10.0}, hold=0.5)
    call = await fake.run()
    listener.close()
    assert answers == [b"200 result=0\n"]  # NOOP's answer; STREAM FILE got none
    assert call.interrupted == 1 and call.commands == ['STREAM FILE long ""', "NOOP"]


async def test_a_byte_written_during_a_digit_wait_ends_it_with_an_answer() -> None:
    """WAIT FOR DIGIT is not a playback: res_agi's handle_waitfordigit prints "200 result=1" when the AGI socket
    turns readable (ast_waitfordigit_full returns 1), then runs the new line. (No capture has it: from the
    source, as the review of 2026-12-05 read it.)"""
    answers: list[bytes] = []

    async def server(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\n\n")
        writer.write(b"WAIT FOR DIGIT 10000\n")
        await asyncio.sleep(0.05)
        writer.write(b"NOOP\n")
        answers.extend([await reader.readuntil(b"\n"), await reader.readuntil(b"\n")])
        writer.close()

    listener = await asyncio.start_server(server, "127.0.0.1", 0)
    call = await FakeAsterisk("127.0.0.1", listener.sockets[0].getsockname()[1], hold=0.5).run()
    listener.close()
    assert answers == [b"200 result=1\n", b"200 result=0\n"]
    assert call.interrupted == 1


async def test_basic_transcript() -> None:
    """basic.txt: ANSWER, STREAM FILE, SAY NUMBER/DIGITS/ALPHA, (full) variables with CALLERID/EXTEN/CONTEXT,
    DATABASE PUT/GET/DEL/DELTREE, CHANNEL STATUS, VERBOSE, NOOP, SET CALLERID, EXEC Playback (PLAYBACKSTATUS),
    EXEC Set, EXEC of an unknown application (-2), a missing file, GET OPTION, CONTROL STREAM FILE, SET MUSIC."""
    media = {"hello-world": 1.4, "tt-weasels": 0.02, "beep": 0.01}
    expected, actual, _ = await replay("basic.txt", missing_media=["no-such-file"], media=media, time_scale=0.01)
    assert actual == expected


async def test_dtmf_transcript() -> None:
    """dtmf.txt: prompts looped until '5' interrupts one; GET DATA of four digits; '#' by WAIT FOR DIGIT; a key
    pressed while no command runs is lost; GET DATA ends on '#'; SAY NUMBER interrupted by '#'."""
    script = CallerScript(
        keys_at_command={3: "5", 4: "1234", 5: "#", 7: "7#", 8: "#"},
        keys_at=[(0.2, "9")],  # during the idle gap: lost
    )
    expected, actual, fake = await replay("dtmf.txt", script, media={"vm-press": 0.72}, time_scale=0.01)
    assert actual == expected
    assert fake.call.keys_lost == ["9"]


async def test_digits_transcript() -> None:
    """digits.txt: WAIT FOR DIGIT one key at a time ('1', '2', '3', '#'), then a timeout."""
    script = CallerScript(keys_at_command={1: "1", 2: "2", 3: "3", 4: "#"})
    expected, actual, _ = await replay("digits.txt", script, time_scale=0.01)
    assert actual == expected


async def test_newline_transcript() -> None:
    """newline.txt: a raw LF inside an argument makes two commands (the second stalls until more bytes);
    backslash escapes; a value holding a LF splits its response line; EXEC Set expands ${...} only with
    AGIEXECFULL=yes; a line over AGI_BUF_LEN runs as two commands at once."""
    expected, actual, _ = await replay("newline.txt")
    assert actual == expected


async def test_timing_transcript() -> None:
    """timing.txt: a thousand GET VARIABLE and two hundred NOOP round trips, answered in order."""
    expected, actual, _ = await replay("timing.txt")
    assert actual == expected


def _captured_answer(name: str, command: bytes) -> tuple[bytes, float]:
    """The answer a capture shows to `command` and how long after the command it arrived."""
    chunks = read_transcript(name)
    sent = next(c for c in chunks if c.direction == "S>A" and c.data == command)
    answer = next(c for c in chunks if c.direction == "A>S" and c.at > sent.at)
    return answer.data, answer.at - sent.at


async def _get_data(script: CallerScript, time_scale: float) -> tuple[bytes, float, FakeAsterisk]:
    """Send getdata.txt's first GET DATA to a fake playing dtmf.txt's beep; return its answer, round trip, fake."""
    result: list[tuple[bytes, float]] = []

    async def server(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\n\n")
        started = time.monotonic()
        writer.write(b"GET DATA beep 2000 4\n")
        result.append((await reader.readuntil(b"\n"), time.monotonic() - started))
        writer.close()

    listener = await asyncio.start_server(server, "127.0.0.1", 0)
    beep = 3404 / 8000  # basic.txt: GET OPTION beep -> endpos=3404 samples at 8 kHz
    port = listener.sockets[0].getsockname()[1]
    fake = FakeAsterisk("127.0.0.1", port, script=script, media={"beep": beep}, hold=0.5, time_scale=time_scale)
    await fake.run(timeout=10)
    listener.close()
    return result[0][0], result[0][1], fake


async def test_get_data_waits_its_timeout_for_the_first_key_after_the_prompt() -> None:
    """getdata.txt: "GET DATA beep 2000 4" with no key answered "200 result= (timeout)" 2428 ms later: the 0.43 s
    beep PLUS the 2000 ms timeout (ast_readstring waits `timeout` for the first digit once the prompt ends).
    Review of 2026-12-05: the fake answered as soon as the beep ended."""
    captured, rtt = _captured_answer("getdata.txt", b"GET DATA beep 2000 4\n")
    assert captured == b"200 result= (timeout)\n" and 2.4 < rtt < 2.46
    scale = 0.25
    answer, elapsed, _ = await _get_data(CallerScript(), scale)
    assert answer == captured
    assert abs(elapsed - rtt * scale) < 0.1, f"{elapsed:.3f} s, the capture scaled: {rtt * scale:.3f} s"


async def test_get_data_collects_a_key_pressed_after_the_prompt() -> None:
    """getdata.txt: '1' came 1.2 s after "GET DATA beep 3000 4" was sent, long after the 0.43 s beep, and was
    collected ("200 result=12 (timeout)"). A key in the first-digit wait counts, then the inter-digit timeout
    (= the timeout argument) ends the entry with fewer than max digits. Review of 2026-12-05."""
    scale = 0.25  # beep ends 0.106 s in, the first-digit wait 0.5 s after that; '7' comes in between
    answer, elapsed, fake = await _get_data(CallerScript(keys_at=[(0.3, "7")]), scale)
    assert answer == b"200 result=7 (timeout)\n"
    assert fake.call.keys_lost == []
    assert elapsed > 0.3 + 2.0 * scale - 0.05  # the inter-digit wait after the '7'


async def _answers_after(first: bytes, script: CallerScript | None, then: bytes | None) -> tuple[list[bytes], int]:
    """Send `first`; as soon as its answer arrives send `then` (or half-close when None), then collect every line
    until EOF. Returns the lines and the number of HANGUP lines the fake says it wrote."""
    lines: list[bytes] = []
    done = asyncio.Event()

    async def server(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\n\n")
        writer.write(first)
        lines.append(await reader.readuntil(b"\n"))
        if then is None:
            writer.write_eof()  # well inside the ~40 ms the HANGUP line is held back
        else:
            writer.write(then)  # at once, as AgiChannel probes a -1 with CHANNEL STATUS
        with contextlib.suppress(TimeoutError, asyncio.IncompleteReadError):
            while len(lines) < 3:
                lines.append(await asyncio.wait_for(reader.readuntil(b"\n"), 0.5))
        writer.close()
        done.set()

    listener = await asyncio.start_server(server, "127.0.0.1", 0)
    fake = FakeAsterisk("127.0.0.1", listener.sockets[0].getsockname()[1], script=script, hold=0.5)
    call = await fake.run(timeout=10)
    await asyncio.wait_for(done.wait(), 5)  # the fake may close before the server has read everything
    listener.close()
    return lines, call.hangup_lines


async def test_hangup_line_comes_before_the_answer_to_a_quick_next_command() -> None:
    """hangupstream.txt / README 3a and 5: res_agi writes "HANGUP\\n" right after the -1 result, before it reads the
    next command; the ~40 ms gap in the capture is Nagle, which delays bytes but never reorders them. A server
    that answers the -1 at once with CHANNEL STATUS reads -1, HANGUP, 511. Review of 2026-12-05: the fake's
    40 ms timer let the 511 overtake the HANGUP line."""
    dead_answer, _ = _captured_answer("hangupstream.txt", b"CHANNEL STATUS\n")
    script = CallerScript(hangup_at_command=0)
    lines, _ = await _answers_after(b'STREAM FILE tt-monkeys ""\n', script, b"CHANNEL STATUS\n")
    assert lines[0].startswith(b"200 result=-1 endpos=")
    assert lines[1:] == [b"HANGUP\n", dead_answer]


async def test_hangup_line_after_the_hangup_command_comes_before_the_next_answer() -> None:
    """serverhangup.txt / README 3g: HANGUP -> "200 result=1", then the HANGUP line (held ~40 ms by Nagle), then
    dead mode; a CHANNEL STATUS sent at once still reads the HANGUP line before its 511. Review of 2026-12-05."""
    dead_answer, _ = _captured_answer("serverhangup.txt", b"CHANNEL STATUS\n")
    lines, _ = await _answers_after(b"HANGUP\n", None, b"CHANNEL STATUS\n")
    assert lines == [b"200 result=1\n", b"HANGUP\n", dead_answer]


async def test_a_held_hangup_line_is_not_lost_when_the_server_closes_at_once() -> None:
    """README 3d: after the server's half-close Asterisk writes one more HANGUP line and closes, so a caller hangup
    gives two HANGUP lines; the first, held back by Nagle, still goes out when the server closes within those
    ~40 ms. Review of 2026-12-05: the fake dropped it while counting it in `hangup_lines`."""
    script = CallerScript(hangup_at_command=0)
    lines, hangup_lines = await _answers_after(b'STREAM FILE tt-monkeys ""\n', script, None)
    assert lines[0].startswith(b"200 result=-1 endpos=")
    assert lines[1:] == [b"HANGUP\n", b"HANGUP\n"]
    assert hangup_lines == 2


@pytest.mark.parametrize("command", [b"HANGUP\n", b'SET CALLERID "\\"X\\" <1>"\n', b"SET MUSIC ON default\n"])
async def test_dead_channel_refuses_hangup_callerid_and_music(command: bytes) -> None:
    """res_agi.c's command table (agi_command.dead = 0 for "hangup", "set callerid" and "set music", as for
    "answer" and "stream file") and agi_handle_command: on a dead channel such a command gets the 511 line of
    hangupstream.txt. Review of 2026-12-05: the fake answered 200."""
    refused, _ = _captured_answer("hangupstream.txt", b"CHANNEL STATUS\n")
    assert refused == b"511 Command Not Permitted on a dead channel or intercept routine\n"
    answers: list[bytes] = []

    async def server(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\n\n")
        assert await reader.readuntil(b"\n") == b"HANGUP\n"  # the caller hung up while idle (hangupidle.txt)
        writer.write(command)
        answers.append(await reader.readuntil(b"\n"))
        writer.close()

    listener = await asyncio.start_server(server, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    call = await FakeAsterisk("127.0.0.1", port, script=CallerScript(hangup_after=0.02), hold=0.5).run(timeout=10)
    listener.close()
    assert answers == [refused]
    assert call.hangup_lines == 2  # the idle one and the final one: a refused HANGUP adds none
