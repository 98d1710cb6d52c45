"""Published scenarios for callback tests: the scheduler stores, and the dialer dials, a callback only into a
scenario with a published version (persistence.callbacks), so a test's jobs need theirs published first."""

from __future__ import annotations

from persistence import scenarios
from persistence.db import Database
from tests.persistence import documents


def publish(database: Database, *slugs: str) -> None:
    """A greeting published as version 1 under each of `slugs` not published yet."""
    with database.session() as session:
        for slug in slugs:
            if scenarios.published(session, slug=slug) is not None:
                continue
            document = documents.greeting(name=slug)
            scenario = scenarios.create_scenario(session, slug=slug, document=document, actor="test")
            scenarios.store_version(session, scenario=scenario, document=document, message="", summary={}, actor="test")
