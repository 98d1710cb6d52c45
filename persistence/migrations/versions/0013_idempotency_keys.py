"""Requests that create callbacks keep their `Idempotency-Key`, and a client's jobs are found by their number.

A CRM that timed out on `POST /api/callbacks` and sent it again got a second job, and its client was called
twice; a call list sent twice became two campaigns. The key a user sends with such a request is kept a day with
what was answered (`idempotency_keys`), so the same request again answers the same, and creates nothing. One row
per user and key (the unique constraint): concurrent retries meet there, and only the first creates.

`GET /api/callbacks?number=` finds a client's jobs: `callback_jobs` gets an index on the number (newest first).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("endpoint", sa.String(length=100), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column(
            "response", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=True
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_idempotency_keys_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_key"),
    )
    op.create_index(op.f("ix_idempotency_keys_created_at"), "idempotency_keys", ["created_at"])
    op.create_index("ix_callback_jobs_number_created", "callback_jobs", ["number", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_callback_jobs_number_created", "callback_jobs")
    op.drop_index(op.f("ix_idempotency_keys_created_at"), "idempotency_keys")
    op.drop_table("idempotency_keys")
