"""Published scenarios for the FastAGI runtime, read from the database.

`DatabaseScenarios` answers "what is the latest published version of <slug>" and is also the engine's
`ScenarioLoader` (Go To Scenario). `VersionPoller` is how a node learns about publishes made by another
process: it watches the version stamp (the newest version row id) and reports what changed.
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

    def stamp(self) -> int:
        with self._database.session() as session:
            return scenarios.version_stamp(session)

    def changed_since(self, stamp: int) -> tuple[int, list[Published]]:
        with self._database.session() as session:
            changed = scenarios.changed_since(session, stamp=stamp)
            newest = scenarios.version_stamp(session)
        return newest, changed

    def published_slugs(self) -> set[str]:
        with self._database.session() as session:
            return scenarios.published_slugs(session)


class VersionPoller:
    """Every `interval` seconds, report versions published since the last look (by any process)."""

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
        # Given the slugs that have a published version at every poll: a deletion changes no version stamp.
        self._on_listed = on_listed
        self._interval = interval
        self._stamp: int | None = None

    async def poll_once(self) -> list[Published]:
        if self._stamp is None:
            self._stamp = await asyncio.to_thread(self._source.stamp)
            return []
        self._stamp, changed = await asyncio.to_thread(self._source.changed_since, self._stamp)
        for published in changed:
            self._on_published(published)
        if self._on_listed is not None:
            self._on_listed(await asyncio.to_thread(self._source.published_slugs))
        return changed

    async def run(self) -> None:
        while True:
            try:
                await self.poll_once()
            except SQLAlchemyError as error:  # the database is away for a moment: keep serving cached versions
                log.warning("version poll failed: %s", type(error).__name__)
            await asyncio.sleep(self._interval)
