"""Published scenarios for the FastAGI runtime, read from the database.

`DatabaseScenarios` answers "what is the latest published version of <slug>" and is also the engine's
`ScenarioLoader` (Go To Scenario). `VersionPoller` is how a node learns about publishes made by another
process: it compares every scenario's latest version with the one it last saw and reports what changed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError

from graph_engine.document import Scenario, build_scenario
from persistence import scenarios
from persistence.db import Database
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
    ) -> None:
        self._source = source
        self._on_published = on_published
        # Given the slugs that have a published version at every poll: a deletion changes no version.
        self._on_listed = on_listed
        self._interval = interval
        self._seen: dict[str, tuple[int, int]] = {}  # slug -> (version row id, version number) last reported

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
        return found

    async def run(self) -> None:
        while True:
            try:
                await self.poll_once()
            except SQLAlchemyError as error:  # the database is away for a moment: keep serving cached versions
                log.warning("version poll failed: %s", type(error).__name__)
            await asyncio.sleep(self._interval)
