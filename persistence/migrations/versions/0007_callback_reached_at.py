"""A callback job remembers when its scenario reached the callee, so an answer nobody heard is not counted done.

AMI says a callee answered; only a FastAGI call naming the job says the scenario ran. When the dialplan's AGI
finds no FastAGI server (c1x-noagi.txt: AGISTATUS=FAILURE) the callee hears silence and hangs up, and the job
used to stay "done". `reached_at` is set when the FastAGI call arrives; the dialer reads it after the hangup.
Jobs made before this revision keep None: they were settled under the old rule.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 05:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("callback_jobs") as batch:
        batch.add_column(sa.Column("reached_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("callback_jobs") as batch:
        batch.drop_column("reached_at")
