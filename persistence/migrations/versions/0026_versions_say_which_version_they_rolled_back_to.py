"""A version says which version it rolled back to: `scenario_versions.rolled_back_to`.

A rollback publishes an old version's document again as a new version, and until now said so only in its message:
"rollback to version 1", in English, when the publisher gave none. The designer showed that English in every
interface language (an accessibility and wording review). From this revision the rollback stores the number of the
version it published again, and the API lists it (`VersionSummary.rolled_back_to`), for a client to say it in its
own words; the message is stored as before, for the API clients that read it. A publish stores NULL.

The versions stored before it are given theirs where their message is the one a rollback wrote without a message
of the publisher's, exactly ("rollback to version N", N a version before them); a rollback given a message of its
own is not known as one from the data and keeps NULL, as a publish does.

The downgrade drops the column; the messages are as they were.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 22:00:00
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The message api/routes/scenarios.py `rollback` has written, as of this revision, when the publisher gave none.
_ROLLBACK_MESSAGE: Final = re.compile(r"rollback to version ([1-9][0-9]{0,9})")

# The columns read and written, as of this revision (not persistence.models, which moves on).
_versions = sa.table(
    "scenario_versions",
    sa.column("id", sa.Integer),
    sa.column("number", sa.Integer),
    sa.column("message", sa.Text),
    sa.column("rolled_back_to", sa.Integer),
)


def upgrade() -> None:
    # ADD COLUMN, nullable, without a default: no table rebuild on SQLite, a catalog change on PostgreSQL.
    op.add_column("scenario_versions", sa.Column("rolled_back_to", sa.Integer(), nullable=True))
    bind = op.get_bind()
    # Only the rollbacks' default messages are read: a handful of rows, whatever the number of versions.
    candidates = bind.execute(
        sa.select(_versions.c.id, _versions.c.number, _versions.c.message).where(
            _versions.c.message.like("rollback to version %")
        )
    ).all()
    found = [
        {"row": row.id, "to": int(match.group(1))}
        for row in candidates
        if (match := _ROLLBACK_MESSAGE.fullmatch(row.message)) and int(match.group(1)) < row.number
    ]
    if found:
        bind.execute(
            _versions.update().where(_versions.c.id == sa.bindparam("row")).values(rolled_back_to=sa.bindparam("to")),
            found,
        )


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN on both (SQLite has it since 3.35), as 0014, 0020 and 0025 do.
    op.drop_column("scenario_versions", "rolled_back_to")
