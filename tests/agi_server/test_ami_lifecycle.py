"""What the AMI client tells of its session's life: each login, each loss with its reason, each reconnect; and a
session that drops under a waiting list action leaves nothing for asyncio to complain about.

AMI review: a normal start never logged that AMI connected; after an outage the log said `AMI session lost ...` and
`AMI reconnect failed ... next try in 3.2 s`, then nothing once it was back; a keepalive that dropped the session
logged `AMI session lost (None)`; and a session lost while CoreShowChannels waited logged asyncio's `ERROR Future
exception was never retrieved`.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import re

import pytest

from agi_server.ami import AmiClient
from agi_server.ami_errors import AmiConnectionError
from tests.agi_server.test_ami import settings_for
from tests.fakes.ami import CAPTURES, FakeAmi, load_transcript

LOGGER = "agi_server.ami"


def _said(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str]]:
    return [(r.levelname, r.getMessage()) for r in caplog.records if r.name == LOGGER]


async def test_each_login_is_logged_with_the_peer_and_the_user(fake: FakeAmi, caplog: pytest.LogCaptureFixture) -> None:
    """a-login.txt: the banner names the manager's version ("Asterisk Call Manager/11.0.0")."""
    client = AmiClient(settings_for(fake))
    with caplog.at_level(logging.INFO, logger=LOGGER):
        await client.start()
        await client.close()
    assert _said(caplog) == [
        ("INFO", f"AMI connected to 127.0.0.1:{fake.port} as probe (Asterisk Call Manager/11.0.0)")
    ]


async def test_a_reconnect_is_logged_with_how_long_ami_was_away(
    fake: FakeAmi, caplog: pytest.LogCaptureFixture
) -> None:
    """f1: the network fails (sessions drop, connects refused), then heals. The log tells the loss, the failed
    tries, and that AMI is back, after how long."""
    client = AmiClient(settings_for(fake, reconnect_initial=0.05, reconnect_max=0.1))
    await client.start()
    try:
        with caplog.at_level(logging.INFO, logger=LOGGER):
            await fake.partition()
            await asyncio.sleep(0.3)
            await fake.heal()
            await client.wait_connected(5)
        said = _said(caplog)
    finally:
        await client.close()
    assert said[0] == ("WARNING", "AMI session lost (AMI connection closed by Asterisk); reconnecting")
    assert any(m.startswith("AMI reconnect failed (cannot reach AMI") for _, m in said[1:-2])
    assert said[-2] == ("INFO", f"AMI connected to 127.0.0.1:{fake.port} as probe (Asterisk Call Manager/11.0.0)")
    level, message = said[-1]
    match = re.fullmatch(r"AMI reconnected after (\d+\.\d) s", message)
    assert level == "INFO" and match is not None, said
    assert 0.2 <= float(match[1]) < 3


async def test_a_session_the_keepalive_drops_is_lost_for_the_keepalives_reason(
    fake: FakeAmi, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A peer that vanished without a FIN answers no Ping: the keepalive drops the session, and the loss names
    that, not "None"."""

    async def silent(self: FakeAmi, session: object, action_id: str | None) -> None:
        return None  # the Ping is read, never answered

    client = AmiClient(settings_for(fake, ping_interval=0.05, action_timeout=0.1, reconnect_initial=5.0))
    await client.start()
    monkeypatch.setattr(FakeAmi, "_ping", silent)
    try:
        with caplog.at_level(logging.WARNING, logger=LOGGER):
            async with asyncio.timeout(5):
                while client.connected:
                    await asyncio.sleep(0.01)
            await asyncio.sleep(0.05)
    finally:
        await client.close()
    assert _said(caplog) == [
        ("WARNING", "AMI keepalive failed (AMI Ping: no answer within 0.1 s); dropping the session"),
        ("WARNING", "AMI session lost (keepalive Ping failed: AMI Ping: no answer within 0.1 s); reconnecting"),
    ]


def _captured(name: str, marker: bytes) -> bytes:
    return next(c.data for c in load_transcript(CAPTURES / name) if c.direction == "A>C" and marker in c.data)


async def test_a_session_lost_while_a_list_waits_leaves_no_unretrieved_error(caplog: pytest.LogCaptureFixture) -> None:
    """Asterisk stops (f2-asterisk-restart.txt #4: Shutdown, then EOF) right after CoreShowChannels was sent,
    before answering it. The caller gets the connection error; asyncio logs nothing about a future whose
    exception nobody retrieved (the list's, set when the session failed its waiters)."""
    banner = _captured("a-login.txt", b"Asterisk Call Manager/")
    shutdown = _captured("f2-asterisk-restart.txt", b"Event: Shutdown")

    async def stopping_asterisk(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(banner)
        while True:
            action = (await reader.readuntil(b"\r\n\r\n")).decode()
            action_id = re.search(r"ActionID: (.*)\r\n", action)
            assert action_id is not None
            if action.startswith("Action: Login"):  # a-login.txt #2, this Login's ActionID
                accepted = "Message: Authentication accepted"
                writer.write(f"Response: Success\r\nActionID: {action_id[1]}\r\n{accepted}\r\n\r\n".encode())
            elif action.startswith("Action: CoreShowChannels"):
                writer.write(shutdown)
                await writer.drain()
                writer.close()
                return

    server = await asyncio.start_server(stopping_asterisk, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = AmiClient(settings_for(FakeAmi(port=port), reconnect_initial=5.0))
    with caplog.at_level(logging.ERROR, logger="asyncio"):
        try:
            await client.start()
            with pytest.raises(AmiConnectionError, match="AMI connection closed by Asterisk"):
                await client.find_channel("cb-job-1")
        finally:
            await client.close()
            server.close()
            await server.wait_closed()
        del client  # the lost session's error, and with it the list's future, is garbage now
        for _ in range(3):
            gc.collect()
            await asyncio.sleep(0.01)
    assert [r.getMessage() for r in caplog.records if r.name == "asyncio"] == []
