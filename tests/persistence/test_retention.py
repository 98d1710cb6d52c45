"""Retention (persistence.retention): each kind of record goes once older than its period, and nothing else does; a
call's trace can go before its register row; a dry run changes nothing; the daily purge runs once across nodes
(data-protection review, 2026-12: nothing was ever deleted)."""

from __future__ import annotations

import fcntl
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from persistence import calls
from persistence.db import Database
from persistence.locations import sqlite_file
from persistence.models import AuditEvent, CallbackJob, CallCampaign, CallRecord, IdempotencyKey
from persistence.retention import (
    PURGE_ACTION,
    STRIPPED,
    PurgeReport,
    RetentionPolicy,
    maintenance_session,
    parse_period,
    purge,
    purge_if_due,
    run_purge,
)
from tests.persistence.kept_data import (
    DAY,
    NOW,
    add_campaign,
    add_event,
    add_job,
    add_key,
    call_ids,
    counts,
    job_ids,
    transfer_trace,
    write_calls,
)

SECOND = timedelta(seconds=1)


def _purge(database: Database, policy: RetentionPolicy, *, dry_run: bool = False, batch: int = 2) -> PurgeReport:
    """A purge in small batches, so that every loop goes round more than once."""
    with maintenance_session(database) as session:
        return purge(session, now=NOW, policy=policy, dry_run=dry_run, batch=batch)


def test_calls_started_before_the_period_go_and_every_other_stays(database: Database) -> None:
    write_calls(
        database,
        {"call_id": "old", "started_at": NOW - 400 * DAY},
        {"call_id": "just-past", "started_at": NOW - 30 * DAY - SECOND},
        {"call_id": "boundary", "started_at": NOW - 30 * DAY},  # exactly the period old: kept
        {"call_id": "recent", "started_at": NOW - 29 * DAY},
        {"call_id": "older-too", "started_at": NOW - 31 * DAY},
    )
    statistics = counts(database)["path_counts"]

    report = _purge(database, RetentionPolicy(calls=timedelta(days=30)))

    assert call_ids(database) == {"boundary", "recent"}
    assert report.call_records == 3 and report.total == 3
    assert counts(database)["path_counts"] == statistics  # the canvas's statistics are counts: they stay


def test_traces_alone_go_and_the_register_row_still_counts_and_reports(database: Database) -> None:
    """Variables, error text and the trace go; the row stays with what the register, its reports and counts read:
    status, result, caller, times, and the last transfer's outcome (read from the trace's skeleton)."""
    write_calls(
        database,
        {"call_id": "old", "started_at": NOW - 100 * DAY, "caller_id": "+34600123456", "error": "db said 600123456"},
        {"call_id": "new", "started_at": NOW - 10 * DAY, "caller_id": "+34600123456"},
    )
    with database.session() as session:
        before = {r.id: (r.status, r.result, r.caller_id, r.started_at, r.duration_ms)
                  for r in session.scalars(select(CallRecord))}  # fmt: skip
        transfers = calls.transfer_outcomes(session, records=list(session.scalars(select(CallRecord))))
    assert transfers == {"old": "busy", "new": "busy"}

    report = _purge(database, RetentionPolicy(traces=timedelta(days=90)))

    assert report.call_traces == 1 and report.call_records == 0
    with database.session() as session:
        rows = {r.id: r for r in session.scalars(select(CallRecord))}
        assert {r.id: (r.status, r.result, r.caller_id, r.started_at, r.duration_ms) for r in rows.values()} == before
        old, new = rows["old"], rows["new"]
        assert old.variables == {} and old.error is None and STRIPPED in old.trace
        assert "1234" not in str(old.trace) and "Lucía" not in str(old.trace) and "+34911000111" not in str(old.trace)
        assert [step["node"] for step in old.trace["steps"]] == ["agent"]
        assert new.trace == transfer_trace() and new.variables["account"] == "1234"
        assert calls.transfer_outcomes(session, records=list(rows.values())) == transfers
    assert _purge(database, RetentionPolicy(traces=timedelta(days=90))).call_traces == 0  # stripped once


def test_traces_of_calls_the_purge_deletes_are_not_stripped_first(database: Database) -> None:
    write_calls(
        database,
        {"call_id": "gone", "started_at": NOW - 400 * DAY},
        {"call_id": "stripped", "started_at": NOW - 100 * DAY},
        {"call_id": "whole", "started_at": NOW - DAY},
    )
    policy = RetentionPolicy(calls=timedelta(days=365), traces=timedelta(days=90))
    planned = _purge(database, policy, dry_run=True)
    done = _purge(database, policy)
    assert (planned.call_records, planned.call_traces) == (done.call_records, done.call_traces) == (1, 1)
    assert call_ids(database) == {"stripped", "whole"}


def test_finished_callbacks_go_with_their_attempts_and_waiting_or_recent_or_listed_ones_stay(
    database: Database,
) -> None:
    with database.session() as session:
        old_done = add_job(session, "+34600000001", created_at=NOW - 60 * DAY, attempts=("busy", "answered"))
        old_failed = add_job(session, "+34600000002", created_at=NOW - 60 * DAY, status="failed",
                             attempts=("busy", "busy", "busy"))  # fmt: skip
        old_cancelled = add_job(session, "+34600000003", created_at=NOW - 60 * DAY, status="cancelled", attempts=())
        add_job(session, "+34600000004", created_at=NOW - 60 * DAY, status="pending", attempts=("busy",))
        # Made long ago, dialled within the period: not over for as long as that.
        add_job(session, "+34600000005", created_at=NOW - 60 * DAY, last_attempt_at=NOW - 5 * DAY)
        add_job(session, "+34600000006", created_at=NOW - 5 * DAY)
        _campaign, listed = add_campaign(session, ["+34600000007"], created_at=NOW - 60 * DAY)
    kept = job_ids(database) - {old_done, old_failed, old_cancelled}

    report = _purge(database, RetentionPolicy(callbacks=timedelta(days=30)))

    assert job_ids(database) == kept and set(listed) <= kept
    assert (report.callback_jobs, report.callback_attempts) == (3, 5)
    assert counts(database)["callback_attempts"] == 1 + 1 + 1 + 1  # the pending, late, recent and listed jobs'


def test_a_finished_campaign_goes_whole_and_a_running_or_recent_one_stays(database: Database) -> None:
    with database.session() as session:
        over, over_jobs = add_campaign(session, ["+34600000011", "+34600000012"], created_at=NOW - 200 * DAY)
        # Its promised callback, over too, is the campaign's (its client's row).
        add_job(session, "+34600000011", created_at=NOW - 199 * DAY, campaign_id=over, campaign_row=1,
                origin_call_id="call-1")  # fmt: skip
        running, running_jobs = add_campaign(
            session, ["+34600000021", "+34600000022"], created_at=NOW - 200 * DAY, statuses=["done", "pending"]
        )
        recent, recent_jobs = add_campaign(session, ["+34600000031"], created_at=NOW - 10 * DAY)

    report = _purge(database, RetentionPolicy(campaigns=timedelta(days=90)))

    with database.session() as session:
        assert set(session.scalars(select(CallCampaign.id))) == {running, recent}
        assert set(session.scalars(select(CallbackJob.id))) == {*running_jobs, *recent_jobs}
    assert (report.campaigns, report.campaign_jobs, report.callback_attempts) == (1, 3, 3)
    assert not set(over_jobs) & job_ids(database)


def test_audit_events_older_than_the_period_go(database: Database) -> None:
    with database.session() as session:
        old = [add_event(session, at=NOW - (400 + n) * DAY, details={"n": n}) for n in range(3)]
        kept = add_event(session, at=NOW - 100 * DAY, details={})

    report = _purge(database, RetentionPolicy(audit=timedelta(days=365)))

    with database.session() as session:
        assert list(session.scalars(select(AuditEvent.id))) == [kept]
    assert report.audit_events == len(old)


def test_idempotency_keys_go_after_their_day_whoever_sent_them_and_whatever_the_settings(database: Database) -> None:
    """A stored answer holds the whole job (the client's number and row): it answered only a day of retries, and
    went only when the same user sent another keyed request."""
    with database.session() as session:
        add_key(session, username="crm-a", key="a-old", created_at=NOW - timedelta(hours=25), response={"n": 1})
        add_key(session, username="crm-b", key="b-old", created_at=NOW - timedelta(hours=24), response={"n": 2})
        add_key(session, username="crm-b", key="b-new", created_at=NOW - timedelta(hours=23), response={"n": 3})

    report = _purge(database, RetentionPolicy())

    with database.session() as session:
        assert list(session.scalars(select(IdempotencyKey.key))) == ["b-new"]
    assert report.idempotency_keys == 2


def test_a_dry_run_counts_what_would_go_and_changes_nothing(database: Database) -> None:
    _everything_old(database)
    policy = RetentionPolicy(*(timedelta(days=30) for _ in range(5)))
    before = counts(database)
    traces_before = _traces(database)

    planned = _purge(database, policy, dry_run=True)

    assert counts(database) == before
    assert _traces(database) == traces_before
    done = _purge(database, policy)
    assert planned.counts() == done.counts() and done.total > 0 and planned.dry_run and not done.dry_run


def test_nothing_goes_by_default(database: Database) -> None:
    _everything_old(database)
    before = counts(database)
    report = _purge(database, RetentionPolicy.from_env({}))
    assert counts(database) == {**before, "idempotency_keys": 0} and report.idempotency_keys == 1


def test_a_purge_asked_to_stop_ends_after_its_batch(database: Database) -> None:
    _everything_old(database)
    stop = threading.Event()
    stop.set()
    with maintenance_session(database) as session:
        report = purge(session, now=NOW, policy=RetentionPolicy(calls=timedelta(days=30)), stop=stop)
    assert report.interrupted and report.call_records == 0


def test_the_daily_purge_runs_once_whatever_the_number_of_nodes(database: Database) -> None:
    _everything_old(database)
    policy = RetentionPolicy(calls=timedelta(days=30))
    first = purge_if_due(database, now=NOW, policy=policy, actor="node-1")
    assert first is not None and first.call_records == 1
    assert purge_if_due(database, now=NOW + timedelta(hours=2), policy=policy, actor="node-2") is None
    with database.session() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == PURGE_ACTION)).one()
        assert event.actor == "node-1" and event.details["counts"]["call_records"] == 1
    assert purge_if_due(database, now=NOW + timedelta(hours=21), policy=policy, actor="node-2") is not None


@pytest.mark.postgres
def test_on_postgres_a_node_finding_another_purging_leaves_it_to_that_one(postgres_url: str) -> None:
    database = Database(postgres_url)
    try:
        key = {"key": int.from_bytes(b"ivpurge!", "big")}
        with database.engine.connect() as other_node:
            other_node.execute(text("SELECT pg_advisory_lock(:key)"), key)
            assert purge_if_due(database, now=NOW, policy=RetentionPolicy(), actor="node-2") is None
            other_node.execute(text("SELECT pg_advisory_unlock(:key)"), key)  # that node's purge is over
            other_node.commit()
        assert purge_if_due(database, now=NOW, policy=RetentionPolicy(), actor="node-2") is not None
    finally:
        with database.engine.begin() as connection:
            connection.execute(text("DELETE FROM audit_events"))
        database.dispose()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_on_sqlite_a_process_finding_another_purging_the_file_leaves_it_to_that_one(database: Database) -> None:
    """`ivrgraph serve` and an `ivrgraph agi` node may share an SQLite file on one host."""
    path = sqlite_file(database.url)
    assert path is not None
    with path.with_name(f"{path.name}.purge-lock").open("a") as other_process:
        fcntl.flock(other_process, fcntl.LOCK_EX)
        assert purge_if_due(database, now=NOW, policy=RetentionPolicy(), actor="agi") is None
    assert purge_if_due(database, now=NOW, policy=RetentionPolicy(), actor="agi") is not None


def test_run_purge_records_what_it_removed_in_the_audit_log(database: Database) -> None:
    _everything_old(database)
    report = run_purge(database, now=NOW, policy=RetentionPolicy(calls=timedelta(days=30)), actor="ops (cli)")
    with database.session() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == PURGE_ACTION)).one()
    assert event.details["counts"] == report.counts() and event.actor == "ops (cli)"
    assert "+34" not in str(event.details)


def test_periods_read_from_the_settings() -> None:
    policy = RetentionPolicy.from_env({"IVRGRAPH_RETAIN_CALLS": "365d", "IVRGRAPH_RETAIN_TRACES": " 13W "})
    assert policy == RetentionPolicy(calls=timedelta(days=365), traces=timedelta(weeks=13))
    assert RetentionPolicy.from_env({}).keeps_everything
    for bad in ("365", "1y", "0d", "-3d", "d"):
        with pytest.raises(ValueError, match="IVRGRAPH_RETAIN_AUDIT"):
            RetentionPolicy.from_env({"IVRGRAPH_RETAIN_AUDIT": bad})
    assert parse_period("2w") == timedelta(days=14)


def _traces(database: Database) -> dict[str, object]:
    with database.session() as session:
        return {record.id: record.trace for record in session.scalars(select(CallRecord))}


def _everything_old(database: Database) -> None:
    """One of each kind of record, all of them old."""
    write_calls(database, {"call_id": "old", "started_at": NOW - 400 * DAY})
    with database.session() as session:
        add_job(session, "+34600000001", created_at=NOW - 400 * DAY)
        add_campaign(session, ["+34600000002"], created_at=NOW - 400 * DAY)
        add_event(session, at=NOW - 400 * DAY, details={"number": "+34600000001"})
        add_key(session, username="crm", key="k", created_at=NOW - 400 * DAY, response={"number": "+34600000001"})
