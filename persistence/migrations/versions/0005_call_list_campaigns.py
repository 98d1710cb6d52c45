"""Callback jobs made from one call list share a campaign id, and calls can be found by the job they delivered.

A campaign (one imported call list) is reported as a whole, in the list's order (`campaign_row`): each
client's number, how the dialing went and what they answered. The jobs of one list are found by
`campaign_id`; each job's calls by `callback_job_id`, which had no index (the report joins every job of a list
to its calls). Older jobs belong to no campaign.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 01:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("callback_jobs") as batch:
        batch.add_column(sa.Column("campaign_id", sa.String(36)))
        batch.add_column(sa.Column("campaign_row", sa.Integer))
        batch.create_index("ix_callback_jobs_campaign_id", ["campaign_id"])
    with op.batch_alter_table("call_records") as batch:
        batch.create_index("ix_call_records_callback_job_id", ["callback_job_id"])


def downgrade() -> None:
    with op.batch_alter_table("call_records") as batch:
        batch.drop_index("ix_call_records_callback_job_id")
    with op.batch_alter_table("callback_jobs") as batch:
        batch.drop_index("ix_callback_jobs_campaign_id")
        batch.drop_column("campaign_row")
        batch.drop_column("campaign_id")
