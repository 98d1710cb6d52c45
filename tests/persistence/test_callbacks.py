from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from graph_engine.services import CallbackRequest
from persistence import call_lists, callbacks, campaign_reports, campaign_stop
from persistence.db import Database
from tests.persistence import pg
from tests.persistence.published import publish

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


_numbers = itertools.count(600111222)


@pytest.fixture
def database(database: Database) -> Database:
    """The conftest's database, with these tests' callback scenarios published: callbacks ring only into those."""
    publish(database, "cb")
    return database


def _job(
    database: Database,
    *,
    due: datetime = NOW,
    window_end: datetime | None = None,
    max_attempts: int = 3,
    number: str | None = None,
) -> str:
    """A job for a client of its own (a number is never rung twice at once), unless `number` says whose."""
    with database.session() as session:
        job = callbacks.create_job(
            session,
            number=number or f"+34{next(_numbers)}",
            scenario="cb",
            due=due,
            window_end=window_end,
            max_attempts=max_attempts,
        )
        return job.id


def test_only_due_jobs_are_claimed_and_a_claimed_job_is_not_claimed_again(database: Database) -> None:
    due, later = _job(database), _job(database, due=NOW + timedelta(hours=1))
    with database.session() as session:
        claimed = callbacks.claim_due_jobs(session, now=NOW, limit=10, node_id="n1")
        assert [(j.id, j.status, j.locked_by) for j in claimed] == [(due, "dialing", "n1")]
    with database.session() as session:
        assert callbacks.claim_due_jobs(session, now=NOW, limit=10, node_id="n2") == []
        assert callbacks.get_job(session, job_id=later).status == "pending"


def test_a_job_whose_node_died_is_claimed_again_after_the_lease(database: Database) -> None:
    job_id = _job(database)
    with database.session() as session:
        callbacks.claim_due_jobs(session, now=NOW, limit=1, node_id="dead", lease=timedelta(minutes=1))
    with database.session() as session:
        again = callbacks.claim_due_jobs(session, now=NOW + timedelta(minutes=2), limit=1, node_id="alive")
    assert [(j.id, j.locked_by) for j in again] == [(job_id, "alive")]


def test_jobs_past_their_window_expire_instead_of_dialing(database: Database) -> None:
    job_id = _job(database, window_end=NOW - timedelta(minutes=1))
    with database.session() as session:
        assert callbacks.claim_due_jobs(session, now=NOW, limit=5, node_id="n1") == []
        assert callbacks.get_job(session, job_id=job_id).status == "expired"


def test_attempts_retry_until_they_run_out(database: Database) -> None:
    job_id = _job(database, max_attempts=2)
    with database.session() as session:
        callbacks.claim_due_jobs(session, now=NOW, limit=1, node_id="n1")
        job = callbacks.record_attempt(
            session, job_id=job_id, outcome="busy", at=NOW, retry_after=timedelta(minutes=10)
        )
        assert (job.status, job.due, job.attempts, job.locked_by) == ("pending", NOW + timedelta(minutes=10), 1, None)
        job = callbacks.record_attempt(session, job_id=job_id, outcome="no_answer", at=NOW + timedelta(minutes=10))
        assert (job.status, job.outcome, job.attempts) == ("failed", "no_answer", 2)
        assert [a.outcome for a in callbacks.list_attempts(session, job_id=job_id)] == ["busy", "no_answer"]


def test_an_answered_attempt_finishes_the_job(database: Database) -> None:
    job_id = _job(database)
    with database.session() as session:
        job = callbacks.record_attempt(session, job_id=job_id, outcome="answered", at=NOW, call_id="call-9")
        assert job.status == "done"
        assert callbacks.list_attempts(session, job_id=job_id)[0].call_id == "call-9"


def test_a_reached_job_stays_done_whatever_the_dialer_reports_later(database: Database) -> None:
    """FastAGI saw the callee (mark_reached) while the dialer's AMI session was down; the dialer then reports
    "failed" (outcome unknown). The job must stay done so the callee is not called twice."""
    job_id = _job(database)
    with database.session() as session:
        callbacks.claim_due_jobs(session, now=NOW, limit=1, node_id="n1")
    with database.session() as session:
        reached = callbacks.mark_reached(session, job_id=job_id, at=NOW + timedelta(seconds=3))
        assert reached is not None
        assert (reached.status, reached.outcome, reached.locked_by) == ("done", "answered", None)
        assert callbacks.mark_reached(session, job_id="no-such-job", at=NOW) is None
    with database.session() as session:
        job = callbacks.record_attempt(session, job_id=job_id, outcome="failed", at=NOW + timedelta(seconds=40))
        assert (job.status, job.outcome, job.attempts) == ("done", "answered", 1)
        assert [a.outcome for a in callbacks.list_attempts(session, job_id=job_id)] == ["failed"]
    with database.session() as session:
        assert callbacks.claim_due_jobs(session, now=NOW + timedelta(hours=1), limit=5, node_id="n1") == []


def test_a_job_reached_while_it_is_being_claimed_stays_done(database: Database) -> None:
    """FastAGI's mark_reached (another thread) tries to commit between the claim's read and its write. It must
    either see the claim or be seen by it: a job already reached is never put back to dialing."""
    job_id = _job(database)
    read_done, reached_done = threading.Event(), threading.Event()

    def reach() -> None:
        read_done.wait(5)
        with database.session() as session:
            callbacks.mark_reached(session, job_id=job_id, at=NOW)
        reached_done.set()

    def between_read_and_write(*_: object) -> None:
        read_done.set()
        reached_done.wait(0.5)  # every chance to commit now; while the claim holds the lock it has to wait

    reacher = threading.Thread(target=reach)
    reacher.start()
    with database.session() as session:
        event.listen(session, "before_flush", between_read_and_write)
        claimed = callbacks.claim_due_jobs(session, now=NOW, limit=5, node_id="n1")
    reacher.join(10)
    with database.session() as session:
        job = callbacks.get_job(session, job_id=job_id)
        assert (job.status, job.outcome) == ("done", "answered")
        assert [j.id for j in claimed] == [job_id]  # claimed first, then reached


@pytest.mark.postgres
def test_concurrent_dialers_never_share_a_job(postgres_url: str) -> None:
    database = Database(postgres_url)
    try:
        publish(database, "cb")
        ids = {_job(database) for _ in range(40)}
        taken: list[list[str]] = []
        barrier = threading.Barrier(4)

        def dialer(node: str) -> None:
            barrier.wait()
            mine: list[str] = []
            while True:
                with database.session() as session:
                    batch = callbacks.claim_due_jobs(session, now=NOW, limit=3, node_id=node)
                    mine += [job.id for job in batch]
                if not batch:
                    break
            taken.append(mine)

        threads = [threading.Thread(target=dialer, args=(f"node{n}",)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        every = [job for mine in taken for job in mine]
        assert sorted(every) == sorted(ids)  # each job exactly once
    finally:
        pg.empty_tables(database)
        database.dispose()


async def test_scheduler_service_stores_a_job(database: Database) -> None:
    scheduler = callbacks.DatabaseCallbackScheduler(database, max_attempts=5)
    receipt = await scheduler.schedule(
        CallbackRequest(
            number="+34600999888",
            due=NOW,
            window_end=NOW + timedelta(hours=2),
            scenario="cb",
            variables={"debt": 120},
            origin_call_id="call-1",
        )
    )
    with database.session() as session:
        job = callbacks.get_job(session, job_id=receipt.job_id)
    assert (job.number, job.variables, job.max_attempts, job.origin_call_id) == (
        "+34600999888",
        {"debt": 120},
        5,
        "call-1",
    )


def test_a_final_outcome_fails_the_job_at_once(database: Database) -> None:
    job_id = _job(database, max_attempts=5)
    with database.session() as session:
        job = callbacks.record_attempt(session, job_id=job_id, outcome="invalid_number", at=NOW, final=True)
        assert (job.status, job.attempts) == ("failed", 1)


def test_only_the_lease_holder_releases_or_expires_a_job(database: Database) -> None:
    first, second = _job(database), _job(database)
    with database.session() as session:
        callbacks.claim_due_jobs(session, now=NOW, limit=2, node_id="n1")
    with database.session() as session:
        assert callbacks.release_job(session, job_id=first, node_id="n2").status == "dialing"
        assert callbacks.release_job(session, job_id=first, node_id="n1").status == "pending"
        expired = callbacks.expire_job(session, job_id=second, node_id="n1")
        assert (expired.status, expired.outcome, expired.locked_by) == ("expired", "window_closed", None)


def test_a_late_attempt_from_a_node_whose_lease_ran_out_leaves_the_new_claim_alone(database: Database) -> None:
    """Review of 2026-12-05: n1 could not reach the database while its lease ran out; n2 claimed the job and dials
    the callee. n1's late report cleared n2's lock and put the job back to pending, for a third call. The late
    attempt is logged and counted; the job stays n2's."""
    job_id = _job(database)
    with database.session() as session:
        callbacks.claim_due_jobs(session, now=NOW, limit=1, node_id="n1", lease=timedelta(minutes=1))
    with database.session() as session:
        callbacks.claim_due_jobs(session, now=NOW + timedelta(minutes=2), limit=1, node_id="n2")
    with database.session() as session:
        late = callbacks.record_attempt(
            session,
            job_id=job_id,
            outcome="busy",
            at=NOW + timedelta(seconds=40),
            call_id=f"cb-{job_id}-1",  # the dialer's ChannelId: it replaces the attempt n2 counted lost
            node_id="n1",
        )
        assert (late.status, late.locked_by, late.lock_until, late.attempts, late.due) == (
            "dialing",
            "n2",
            NOW + timedelta(minutes=7),
            1,
            NOW,
        )
    with database.session() as session:
        job = callbacks.record_attempt(
            session,
            job_id=job_id,
            outcome="no_answer",
            at=NOW + timedelta(minutes=3),
            call_id=f"cb-{job_id}-2",
            node_id="n2",
        )
        assert (job.status, job.locked_by, job.attempts) == ("pending", None, 2)
        assert [(a.outcome, a.call_id) for a in callbacks.list_attempts(session, job_id=job_id)] == [
            ("busy", f"cb-{job_id}-1"),
            ("no_answer", f"cb-{job_id}-2"),
        ]


def test_a_node_whose_lease_ran_out_unclaimed_still_records_its_attempt(database: Database) -> None:
    """Nobody claimed the job after the lease ended: the node that dialled it still holds it and moves it on."""
    job_id = _job(database)
    with database.session() as session:
        callbacks.claim_due_jobs(session, now=NOW, limit=1, node_id="n1", lease=timedelta(minutes=1))
    with database.session() as session:
        job = callbacks.record_attempt(
            session, job_id=job_id, outcome="busy", at=NOW + timedelta(minutes=2), node_id="n1"
        )
        assert (job.status, job.locked_by, job.attempts) == ("pending", None, 1)


_MADRID_DAY = {"hours": [{"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "from": "09:00", "to": "21:00"}],
               "timezone": "Europe/Madrid", "holidays": ["2026-11-24"]}  # fmt: skip


async def test_a_retry_after_the_window_closes_moves_to_its_next_opening(database: Database) -> None:
    """Review, 2026-12-05: a callee who did not answer at 20:50 (window 09:00-21:00) had the retry fall after
    21:00 and the job expired: never tried the next morning. Jobs now keep their hours (holidays too)."""
    evening = datetime.fromisoformat("2026-11-23T20:50:00+01:00")
    scheduler = callbacks.DatabaseCallbackScheduler(database)
    request = CallbackRequest(number="+34600111222", due=evening, window_end=evening.replace(hour=21, minute=0),
                              scenario="cb", variables={}, origin_call_id=None, window=_MADRID_DAY)  # fmt: skip
    job_id = (await scheduler.schedule(request)).job_id
    with database.session() as session:
        callbacks.claim_due_jobs(session, now=evening, limit=1, node_id="n1")
        job = callbacks.record_attempt(
            session, job_id=job_id, outcome="no_answer", at=evening, retry_after=timedelta(minutes=15)
        )
        assert (job.status, job.outcome, job.attempts) == ("pending", "no_answer", 1)
        # The 24th is a holiday: the 25th at 09:00, until 21:00.
        assert job.due == datetime.fromisoformat("2026-11-25T09:00:00+01:00")
        assert job.window_end == datetime.fromisoformat("2026-11-25T21:00:00+01:00")


def test_a_job_found_after_its_window_closed_waits_for_the_next_opening(database: Database) -> None:
    """A node down overnight finds the job past its window: the next morning, not expired. Without hours kept
    (a job made through the API with only window_end) it still expires."""
    night = datetime.fromisoformat("2026-11-25T23:00:00+01:00")
    with database.session() as session:
        kept = callbacks.create_job(session, number="+34600111222", scenario="cb", due=night - timedelta(hours=3),
                                    window_end=night - timedelta(hours=2), window=_MADRID_DAY).id  # fmt: skip
        bare = callbacks.create_job(session, number="+34600111222", scenario="cb", due=night - timedelta(hours=3),
                                    window_end=night - timedelta(hours=2)).id  # fmt: skip
    with database.session() as session:
        assert callbacks.claim_due_jobs(session, now=night, limit=5, node_id="n1") == []
        moved, expired = callbacks.get_job(session, job_id=kept), callbacks.get_job(session, job_id=bare)
        assert (moved.status, moved.due) == ("pending", datetime.fromisoformat("2026-11-26T09:00:00+01:00"))
        assert (expired.status, expired.outcome) == ("expired", "window_closed")


def test_a_claimed_job_too_close_to_closing_is_moved_not_ended(database: Database) -> None:
    late = datetime.fromisoformat("2026-11-26T20:59:45+01:00")
    with database.session() as session:
        closing = late.replace(hour=21, minute=0, second=0)
        job_id = callbacks.create_job(session, number="+34600111222", scenario="cb", due=late, window_end=closing,
                                      window=_MADRID_DAY).id  # fmt: skip
    with database.session() as session:
        callbacks.claim_due_jobs(session, now=late, limit=1, node_id="n1")
    with database.session() as session:
        job = callbacks.expire_job(session, job_id=job_id, node_id="n1", now=late)
        assert (job.status, job.due) == ("pending", datetime.fromisoformat("2026-11-27T09:00:00+01:00"))


@pytest.mark.parametrize(
    ("limits", "status"),
    [({"defer": False}, "expired"), ({"max_defer_hours": 1}, "expired"), ({"max_defer_hours": 13}, "pending")],
)
def test_a_retry_is_moved_no_further_than_the_block_allows(
    database: Database, limits: dict[str, object], status: str
) -> None:
    """Review, 2026-12-05: a Callback block set to reject times outside its hours, or to defer at most an hour,
    still had its retry moved 12 hours on, to the next morning."""
    evening = datetime.fromisoformat("2026-11-25T20:50:00+01:00")
    with database.session() as session:
        job_id = callbacks.create_job(session, number="+34600111222", scenario="cb", due=evening,
                                      window_end=evening.replace(hour=21, minute=0),
                                      window={**_MADRID_DAY, **limits}).id  # fmt: skip
    with database.session() as session:
        callbacks.claim_due_jobs(session, now=evening, limit=1, node_id="n1")
        job = callbacks.record_attempt(
            session, job_id=job_id, outcome="busy", at=evening, retry_after=timedelta(minutes=15)
        )
        assert job.status == status


@pytest.mark.parametrize(
    ("until", "status", "due", "window_end"),
    [
        ("2026-11-27T12:00:00+01:00", "pending", "2026-11-26T09:00:00+01:00", "2026-11-26T21:00:00+01:00"),
        ("2026-11-26T12:00:00+01:00", "pending", "2026-11-26T09:00:00+01:00", "2026-11-26T12:00:00+01:00"),
        ("2026-11-26T09:00:00+01:00", "expired", None, None),
    ],
)
def test_a_campaign_end_bounds_every_reopening(
    database: Database, until: str, status: str, due: str | None, window_end: str | None
) -> None:
    """A call list imported with an end date: a retry moves to the next opening only if it starts before the
    end, and that opening closes at the end at the latest."""
    evening = datetime.fromisoformat("2026-11-25T20:50:00+01:00")
    window = {**_MADRID_DAY, "until": datetime.fromisoformat(until).astimezone(UTC).isoformat()}
    with database.session() as session:
        job_id = callbacks.create_job(session, number="+34600111222", scenario="cb", due=evening,
                                      window_end=evening.replace(hour=21, minute=0), window=window).id  # fmt: skip
    with database.session() as session:
        callbacks.claim_due_jobs(session, now=evening, limit=1, node_id="n1")
        job = callbacks.record_attempt(
            session, job_id=job_id, outcome="busy", at=evening, retry_after=timedelta(minutes=15)
        )
        assert job.status == status
        if due is not None:
            assert (job.due, job.window_end) == (datetime.fromisoformat(due), datetime.fromisoformat(window_end or ""))


def test_a_callers_callback_is_dialled_before_a_lists_clients(database: Database) -> None:
    """A campaign of clients due at 09:00 does not hold back a missed call's callback due at 09:05."""
    nine = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    campaign = call_lists.Campaign(due=nine)
    planned = call_lists.plan_jobs(
        [{"phone": f"60000000{n}"} for n in range(3)], number_column="phone", declared={}, campaign=campaign
    )
    with database.session() as session:
        call_lists.schedule(session, scenario="cb", jobs=planned, campaign=campaign)
        waiting = callbacks.create_job(session, number="+34600111222", scenario="cb", due=nine + timedelta(minutes=5))
        waiting_id = waiting.id
    with database.session() as session:
        first = callbacks.claim_due_jobs(session, now=nine + timedelta(minutes=10), limit=2, node_id="n1")
        assert [job.id for job in first][:1] == [waiting_id]
        assert first[1].number == "600000000"  # then the list, in its order of due times


def _one_client_list(database: Database, phone: str) -> tuple[str, str]:
    campaign = call_lists.Campaign(due=NOW)
    planned = call_lists.plan_jobs([{"phone": phone}], number_column="phone", declared={}, campaign=campaign)
    with database.session() as session:
        campaign_id, (job_id,) = call_lists.schedule(session, scenario="cb", jobs=planned, campaign=campaign)
    return campaign_id, job_id


@pytest.mark.parametrize(
    ("outcome", "status"),
    [("busy", "cancelled"), ("no_answer", "cancelled"), ("answered", "done")],
)
def test_a_client_ringing_when_the_list_is_stopped_is_not_called_again(
    database: Database, outcome: str, status: str
) -> None:
    """The stop promises that nobody not yet reached is called again: the client whose phone rang at that moment
    ends cancelled when the ring ends unanswered, not pending for a retry; an answered ring still counts."""
    campaign_id, job_id = _one_client_list(database, "600000011")
    with database.session() as session:
        assert [job.id for job in callbacks.claim_due_jobs(session, now=NOW, limit=5, node_id="n1")] == [job_id]
    with database.session() as session:
        assert campaign_stop.cancel(session, campaign_id=campaign_id, now=NOW) == 0  # nobody was waiting
    with database.session() as session:
        job = callbacks.record_attempt(
            session, job_id=job_id, outcome=outcome, at=NOW, retry_after=timedelta(minutes=5)
        )
        assert (job.status, job.attempts) == (status, 1)
    with database.session() as session:
        assert callbacks.claim_due_jobs(session, now=NOW + timedelta(hours=1), limit=5, node_id="n1") == []
        assert [a.outcome for a in callbacks.list_attempts(session, job_id=job_id)] == [outcome]
        assert campaign_reports.campaign_summary(session, campaign_id=campaign_id).cancelled_at == NOW


def test_a_stopped_lists_client_is_not_taken_again_when_a_lease_ends_or_a_node_gives_it_back(
    database: Database,
) -> None:
    """A node that died mid-dial (its lease runs out) or one shutting down (it gives the client back undialled)
    must not hand a stopped list's client to the next dialer."""
    campaign_id, lost = _one_client_list(database, "600000012")
    _, given_back = _one_client_list(database, "600000013")
    with database.session() as session:
        callbacks.claim_due_jobs(session, now=NOW, limit=5, node_id="n1", lease=timedelta(minutes=5))
    with database.session() as session:
        campaign_stop.cancel(session, campaign_id=campaign_id, now=NOW)
        other = callbacks.get_job(session, job_id=given_back).campaign_id
        assert other is not None
        campaign_stop.cancel(session, campaign_id=other, now=NOW)
    with database.session() as session:
        assert callbacks.release_job(session, job_id=given_back, node_id="n1").status == "cancelled"
    with database.session() as session:
        assert callbacks.claim_due_jobs(session, now=NOW + timedelta(minutes=10), limit=5, node_id="n2") == []
        assert callbacks.get_job(session, job_id=lost).status == "cancelled"


def test_a_busy_retry_on_the_night_the_clocks_go_back_waits_for_the_hours(database: Database) -> None:
    """Hours from 02:30 in Madrid, 25 October 2026: the client is rung at 02:58 summer time, busy; five minutes
    later the clock shows 02:03 winter time, outside the hours by the wall clock. The retry waits for 02:30
    again instead of ringing then (review of 2026-12-05, second day)."""
    from blocks.timewindows import callback_window, reopening

    window = callback_window([{"days": ["sun"], "from": "02:30", "to": "10:30"}], "Europe/Madrid")
    opening = reopening(datetime(2026, 10, 24, 23, 38, tzinfo=UTC), window)
    assert opening is not None
    due, window_end = opening
    with database.session() as session:
        job_id = callbacks.create_job(
            session, number="600111222", scenario="cb", due=due, window_end=window_end, window=window
        ).id
    rung = datetime(2026, 10, 25, 0, 58, tzinfo=UTC)  # 02:58 CEST
    with database.session() as session:
        assert [job.id for job in callbacks.claim_due_jobs(session, now=rung, limit=1, node_id="n1")] == [job_id]
    with database.session() as session:
        job = callbacks.record_attempt(
            session, job_id=job_id, outcome="busy", at=rung, retry_after=timedelta(minutes=5)
        )
        assert (job.status, job.due) == ("pending", datetime(2026, 10, 25, 1, 30, tzinfo=UTC))  # 02:30 CET


def test_a_stopped_lists_client_given_back_as_its_hours_close_stays_cancelled(database: Database) -> None:
    """The dialer gives a claimed client back when the hours close before a ring could end (`expire_job`): on a
    stopped list that client waited for next week's opening, shown as pending, instead of ending cancelled as
    every other way back does (review of 2026-12-05, second day)."""
    closing = datetime(2026, 3, 2, 10, 29, tzinfo=UTC)  # a Monday, a minute before the hours close
    campaign = call_lists.Campaign(
        due=datetime(2026, 3, 2, 9, 0, tzinfo=UTC), hours=[{"days": ["mon"], "from": "09:00", "to": "10:30"}]
    )
    planned = call_lists.plan_jobs([{"phone": "600000014"}], number_column="phone", declared={}, campaign=campaign)
    with database.session() as session:
        campaign_id, (job_id,) = call_lists.schedule(session, scenario="cb", jobs=planned, campaign=campaign)
    with database.session() as session:
        assert [j.id for j in callbacks.claim_due_jobs(session, now=closing, limit=5, node_id="n1")] == [job_id]
    with database.session() as session:
        campaign_stop.cancel(session, campaign_id=campaign_id, now=closing)
    with database.session() as session:
        assert callbacks.expire_job(session, job_id=job_id, node_id="n1", now=closing).status == "cancelled"
    with database.session() as session:
        assert campaign_reports.campaign_summary(session, campaign_id=campaign_id).next_due is None


def test_a_phone_written_two_ways_is_never_rung_twice_at_once(database: Database) -> None:
    """0034... and +34... ring the same phone: one job waits while the other is dialled, in one pass or the next."""
    first, second = _job(database, number="+34699000000"), _job(database, number="0034699000000")
    with database.session() as session:
        assert [job.id for job in callbacks.claim_due_jobs(session, now=NOW, limit=10, node_id="n1")] == [first]
    with database.session() as session:
        assert callbacks.claim_due_jobs(session, now=NOW, limit=10, node_id="n2") == []
        callbacks.record_attempt(session, job_id=first, outcome="busy", at=NOW, retry_after=timedelta(hours=1))
    with database.session() as session:
        assert [job.id for job in callbacks.claim_due_jobs(session, now=NOW, limit=10, node_id="n2")] == [second]


def test_a_number_is_never_rung_twice_at_once(database: Database) -> None:
    """Review of 2026-12-05: the same list started twice put each client in two jobs due together, and one pass
    claimed both: the client rang on two lines at once. The second waits until the first is no longer dialled."""
    first, second = _job(database, number="+34699000000"), _job(database, number="+34699000000")
    other = _job(database, number="+34699000001")
    with database.session() as session:
        claimed = callbacks.claim_due_jobs(session, now=NOW, limit=10, node_id="n1")
        assert [job.id for job in claimed] == [first, other]
    with database.session() as session:  # nor by another node while the first call still rings
        assert callbacks.claim_due_jobs(session, now=NOW, limit=10, node_id="n2") == []
        callbacks.record_attempt(session, job_id=first, outcome="busy", at=NOW, retry_after=timedelta(hours=1))
    with database.session() as session:
        assert [job.id for job in callbacks.claim_due_jobs(session, now=NOW, limit=10, node_id="n2")] == [second]


@pytest.mark.postgres
def test_two_nodes_claiming_at_the_same_moment_never_take_one_number_twice(postgres_url: str) -> None:
    """Review of the dialer: the "being dialled" check saw only the claims other nodes had committed, so two nodes
    claiming at once took the two jobs of one number (a list imported twice) and rang it on two lines. Node A's
    claim is not committed yet when node B claims: B leaves that number to A and takes its other work."""
    database = Database(postgres_url)
    try:
        publish(database, "cb")
        first = _job(database, number="+34699000000")
        second = _job(database, number="0034699000000", due=NOW + timedelta(seconds=1))  # the same phone
        other = _job(database, number="+34699000001", due=NOW + timedelta(seconds=2))
        later = NOW + timedelta(seconds=5)
        with database.session() as node_a, database.session() as node_b:
            claimed_a = callbacks.claim_due_jobs(node_a, now=later, limit=1, node_id="A")
            claimed_b = callbacks.claim_due_jobs(node_b, now=later, limit=2, node_id="B")  # A has not committed
            assert [job.id for job in claimed_a] == [first]
            assert [job.id for job in claimed_b] == [other]
        with database.session() as node_b:  # A committed: its claim is seen as before
            assert callbacks.claim_due_jobs(node_b, now=later, limit=2, node_id="B") == []
            assert callbacks.get_job(node_b, job_id=second).status == "pending"
    finally:
        pg.empty_tables(database)
        database.dispose()


def test_a_number_whose_callee_is_on_the_line_is_not_rung_until_the_hangup(database: Database) -> None:
    """Review of the dialer: an answered attempt ended its job and unlocked it at once, and the client's other due
    job was dialled into the call they were still on. The number stays busy until the dialer settles the answer
    at the hangup, or, when it never sees one, until the longest call it holds a line for is over."""
    first, second = _job(database, number="+34699000000"), _job(database, number="+34699000000")
    answered, talking = NOW + timedelta(seconds=1), NOW + timedelta(minutes=30)
    with database.session() as session:
        assert [job.id for job in callbacks.claim_due_jobs(session, now=NOW, limit=5, node_id="n1")] == [first]
    with database.session() as session:
        callbacks.record_attempt(
            session,
            job_id=first,
            outcome="answered",
            at=answered,
            call_id=f"cb-{first}-1",
            node_id="n1",
            on_line_until=answered + timedelta(hours=2),
        )
    with database.session() as session:
        assert callbacks.claim_due_jobs(session, now=answered, limit=5, node_id="n2") == []
        callbacks.mark_reached(session, job_id=first, at=answered)  # the scenario runs (README section 4)
    with database.session() as session:  # the lease is long over, the callee still talking
        assert callbacks.claim_due_jobs(session, now=talking, limit=5, node_id="n2") == []
        assert callbacks.get_job(session, job_id=second).status == "pending"
    with database.session() as session:  # the hangup: the answer stands, and the number is free
        call_id, retry_after = f"cb-{first}-1", timedelta(minutes=10)
        settled = callbacks.settle_answer(session, job_id=first, call_id=call_id, at=talking, retry_after=retry_after)
        assert settled is None
    with database.session() as session:
        assert [job.id for job in callbacks.claim_due_jobs(session, now=talking, limit=5, node_id="n2")] == [second]


def test_a_number_on_the_line_is_free_again_when_no_hangup_was_seen_in_time(database: Database) -> None:
    first, second = _job(database, number="+34699000000"), _job(database, number="+34699000000")
    with database.session() as session:
        callbacks.claim_due_jobs(session, now=NOW, limit=5, node_id="n1")
        callbacks.record_attempt(
            session, job_id=first, outcome="answered", at=NOW, node_id="n1", on_line_until=NOW + timedelta(hours=2)
        )
    with database.session() as session:
        assert callbacks.claim_due_jobs(session, now=NOW + timedelta(minutes=119), limit=5, node_id="n1") == []
    with database.session() as session:
        claimed = callbacks.claim_due_jobs(session, now=NOW + timedelta(minutes=121), limit=5, node_id="n1")
        assert [job.id for job in claimed] == [second]


def test_an_attempt_a_node_could_not_record_counts_lost_once_before_it_is_claimed_again(database: Database) -> None:
    """Review of the dialer: a node whose record failed (the database away for the rest of the lease) claimed its
    own job back at the lease's end and dialled it uncounted, at once, under the same ChannelId. Its dialer now
    has the attempt counted `lost`, due after the interval of what it saw, before it claims again; an attempt
    logged meanwhile (a record that landed after all, a takeover) is not counted twice."""
    mine, landed = _job(database), _job(database)
    with database.session() as session:
        callbacks.claim_due_jobs(session, now=NOW, limit=5, node_id="n1")
    with database.session() as session:  # the record the node gave up on landed after all
        callbacks.record_attempt(session, job_id=landed, outcome="busy", at=NOW, call_id=f"cb-{landed}-1", node_id="n1")
    retry_at = NOW + timedelta(minutes=5)
    unrecorded = {
        mine: callbacks.Unrecorded(f"cb-{mine}-1", retry_at),
        landed: callbacks.Unrecorded(f"cb-{landed}-1", retry_at),
    }
    later = NOW + timedelta(minutes=6)
    with database.session() as session:
        counted = callbacks.count_unrecorded(session, attempts=unrecorded, node_id="n1", now=later)
        assert [job.id for job in counted] == [mine]
    with database.session() as session:  # asked again (its answer lost): nothing more
        assert callbacks.count_unrecorded(session, attempts=unrecorded, node_id="n1", now=later) == []
    with database.session() as session:
        job = callbacks.get_job(session, job_id=mine)
        assert (job.status, job.locked_by, job.attempts, job.outcome, job.due) == ("pending", None, 1, "lost", retry_at)
        assert [(a.outcome, a.call_id) for a in callbacks.list_attempts(session, job_id=mine)] == [
            ("lost", f"cb-{mine}-1")
        ]
        assert [a.outcome for a in callbacks.list_attempts(session, job_id=landed)] == ["busy"]
