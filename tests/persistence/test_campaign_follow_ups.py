"""A callback a campaign's call schedules (the client pressed 2 and no operator was free: "we'll call you later")
is the campaign's: stopping the list stops it, and the report shows the client where they stand, once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from graph_engine.document import Scenario, parse_document
from graph_engine.interpreter import run_call
from graph_engine.registry import BlockRegistry
from graph_engine.scripted import ScriptedChannel
from graph_engine.services import CallbackRequest, FixedClock, Services
from graph_engine.trace import CallResult
from persistence import call_lists, callbacks, calls, campaign_reports, campaign_stop
from persistence.db import Database
from persistence.models import CallbackJob
from tests.conftest import EXAMPLES
from tests.persistence.published import publish

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday, 11:00 in Madrid
OPERATOR, PAY = "2", "1"  # debt-reminder's menu


@pytest.fixture
def database(database: Database) -> Database:
    """The conftest's database, with these tests' callback scenarios published: callbacks ring only into those."""
    publish(database, "debt-reminder")
    return database


def _debt_reminder() -> Scenario:
    return parse_document(json.loads((EXAMPLES / "debt-reminder.json").read_text()))


def _campaign(database: Database, *phones: str) -> tuple[str, list[str]]:
    campaign = call_lists.Campaign(due=NOW)
    rows = [{"phone": phone, "name": f"client {n}", "debt_amount": "120"} for n, phone in enumerate(phones, 1)]
    planned = call_lists.plan_jobs(rows, number_column="phone", declared={"debt_amount": "number"}, campaign=campaign)
    with database.session() as session:
        return call_lists.schedule(session, scenario="debt-reminder", jobs=planned, campaign=campaign)


async def _answered_call(
    database: Database, registry: BlockRegistry, job_id: str, *, at: datetime, keys: list[str], call_id: str
) -> CallResult:
    """The dialer rang the job's client, who answered: FastAGI marks the job reached and runs its scenario on the
    job's variables (agi_server.callback_arrivals.callback_resolver); the queue is busy. The call's record is
    written."""
    with database.session() as session:
        job = callbacks.mark_reached(session, job_id=job_id, at=at, scenario="debt-reminder")
        assert job is not None
        trusted = {"callback_job_id": job_id, "origin_call_id": job.origin_call_id or "", "callback_number": job.number}
        inputs: dict[str, Any] = {**job.variables, **trusted}
    clock = FixedClock(at)
    services = Services(clock=clock, scheduler=callbacks.DatabaseCallbackScheduler(database, now=clock.now))
    channel = ScriptedChannel(keys, transfers=["busy"], clock=clock)
    result = await run_call(_debt_reminder(), channel, registry, services, call_id=call_id, inputs=inputs)
    with database.session() as session:
        record = calls.CallRecordIn.from_result(result, started_at=at, ended_at=at + timedelta(minutes=1),
                                                callback_job_id=job_id)  # fmt: skip
        calls.write_batch(session, records=[record])
    return result


def _claim(database: Database, at: datetime) -> list[CallbackJob]:
    with database.session() as session:
        return callbacks.claim_due_jobs(session, now=at, limit=10, node_id="n1")


async def test_a_stopped_campaign_does_not_ring_the_client_its_call_promised_a_callback(
    database: Database, registry: BlockRegistry
) -> None:
    campaign_id, (job_id,) = _campaign(database, "600111222")
    assert [job.id for job in _claim(database, NOW)] == [job_id]
    result = await _answered_call(database, registry, job_id, at=NOW, keys=[OPERATOR], call_id="call-1")
    assert result.variables["result"] == "operator_unavailable" and "later" in result.path
    follow_up = str(result.variables["callback_job_id"])
    with database.session() as session:
        job = callbacks.get_job(session, job_id=follow_up)
        assert (job.campaign_id, job.campaign_row, job.status) == (campaign_id, 1, "pending")
        assert campaign_stop.cancel(session, campaign_id=campaign_id, now=NOW + timedelta(minutes=10)) == 1
    assert _claim(database, NOW + timedelta(hours=2)) == []
    with database.session() as session:
        assert callbacks.get_job(session, job_id=follow_up).status == "cancelled"


async def test_the_report_counts_the_client_once_where_they_stand_and_reads_the_follow_ups_answer(
    database: Database, registry: BlockRegistry
) -> None:
    campaign_id, (first, other) = _campaign(database, "600111222", "600111333")
    _claim(database, NOW)
    promised = await _answered_call(database, registry, first, at=NOW, keys=[OPERATOR], call_id="call-1")
    with database.session() as session:  # the other client never answers
        callbacks.record_attempt(session, job_id=other, outcome="no_answer", at=NOW, final=True)
    with database.session() as session:
        summary = campaign_reports.campaign_summary(session, campaign_id=campaign_id)
        (listed,) = campaign_reports.campaigns(session)
        clients = list(campaign_reports.campaign_clients(session, campaign_id=campaign_id))
    follow_up_due = datetime.fromisoformat(str(promised.variables["callback_due"]))  # an hour after the press
    # The first client waits for the promised callback: pending, not done and pending.
    for counted in (summary, listed):
        assert (counted.jobs, counted.statuses, counted.next_due) == (2, {"pending": 1, "failed": 1}, follow_up_due)
    assert summary.results == {"operator_unavailable": 1}
    assert [(c.job.campaign_row, c.job.status, c.listed.id) for c in clients] == [(1, "pending", first),
                                                                                    (2, "failed", other)]  # fmt: skip
    (follow_up,) = _claim(database, follow_up_due)
    assert (follow_up.number, follow_up.variables["contact"]["name"]) == ("600111222", "client 1")
    await _answered_call(database, registry, follow_up.id, at=follow_up_due, keys=[PAY], call_id="call-2")
    with database.session() as session:
        summary = campaign_reports.campaign_summary(session, campaign_id=campaign_id)
        (listed,) = campaign_reports.campaigns(session)
        (client, _) = campaign_reports.campaign_clients(session, campaign_id=campaign_id)
    for counted in (summary, listed):
        assert (counted.jobs, counted.statuses, counted.next_due) == (2, {"done": 1, "failed": 1}, None)
    assert summary.results == {"will_pay": 1}  # the follow-up call's answer, not the first call's
    assert client.call is not None and (client.call.id, client.job.id) == ("call-2", follow_up.id)


async def test_a_follow_up_of_a_follow_up_stays_in_the_campaign(database: Database, registry: BlockRegistry) -> None:
    campaign_id, (job_id,) = _campaign(database, "600111222")
    _claim(database, NOW)
    first = await _answered_call(database, registry, job_id, at=NOW, keys=[OPERATOR], call_id="call-1")
    later = datetime.fromisoformat(str(first.variables["callback_due"]))
    (follow_up,) = _claim(database, later)
    assert follow_up.id == first.variables["callback_job_id"]
    second = await _answered_call(database, registry, follow_up.id, at=later, keys=[OPERATOR], call_id="call-2")
    with database.session() as session:
        again = callbacks.get_job(session, job_id=str(second.variables["callback_job_id"]))
        assert (again.campaign_id, again.campaign_row, again.status) == (campaign_id, 1, "pending")
        assert campaign_reports.campaign_summary(session, campaign_id=campaign_id).statuses == {"pending": 1}


async def test_a_callback_promised_after_the_stop_is_never_dialled(database: Database) -> None:
    """The analyst stopped the list while the client was on the line; the client then pressed 2."""
    campaign_id, (job_id,) = _campaign(database, "600111222")
    _claim(database, NOW)
    with database.session() as session:
        callbacks.mark_reached(session, job_id=job_id, at=NOW)
        campaign_stop.cancel(session, campaign_id=campaign_id, now=NOW)
    scheduler = callbacks.DatabaseCallbackScheduler(database, now=lambda: NOW)
    receipt = await scheduler.schedule(_request(origin_job_id=job_id))
    with database.session() as session:
        job = callbacks.get_job(session, job_id=receipt.job_id)
        assert (job.campaign_id, job.status) == (campaign_id, "cancelled")


async def test_a_callback_outside_any_campaign_stays_outside(database: Database) -> None:
    """A missed call's callback, and one whose call names a job nobody knows (a dialplan's made-up input)."""
    scheduler = callbacks.DatabaseCallbackScheduler(database, now=lambda: NOW)
    plain = await scheduler.schedule(_request())
    unknown = await scheduler.schedule(_request(number="+34600999000", origin_job_id="no-such-job"))
    with database.session() as session:
        for receipt in (plain, unknown):
            job = callbacks.get_job(session, job_id=receipt.job_id)
            assert (job.campaign_id, job.campaign_row, job.status) == (None, None, "pending")


def _request(*, number: str = "600111222", origin_job_id: str | None = None) -> CallbackRequest:
    return CallbackRequest(number=number, due=NOW + timedelta(hours=1), window_end=None, scenario="debt-reminder",
                           variables={}, origin_call_id="call-1", origin_job_id=origin_job_id)  # fmt: skip


async def test_a_follow_up_the_client_asked_for_comes_before_the_lists_backlog(database: Database) -> None:
    """A client of the list was promised a call back in five minutes; twelve clients of the list are
    still due and there are ten lines. The client who asked goes first, as a missed call's callback does: filed in
    the campaign (so a stop cancels it), it must not wait behind the list's backlog."""
    campaign_id, (first, *_rest) = _campaign(database, *(f"60011{n:04d}" for n in range(13)))
    assert first in {job.id for job in _claim(database, NOW)}
    with database.session() as session:
        callbacks.mark_reached(session, job_id=first, at=NOW)
    scheduler = callbacks.DatabaseCallbackScheduler(database, now=lambda: NOW)
    asked = await scheduler.schedule(
        CallbackRequest(
            number="600110000",
            due=NOW + timedelta(minutes=5),
            window_end=None,
            scenario="debt-reminder",
            variables={},
            origin_call_id="call-1",
            origin_job_id=first,
        )
    )
    with database.session() as session:
        for job in session.query(CallbackJob).filter(CallbackJob.status == "dialing"):
            job.status, job.locked_by, job.lock_until = "pending", None, None  # the morning's lines came back
        assert callbacks.get_job(session, job_id=asked.job_id).campaign_id == campaign_id

    claimed = _claim(database, NOW + timedelta(minutes=5))

    assert claimed[0].id == asked.job_id
