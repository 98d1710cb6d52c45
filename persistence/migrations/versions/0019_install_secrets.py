"""A secret of the installation, for the keyed hash that stands for an erased data subject's number.

An erasure (`ivrgraph privacy erase`, `POST /api/privacy/erasure`) replaces the number in the audit log's details
by a hash, and names the subject by it in the `erasure` and `subject_access` events. A plain SHA-256 of a phone
number is read back by hashing every number of the plan (a billion Spanish mobiles take minutes), so the hash is
an HMAC keyed with a random secret kept here, made on first use: every node sharing the database uses the same one,
and someone who can read the audit log through the API (an admin) cannot reverse it.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-20 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "install_secrets",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_install_secrets")),
    )


def downgrade() -> None:
    op.drop_table("install_secrets")
