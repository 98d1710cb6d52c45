"""A campaign's client who hung up before the scenario was done with them (`campaign_reports.hung_up_early`) is
called again when the campaign asks for it (`retry_hung_up_early`): the reached job moves on as after a no-answer
attempt (persistence.callbacks.retry_hung_up_early), on the rules `settle_answer` follows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from persistence import call_lists, callbacks, campaign_stop
from persistence.db import Database
from tests.persistence.published import publish

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday
RETRY = timedelta(minutes=15)  # the no-answer interval


@pytest.fixture
def database(database: Database) -> Database:
    publish(database, "cb")
    return database


def _campaign_job(
    database: Database, *, retry: bool = True, max_attempts: int = 3, until: datetime | None = None
) -> tuple[str, str]:
    campaign = call_lists.Campaign(due=NOW, max_attempts=max_attempts, until=until, retry_hung_up_early=retry)
    planned = call_lists.plan_jobs([{"phone": "600111222"}], number_column="phone", declared={}, campaign=campaign)
    with database.session() as session:
        campaign_id, (job_id,) = call_lists.schedule(session, scenario="cb", jobs=planned, campaign=campaign)
    return campaign_id, job_id


def _reached(database: Database, job_id: str, *, at: datetime, call_id: str) -> None:
    """The dialer's claim and answered attempt, and the FastAGI call naming the job."""
    with database.session() as session:
        assert [job.id for job in callbacks.claim_due_jobs(session, now=at, limit=5, node_id="n1")] == [job_id]
    with database.session() as session:
        callbacks.record_attempt(session, job_id=job_id, outcome="answered", at=at, call_id=call_id, node_id="n1")
    with database.session() as session:
        assert callbacks.mark_reached(session, job_id=job_id, at=at, scenario="cb") is not None


def _retry(database: Database, job_id: str, at: datetime) -> str | None:
    with database.session() as session:
        job = callbacks.retry_hung_up_early(session, job_id=job_id, at=at, retry_after=RETRY)
        return None if job is None else job.status


def _job(database: Database, job_id: str) -> tuple[str, str | None, int, datetime, datetime | None]:
    with database.session() as session:
        job = callbacks.get_job(session, job_id=job_id)
        return job.status, job.outcome, job.attempts, job.due, job.reached_at


def _attempts(database: Database, job_id: str) -> list[tuple[str, str | None]]:
    with database.session() as session:
        return [(a.outcome, a.call_id) for a in callbacks.list_attempts(session, job_id=job_id)]


def test_a_client_who_hung_up_early_is_due_again_after_the_no_answer_interval(database: Database) -> None:
    _, job_id = _campaign_job(database)
    _reached(database, job_id, at=NOW, call_id="cb-1")
    hangup = NOW + timedelta(seconds=20)
    assert _retry(database, job_id, hangup) == "pending"
    # Asked again (a retry whose commit landed, another node's word on the same call): nothing moves twice.
    assert _retry(database, job_id, hangup + timedelta(seconds=5)) == "pending"
    assert _job(database, job_id) == ("pending", "hung_up_early", 1, hangup + RETRY, None)
    assert _attempts(database, job_id) == [("hung_up_early", "cb-1")]
    # The dialer's own settling of that answered attempt moves nothing either.
    with database.session() as session:
        assert callbacks.settle_answer(session, job_id=job_id, call_id="cb-1", at=hangup, retry_after=RETRY) is None
    assert _job(database, job_id)[:4] == ("pending", "hung_up_early", 1, hangup + RETRY)
    # Called again and reached: an answer no FastAGI call followed is settled as ever (reached_at was cleared).
    _reached(database, job_id, at=hangup + RETRY, call_id="cb-2")
    assert _job(database, job_id)[:3] == ("done", "answered", 2)


def test_without_the_option_the_job_stays_done(database: Database) -> None:
    _, job_id = _campaign_job(database, retry=False)
    _reached(database, job_id, at=NOW, call_id="cb-1")
    assert _retry(database, job_id, NOW) is None
    assert _job(database, job_id)[:3] == ("done", "answered", 1)
    assert _attempts(database, job_id) == [("answered", "cb-1")]


def test_a_job_outside_any_campaign_stays_done(database: Database) -> None:
    with database.session() as session:
        job_id = callbacks.create_job(session, number="600111223", scenario="cb", due=NOW).id
    _reached(database, job_id, at=NOW, call_id="cb-1")
    assert _retry(database, job_id, NOW) is None
    assert _job(database, job_id)[:2] == ("done", "answered")


def test_with_its_attempts_used_up_the_job_stays_done_and_says_hung_up_early(database: Database) -> None:
    _, job_id = _campaign_job(database, max_attempts=1)
    _reached(database, job_id, at=NOW, call_id="cb-1")
    assert _retry(database, job_id, NOW) == "done"
    assert _retry(database, job_id, NOW) == "done"
    status, outcome, attempts, _, reached_at = _job(database, job_id)
    assert (status, outcome, attempts, reached_at is not None) == ("done", "hung_up_early", 1, True)
    assert _attempts(database, job_id) == [("hung_up_early", "cb-1")]


def test_past_its_window_the_job_expires_keeping_hung_up_early(database: Database) -> None:
    _, job_id = _campaign_job(database, until=NOW + timedelta(minutes=5))
    _reached(database, job_id, at=NOW, call_id="cb-1")
    assert _retry(database, job_id, NOW) == "expired"
    assert _job(database, job_id)[:2] == ("expired", "hung_up_early")


def test_a_stopped_campaigns_client_is_cancelled(database: Database) -> None:
    campaign_id, job_id = _campaign_job(database)
    _reached(database, job_id, at=NOW, call_id="cb-1")
    with database.session() as session:
        campaign_stop.cancel(session, campaign_id=campaign_id, now=NOW)
    assert _retry(database, job_id, NOW) == "cancelled"
    assert _job(database, job_id)[:2] == ("cancelled", "hung_up_early")


def test_the_option_is_kept_in_the_campaigns_settings() -> None:
    assert call_lists.Campaign(due=NOW).settings()["retry_hung_up_early"] is False
    assert call_lists.Campaign(due=NOW, retry_hung_up_early=True).settings()["retry_hung_up_early"] is True


def test_the_dialers_report_of_the_answer_coming_after_the_move_is_that_attempt(database: Database) -> None:
    """CI, 2026-12-07 (a loaded machine): the FastAGI call ended, and the job was moved, before the dialer recorded
    its answered attempt. That late report is the attempt the client hung up on; the job stays as moved."""
    _, job_id = _campaign_job(database)
    with database.session() as session:
        assert [job.id for job in callbacks.claim_due_jobs(session, now=NOW, limit=5, node_id="n1")] == [job_id]
    with database.session() as session:
        assert callbacks.mark_reached(session, job_id=job_id, at=NOW, scenario="cb") is not None
    hangup = NOW + timedelta(seconds=5)
    assert _retry(database, job_id, hangup) == "pending"
    with database.session() as session:
        callbacks.record_attempt(session, job_id=job_id, outcome="answered", at=NOW, call_id="cb-1", node_id="n1")
    assert _job(database, job_id) == ("pending", "hung_up_early", 1, hangup + RETRY, None)
    assert _attempts(database, job_id) == [("hung_up_early", "cb-1")]
    with database.session() as session:
        assert callbacks.settle_answer(session, job_id=job_id, call_id="cb-1", at=hangup, retry_after=RETRY) is None
    assert _job(database, job_id)[:2] == ("pending", "hung_up_early")
