"""The erasure hash key is made with the schema: `install_secrets.subject_hash`, when it is not there yet.

The key that names an erased data subject by a hash (persistence.privacy) was made at the first erasure. A backup
taken before then lacked it, and an installation restored from that backup made another at its first erasure: the
same number got another hash, and an erasure ledger kept outside the database (an export of the audit log's
`erasure` events) could no longer be matched to anyone (disaster-recovery review). Made here, it is in every backup
taken from now on, and the same for every node (they share the database).

A key made on first use before this revision is kept as it is: the audit log already names subjects by it. Going
back keeps the key too: the code before this revision reads it as one made by an erasure.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-10 10:00:00
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql, sqlite

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The table as of this revision (not persistence.models, which moves on); its name and key length as privacy's.
_secrets = sa.table(
    "install_secrets",
    sa.column("name", sa.String(40)),
    sa.column("value", sa.String(128)),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
_KEY_NAME = "subject_hash"


def upgrade() -> None:
    bind = op.get_bind()
    insert = (postgresql if bind.dialect.name == "postgresql" else sqlite).insert
    # A node of the release before, still running, may make the key at the same moment: the first one stays.
    made = insert(_secrets).values(name=_KEY_NAME, value=secrets.token_hex(32), created_at=_now(bind.dialect.name))
    op.execute(made.on_conflict_do_nothing(index_elements=["name"]))


def downgrade() -> None:
    pass  # the key stays: subjects are named by it in the audit log, and the code before reads it


def _now(dialect: str) -> datetime:
    # SQLite keeps no offset: UTC written naive, as persistence.models.UtcDateTime writes it.
    now = datetime.now(UTC)
    return now.replace(tzinfo=None) if dialect == "sqlite" else now
