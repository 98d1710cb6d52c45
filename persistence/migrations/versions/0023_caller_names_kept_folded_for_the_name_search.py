# ruff: noqa: RUF001, RUF002  -- the Cyrillic and Turkish letters are what the fold maps, not look-alikes
"""Call records keep their caller's name folded for the name search: `call_records.caller_name_folded`, indexed.

A scale review (100,000 calls on PostgreSQL): the register's name search folded every row's name in the query
(translate(lower(caller_name), <600 letters>)), so no index could serve it and a name found nowhere read the whole
register: 1.76 s quiet, 6.9 s under load. From this revision the name is folded once, as the record is written
(persistence.folding.fold: case-folded in every alphabet, ё as е), and kept beside it; the search compares that
column with the typed text folded the same way (the review's plain LIKE of a column took 0.27 s with no index).

- PostgreSQL: a GIN trigram index (`ix_call_records_caller_name_trgm`, extension pg_trgm) finds the substring.
  CREATE EXTENSION pg_trgm needs the CREATE privilege on the database since PostgreSQL 13, where pg_trgm is a
  trusted extension (the database's owner has it; managed services allow pg_trgm), a superuser before 13. An
  extension already there is used, in whatever schema it was created. Where it cannot be created (no privilege,
  the contrib package not installed), the upgrade goes on without the index and logs a warning naming the two
  statements an administrator may run later: the search then reads the register, as a plain LIKE of the column.
  pg_trgm reads letters by the database's LC_CTYPE: under 'C' only ASCII ones make trigrams, so there the index
  narrows a Latin name and a Cyrillic one is searched by reading the register (found all the same); a database
  created with a UTF-8 LC_CTYPE (C.UTF-8, ru_RU.UTF-8...) indexes every alphabet.
- SQLite: no index finds a substring (the same index is declared there with WHERE 0, holding no row); the search
  reads the register comparing the stored names, with no Python function called for each row (about 4x faster,
  `bench/caller_name_search.py`).
- `ix_call_records_name_unfolded` (partial, both): the calls with no folded name, which only a node older than
  this revision writes during a rolling upgrade; the search compares those by their name as written.

Existing records are filled in, folded in Python by the rule copied below as of this revision (the databases'
own lower() follows their locale: it is no copy of Python's casefold), in batches of `BATCH` records by id; the
empty names (a trunk that sends none) in one statement. The indexes are built afterwards.
Every record is updated once, in the upgrade's one transaction: 200,000 records (four in five with a name) took 6 s
on SQLite and 29 s on PostgreSQL 15 on a 2-core VM, most of it PostgreSQL writing each record's new row version into
every index of the register (VACUUM ANALYZE call_records after it on a large one). On a large register migrate at a
quiet hour (migration 0022 says what the upgrade's transaction holds up on each database).

The downgrade drops the indexes and the column (the code before this revision does not read them), and leaves
the extension, which other objects of the database may use.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-26 09:00:00
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Final

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("persistence.migrations")

BATCH: Final = 5000  # records read and updated at a time

_TABLE: Final = "call_records"
_TRIGRAMS: Final = "ix_call_records_caller_name_trgm"
_UNFOLDED: Final = "ix_call_records_name_unfolded"

# persistence.folding.fold as of this revision.
_DOTTED_CAPITAL_I: Final = str.maketrans({"İ": "i"})
_DOTS_DROPPED: Final = str.maketrans({"ё": "е", "Ё": "е"})


def _fold(text: str) -> str:
    return text.translate(_DOTTED_CAPITAL_I).casefold().translate(_DOTS_DROPPED)


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column(_TABLE, sa.Column("caller_name_folded", sa.Text(), nullable=True))
    op.execute(sa.text("UPDATE call_records SET caller_name_folded = '' WHERE caller_name = ''"))
    update = sa.text("UPDATE call_records SET caller_name_folded = :folded WHERE id = :id")
    for batch in _named(bind):
        bind.execute(update, batch)  # one statement for the batch (psycopg pipelines it)
    if bind.dialect.name == "postgresql":
        _index_trigrams(bind)
    else:
        op.create_index(_TRIGRAMS, _TABLE, ["caller_name_folded"], sqlite_where=sa.text("0"))
    op.create_index(_UNFOLDED, _TABLE, ["started_at", "id"], sqlite_where=sa.text("caller_name_folded IS NULL"),
                    postgresql_where=sa.text("caller_name_folded IS NULL"))  # fmt: skip


def downgrade() -> None:
    op.drop_index(_UNFOLDED, table_name=_TABLE)
    op.execute(sa.text(f"DROP INDEX IF EXISTS {_TRIGRAMS}"))  # PostgreSQL: left out where pg_trgm was not there
    # ALTER TABLE ... DROP COLUMN on both (SQLite has it since 3.35), its indexes dropped first, as 0022 does.
    op.drop_column(_TABLE, "caller_name_folded")


def _named(bind: sa.Connection) -> Iterator[list[dict[str, str]]]:
    """The folded names of the records that have a name, a batch at a time, by id."""
    read = sa.text(
        "SELECT id, caller_name FROM call_records WHERE id > :after AND caller_name <> '' ORDER BY id LIMIT :limit"
    )
    after = ""
    while rows := bind.execute(read, {"after": after, "limit": BATCH}).all():
        after = rows[-1][0]
        yield [{"id": call_id, "folded": _fold(name)} for call_id, name in rows]


def _index_trigrams(bind: sa.Connection) -> None:
    """The trigram index of the folded names, when pg_trgm is there or can be created (in a savepoint: a refusal
    leaves the upgrade's transaction usable); otherwise a warning, and the search reads the register."""
    schema = _trigram_schema(bind)
    if schema is None:
        try:
            with bind.begin_nested():
                bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        except sa.exc.DBAPIError as refused:
            reason = str(refused.orig).strip().splitlines()[0] if refused.orig is not None else str(refused)
            log.warning(
                "the caller-name search of the call register gets no index: the extension pg_trgm could not be "
                "created (%s). It works without, reading the register. To index it, have an administrator run "
                "in this database: CREATE EXTENSION pg_trgm; %s;",
                reason,
                _trigram_index_sql(None, bind.dialect),
            )
            return
        schema = _trigram_schema(bind)
    bind.execute(sa.text(_trigram_index_sql(schema, bind.dialect)))


def _trigram_schema(bind: sa.Connection) -> str | None:
    """The schema pg_trgm is installed in, or None when it is not."""
    found = bind.execute(
        sa.text(
            "SELECT n.nspname FROM pg_extension AS e JOIN pg_namespace AS n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'pg_trgm'"
        )
    ).scalar()
    return None if found is None else str(found)


def _trigram_index_sql(schema: str | None, dialect: sa.Dialect) -> str:
    # The operator class named in its schema: pg_trgm may be in one off the search path (`extensions`, say).
    ops = "gin_trgm_ops" if schema is None else f"{dialect.identifier_preparer.quote_schema(schema)}.gin_trgm_ops"
    return f"CREATE INDEX {_TRIGRAMS} ON {_TABLE} USING gin (caller_name_folded {ops})"
