"""Dialling held for the whole database: no claim takes a job, a campaign's client or a callback, on SQLite and on
PostgreSQL (its SKIP LOCKED path), until an admin resumes it; the hold and the resume are audited.

Disaster-recovery drill: a restored database re-dialled, within seconds of its start, every client the lost machine
had called after the backup (persistence.dialling_hold)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from persistence import audit, call_lists, callbacks, dialling_hold
from persistence.db import Database
from tests.persistence.published import publish

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # a Monday
MORNINGS = [{"days": ["mon", "tue", "wed", "thu", "fri"], "from": "09:00", "to": "13:00"}]
SCENARIO = "debts"


@pytest.fixture
def database(database: Database) -> Database:
    publish(database, SCENARIO)
    return database


def _jobs(database: Database) -> tuple[str, str, str]:
    """A callback due now, a list's client due now, and a list's client whose hours closed at 13:00 (a claim
    moves it to its next opening, Tuesday 09:00)."""
    anytime = call_lists.Campaign(due=NOW)
    mornings = call_lists.Campaign(due=NOW.replace(hour=9), hours=MORNINGS, timezone="UTC")
    with database.session() as session:
        single = callbacks.create_job(session, number="+34600111333", scenario=SCENARIO, due=NOW - timedelta(minutes=5))
        ids = []
        for campaign, phone in ((anytime, "+34600111222"), (mornings, "+34600111444")):
            planned = call_lists.plan_jobs([{"phone": phone}], number_column="phone", declared={}, campaign=campaign)
            ids += call_lists.schedule(session, scenario=SCENARIO, jobs=planned, campaign=campaign)[1]
        return single.id, ids[0], ids[1]


def _claim(database: Database, node: str = "node-a") -> tuple[list[str], dialling_hold.Hold | None]:
    """The ids of the jobs a claim took, and the hold it met."""
    with database.session() as session:
        claimed = callbacks.claim_due_jobs(session, now=NOW, limit=10, node_id=node)
        return [job.id for job in claimed], claimed.held


def _states(database: Database, *job_ids: str) -> list[tuple[str, datetime]]:
    with database.session() as session:
        return [(job.status, job.due) for job in (callbacks.get_job(session, job_id=job_id) for job_id in job_ids)]


def test_a_held_database_gives_no_node_a_job_and_moves_none_until_an_admin_resumes_it(database: Database) -> None:
    single, client, closed = _jobs(database)
    before = _states(database, single, client, closed)
    with database.session() as session:
        held, made = dialling_hold.hold(session, by="ana", now=NOW - timedelta(minutes=1))
    assert made and (held.held_by, held.reason, held.held_at) == ("ana", "admin", NOW - timedelta(minutes=1))

    for node in ("node-a", "node-b"):  # every node sharing the database, at each pass
        assert _claim(database, node) == ([], held)
    # As the restore left them: the admin matches them against Asterisk's CDR before anything moves.
    assert _states(database, single, client, closed) == before

    with database.session() as session:
        lifted = dialling_hold.resume(session, by="ana")
    assert lifted == held
    taken, met = _claim(database)
    assert met is None and sorted(taken) == sorted([single, client])
    assert _states(database, closed)[0][0] == "pending"  # moved to its next opening, as any claim does


def test_hold_and_resume_are_audited_once_each_and_a_second_one_changes_nothing(database: Database) -> None:
    with database.session() as session:
        first, made = dialling_hold.hold(session, by="ana", now=NOW)
    with database.session() as session:
        again, made_again = dialling_hold.hold(session, by="bea", now=NOW + timedelta(minutes=5))
        assert dialling_hold.current(session) == first
    assert made and not made_again and again == first  # the first hold's time, name and reason stay
    with database.session() as session:
        assert dialling_hold.resume(session, by="bea", now=NOW + timedelta(minutes=9)) == first
    with database.session() as session:
        assert dialling_hold.resume(session, by="bea") is None
        assert dialling_hold.current(session) is None
        events = [
            (event.actor, event.action, event.target, event.details)
            for event in reversed(audit.list_events(session, target=dialling_hold.TARGET))
        ]
    assert events == [
        ("ana", "hold_dialling", "dialling", {"reason": "admin"}),
        ("bea", "resume_dialling", "dialling", {"held_at": NOW.isoformat(), "held_by": "ana", "reason": "admin"}),
    ]


def test_a_hold_committed_by_another_session_stops_the_next_claim(database: Database) -> None:
    """Two nodes: one holds (an admin's request on the API's node), the other's next claim sees it."""
    single, client, _closed = _jobs(database)
    other = Database(database.engine.url.render_as_string(hide_password=False))
    try:
        with other.session() as session:
            dialling_hold.hold(session, by="ana")
        assert _claim(database)[0] == []
        with other.session() as session:
            dialling_hold.resume(session, by="ana")
        assert sorted(_claim(database)[0]) == sorted([single, client])
    finally:
        other.dispose()
