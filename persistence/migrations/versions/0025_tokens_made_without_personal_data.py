"""An API token can be made to read personal data masked, though its user reads it whole:
`api_tokens.sees_personal_data`.

Until now a token read callers' numbers and names as its user did (security review): an admin's viewer token for a
wallboard or a BI pull read them unmasked, more than its job needs. From this revision a token made with
`sees_personal_data` false reads them masked whatever its user may; one made with it reads them only while its user
may (persistence.users `token_reads_personal_data`).

Tokens made before this revision, and sessions, keep NULL: they read personal data as their user does, as they did,
so no integration is cut off by an upgrade. The column has no default for the same reason: an insert that does not
name it makes a token that reads as its user, the behaviour documented until now.

Going back, a token made without personal data goes: the code before this revision would let it read everything
its user reads, more than whoever made it allowed (as 0014's downgrade drops the tokens made with a lower role).
The others stay.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every node stopped first (persistence.migrate `stop_all_nodes`): a node of the release before it, still running,
# reads no such column, and gives a token made without personal data its user's unmasked view.
STOP_ALL_NODES: Final = "an older node still running shows personal data to tokens made without it"

# The columns read and written, as of this revision (not persistence.models, which moves on).
_tokens = sa.table("api_tokens", sa.column("sees_personal_data", sa.Boolean))


def upgrade() -> None:
    # ADD COLUMN without a default: no table rebuild on SQLite, a catalog change on PostgreSQL.
    op.add_column("api_tokens", sa.Column("sees_personal_data", sa.Boolean(), nullable=True))


def downgrade() -> None:
    op.execute(sa.delete(_tokens).where(_tokens.c.sees_personal_data.is_(False)))
    # ALTER TABLE ... DROP COLUMN on both (SQLite has it since 3.35), as 0014 and 0020 do.
    op.drop_column("api_tokens", "sees_personal_data")
