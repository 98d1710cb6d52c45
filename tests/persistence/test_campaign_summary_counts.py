"""A campaign's summary is counted by the database (`campaign_reports.campaign_summary`, grouped in SQL), and says what
its report's rows say (`campaign_clients`), to the unit: the figures are compared with the way they were counted before,
every client's report row folded in Python (`bench.campaign_summary.figures_by_client`), on campaigns well under
way. The API's campaign page asks for it every 15 s while open: it took 1.4-1.7 s for 20,000 clients on SQLite
(review of the HTTP API by a CRM integrator, 2026-12)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, func, select

from bench.campaign_summary import figures, figures_by_client, seed_campaign
from persistence import campaign_reports
from persistence.db import Database
from persistence.models import CallbackJob, CallRecord


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_counted_summary_says_what_the_reports_rows_say(database: Database, seed: int) -> None:
    campaign_id = seed_campaign(database, clients=600, seed=seed)
    with database.session() as session:
        counted = figures(campaign_reports.campaign_summary(session, campaign_id=campaign_id))
        by_client = figures_by_client(session, campaign_id=campaign_id)
        _assert_varied(session, campaign_id)
    assert counted == by_client
    # The campaign is one where each figure counts something.
    assert counted.jobs == 600 and len(counted.statuses) == 6 and counted.next_due is not None
    assert counted.reached and counted.failed_calls and counted.results and counted.spared
    assert 0 < counted.dialled < counted.jobs


def _assert_varied(session: Any, campaign_id: str) -> None:
    """What could tell two ways of counting apart is there: clients promised several callbacks, two made at the
    same instant (their ids decide the newest); two calls of a client started at the same instant (their ids decide
    the last); a callback filed under no client's row, with calls; last calls failed, without a result, or with ""."""
    of_campaign = CallbackJob.campaign_id == campaign_id
    promised = CallbackJob.origin_call_id.is_not(None)
    same_instant = (
        select(CallbackJob.campaign_row)
        .where(of_campaign, promised)
        .group_by(CallbackJob.campaign_row, CallbackJob.created_at)
        .having(func.count() > 1)
    )
    assert session.execute(same_instant).first() is not None
    calls_at_once = (
        select(CallbackJob.campaign_row)
        .join(CallRecord, CallRecord.callback_job_id == CallbackJob.id)
        .where(of_campaign)
        .group_by(CallbackJob.campaign_row, CallRecord.started_at)
        .having(func.count() > 1)
    )
    assert session.execute(calls_at_once).first() is not None
    listed_rows = select(CallbackJob.campaign_row).where(of_campaign, CallbackJob.origin_call_id.is_(None))
    orphan_calls = (
        select(func.count())
        .select_from(CallRecord)
        .join(CallbackJob, CallRecord.callback_job_id == CallbackJob.id)
        .where(of_campaign, CallbackJob.campaign_row.not_in(listed_rows))
    )
    assert session.scalar(orphan_calls)
    results = (
        select(CallRecord.result).join(CallbackJob, CallRecord.callback_job_id == CallbackJob.id).where(of_campaign)
    )
    assert {None, ""} <= set(session.scalars(results))


def test_the_summary_is_counted_in_one_query_whatever_the_campaigns_size(database: Database) -> None:
    """It read every client's jobs and calls, 500 clients a time: three queries for each 500, and a row each."""
    campaign_id = seed_campaign(database, clients=1600, seed=4)
    statements: list[str] = []

    def capture(*arguments: object) -> None:
        statements.append(str(arguments[2]))

    event.listen(database.engine, "before_cursor_execute", capture)
    try:
        with database.session() as session:
            summary = campaign_reports.campaign_summary(session, campaign_id=campaign_id)
    finally:
        event.remove(database.engine, "before_cursor_execute", capture)
    assert summary.jobs == 1600
    reads = [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    assert len(reads) == 2, reads  # the campaign, and its clients counted
