"""Dialling can be held for the whole database: `dialling_hold`, one row while it is held (persistence.dialling_hold).

A disaster-recovery drill restored a backup taken while a campaign was dialling: within seconds of the start the
restored node re-dialled every client the lost machine had called after the backup (their rows still said
pending), and the register, which lost the lost machine's calls, listed each client once. From this revision a
claim takes no job while the row is there: `ivrgraph db backup` writes it into the copy it makes, `ivrgraph dialling
hold` (after a pg_restore) and `POST /api/dialer/hold` set it, and an admin lifts it once the jobs called since the
backup are cancelled (`ivrgraph dialling resume`, `POST /api/dialer/resume`). Databases migrated to it are not held.

No node needs stopping for it: a node of the release before reads no hold, but stops claiming once this revision is
applied (its dialer refuses a schema newer than its code) until it is upgraded.

Going back is refused while dialling is held: the code before this revision would dial at once every job the hold
keeps (after a restore: the clients called since the backup). Resume, or cancel those jobs and resume, first.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-11 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dialling_hold",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("held_by", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_dialling_hold_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dialling_hold")),
    )


def downgrade() -> None:
    held = op.get_bind().execute(sa.text("SELECT held_by, reason FROM dialling_hold")).first()
    if held is not None:
        raise RuntimeError(
            f"dialling is held (by {held.held_by}, reason {held.reason}): the release before 0030 would dial every "
            "job it holds at once; cancel the jobs called since the backup and resume dialling "
            "(ivrgraph dialling resume) before going back"
        )
    op.drop_table("dialling_hold")
