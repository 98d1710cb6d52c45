"""A campaign of its own: a call list keeps its name, who started it and the settings it was started with.

Until now a campaign was only the `campaign_id` its jobs shared, so lists and reports could show nothing but
an id and a date. The campaigns of lists imported before this revision are made from their jobs (scenario,
first creation time, count) and from the audit log (who imported them); their name and settings stay empty.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 04:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("scenario", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("jobs", sa.Integer(), nullable=False),
        sa.Column(
            "settings", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )
    op.create_index(op.f("ix_campaigns_scenario"), "campaigns", ["scenario"])
    op.create_index(op.f("ix_campaigns_created_at"), "campaigns", ["created_at"])
    op.execute(
        "INSERT INTO campaigns (id, scenario, name, created_by, created_at, jobs, settings) "
        "SELECT j.campaign_id, min(j.scenario), '', "
        "(SELECT min(a.actor) FROM audit_events a WHERE a.action = 'call_list' AND a.target = 'campaign:' || "
        "j.campaign_id), min(j.created_at), count(*), '{}' "
        "FROM callback_jobs j WHERE j.campaign_id IS NOT NULL GROUP BY j.campaign_id"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_campaigns_created_at"), "campaigns")
    op.drop_index(op.f("ix_campaigns_scenario"), "campaigns")
    op.drop_table("campaigns")
