"""A call record written without `recorded_at` gets the database's current time instead of being refused.

0016 made `recorded_at` NOT NULL with no default. During a rolling upgrade the nodes still running the previous
release (which knows nothing of the column) go on writing call records after `ivrgraph db upgrade`, until each is
restarted: every one of their records was refused (`NOT NULL constraint failed: call_records.recorded_at`) and set
aside in the node's spool as `rejected-*.jsonl`, or dropped by older releases (an administrator's review). With a
server default of the database's clock those inserts succeed. ivrgraph's own writer still stamps every batch
itself (persistence.calls.write_batch), strictly after every batch committed before; a record stamped by the
default is not ordered under that writer's lock, so an incremental pull (`order=recorded`) may pass over one
committed within a millisecond or so of a newer node's batch: a rare miss confined to the upgrade window, where
the alternative was losing the record.

PostgreSQL: `clock_timestamp()` (the moment of the insert, as the writer's stamp, rather than `now()`, the start
of the transaction). `ALTER COLUMN ... SET DEFAULT` changes the catalog only: instant at any size, under a lock
held for that instant (it waits for transactions already writing the table, a batch insert's milliseconds).

SQLite cannot change a column's default in place, so the table is rebuilt (a batch copy, as 0016 did for NOT NULL):
every call record is copied, traces included, and its indexes are built again. That costs time in proportion to
the table (measured: 26 s for 300,000 records with 2 KB traces, a 0.73 GB file, some 35 s per GB), free disk for
a second copy of it while it runs, and holds the database's write lock throughout: nodes' writes wait for it (their
busy timeout is 30 s), and past that their records go to their spool, to be written when the database answers
again (not set aside: nothing is lost). On a large SQLite file run the upgrade at a quiet hour, or stop the nodes
first. The stored time is UTC text with six fractional digits, as SQLAlchemy writes the writer's stamps (SQLite's
own clock gives milliseconds), so both sort and read back alike.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-15 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The database's current time as each backend stores `recorded_at` (persistence.database_clock.DatabaseNow is the
# model's side of it; not imported here, since migrations keep what they did as of their revision).
_SQLITE_NOW = sa.text("(strftime('%Y-%m-%d %H:%M:%f000', 'now'))")
_POSTGRES_NOW = sa.text("clock_timestamp()")


def upgrade() -> None:
    _set_default(_SQLITE_NOW if op.get_bind().dialect.name == "sqlite" else _POSTGRES_NOW)


def downgrade() -> None:
    _set_default(None)


def _set_default(default: sa.TextClause | None) -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite rebuilds the table (see above); nothing refers to call_records, so nothing cascades.
        with op.batch_alter_table("call_records") as batch:
            batch.alter_column(
                "recorded_at", existing_type=sa.DateTime(timezone=True), existing_nullable=False, server_default=default
            )
    else:
        op.alter_column(
            "call_records",
            "recorded_at",
            existing_type=sa.DateTime(timezone=True),
            existing_nullable=False,
            server_default=default,
        )
