"""What the callback dialer tells an operator about callbacks that fail: its log during a database outage, its
counters on the metrics port, and the line each attempt ends with. Over real TCP to the fake Asterisk
(../shared/asterisk/ami/c*.txt: 1123 answers, 1124 answers but its AGI() finds no server, 2000 busy, 3000 no
answer, 4000x congestion, 9000 no such callee) and a real metrics port.

Operations review, two nodes on PostgreSQL: during a database outage each node logged `callback dialer pass
failed` with a ~130-line traceback every 5 s (520 of a node's 608 lines in 20 s); every dialer gauge looked
healthy meanwhile, as no counter said that no job could be claimed or that a callee heard no scenario; and the
unreached job's line said `answered (...) -> done` while the database held it failed.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import insert

from agi_server.ami import AmiSettings
from agi_server.dial_jobs import DialJob
from agi_server.dialer import RunningDialer, start_dialer
from agi_server.dialer_settings import DialerSettings
from agi_server.job_stores import DatabaseJobStore, MemoryJobStore
from agi_server.metrics import DIAL_OUTCOMES, AgiMetrics
from graph_engine.services import FixedClock
from persistence import callbacks
from persistence.db import Database
from persistence.migrate import upgrade
from persistence.models import CallbackJob
from persistence.phone_numbers import configure_default_country, configured_default_country
from tests.agi_server.conftest import DIALER_LOGGERS, database_node, exposition_samples
from tests.agi_server.test_dialer import T0, job, scenario_runs
from tests.conftest import free_port
from tests.fakes.ami import FakeAmi
from tests.persistence import pg, published
from tests.persistence.outage import outage_proxy

SETTINGS: dict[str, Any] = {
    "context": "outbound-ivr",
    "channel_template": "Local/{number}@callees/n",
    "poll_interval": 0.02,
    "node_id": "node-a",
}


async def _scrape(port: int) -> dict[str, float]:
    # The metrics server answers from a thread of its own: the request must not hold up this loop's dialer.
    response = await asyncio.to_thread(httpx.get, f"http://127.0.0.1:{port}/metrics", timeout=5)
    assert response.status_code == 200
    return exposition_samples(response.text)


def _attempts(samples: dict[str, float]) -> dict[str, float]:
    """ivrgraph_dialer_attempts_total by outcome."""
    found = (re.fullmatch(r'ivrgraph_dialer_attempts_total\{outcome="(\w+)"\}', name) for name in samples)
    return {match[1]: samples[match[0]] for match in found if match}


async def _until_scraped(port: int, done: Any, timeout: float = 15.0) -> dict[str, float]:
    async with asyncio.timeout(timeout):
        while not done(samples := await _scrape(port)):
            await asyncio.sleep(0.02)
    return samples


def _said(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name in DIALER_LOGGERS]


def _nothing_counted(samples: dict[str, float]) -> None:
    """Every outcome's series, and the failed passes', present at 0 before anything happened: an alert on
    increase() sees nothing of a series whose first sample is already 1."""
    assert _attempts(samples) == dict.fromkeys(DIAL_OUTCOMES, 0.0)
    assert samples["ivrgraph_dialer_pass_failures_total"] == 0


# ---------------------------------------------------------------------------------------------------------------
# A database outage


@pytest.mark.postgres
@pytest.mark.slow
async def test_a_database_outage_is_one_warning_and_one_recovery_line_and_shows_in_the_failed_passes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, fake: FakeAmi
) -> None:
    """`ivrgraph agi` with AMI settings, as a node runs it, behind a proxy that takes PostgreSQL away for a few
    dozen passes and brings it back. Before: a traceback per pass and no metric moving. Now: one WARNING with the
    reason's kind, one INFO when a pass succeeds again, no traceback; the failed passes count on the metrics port
    (beside the version poller's `ivrgraph_scenario_source_up`, the node's gauge of that database); and the
    dialer dials again."""
    for name in [name for name in os.environ if name.startswith("IVRGRAPH_")]:
        monkeypatch.delenv(name)
    for name, value in {
        "IVRGRAPH_SPOOL_DIR": str(tmp_path / "spool"),
        "IVRGRAPH_MEDIA_ROOT": str(tmp_path / "media"),
        "IVRGRAPH_AMI_HOST": "127.0.0.1",
        "IVRGRAPH_AMI_PORT": str(fake.port),
        "IVRGRAPH_AMI_USERNAME": "probe",
        "IVRGRAPH_AMI_SECRET": "probe",
        "IVRGRAPH_DIAL_CONTEXT": "outbound-ivr",
        "IVRGRAPH_DIAL_CHANNEL": "Local/{number}@callees/n",
    }.items():
        monkeypatch.setenv(name, value)
    from_environ = DialerSettings.from_environ

    def quick(environ: Any = None, *, node_id: str | None = None) -> DialerSettings:
        # A pass every 50 ms rather than every 5 s: the outage is dozens of passes within a second.
        return dataclasses.replace(from_environ(environ, node_id=node_id), poll_interval=0.05)

    monkeypatch.setattr(DialerSettings, "from_environ", staticmethod(quick))
    caplog.set_level(logging.INFO, logger="agi_server")
    port = free_port()
    with pg.throwaway_database("ivrgraph_dialer_outage") as direct:
        upgrade(direct)
        database = Database(direct)
        published.publish(database, "greet")
        try:
            with outage_proxy(direct) as (proxy, url):
                async with database_node(url, start_within=20, poll_seconds=0.05, metrics_port=port):
                    _nothing_counted(await _scrape(port))
                    proxy.go_down()
                    down = await _until_scraped(port, lambda s: s["ivrgraph_dialer_pass_failures_total"] >= 20)
                    assert down["ivrgraph_scenario_source_up"] == 0
                    assert _attempts(down) == dict.fromkeys(DIAL_OUTCOMES, 0.0)  # no job was claimed
                    proxy.come_back()
                    async with asyncio.timeout(15):
                        while not any(r.levelname == "INFO" for r in _said(caplog)):
                            await asyncio.sleep(0.02)
                    outage = _said(caplog)
                    with database.session() as session:
                        busy = callbacks.create_job(session, number="2000", scenario="greet", due=datetime.now(UTC))
                    after = await _until_scraped(port, lambda s: _attempts(s)["busy"] == 1)
                    failed_passes = after["ivrgraph_dialer_pass_failures_total"]
            with database.session() as session:
                assert callbacks.get_job(session, job_id=busy.id).outcome == "busy"
        finally:
            database.dispose()

    assert failed_passes >= 20
    assert [r.levelname for r in outage] == ["WARNING", "INFO"], [r.getMessage() for r in outage]
    failed, recovered = outage
    assert failed.getMessage().startswith("callback dialer pass failed: OperationalError: ")
    assert failed.getMessage().endswith("; no callback is claimed until a pass succeeds")
    assert "\n" not in failed.getMessage() and failed.exc_info is None and failed.exc_text is None
    assert re.fullmatch(r"callback dialer pass recovered after \d+ s \(\d+ failed passes\)", recovered.getMessage())
    assert int(recovered.getMessage().split("(")[1].split()[0]) >= 20
    assert all(r.exc_info is None for r in _said(caplog))


class FailingClaims(MemoryJobStore):
    """A store whose claims fail `failures` times with a bug (not the database), then answer."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    async def claim_due(
        self, *, now: datetime, limit: int, node_id: str, lease: timedelta | None = None
    ) -> list[DialJob]:
        if self.failures:
            self.failures -= 1
            raise KeyError("locked_by")
        return await super().claim_due(now=now, limit=limit, node_id=node_id, lease=lease)


async def test_a_pass_that_fails_for_a_bug_keeps_its_traceback_once_then_a_reminder_with_a_count(
    fake: FakeAmi, caplog: pytest.LogCaptureFixture
) -> None:
    """A bug is not an outage: its traceback is logged, once; while the same error goes on, a reminder says for
    how long and how many passes, and the first pass that succeeds says it recovered. Before: a traceback for every
    pass (here ~40 of them in 0.8 s)."""
    caplog.set_level(logging.INFO, logger="agi_server")
    store = FailingClaims(failures=40)
    store.add(job("after-the-bug", "2000"))
    settings = DialerSettings(**{**SETTINGS, "remind_every": 0.3})
    ami = AmiSettings("127.0.0.1", fake.port, "probe", "probe")
    running = await start_dialer(store=store, ami=ami, settings=settings, clock=FixedClock(T0))
    try:
        async with asyncio.timeout(15):
            while not store.jobs["after-the-bug"].attempt_log:  # dialled once the claims answer: busy
                await asyncio.sleep(0.01)
    finally:
        await running.stop()
    assert running.pass_failures == 40
    said = [r for r in _said(caplog) if "callback dialer pass" in r.getMessage()]
    first, *reminders, recovered = said
    assert first.levelname == "ERROR" and first.exc_info is not None  # the traceback of the bug
    assert (
        first.getMessage()
        == "callback dialer pass failed: KeyError: 'locked_by'; no callback is claimed until a pass succeeds"
    )
    assert 1 <= len(reminders) <= 4
    for reminder in reminders:
        assert reminder.levelname == "WARNING" and reminder.exc_info is None
        assert re.fullmatch(
            r"callback dialer pass still failing after \d+ s \(\d+ passes\): KeyError: 'locked_by'",
            reminder.getMessage(),
        )
    assert recovered.levelname == "INFO"
    assert re.fullmatch(r"callback dialer pass recovered after \d+ s \(40 failed passes\)", recovered.getMessage())


# ---------------------------------------------------------------------------------------------------------------
# What attempts come to, on the metrics port


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    before = configured_default_country()
    configure_default_country(None)  # every region's emergency numbers, as a node without IVRGRAPH_DEFAULT_COUNTRY
    try:
        with published.migrated_database(request.param, tmp_path, "dialer_health", "debt") as database:
            yield database
    finally:
        configure_default_country(before)


async def _hosted(store: Any, fake: FakeAmi, clock: FixedClock, **settings: Any) -> tuple[RunningDialer, int]:
    """The dialer as a node runs it (its own loop, its metrics on a real port)."""
    ami = AmiSettings("127.0.0.1", fake.port, "probe", "probe")
    running = await start_dialer(store=store, ami=ami, settings=DialerSettings(**{**SETTINGS, **settings}), clock=clock)
    metrics = AgiMetrics()
    metrics.watch_dialer(running)
    port = free_port()
    metrics.serve(port)
    return running, port


async def test_each_outcome_moves_its_counter_and_the_unreached_job_says_what_the_database_holds(
    database: Database, fake: FakeAmi, caplog: pytest.LogCaptureFixture
) -> None:
    """One job per outcome a callback can come to in one pass: answered (1123, its scenario reached), unreached
    (1124: AMI said answered, no FastAGI call named the job), busy, no answer, failed (no such callee), an
    emergency number stored all the same (never dialled) and a scenario with no published version (never
    dialled). Each moves its own series; the unreached job's line says what the database holds: pending, a failed
    attempt to be retried, not done."""
    caplog.set_level(logging.INFO, logger="agi_server")
    store, clock = DatabaseJobStore(database), FixedClock(T0)
    scenario_runs(fake, store, clock)
    running, port = await _hosted(store, fake, clock)
    _nothing_counted(await _scrape(port))  # the dialer runs, no job yet
    with database.session() as session:
        ids = {
            outcome: callbacks.create_job(session, number=number, scenario=scenario, due=T0).id
            for outcome, number, scenario in [
                ("answered", "1123", "debt"),
                ("unreached", "1124", "debt"),
                ("busy", "2000", "debt"),
                ("no_answer", "3000", "debt"),
                ("failed", "9000", "debt"),
                ("scenario_unavailable", "2001", "nowhere"),
            ]
        }
        session.execute(  # as an integration writing to the table, or a job from before the check
            insert(CallbackJob),
            [{"id": "sos-1", "number": "112", "scenario": "debt", "due": T0, "variables": {}, "attempts": 0,
              "max_attempts": 3, "status": "pending", "created_at": T0}],
        )  # fmt: skip
    running.dialer.wake()
    try:
        async with asyncio.timeout(15):
            # Five attempts, the unreached job's answer reported twice (answered, then unreached; the job for 112
            # is ended undialled, no attempt); a line is freed once its attempt was told (an answer's after the
            # hangup).
            while len(running.dialer.reports) < 6 or running.active_lines:
                await asyncio.sleep(0.01)
        samples = await _scrape(port)
    finally:
        await running.stop()
    expected = {**dict.fromkeys(DIAL_OUTCOMES, 0.0), **dict.fromkeys([*ids, "emergency_number"], 1.0)}
    assert samples["ivrgraph_dialer_pass_failures_total"] == 0
    with database.session() as session:
        stored = {outcome: callbacks.get_job(session, job_id=job_id) for outcome, job_id in ids.items()}
    assert (stored["unreached"].status, stored["unreached"].outcome) == ("pending", "unreached")
    assert (stored["answered"].status, stored["answered"].outcome) == ("done", "answered")
    lines = [r.getMessage() for r in _said(caplog) if r.levelname == "INFO"]
    unreached = ids["unreached"]
    said = [line for line in lines if line.startswith(f"callback job {unreached} ")]
    assert not [line for line in said if line.endswith("-> done")], said  # before: "answered (...) -> done"
    (line,) = said
    assert re.fullmatch(
        rf"callback job {unreached} attempt 1: unreached \(answered: .+; no FastAGI call named the job before the "
        r"hangup\) -> pending",
        line,
    ), line
    answered = ids["answered"]
    (line,) = [line for line in lines if line.startswith(f"callback job {answered} ")]
    assert line.startswith(f"callback job {answered} attempt 1: answered (") and line.endswith(") -> done")
    (advice,) = [r.getMessage() for r in _said(caplog) if r.levelname == "WARNING" and unreached in r.getMessage()]
    # The example dialplan reaches the nodes by their SRV name (hagi://); one node is reached by agi://.
    assert "check that dialplan context 'outbound-ivr' runs AGI() on a URL that reaches a FastAGI server" in advice
    assert "agi://<node>/${IVR_SCENARIO}?job=${JOB_ID}" in advice and "hagi://" in advice
    assert _attempts(samples) == expected


async def test_refused_originates_and_congestion_while_the_trunk_is_down_have_their_own_series(
    fake: FakeAmi,
) -> None:
    """An Originate Asterisk refuses (c-errors.txt: a context without the extension) rang nobody and keeps the
    job's attempts: `refused`, while `ivrgraph_dialer_refused` reads 1. Congestion on three numbers in a row
    (c4x.txt) is the trunk: `trunk_down`, not counted, while `ivrgraph_dialer_trunk_down` reads 1."""
    store = MemoryJobStore()
    for n in range(3):
        store.add(job(f"out-{n}", f"4000{n}"))
    fake.contexts = {}  # this node's context is missing on the Asterisk side
    clock = FixedClock(T0)
    running, port = await _hosted(store, fake, clock, max_lines=3)
    try:
        samples = await _until_scraped(port, lambda s: _attempts(s)["refused"] == 3)
        assert samples["ivrgraph_dialer_refused"] == 1
        fake.contexts = {"outbound-ivr": frozenset({"s"})}  # the operator fixed the dialplan
        clock.advance(60)  # the refusal's pause is over
        running.dialer.wake()
        samples = await _until_scraped(port, lambda s: _attempts(s)["trunk_down"] == 3)
    finally:
        await running.stop()
    assert samples["ivrgraph_dialer_trunk_down"] == 1
    assert {outcome: value for outcome, value in _attempts(samples).items() if value} == {
        "refused": 3,
        "trunk_down": 3,
    }
    assert [j.attempts for j in store.jobs.values()] == [0, 0, 0]
