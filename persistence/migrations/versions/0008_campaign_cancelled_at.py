"""A campaign remembers that it was stopped, so a client being dialled at that moment is not dialled again.

Stopping a call list cancelled its pending clients only. A client ringing at that moment went back to pending
when the ring ended busy or unanswered (and a client whose node died mid-dial was taken again when its lease ran
out), so the stopped list still rang them. With `cancelled_at` set, those clients end `cancelled` instead.
Campaigns stopped before this revision keep None: their pending clients were already cancelled.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 06:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("cancelled_at")
