"""`ivrgraph_dialer_attempts_total{outcome="hung_up_early"}`, end to end: the real dialer rings a campaign's client
through the fake AMI, the fake Asterisk calls the real FastAGI server with the node's own `call_ended` hook
(agi_server.node.DatabaseRuntime), and the client hangs up in the greeting. The answer is counted `answered` when the
dialer settles it; the early hangup is only known as the FastAGI call ends, after it, so it is counted under
`hung_up_early` as well (a counter never goes down): an early hangup counted only as `answered` told an operator the
campaign's clients heard it (operations review). A client who pressed 1 and then hung up chose: `answered` only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agi_server.ami import AmiClient
from agi_server.dialer import Dialer
from agi_server.job_stores import DatabaseJobStore
from agi_server.metrics import AgiMetrics
from agi_server.node import DatabaseRuntime
from agi_server.scenarios import folder_source
from agi_server.server import AgiServer, AgiServerConfig
from blocks import default_registry
from graph_engine.services import FixedClock, Services, SilentTts
from persistence import call_lists, callbacks
from persistence.calls import CallRecordWriter
from persistence.db import Database
from tests.agi_server.conftest import EXAMPLES
from tests.agi_server.test_dialer import T0, make_dialer, settle
from tests.agi_server.test_hung_up_early_campaign import (
    HANGS_UP_IN_THE_GREETING,
    PRESSES_1_AND_HANGS_UP,
    SCENARIO,
    _callee_calls,
)
from tests.fakes.ami import FakeAmi
from tests.fakes.asterisk import CallerScript
from tests.fakes.asterisk import FakeCall as AgiTranscript
from tests.persistence.published import migrated_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with migrated_database(request.param, tmp_path, "early_metrics", SCENARIO) as database:
        yield database


class _Watched:
    """The dialer as the metrics read it (agi_server.metrics.DialerState), for a dialer the test drives pass by pass."""

    def __init__(self, dialer: Dialer) -> None:
        self.dialer = dialer
        self.ami_connected, self.gave_up, self.refused, self.trunk_down = True, False, False, False
        self.schema_newer, self.dialling_held, self.pass_failures = None, False, 0

    @property
    def active_lines(self) -> int:
        return self.dialer.active_lines

    @property
    def attempts(self) -> dict[str, int]:
        return self.dialer.attempts


def _attempts(metrics: AgiMetrics) -> dict[str, float]:
    prefix = 'ivrgraph_dialer_attempts_total{outcome="'
    return {
        line[len(prefix) :].split('"', 1)[0]: float(line.split()[-1])
        for line in metrics.exposition().decode().splitlines()
        if line.startswith(prefix)
    }


async def _campaign_call(database: Database, fake: FakeAmi, ami: AmiClient, script: CallerScript) -> AgiMetrics:
    """The campaign's client (it asks to call again a client who hangs up early) dialled once by a node's runtime."""
    clock = FixedClock(T0)
    campaign = call_lists.Campaign(due=T0, max_attempts=3, retry_hung_up_early=True)
    planned = call_lists.plan_jobs([{"phone": "1123", "name": "Ana", "debt_amount": "120"}], number_column="phone",
                                   declared={"debt_amount": "number"}, campaign=campaign)  # fmt: skip
    with database.session() as session:
        _, (job_id,) = call_lists.schedule(session, scenario=SCENARIO, jobs=planned, campaign=campaign)
    runtime = DatabaseRuntime(database, poll_seconds=60, tts=SilentTts())
    dialer = make_dialer(DatabaseJobStore(database), ami, clock)
    runtime._dialing = dialer  # as `start` wires the dialer it starts, here one the test drives pass by pass
    metrics = AgiMetrics()
    metrics.watch_dialer(_Watched(dialer))
    node = AgiServer(
        AgiServerConfig(port=0, shutdown_deadline=2.0),
        source=folder_source(EXAMPLES),
        registry=default_registry(),
        services=Services(clock=clock),
        write_batch=CallRecordWriter(database),
        resolve_inputs=runtime.resolve_inputs,
        call_ended=runtime.call_ended,
    )
    await node.start()
    transcripts: list[AgiTranscript] = []
    _callee_calls(fake, node, script, transcripts)
    try:
        assert await dialer.run_once() == [job_id]
        await settle(dialer)
    finally:
        await node.stop(deadline=1.0)
        runtime.close()
    assert len(transcripts) == 1
    with database.session() as session:
        attempts = [a.outcome for a in callbacks.list_attempts(session, job_id=job_id)]
    assert attempts == (["hung_up_early"] if script is HANGS_UP_IN_THE_GREETING else ["answered"])
    return metrics


async def test_an_early_hangup_is_counted_under_its_own_outcome_and_stays_in_answered(
    database: Database, fake: FakeAmi, ami: AmiClient
) -> None:
    counted = _attempts(await _campaign_call(database, fake, ami, HANGS_UP_IN_THE_GREETING))
    assert counted["answered"] == 1
    assert counted["hung_up_early"] == 1


async def test_a_client_who_chose_and_then_hung_up_is_answered_only(
    database: Database, fake: FakeAmi, ami: AmiClient
) -> None:
    counted = _attempts(await _campaign_call(database, fake, ami, PRESSES_1_AND_HANGS_UP))
    assert (counted["answered"], counted["hung_up_early"]) == (1, 0)


def test_the_early_hangup_series_exists_from_the_start_and_its_help_says_answered_keeps_it() -> None:
    metrics = AgiMetrics()
    metrics.watch_dialer(_Watched(_NoAttemptsYet()))  # type: ignore[arg-type]
    text = metrics.exposition().decode()
    assert 'ivrgraph_dialer_attempts_total{outcome="hung_up_early"} 0.0' in text  # an alert on increase() sees it
    help_line = next(line for line in text.splitlines() if line.startswith("# HELP ivrgraph_dialer_attempts_total"))
    assert "hung_up_early" in help_line and "answered too" in help_line


class _NoAttemptsYet:
    active_lines = 0

    @property
    def attempts(self) -> dict[str, int]:
        return {}
