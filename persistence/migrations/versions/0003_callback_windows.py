"""Callback jobs keep their allowed hours, so a retry after the window closes moves to the next opening.

A job knew only when its window ended: a callee who did not answer at 20:50, in a 09:00-21:00 window, had
their retry fall after 21:00 and the job expired, never tried the next morning. `allowed_hours` holds the Callback
block's hours, time zone and holidays (JSON); jobs without it (made through the API with an explicit
window_end) keep the old rule.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("callback_jobs") as batch:
        batch.add_column(
            sa.Column("allowed_hours", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"))
        )


def downgrade() -> None:
    with op.batch_alter_table("callback_jobs") as batch:
        batch.drop_column("allowed_hours")
