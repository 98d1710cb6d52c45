"""Call records keep the flow's result in a column of their own, so the register can be filtered by it.

An autoinformer campaign is reported by what each client answered (the `result` variable a Hang Up or Set
Variable block wrote: will_pay, confirmed, operator_unavailable). It lived only inside the record's variables
(JSON), where no index reaches. Existing records get it copied out of their variables.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 00:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Text or a number, never empty (persistence.calls._result, which writes the column from now on).
_BACKFILL = {
    "sqlite": "UPDATE call_records SET result = substr(CAST(json_extract(variables, '$.result') AS TEXT), 1, 64) "
    "WHERE json_type(variables, '$.result') IN ('text', 'integer', 'real') "
    "AND json_extract(variables, '$.result') <> ''",
    "postgresql": "UPDATE call_records SET result = left(variables->>'result', 64) "
    "WHERE jsonb_typeof(variables->'result') IN ('string', 'number') AND variables->>'result' <> ''",
}


def upgrade() -> None:
    with op.batch_alter_table("call_records") as batch:
        batch.add_column(sa.Column("result", sa.String(64)))
        batch.create_index("ix_call_records_result_started", ["result", "started_at", "id"])
    backfill = _BACKFILL.get(op.get_bind().dialect.name)
    if backfill is not None:
        op.execute(backfill)


def downgrade() -> None:
    with op.batch_alter_table("call_records") as batch:
        batch.drop_index("ix_call_records_result_started")
        batch.drop_column("result")
