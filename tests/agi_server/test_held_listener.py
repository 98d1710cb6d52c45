"""A stopping node holds its FastAGI listener open for the callees its dialer rings, and for nobody else.

`agi_server.cli.stop_server` keeps the listener open while the node's Originates ring, so that a callee who answers
during the drain hears the scenario (tests/agi_server/test_shutdown_mid_campaign.py). It took any call meanwhile: a
new inbound call, or the callback another node dialled, ran its scenario on a node about to go away (and was cut off
at its deadline). During the hold only a call naming a job this node's dialer awaits (`?job=<id>`, as the example
dialplan's AGI() passes it) is taken; any other is refused as a stopping node refuses one, quickly and cleanly
(IVRGRAPH_STATUS=DRAINING, then the close, so the example dialplan tries the cluster once more: another node takes
it), logged, counted, and recorded under the job it names. Two-node review: it was told OVERLOADED, which the
dialplan sends to [fallback] for the whole hold, and its record named no job.

Real components: `run_database_agi` on SQLite, its dialer over TCP to the fake AMI (tests/fakes/ami.py), whose
answered callee places its FastAGI call into the node (tests/fakes/asterisk.py), and the other calls placed by the
fake Asterisk over TCP as well.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agi_server.cli import run_database_agi
from agi_server.server import STATUS_VARIABLE, AgiServer, AgiServerConfig
from persistence import callbacks
from persistence.calls import CallFilter, list_calls
from tests.agi_server.test_shutdown_mid_campaign import SCENARIO, Campaign, _until_originated, fake_asterisk
from tests.conftest import free_port
from tests.fakes.asterisk import FakeAsterisk, FakeCall, default_env, parse_args

REFUSED = [["SET", "VARIABLE", STATUS_VARIABLE, "DRAINING"]]


async def _place(port: int, path: str, uniqueid: str) -> tuple[FakeCall, float]:
    """A call into the node as Asterisk places it for AGI(agi://node/<path>), and how long it took."""
    loop = asyncio.get_running_loop()
    began = loop.time()
    env = default_env(path, request=f"agi://127.0.0.1:{port}/{path}", uniqueid=uniqueid)
    call = await FakeAsterisk("127.0.0.1", port, env=env).run(timeout=10)
    return call, loop.time() - began


async def test_a_node_holding_its_listener_takes_only_the_callbacks_its_dialer_awaits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dialling_env: None, caplog: pytest.LogCaptureFixture
) -> None:
    """SIGTERM's stop while 1123 rings (it answers 3 s after the Originate here, c1x.txt at time scale 3): a new
    inbound call and a callback naming a job of another node's arrive during the hold. Before: both ran the scenario
    on the stopping node. Now both are refused at once (the variable, then the close; no ANSWER), recorded
    `refused_stopping` and counted; the callee this node rang is still taken and hears the scenario."""
    caplog.set_level(logging.INFO, logger="agi_server")
    async with fake_asterisk(monkeypatch, time_scale=3.0) as fake:
        campaign = Campaign(tmp_path, fake, free_port())
        ours = campaign.add_job("1123")
        with campaign.database.session() as session:  # due later: this node does not dial it; another node does
            theirs = callbacks.create_job(
                session, number="+34600111222", scenario=SCENARIO, due=datetime.now(UTC) + timedelta(hours=1)
            ).id
        stop = asyncio.Event()
        started: asyncio.Future[AgiServer] = asyncio.get_running_loop().create_future()
        config = AgiServerConfig(port=campaign.agi_port, shutdown_deadline=8.0)
        node = asyncio.create_task(
            run_database_agi(config, database_url=campaign.url, stop=stop, ready=started.set_result)
        )
        try:
            await asyncio.wait({started, node}, return_when=asyncio.FIRST_COMPLETED)
            assert not node.done(), node.exception()
            server = started.result()
            await _until_originated(fake)
            stop.set()
            async with asyncio.timeout(5):
                while not server.metrics.stopping:
                    await asyncio.sleep(0.01)
            inbound, inbound_took = await _place(campaign.agi_port, SCENARIO, "pbx1-inbound")
            foreign, foreign_took = await _place(campaign.agi_port, f"{SCENARIO}?job={theirs}", "pbx1-foreign")
            assert campaign.fastagi_calls == []  # the hold was on while they came: our callee had not answered yet
            async with asyncio.timeout(20):
                await node
            refused = server.metrics.refused.labels("stopping")._value.get()
            status_of_theirs = campaign.job(theirs)
            with campaign.database.session() as session:
                stored, _ = list_calls(session, filters=CallFilter(scenario=SCENARIO), limit=10)
                outcomes = sorted((row.asterisk_uniqueid, row.outcome, row.callback_job_id) for row in stored)
                numbers = {row.asterisk_uniqueid: row.dialed_number for row in stored}
        finally:
            if not node.done():
                node.cancel()
                await asyncio.wait({node}, timeout=10)
            campaign.database.dispose()

    for call, took in ((inbound, inbound_took), (foreign, foreign_took)):
        assert [parse_args(line) for line in call.commands] == REFUSED  # never answered, no scenario ran
        assert call.server_half_closed and took < 1.0, took
    assert refused == 2
    [callee] = campaign.fastagi_calls  # the callee this node rang is taken still, and hears the scenario
    assert any(command.startswith("STREAM FILE") for command in callee.commands), callee.commands
    assert campaign.job(ours)[:2] == ("done", 1)
    assert status_of_theirs[:2] == ("pending", 0)  # never reached on this node: its own node's callee
    [callback_record] = [row for row in outcomes if row[2] == ours]
    assert callback_record[1] == "hung_up"
    # Every attempt of the other node's job is listed under it (`?callback_job_id=`), and found by its number.
    assert ("pbx1-foreign", "refused_stopping", theirs) in outcomes
    assert numbers["pbx1-foreign"] == "+34600111222"
    assert ("pbx1-inbound", "refused_stopping", None) in outcomes
    said = [record.getMessage() for record in caplog.records]
    assert sum("refused a FastAGI call" in line and "stopping" in line for line in said) == 2, said
