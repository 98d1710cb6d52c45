"""A campaign's client who hangs up before the message ends is called again when the campaign asks for it
(`retry_hung_up_early`), end to end: the real dialer rings 1123 through the fake AMI (c1x.txt: the callee answers
and the dialplan runs AGI()), the fake Asterisk calls the real FastAGI server, and the server, as the call ends,
moves the job on as after a no-answer attempt (agi_server.callback_arrivals.early_hangup_retrier). A client who
pressed 1 (the scenario set `result`) and then hung up chose, and is not called again.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from agi_server.ami import AmiClient
from agi_server.callback_arrivals import callback_resolver, early_hangup_retrier
from agi_server.job_stores import DatabaseJobStore
from agi_server.scenarios import folder_source
from agi_server.server import AgiServer, AgiServerConfig
from blocks import default_registry
from graph_engine.services import FixedClock, Services
from persistence import call_lists, callbacks
from persistence.calls import CallFilter, CallRecordWriter, list_calls
from persistence.db import Database
from tests.agi_server.conftest import EXAMPLES
from tests.agi_server.test_dialer import T0, make_dialer, settle
from tests.fakes.ami import FakeAmi, FakeCall
from tests.fakes.asterisk import CallerScript, FakeAsterisk, default_env
from tests.fakes.asterisk import FakeCall as AgiTranscript
from tests.persistence.published import migrated_database

SCENARIO = "debt-reminder"
NO_ANSWER_RETRY = timedelta(minutes=15)  # the dialer's default no-answer interval (IVRGRAPH_DIAL_RETRY_NO_ANSWER)
HANGS_UP_IN_THE_GREETING = CallerScript(hangup_at_command=1)  # ANSWER, then gone as the greeting starts
# Presses 1 (the scenario sets result=will_pay), then hangs up on the thanks.
PRESSES_1_AND_HANGS_UP = CallerScript(keys=["1"], hangup_at_command=4)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with migrated_database(request.param, tmp_path, "hung_up_early", SCENARIO) as database:
        yield database


def _campaign_job(database: Database, *, retry: bool) -> str:
    campaign = call_lists.Campaign(due=T0, max_attempts=3, retry_hung_up_early=retry)
    rows = [{"phone": "1123", "name": "Ana", "debt_amount": "120"}]
    planned = call_lists.plan_jobs(rows, number_column="phone", declared={"debt_amount": "number"}, campaign=campaign)
    with database.session() as session:
        _, (job_id,) = call_lists.schedule(session, scenario=SCENARIO, jobs=planned, campaign=campaign)
    return job_id


def _callee_calls(fake: FakeAmi, server: AgiServer, script: CallerScript, transcripts: list[AgiTranscript]) -> None:
    """When a capture shows the dialplan's AGI() connecting, Asterisk calls `server` as the example outbound
    context does; the callee behaves as `script` says."""

    async def agi(call: FakeCall) -> None:
        path = f"{call.variables['IVR_SCENARIO']}?job={call.variables['JOB_ID']}"
        env = default_env(path, agi_callerid="5550100", agi_extension="s", agi_context="ivrgraph-outbound")
        transcripts.append(await FakeAsterisk("127.0.0.1", server.port, env=env, script=script).run(timeout=10))

    fake.on_fastagi = agi


async def _one_campaign_call(
    database: Database, fake: FakeAmi, ami: AmiClient, *, retry: bool, script: CallerScript
) -> tuple[str, FixedClock, list[AgiTranscript], list[str]]:
    """The campaign's client dialled once; the job id, the clock, the FastAGI transcripts, and the claims of
    passes made after the no-answer interval."""
    clock = FixedClock(T0)
    job_id = _campaign_job(database, retry=retry)
    store = DatabaseJobStore(database)
    node = AgiServer(
        AgiServerConfig(port=0, shutdown_deadline=2.0),
        source=folder_source(EXAMPLES),
        registry=default_registry(),
        services=Services(clock=clock),
        write_batch=CallRecordWriter(database),
        resolve_inputs=callback_resolver(store, clock),
        call_ended=early_hangup_retrier(store, retry_after=NO_ANSWER_RETRY),
    )
    await node.start()
    transcripts: list[AgiTranscript] = []
    _callee_calls(fake, node, script, transcripts)
    try:
        dialer = make_dialer(DatabaseJobStore(database), ami, clock)
        assert await dialer.run_once() == [job_id]
        await settle(dialer)
        clock.advance(NO_ANSWER_RETRY.total_seconds() - 1)
        assert await dialer.run_once() == []  # never before the interval
        clock.advance(1)
        again = await dialer.run_once()
        await settle(dialer)
    finally:
        await node.stop(deadline=1.0)
    return job_id, clock, transcripts, again


def _calls(database: Database, job_id: str) -> list[tuple[str, str | None]]:
    """The job's calls as recorded: their outcome and `result`."""
    with database.session() as session:
        calls, _ = list_calls(session, filters=CallFilter(callback_job_id=job_id), limit=10)
        return [(call.outcome, (call.variables or {}).get("result")) for call in calls]


def _stored(database: Database, job_id: str) -> tuple[str, str | None, int, list[str | None]]:
    with database.session() as session:
        job = callbacks.get_job(session, job_id=job_id)
        attempts = [a.outcome for a in callbacks.list_attempts(session, job_id=job_id)]
        return job.status, job.outcome, job.attempts, attempts


async def test_a_client_who_hangs_up_in_the_greeting_is_called_again_with_the_option(
    database: Database, fake: FakeAmi, ami: AmiClient
) -> None:
    job_id, _, transcripts, again = await _one_campaign_call(
        database, fake, ami, retry=True, script=HANGS_UP_IN_THE_GREETING
    )
    assert again == [job_id]  # due again after the no-answer interval, and dialled
    assert len(transcripts) == 2
    # The second call hung up early too: due again, its attempts (3) not used up yet.
    assert _stored(database, job_id) == ("pending", "hung_up_early", 2, ["hung_up_early", "hung_up_early"])


async def test_without_the_option_the_client_is_not_called_again(
    database: Database, fake: FakeAmi, ami: AmiClient
) -> None:
    job_id, _, transcripts, again = await _one_campaign_call(
        database, fake, ami, retry=False, script=HANGS_UP_IN_THE_GREETING
    )
    assert again == [] and len(transcripts) == 1
    assert _stored(database, job_id) == ("done", "answered", 1, ["answered"])
    assert _calls(database, job_id) == [("caller_hangup", "no_response")]


async def test_a_client_who_pressed_1_and_hung_up_is_not_called_again(
    database: Database, fake: FakeAmi, ami: AmiClient
) -> None:
    job_id, _, transcripts, again = await _one_campaign_call(
        database, fake, ami, retry=True, script=PRESSES_1_AND_HANGS_UP
    )
    assert again == [] and len(transcripts) == 1
    assert _stored(database, job_id) == ("done", "answered", 1, ["answered"])
    assert _calls(database, job_id) == [("caller_hangup", "will_pay")]  # hung up on the thanks: chose all the same
