"""An answered attempt no FastAGI call named before the hangup is a failed attempt, retried on the job's rules.

SRE review: a node cut off from the database took the callees' FastAGI calls and could not load their jobs; the
dialing node then closed each job `unreached` for good (12 of 30). The dialer cannot tell that node from a
dialplan that never runs AGI() (persistence.callbacks.settle_answer), so the attempt is retried as a failed one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from persistence import call_lists, callbacks, campaign_stop
from persistence.db import Database
from tests.persistence.published import publish

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday
RETRY = timedelta(minutes=10)


@pytest.fixture
def database(database: Database) -> Database:
    publish(database, "cb")  # callbacks ring only into a published scenario
    return database


def _answered(database: Database, job_id: str, *, at: datetime, call_id: str) -> None:
    """The dialer's claim and its answered attempt, as the dialer records them (the job is done from then on)."""
    with database.session() as session:
        assert [job.id for job in callbacks.claim_due_jobs(session, now=at, limit=5, node_id="n1")] == [job_id]
    with database.session() as session:
        job = callbacks.record_attempt(session, job_id=job_id, outcome="answered", at=at, call_id=call_id, node_id="n1")
        assert job.status == "done"


def _settle(database: Database, job_id: str, call_id: str, at: datetime) -> str | None:
    with database.session() as session:
        job = callbacks.settle_answer(session, job_id=job_id, call_id=call_id, at=at, retry_after=RETRY)
        return None if job is None else job.status


def _attempts(database: Database, job_id: str) -> list[tuple[str, str | None]]:
    with database.session() as session:
        return [(a.outcome, a.call_id) for a in callbacks.list_attempts(session, job_id=job_id)]


def test_an_unreached_answer_is_dialled_again_until_the_attempts_run_out(database: Database) -> None:
    with database.session() as session:
        job_id = callbacks.create_job(session, number="600111222", scenario="cb", due=NOW, max_attempts=2).id
    _answered(database, job_id, at=NOW, call_id="cb-1")
    hangup = NOW + timedelta(minutes=1)
    assert _settle(database, job_id, "cb-1", hangup) == "pending"
    # Asked again (the dialer's try whose commit landed but whose answer was lost): the same, nothing moved twice.
    assert _settle(database, job_id, "cb-1", hangup) == "pending"
    with database.session() as session:
        job = callbacks.get_job(session, job_id=job_id)
        assert (job.status, job.outcome, job.attempts, job.due) == ("pending", "unreached", 1, hangup + RETRY)
    _answered(database, job_id, at=hangup + RETRY, call_id="cb-2")
    assert _settle(database, job_id, "cb-2", hangup + RETRY) == "failed"
    assert _settle(database, job_id, "cb-2", hangup + RETRY) == "failed"
    with database.session() as session:
        job = callbacks.get_job(session, job_id=job_id)
        assert (job.status, job.outcome, job.attempts) == ("failed", "unreached", 2)
    assert _attempts(database, job_id) == [("unreached", "cb-1"), ("unreached", "cb-2")]


def test_a_reached_answer_stands(database: Database) -> None:
    with database.session() as session:
        job_id = callbacks.create_job(session, number="600111223", scenario="cb", due=NOW).id
    _answered(database, job_id, at=NOW, call_id="cb-1")
    with database.session() as session:
        assert callbacks.mark_reached(session, job_id=job_id, at=NOW, scenario="cb") is not None
    assert _settle(database, job_id, "cb-1", NOW) is None
    with database.session() as session:
        job = callbacks.get_job(session, job_id=job_id)
        assert (job.status, job.outcome) == ("done", "answered")
    assert _attempts(database, job_id) == [("answered", "cb-1")]


def test_a_retry_past_the_window_waits_for_its_next_opening(database: Database) -> None:
    """Hours on Mondays 09:00-10:30 UTC: an unreached answer at 10:25 is retried next Monday at 09:00, not at
    10:35, outside the hours."""
    window = {"hours": [{"days": ["mon"], "from": "09:00", "to": "10:30"}], "timezone": "UTC", "holidays": []}
    at = datetime(2026, 3, 2, 10, 25, tzinfo=UTC)
    with database.session() as session:
        job_id = callbacks.create_job(
            session, number="600111224", scenario="cb", due=at, window_end=at.replace(minute=30), window=window
        ).id
    _answered(database, job_id, at=at, call_id="cb-1")
    assert _settle(database, job_id, "cb-1", at) == "pending"
    with database.session() as session:
        job = callbacks.get_job(session, job_id=job_id)
        assert (job.due, job.outcome) == (datetime(2026, 3, 9, 9, 0, tzinfo=UTC), "unreached")


def test_a_stopped_lists_client_is_not_dialled_again(database: Database) -> None:
    campaign = call_lists.Campaign(due=NOW)
    planned = call_lists.plan_jobs([{"phone": "600000015"}], number_column="phone", declared={}, campaign=campaign)
    with database.session() as session:
        campaign_id, (job_id,) = call_lists.schedule(session, scenario="cb", jobs=planned, campaign=campaign)
    _answered(database, job_id, at=NOW, call_id="cb-1")
    with database.session() as session:
        campaign_stop.cancel(session, campaign_id=campaign_id, now=NOW)
    assert _settle(database, job_id, "cb-1", NOW) == "cancelled"
    with database.session() as session:
        assert callbacks.get_job(session, job_id=job_id).outcome == "unreached"
