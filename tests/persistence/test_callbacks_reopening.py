"""A claim after the hours' break: jobs whose window closed move to their next opening without eating the pass.

Review of 2026-12-05 (third day): a campaign with split hours (09:00-13:00, 14:00-18:00) whose clients were not
reached before 13:00 keep window_end 13:00. After 14:00 each dialer pass spent its whole `limit` moving such
clients to the new opening and dialled nobody: with N clients left and L free lines, dialling restarted only after
N/L passes of 5 s (over an hour for 20,000 clients).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from persistence import call_lists, callbacks, campaign_stop
from persistence.db import Database
from tests.persistence import pg
from tests.persistence.published import publish

WEEK = ["mon", "tue", "wed", "thu", "fri"]
SPLIT_HOURS = [{"days": WEEK, "from": "09:00", "to": "13:00"}, {"days": WEEK, "from": "14:00", "to": "18:00"}]
MORNINGS = [{"days": WEEK, "from": "09:00", "to": "13:00"}]
NINE = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 09:00 in Madrid
LUNCH = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # 13:00 in Madrid: the morning's hours close
AFTER_LUNCH = datetime(2026, 11, 23, 13, 0, 30, tzinfo=UTC)  # 14:00:30 in Madrid
CLOSING = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)  # 18:00 in Madrid
TUESDAY_NINE = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


@pytest.fixture
def database(database: Database) -> Database:
    """The conftest's database, with these tests' callback scenarios published: callbacks ring only into those."""
    publish(database, "debt-reminder", "cb")
    return database


def _start_list(
    database: Database, clients: int, *, hours: list[dict[str, Any]], due: datetime = NINE, prefix: str = "6001"
) -> list[str]:
    """A call list started at `due` in Madrid with `hours`: its jobs' ids in list order."""
    campaign = call_lists.Campaign(due=due, hours=hours, timezone="Europe/Madrid")
    planned = call_lists.plan_jobs(
        [{"phone": f"{prefix}{n:05d}"} for n in range(clients)], number_column="phone", declared={}, campaign=campaign
    )
    assert planned[0].window_end == LUNCH  # nobody is reached before the morning's hours close
    with database.session() as session:
        _, ids = call_lists.schedule(session, scenario="debt-reminder", jobs=planned, campaign=campaign)
    return ids


def _claim(database: Database, *, now: datetime, limit: int, node_id: str = "n1") -> list[str]:
    with database.session() as session:
        return [job.id for job in callbacks.claim_due_jobs(session, now=now, limit=limit, node_id=node_id)]


def test_the_first_pass_after_lunch_dials_every_free_line(database: Database) -> None:
    """The reviewer's case: 50 clients waiting, 10 free lines. The first pass after 14:00 dials the first 10 in
    the list's order, and every other client now waits in the afternoon's opening."""
    ids = _start_list(database, 50, hours=SPLIT_HOURS)
    assert _claim(database, now=AFTER_LUNCH, limit=10) == ids[:10]
    with database.session() as session:
        waiting = [callbacks.get_job(session, job_id=job_id) for job_id in ids[10:]]
        assert {(job.status, job.window_end) for job in waiting} == {("pending", CLOSING)}
        assert all(job.due <= AFTER_LUNCH for job in waiting)  # dialable now, not at some later opening
    assert _claim(database, now=AFTER_LUNCH + timedelta(seconds=5), limit=10) == ids[10:20]


def test_far_more_jobs_to_move_than_free_lines_do_not_delay_the_first_calls(database: Database) -> None:
    """1,200 clients to move (more than one bulk step of the move), 10 lines: the first pass dials 10, a second
    node's pass at the same moment 10 others; nobody is left behind the closed window."""
    ids = _start_list(database, 1200, hours=SPLIT_HOURS)
    first = _claim(database, now=AFTER_LUNCH, limit=10)
    second = _claim(database, now=AFTER_LUNCH, limit=10, node_id="n2")
    assert (first, second) == (ids[:10], ids[10:20])
    with database.session() as session:
        left = callbacks.list_jobs(session, status="pending", limit=2000)
        assert len(left) == 1180
        assert {job.window_end for job in left} == {CLOSING}


def test_clients_moved_to_tomorrow_do_not_hold_back_clients_dialable_now(database: Database) -> None:
    """600 clients of a mornings-only list (their next opening is Tuesday 09:00) come first by due time; the
    10 clients of a list with afternoon hours behind them are dialled in the first pass after lunch."""
    mornings = _start_list(database, 600, hours=MORNINGS)
    afternoon = _start_list(database, 10, hours=SPLIT_HOURS, due=NINE + timedelta(minutes=30), prefix="6002")
    assert _claim(database, now=AFTER_LUNCH, limit=10) == afternoon
    with database.session() as session:
        moved = [callbacks.get_job(session, job_id=job_id) for job_id in mornings]
        assert {(job.status, job.due) for job in moved} == {("pending", TUESDAY_NINE)}


def test_a_stopped_lists_client_found_after_lunch_is_cancelled_not_moved(database: Database) -> None:
    """A node died dialling a client at 12:58 and the list was stopped at lunch: after 14:00 that client's lease
    has run out past its window. It ends cancelled (not moved, not dialled), and the free lines go to the list
    still running."""
    stopped = _start_list(database, 3, hours=SPLIT_HOURS, prefix="6003")
    running = _start_list(database, 3, hours=SPLIT_HOURS, due=NINE + timedelta(minutes=1), prefix="6004")
    with database.session() as session:
        died = callbacks.claim_due_jobs(
            session, now=LUNCH - timedelta(minutes=2), limit=1, node_id="dead", lease=timedelta(minutes=1)
        )
        assert [job.id for job in died] == stopped[:1]
    with database.session() as session:
        campaign_id = callbacks.get_job(session, job_id=stopped[0]).campaign_id
        assert campaign_id is not None
        campaign_stop.cancel(session, campaign_id=campaign_id, now=LUNCH)
    assert _claim(database, now=AFTER_LUNCH, limit=3) == running
    with database.session() as session:
        assert {callbacks.get_job(session, job_id=job_id).status for job_id in stopped} == {"cancelled"}


def test_a_job_left_waiting_for_its_ringing_number_takes_no_line(database: Database) -> None:
    """The same client twice (a list started twice) then another: with 2 free lines the pass dials the client once
    and the other client, rather than leaving a line idle for the duplicate it must not ring."""
    ids = []
    with database.session() as session:
        for n, number in enumerate(["+34699000000", "+34699000000", "+34699000001"]):
            ids.append(
                callbacks.create_job(
                    session, number=number, scenario="cb", due=NINE, now=NINE + timedelta(seconds=n)
                ).id
            )
    assert _claim(database, now=NINE, limit=2) == [ids[0], ids[2]]
    assert _claim(database, now=NINE, limit=2, node_id="n2") == []  # the duplicate waits while its number rings


@pytest.mark.postgres
def test_nodes_moving_and_claiming_together_never_share_a_client(postgres_url: str) -> None:
    """Four nodes' passes after lunch at the same moment (SKIP LOCKED): each moves what no other holds, and every
    client is dialled exactly once."""
    database = Database(postgres_url)
    try:
        publish(database, "debt-reminder")
        ids = _start_list(database, 600, hours=SPLIT_HOURS)
        taken: list[list[str]] = []
        barrier = threading.Barrier(4)

        def dialer(node: str) -> None:
            barrier.wait()
            mine: list[str] = []
            while batch := _claim(database, now=AFTER_LUNCH, limit=7, node_id=node):
                mine += batch
            taken.append(mine)

        threads = [threading.Thread(target=dialer, args=(f"node{n}",)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert sorted(job for mine in taken for job in mine) == sorted(ids)
    finally:
        pg.empty_tables(database)
        database.dispose()
