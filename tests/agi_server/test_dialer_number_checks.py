"""Over real TCP against the fake AMI, on SQLite and PostgreSQL: the dialer checks each claimed job's number with the
rules `POST /api/callbacks` refuses numbers by (`persistence.callbacks.undialable`) before any Originate. A job stored
before a rule came in or changed (a default country set since), or written to the table by an integration or an
older version, for an emergency number or one no phone has, is never rung: it ends failed with the API's refusal
code as its outcome, no attempt logged or counted, a WARNING naming it, in the metrics and a campaign's report."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from agi_server.ami import AmiClient
from agi_server.dialer import Dialer
from agi_server.dialer_settings import DialerSettings
from agi_server.job_stores import DatabaseJobStore
from graph_engine.services import FixedClock
from persistence import call_lists, callbacks, campaign_reports
from persistence.db import Database
from persistence.models import CallbackJob
from persistence.phone_numbers import configure_default_country, configured_default_country
from tests.fakes.ami import FakeAmi
from tests.persistence.published import migrated_database

NOW = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    before = configured_default_country()
    configure_default_country(None)  # as a node without IVRGRAPH_DEFAULT_COUNTRY, until a test sets one
    try:
        with migrated_database(request.param, tmp_path, "numbers", "debt") as database:
            yield database
    finally:
        configure_default_country(before)


def _stored(database: Database, *jobs: tuple[str, str]) -> None:
    """Jobs written straight to the table, as an older version or an integration did: no check on the way in."""
    rows: list[dict[str, Any]] = [
        {"id": job_id, "number": number, "scenario": "debt", "due": NOW, "variables": {}, "attempts": 0,
         "max_attempts": 3, "status": "pending", "created_at": NOW}
        for job_id, number in jobs
    ]  # fmt: skip
    with database.session() as session:
        session.execute(insert(CallbackJob), rows)


def _dialer(database: Database, ami: AmiClient) -> Dialer:
    settings = DialerSettings(context="outbound-ivr", channel_template="Local/{number}@callees/n", node_id="node-a")
    return Dialer(store=DatabaseJobStore(database), ami=ami, clock=FixedClock(NOW), settings=settings)


def _ended(database: Database, job_id: str) -> tuple[str, int, str | None, str | None, int]:
    with database.session() as session:
        job = callbacks.get_job(session, job_id=job_id)
        logged = len(callbacks.list_attempts(session, job_id=job_id))
        return job.status, job.attempts, job.outcome, job.locked_by, logged


async def test_emergency_and_impossible_numbers_stored_are_ended_without_an_originate(
    database: Database, fake: FakeAmi, ami: AmiClient, caplog: pytest.LogCaptureFixture
) -> None:
    _stored(
        database,
        ("sos-112", "112"),
        ("sos-911", "911"),
        ("short-7", "+7912345678"),  # nine digits where Russia's numbers have ten (the API's `too_short`)
        ("nowhere", "+9991234567"),  # no country has calling code 999 (`unknown_country_code`)
        ("client", "+34600111222"),
    )
    dialer = _dialer(database, ami)
    with caplog.at_level(logging.WARNING, logger="agi_server.dialer"):
        assert await dialer.run_once() == ["client"]  # the others take no line
        await dialer.drain(timeout=10)
    # Only the ordinary client reached Asterisk: the others were never Originated.
    assert [action.get("Channel") for action in fake.actions("Originate")] == ["Local/+34600111222@callees/n"]
    assert _ended(database, "sos-112") == ("failed", 0, "emergency_number", None, 0)
    assert _ended(database, "sos-911") == ("failed", 0, "emergency_number", None, 0)
    assert _ended(database, "short-7") == ("failed", 0, "impossible_number", None, 0)
    assert _ended(database, "nowhere") == ("failed", 0, "impossible_number", None, 0)
    assert {report.job_id for report in dialer.reports} == {"client"}  # no attempt reported for the others
    assert (dialer.attempts["emergency_number"], dialer.attempts["impossible_number"]) == (2, 2)
    warnings = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert (
        "callback job short-7 not dialled: '+7912345678' is no phone number (too_short); the job failed with outcome "
        "impossible_number, no attempt counted"
    ) in warnings
    assert [line for line in warnings if line.startswith("callback job sos-112 not dialled: '112' is an emergency")]
    # Over for good: a later pass claims none of them again.
    assert await dialer.run_once() == []
    assert len(fake.actions("Originate")) == 1


async def test_a_job_stored_before_a_default_country_was_set_is_checked_by_todays_rules(
    database: Database, fake: FakeAmi, ami: AmiClient
) -> None:
    """`8 912 345 67` was taken as an extension-like national number before IVRGRAPH_DEFAULT_COUNTRY=RU; with it set
    the API refuses it (a Russian number missing a digit), and so does the dialer for the job stored before."""
    with database.session() as session:
        stored = callbacks.create_job(session, number="891234567", scenario="debt", due=NOW).id
    configure_default_country("RU")
    dialer = _dialer(database, ami)
    assert await dialer.run_once() == []
    assert fake.actions("Originate") == []
    assert _ended(database, stored) == ("failed", 0, "impossible_number", None, 0)


async def test_a_campaign_client_with_a_stored_emergency_number_is_reported_with_its_outcome(
    database: Database, fake: FakeAmi, ami: AmiClient
) -> None:
    """A list scheduled past the row checks (by an older version): its report says why the client was not rung."""
    campaign = call_lists.Campaign(due=NOW)
    planned = [call_lists.PlannedJob("112", NOW, None, {"contact": {"phone": "112"}}, row=2, columns=("phone",)),
               call_lists.PlannedJob("600111222", NOW, None, {"contact": {"phone": "600111222"}}, row=3,
                                     columns=("phone",))]  # fmt: skip
    with database.session() as session:
        campaign_id, _ids = call_lists.schedule(session, scenario="debt", jobs=planned, campaign=campaign)
    dialer = _dialer(database, ami)
    assert len(await dialer.run_once()) == 1
    await dialer.drain(timeout=10)
    assert [action.get("Channel") for action in fake.actions("Originate")] == ["Local/600111222@callees/n"]
    with database.session() as session:
        clients = {
            client.job.number: client for client in campaign_reports.campaign_clients(session, campaign_id=campaign_id)
        }
        summary = campaign_reports.campaign_summary(session, campaign_id=campaign_id)
    sos = clients["112"]
    assert (sos.job.status, sos.outcome, sos.attempts) == ("failed", "emergency_number", 0)
    assert summary.dialled == 1  # the client rung; the one for 112 never was
