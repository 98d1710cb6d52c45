"""A campaign's rows skipped as duplicates keep their own number and cells: `campaign_skipped_rows.number`,
`written` and `cells`.

The report listed a skipped row with the first row's number, dialled (`+79123456789`), and none of its cells: a
supervisor reconciling it against the file could not tell which record was dropped (review of a Russian debt
campaign). From this revision a skipped row keeps its number as typed (`8 912 345 67 89`) and its cells, as a
client's are kept in their job's `contact`, and its number as dialled, by which an erasure of the person finds it.
Rows skipped before it have none: their report rows are as they were.

Going back drops the columns.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-07 16:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0033"
down_revision: str | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("campaign_skipped_rows") as batch:
        batch.add_column(sa.Column("number", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("written", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("cells", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("campaign_skipped_rows") as batch:
        batch.drop_column("cells")
        batch.drop_column("written")
        batch.drop_column("number")
