"""Data sources say whether the designer's "Try query" may run on them: `data_sources.tries_allowed`.

A try runs an editor's SQL at once, before any publisher read it, with the source's account: on a source whose
account reads everything (`pg_shadow`, `LOAD_FILE`) every editor read it too (security review of 2026-12-07). An
admin now allows tries per source. Sources stored before this revision allow them when read-only (an account set up
for the SQL blocks to read) and not when writable; a new source takes the same rule unless its admin says otherwise.

Going back drops the column: the release before tries every source.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-12 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("data_sources") as batch:
        batch.add_column(sa.Column("tries_allowed", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute(sa.text("UPDATE data_sources SET tries_allowed = read_only"))


def downgrade() -> None:
    with op.batch_alter_table("data_sources") as batch:
        batch.drop_column("tries_allowed")
