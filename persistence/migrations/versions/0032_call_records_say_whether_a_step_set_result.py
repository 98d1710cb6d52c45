"""Call records say whether a step of the call set `result`: `call_records.result_set_by_a_step`.

A campaign counts the clients who hung up before the scenario set their `result` (their answer is the scenario's
default, nothing they chose), which only the trace's `variables_changed` tells. Reading each client's trace in the
campaign's summary, which the designer asks every 15 s, read ~55 MB a refresh for 20,000 clients; the fact is now a
column, written with each record (persistence.calls.result_set_by_a_step), and it outlives trace retention.

Filled in here from the traces for the calls that can count: a callback's call (a campaign's) its caller hung up
on. Other records keep NULL, which no count reads. A node of the release before writes records without it (NULL):
only its own campaign calls go uncounted, so the nodes need not stop.

Going back drops the column.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07 11:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0032"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SET_BY_A_STEP = {
    "postgresql": "jsonb_path_exists(trace, '$.steps[*].variables_changed.result')",
    "sqlite": "EXISTS (SELECT 1 FROM json_each(call_records.trace, '$.steps')"
    " WHERE json_type(value, '$.variables_changed.result') IS NOT NULL)",
}


def upgrade() -> None:
    with op.batch_alter_table("call_records") as batch:
        batch.add_column(sa.Column("result_set_by_a_step", sa.Boolean(), nullable=True))
    set_by_a_step = _SET_BY_A_STEP[op.get_bind().dialect.name]
    op.execute(
        sa.text(
            f"UPDATE call_records SET result_set_by_a_step = {set_by_a_step} "
            "WHERE outcome = 'caller_hangup' AND callback_job_id IS NOT NULL"
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("call_records") as batch:
        batch.drop_column("result_set_by_a_step")
