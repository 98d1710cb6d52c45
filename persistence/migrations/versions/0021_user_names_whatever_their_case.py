"""User names are one whatever their case: `users.username_folded`, unique.

`ana` and `Ana` could both be made, and each had to sign in with their exact case. From this revision a name is
compared case-folded (Python's `str.casefold()`, persistence.models.fold_username): the folded name is kept beside
the name as typed (which is still what is shown) and a unique index on it refuses a second `ANA` whatever writes it.

A database whose users already clash (two names that differ in case only) is not changed: the upgrade stops before
anything is written and names every clashing user, for an admin to rename or delete all but one of each. Nobody is
renamed or dropped here: which of two accounts is the real one is not the migration's to guess.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-23 09:00:00
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from alembic.util import CommandError

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The columns read and written, as of this revision (not persistence.models, which moves on).
_users = sa.table(
    "users", sa.column("id", sa.Integer), sa.column("username", sa.String), sa.column("username_folded", sa.String)
)
_INDEX = "uq_users_username_folded"


def _fold(username: str) -> str:
    """persistence.models.fold_username as of this revision."""
    return username.casefold()


def _clashes(rows: Sequence[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    """Each group of users whose names fold to one, in id order."""
    groups: defaultdict[str, list[tuple[int, str]]] = defaultdict(list)
    for user_id, username in rows:
        groups[_fold(username)].append((user_id, username))
    return [group for group in groups.values() if len(group) > 1]


def _refusal(clashes: list[list[tuple[int, str]]]) -> str:
    named = "; ".join(", ".join(f"{username!r} (id {user_id})" for user_id, username in group) for group in clashes)
    return (
        f"user names are now the same whatever their case, and these users' names differ in case only: {named}. "
        "Rename or delete all but one of each (e.g. UPDATE users SET username = '<new name>' WHERE id = <id>), then "
        "upgrade again; nothing was changed"
    )


def upgrade() -> None:
    bind = op.get_bind()
    rows = [(int(user_id), str(name)) for user_id, name in bind.execute(sa.select(_users.c.id, _users.c.username))]
    clashes = _clashes(sorted(rows))
    if clashes:  # before any change: SQLite does not roll DDL back with the migration
        raise CommandError(_refusal(clashes))
    if bind.dialect.name == "sqlite":
        # SQLite adds a NOT NULL column only with a default, and making it NOT NULL afterwards rebuilds the table,
        # whose drop would cascade into api_tokens (every session and token gone). The '' is never kept: each row
        # is set below, and the code always writes the column.
        op.add_column("users", sa.Column("username_folded", sa.String(300), nullable=False, server_default=""))
    else:
        op.add_column("users", sa.Column("username_folded", sa.String(300), nullable=True))
    for user_id, username in rows:  # a handful of users: one UPDATE each, folded as Python folds
        op.execute(sa.update(_users).where(_users.c.id == user_id).values(username_folded=_fold(username)))
    if bind.dialect.name != "sqlite":
        op.alter_column("users", "username_folded", existing_type=sa.String(300), nullable=False)
    op.create_index(_INDEX, "users", ["username_folded"], unique=True)


def downgrade() -> None:
    # The names stay as typed; the code before this revision compares them exactly again.
    op.drop_index(_INDEX, table_name="users")
    # ALTER TABLE ... DROP COLUMN on both (SQLite has it since 3.35), as 0020 does.
    op.drop_column("users", "username_folded")
