"""The version poller during a database outage: what it logs, and the state a node's metrics read from it.

Operations review: during an outage the poller logged `version poll failed: OperationalError` every 2 s with no
detail (25 lines in 50 s), no line said when it recovered, and nothing outside the log showed it failing.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time

import pytest

from persistence.db import Database
from persistence.scenario_source import DatabaseScenarios, VersionPoller
from persistence.scenarios import Published
from tests.conftest import until
from tests.persistence import published
from tests.persistence.outage import outage_proxy

LOGGER = "persistence.scenario_source"


def _said(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == LOGGER]


async def test_an_outage_is_one_warning_a_reminder_at_most_every_interval_and_one_line_when_it_ends(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    if not database.is_postgres:
        pytest.skip("a database server that goes away: PostgreSQL behind a proxy")
    caplog.set_level(logging.INFO, logger=LOGGER)
    published.publish(database, "greet")
    with outage_proxy(database.engine.url.render_as_string(hide_password=False)) as (proxy, url):
        proxied = Database(url)
        poller = VersionPoller(DatabaseScenarios(proxied), lambda _: None, interval=0.02, remind_every=0.4)
        polling = asyncio.create_task(poller.run())
        try:
            await until(lambda: poller.last_success is not None, within=10)
            assert (poller.failing, poller.failures) == (False, 0)
            proxy.go_down()
            down_at = time.monotonic()
            await until(lambda: poller.failures >= 3, within=10)
            succeeded_before = poller.last_success
            assert poller.failing and poller.last_error and poller.last_error.startswith("OperationalError: ")
            await asyncio.sleep(1.0)  # ~50 failed polls, and time for two or three reminders
            proxy.come_back()
            await until(lambda: not poller.failing, within=10)
            outage = time.monotonic() - down_at
            assert poller.last_success is not None and succeeded_before is not None
            assert poller.last_success > succeeded_before and poller.last_error is None
            failures = poller.failures
        finally:
            polling.cancel()
            await asyncio.gather(polling, return_exceptions=True)
            proxied.dispose()

    lines = _said(caplog)
    assert failures >= 20 and len(lines) < 10  # not a line per failed poll
    first, *reminders, recovered = lines
    assert first.levelname == "WARNING" and first.getMessage().startswith("version poll failed: OperationalError: ")
    assert "\n" not in first.getMessage() and first.exc_info is None  # an expected outage: the reason, no traceback
    assert 1 <= len(reminders) <= outage / 0.4 + 1
    for reminder in reminders:
        assert reminder.levelname == "WARNING" and reminder.exc_info is None
        assert reminder.getMessage().startswith("version poll still failing after ")
        assert "OperationalError: " in reminder.getMessage() and "\n" not in reminder.getMessage()
    assert recovered.levelname == "INFO"
    assert re.fullmatch(r"version poll recovered after \d+ s \(\d+ failed polls\)", recovered.getMessage())


async def test_an_unexpected_failure_keeps_its_traceback_and_the_poller_keeps_polling(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """A bug (here: what the node does with a new version raises) is not an outage: its traceback is logged. The
    poller used to die of it silently, and the node served stale versions from then on."""
    caplog.set_level(logging.INFO, logger=LOGGER)
    published.publish(database, "greet")
    seen: list[str] = []

    def swap_in(version: Published) -> None:
        if not seen:
            seen.append("refused")
            raise RuntimeError("cannot build the scenario\nsecond line")
        seen.append(version.slug)

    poller = VersionPoller(DatabaseScenarios(database), swap_in, interval=0.02)
    polling = asyncio.create_task(poller.run())
    try:
        await until(lambda: "greet" in seen and not poller.failing, within=10)
    finally:
        polling.cancel()
        await asyncio.gather(polling, return_exceptions=True)
    assert poller.failures == 1
    failed, recovered = _said(caplog)
    assert failed.levelname == "ERROR" and failed.exc_info is not None
    assert failed.getMessage().startswith("version poll failed: RuntimeError: cannot build the scenario")
    assert "second line" not in failed.getMessage()
    assert recovered.levelname == "INFO"
    assert recovered.getMessage() == "version poll recovered after 0 s (1 failed polls)"


def test_a_first_look_reads_every_published_scenario_in_one_query(database: Database) -> None:
    """A node's first look (and its look after an outage) asks for every published scenario: one query for all,
    not one a slug (226 queries at the scale review's count, on every node start)."""
    from sqlalchemy import event

    slugs = [f"line-{number:02d}" for number in range(30)]
    published.publish(database, *slugs)
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        statements.append(statement)

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        found = DatabaseScenarios(database).newest([*reversed(slugs), "never-published"])
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    assert [scenario.slug for scenario in found] == list(reversed(slugs))
    assert all(scenario.number == 1 for scenario in found)
    reads = [statement for statement in statements if statement.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 1, reads
