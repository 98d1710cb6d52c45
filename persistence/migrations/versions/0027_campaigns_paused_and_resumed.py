"""A campaign can be paused and resumed: `campaigns.paused_at` and `campaigns.paused_by`.

Until now a supervisor could only stop a campaign, for good: its clients not yet called were cancelled. A bank's
outbound campaign is held for a complaint, a change in its script or the PBX's maintenance, and then carries on.
From this revision `POST /api/callbacks/campaigns/<id>/pause` sets when and by whom, and no node's dialer claims the
campaign's clients while it is set (persistence.campaign_pause); `/resume` clears both. Campaigns stored before it
keep NULL: they call as they did.

Going back, the code before this revision cannot hold a campaign: a paused one would be called at once, against the
supervisor's pause (a complaint, a script withdrawn). It is stopped instead, as `POST .../cancel` stops one
(persistence.campaign_stop `cancel`): `cancelled_at` set, its clients still waiting `cancelled` keeping their last
dial's outcome. A client being dialled is left to that call. The others are as they were.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-08 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Final

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every node stopped first (persistence.migrate `stop_all_nodes`): a node of the release before it, still running,
# reads no pause, and its dialer goes on calling a campaign a supervisor paused on a new node.
STOP_ALL_NODES: Final = "an older node still running keeps dialling a paused campaign"

# The columns read and written, as of this revision (not persistence.models, which moves on).
_campaigns = sa.table(
    "campaigns",
    sa.column("id", sa.String),
    sa.column("cancelled_at", sa.DateTime(timezone=True)),
    sa.column("paused_at", sa.DateTime(timezone=True)),
)
_jobs = sa.table(
    "callback_jobs",
    sa.column("campaign_id", sa.String),
    sa.column("status", sa.String),
    sa.column("outcome", sa.String),
)


def upgrade() -> None:
    # ADD COLUMN, nullable, without a default: no table rebuild on SQLite, a catalog change on PostgreSQL.
    op.add_column("campaigns", sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("campaigns", sa.Column("paused_by", sa.String(length=100), nullable=True))


def downgrade() -> None:
    bind = op.get_bind()
    paused = sa.select(_campaigns.c.id).where(_campaigns.c.paused_at.is_not(None))
    bind.execute(
        _jobs.update()
        .where(_jobs.c.campaign_id.in_(paused), _jobs.c.status == "pending")
        .values(status="cancelled", outcome=sa.func.coalesce(_jobs.c.outcome, "cancelled"))
    )
    # Stored as persistence.models `UtcDateTime` stores it: UTC, without an offset on SQLite, which keeps none.
    stopped = datetime.now(UTC)
    if bind.dialect.name == "sqlite":
        stopped = stopped.replace(tzinfo=None)
    bind.execute(
        _campaigns.update()
        .where(_campaigns.c.paused_at.is_not(None), _campaigns.c.cancelled_at.is_(None))
        .values(cancelled_at=stopped)
    )
    # ALTER TABLE ... DROP COLUMN on both (SQLite has it since 3.35), as 0014, 0020, 0025 and 0026 do.
    op.drop_column("campaigns", "paused_by")
    op.drop_column("campaigns", "paused_at")
