"""Over real TCP, on SQLite and PostgreSQL, with IVRGRAPH_DEFAULT_COUNTRY=ES: a caller whose queue is busy asks
missed-call's Callback block for a callback, from a CallerID no phone on the trunk has (an extension "123", a
truncated "+34112", a padded one) or an emergency number ("112"). No job is made, the block takes its `rejected`
exit (the call goes on along that edge, not failed), and the call's record says why. A real number is scheduled."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from agi_server.scenarios import folder_source
from agi_server.server import AgiServer, AgiServerConfig
from blocks import default_registry
from graph_engine.services import FixedClock, Services
from persistence import callbacks
from persistence.calls import CallFilter, CallRecordWriter, get_call, list_calls
from persistence.db import Database
from tests.agi_server.conftest import EXAMPLES
from tests.fakes.asterisk import CallerScript, FakeAsterisk, default_env
from tests.persistence.published import migrated_database

NOW = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)  # a Monday, noon in Madrid: inside missed-call's callback hours


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path, in_spain: None) -> Iterator[Database]:
    # As `ivrgraph agi` with IVRGRAPH_DEFAULT_COUNTRY=ES.
    with migrated_database(request.param, tmp_path, "refused_numbers", "callback-connect") as database:
        yield database


async def _missed_call_from(database: Database, caller_id: str) -> tuple[list[str], dict[str, Any]]:
    """One call into missed-call from `caller_id` whose queue is busy: the AGI commands, and the call's record."""
    clock = FixedClock(NOW)
    agi = AgiServer(
        AgiServerConfig(port=0, shutdown_deadline=2.0),
        source=folder_source(EXAMPLES),
        registry=default_registry(),
        services=Services(clock=clock, scheduler=callbacks.DatabaseCallbackScheduler(database, now=clock.now)),
        write_batch=CallRecordWriter(database),
    )
    await agi.start()
    try:
        env = default_env("missed-call", agi_callerid=caller_id)
        caller = FakeAsterisk("127.0.0.1", agi.port, env=env, script=CallerScript(far_end=["busy"]), time_scale=0.001)
        call = await caller.run(timeout=10)
    finally:
        await agi.stop(deadline=2.0)  # the call's record is written by then
    with database.session() as session:
        (listed,) = list_calls(session, filters=CallFilter(scenario="missed-call"), limit=10)[0]
        record = get_call(session, call_id=listed.id)
        return call.commands, {"trace": record.trace, "outcome": record.outcome}


def _jobs(database: Database) -> list[str]:
    with database.session() as session:
        return [job.number for job in callbacks.list_jobs(session)]


@pytest.mark.parametrize(
    ("caller_id", "reason"),
    [
        ("123", "impossible number (too_short)"),  # an extension: no Spanish phone has three digits
        ("1234567", "impossible number (too_short)"),  # a national number cut short by the trunk
        ("+34112", "impossible number (too_short)"),  # with a country code, 112 is no emergency call, nor a phone
        ("+346001234567890", "impossible number (too_long)"),  # spoofed, padded
        ("+999123456", "impossible number (unknown_country_code)"),
        ("112", "emergency number"),
    ],
)
async def test_a_caller_id_no_phone_has_takes_the_rejected_exit_and_makes_no_job(
    database: Database, caller_id: str, reason: str
) -> None:
    commands, record = await _missed_call_from(database, caller_id)
    assert _jobs(database) == []
    (later,) = [step for step in record["trace"]["steps"] if step["node"] == "later"]
    assert (later["exit"], later["error"]) == ("rejected", None)
    assert later["events"] == [{"kind": "callback_rejected", "reason": reason, "number": caller_id}]
    # On along the rejected edge to the scenario's own Hang Up: the call is not failed.
    assert [step["node"] for step in record["trace"]["steps"]][-2:] == ["later", "noluck"]
    assert record["outcome"] == "hung_up"
    assert commands[-1] == "HANGUP"


@pytest.mark.parametrize("caller_id", ["600123456", "+34600123456"])
async def test_a_real_number_is_still_called_back(database: Database, caller_id: str) -> None:
    _, record = await _missed_call_from(database, caller_id)
    assert _jobs(database) == [caller_id]
    (later,) = [step for step in record["trace"]["steps"] if step["node"] == "later"]
    assert later["exit"] == "scheduled"
    assert [step["node"] for step in record["trace"]["steps"]][-3:] == ["later", "promise", "bye"]
