"""A callback's record names whom it rang, whatever became of the call: found by the client's number and name.

Two-node chaos review (an outbound campaign through designer_ui/e2e/fake_pbx.py, one node cut off from the
database): a callback whose job the node could not load (IVRGRAPH_STATUS=JOB_UNAVAILABLE) was recorded as dialled to
the dialplan's extension (`s`, or the DNID Asterisk gave), so `GET /api/calls?caller=<number>` did not find it;
`ivrgraph records replay` wrote the spooled records of callbacks without the client's name and number; and a failed
look-up of the clients was logged at debug, its batch written unnamed for good. Now the records are named after the
job as they are written (`agi_server.node.name_callees`), on the node and by the replay alike; a look-up the database
cannot answer fails its batch as the insert would (kept, spooled, named once written); any other failure is a
WARNING, at most once a minute, the records written as Asterisk named them.

Real components: `run_database_agi` on SQLite, its dialer over TCP to the fake AMI (tests/fakes/ami.py), whose
answered callee places its FastAGI call into the node (tests/fakes/asterisk.py); the replay through `ivrgraph`'s own
command line.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from agi_server import callback_arrivals
from agi_server.job_contacts import JobContact
from agi_server.job_stores import DatabaseJobStore
from agi_server.node import _callees_named
from agi_server.records import CallRecord
from agi_server.server import STATUS_VARIABLE
from agi_server.spool import spool_for
from ivrgraph.cli import main
from persistence import callbacks
from persistence.call_list_values import CONTACT
from persistence.calls import CallFilter, CallRecordWriter, list_calls
from persistence.db import Database
from tests.agi_server.test_shutdown_mid_campaign import (
    SCENARIO,
    Campaign,
    _until_originated,
    fake_asterisk,
    running_node,
)
from tests.conftest import free_port

NUMBER = "1123"  # the callee the fake AMI's c1x.txt answers
T0 = datetime(2026, 12, 14, 9, 0, tzinfo=UTC)


def _job(database: Database, number: str, name: str) -> str:
    with database.session() as session:
        return callbacks.create_job(
            session, number=number, scenario=SCENARIO, due=datetime.now(UTC), variables={CONTACT: {"nombre": name}}
        ).id


def _calls_to(database: Database, **filters: Any) -> list[Any]:
    with database.session() as session:
        stored, _ = list_calls(session, filters=CallFilter(**filters), limit=10)
    return stored


async def test_a_callback_whose_job_could_not_be_loaded_is_found_by_the_number_it_rang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dialling_env: None
) -> None:
    async def cut_off(self: DatabaseJobStore, job_id: str, **_: Any) -> None:
        raise OperationalError("SELECT", {}, Exception("connection to server at db:5432 failed"))

    monkeypatch.setattr(DatabaseJobStore, "reach", cut_off)  # the job cannot be loaded; the register can be written
    monkeypatch.setattr(callback_arrivals, "_REACH_RETRY_DELAYS", (0.01,))
    async with fake_asterisk(monkeypatch, time_scale=0.05) as fake:
        campaign = Campaign(tmp_path, fake, free_port())
        job = _job(campaign.database, NUMBER, "Ana Pérez")
        stop = asyncio.Event()
        try:
            async with running_node(campaign, deadline=2.0, stop=stop) as node:
                await _until_originated(fake)
                async with asyncio.timeout(10):
                    while not campaign.fastagi_calls:
                        await asyncio.sleep(0.02)
                stop.set()
                async with asyncio.timeout(20):
                    await node
            [callee] = campaign.fastagi_calls
            assert callee.variables[STATUS_VARIABLE] == "JOB_UNAVAILABLE"
            [record] = _calls_to(campaign.database, callback_job_id=job)
            assert (record.outcome, record.dialed_number, record.caller_name) == ("failed", NUMBER, "Ana Pérez")
            # What the Calls page's number search asks (`?caller=`): the client, on either end of the call.
            assert [call.id for call in _calls_to(campaign.database, caller=NUMBER)] == [record.id]
        finally:
            campaign.database.dispose()


def _callback_record(call_id: str, job_id: str) -> CallRecord:
    """A callback's record as a node wrote it to its spool when it could not look its client up: Asterisk's facts."""
    return CallRecord(
        call_id=call_id,
        scenario=SCENARIO,
        version=1,
        started_at=T0,
        ended_at=T0,
        outcome="failed",
        facts={"caller_id": "34910000000", "caller_name": "", "dialed_number": "s", "channel": "PJSIP/trunk-1"},
        job_id=job_id,
    )


@pytest.fixture
def database(tmp_path: Path) -> Any:
    from persistence.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'calls.sqlite3'}"
    upgrade(url)
    database = Database(url)
    yield database
    database.dispose()


def test_records_replay_names_the_callback_calls_it_writes(database: Database) -> None:
    job = _job(database, "+34600111222", "Ana Pérez")
    spool_for(database.url).put([_callback_record("r1", job)])
    assert main(["records", "replay", "--database", database.url]) == 0
    [record] = _calls_to(database, caller="+34600111222")
    assert (record.id, record.dialed_number, record.caller_name) == ("r1", "+34600111222", "Ana Pérez")


class FlakyContacts(DatabaseJobStore):
    """The node's job store, its look-up of the clients failing with `failure` while it is set."""

    def __init__(self, database: Database) -> None:
        super().__init__(database)
        self.failure: Exception | None = None

    async def contacts(self, job_ids: Any) -> dict[str, JobContact]:
        if self.failure is not None:
            raise self.failure
        return await super().contacts(job_ids)


async def test_a_look_up_the_database_cannot_answer_fails_the_batch_and_any_other_failure_is_a_warning(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    job = _job(database, "+34600111222", "Ana Pérez")
    jobs = FlakyContacts(database)
    write = _callees_named(CallRecordWriter(database), jobs)

    # The database away: the batch fails as its insert would, so the writer keeps it (retried, then spooled)...
    jobs.failure = OperationalError("SELECT", {}, Exception("connection refused"))
    with pytest.raises(OperationalError):
        await write([_callback_record("o1", job)])
    assert _calls_to(database, callback_job_id=job) == []
    # ...and writes it named once the database answers.
    jobs.failure = None
    await write([_callback_record("o1", job)])
    [named] = _calls_to(database, callback_job_id=job)
    assert (named.dialed_number, named.caller_name) == ("+34600111222", "Ana Pérez")

    # A failure that is no outage (a bug) would fail every batch alike: written as Asterisk named them, and said.
    jobs.failure = KeyError("columns")
    with caplog.at_level(logging.DEBUG, logger="agi_server.node"):
        for index in range(3):
            await write([_callback_record(f"b{index}", job)])
    said = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "agi_server.node"]
    assert len(said) == 1 and said[0][0] == "WARNING", said  # once a minute at most, not once a batch
    assert "could not be read (KeyError" in said[0][1]
    assert sorted(call.id for call in _calls_to(database, callback_job_id=job)) == ["b0", "b1", "b2", "o1"]


def test_a_job_without_a_client_name_leaves_no_name_not_the_dialers_own() -> None:
    """Review, 2026-12-07: the register shows a dialled call as ours, "outbound → <client's name> (<number>)"; a job
    with no name in its list kept the CallerID name the dialer went out with (the company's, or the fake Asterisk's
    "Probe Test"), shown as the client's."""
    from agi_server.node import name_callees

    named, unnamed = _callback_record("n1", "job-named"), _callback_record("n2", "job-unnamed")
    for record in (named, unnamed):
        record.facts["caller_name"] = "ACME Cobros"
    name_callees(
        [named, unnamed],
        {"job-named": JobContact("+34600111222", "Ana Pérez"), "job-unnamed": JobContact("+34600333444", "")},
    )
    assert [(r.facts["caller_name"], r.facts["dialed_number"]) for r in (named, unnamed)] == [
        ("Ana Pérez", "+34600111222"),
        ("", "+34600333444"),
    ]
