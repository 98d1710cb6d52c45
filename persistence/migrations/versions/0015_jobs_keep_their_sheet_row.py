"""A call list's job keeps the row of the file its client was read from.

The campaign's report named a client by their place among the clients (`campaign_row`), while the check named
the file's row ("row 5"): a header, removed duplicates and empty rows shift one from the other, and the analyst
looked for the wrong client in their sheet. `list_row` is the file's row, sent with the list; None for lists
imported before (the report falls back to their place).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-12 06:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("callback_jobs") as batch:
        batch.add_column(sa.Column("list_row", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("callback_jobs") as batch:
        batch.drop_column("list_row")
