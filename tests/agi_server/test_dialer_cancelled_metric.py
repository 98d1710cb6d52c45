"""The dialer's attempts counter has a series for an attempt cancelled at shutdown from the start.

A call still ringing when the node stops is hung up and its attempt logged `cancelled` (agi_server.dialer
`SHUTDOWN_HANGUP`), uncounted against the client. `ivrgraph_dialer_attempts_total` lists every outcome at 0 from the
start (an alert on increase() sees nothing of a series whose first sample is already 1), but `cancelled` was not
among them (agi_server.metrics.DIAL_OUTCOMES): its series appeared only with its first attempt. Over real TCP to the
fake AMI (tests/fakes/ami.py: 3000 rings unanswered, c3x.txt) and the node's metrics exposition.
"""

from __future__ import annotations

import asyncio
import re

from agi_server.ami import AmiSettings
from agi_server.dial_jobs import SHUTDOWN_HANGUP
from agi_server.dialer import start_dialer
from agi_server.dialer_settings import DialerSettings
from agi_server.job_stores import MemoryJobStore
from agi_server.metrics import DIAL_OUTCOMES, AgiMetrics
from graph_engine.services import FixedClock
from tests.agi_server.conftest import exposition_samples
from tests.agi_server.test_dialer import T0, job
from tests.fakes.ami import FakeAmi


def _attempts(metrics: AgiMetrics) -> dict[str, float]:
    samples = exposition_samples(metrics.exposition().decode())
    found = (re.fullmatch(r'ivrgraph_dialer_attempts_total\{outcome="(\w+)"\}', name) for name in samples)
    return {match[1]: samples[match[0]] for match in found if match}


def test_cancelled_is_one_of_the_dial_outcomes() -> None:
    assert SHUTDOWN_HANGUP in DIAL_OUTCOMES


async def test_an_attempt_hung_up_at_shutdown_counts_in_a_series_present_from_the_start(fake: FakeAmi) -> None:
    store = MemoryJobStore()
    store.add(job("ringing", "3000"))
    settings = DialerSettings(
        context="outbound-ivr", channel_template="Local/{number}@callees/n", poll_interval=0.01, node_id="node-a"
    )
    ami = AmiSettings("127.0.0.1", fake.port, "probe", "probe", reconnect_initial=0.02)
    metrics = AgiMetrics()
    running = await start_dialer(store=store, ami=ami, settings=settings, clock=FixedClock(T0))
    metrics.watch_dialer(running)
    try:
        assert _attempts(metrics).get(SHUTDOWN_HANGUP) == 0  # before: no such series until the first one
        async with asyncio.timeout(5):  # 3000 rings 0.3 s at the fixture's time scale: the stop comes meanwhile
            while not fake.calls:
                await asyncio.sleep(0.005)
    finally:
        await running.stop(deadline=0.0)
    assert store.jobs["ringing"].attempt_log == [(T0, SHUTDOWN_HANGUP, "cb-ringing-1")]
    assert _attempts(metrics) == {**dict.fromkeys(DIAL_OUTCOMES, 0.0), SHUTDOWN_HANGUP: 1.0}
