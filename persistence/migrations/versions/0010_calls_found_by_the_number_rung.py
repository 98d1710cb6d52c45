"""The register finds a client's calls in both directions: by the number that called in, or the number rung.

An outbound call (a callback, a campaign) names the client in `dialed_number` (its caller id is the dialer's
own), so `?caller=` on the client's number found their inbound calls only. The filter now looks at both columns,
and `dialed_number` gets the index `caller_id` has, so neither side is a scan of the whole register.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("call_records") as batch:
        batch.create_index("ix_call_records_dialed_started", ["dialed_number", "started_at", "id"])


def downgrade() -> None:
    with op.batch_alter_table("call_records") as batch:
        batch.drop_index("ix_call_records_dialed_started")
