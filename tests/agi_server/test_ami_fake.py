"""The fake AMI peer answers raw bytes the way the real Asterisk 22 did in ../shared/asterisk/ami/."""

from __future__ import annotations

import asyncio
import re

from agi_server.ami import AmiClient, AmiSettings, OriginateRequest
from agi_server.ami_protocol import DialOutcome
from tests.fakes.ami import CAPTURES, FakeAmi, load_transcript


async def talk(fake: FakeAmi, data: bytes, *, until: bytes = b"\r\n\r\n", timeout: float = 3.0) -> tuple[bytes, bytes]:
    """Connect, read the banner, send `data`, read until `until` has been seen. Returns (banner, answer)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", fake.port)
    try:
        banner = await asyncio.wait_for(reader.readline(), timeout)
        writer.write(data)
        answer = b""
        while until not in answer:
            chunk = await asyncio.wait_for(reader.read(65536), timeout)
            if not chunk:
                break
            answer += chunk
        return banner, answer
    finally:
        writer.close()


def captured(name: str, index: int) -> bytes:
    return [c for c in load_transcript(CAPTURES / name) if c.data][index].data


def chunk_with(name: str, direction: str, marker: bytes) -> bytes:
    return next(c.data for c in load_transcript(CAPTURES / name) if c.direction == direction and marker in c.data)


def test_transcript_loader_reproduces_the_captured_byte_counts() -> None:
    """c1x.txt: every chunk after the login has exactly its recorded len= (Login and SuccessfulAuth were
    edited for the capture, so their counts differ by a few bytes)."""
    text = (CAPTURES / "c1x.txt").read_text()
    lengths = [int(n) for n in re.findall(r"(?m)^\s*\d+\.\d+\s+(?:A>C|C>A)\s+#\d+\s+len=(\d+)", text)]
    chunks = [c for c in load_transcript(CAPTURES / "c1x.txt") if c.data]
    assert len(chunks) == len(lengths)
    assert [len(c.data) for c in chunks[4:]] == lengths[4:]


async def test_banner_and_permission_denied_before_login(fake: FakeAmi) -> None:
    """b-login-wrong-secret.txt #1-#2, byte for byte."""
    banner, answer = await talk(fake, captured("b-login-wrong-secret.txt", 1))
    assert banner == captured("b-login-wrong-secret.txt", 0) == b"Asterisk Call Manager/11.0.0\r\n"
    assert answer == captured("b-login-wrong-secret.txt", 2)


async def test_an_action_whose_last_cr_lf_is_split_over_two_segments_is_answered(fake: FakeAmi) -> None:
    """README section 2: actions are read by their empty line, never by recv(); Asterisk finds a CR LF whatever
    the segments (the fake converted CR LF a read at a time and never saw this one's end)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", fake.port)
    try:
        await asyncio.wait_for(reader.readline(), 3.0)
        writer.write(b"Action: Ping\r\nActionID: split-1\r\n\r")
        await writer.drain()
        await asyncio.sleep(0.05)  # the LF in a segment of its own
        writer.write(b"\n")
        answer = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 3.0)
        # Before login, as b-login-wrong-secret.txt #2: permission denied, for this action id.
        assert b"Response: Error\r\n" in answer and b"ActionID: split-1\r\n" in answer
    finally:
        writer.close()


async def test_wrong_secret_after_one_second_then_eof(fake: FakeAmi) -> None:
    """b-login-wrong-secret.txt #3-#4: 'Authentication failed' at 1.001 s, EOF right after."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    _, answer = await talk(fake, captured("b-login-wrong-secret.txt", 3), until=b"never")
    assert answer == captured("b-login-wrong-secret.txt", 4)  # read until EOF: nothing follows
    assert loop.time() - started >= 1.0


async def test_login_answer_shape(fake: FakeAmi) -> None:
    """a-login.txt #2: Response and FullyBooted in one chunk (Uptime differs)."""
    login = b"Action: Login\r\nActionID: a-login-1\r\nUsername: probe\r\nSecret: probe\r\nEvents: on\r\n\r\n"
    _, answer = await talk(fake, login, until=b"Fully Booted\r\n\r\n")
    first_chunk = answer[: answer.index(b"Fully Booted\r\n\r\n") + 16]
    expected = captured("a-login.txt", 2)
    assert re.sub(rb"\d+\r\n", b"N\r\n", first_chunk) == re.sub(rb"\d+\r\n", b"N\r\n", expected)


async def test_smuggled_action_behaves_like_asterisk(fake: FakeAmi) -> None:
    """d-header-injection.txt d3: the blank line ends the Originate early; the smuggled Command runs."""
    login = b"Action: Login\r\nUsername: probe\r\nSecret: probe\r\nEvents: off\r\n\r\n"
    smuggling = chunk_with("d-header-injection.txt", "C>A", b"d212059-d3-smuggled")
    _, answer = await talk(fake, login + smuggling, until=b"Output: Last reload")
    assert chunk_with("d-header-injection.txt", "A>C", b"requires 'Context'") in answer
    assert b"ActionID: d212059-d3-smuggled\r\nMessage: Command output follows\r\n" in answer
    assert [a.name for a in fake.received] == ["Login", "Originate", "Command"]


async def test_line_too_long_drops_the_action(fake: FakeAmi) -> None:
    """d-header-injection.txt d5: 'Failed to parse message: line too long', ActionID kept."""
    login = b"Action: Login\r\nUsername: probe\r\nSecret: probe\r\nEvents: off\r\n\r\n"
    long_action = chunk_with("d-header-injection.txt", "C>A", b"ActionID: d212059-d5\r\n")
    assert len(long_action) > 1100
    _, answer = await talk(fake, login + long_action, until=b"line too long\r\n\r\n")
    assert answer.endswith(
        b"Response: Error\r\nActionID: d212059-d5\r\nMessage: Failed to parse message: line too long\r\n\r\n"
    )
    assert [a.name for a in fake.received] == ["Login"]


# ---------------------------------------------------------------------------------------------------------------
# The fake's own answers in Asterisk's chunks, both legs listed, dial strings of a test's choosing (AMI review:
# the fake wrote each answer in one chunk, listed only the ";1" leg with a fixed context, and played c9x.txt for
# any channel not Local, so "PJSIP/{number}@trunk" could never be answered in a test).

LOGIN_EVENTS_OFF = b"Action: Login\r\nActionID: q-login\r\nUsername: probe\r\nSecret: probe\r\nEvents: off\r\n\r\n"


def sent(name: str, marker: bytes, *, connection: int = 0) -> bytes:
    """The bytes the capture's client sent in its chunk holding `marker` (in its `connection`-th such chunk)."""
    return [c.data for c in load_transcript(CAPTURES / name) if c.direction == "C>A" and marker in c.data][connection]


def answered(name: str, marker: bytes) -> bytes:
    return next(c.data for c in load_transcript(CAPTURES / name) if c.direction == "A>C" and marker in c.data)


async def chunks_of(reader: asyncio.StreamReader, messages: int, timeout: float = 3.0) -> list[bytes]:
    """Each read until `messages` messages have ended: what arrived together stays together."""
    reads: list[bytes] = []
    while b"".join(reads).count(b"\r\n\r\n") < messages:
        reads.append(await asyncio.wait_for(reader.read(65536), timeout))
        assert reads[-1], "EOF"
    return reads


async def logged_in(
    fake: FakeAmi, login: bytes = LOGIN_EVENTS_OFF
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", fake.port)
    await asyncio.wait_for(reader.readline(), 3.0)
    writer.write(login)
    await chunks_of(reader, 2 if b"Events: off" in login else 3)  # a-login.txt #2 (and #3 with events)
    return reader, writer


def _timestamps(data: bytes) -> bytes:
    return re.sub(rb"Timestamp: \d+\.\d+", b"Timestamp: T", data)


async def test_ping_is_answered_in_the_chunks_asterisk_wrote(fake: FakeAmi) -> None:
    """f2-asterisk-restart.txt #3-#5: Response line, ActionID line, the rest, each a chunk of its own; without an
    ActionID e-ping-logoff.txt #5-#6: two."""
    fake.chunk_gap = 0.02  # room for this test's reads: the fake and the reader share one loop
    reader, writer = await logged_in(fake)
    try:
        writer.write(sent("f2-asterisk-restart.txt", b"Action: Ping"))
        assert [_timestamps(c) for c in await chunks_of(reader, 1)] == [
            b"Response: Success\r\n",
            b"ActionID: f2-ping\r\n",
            b"Ping: Pong\r\nTimestamp: T\r\n\r\n",
        ]
        writer.write(b"Action: Ping\r\n\r\n")  # e-ping-logoff.txt C>A #3
        assert [_timestamps(c) for c in await chunks_of(reader, 1)] == [
            b"Response: Success\r\n",
            b"Ping: Pong\r\nTimestamp: T\r\n\r\n",
        ]
    finally:
        writer.close()


async def test_a_call_is_listed_and_read_as_f1_shows_it(fake: FakeAmi) -> None:
    """f1-drop-reconnect.txt: its Originate (callee 6000, c6x.txt) sent as captured; 3.0 s later a session with
    events off asks CoreShowChannels and Getvar as f1's second session did. The answers come in f1's chunks (#3's
    Response, #4's list; #5, #6) and, but for the Local channels' sequence numbers and the Duration, byte for byte:
    both legs, ";2" first with the OtherChannelId as Uniqueid, each with its own context and application."""
    fake.time_scale, fake.chunk_gap = 0.05, 0.02
    _, caller_writer = await logged_in(fake)
    reader, writer = await logged_in(fake)
    try:
        caller_writer.write(sent("f1-drop-reconnect.txt", b"Action: Originate"))
        await asyncio.sleep(3.0 * fake.time_scale)
        writer.write(sent("f1-drop-reconnect.txt", b"Action: CoreShowChannels"))
        response, listing = await chunks_of(reader, 4)
        captured_response = answered("f1-drop-reconnect.txt", b"EventList: start").split(b"\r\n\r\n")[-2] + b"\r\n\r\n"
        assert response == captured_response
        normal = re.compile(rb"callees-[0-9a-f]{8};|Duration: \d\d:\d\d:\d\d")
        assert normal.sub(b"~", listing) == normal.sub(b"~", answered("f1-drop-reconnect.txt", b"CoreShowChannel\r\n"))
        for marker in (b"Variable: JOB_ID\r\n", b"Variable: IVR_SCENARIO\r\n"):
            getvar = sent("f1-drop-reconnect.txt", marker)
            writer.write(normal.sub(b"callees-00000005;", getvar))  # the ";1" leg of this replay (c6x.txt)
            action_id = getvar.split(b"\r\n")[1] + b"\r\n"
            reply = answered("f1-drop-reconnect.txt", action_id)  # #5 / #7: Response and ActionID
            assert await chunks_of(reader, 1) == [reply, answered("f1-drop-reconnect.txt", marker + b"Value")]
    finally:
        writer.close()
        caller_writer.close()


async def test_an_unknown_technology_fails_at_once_as_c_errors_test_4(fake: FakeAmi) -> None:
    """c-errors.txt test 4 sent as captured ("Bogus/2000"): "successfully queued" (#7), then OriginateResponse
    Failure Reason 0 (#9), byte for byte, and no channel event."""
    reader, writer = await logged_in(fake, LOGIN_EVENTS_OFF.replace(b"Events: off", b"Events: on"))
    try:
        writer.write(sent("c-errors.txt", b"Channel: Bogus/2000"))
        got = b"".join(await chunks_of(reader, 2))
        assert got == answered("c-errors.txt", b"ActionID: cerr212059-4\r\nMessage: Originate successfully queued") + (
            next(m for m in answered("c-errors.txt", b"Channel: Bogus/2000\r\nContext").split(b"\r\n\r\n")
                 if b"Bogus" in m) + b"\r\n\r\n"
        )  # fmt: skip
    finally:
        writer.close()


async def test_a_test_maps_its_channel_templates_callee_to_a_capture(fake: FakeAmi) -> None:
    """The documented `PJSIP/{number}@trunk`, named by the test, plays the callee's capture (1123 answers, c1x.txt;
    2000 busy, c2x.txt, its OriginateResponse naming the channel as requested, README section 3); chan_sip's SIP/,
    a technology Asterisk 22 lacks, fails at once with Reason 0 (c-errors.txt test 4)."""
    fake.channel_templates = ("PJSIP/{number}@trunk",)
    client = AmiClient(AmiSettings("127.0.0.1", fake.port, "probe", "probe"), node_id="t")
    await client.start()
    try:

        def call(channel: str, job: str) -> OriginateRequest:
            variables = {"IVR_SCENARIO": "debt", "JOB_ID": job}
            return OriginateRequest(channel, "outbound-ivr", f"cb-{job}-1", caller_id='"ACME" <5550100>',
                                    variables=variables)  # fmt: skip

        answered_call, busy, unknown = await asyncio.gather(
            client.originate(call("PJSIP/1123@trunk", "a")),
            client.originate(call("PJSIP/2000@trunk", "b")),
            client.originate(call("SIP/2000@trunk", "c")),
        )
    finally:
        await client.close()
    assert (answered_call.outcome, answered_call.reason) == (DialOutcome.ANSWERED, "4")
    assert (busy.outcome, busy.reason, busy.channel) == (DialOutcome.BUSY, "5", "PJSIP/2000@trunk")
    assert (unknown.outcome, unknown.reason, unknown.channel, unknown.uniqueid) == (
        DialOutcome.FAILED, "0", "SIP/2000@trunk", "cb-c-1"
    )  # fmt: skip
    assert unknown.seconds is not None and unknown.seconds < 0.1
    assert [c.number for c in fake.calls] == ["1123", "2000", ""]
