"""A call record keeps when it was stored, so that a BI tool can pull what is new since its last pull.

The register filters and orders by `started_at`, but a record is written when its call ends, and later still when
it waited in a node's spool while the database was away: a pull "since the newest start seen" never saw an
operator call that started before the short calls of the previous pull and ended after it (a supervisor's BI
review). `recorded_at` is the moment the record was stored, indexed with the id as the key an incremental
pull pages on (`GET /api/calls?order=recorded`).

Records stored before this revision get the moment their call ended (or started, when no end was kept), which is
when the FastAGI runtime wrote them, give or take a flush.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-13 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The columns read and written, as of this revision (not persistence.models, which moves on).
_calls = sa.table(
    "call_records",
    sa.column("started_at", sa.DateTime(timezone=True)),
    sa.column("ended_at", sa.DateTime(timezone=True)),
    sa.column("recorded_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    with op.batch_alter_table("call_records") as batch:
        batch.add_column(sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(sa.update(_calls).values(recorded_at=sa.func.coalesce(_calls.c.ended_at, _calls.c.started_at)))
    # Every record has one from here on (persistence.calls.write_batch sets it). SQLite rebuilds the table for
    # this; nothing refers to call_records, so nothing cascades.
    with op.batch_alter_table("call_records") as batch:
        batch.alter_column("recorded_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch.create_index("ix_call_records_recorded", ["recorded_at", "id"])


def downgrade() -> None:
    with op.batch_alter_table("call_records") as batch:
        batch.drop_index("ix_call_records_recorded")
        batch.drop_column("recorded_at")
