"""The FastAGI server over real TCP: routing, limits, injection, records, shutdown, metrics, logs."""

from __future__ import annotations

import asyncio
import itertools
import logging
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agi_server.channel import ChannelSettings
from agi_server.errors import UnsafeArgument
from agi_server.listening import peer_allowed
from agi_server.protocol import parse_env_block
from agi_server.scenarios import CachedScenarioSource, PublishedScenario, SourceLoader
from agi_server.server import STATUS_VARIABLE, AgiServer, AgiServerConfig, ResolvedInputs
from blocks import default_registry
from graph_engine.block import BlockType
from graph_engine.context import BlockContext
from graph_engine.document import parse_document
from graph_engine.registry import BlockRegistry
from graph_engine.services import Services
from persistence import calls
from persistence.calls import CallFilter, CallRecordWriter
from persistence.db import Database
from persistence.migrate import upgrade
from tests.agi_server.conftest import MemoryRecords, StartServer, call
from tests.fakes.asterisk import CallerScript, default_env, encode_env, parse_args


def _document(nodes: list[dict[str, Any]], name: str = "Test") -> dict[str, Any]:
    edges = [
        {"id": f"e{i}", "source": a["id"], "exit": "next", "target": b["id"]}
        for i, (a, b) in enumerate(itertools.pairwise(nodes))
    ]
    return {"format": "ivrgraph.scenario/1", "name": name, "nodes": nodes, "edges": edges}


def _node(node_id: str, node_type: str, **config: Any) -> dict[str, Any]:
    return {"id": node_id, "type": node_type, "version": 1, "config": config}


def _source(*documents: tuple[str, dict[str, Any]]) -> CachedScenarioSource:
    source = CachedScenarioSource()
    for slug, document in documents:
        source.publish(PublishedScenario(slug, 1, parse_document(document)))
    return source


GREETING = _document([_node("start", "start"), _node("hello", "say_phrase", text="Hola {{ caller_name }}")])


# -- routing ------------------------------------------------------------------------------------------


# What a caller hears when no scenario can run: the fallback prompt, then the hang-up.
FALLBACK_COMMANDS = [["ANSWER"], ["STREAM", "FILE", "ivrgraph/unavailable", ""], ["HANGUP"]]


async def test_unknown_slug_plays_the_fallback_and_hangs_up(
    start_server: StartServer, records: MemoryRecords, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="agi_server")
    server = await start_server()
    fake = await call(server, "no-such-scenario?x=1")
    await server.stop()
    assert [parse_args(line) for line in fake.commands] == FALLBACK_COMMANDS
    assert records.records[0].outcome == "unknown_scenario"
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert errors and "no-such-scenario" in errors[0].getMessage()
    assert errors[0].call_id == records.records[0].call_id  # type: ignore[attr-defined]
    ended = [r.getMessage() for r in caplog.records if "call ended" in r.getMessage()]
    names = "(channel='Local/dtmf@caller-0000046b;1' uniqueid='1795295104.117')"
    assert ended and ended[0].endswith(f"call ended: unknown_scenario {names}"), ended  # not "at None": no block


async def test_a_failed_call_says_why_in_the_log(
    start_server: StartServer, records: MemoryRecords, caplog: pytest.LogCaptureFixture
) -> None:
    """Plugin review, 2026-12-05: a node without a plugin its scenario uses logged only "call ended: failed at ask"
    (at INFO); why was in the call register alone."""
    document = _document([_node("start", "start"), _node("ask", "acme_ask_account")])
    server = await start_server(source=_source(("crm", document)))
    await call(server, "crm")
    await server.stop()
    assert records.records[0].outcome == "failed"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "call ended" in r.getMessage()]
    assert [r.getMessage().split(" ", 1)[1] for r in warnings] == [
        "call ended: failed at ask: \"block 'ask' failed: unknown block type 'acme_ask_account'\""
        " (channel='Local/dtmf@caller-0000046b;1' uniqueid='1795295104.117')"
    ]


async def test_values_from_the_wire_in_a_calls_log_lines_cannot_forge_lines(
    start_server: StartServer, records: MemoryRecords, caplog: pytest.LogCaptureFixture
) -> None:
    """Security review, 2026-12-05: Asterisk's uniqueid and a failed call's error (which can quote a caller's value
    back, as a database does) went into the text log raw: an escape sequence could rewrite the line in a terminal."""
    caplog.set_level(logging.INFO, logger="agi_server")
    document = _document([_node("start", "start"), _node("ask", "acme_missing")])
    server = await start_server(source=_source(("crm", document)))
    forged = "1.1\x1b[2K\r2026-12-05 INFO forged\u2028"
    await call(server, env=default_env("crm", agi_uniqueid=forged, agi_callerid="5\x1b[8m"))
    await server.stop()
    lines = [r.getMessage() for r in caplog.records if r.name == "agi_server.server"]
    assert lines and not [line for line in lines if any(c in line for c in "\x1b\r\n\u2028")], lines
    assert any("uniqueid='1.1\\x1b[2K\\r2026-12-05 INFO forged\\u2028'" in line for line in lines), lines


@pytest.mark.parametrize("store", ["down", "frozen"])
async def test_a_lookup_the_database_cannot_answer_plays_the_fallback(
    start_server: StartServer, records: MemoryRecords, store: str
) -> None:
    """Review of 2026-12-05: with the database down, a scenario not yet in memory failed with no prompt; with
    it frozen the caller heard silence for as long as the connection hung. Both now hear the fallback."""

    async def lookup(slug: str) -> PublishedScenario | None:
        if store == "down":
            raise ConnectionError("connection refused")
        await asyncio.sleep(3600)
        return None

    server = await start_server(source=CachedScenarioSource(lookup, load_timeout=0.05))
    fake = await call(server, "not-cached")
    await server.stop()
    assert [parse_args(line) for line in fake.commands] == FALLBACK_COMMANDS
    # Not an unknown scenario: the store could not say (tests/agi_server/test_call_path_edges.py).
    cause = "ConnectionError" if store == "down" else "TimeoutError"
    assert (records.records[0].outcome, records.records[0].error) == (
        "failed",
        f"scenario 'not-cached' could not be looked up: {cause}",
    )


async def test_query_and_arguments_become_plain_inputs(start_server: StartServer, records: MemoryRecords) -> None:
    """env.txt: query string and agi_arg_N reach the call as strings; they cannot pose as channel facts."""
    server = await start_server(source=_source(("greet", GREETING)))
    env = default_env("greet?language=es&caller_id=666&bad-name=1&expr={{7*7}}", args=["one", "two words"])
    await call(server, env=env)
    await server.stop()
    record = records.records[0]
    assert record.inputs == {"language": "es", "expr": "{{7*7}}", "agi_arg_1": "one", "agi_arg_2": "two words"}
    variables = record.trace["variables"]
    assert variables["language"] == "es" and variables["channel_language"] == "en"
    assert variables["caller_id"] == "5551234" and variables["expr"] == "{{7*7}}"
    assert record.facts["caller_name"] == "Probe Test" and record.version == 1
    # The fields the record is built with as the call starts (positionally, on the hot path).
    assert (record.call_id, record.scenario, record.asterisk_uniqueid) == (
        variables["call_id"],
        "greet",
        env["agi_uniqueid"],
    )
    assert record.peer.startswith("127.0.0.1:") and record.started_at <= record.ended_at
    assert (record.job_id, record.origin_call_id, record.error) == (None, None, None)


@pytest.mark.parametrize(
    "env",
    [
        default_env("greet", agi_calleridname="Alice Example\n"),  # a CNAM lookup's trailing newline
        default_env("greet", args=["one\n", "two words"]),
        default_env("greet", args=["one", "last\n"]),
    ],
    ids=["caller-name", "first-argument", "last-argument"],
)
async def test_a_value_ending_in_a_line_feed_is_read_as_one_value(
    env: dict[str, str], start_server: StartServer, records: MemoryRecords
) -> None:
    """Review of 2026-12-05: Asterisk writes values raw, and a value ending in LF put an empty line mid-block; the
    block was taken as ended there, the rest read as answers, and the call died before ANSWER."""
    server = await start_server(source=_source(("greet", GREETING)))
    fake = await call(server, env=env)
    await server.stop()
    assert [parse_args(line)[0] for line in fake.commands] == ["ANSWER", "STREAM", "HANGUP"]
    (record,) = records.records
    assert (record.outcome, record.error) == ("ended", None)
    as_read = parse_env_block(encode_env(env))
    assert record.facts["caller_name"] == as_read["agi_calleridname"] == env["agi_calleridname"]
    assert record.inputs == {key: value for key, value in as_read.items() if key.startswith("agi_arg_")}
    assert record.facts["dialed_number"] == "1001" and record.asterisk_uniqueid == env["agi_uniqueid"]


async def test_published_version_swaps_atomically(start_server: StartServer, records: MemoryRecords) -> None:
    """A call keeps the version it started with; the next call gets the new one."""
    source = _source(("greet", GREETING))
    server = await start_server(source=source)
    first = asyncio.create_task(call(server, "greet", default_media_seconds=0.3))
    while server.active_calls == 0:
        await asyncio.sleep(0.01)
    source.publish(PublishedScenario("greet", 2, parse_document({**GREETING, "name": "Greeting v2"})))
    source.publish(PublishedScenario("greet", 1, parse_document(GREETING)))  # a late, older version never wins
    await call(server, "greet")
    await first
    await server.stop()
    versions = {record.trace["scenario"]: record.version for record in records.records}
    assert versions == {"Test": 1, "Greeting v2": 2}


# -- injection ------------------------------------------------------------------------------------------


class EchoBlock(BlockType):
    """Test block: copies call variables into channel variables, so caller data reaches the AGI wire."""

    type = "echo"
    title = "Echo"
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {"names": {"type": "array", "items": {"type": "string"}}},
    }

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        for index, name in enumerate(config["names"]):
            try:
                await ctx.channel.set_variable(f"ECHO_{index}", str(ctx.get(name, "")))
            except UnsafeArgument:
                ctx.note("refused", name=name)
        return "next"


async def test_a_caller_name_with_a_raw_cr_is_served_and_never_reaches_the_wire(
    start_server: StartServer, records: MemoryRecords
) -> None:
    """A CR in an env value (Asterisk sends values raw) does not cost the caller the call: the walk runs, the
    block that would put it on the wire is refused it, and the record keeps the name as Asterisk sent it."""
    document = _document([_node("start", "start"), _node("echo", "echo", names=["caller_name"])])
    registry = BlockRegistry.of([*(type(block) for block in default_registry()), EchoBlock])
    server = await start_server(source=_source(("cr", document)), registry=registry)
    fake = await call(server, env=default_env("cr", agi_calleridname="Anna\rHANGUP"))
    await server.stop()
    assert [parse_args(line)[0] for line in fake.commands] == ["ANSWER", "HANGUP"]
    assert b"\r" not in fake.received
    (record,) = records.records
    assert record.facts["caller_name"] == "Anna\rHANGUP"
    assert record.trace["steps"][1]["events"][0]["kind"] == "refused"


HOSTILE = {
    "agi_callerid": '5551234" HANGUP "',
    "agi_calleridname": 'Evil\\" ; EXEC System "rm -rf /',
    "agi_channel": 'SIP/x" "\\',
    "agi_dnid": "${SHELL(id)}",
    "agi_language": 'en" EXEC Dial "SIP/evil',
    "agi_extension": "1001\tHANGUP",
    "agi_uniqueid": '1.2" STREAM FILE x "',
}


async def test_injection_through_every_field_never_adds_a_command(
    start_server: StartServer, records: MemoryRecords
) -> None:
    """Hostile agi_* values, query values (with LF) and AGI() arguments: each SET VARIABLE carries exactly the
    value, values with CR/LF never reach the wire, and no line but ours is ever sent."""
    names = ["caller_id", "caller_name", "channel", "dialed_number", "channel_language", "q", "nl", "agi_arg_1"]
    document = _document(
        [
            _node("start", "start"),
            _node("echo", "echo", names=names),
            _node("dial", "transfer", target="{{ caller_id }}"),
        ]
    )
    registry = BlockRegistry.of([*(type(block) for block in default_registry()), EchoBlock])
    server = await start_server(source=_source(("inject", document)), registry=registry)
    query = "q=" + quote('a" HANGUP "b\\') + "&nl=" + quote("x\nHANGUP\n")
    env = default_env(f"inject?{query}", args=['arg" EXEC System "id'], **HOSTILE)
    fake = await call(server, env=env)
    await server.stop()

    words = [parse_args(line) for line in fake.commands]
    sets = [w for w in words if w[:2] == ["SET", "VARIABLE"]]
    assert [w[0] for w in words] == ["ANSWER", *(["SET"] * len(sets)), "HANGUP"]
    assert all(len(w) == 4 for w in sets)
    values = [w[3] for w in sets]
    assert values == [
        '5551234" HANGUP "',
        'Evil\\" ; EXEC System "rm -rf /',
        'SIP/x" "\\',
        "${SHELL(id)}",
        'en" EXEC Dial "SIP/evil',
        'a" HANGUP "b\\',
        'arg" EXEC System "id',
    ]
    assert fake.variables["ECHO_1"] == HOSTILE["agi_calleridname"]
    record = records.records[0]
    assert [e["name"] for step in record.trace["steps"] for e in step["events"] if e["kind"] == "refused"] == ["nl"]
    assert "not a destination" in (record.trace["steps"][2]["error"] or "")  # the Transfer block refused it


async def test_env_with_cr_is_refused(start_server: StartServer, records: MemoryRecords) -> None:
    server = await start_server()
    fake = await call(server, caller=CallerScript(env_bytes=b"agi_network: yes\r\nagi_x: 1\n\n"))
    await server.stop()
    assert fake.commands == [] and records.records == []
    assert server.metrics.refused.labels("handshake")._value.get() == 1


# -- limits -----------------------------------------------------------------------------------------------


async def test_peer_outside_the_allow_list_is_closed_at_once(
    start_server: StartServer, records: MemoryRecords, caplog: pytest.LogCaptureFixture
) -> None:
    server = await start_server(allow=("10.0.0.0/8",))
    fake = await call(server, hold=1.0)
    await server.stop()
    assert fake.commands == [] and fake.received == b""
    assert records.records == []
    assert server.metrics.refused.labels("peer")._value.get() == 1
    assert any("not in the allowed networks" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    "caller",
    [
        CallerScript(env_bytes=b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
        CallerScript(env_bytes=b"agi_network: yes\n" + b"agi_pad: " + b"x" * 40000 + b"\n\n"),
        CallerScript(env_bytes=b"agi_network: yes\nagi_network_script: greet\n"),
        CallerScript(byte_delay=0.01),
        CallerScript(close_after_env=True, env_bytes=b"agi_network: ye"),
        CallerScript(env_bytes=b"\n"),  # a port probe's bare newline
        CallerScript(env_bytes=b"agi_network: yes\nagi_channel: PJSIP/1-0001\n\n"),  # no request named
        # An empty line that more text follows is inside a value (review of 2026-12-05): the block never ends.
        CallerScript(env_bytes=b"agi_network: yes\nagi_network_script: greet\nagi_request: agi://h/greet\n\nagi_"),
    ],
    ids=["http", "oversize", "never-ends", "slow-bytes", "early-eof", "probe-newline", "no-request", "value-goes-on"],
)
async def test_bad_handshakes_are_closed_without_a_call(
    caller: CallerScript, start_server: StartServer, records: MemoryRecords
) -> None:
    server = await start_server(handshake_timeout=0.3)
    fake = await call(server, caller=caller, hold=1.0)
    await server.stop()
    assert fake.commands == []
    assert records.records == [] and server.active_calls == 0


@pytest.mark.parametrize(
    "env_bytes",
    [
        b"agi_network: yes\n" + b"agi_pad: " + b"x" * 40000 + b"\n",
        b"agi_network: yes\n" + b"agi_pad: x\n\nmore\n" * 3000,  # empty lines inside values (review of 2026-12-05)
    ],
    ids=["long-line", "empty-lines-in-values"],
)
async def test_an_env_block_over_the_cap_is_refused_before_it_ends(
    env_bytes: bytes, start_server: StartServer, records: MemoryRecords
) -> None:
    """40 KB of env lines with no closing blank line: refused as soon as the cap is passed, not held in memory
    until the handshake timeout (mutation review of 2026-12-05)."""
    server = await start_server(handshake_timeout=5.0)
    started = asyncio.get_running_loop().time()
    caller = CallerScript(env_bytes=env_bytes)
    await call(server, caller=caller, hold=3.0)
    assert asyncio.get_running_loop().time() - started < 1.0
    await server.stop()
    assert records.records == []
    assert server.metrics.refused.labels("handshake")._value.get() == 1


def test_an_ipv4_peer_of_a_dual_stack_listener_is_checked_as_ipv4() -> None:
    """A server listening on :: sees IPv4 Asterisk hosts as ::ffff:a.b.c.d; the allow-list names them as IPv4."""
    networks = AgiServerConfig(allow=("127.0.0.1/32",)).networks()
    assert peer_allowed("::ffff:127.0.0.1", networks)
    assert not peer_allowed("::ffff:192.0.2.1", networks)
    # Written in the mapped form too, as the listener shows them (it refused every such peer: review of
    # 2026-12-05, second day).
    mapped = AgiServerConfig(allow=("::ffff:10.0.0.0/104", "2001:db8::/32")).networks()
    assert peer_allowed("10.1.2.3", mapped) and peer_allowed("::ffff:10.1.2.3", mapped)
    assert not peer_allowed("11.0.0.1", mapped) and peer_allowed("2001:db8::5", mapped)


async def test_calls_over_the_cap_are_refused_cleanly(start_server: StartServer, records: MemoryRecords) -> None:
    """Over max_calls: a channel variable tells the dialplan, then a clean close (AGISTATUS=SUCCESS)."""
    server = await start_server(source=_source(("greet", GREETING)), max_calls=1)
    first = asyncio.create_task(call(server, "greet", default_media_seconds=0.3))
    while server.active_calls == 0:
        await asyncio.sleep(0.01)
    second = await call(server, "greet")
    await first
    await server.stop()
    assert [parse_args(line) for line in second.commands] == [["SET", "VARIABLE", STATUS_VARIABLE, "OVERLOADED"]]
    assert second.server_half_closed
    # The register shows the caller turned away too (review of 2026-12-05: only a log line and a metric did).
    assert sorted(record.outcome for record in records.records) == ["ended", "refused_overload"]
    refused = next(record for record in records.records if record.outcome == "refused_overload")
    assert (refused.scenario, refused.facts["caller_id"], refused.version) == ("greet", "5551234", None)
    assert server.metrics.refused.labels("overload")._value.get() == 1


async def test_a_call_over_the_cap_with_an_unreadable_query_is_still_refused_cleanly(
    start_server: StartServer, records: MemoryRecords
) -> None:
    """The refusal names the scenario from the path alone: a query of 60 fields (over the parser's cap) used to
    raise there, before the close, so the socket stayed open (Asterisk never closes it, README 3a) and the
    caller turned away left no record (review of 2026-12-05, second day)."""
    server = await start_server(max_calls=0)
    query = "&".join(f"k{index}=v" for index in range(60))
    refused = await call(server, env=default_env(f"greet?{query}"), hold=1.0, timeout=10)
    await server.stop()
    assert refused.server_half_closed
    assert [(record.outcome, record.scenario) for record in records.records] == [("refused_overload", "greet")]


async def test_shutdown_while_a_call_over_the_cap_is_refused_still_closes_and_records_it(
    start_server: StartServer, records: MemoryRecords
) -> None:
    """Shutdown's deadline cancels the refusal while Asterisk has not answered its SET VARIABLE yet: the socket is
    closed all the same and the record kept (the cancellation used to escape past both)."""
    server = await start_server(max_calls=0)
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(encode_env(default_env("greet")))
    assert (await asyncio.wait_for(reader.readline(), 2)).startswith(b'SET VARIABLE "IVRGRAPH_STATUS"')
    await server.stop(deadline=0.05)  # this Asterisk never answers
    assert await asyncio.wait_for(reader.read(), 2.0) == b""  # the server's FIN, not a wait for ever
    writer.close()
    assert [record.outcome for record in records.records] == ["refused_overload"]


# -- records and shutdown ------------------------------------------------------------------------------------


class _TickingClock:
    """A clock a second later at every reading: each time the server takes is its own."""

    def __init__(self) -> None:
        self.moment = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)

    def now(self) -> datetime:
        self.moment += timedelta(seconds=1)
        return self.moment


async def test_record_of_a_caller_hanging_up_mid_prompt(start_server: StartServer, records: MemoryRecords) -> None:
    server = await start_server(source=_source(("greet", GREETING)), services=Services(clock=_TickingClock()))
    await call(server, "greet", CallerScript(hangup_at_command=1))
    await server.stop()
    record = records.records[0]
    assert record.outcome == "caller_hangup"
    assert record.hangup_point == "hello" and record.hangup_during == "play"
    # The times are the call's own: ended after it was answered (a record whose end was never set said 0 s).
    assert record.answered_at is not None and record.started_at <= record.answered_at < record.ended_at
    assert [step["node"] for step in record.trace["steps"]] == ["start", "hello"]


async def test_a_record_waiting_for_room_at_the_shutdown_deadline_is_still_written(
    start_server: StartServer, records: MemoryRecords
) -> None:
    """The writer is stuck (database slow) and the queue full: a finished call waits to queue its record, and
    shutdown's deadline cancels that wait. Its record is written all the same once the writer moves again."""
    gate = asyncio.Event()
    write = records.write_batch

    async def slow_write(batch: list[Any]) -> None:
        await gate.wait()
        await write(batch)

    records.write_batch = slow_write  # type: ignore[method-assign]
    short = _document([_node("start", "start"), _node("hello", "say_phrase", text="corto")])
    server = await start_server(source=_source(("short", short)), record_queue=1)
    for _ in range(3):  # one record in the writer's hands, one queued, the third waiting for room
        await call(server, "short", default_media_seconds=0.01)
    await asyncio.sleep(0.05)
    assert len(server._connections) == 1  # the third call's task, still waiting to queue its record
    asyncio.get_running_loop().call_later(0.5, gate.set)
    await server.stop(deadline=0.2)
    assert len(records.records) == 3


async def test_graceful_shutdown_lets_short_calls_finish_and_cancels_the_rest(
    start_server: StartServer, records: MemoryRecords
) -> None:
    short = _document([_node("start", "start"), _node("hello", "say_phrase", text="corto")])
    source = _source(("greet", GREETING), ("short", short))
    server = await start_server(source=source)
    long_calls = [asyncio.create_task(call(server, "greet", default_media_seconds=30.0, hold=5.0)) for _ in range(3)]
    short_call = asyncio.create_task(call(server, "short", default_media_seconds=0.2))
    while server.active_calls < 4:
        await asyncio.sleep(0.01)
    await server.stop(deadline=0.5)
    assert server.active_calls == 0
    with pytest.raises(ConnectionRefusedError):  # not listening any more
        await call(server, "short", hold=0.5)
    await asyncio.gather(*long_calls, short_call)
    outcomes = sorted((r.trace.get("scenario"), r.outcome, r.error) for r in records.records)
    assert outcomes == [
        ("Test", "ended", None),
        ("Test", "failed", "server shutdown"),
        ("Test", "failed", "server shutdown"),
        ("Test", "failed", "server shutdown"),
    ]
    for record in records.records:
        assert record.trace["steps"], "partial traces are kept"


async def test_records_are_written_in_batches(start_server: StartServer, records: MemoryRecords) -> None:
    server = await start_server(source=_source(("greet", GREETING)))
    await asyncio.gather(*(call(server, "greet") for _ in range(20)))
    await server.stop()
    assert len(records.records) == 20 and records.batches <= 20
    assert len({r.call_id for r in records.records}) == 20


async def test_a_failing_writer_is_retried(start_server: StartServer) -> None:
    from agi_server.records import CallRecord, RecordWriter

    attempts: list[int] = []

    async def flaky(batch: list[CallRecord]) -> None:
        attempts.append(len(batch))
        if len(attempts) == 1:
            raise OSError("database restarting")

    writer = RecordWriter(flaky, retry_delays=(0.01,))
    writer.start()
    server = await start_server(source=_source(("greet", GREETING)))
    server.records = writer
    await call(server, "greet")
    await server.stop()
    assert attempts == [1, 1] and writer.written == 1


# -- operations ---------------------------------------------------------------------------------------------


async def test_metrics(start_server: StartServer) -> None:
    server = await start_server(source=_source(("greet", GREETING)))
    await call(server, "greet")
    await server.stop()
    text = server.metrics.exposition().decode()
    assert "ivrgraph_agi_active_calls 0.0" in text
    assert 'ivrgraph_agi_calls_total{outcome="ended"} 1.0' in text
    assert 'ivrgraph_agi_round_trip_seconds_count{command="ANSWER"} 1.0' in text


async def test_logs_carry_the_call_id(
    start_server: StartServer, records: MemoryRecords, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="agi_server")
    server = await start_server(source=_source(("greet", GREETING)))
    await call(server, "greet")
    await server.stop()
    call_id = records.records[0].call_id
    lines = [r for r in caplog.records if getattr(r, "call_id", None) == call_id]
    assert len(lines) >= 2 and all(r.getMessage().startswith(f"call_id={call_id} ") for r in lines)
    # Operations review, 2026-12-05: the channel's name in Asterisk's own logs, to find the call there.
    assert "uniqueid='1795295104.117'" in lines[0].getMessage()


async def test_a_callback_job_resolves_trusted_inputs(start_server: StartServer, records: MemoryRecords) -> None:
    """The dialer's answered leg arrives as "<slug>?job=<id>": the host resolves the job's variables and the
    record links the call that scheduled it; a resolver cannot overwrite the channel facts."""
    document = _document([_node("start", "start"), _node("hello", "say_phrase", text="Hola {{ contact.name }}")])

    async def resolve(slug: str, agi_inputs: Mapping[str, str]) -> ResolvedInputs | None:
        if agi_inputs.get("job") != "j1":
            return None
        return ResolvedInputs(
            variables={"contact": {"name": "Marta"}, "caller_id": "forged"},
            job_id="j1",
            origin_call_id="c0",
            dialed_number="+34600111222",
        )

    server = await start_server(source=_source(("cb", document)), resolve_inputs=resolve)
    # outbound-agi.txt: an originated call's env names the dialer's own CallerID and the dialplan's `s` extension.
    await call(server, "cb?job=j1", env=default_env("cb?job=j1", agi_callerid="5550100", agi_extension="s"))
    await server.stop()
    record = records.records[0]
    assert (record.job_id, record.origin_call_id) == ("j1", "c0")
    assert record.trace["steps"][1]["prompts"][0]["text"] == "Hola Marta"
    assert record.trace["variables"]["caller_id"] == "5550100"
    # Review of 2026-12-05: the register said whom such a call was to nowhere; the number it rang is its dialled one.
    assert record.facts["dialed_number"] == record.trace["variables"]["dialed_number"] == "+34600111222"


async def test_a_callback_lookup_that_hangs_does_not_hold_the_call(
    start_server: StartServer, records: MemoryRecords, caplog: pytest.LogCaptureFixture
) -> None:
    """The job's row comes from the database; a store that hangs must not keep the caller (whose hangup wakes
    nothing while we wait) nor a place under max_calls (review of 2026-12-05, second day): after `resolve_timeout`
    the call is closed, recorded failed under the job it names, as when the lookup fails. It ran on its AGI inputs
    before, its scenario without the job's data (SRE review): tests/agi_server/test_callback_job_unavailable.py."""

    async def frozen(slug: str, agi_inputs: Mapping[str, str]) -> ResolvedInputs | None:
        await asyncio.sleep(3600)
        return None

    server = await start_server(source=_source(("greet", GREETING)), resolve_inputs=frozen, resolve_timeout=0.2)
    started = asyncio.get_running_loop().time()
    caller = await call(server, "greet?job=j1", hold=5.0)
    assert asyncio.get_running_loop().time() - started < 2.0
    await server.stop(deadline=0.5)
    assert caller.server_half_closed and server.active_calls == 0
    assert [(record.outcome, record.job_id) for record in records.records] == [("failed", "j1")]
    assert any("could not be loaded (no answer within 0.2 s)" in r.getMessage() for r in caplog.records)
    assert server.metrics.errors.labels("inputs")._value.get() == 1


async def test_a_callback_lookup_that_answers_late_still_links_the_record(
    start_server: StartServer, records: MemoryRecords
) -> None:
    """Past `resolve_timeout` the record named no job, and the campaign report found no call for a client marked
    done (review of 2026-12-05, second day). The record names the job the request names; the call no longer runs
    without the job's variables, and its lookup is cancelled, so that it marks nothing reached after all (in the
    product its transaction rolls back: DatabaseJobStore.reach), the job being the dialer's to dial again."""
    cancelled = asyncio.Event()

    async def slow(slug: str, agi_inputs: Mapping[str, str]) -> ResolvedInputs | None:
        try:
            await asyncio.sleep(0.3)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return ResolvedInputs(variables={"contact": {"name": "Marta"}}, job_id="j1", origin_call_id="c0")

    server = await start_server(source=_source(("greet", GREETING)), resolve_inputs=slow, resolve_timeout=0.1)
    await call(server, "greet?job=j1", default_media_seconds=0.5)
    await server.stop()
    (record,) = records.records
    assert (record.outcome, record.job_id) == ("failed", "j1")
    assert "Marta" not in str(record.trace) and cancelled.is_set()


def test_trace_of_matches_the_engines_as_dict() -> None:
    from agi_server.records import trace_of
    from graph_engine.trace import CallOutcome, CallResult, TraceStep

    step = TraceStep(0, "n", "t", "L", "2026-01-01T00:00:00+00:00", exit="next", prompts=[{"audio": "a"}])
    result = CallResult("c", "S", CallOutcome.ENDED, "a", "b", [step], {"x": {"y": 1}}, "n", answered=True)
    trace = trace_of(result)
    assert trace == result.as_dict()
    # Every field, in the dataclasses' order (the JSON the API serves keeps it), built from the fields themselves.
    assert list(trace) == [item.name for item in fields(CallResult)]
    assert list(trace["steps"][0]) == [item.name for item in fields(TraceStep)]
    assert trace["steps"][0]["prompts"] is step.prompts  # shallow: the call is over, nothing is copied twice


@pytest.mark.parametrize(
    "garbage",
    [
        b"\x00\xff\xfe garbage\n",
        b"200 result=abc\n",
        b"520-Invalid command syntax.  Proper usage follows:\nno end line ever\n",
        b"200 result=1 (an unclosed value\n",
        b"HANGUP\nHANGUP\n",
        b"",
    ],
    ids=["binary", "bad-result", "endless-usage", "unclosed-data", "only-hangups", "silence"],
)
async def test_garbage_from_asterisk_ends_the_call_with_a_record(
    garbage: bytes, start_server: StartServer, records: MemoryRecords, caplog: pytest.LogCaptureFixture
) -> None:
    """Whatever Asterisk sends instead of an answer, the call ends, its record is written, nothing escapes, and
    the record blames what happened: not the caller, unless Asterisk said the caller hung up."""
    settings = ChannelSettings(media_timeout=0.3)  # a prompt's answer is due within 0.3 s here
    server = await start_server(source=_source(("greet", GREETING)), idle_timeout=0.3, channel=settings)
    fake = await call(server, "greet", CallerScript(garbage_at_command={1: garbage}), hold=2.0)
    await server.stop()
    assert len(records.records) == 1 and records.records[0].trace["steps"]
    record = records.records[0]
    if garbage.startswith(b"HANGUP"):  # Asterisk said the caller hung up, though it skipped the answer
        assert (record.outcome, record.hangup_point) == ("caller_hangup", "hello")
    elif garbage in (b"\x00\xff\xfe garbage\n", b"200 result=abc\n"):  # unreadable: the block failed on it
        assert record.outcome == "failed" and "ResponseError" in (record.error or "")
    else:  # silence, or an answer that never ends: its deadline passed, and the record says so
        assert (record.outcome, record.hangup_point) == ("failed", None)
        assert record.error == "Asterisk did not answer: STREAM FILE: no answer within 0.3 s"
        assert record.hangup_during is None  # nor which prompt the caller "hung up" in (it used to say "play")
    assert fake.server_half_closed or fake.server_reset
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR and r.exc_info]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r\x00"), max_size=60),
    query=st.text(st.characters(blacklist_categories=("Cs",)), max_size=40),
)
def test_injection_fuzz(name: str, query: str) -> None:
    """Random caller names (any character Asterisk could put on an env line) and query values: each reaches
    the wire as exactly one quoted argument that Asterisk reads back unchanged, or not at all."""
    document = _document([_node("start", "start"), _node("echo", "echo", names=["caller_name", "q"])])
    registry = BlockRegistry.of([*(type(block) for block in default_registry()), EchoBlock])

    async def one_call() -> Any:
        sink = MemoryRecords()
        server = AgiServer(
            AgiServerConfig(port=0), source=_source(("fuzz", document)), registry=registry, write_batch=sink.write_batch
        )
        await server.start()
        try:
            env = default_env(f"fuzz?q={quote(query)}", agi_calleridname=name)
            return await call(server, env=env)
        finally:
            await server.stop()

    fake = asyncio.run(one_call())
    words = [parse_args(line) for line in fake.commands]
    assert words[0] == ["ANSWER"] and words[-1] == ["HANGUP"]
    sets = [w for w in words if w[:2] == ["SET", "VARIABLE"]]
    assert all(len(w) == 4 for w in sets) and len(words) == len(sets) + 2
    assert sets[0][3] == name
    if not any(c in query for c in "\r\n\0"):
        assert sets[1][3] == query
    else:
        assert len(sets) == 1


async def test_a_record_names_the_node_that_took_the_call_not_the_asterisk_peer(
    start_server: StartServer, records: MemoryRecords, caplog: pytest.LogCaptureFixture
) -> None:
    """Operations review, 2026-12-05: the call register's `node` ("which FastAGI node took the call") held the
    Asterisk peer's address and ephemeral port. It holds the node's id; the peer is in the call's log line."""
    import socket

    from persistence.calls import as_record_in

    caplog.set_level(logging.INFO, logger="agi_server.server")
    server = await start_server(node_id="ivr-node-2")
    await call(server, "inbound-hotline", CallerScript(keys=["1"]))
    await server.stop()
    [record] = records.records
    assert record.node == "ivr-node-2" and record.peer.startswith("127.0.0.1:")
    assert as_record_in(record).node == "ivr-node-2"
    assert any(f"(Asterisk {record.peer}, channel=" in line for line in caplog.messages)
    assert AgiServerConfig().node_id == socket.gethostname()  # unless the node is told otherwise


async def test_a_stored_call_names_its_asterisk_channel_and_what_the_caller_hung_up_during(
    tmp_path: Path, examples_source: CachedScenarioSource
) -> None:
    """An operator holding an Asterisk CDR line (its UNIQUEID) finds the call's trace: the id reaches the register
    with what the caller hung up during (review of 2026-12-05: both were dropped on the way to the database).
    Over real TCP into a SQLite database as `ivrgraph serve` writes it; the caller hangs up during the greeting."""
    url = f"sqlite:///{tmp_path / 'calls.db'}"
    upgrade(url)
    database = Database(url)
    server = AgiServer(
        AgiServerConfig(port=0, shutdown_deadline=2.0),
        source=examples_source,
        registry=default_registry(),
        services=Services(scenarios=SourceLoader(examples_source)),
        write_batch=CallRecordWriter(database),
    )
    await server.start()
    env = {**default_env("inbound-hotline"), "agi_uniqueid": "pbx1-1795295104.117"}
    await call(server, "inbound-hotline", CallerScript(hangup_at_command=1), env=env)
    await server.stop()
    with database.session() as session:
        (stored,), _ = calls.list_calls(session, filters=CallFilter(asterisk_uniqueid="pbx1-1795295104.117"))
        assert (stored.scenario, stored.outcome, stored.hangup_during) == ("inbound-hotline", "caller_hangup", "play")
    database.dispose()


async def test_a_call_whose_handshake_ends_after_shutdown_began_is_turned_away(
    start_server: StartServer, records: MemoryRecords
) -> None:
    """Review of 2026-12-05: stop() turned away new connections only; a session still sending its env block was
    answered, started and cut off at the deadline. It is told IVRGRAPH_STATUS=DRAINING now (a call over the cap is
    told OVERLOADED), so the dialplan tries another node, and the register shows whom the stop turned away."""
    server = await start_server(source=_source(("greet", GREETING)))
    env = encode_env(default_env("greet"))
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(env[:100])  # the rest of the block is still on its way when SIGTERM comes
    await asyncio.sleep(0.1)
    stopping = asyncio.create_task(server.stop(deadline=1.0))
    await asyncio.sleep(0.1)
    writer.write(env[100:])
    first = await asyncio.wait_for(reader.readline(), 3)
    assert parse_args(first.decode().strip()) == ["SET", "VARIABLE", STATUS_VARIABLE, "DRAINING"]
    writer.write(b"200 result=1\n")
    writer.close()
    await stopping
    assert [record.outcome for record in records.records] == ["refused_stopping"]
    assert server.metrics.refused.labels("stopping")._value.get() == 1


def test_a_node_raises_its_open_file_limit_or_takes_no_more_calls_than_it_allows() -> None:
    """Review of 2026-12-05: under a stock limit of 1,024 open files the node could not accept() past it; callers
    waited in silence in the listen queue instead of being refused over the cap. The node raises its soft limit
    as far as the hard one allows, and with a hard limit too low it caps its calls and says so."""
    program = (
        "import resource, sys\n"
        "from agi_server.process_limits import calls_within_open_file_limit\n"
        "soft, hard = int(sys.argv[1]), int(sys.argv[2])\n"
        "resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))\n"
        "print(calls_within_open_file_limit(2000), resource.getrlimit(resource.RLIMIT_NOFILE)[0])\n"
    )
    root = Path(__file__).resolve().parents[2]

    def run(soft: int, hard: int) -> tuple[str, str]:
        done = subprocess.run(
            [sys.executable, "-c", program, str(soft), str(hard)], cwd=root, capture_output=True, text=True, timeout=30
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip(), done.stderr

    assert run(256, 4096)[0] == "2000 2128"  # raised to what 2,000 calls need
    calls, said = run(300, 300)
    assert calls == "172 300" and "the open-file limit (300) allows 172 calls at once, not the 2000" in said
