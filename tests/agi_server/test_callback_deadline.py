"""A Callback block on a database that froze (chaos review: a proxy in front of PostgreSQL accepting and never
answering): the step took 10-15 s, the driver's connect and ping timeouts, before its error exit, the caller in
silence all along. A node's scheduler (agi_server.node.CallbackDeadline) now gives up at SCHEDULE_TIMEOUT, and a job
the store still makes once the database answers again is cancelled: the caller was told there would be no callback.

Calls over real TCP from the fake Asterisk into a FastAGI server with a node's services (`DatabaseRuntime`), on
PostgreSQL through tests/persistence/outage.py (frozen)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from agi_server.node import SCHEDULE_TIMEOUT, STORED_TOO_LATE, DatabaseRuntime
from agi_server.scenarios import folder_source
from graph_engine.services import CallbackReceipt, CallbackRequest, SilentTts
from persistence import callbacks
from persistence.db import Database
from persistence.models import utcnow
from tests.agi_server.conftest import MemoryRecords, StartServer, call, flush
from tests.conftest import make_document
from tests.persistence.outage import OutageProxy, outage_proxy
from tests.persistence.published import migrated_database

pytestmark = pytest.mark.postgres

NUMBER = "+34600111222"
ALL_DAY = [{"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "from": "00:00", "to": "00:00"}]


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    """PostgreSQL with callback-connect published: the scenario the callbacks ring into."""
    with migrated_database("postgres", tmp_path, "callback_deadline", "callback-connect") as database:
        yield database


@pytest.fixture
async def node(database: Database) -> AsyncIterator[tuple[DatabaseRuntime, OutageProxy]]:
    """A node's runtime on the same database, reached through a proxy that can freeze."""
    with outage_proxy(database.url) as (proxy, proxied):
        through = Database(proxied)
        runtime = DatabaseRuntime(through, tts=SilentTts())
        try:
            yield runtime, proxy
        finally:
            proxy.thaw()
            await runtime.close_services()
            runtime.close()
            through.dispose()


@pytest.fixture
def scenarios(tmp_path: Path) -> Path:
    """ask-back: a Callback block whose error exit says sorry, as a scenario tells its caller."""
    document = make_document(
        [
            {"id": "start", "type": "start"},
            {
                "id": "later",
                "type": "callback",
                "config": {
                    "number": NUMBER,
                    "delay_minutes": 60,
                    "timezone": "UTC",
                    "window": ALL_DAY,
                    "scenario": "callback-connect",
                },
            },
            {"id": "sorry", "type": "say_phrase", "config": {"text": "No podemos devolverle la llamada."}},
            {"id": "bye", "type": "hangup"},
        ],
        [
            ("start", "next", "later"),
            ("later", "scheduled", "bye"),
            ("later", "rejected", "sorry"),
            ("later", "error", "sorry"),
            ("sorry", "next", "bye"),
        ],
    )
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "ask-back.json").write_text(json.dumps(document), encoding="utf-8")
    return folder


async def _frozen_call(
    runtime: DatabaseRuntime, proxy: OutageProxy, scenarios: Path, start_server: StartServer, records: MemoryRecords
) -> dict[str, Any]:
    """One call into ask-back while the database is frozen; the Callback block's step of its trace."""
    server = await start_server(source=folder_source(scenarios), services=runtime.services)
    proxy.freeze()
    await call(server, "ask-back", hold=20.0, timeout=40.0)  # the old wait (10-15 s) measured to its end
    await flush(server)
    (record,) = records.records
    steps = record.trace["steps"]
    assert [step["node"] for step in steps] == ["start", "later", "sorry", "bye"]  # the caller hears "sorry"
    (later,) = [step for step in steps if step["node"] == "later"]
    return dict(later)


def _jobs(database: Database) -> list[tuple[str, str | None]]:
    with database.session() as session:
        return [(job.status, job.outcome) for job in callbacks.list_jobs(session)]


async def _until(condition: Any, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not within the wait"
        await asyncio.sleep(0.1)


async def test_a_frozen_database_fails_the_callback_at_its_deadline_and_the_late_job_is_cancelled(
    database: Database,
    node: tuple[DatabaseRuntime, OutageProxy],
    scenarios: Path,
    start_server: StartServer,
    records: MemoryRecords,
    caplog: pytest.LogCaptureFixture,
) -> None:
    runtime, proxy = node
    with caplog.at_level(logging.WARNING, logger="agi_server.node"):
        later = await _frozen_call(runtime, proxy, scenarios, start_server, records)
        assert later["exit"] == "error"
        assert SCHEDULE_TIMEOUT * 1000 <= later["duration_ms"] < SCHEDULE_TIMEOUT * 1000 + 1000  # was 10-15 s
        assert "could not be stored within 3 s" in later["error"]
        assert _jobs(database) == []

        proxy.thaw()  # the store held by the frozen database goes on and commits the job the caller was denied
        await _until(lambda: _jobs(database) == [("cancelled", STORED_TOO_LATE)])
    (warning,) = [r.getMessage() for r in caplog.records if "gave up at its deadline" in r.getMessage()]
    assert "cancelled (stored_too_late)" in warning
    assert NUMBER not in warning  # the log names the job and the call, not the caller


async def test_a_late_request_that_joined_a_waiting_job_leaves_that_job_waiting(
    database: Database,
    node: tuple[DatabaseRuntime, OutageProxy],
    scenarios: Path,
    start_server: StartServer,
    records: MemoryRecords,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An earlier call was promised a callback to the same number: the late request joins that job (one callback
    for the callee), which stays, for that promise."""
    earlier = await callbacks.DatabaseCallbackScheduler(database).schedule(
        CallbackRequest(NUMBER, utcnow() + timedelta(hours=2), None, "callback-connect", {}, "earlier-call")
    )
    assert isinstance(earlier, CallbackReceipt)
    runtime, proxy = node
    with caplog.at_level(logging.WARNING, logger="agi_server.node"):
        later = await _frozen_call(runtime, proxy, scenarios, start_server, records)
        assert later["exit"] == "error"
        proxy.thaw()
        await _until(lambda: "joined it after" in caplog.text)
    assert _jobs(database) == [("pending", None)]
    assert earlier.job_id in caplog.text
