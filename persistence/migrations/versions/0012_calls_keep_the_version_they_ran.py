"""A call keeps the version it ran: call records name the version row, and a deleted scenario keeps its versions.

A call record named its version by the scenario's slug and the version's number, and deleting a scenario deleted
its versions: an old call's version could not be opened any more, and once the slug was created again and
published, its `v1` opened the new scenario's document, which the designer compared the call with and drew its
path on (review of 2026-12-06). Records now keep the version's row id (`version_id`, which is never reused), and a
deleted scenario that was published is kept, marked `deleted_at` and under a slug no scenario can have
(`~<id>-<slug>`), so that its slug is free again and its versions stay.

Records written before are traced to their version where that is sure: the slug's scenario was already there
when the call started, so the call ran one of its versions, not one of a scenario deleted since (whose versions
are gone). The others keep no version row.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The columns read and written, as of this revision (not persistence.models, which moves on).
_calls = sa.table(
    "call_records",
    sa.column("scenario", sa.String),
    sa.column("version", sa.Integer),
    sa.column("version_id", sa.Integer),
    sa.column("started_at", sa.DateTime(timezone=True)),
)
_scenarios = sa.table(
    "scenarios",
    sa.column("id", sa.Integer),
    sa.column("slug", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("deleted_at", sa.DateTime(timezone=True)),
)
_versions = sa.table(
    "scenario_versions",
    sa.column("id", sa.Integer),
    sa.column("scenario_id", sa.Integer),
    sa.column("number", sa.Integer),
)


def upgrade() -> None:
    # Columns added in place (no table rebuilt on SQLite: dropping `scenarios` would cascade into its versions).
    with op.batch_alter_table("scenarios") as batch:
        batch.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("call_records") as batch:
        batch.add_column(sa.Column("version_id", sa.Integer(), nullable=True))
    ran = (
        sa.select(_versions.c.id)
        .join(_scenarios, _scenarios.c.id == _versions.c.scenario_id)
        .where(
            _scenarios.c.slug == _calls.c.scenario,
            _versions.c.number == _calls.c.version,
            _scenarios.c.created_at <= _calls.c.started_at,
        )
        .scalar_subquery()
    )
    op.execute(sa.update(_calls).where(_calls.c.version.is_not(None)).values(version_id=ran))


def downgrade() -> None:
    # The code before this revision knows no deleted scenario: those kept go, with their versions (as it deleted).
    op.execute(sa.delete(_versions).where(_versions.c.scenario_id.in_(
        sa.select(_scenarios.c.id).where(_scenarios.c.deleted_at.is_not(None))
    )))  # fmt: skip
    op.execute(sa.delete(_scenarios).where(_scenarios.c.deleted_at.is_not(None)))
    # ALTER TABLE ... DROP COLUMN on both (SQLite has it since 3.35): a batch would rebuild `scenarios` on SQLite,
    # and dropping the old table cascades into every scenario's versions.
    op.drop_column("call_records", "version_id")
    op.drop_column("scenarios", "deleted_at")
