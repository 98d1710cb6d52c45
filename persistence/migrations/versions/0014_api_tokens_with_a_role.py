"""An API token acts with a role of its own, at most its user's: a read-only token for a dashboard, a publisher's
for a CI job, without handing out the whole role of the admin who made it.

`api_tokens.role` is the most a token may do; at every use it is capped by its user's current role, so demoting a
user demotes their tokens at once. A token made before this revision gets its user's role as it is now: it goes on
doing what it did, and a later promotion of the user does not widen it (security review, 2026-12-05: left None, such
a token, or one a downgrade and upgrade had passed through, took whatever role its user was given later). Sessions
keep None: they act with their user's role.

Going back, a token made with less than its user's role goes: the code before this revision would let it act with
the user's whole role, more than whoever made it allowed.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 19:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The columns read and written, as of this revision (not persistence.models, which moves on).
_tokens = sa.table(
    "api_tokens",
    sa.column("id", sa.Integer),
    sa.column("user_id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("role", sa.String),
)
_users = sa.table("users", sa.column("id", sa.Integer), sa.column("role", sa.String))
_RANKS = {"viewer": 1, "editor": 2, "publisher": 3, "admin": 4}


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("role", sa.String(length=20), nullable=True))
    users_role = sa.select(_users.c.role).where(_users.c.id == _tokens.c.user_id).scalar_subquery()
    op.execute(sa.update(_tokens).where(_tokens.c.kind == "api").values(role=users_role))


def _rank(role: sa.ColumnElement[str]) -> sa.Case[int]:
    return sa.case(_RANKS, value=role, else_=0)


def downgrade() -> None:
    below_the_user = (
        sa.select(_users.c.id)
        .where(_users.c.id == _tokens.c.user_id, _rank(_tokens.c.role) < _rank(_users.c.role))
        .exists()
    )
    op.execute(sa.delete(_tokens).where(_tokens.c.role.is_not(None), below_the_user))
    # ALTER TABLE ... DROP COLUMN on both (SQLite has it since 3.35), as 0012 does.
    op.drop_column("api_tokens", "role")
