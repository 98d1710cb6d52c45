"""Seeing personal data is a permission of its own: `users.sees_personal_data`.

Until now every role, viewer tokens included, read callers' numbers and names, the variables and traces of their
calls (PINs, account numbers, a debt an SQL block found) and the rows of imported call lists (data-protection
review). From this revision a user without the flag reads them masked (api.personal_data), whatever their role.

Existing users keep the access they had: every row is set true here, so an upgrade does not silently hide from
supervisors what they work with; an admin takes it away from whoever does not need it (`PATCH /api/users/{id}`).
Users made from now on are made without it unless the admin gives it (the column's default is false, the safe one
for any insert that does not name it); admins always have it.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-22 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The column written, as of this revision (not persistence.models, which moves on).
_users = sa.table("users", sa.column("sees_personal_data", sa.Boolean))


def upgrade() -> None:
    # ADD COLUMN with a constant default: no table rebuild on SQLite, a catalog change on PostgreSQL 11+.
    op.add_column("users", sa.Column("sees_personal_data", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute(sa.update(_users).values(sees_personal_data=True))


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN on both (SQLite has it since 3.35), as 0012 and 0014 do. The code before this
    # revision shows everything to everyone: going back gives the access back.
    op.drop_column("users", "sees_personal_data")
