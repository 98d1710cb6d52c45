"""Run the alembic migrations shipped inside this package, from any working directory.

Several processes may start at once on one fresh database (API nodes under an orchestrator): the upgrade runs
under a lock, a PostgreSQL advisory lock or, for a SQLite file, a lock file beside it, so the second waits and
then finds nothing to do (review, 2026-12-05: one of two nodes died on a duplicate type or a half-done revision).
A database whose revision this code does not know (a newer ivrgraph migrated it) is refused with `SchemaMismatch`,
as is, for a node that does not migrate (`require_current`), a database not at this code's revision.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from persistence.db import make_engine, normalize_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The key of the advisory lock migrations hold on PostgreSQL ("ivrgraph" in ASCII, as a 64-bit number).
_MIGRATION_LOCK = 0x6976726772617068


class SchemaMismatch(Exception):
    """The database's schema revision is not the one this ivrgraph runs on; the message says what to do."""


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser interpolation would choke on '%' in URL-encoded passwords.
    config.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return config


@functools.cache
def _scripts() -> ScriptDirectory:
    """The migrations this package ships (read once: they do not change while it runs)."""
    return ScriptDirectory.from_config(alembic_config("sqlite://"))


def head_revision() -> str:
    """The newest revision this code knows."""
    head = _scripts().get_current_head()
    assert head is not None  # the package ships its migrations
    return head


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` up to `revision` (the newest by default), one process at a time."""
    with _migration_lock(url):
        current = current_revision(url)
        if current is not None and not _known(current):
            raise SchemaMismatch(
                f"the database is at schema revision {current}, newer than this ivrgraph knows (up to "
                f"{head_revision()}): upgrade ivrgraph, or point it at another database"
            )
        command.upgrade(alembic_config(url), revision)


def require_current(url: str) -> None:
    """`SchemaMismatch` unless the database is at this code's revision (for nodes that do not migrate)."""
    current, head = current_revision(url), head_revision()
    if current == head:
        return
    if current is None or _known(current):
        shown = "has no ivrgraph schema" if current is None else f"is at schema revision {current}"
        raise SchemaMismatch(
            f"the database {shown}, and this ivrgraph runs on {head}: run `ivrgraph db upgrade` (or start an "
            "`ivrgraph serve` node, which migrates) first"
        )
    raise SchemaMismatch(
        f"the database is at schema revision {current}, newer than this ivrgraph knows (up to {head}): "
        "upgrade ivrgraph on this node"
    )


def current_revision(url: str) -> str | None:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            value = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            return str(value) if value is not None else None
    finally:
        engine.dispose()


def _known(revision: str) -> bool:
    return any(found.revision == revision for found in _scripts().walk_revisions())


@contextlib.contextmanager
def _migration_lock(url: str) -> Iterator[None]:
    parsed = make_url(normalize_url(url))
    if parsed.get_backend_name() == "postgresql":
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _MIGRATION_LOCK})
                conn.commit()
                try:
                    yield
                finally:
                    conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _MIGRATION_LOCK})
                    conn.commit()
        finally:
            engine.dispose()
    elif parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        with open(f"{parsed.database}.migrate-lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            yield
    else:
        yield
