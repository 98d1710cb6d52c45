"""A campaign keeps the rows of its list it skipped as duplicates: `campaign_skipped_rows`.

A list scheduled with `"duplicates": "skip"` left out each row whose number an earlier row had, and named them at
the check, in the audit event (the first thousand) and, counted, in the campaign's settings; its report listed the
clients called only, so a supervisor reconciling it against the file found rows missing with nothing to say why.
From this revision the campaign keeps each skipped row and the row called instead (numbers of rows only: the phone
number and cells are the row called's), and its report lists it in its place ("skipped", "duplicate of row 2").
Campaigns scheduled before it have none kept: their reports are as they were.

Going back drops the table: the audit events still name the rows skipped.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-09 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "campaign_skipped_rows",
        sa.Column("campaign_id", sa.String(length=36), nullable=False),
        sa.Column("list_row", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("first_row", sa.Integer(), nullable=False),
        # Gone with its campaign (the retention purge deletes a finished campaign whole).
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_skipped_rows_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("campaign_id", "list_row", name=op.f("pk_campaign_skipped_rows")),
    )


def downgrade() -> None:
    op.drop_table("campaign_skipped_rows")
