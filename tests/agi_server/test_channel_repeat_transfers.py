"""Two transfers in one call, over real TCP against the fake Asterisk: what the first leaves on the caller's channel
must not change what the second reports or shows.

No capture has a Queue (../shared/asterisk/README.txt lists none): the queue cases follow Asterisk's documented
behaviour (docs.asterisk.org, Dialplan Applications, Queue(): QUEUESTATUS is set to TIMEOUT, FULL, JOINEMPTY,
LEAVEEMPTY, JOINUNAVAIL, LEAVEUNAVAIL, CONTINUE or WITHDRAW when the caller leaves unanswered; app_queue's
queue_exec sets nothing when an agent answered, so the variable keeps an earlier attempt's value), which the fake
models. The caller ID cases follow basic.txt and errors.txt (SET/GET VARIABLE, quoting) and README section 3c
(SET VARIABLE still runs on a channel that hung up).
"""

from __future__ import annotations

from typing import Any

import pytest

from agi_server.channel import AgiChannel
from agi_server.scenarios import CachedScenarioSource, PublishedScenario
from graph_engine.channel import TransferOutcome
from graph_engine.document import parse_document
from graph_engine.errors import CallerHangup
from tests.agi_server.conftest import MemoryRecords, StartServer, agi_session, call
from tests.conftest import make_document
from tests.fakes.asterisk import CallerScript, default_env, parse_args

CALLER = (default_env()["agi_calleridname"], default_env()["agi_callerid"])  # ("Probe Test", "5551234")
HOTLINE = ("ACME hotline", "+34910000001")


def _words(lines: list[str]) -> list[list[str]]:
    return [parse_args(line) for line in lines]


def _source(slug: str, nodes: list[dict[str, Any]], edges: list[tuple[str, str, str]]) -> CachedScenarioSource:
    source = CachedScenarioSource()
    source.publish(PublishedScenario(slug, 1, parse_document(make_document(nodes, edges))))
    return source


# -- 1. a queue answered on a second try --------------------------------------------------------------------------


async def test_a_queue_answered_after_one_that_timed_out_is_answered() -> None:
    """Review, 2026-12 (/tmp/sim/s2): QUEUESTATUS=TIMEOUT from the first try was read again after the second, which
    an agent answered, so the caller who had just talked to them heard "all agents busy"."""
    async with agi_session(CallerScript(far_end=["no_answer", "answered"])) as (connection, fake):
        channel = AgiChannel(connection)
        first = await channel.transfer("queue:sales", timeout=20)
        second = await channel.transfer("queue:sales", timeout=20)
    assert (first.outcome, second.outcome) == (TransferOutcome.NO_ANSWER, TransferOutcome.ANSWERED)
    attempt = [
        ["SET", "VARIABLE", "QUEUESTATUS", ""],  # one command more per Queue, none per Dial
        ["EXEC", "Queue", "sales,,,,20"],
        ["GET", "VARIABLE", "QUEUESTATUS"],
    ]
    assert _words(fake.call.commands) == attempt * 2
    assert fake.call.responses[-1] == b"200 result=1 ()\n"  # cleared, and left so by the answered Queue


@pytest.mark.parametrize(("far_end", "outcome"), [("busy", TransferOutcome.BUSY), ("failed", TransferOutcome.FAILED)])
async def test_a_second_queue_reports_its_own_status(far_end: str, outcome: TransferOutcome) -> None:
    async with agi_session(CallerScript(far_end=["no_answer", far_end])) as (connection, _):
        channel = AgiChannel(connection)
        await channel.transfer("queue:sales", timeout=20)
        assert (await channel.transfer("queue:support", timeout=20)).outcome is outcome


async def test_the_fake_leaves_queuestatus_alone_when_an_agent_answers() -> None:
    """The fake as app_queue: an answered Queue sets no QUEUESTATUS, so without the clearing the old one shows."""
    async with agi_session(CallerScript(far_end=["no_answer", "answered"])) as (connection, fake):
        await connection.exec("Queue", "sales,,,,20")
        await connection.exec("Queue", "sales,,,,20")
        assert fake.variables["QUEUESTATUS"] == "TIMEOUT"
        assert "ABANDONED" not in fake.variables


async def test_press_1_to_try_again_then_an_agent_answers_over_fastagi(
    start_server: StartServer, records: MemoryRecords
) -> None:
    """The reviewer's scenario end to end: queue, "all agents busy, press 1", queue again, answered."""
    nodes: list[dict[str, Any]] = [
        {"id": "start", "type": "start"},
        {"id": "q", "type": "transfer", "config": {"target": "queue:sales", "timeout": 20}},
        {
            "id": "again",
            "type": "ivr",
            "config": {"prompt": {"text": "All agents busy. Press 1."}, "options": [{"key": "1"}], "max_tries": 1},
        },
        {"id": "bye", "type": "hangup"},
    ]
    edges = [("start", "next", "q"), ("q", "no_answer", "again"), ("again", "1", "q"), ("again", "max_tries", "bye")]
    server = await start_server(source=_source("queue", nodes, edges))
    fake = await call(server, "queue", CallerScript(keys=["1"], far_end=["no_answer", "answered"]))
    await server.stop()
    (record,) = records.records
    assert [(step["node"], step["exit"]) for step in record.trace["steps"]] == [
        ("start", "next"),
        ("q", "no_answer"),
        ("again", "1"),
        ("q", "answered"),
    ]
    assert record.outcome == "transferred"
    assert [w[:2] for w in _words(fake.commands)].count(["EXEC", "Queue"]) == 2


# -- 2. the caller ID a transfer showed -----------------------------------------------------------------------------


async def test_a_transfer_that_sets_no_caller_id_shows_the_callers_own() -> None:
    """Review, 2026-12 (/tmp/sim/s5): after an external transfer showing the hotline's number and name got no
    answer, the transfer to the agent showed them too, and the agent never saw the customer's number."""
    async with agi_session(CallerScript(far_end=["no_answer", "answered"])) as (connection, fake):
        channel = AgiChannel(connection)
        await channel.transfer("+34910000000", timeout=20, caller_id=HOTLINE[1], caller_name=HOTLINE[0])
        await channel.transfer("PJSIP/201", timeout=20)
    assert fake.call.shown_caller_ids == [HOTLINE, CALLER]
    assert (fake.caller_name, fake.caller_number) == CALLER
    assert _words(fake.call.commands)[:8] == [
        ["GET", "VARIABLE", "CALLERID(num)"],
        ["SET", "VARIABLE", "CALLERID(num)", HOTLINE[1]],
        ["GET", "VARIABLE", "CALLERID(name)"],
        ["SET", "VARIABLE", "CALLERID(name)", HOTLINE[0]],
        ["EXEC", "Dial", "Local/+34910000000@ivrgraph-dial,20"],
        ["GET", "VARIABLE", "DIALSTATUS"],
        ["SET", "VARIABLE", "CALLERID(num)", CALLER[1]],
        ["SET", "VARIABLE", "CALLERID(name)", CALLER[0]],
    ]


async def test_the_callers_own_id_goes_back_through_the_quoting() -> None:
    """A caller's name is theirs to choose (a trunk passes it on): put back as one escaped value, as it came."""
    name = 'O\'Brien "Bob" \\ ${EVIL} é'
    env = default_env(calleridname=name)
    async with agi_session(CallerScript(far_end=["busy", "answered"]), env=env) as (connection, fake):
        channel = AgiChannel(connection)
        await channel.transfer("queue:sales", timeout=20, caller_name=HOTLINE[0])
        await channel.transfer("queue:sales", timeout=20)
    assert fake.call.shown_caller_ids == [(HOTLINE[0], CALLER[1]), (name, CALLER[1])]
    assert ["SET", "VARIABLE", "CALLERID(name)", name] in _words(fake.call.commands)
    assert all(answer.startswith(b"200 ") for answer in fake.call.responses)


async def test_a_caller_id_already_shown_is_neither_set_nor_put_back() -> None:
    async with agi_session(CallerScript(far_end=["busy"])) as (connection, fake):
        await AgiChannel(connection).transfer("PJSIP/100", timeout=20, caller_id=CALLER[1])
    assert _words(fake.call.commands) == [
        ["GET", "VARIABLE", "CALLERID(num)"],
        ["EXEC", "Dial", "PJSIP/100,20"],
        ["GET", "VARIABLE", "DIALSTATUS"],
    ]


async def test_put_back_after_the_caller_hung_up_while_it_rang() -> None:
    """Dead-channel mode: SET VARIABLE still runs after a hangup (README 3c); the transfer is still the caller's
    hangup, and the walk's bookkeeping blocks can still read and set variables."""
    async with agi_session(CallerScript(far_end=["cancel"])) as (connection, fake):
        channel = AgiChannel(connection)
        with pytest.raises(CallerHangup):
            await channel.transfer("PJSIP/100", timeout=20, caller_id=HOTLINE[1], caller_name=HOTLINE[0])
        assert channel.hangup_during == "transfer"
        await channel.set_variable("AFTER", "yes")
        assert await channel.get_variable("AFTER") == "yes"
    assert fake.call.dead_commands[-4:-2] == [
        'SET VARIABLE "CALLERID(num)" "5551234"',
        'SET VARIABLE "CALLERID(name)" "Probe Test"',
    ]
    assert not any(answer.startswith(b"511") for answer in fake.call.responses)
    assert (fake.caller_name, fake.caller_number) == CALLER


async def test_no_put_back_when_asterisk_closed_the_session_at_the_hangup() -> None:
    """AGIEXITONHANGUP=yes (hangupexit.txt): the socket is gone with the hangup; nothing more is sent, and the
    transfer still ends as the caller's hangup, not as a lost session's error."""
    script = CallerScript(far_end=["answered"], talk_seconds=5, hangup_after=0.3)
    async with agi_session(script, exit_on_hangup=True) as (connection, fake):
        channel = AgiChannel(connection)
        try:
            result = await channel.transfer("PJSIP/100", timeout=20, caller_id=HOTLINE[1])
        except CallerHangup:
            pass
        else:
            assert result.caller_gone
        assert channel.hangup_during == "transfer"
    assert not any(line.startswith('SET VARIABLE "CALLERID(num)" "5551234"') for line in fake.call.commands)


async def test_the_agent_sees_the_customer_after_the_hotline_got_no_answer_over_fastagi(
    start_server: StartServer, records: MemoryRecords
) -> None:
    """The reviewer's scenario end to end: an external transfer showing the hotline, no answer, then the agent."""
    nodes: list[dict[str, Any]] = [
        {"id": "start", "type": "start"},
        {
            "id": "ext",
            "type": "transfer",
            "config": {"target": "+34910000000", "timeout": 20, "caller_id": HOTLINE[1], "caller_name": HOTLINE[0]},
        },
        {"id": "agent", "type": "transfer", "config": {"target": "PJSIP/201", "timeout": 20}},
    ]
    server = await start_server(source=_source("cid", nodes, [("start", "next", "ext"), ("ext", "no_answer", "agent")]))
    fake = await call(server, "cid", CallerScript(far_end=["no_answer", "answered"]))
    await server.stop()
    assert fake.shown_caller_ids == [HOTLINE, CALLER]
    (record,) = records.records
    assert [(step["node"], step["exit"]) for step in record.trace["steps"]][1:] == [
        ("ext", "no_answer"),
        ("agent", "answered"),
    ]
