"""Over real TCP: a campaign's client answers (FastAGI gets "debt-reminder?job=<id>"), asks for an operator, the
collections queue is busy and the scenario promises a callback. That callback is the campaign's: the analyst who
stops the list stops it, and the report reads that client once, with their call's answer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agi_server.callback_arrivals import callback_resolver
from agi_server.job_stores import DatabaseJobStore
from agi_server.scenarios import folder_source
from agi_server.server import AgiServer, AgiServerConfig
from blocks import default_registry
from graph_engine.services import FixedClock, Services
from persistence import call_lists, callbacks, campaign_reports, campaign_stop
from persistence.calls import CallRecordWriter
from persistence.db import Database
from tests.agi_server.conftest import EXAMPLES
from tests.fakes.asterisk import CallerScript, FakeAsterisk, default_env
from tests.persistence.published import migrated_database

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday, 11:00 in Madrid: inside debt-reminder's hours


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with migrated_database(request.param, tmp_path, "follow_up", "debt-reminder") as database:
        yield database


async def test_the_callback_a_campaigns_call_promised_stops_with_the_campaign(database: Database) -> None:
    campaign = call_lists.Campaign(due=NOW)
    rows = [{"phone": "600111222", "name": "Ana", "debt_amount": "120"}]
    planned = call_lists.plan_jobs(rows, number_column="phone", declared={"debt_amount": "number"}, campaign=campaign)
    with database.session() as session:
        campaign_id, (job_id,) = call_lists.schedule(session, scenario="debt-reminder", jobs=planned, campaign=campaign)
    with database.session() as session:
        assert [job.id for job in callbacks.claim_due_jobs(session, now=NOW, limit=1, node_id="n1")] == [job_id]
    clock = FixedClock(NOW)
    agi = AgiServer(
        AgiServerConfig(port=0, shutdown_deadline=2.0),
        source=folder_source(EXAMPLES),
        registry=default_registry(),
        services=Services(clock=clock, scheduler=callbacks.DatabaseCallbackScheduler(database, now=clock.now)),
        write_batch=CallRecordWriter(database),
        resolve_inputs=callback_resolver(DatabaseJobStore(database), clock),
    )
    await agi.start()
    try:
        # The client presses 2 (operator); the queue is busy: "we'll call you later".
        script = CallerScript(keys=["2"], far_end=["busy"])
        callee = FakeAsterisk("127.0.0.1", agi.port, env=default_env(f"debt-reminder?job={job_id}"), script=script)
        await callee.run(timeout=10)
    finally:
        await agi.stop(deadline=2.0)  # the call's record is written by then
    with database.session() as session:
        (follow_up,) = callbacks.list_jobs(session, status="pending")
        assert (follow_up.number, follow_up.campaign_id, follow_up.campaign_row) == ("600111222", campaign_id, 1)
        summary = campaign_reports.campaign_summary(session, campaign_id=campaign_id)
        assert (summary.jobs, summary.statuses, summary.results) == (1, {"pending": 1}, {"operator_unavailable": 1})
    with database.session() as session:  # ten minutes later the analyst stops the list started by mistake
        assert campaign_stop.cancel(session, campaign_id=campaign_id, now=NOW + timedelta(minutes=10)) == 1
    with database.session() as session:
        assert callbacks.claim_due_jobs(session, now=NOW + timedelta(hours=2), limit=10, node_id="n1") == []
        (listed,) = campaign_reports.campaigns(session)
        assert (listed.jobs, listed.statuses) == (1, {"cancelled": 1})
