"""A FastAGI session refused at its env block still leaves its call in the register (security review).

A CallerID name holding line feeds (`Ana\\nagi_arg_1: x\\n"quote`) breaks Asterisk's key order, and the block is
rightly refused before any AGI command. But the call was in no record, and the log named only the Asterisk peer: a
caller who controls their name could leave no trace. Now such a session is recorded `failed` with what the block
says before it broke (the number, the name up to its first line feed, the uniqueid, the channel, the scenario),
the error `env block refused: ...`, a count in `ivrgraph_agi_sessions_refused_total{reason,recorded}` and a WARNING
naming the caller's number as a call's lines do. What is not a call (a scan, a probe, a client that is not Asterisk)
is counted and logged, not recorded.

Real TCP: the fake Asterisk (tests/fakes/asterisk.py) sends the block as Asterisk 22 writes it, values raw
(../shared/asterisk/README.txt section 1), into a real AgiServer.
"""

from __future__ import annotations

import io
import logging
import re

import pytest

from agi_server.logs import LogSettings, configure_logging
from agi_server.metrics import HANDSHAKE_REFUSALS, AgiMetrics
from agi_server.server import AgiServer
from tests.agi_server.conftest import MemoryRecords, StartServer, call, exposition_samples
from tests.fakes.asterisk import CallerScript, default_env, encode_env

NUMBER = "+79161234567"
MASKED = "+*********67"
BROKEN_NAME = 'Ana\nagi_arg_1: x\n"quote'  # the review's caller name: a line posing as an AGI() argument
UNIQUEID = "1795295104.117"  # default_env's, as Asterisk 22 wrote one (env.txt)
CHANNEL = "Local/dtmf@caller-0000046b;1"


def _env(**overrides: str) -> dict[str, str]:
    return default_env("greet", callerid=NUMBER, **overrides)


def _counted(server: AgiServer) -> dict[tuple[str, str], float]:
    """The series of `ivrgraph_agi_sessions_refused_total` above 0."""
    samples = exposition_samples(server.metrics.exposition().decode())
    prefix = "ivrgraph_agi_sessions_refused_total{"
    counted = {}
    for name, value in samples.items():
        if name.startswith(prefix) and value:
            labels = dict(part.split("=") for part in name[len(prefix) : -1].split(","))
            counted[labels["reason"].strip('"'), labels["recorded"].strip('"')] = value
    return counted


def _server_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "agi_server.server" and r.levelno == logging.WARNING]


async def test_a_caller_name_breaking_the_block_is_recorded_failed_counted_and_logged_by_number(
    start_server: StartServer, records: MemoryRecords, caplog: pytest.LogCaptureFixture
) -> None:
    server = await start_server()
    fake = await call(server, env=_env(agi_calleridname=BROKEN_NAME), hold=1.0)
    await server.stop()

    assert fake.commands == []  # refused at the handshake, as before: no AGI command
    (record,) = records.records
    assert (record.outcome, record.scenario, record.version, record.asterisk_uniqueid) == (
        "failed",
        "greet",
        None,
        UNIQUEID,
    )
    assert record.facts == {
        "caller_id": NUMBER,
        "caller_name": "Ana",  # up to the line that broke the block
        "dialed_number": "1001",  # agi_extension: agi_dnid is "unknown"
        "channel": CHANNEL,
        "channel_language": "en",
    }
    assert record.inputs == {}  # the posed `agi_arg_1: x` is no argument of the call
    assert record.error == (
        "env block refused: env key 'agi_callingpres' out of Asterisk's order (after 'agi_arg_1'): a value with a "
        "line feed may pose as it"
    )
    assert record.peer.startswith("127.0.0.1:") and record.trace == {}

    assert _counted(server) == {("malformed", "true"): 1}
    assert server.metrics.refused.labels("handshake")._value.get() == 1
    assert server.metrics.calls_by_outcome() == {"failed": 1}

    (line,) = _server_warnings(caplog)
    assert line.startswith(f"call_id={record.call_id} refused a FastAGI call from {NUMBER!r}: env block refused")
    assert f"channel={CHANNEL!r} uniqueid={UNIQUEID!r}" in line
    assert "quote" not in line and "\n" not in line  # nothing past the refusal, nothing unescaped


async def test_the_log_line_writes_the_number_as_log_phone_numbers_says_while_the_register_keeps_it(
    start_server: StartServer, records: MemoryRecords, root_logging: None
) -> None:
    stream = io.StringIO()
    configure_logging(LogSettings(phone_numbers="masked"), stream=stream)
    server = await start_server()
    await call(server, env=_env(agi_calleridname=BROKEN_NAME), hold=1.0)
    await server.stop()

    (record,) = records.records
    assert record.facts["caller_id"] == NUMBER
    (line,) = [line for line in stream.getvalue().splitlines() if "refused a FastAGI call" in line]
    assert f"call_id={record.call_id} refused a FastAGI call from {MASKED!r}" in line
    assert NUMBER not in line and f"uniqueid={UNIQUEID!r}" in line


async def test_key_lines_a_caller_name_poses_neither_hide_nor_forge_the_call(
    start_server: StartServer, records: MemoryRecords
) -> None:
    """Posing as the uniqueid and the channel (to leave a record nobody can join to Asterisk's CDR) and as the number
    dialled: the first lines of those keys are Asterisk's, and a key written after the name that comes twice is
    left out, not guessed."""
    name = "Ana\nagi_uniqueid: 1.1\nagi_channel: PJSIP/forged\nagi_dnid: 112"
    server = await start_server()
    fake = await call(server, env=_env(agi_calleridname=name, agi_dnid="+34600111222"), hold=1.0)
    await server.stop()

    assert fake.commands == []
    (record,) = records.records
    assert record.asterisk_uniqueid == UNIQUEID
    assert (record.facts["channel"], record.facts["caller_name"]) == (CHANNEL, "Ana")
    assert record.facts["dialed_number"] == "1001"  # neither the posed 112 nor the real dnid: the extension, once
    assert record.error == "env block refused: env key 'agi_uniqueid' appears twice"


async def test_a_nul_in_the_name_is_refused_and_recorded_without_it(
    start_server: StartServer, records: MemoryRecords, caplog: pytest.LogCaptureFixture
) -> None:
    server = await start_server()
    await call(server, env=_env(agi_calleridname="A\0na"), hold=1.0)
    await server.stop()

    (record,) = records.records
    assert (record.facts["caller_name"], record.error) == ("A\ufffdna", "env block refused: env block holds NUL bytes")
    assert _counted(server) == {("malformed", "true"): 1}
    assert not any("\0" in line for line in _server_warnings(caplog))


async def test_a_block_over_the_size_cap_is_recorded_from_its_first_bytes(
    start_server: StartServer, records: MemoryRecords
) -> None:
    """AGI() arguments past the 16 KiB cap: refused as soon as the cap is passed, the call still recorded."""
    server = await start_server(handshake_timeout=5.0)
    await call(server, env=_env(args=("x" * 20_000,)), hold=1.0)
    await server.stop()

    (record,) = records.records
    assert (record.outcome, record.asterisk_uniqueid, record.facts["caller_id"]) == ("failed", UNIQUEID, NUMBER)
    # Whether the reader or the connection saw the cap passed depends on how the reads came.
    assert re.fullmatch(r"env block refused: env block (of \d+ bytes is )?over the 16384-byte cap", record.error or "")
    assert record.facts["dialed_number"] == ""  # written after the caller's values: not read from a cut block
    assert record.inputs == {}
    assert _counted(server) == {("too_large", "true"): 1}


_CUT_BLOCK = encode_env(_env(agi_calleridname="Ana"))
_CUT_BLOCK = _CUT_BLOCK[: _CUT_BLOCK.index(b"agi_callingpres:")]  # whole lines through the name, no empty line


@pytest.mark.parametrize(
    ("caller", "reason", "error"),
    [
        (CallerScript(env_bytes=_CUT_BLOCK), "timeout", "env block refused: not whole within 0.3 s"),
        (
            CallerScript(env_bytes=_CUT_BLOCK + b"agi_callingpres", close_after_env=True),
            "closed",
            "env block refused: the connection closed before its end",
        ),
    ],
    ids=["stalls", "closes"],
)
async def test_a_block_that_never_ends_is_recorded_from_the_lines_that_came(
    caller: CallerScript, reason: str, error: str, start_server: StartServer, records: MemoryRecords
) -> None:
    server = await start_server(handshake_timeout=0.3)
    await call(server, caller=caller, hold=1.0)
    await server.stop()

    (record,) = records.records
    assert (record.outcome, record.error, record.asterisk_uniqueid) == ("failed", error, UNIQUEID)
    assert (record.facts["caller_id"], record.facts["caller_name"]) == (NUMBER, "Ana")
    assert _counted(server) == {(reason, "true"): 1}


@pytest.mark.parametrize(
    ("caller", "reason"),
    [
        (CallerScript(env_bytes=b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"), "timeout"),  # a scanner
        (CallerScript(env_bytes=b"\n"), "not_fastagi"),  # a port probe's bare newline
        (CallerScript(env_bytes=b"", close_after_env=True), "closed"),  # a health check's bare connect
        (CallerScript(env_bytes=b"agi_network: yes\nagi_channel: PJSIP/1-0001\n\n"), "not_fastagi"),  # no request
        (CallerScript(env_bytes=b"agi_network: yes\nagi_pad: " + b"x" * 40_000 + b"\n\n"), "too_large"),
        # Caller text the dialplan wrote into the AGI URL posing as the uniqueid: the order breaks before the
        # channel, and a uniqueid read after that break may be anyone's.
        (
            CallerScript(
                env_bytes=encode_env(_env(agi_network_script="greet?n=A\nagi_uniqueid: 9.9", agi_request="agi://h/x"))
            ),
            "malformed",
        ),
    ],
    ids=["http", "probe-newline", "bare-connect", "no-request", "oversize-garbage", "url-posing-uniqueid"],
)
async def test_what_names_no_call_is_counted_and_logged_by_peer_but_not_recorded(
    caller: CallerScript,
    reason: str,
    start_server: StartServer,
    records: MemoryRecords,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A TCP scanner hitting the port must not flood the register: only a block that names Asterisk's request and
    the channel or uniqueid, read in Asterisk's order, is a call."""
    server = await start_server(handshake_timeout=0.3)
    fake = await call(server, caller=caller, hold=1.0)
    await server.stop()

    assert fake.commands == [] and records.records == []
    assert _counted(server) == {(reason, "false"): 1}
    assert server.metrics.refused.labels("handshake")._value.get() == 1
    assert server.metrics.calls_by_outcome() == {}
    (line,) = _server_warnings(caplog)
    assert line.startswith("FastAGI handshake from 127.0.0.1:") and f" failed ({reason}): " in line


def test_every_series_is_there_from_the_start() -> None:
    """An alert on increase() sees nothing of a series whose first sample is already 1."""
    samples = exposition_samples(AgiMetrics().exposition().decode())
    for reason in HANDSHAKE_REFUSALS:
        for recorded in ("true", "false"):
            assert samples[f'ivrgraph_agi_sessions_refused_total{{reason="{reason}",recorded="{recorded}"}}'] == 0
