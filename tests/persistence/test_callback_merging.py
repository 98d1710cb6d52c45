"""A client who gave up waiting several times is called back once: the Callback block's requests for a number and
scenario whose callback still waits join that one job, and a callback that reaches the client closes the others."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from graph_engine.document import parse_document
from graph_engine.interpreter import run_call
from graph_engine.registry import BlockRegistry
from graph_engine.scripted import ScriptedChannel
from graph_engine.services import CallbackReceipt, CallbackRequest, FixedClock, Services
from graph_engine.story import tell
from persistence import call_lists, callbacks
from persistence.db import Database
from tests.conftest import EXAMPLES
from tests.persistence import pg
from tests.persistence.published import publish

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday, 11:00 in Madrid
CLIENT = "+34600111222"


@pytest.fixture
def database(database: Database) -> Database:
    """The conftest's database, with these tests' callback scenarios published: callbacks ring only into those."""
    publish(database, "callback-connect", "sales")
    return database


def _request(
    *,
    due: datetime,
    number: str = CLIENT,
    scenario: str = "callback-connect",
    variables: dict[str, Any] | None = None,
    call_id: str = "c1",
    window_end: datetime | None = None,
) -> CallbackRequest:
    return CallbackRequest(number=number, due=due, window_end=window_end, scenario=scenario,
                           variables=variables or {}, origin_call_id=call_id)  # fmt: skip


def _scheduler(database: Database, at: datetime, *, max_attempts: int = 3) -> callbacks.DatabaseCallbackScheduler:
    return callbacks.DatabaseCallbackScheduler(database, max_attempts=max_attempts, now=lambda: at)


def _waiting(database: Database) -> list[tuple[str, str, datetime, dict[str, Any]]]:
    with database.session() as session:
        return [
            (job.number, job.scenario, job.due, job.variables) for job in callbacks.list_jobs(session, status="pending")
        ]


async def test_three_abandoned_calls_leave_one_callback_the_earliest_with_the_newest_variables(
    database: Database,
) -> None:
    receipts: list[CallbackReceipt] = []
    for n, reason in enumerate(["queue_full", "caller_hangup", "caller_hangup"]):
        at = T0 + timedelta(minutes=3 * n)
        request = _request(due=at + timedelta(minutes=10), variables={"missed_reason": reason, f"call_{n}": n},
                           call_id=f"c{n}")  # fmt: skip
        receipts.append(await _scheduler(database, at).schedule(request))
    assert [r.merged for r in receipts] == [False, True, True]
    assert len({r.job_id for r in receipts}) == 1
    newest = {"missed_reason": "caller_hangup", "call_0": 0, "call_1": 1, "call_2": 2}
    assert _waiting(database) == [(CLIENT, "callback-connect", T0 + timedelta(minutes=10), newest)]
    with database.session() as session:  # the job still names the call that first asked
        assert callbacks.get_job(session, job_id=receipts[0].job_id).origin_call_id == "c0"


async def test_the_same_phone_written_with_00_or_plus_is_one_client(database: Database) -> None:
    """Two trunks write the caller's number differently (0034... and +34...): still one client, called back once."""
    first = await _scheduler(database, T0).schedule(_request(due=T0 + timedelta(minutes=10)))
    again = await _scheduler(database, T0).schedule(
        _request(due=T0 + timedelta(minutes=12), number="0034600111222", call_id="c2")
    )
    assert (again.merged, again.job_id) == (True, first.job_id)
    assert [number for number, *_ in _waiting(database)] == [CLIENT]  # dialled as first written


async def test_a_later_request_due_sooner_brings_the_callback_forward_with_its_window(database: Database) -> None:
    tomorrow = T0 + timedelta(days=1)
    first = await _scheduler(database, T0).schedule(_request(due=tomorrow, window_end=tomorrow + timedelta(hours=8)))
    sooner = _request(due=T0 + timedelta(minutes=5), window_end=T0 + timedelta(hours=10))
    second = await _scheduler(database, T0).schedule(sooner)
    assert second.job_id == first.job_id
    with database.session() as session:
        job = callbacks.get_job(session, job_id=first.job_id)
        assert (job.due, job.window_end) == (T0 + timedelta(minutes=5), T0 + timedelta(hours=10))


async def test_a_waiting_callback_whose_window_closed_takes_the_new_requests_time(database: Database) -> None:
    """The dialer was down while the first callback's hours ran out: the client's new call sets when they are
    rung, not the promise nobody could keep."""
    evening = T0.replace(hour=19, minute=50)
    first = await _scheduler(database, evening).schedule(_request(due=evening, window_end=T0.replace(hour=20)))
    morning = T0 + timedelta(days=1)
    await _scheduler(database, morning).schedule(_request(due=morning, window_end=morning + timedelta(hours=10)))
    with database.session() as session:
        job = callbacks.get_job(session, job_id=first.job_id)
        assert (job.status, job.due, job.window_end) == ("pending", morning, morning + timedelta(hours=10))


async def test_a_waiting_retry_gets_the_tries_a_new_request_would(database: Database) -> None:
    first = await _scheduler(database, T0, max_attempts=2).schedule(_request(due=T0))
    with database.session() as session:
        callbacks.claim_due_jobs(session, now=T0, limit=1, node_id="n1")
        callbacks.record_attempt(session, job_id=first.job_id, outcome="busy", at=T0, node_id="n1")
    again = await _scheduler(database, T0, max_attempts=2).schedule(_request(due=T0 + timedelta(minutes=10)))
    assert again == CallbackReceipt(job_id=first.job_id, merged=True)
    with database.session() as session:
        job = callbacks.get_job(session, job_id=first.job_id)
        assert (job.status, job.attempts, job.max_attempts) == ("pending", 1, 3)


@pytest.mark.parametrize("other", [{"number": "+34600999000"}, {"scenario": "sales"}], ids=["number", "scenario"])
async def test_other_clients_and_other_scenarios_get_their_own_callbacks(
    database: Database, other: dict[str, Any]
) -> None:
    first = await _scheduler(database, T0).schedule(_request(due=T0 + timedelta(minutes=10)))
    second = await _scheduler(database, T0).schedule(_request(due=T0 + timedelta(minutes=10), **other))
    assert (second.merged, second.job_id != first.job_id, len(_waiting(database))) == (False, True, 2)


async def test_a_callback_being_dialled_or_not_the_blocks_own_is_not_joined(database: Database) -> None:
    """One being dialled now may go unanswered or already be over; an integration's job and a list's client are
    theirs (their own variables, their own report)."""
    scheduler = _scheduler(database, T0)
    dialling = await scheduler.schedule(_request(due=T0))
    with database.session() as session:
        callbacks.claim_due_jobs(session, now=T0, limit=1, node_id="n1")
        callbacks.create_job(session, number="+34600999000", scenario="callback-connect", due=T0)  # the API's
    campaign = call_lists.Campaign(due=T0 + timedelta(days=1))
    planned = call_lists.plan_jobs([{"phone": "600555444"}], number_column="phone", declared={}, campaign=campaign)
    with database.session() as session:
        call_lists.schedule(session, scenario="callback-connect", jobs=planned, campaign=campaign)
    receipts = [
        await scheduler.schedule(_request(due=T0 + timedelta(minutes=10), number=number))
        for number in (CLIENT, "+34600999000", "600555444")
    ]
    assert [r.merged for r in receipts] == [False, False, False]
    assert dialling.job_id not in {r.job_id for r in receipts}


async def test_the_client_reached_is_not_called_again_by_the_callbacks_still_waiting(database: Database) -> None:
    """The first callback was already ringing when the client called again and gave up once more: that call's
    callback could not join it. Once the first one reaches the client, the other is closed, not dialled."""
    scheduler = _scheduler(database, T0)
    ringing = await scheduler.schedule(_request(due=T0))
    with database.session() as session:
        callbacks.claim_due_jobs(session, now=T0, limit=1, node_id="n1")
    waiting = await scheduler.schedule(_request(due=T0 + timedelta(minutes=10)))
    other_scenario = await scheduler.schedule(_request(due=T0 + timedelta(minutes=10), scenario="sales"))
    with database.session() as session:
        assert callbacks.mark_reached(session, job_id=ringing.job_id, at=T0, scenario="callback-connect") is not None
    # During the callback the client is told the operators are busy again: a callback asked for after the reach.
    after = await scheduler.schedule(_request(due=T0 + timedelta(minutes=30), call_id="callback-call"))
    with database.session() as session:
        closed = callbacks.get_job(session, job_id=waiting.job_id)
        assert (closed.status, closed.outcome, closed.attempts) == ("cancelled", callbacks.ALREADY_REACHED, 0)
        assert callbacks.get_job(session, job_id=other_scenario.job_id).status == "pending"
        assert callbacks.get_job(session, job_id=after.job_id).status == "pending"
        assert not after.merged
        # The dialer's late report of the answer closes nothing more.
        callbacks.record_attempt(session, job_id=ringing.job_id, outcome="answered", at=T0, node_id="n1")
        assert callbacks.get_job(session, job_id=after.job_id).status == "pending"


async def test_the_missed_call_example_calls_a_client_who_gave_up_three_times_back_once(
    database: Database, registry: BlockRegistry
) -> None:
    scenario = parse_document(json.loads((EXAMPLES / "missed-call.json").read_text()))
    stories: list[str] = []
    for n in range(3):  # each call hangs up in the queue
        clock = FixedClock(T0 + timedelta(minutes=3 * n))
        services = Services(clock=clock, scheduler=callbacks.DatabaseCallbackScheduler(database, now=clock.now))
        result = await run_call(scenario, ScriptedChannel([], clock=clock, hangup_at=2), registry, services,
                                call_id=f"c{n}", facts={"caller_id": CLIENT})  # fmt: skip
        (event,) = [e for step in result.steps for e in step.events if e.get("kind") == "callback_scheduled"]
        assert event.get("merged", False) is (n > 0)
        stories.append("\n".join(tell(result, scenario, registry)))
    assert "joined the callback already waiting" not in stories[0]
    assert all("joined the callback already waiting" in story for story in stories[1:])
    rung, now = 0, T0 + timedelta(minutes=20)
    for _ in range(6):  # the dialer's passes over the next hour and a half; the client answers the first ring
        with database.session() as session:
            jobs = callbacks.claim_due_jobs(session, now=now, limit=10, node_id="n1")
        for job in jobs:
            rung += 1
            with database.session() as session:
                callbacks.mark_reached(session, job_id=job.id, at=now, scenario=job.scenario)
                callbacks.record_attempt(session, job_id=job.id, outcome="answered", at=now, node_id="n1")
        now += timedelta(minutes=15)
    assert rung == 1


@pytest.mark.postgres
def test_two_nodes_scheduling_for_one_client_at_once_make_one_job(postgres_url: str) -> None:
    """Two calls from one number (a company's switchboard number) given up at the same moment on two nodes."""
    import asyncio

    database = Database(postgres_url)
    try:
        publish(database, "callback-connect")
        barrier = threading.Barrier(8)
        receipts: list[CallbackReceipt] = []

        def schedule(n: int) -> None:
            barrier.wait()
            request = _request(due=T0 + timedelta(minutes=n), call_id=f"c{n}")
            receipts.append(asyncio.run(_scheduler(database, T0).schedule(request)))

        threads = [threading.Thread(target=schedule, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert len(receipts) == 8 and len({r.job_id for r in receipts}) == 1
        assert sorted(r.merged for r in receipts) == [False] + [True] * 7
        assert [due for _, _, due, _ in _waiting(database)] == [T0]
    finally:
        pg.empty_tables(database)
        database.dispose()
