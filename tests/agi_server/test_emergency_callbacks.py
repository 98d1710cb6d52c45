"""Over real TCP, on SQLite and PostgreSQL: a caller whose CallerID says 112 (it can be spoofed) misses the queue of
missed-call, whose Callback block would call them back. No job is made: the call goes on through the block's
`rejected` exit (an expected outcome: the call is not failed) and the call register says why. A job for 112 stored
all the same (before this check, or by an integration) is never Originated: the dialer ends it at once (outcome
`emergency_number`, no attempt counted), and the fake AMI receives nothing."""

from __future__ import annotations

import json
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
from agi_server.scenarios import CachedScenarioSource, folder_source
from agi_server.server import AgiServer, AgiServerConfig
from blocks import default_registry
from graph_engine.services import FixedClock, Services
from persistence import callbacks
from persistence.calls import CallFilter, CallRecordWriter, get_call, list_calls
from persistence.db import Database
from persistence.models import CallbackJob
from persistence.phone_numbers import configure_default_country, configured_default_country
from tests.agi_server.conftest import EXAMPLES
from tests.conftest import make_document
from tests.fakes.ami import FakeAmi
from tests.fakes.asterisk import CallerScript, FakeAsterisk, FakeCall, default_env
from tests.persistence.published import migrated_database

NOW = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)  # a Monday, noon in Madrid: inside missed-call's callback hours


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    before = configured_default_country()
    configure_default_country(None)  # every region's emergency numbers, as a node without IVRGRAPH_DEFAULT_COUNTRY
    try:
        with migrated_database(request.param, tmp_path, "emergency", "callback-connect", "debt") as database:
            yield database
    finally:
        configure_default_country(before)


async def _call_from_112(
    database: Database, source: CachedScenarioSource, slug: str
) -> tuple[FakeCall, dict[str, Any]]:
    """One call into `slug` from CallerID 112 whose queue is busy; what the fake saw, and the call's record."""
    clock = FixedClock(NOW)
    agi = AgiServer(
        AgiServerConfig(port=0, shutdown_deadline=2.0),
        source=source,
        registry=default_registry(),
        services=Services(clock=clock, scheduler=callbacks.DatabaseCallbackScheduler(database, now=clock.now)),
        write_batch=CallRecordWriter(database),
    )
    await agi.start()
    try:
        env = default_env(slug, agi_callerid="112")
        caller = FakeAsterisk("127.0.0.1", agi.port, env=env, script=CallerScript(far_end=["busy"]), time_scale=0.001)
        call = await caller.run(timeout=10)
    finally:
        await agi.stop(deadline=2.0)  # the call's record is written by then
    with database.session() as session:
        assert callbacks.list_jobs(session) == []  # no job, for 112 or anyone
        (listed,) = list_calls(session, filters=CallFilter(scenario=slug), limit=10)[0]
        record = get_call(session, call_id=listed.id)
        return call, {"trace": record.trace, "outcome": record.outcome}


def _refused_at_later(trace: dict[str, Any]) -> None:
    (later,) = [step for step in trace["steps"] if step["node"] == "later"]
    assert (later["exit"], later["error"]) == ("rejected", None)
    assert later["events"] == [{"kind": "callback_rejected", "reason": "emergency number", "number": "112"}]


async def test_a_caller_id_of_112_asking_the_missed_call_example_for_a_callback_gets_none(database: Database) -> None:
    """missed-call wires its Callback block's `rejected` exit to a Hang Up: the call goes there, its trace saying
    why. (It once took the error exit, unwired there: the call ended as `failed`.)"""
    call, record = await _call_from_112(database, folder_source(EXAMPLES), "missed-call")
    assert call.commands[-2:] == ['GET VARIABLE "QUEUESTATUS"', "HANGUP"]  # hung up by the scenario, no crash
    _refused_at_later(record["trace"])
    assert [step["node"] for step in record["trace"]["steps"]][-2:] == ["later", "noluck"]
    assert record["outcome"] == "hung_up"


async def test_a_scenario_wiring_the_callbacks_rejected_exit_goes_on_from_it(
    database: Database, tmp_path: Path
) -> None:
    document = make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "queue", "type": "transfer", "config": {"target": "queue:support", "timeout": 60}},
            {
                "id": "later",
                "type": "callback",
                "config": {"number": "{{ caller_id }}", "scenario": "callback-connect"},
            },
            {"id": "sorry", "type": "say_phrase", "config": {"text": "No podemos devolverle la llamada."}},
            {"id": "bye", "type": "hangup"},
        ],
        [
            ("start", "next", "queue"),
            ("queue", "busy", "later"),
            ("later", "rejected", "sorry"),
            ("later", "scheduled", "bye"),
            ("later", "error", "bye"),
            ("sorry", "next", "bye"),
        ],
    )
    (tmp_path / "support-line.json").write_text(json.dumps(document), encoding="utf-8")
    call, record = await _call_from_112(database, folder_source(tmp_path), "support-line")
    _refused_at_later(record["trace"])
    assert [step["node"] for step in record["trace"]["steps"]] == ["start", "queue", "later", "sorry", "bye"]
    assert call.commands[-1] == "HANGUP"
    assert record["outcome"] == "hung_up"  # the scenario's own Hang Up, the call not failed


async def test_a_stored_job_for_112_is_never_originated(
    database: Database, fake: FakeAmi, ami: AmiClient, caplog: pytest.LogCaptureFixture
) -> None:
    with database.session() as session:  # as an integration writing to the table, or a job from before the check
        session.execute(
            insert(CallbackJob),
            [{"id": "sos-1", "number": "112", "scenario": "debt", "due": NOW, "variables": {}, "attempts": 0,
              "max_attempts": 3, "status": "pending", "created_at": NOW}],
        )  # fmt: skip
        ordinary = callbacks.create_job(session, number="1123", scenario="debt", due=NOW).id
    settings = DialerSettings(context="outbound-ivr", channel_template="Local/{number}@callees/n", node_id="node-a")
    dialer = Dialer(store=DatabaseJobStore(database), ami=ami, clock=FixedClock(NOW), settings=settings)
    with caplog.at_level(logging.WARNING, logger="agi_server.dialer"):
        assert await dialer.run_once() == [ordinary]  # the job for 112 takes no line
        await dialer.drain(timeout=10)
    assert [action.get("Channel") for action in fake.actions("Originate")] == ["Local/1123@callees/n"]
    with database.session() as session:
        job = callbacks.get_job(session, job_id="sos-1")
        assert callbacks.list_attempts(session, job_id="sos-1") == []  # nobody was rung: no attempt
    # Ended for good (never tried again), its outcome saying why, as the API's refusal code does.
    assert (job.status, job.attempts, job.outcome, job.locked_by) == ("failed", 0, "emergency_number", None)
    assert {report.job_id for report in dialer.reports} == {ordinary}
    assert dialer.attempts["emergency_number"] == 1
    assert (
        "callback job sos-1 not dialled: '112' is an emergency number; the job failed with outcome emergency_number, "
        "no attempt counted"
    ) in caplog.text
