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

from sqlalchemy.exc import SQLAlchemyError

from graph_engine.document import Scenario, build_scenario
from persistence import scenarios
from persistence.db import Database
from persistence.failure_log import FAILURE_REMINDER_SECONDS, FailureLog
from persistence.scenarios import Published

log = logging.getLogger(__name__)


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
        # One query, not one a slug: a node's first look asks for every published scenario (226 queries at the
        # scale review's count, on every node start and after every database outage).
        with self._database.session() as session:
            found = scenarios.latest_published(session, slugs)
        return [found[slug] for slug in slugs if slug in found]


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
        # Health, read by a node's metrics from their own thread (each a single attribute, read whole).
        self._last_success: float | None = None  # Unix time of the last poll that succeeded
        self._said = FailureLog(
            log, "version poll", "polls", meanwhile="serving the versions already loaded", remind_every=remind_every
        )

    @property
    def interval(self) -> float:
        return self._interval

    @property
    def failures(self) -> int:
        """Polls that failed since the poller started."""
        return self._said.failures

    @property
    def last_success(self) -> float | None:
        """Unix time of the last poll that succeeded; None before the first."""
        return self._last_success

    @property
    def failing(self) -> bool:
        """True while the last poll failed: the node serves the versions it holds, maybe stale."""
        return self._said.failing

    @property
    def last_error(self) -> str | None:
        """Why the last poll failed, in one line ("OperationalError: connection refused"); None when it succeeded."""
        return self._said.last_error

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
        it goes on, and its end is logged too (`FailureLog`). The node keeps serving the versions it holds
        meanwhile."""
        try:
            await self.poll_once()
        except SQLAlchemyError as error:  # the database is away: an outage is expected, its traceback is noise
            self._said.failed(error, traceback=False)
        except Exception as error:  # a bug, not an outage: its traceback, and polling goes on rather than dying
            self._said.failed(error, traceback=True)
        else:
            self._said.succeeded()
