"""The fake AMI peer answers raw bytes the way the real Asterisk 22 did in ../shared/asterisk/ami/."""

from __future__ import annotations

import asyncio
import re

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
