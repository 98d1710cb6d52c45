"""A caller who hangs up while a transfer rings or queues is `abandoned_waiting`, not `abandoned_in_menu`.

Call-centre reports count callers who gave up in the IVR menu and callers who gave up waiting for an operator
(a Dial they cancelled while it rang, a queue they left) apart: two abandon rates. Both were `abandoned_in_menu`;
so was a caller who talked to the operator and then hung up, when the flow went on after the Transfer block's
`answered` exit (a call that ends there is `transferred`). Calls recorded since 0009 kept what the caller hung up
during (`hangup_during`): those that hung up during a transfer read as the FastAGI runtime writes them now,
`transferred` when the trace notes the transfer answered, `abandoned_waiting` otherwise. Calls recorded before
0009 do not say, and stay as they were.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 10:00:00
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHUNK = 500  # rows read at a time: a trace can be large, and the statuses are set a chunk at a time

# The columns read and written, as of this revision (not persistence.models, which moves on).
_calls = sa.table(
    "call_records",
    sa.column("id", sa.String),
    sa.column("outcome", sa.String),
    sa.column("status", sa.String),
    sa.column("hangup_during", sa.String),
    sa.column("trace", sa.JSON().with_variant(postgresql.JSONB(), "postgresql")),
)


def upgrade() -> None:
    # persistence.calls.derive_status as of this revision; `abandoned_in_menu` already says the call was answered,
    # ended by the caller's hangup, and scheduled no callback.
    connection = op.get_bind()
    candidates = (
        sa.select(_calls.c.id, _calls.c.trace)
        .where(
            _calls.c.status == "abandoned_in_menu",
            _calls.c.outcome == "caller_hangup",
            _calls.c.hangup_during == "transfer",
        )
        .order_by(_calls.c.id)
        .limit(_CHUNK)
    )
    after = ""
    while rows := connection.execute(candidates.where(_calls.c.id > after)).all():
        connected = [call_id for call_id, trace in rows if _connected(trace)]
        waited = [call_id for call_id, trace in rows if not _connected(trace)]
        for status, ids in (("transferred", connected), ("abandoned_waiting", waited)):
            if ids:
                connection.execute(sa.update(_calls).where(_calls.c.id.in_(ids)).values(status=status))
        after = rows[-1].id


def _connected(trace: Any) -> bool:
    """Did a transfer of the call bridge the caller to someone? (The Transfer block's `transfer` event.)"""
    steps = trace.get("steps") if isinstance(trace, Mapping) else None
    return any(
        isinstance(event, Mapping) and event.get("kind") == "transfer" and event.get("outcome") == "answered"
        for step in steps or []
        if isinstance(step, Mapping)
        for event in step.get("events") or []
    )


def downgrade() -> None:
    # What the code before this revision writes: a caller's hangup after the ANSWER is `abandoned_in_menu`.
    op.execute(
        "UPDATE call_records SET status = 'abandoned_in_menu' WHERE status = 'abandoned_waiting' "
        "OR (status = 'transferred' AND outcome = 'caller_hangup')"
    )
