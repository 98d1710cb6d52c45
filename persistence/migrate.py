"""Run the alembic migrations shipped inside this package, from any working directory.

Several processes may start at once on one fresh database (API nodes under an orchestrator): the upgrade runs
under a lock, a PostgreSQL advisory lock or, for a SQLite file, a lock file beside it, so the second waits and
then finds nothing to do (review, 2026-12-05: one of two nodes died on a duplicate type or a half-done revision).
A database whose revision this code does not know (a newer ivrgraph migrated it) is refused with `SchemaMismatch`,
as is, for a node that does not migrate (`require_current`), a database not at this code's revision.

Those checks run at start. A node that was running when a newer release migrated its database finds out with
`newer_revision`, which reads the revision in the caller's own transaction: its dialer then claims no job and its
API answers 503 (api.schema_guard), rather than enforce less than the newer schema asks (ops review, upgrading
0023 to 0027: an old node kept dialling a campaign a new node had paused, and read personal data unmasked for a
token made without it). A migration the old code under-enforces until every node runs the new one says so with
`STOP_ALL_NODES = True`; `stop_all_nodes` lists those an upgrade would apply, for `ivrgraph db upgrade` to warn.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import weakref
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text
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
    return revision in _known_revisions()


@functools.cache
def _known_revisions() -> frozenset[str]:
    return frozenset(found.revision for found in _scripts().walk_revisions())


# Engines whose database has an `alembic_version` table. Only a positive answer is kept: a database a test made
# without alembic (`create_all`) has none, and is asked again, as it may be migrated later.
_VERSIONED: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def newer_revision(conn: Connection) -> str | None:
    """The database's schema revision when this code does not know it (a newer ivrgraph migrated it), else None.

    Read through `conn`, in its transaction: a SELECT of a one-row table, cheap enough for every dialer claim. A
    database without ivrgraph's schema revision (none stamped) is not newer."""
    engine = conn.engine
    if not _VERSIONED.get(engine, False):
        if not inspect(conn).has_table("alembic_version"):
            return None
        _VERSIONED[engine] = True
    value = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    if value is None or _known(str(value)):
        return None
    return str(value)


def stop_all_nodes(url: str) -> list[tuple[str, str]]:
    """The migrations `upgrade(url)` would apply that set `STOP_ALL_NODES`, oldest first, each with why: the ones
    a node still running older code under-enforces (it reads no pause, no token's restriction...), so every node
    is to be stopped before they are applied. The flag is the reason as a sentence (or True: the docstring's first
    line says what the migration does). Empty for a database with no schema yet (no node can run on it) and for one
    this code does not know (`upgrade` refuses it)."""
    current = current_revision(url)
    if current is None or not _known(current):
        return []
    pending = reversed(list(_scripts().iterate_revisions(head_revision(), current)))
    flagged = ((script, getattr(script.module, "STOP_ALL_NODES", None)) for script in pending)
    return [(script.revision, _reason(script.doc, flag)) for script, flag in flagged if flag]


def pending_revisions(url: str) -> list[str]:
    """The revisions `upgrade(url)` would apply, oldest first: every one for a database with no schema yet, none for
    one at this code's head or at a revision this code does not know (newer: `upgrade` refuses it)."""
    current = current_revision(url)
    if current is not None and not _known(current):
        return []
    scripts = _scripts().iterate_revisions(head_revision(), current or "base")
    return [script.revision for script in reversed(list(scripts))]


def _reason(doc: str | None, flag: object) -> str:
    if isinstance(flag, str):
        return flag
    return (doc or "").strip().splitlines()[0] if doc else ""


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
