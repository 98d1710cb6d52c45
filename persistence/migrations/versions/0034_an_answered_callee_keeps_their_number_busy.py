"""An answered callee keeps their number busy until the dialer sees them hang up: `callback_jobs.on_line_until`.

An answered attempt ends its job (done) and unlocks it at once, and a claim took a number for busy only while one of
its jobs was being dialled: the client's other due job (a list imported twice, a callback and a campaign) was dialled
into the call they were still on (review of the dialer). From this revision the dialer writes, with an answered
attempt, until when its callee may be on the line (the answer and the longest call it holds a line for); the hangup's
`settle_answer` clears it, and a claim passes over a number with a job on the line (persistence.callbacks).

Jobs made before it have none: nothing is on the line for them. No node need stop: a node of the release before
stops claiming once this revision is applied (its dialer refuses a schema newer than its code) until it is upgraded.

Going back drops the column.

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-07 22:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0034"
down_revision: str | None = "0033"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("callback_jobs") as batch:
        batch.add_column(sa.Column("on_line_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("callback_jobs") as batch:
        batch.drop_column("on_line_until")
