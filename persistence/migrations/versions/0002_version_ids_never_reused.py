"""Version row ids are never reused on SQLite (AUTOINCREMENT).

FastAGI nodes learn of publishes by the highest version row id, and the call server orders versions of one slug
by it. SQLite hands a deleted highest id to the next row, so after a scenario was deleted the next publish could
go unnoticed, or lose to the deleted version still cached. PostgreSQL's sequences never reuse ids already.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 20:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    # The table is rebuilt with its rows, ids, keys and indexes as they are; only AUTOINCREMENT is added.
    with op.batch_alter_table(
        "scenario_versions", recreate="always", table_kwargs={"sqlite_autoincrement": True}
    ) as batch:
        del batch


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("scenario_versions", recreate="always") as batch:
        del batch
