"""Published scenarios for the FastAGI runtime, read from the database.

`DatabaseScenarios` answers "what is the latest published version of <slug>" and is also the engine's
`ScenarioLoader` (Go To Scenario). `VersionPoller` is how a node learns about publishes made by another
process: it compares every scenario's latest version with the one it last saw and reports what changed. Its
health (failed polls, the last success) is plain state a node's metrics read when scraped: this package does not
know Prometheus.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Final

from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from graph_engine.document import Scenario, build_scenario
from persistence import scenarios
from persistence.db import Database
from persistence.scenarios import Published

log = logging.getLogger(__name__)

# How often the log says again that polling still fails: an outage of an hour is a few dozen lines, not one per
# poll (every 2 s), and a line to follow its course.
FAILURE_REMINDER_SECONDS: Final = 60.0


class DatabaseScenarios:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def published(self, slug: str) -> Published | None:
        return await asyncio.to_thread(self._published, slug)

    def _published(self, slug: str) -> Published | None:
        with self._database.session() as session:
            return scenarios.published(session, slug=slug)

    async def load(self, slug: str) -> Scenario | None:
        """`graph_engine.services.ScenarioLoader`: the published scenario, or None."""
        found = await self.published(slug)
        # A version was validated before it was stored, so its structure is known to be sound.
        return build_scenario(found.document) if found is not None else None

    def versions(self) -> dict[str, tuple[int, int]]:
        with self._database.session() as session:
            return scenarios.published_versions(session)

    def newest(self, slugs: list[str]) -> list[Published]:
        with self._database.session() as session:
            found = (scenarios.published(session, slug=slug) for slug in slugs)
            return [published for published in found if published is not None]


class VersionPoller:
    """Every `interval` seconds, report the scenarios whose published version changed since the last look (by
    any process), and list the published slugs.

    It compares each scenario's latest version (row id, number) with the last one seen, rather than watching for
    row ids above the newest seen: ids are handed out at insert and become visible at commit, so on PostgreSQL a
    publish that committed after a later one had been polled was never seen by other nodes. The first look
    reports every published scenario: a node holds them all from the start, and keeps answering every one of
    them while the database is away.
    """

    def __init__(
        self,
        source: DatabaseScenarios,
        on_published: Callable[[Published], None],
        *,
        interval: float = 2.0,
        on_listed: Callable[[set[str]], None] | None = None,
        remind_every: float = FAILURE_REMINDER_SECONDS,
    ) -> None:
        self._source = source
        self._on_published = on_published
        # Given the slugs that have a published version at every poll: a deletion changes no version.
        self._on_listed = on_listed
        self._interval = interval
        self._seen: dict[str, tuple[int, int]] = {}  # slug -> (version row id, version number) last reported
        self._remind_every = remind_every
        # Health, read by a node's metrics from their own thread (each a single attribute, read whole).
        self._failures = 0
        self._last_success: float | None = None  # Unix time of the last poll that succeeded
        self._last_error: str | None = None  # why the last poll failed, while polls fail
        self._failing_with: type[Exception] | None = None  # the last failed poll's error type, while polls fail
        self._failed_in_a_row = 0
        self._failing_since = 0.0  # monotonic time of the first failed poll of the current run of failures
        self._reminded_at = 0.0  # monotonic time polling was last said to fail

    @property
    def interval(self) -> float:
        return self._interval

    @property
    def failures(self) -> int:
        """Polls that failed since the poller started."""
        return self._failures

    @property
    def last_success(self) -> float | None:
        """Unix time of the last poll that succeeded; None before the first."""
        return self._last_success

    @property
    def failing(self) -> bool:
        """True while the last poll failed: the node serves the versions it holds, maybe stale."""
        return self._failing_with is not None

    @property
    def last_error(self) -> str | None:
        """Why the last poll failed, in one line ("OperationalError: connection refused"); None when it succeeded."""
        return self._last_error

    async def poll_once(self) -> list[Published]:
        versions = await asyncio.to_thread(self._source.versions)
        changed = [slug for slug, version in versions.items() if self._seen.get(slug) != version]
        found = await asyncio.to_thread(self._source.newest, changed) if changed else []
        for published in found:
            self._on_published(published)
        # What it reported, as reported (a publish landing between the two reads is seen at the next poll).
        reported = {published.slug: published.number for published in found}
        self._seen = {
            slug: version
            for slug, version in versions.items()
            if slug not in changed or reported.get(slug) == version[1]
        }
        if self._on_listed is not None:
            self._on_listed(set(versions))
        self._last_success = time.time()
        return found

    async def run(self) -> None:
        while True:
            await self._poll_and_report()
            await asyncio.sleep(self._interval)

    async def _poll_and_report(self) -> None:
        """One poll; a failure is logged when polling starts failing, again every `remind_every` seconds while
        it goes on, and its end is logged too. The node keeps serving the versions it holds meanwhile."""
        try:
            await self.poll_once()
        except SQLAlchemyError as error:  # the database is away: an outage is expected, its traceback is noise
            self._failed(error, traceback=False)
        except Exception as error:  # a bug, not an outage: its traceback, and polling goes on rather than dying
            self._failed(error, traceback=True)
        else:
            self._succeeded()

    def _failed(self, error: Exception, *, traceback: bool) -> None:
        now = time.monotonic()
        reason = _reason(error)
        self._failures += 1
        self._failed_in_a_row += 1
        first = self._failing_with is None
        # Another kind of failure in the middle of an outage (a bug behind the database's error) is said at once.
        changed = not first and type(error) is not self._failing_with
        self._last_error, self._failing_with = reason, type(error)
        if first:
            self._failing_since = now
        if first or changed:
            self._reminded_at = now
            level = logging.ERROR if traceback else logging.WARNING
            said = "version poll failed: %s; serving the versions already loaded"
            log.log(level, said, reason, exc_info=error if traceback else None)
        elif now - self._reminded_at >= self._remind_every:
            self._reminded_at = now
            failing_for = now - self._failing_since
            said = "version poll still failing after %.0f s (%d polls): %s"
            log.warning(said, failing_for, self._failed_in_a_row, reason)

    def _succeeded(self) -> None:
        if self._failing_with is not None:
            failed_for = time.monotonic() - self._failing_since
            log.info("version poll recovered after %.0f s (%d failed polls)", failed_for, self._failed_in_a_row)
            self._last_error, self._failing_with, self._failed_in_a_row = None, None, 0


def _reason(error: Exception) -> str:
    """The error's type and the first line of what it says: SQLAlchemy appends the statement and a link on lines
    of their own, and a log line stays one line. For a database error, the driver's own message."""
    said = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    lines = str(said).strip().splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__
