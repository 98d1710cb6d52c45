"""Call records keep Asterisk's UNIQUEID and what the caller hung up during; server failures read as failed.

An operator holding an Asterisk CDR or CEL line (which carry the channel's UNIQUEID) could not find the call's
trace here: the FastAGI runtime had the id (agi_uniqueid) but did not store it, nor the operation a caller hung
up in (a prompt, a key entry, a transfer), which says whether they left in silence or while being spoken to.
Records written before keep an empty id and no operation.

Calls the FastAGI server itself failed (a path naming no published scenario, a broken AGI session) were stored
with the status their ANSWER gave them, `answered` mostly, so `status=failed` hid them (review of 2026-12-05);
they read as failed now, as new ones are written.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 11:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("call_records") as batch:
        batch.add_column(sa.Column("asterisk_uniqueid", sa.String(150), nullable=False, server_default=""))
        batch.add_column(sa.Column("hangup_during", sa.String(40), nullable=True))
        batch.create_index("ix_call_records_asterisk_uniqueid", ["asterisk_uniqueid"])
    # persistence.calls.derive_status: these outcomes are failures whatever the ANSWER did; a callback the flow
    # scheduled before the session broke stays what it was.
    op.execute(
        "UPDATE call_records SET status = 'failed' WHERE outcome IN ('unknown_scenario', 'protocol_error') "
        "AND status NOT IN ('failed', 'callback_scheduled')"
    )


def downgrade() -> None:
    with op.batch_alter_table("call_records") as batch:
        batch.drop_index("ix_call_records_asterisk_uniqueid")
        batch.drop_column("hangup_during")
        batch.drop_column("asterisk_uniqueid")
