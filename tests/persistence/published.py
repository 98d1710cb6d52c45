"""Published scenarios for callback tests: the scheduler stores, and the dialer dials, a callback only into a
scenario with a published version (persistence.callbacks), so a test's jobs need theirs published first."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from persistence import scenarios
from persistence.db import Database
from persistence.migrate import upgrade
from tests.persistence import documents, pg


def publish(database: Database, *slugs: str) -> None:
    """A greeting published as version 1 under each of `slugs` not published yet."""
    with database.session() as session:
        for slug in slugs:
            if scenarios.published(session, slug=slug) is not None:
                continue
            document = documents.greeting(name=slug)
            scenario = scenarios.create_scenario(session, slug=slug, document=document, actor="test")
            scenarios.store_version(session, scenario=scenario, document=document, message="", summary={}, actor="test")


@contextlib.contextmanager
def migrated_database(kind: str, folder: Path, name: str, *slugs: str) -> Iterator[Database]:
    """A database at the head migration, `kind` "sqlite" (a file in `folder`) or "postgres" (a throwaway database
    named after `name`), with `slugs` published: the dialer rings callees only into a published scenario."""
    with contextlib.ExitStack() as stack:
        if kind == "sqlite":
            url = f"sqlite:///{folder / f'{name}.sqlite3'}"
        else:
            url = stack.enter_context(pg.throwaway_database(f"ivrgraph_{name}"))
        upgrade(url)
        database = Database(url)
        stack.callback(database.dispose)
        publish(database, *slugs)
        yield database
