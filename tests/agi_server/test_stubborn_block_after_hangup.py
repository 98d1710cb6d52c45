"""A plugin block that ignores its cancellation, stopped past its `max_seconds`, whose caller hangs up (or whose
Asterisk closes the socket) only afterwards, over real TCP (fake Asterisk -> AgiServer -> interpreter).

The plugin author's review: with the hangup after the time limit the log showed only "... stopped", the call never
reached the register and stayed counted active until SIGTERM, while a hangup within the limit was given up on after
3 s. What mattered was the socket: Asterisk closing it before the call was given up on took the session out of the
watchdog's patrol, whose rounds cancel the block again and give up on its call (agi_server.walk_patrol.look_at_walk).
Whatever the order, the call is given up on now, as docs/blocks.md says: an ERROR naming the plugin block, the call
recorded failed (with the hangup noted when there was one), its place under max_calls freed, its session closed."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest

from agi_server.scenarios import CachedScenarioSource, PublishedScenario
from agi_server.server import AgiServer
from graph_engine.document import parse_document
from tests.agi_server.conftest import MemoryRecords, StartServer, call, exposition_samples, registry_with
from tests.conftest import make_document
from tests.fakes.asterisk import CallerScript, parse_args
from tests.fakes.hanging_blocks import SwallowsCancellation, cancel_until_gone


class StubbornCrm(SwallowsCancellation):
    """A CRM lookup retrying in a loop that takes each CancelledError for a failed attempt, with a time limit of
    half a second: the patrol (a round a second) stops it at its second round, about 2 s into the call."""

    type = "acme.stubborn_crm"
    title = "Stubborn CRM lookup"
    max_seconds: ClassVar[float] = 0.5


STOPPED_AT = 2.0  # about when the patrol stops the block, past its limit (see StubbornCrm)
GIVEN_UP_WITHIN = 6.0  # the stop, two more cancellations a round apart, the give-up a round later; and some slack
HUNG_UP_IN_BLOCK = f"block:{StubbornCrm.type}"  # the record's hangup_during for a hangup during the block's work


@dataclass(frozen=True)
class Ending:
    """How the call's far end behaves while the block is stuck, and what the call's record then says."""

    hangup_after: float | None  # seconds into the call; None: the caller stays on
    hold: float  # the fake closes the socket after this long with nothing from the server
    exit_on_hangup: bool  # Asterisk closes the socket as the caller hangs up (hangupexit.txt)
    hangup_during: str | None
    interrupted_by: str  # what stopped the block first, in the record's error


ENDINGS = {
    # The review's --hangup-after 4.6 against a 3 s limit: the HANGUP line after the patrol stopped the block.
    "hangup after the stop, socket left open": Ending(STOPPED_AT + 0.6, 10.0, False, HUNG_UP_IN_BLOCK, "max_seconds"),
    "hangup after the stop, Asterisk closes the socket": Ending(
        STOPPED_AT + 0.6, 10.0, True, HUNG_UP_IN_BLOCK, "max_seconds"
    ),
    # Past the limit but before the patrol's round noticed it: the hangup stops the block.
    "hangup before the stop, Asterisk closes the socket": Ending(
        STOPPED_AT - 0.6, 10.0, True, HUNG_UP_IN_BLOCK, "the caller hung up"
    ),
    # The review's other case: no hangup, and Asterisk gives up on the silent session (the fake after `hold`),
    # which the node takes for the channel gone, as ever.
    "no hangup, Asterisk closes the silent socket": Ending(
        None, STOPPED_AT + 1.0, False, HUNG_UP_IN_BLOCK, "max_seconds"
    ),
    "no hangup, socket left open": Ending(None, 10.0, False, None, "max_seconds"),
}


def _source() -> CachedScenarioSource:
    nodes: list[dict[str, Any]] = [
        {"id": "start", "type": "start"},
        {"id": "crm", "type": StubbornCrm.type},
        {"id": "sorry", "type": "say_phrase", "config": {"text": "Lo sentimos"}},
    ]
    source = CachedScenarioSource()
    doc = make_document(nodes, [("start", "next", "crm"), ("crm", "error", "sorry")])
    source.publish(PublishedScenario("crm-hotline", 1, parse_document(doc)))
    return source


async def _until(done: Callable[[], object], within: float) -> float:
    """Seconds until `done()` held (polled), or `within` if it never did."""
    started = time.monotonic()
    while not done() and time.monotonic() - started < within:
        await asyncio.sleep(0.02)
    return time.monotonic() - started


def _active_calls_gauge(server: AgiServer) -> float:
    return exposition_samples(server.metrics.exposition().decode())["ivrgraph_agi_active_calls"]


@pytest.fixture(autouse=True)
async def _let_the_blocks_go() -> AsyncIterator[None]:
    """The block given up on outlives its call by design: cancelled until it ends once the servers stopped (set up
    first, so torn down last)."""
    yield
    await cancel_until_gone(200)


@pytest.mark.parametrize("ending", ENDINGS.values(), ids=ENDINGS.keys())
async def test_a_block_ignoring_its_cancellation_is_given_up_on_however_the_call_ends(
    start_server: StartServer, records: MemoryRecords, caplog: pytest.LogCaptureFixture, ending: Ending
) -> None:
    caplog.set_level(logging.WARNING)
    server = await start_server(source=_source(), registry=registry_with(StubbornCrm))
    script = CallerScript(hangup_after=ending.hangup_after)
    started = time.monotonic()
    calling = asyncio.create_task(
        call(server, "crm-hotline", script, hold=ending.hold, exit_on_hangup=ending.exit_on_hangup, timeout=20)
    )
    try:
        await asyncio.sleep(0.5)
        assert server.active_calls == 1 and _active_calls_gauge(server) == 1  # in the block

        await _until(lambda: not server.active_calls, GIVEN_UP_WITHIN)
        took = time.monotonic() - started
        assert not server.active_calls, f"the call is still counted active {took:.1f} s in: it waits for SIGTERM"
        assert _active_calls_gauge(server) == 0
        assert took > STOPPED_AT  # given up on by the patrol's rounds, not ended some other way

        # Written by the writer (a batch a second) as the call was given up on, not by a shutdown.
        await _until(lambda: records.records, 3.0)
        [record] = records.records
        assert record.outcome == "failed"
        assert record.error is not None and record.error != "server shutdown"
        assert f"block 'crm' ({StubbornCrm.type}) ignored its cancellation (3 times: " in record.error, record.error
        assert ending.interrupted_by in record.error, record.error
        assert record.hangup_during == ending.hangup_during
        assert [(s["node"], s["exit"]) for s in record.trace["steps"]] == [("start", "next"), ("crm", "error")]
        assert record.trace["steps"][1]["error"] == record.error

        errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
        [message] = [line for line in errors if "ignored its cancellation" in line]
        assert message.startswith(f"call_id={record.call_id} {record.error} (plugin ")
        assert StubbornCrm.type in message and StubbornCrm.__name__ in message

        # The session is closed: the fake's call is over, and the server has nothing of it left to wait for.
        fake = await asyncio.wait_for(calling, 3.0)
        assert await _until(lambda: not server.calls_left, 3.0) < 3.0, "the call's session is still open"
        assert server._watchdog is not None and not server._watchdog._watched  # nor kept in memory by the patrol
        assert [parse_args(line)[0] for line in fake.commands] == ["ANSWER"]
        if ending.hold > GIVEN_UP_WITHIN and not ending.exit_on_hangup:
            assert fake.server_half_closed  # the usual goodbye: ${AGISTATUS} goes on
    finally:
        calling.cancel()
