"""Plugin blocks busy away from the call's channel, over real TCP (fake Asterisk -> AgiServer -> interpreter):
a caller who hangs up meanwhile ends the call, a block past its time limit takes its error exit, and a plugin's
own CancelledError is its failure, not a server shutdown."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any, ClassVar

import pytest

from agi_server.scenarios import CachedScenarioSource, PublishedScenario
from agi_server.watchdog import Watchdog, Watched
from graph_engine.block import BlockType
from graph_engine.channel import Prompt
from graph_engine.context import BlockContext
from graph_engine.document import parse_document
from graph_engine.registry import BlockRegistry
from tests.agi_server.conftest import MemoryRecords, StartServer, call, registry_with
from tests.conftest import make_document, until
from tests.fakes.asterisk import CallerScript, parse_args
from tests.fakes.hanging_blocks import WaitsForever


class QuickLimitForever(WaitsForever):
    """The same, with a short limit of its own."""

    type = "acme_quick_limit"
    title = "Quick limit"
    max_seconds: ClassVar[float] = 0.5


class LongPrompt(BlockType):
    """Short of time off the channel, but plays a long prompt: time on the channel does not count."""

    type = "acme_long_prompt"
    title = "Long prompt"
    max_seconds: ClassVar[float] = 0.5

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        await ctx.play(Prompt(audio="long"))
        return "next"


class WaitsThenHangupPath(WaitsForever):
    """Waits forever too, but has a `hangup` exit to wire bookkeeping to."""

    type = "acme_waits_hangup_path"
    title = "Waits, with a hangup path"
    waits_for_caller: ClassVar[bool] = True


class SlowBookkeeping(BlockType):
    """Bookkeeping after a hangup that takes a while away from the channel (a CRM write)."""

    type = "acme_slow_bookkeeping"
    title = "Slow bookkeeping"

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        await asyncio.sleep(0.5)
        ctx.set("noted", "yes")
        return "next"


class NotesThenWaits(WaitsForever):
    """Notes on the channel that it asks the CRM (SET VARIABLE, which a dead channel still runs: hangupidle.txt's
    GET VARIABLE after the hangup), then waits for the CRM forever, away from the channel."""

    type = "acme_notes_then_waits"
    title = "Notes, then waits"

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        await ctx.channel.set_variable("CRM", "asked")
        return await super().run(ctx, config)


class CancelsItsOwnTask(BlockType):
    type = "acme_cancels_own"
    title = "Cancels its own task"

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        task = asyncio.ensure_future(asyncio.sleep(10))
        task.cancel()
        await task
        return "next"


def _registry() -> BlockRegistry:
    return registry_with(
        WaitsForever,
        QuickLimitForever,
        LongPrompt,
        WaitsThenHangupPath,
        SlowBookkeeping,
        CancelsItsOwnTask,
        NotesThenWaits,
    )


def _source(block_type: str, *, error_to_message: bool = False) -> CachedScenarioSource:
    nodes: list[dict[str, Any]] = [{"id": "start", "type": "start"}, {"id": "p", "type": block_type}]
    edges = [("start", "next", "p")]
    if error_to_message:
        nodes.append({"id": "sorry", "type": "say_phrase", "config": {"text": "Lo sentimos"}})
        edges.append(("p", "error", "sorry"))
    source = CachedScenarioSource()
    source.publish(PublishedScenario("s", 1, parse_document(make_document(nodes, edges))))
    return source


async def _wait_for_no_calls(server: Any, within: float) -> float:
    started = time.monotonic()
    while server.active_calls and time.monotonic() - started < within:
        await asyncio.sleep(0.02)
    return time.monotonic() - started


async def test_a_caller_hangup_ends_a_block_busy_away_from_the_channel(
    start_server: StartServer, records: MemoryRecords
) -> None:
    server = await start_server(source=_source("acme_waits_forever"), registry=_registry())
    fake = await call(server, "s", CallerScript(hangup_after=0.3), hold=2.0, timeout=10)
    assert fake.hung_up_at is not None
    assert await _wait_for_no_calls(server, 1.0) < 1.0, "the call kept its place under max_calls"
    await server.stop(deadline=1.0)
    [record] = records.records
    assert (record.outcome, record.error, record.hangup_point) == ("caller_hangup", None, "p")
    assert [(s["node"], s["exit"]) for s in record.trace["steps"]] == [("start", "next"), ("p", "hangup")]
    assert fake.server_half_closed  # closed the usual way, Asterisk's final HANGUP read
    assert [parse_args(line)[0] for line in fake.commands] == ["ANSWER"]  # nothing sent to a dead channel


async def test_a_hangup_read_with_the_last_answer_ends_a_block_that_then_leaves_the_channel(
    start_server: StartServer, records: MemoryRecords
) -> None:
    """The caller hangs up just after ANSWER's result: both lines arrive in one read, while the command still counts
    as in flight. The block then waits away from the channel; the hangup must end it at once, not at its
    max_seconds (90 s here)."""
    server = await start_server(source=_source("acme_waits_forever"), registry=_registry())
    fake = await call(server, "s", CallerScript(hangup_as_answered=0), hold=2.0, timeout=10)
    assert fake.responses == [b"200 result=0\n"] and b"\n\n200 result=0\nHANGUP\n" in fake.sent  # one write
    assert await _wait_for_no_calls(server, 1.0) < 1.0, "the block ran on after the caller hung up"
    await server.stop(deadline=1.0)
    [record] = records.records
    assert (record.outcome, record.error, record.hangup_point) == ("caller_hangup", None, "p")
    assert [(s["node"], s["exit"]) for s in record.trace["steps"]] == [("start", "next"), ("p", "hangup")]
    assert [parse_args(line)[0] for line in fake.commands] == ["ANSWER"]


async def test_an_eof_ends_the_block_and_the_hangup_path_runs_to_its_end(
    start_server: StartServer, records: MemoryRecords
) -> None:
    """Asterisk with AGISIGHUP=no and AGIEXITONHANGUP=yes says nothing and closes: the EOF is the hangup. The
    bookkeeping on the hangup path is not cut short by the EOF's second notice (connection_lost)."""
    doc = make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "p", "type": "acme_waits_hangup_path"},
            {"id": "note", "type": "acme_slow_bookkeeping"},
        ],
        [("start", "next", "p"), ("p", "hangup", "note")],
        variables=[{"name": "noted", "default": ""}],
    )
    source = CachedScenarioSource()
    source.publish(PublishedScenario("s", 1, parse_document(doc)))
    server = await start_server(source=source, registry=_registry())
    await call(server, "s", CallerScript(hangup_after=0.3), sighup=False, exit_on_hangup=True, hold=2.0, timeout=10)
    assert await _wait_for_no_calls(server, 2.0) < 2.0
    await server.stop(deadline=1.0)
    [record] = records.records
    assert (record.outcome, record.error, record.hangup_point) == ("caller_hangup", None, "p")
    steps = [(s["node"], s["exit"]) for s in record.trace["steps"]]
    assert steps == [("start", "next"), ("p", "hangup"), ("note", "next")]
    assert record.trace["variables"]["noted"] == "yes"


class _SlowSource(CachedScenarioSource):
    """A store that takes a while to say which version is published (a busy database)."""

    async def get(self, slug: str) -> PublishedScenario | None:
        await asyncio.sleep(0.3)
        return await super().get(slug)


async def _slow_resolver(slug: str, inputs: Mapping[str, str]) -> None:
    await asyncio.sleep(0.3)  # the host's input lookup (a callback job's row), slow: nothing to add in the end


# How the fake Asterisk says the caller left while no command runs: an unsolicited HANGUP (hangupidle.txt); HANGUP,
# HANGUP and the close with AGIEXITONHANGUP=yes (hangupexit.txt); the close alone with AGISIGHUP=no as well
# (nosighup.txt, then the close).
_CALLER_LEAVES = {
    "hangup_line": {},
    "hangup_lines_and_close": {"exit_on_hangup": True},
    "close": {"exit_on_hangup": True, "sighup": False},
}


@pytest.mark.parametrize("leaves", sorted(_CALLER_LEAVES))
@pytest.mark.parametrize("slow", ["scenario_lookup", "input_resolver"])
async def test_a_caller_gone_before_the_walk_began_ends_its_first_block_away_from_the_channel(
    slow: str, leaves: str, start_server: StartServer, records: MemoryRecords
) -> None:
    """The caller hangs up while the server still looks up the scenario or the call's inputs: no walk yet to tell.
    The walk then starts with a Start that does not answer and a block busy away from the channel (a CRM): it ran
    to its max_seconds (90 s here) for a caller who was gone, holding its place under max_calls, and the record
    said failed at the block's time limit. The hangup now ends that block as soon as the walk awaits it."""
    doc = make_document(
        [{"id": "start", "type": "start", "config": {"answer": False}}, {"id": "p", "type": "acme_waits_forever"}],
        [("start", "next", "p")],
    )
    source = _SlowSource() if slow == "scenario_lookup" else CachedScenarioSource()
    source.publish(PublishedScenario("s", 1, parse_document(doc)))
    resolver = _slow_resolver if slow == "input_resolver" else None
    server = await start_server(source=source, registry=_registry(), resolve_inputs=resolver)
    started = time.monotonic()
    fake = await call(server, "s", CallerScript(hangup_after=0.1), hold=2.0, timeout=10, **_CALLER_LEAVES[leaves])
    assert fake.hung_up_at is not None
    # Within seconds, not the block's 90 s: generous for a slow CI machine.
    assert await _wait_for_no_calls(server, 10.0) < 10.0 and time.monotonic() - started < 10.0, "the block ran on"
    await server.stop(deadline=1.0)
    [record] = records.records
    assert (record.outcome, record.error, record.hangup_point) == ("caller_hangup", None, "p")
    assert record.hangup_during == "block:acme_waits_forever"
    assert [(s["node"], s["exit"]) for s in record.trace["steps"]] == [("start", "next"), ("p", "hangup")]
    assert fake.commands == []  # nothing sent to the dead channel


async def test_a_caller_gone_before_the_walk_began_ends_a_block_that_first_notes_on_the_dead_channel(
    start_server: StartServer, records: MemoryRecords
) -> None:
    """The same, the block's first step on the channel being bookkeeping, which a dead channel answers as usual
    (hangupidle.txt): that answer tells the walk nothing, and the block then leaves the channel."""
    doc = make_document(
        [{"id": "start", "type": "start", "config": {"answer": False}}, {"id": "p", "type": "acme_notes_then_waits"}],
        [("start", "next", "p")],
    )
    source = CachedScenarioSource()
    source.publish(PublishedScenario("s", 1, parse_document(doc)))
    server = await start_server(source=source, registry=_registry(), resolve_inputs=_slow_resolver)
    started = time.monotonic()
    fake = await call(server, "s", CallerScript(hangup_after=0.1), hold=2.0, timeout=10)
    # Within seconds, not the block's 90 s: generous for a slow CI machine.
    assert await _wait_for_no_calls(server, 10.0) < 10.0 and time.monotonic() - started < 10.0, "the block ran on"
    await server.stop(deadline=1.0)
    [record] = records.records
    assert (record.outcome, record.error, record.hangup_point) == ("caller_hangup", None, "p")
    assert record.hangup_during == "block:acme_notes_then_waits"
    assert [parse_args(line) for line in fake.commands] == [["SET", "VARIABLE", "CRM", "asked"]]
    assert fake.variables["CRM"] == "asked"


async def test_a_caller_hangup_during_a_command_is_still_seen_by_that_command(
    start_server: StartServer, records: MemoryRecords
) -> None:
    """Only a hangup while no command is in flight interrupts the block: one during a prompt is the prompt's."""
    server = await start_server(source=_source("acme_long_prompt"), registry=_registry())
    await call(server, "s", CallerScript(hangup_after=0.3), media={"ivrgraph/long": 2.0}, hold=2.0, timeout=10)
    await server.stop(deadline=1.0)
    [record] = records.records
    assert (record.outcome, record.hangup_point, record.hangup_during) == ("caller_hangup", "p", "play")


async def test_a_block_past_its_time_away_from_the_channel_takes_its_error_exit(
    start_server: StartServer, records: MemoryRecords
) -> None:
    server = await start_server(source=_source("acme_quick_limit", error_to_message=True), registry=_registry())
    started = time.monotonic()
    fake = await call(server, "s", hold=5.0, timeout=10)
    took = time.monotonic() - started
    await server.stop(deadline=1.0)
    [record] = records.records
    steps = [(s["node"], s["exit"]) for s in record.trace["steps"]]
    assert steps == [("start", "next"), ("p", "error"), ("sorry", "next")]
    error = record.trace["steps"][1]["error"]
    assert "0.5 s" in error and "max_seconds" in error, error
    assert record.outcome == "ended" and record.error is None
    assert any(line.startswith("STREAM FILE") for line in fake.commands)  # the error route spoke to the caller
    assert 0.5 <= took < 4.0


async def test_an_unwired_block_past_its_time_fails_the_call_and_hangs_up(
    start_server: StartServer, records: MemoryRecords
) -> None:
    server = await start_server(source=_source("acme_quick_limit"), registry=_registry())
    fake = await call(server, "s", hold=5.0, timeout=10)
    await server.stop(deadline=1.0)
    [record] = records.records
    assert record.outcome == "failed"
    assert record.error is not None and "max_seconds" in record.error and record.error != "server shutdown"
    assert [parse_args(line)[0] for line in fake.commands] == ["ANSWER", "HANGUP"]


async def test_time_on_the_channel_does_not_count_against_the_limit(
    start_server: StartServer, records: MemoryRecords
) -> None:
    server = await start_server(source=_source("acme_long_prompt", error_to_message=True), registry=_registry())
    await call(server, "s", media={"ivrgraph/long": 2.5}, hold=5.0, timeout=10)
    await server.stop(deadline=1.0)
    [record] = records.records
    assert [(s["node"], s["exit"]) for s in record.trace["steps"]] == [("start", "next"), ("p", "next")]
    assert record.outcome == "ended"


async def test_a_plugins_own_cancelled_error_is_a_block_failure_not_a_shutdown(
    start_server: StartServer, records: MemoryRecords
) -> None:
    server = await start_server(source=_source("acme_cancels_own", error_to_message=True), registry=_registry())
    fake = await call(server, "s", hold=2.0, timeout=10)
    assert await _wait_for_no_calls(server, 1.0) < 1.0
    await server.stop(deadline=1.0)
    [record] = records.records
    assert record.error is None and record.outcome == "ended", (record.outcome, record.error)
    steps = record.trace["steps"]
    assert [(s["node"], s["exit"]) for s in steps] == [("start", "next"), ("p", "error"), ("sorry", "next")]
    assert "CancelledError" in steps[1]["error"]
    assert any(line.startswith("STREAM FILE") for line in fake.commands)


# -- the watchdog's patrol -----------------------------------------------------------------------------------


class _Session:
    deadline: float | None = None

    def expire(self) -> None:
        pass


async def test_the_patrol_looks_at_each_session_and_stops_when_nothing_is_left_to_watch() -> None:
    """Waits for what the rounds do, not for a number of rounds in a stretch of time: with the designer's end-to-end
    run beside the suite, a sleep of 0.08 s once overshot past a second 0.05 s round (CI of 62e7379)."""
    looked: list[tuple[Watched, float]] = []
    active = {"yes": True}

    def look(session: Watched, now: float) -> bool:
        looked.append((session, now))
        return active["yes"]

    watchdog = Watchdog(look=look, patrol_interval=0.05)
    first, second = _Session(), _Session()
    watchdog.patrol(first)
    watchdog.patrol(second)  # one timer for both
    await until(lambda: len(looked) >= 4)
    rounds = [looked[0:2], looked[2:4]]  # each round looks at both, at one time, an interval or more apart
    assert all({id(s) for s, _ in each} == {id(first), id(second)} and each[0][1] == each[1][1] for each in rounds)
    assert rounds[1][0][1] - rounds[0][0][1] >= 0.05 - 1e-3
    active["yes"] = False
    flipped = len(looked)
    await until(lambda: len(looked) >= flipped + 2)  # the first round in which nothing was worth looking at
    count = len(looked)
    await asyncio.sleep(0.2)
    assert len(looked) == count, "rounds went on with nothing to look at"
    watchdog.forget(first)
    active["yes"] = True
    watchdog.patrol(second)  # a new walk starts the rounds again
    await until(lambda: len(looked) > count)
    assert {id(s) for s, _ in looked[count:]} == {id(second)}
    watchdog.stop_patrol()


async def test_a_server_with_no_call_in_progress_has_no_patrol_timer(
    start_server: StartServer, records: MemoryRecords
) -> None:
    server = await start_server(source=_source("acme_long_prompt"), registry=_registry())
    await call(server, "s", hold=2.0, timeout=10)
    await asyncio.sleep(2.2)  # two rounds: the one that saw the call ending, and the one that found nothing
    assert server._watchdog is not None and server._watchdog._patrol_timer is None
