"""The canvas's flow statistics: how many calls reached each node of a version, took each exit, hung up or ended
there, kept as hourly counts beside the call records.

Business analysts asked to see on a scenario's canvas where its calls went over a range of dates. Only each call's
trace said so, and reading a month of traces at each request does not scale (some 300,000 for a busy IVR):
`path_counts` keeps the counts by published version, the UTC hour the call started, node and exit, added by
persistence.calls.write_batch as it stores the records (persistence.path_counts says what a call adds).

The records stored before this revision are counted here, a chunk at a time, as the writer counts them; those
without a version row (no published scenario ran, or recorded before 0012 could trace one) are not counted.
That reads every stored trace: 100,000 records took 34 s on PostgreSQL and 48 s on SQLite (a loaded 2-core VM),
most of it decoding the traces' JSON. On SQLite the upgrade holds the write lock throughout, so nodes' records
wait, then go to their spool (written when the database answers again). Records written by nodes still running
the previous release after the upgrade are stored but not counted (that release knows no counts): restart them
with the upgrade.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-14 09:00:00
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql, sqlite

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHUNK = 500  # records read at a time: a trace can be large; each chunk's counts are added in one statement

# The columns read and written, as of this revision (not persistence.models, which moves on).
_calls = sa.table(
    "call_records",
    sa.column("id", sa.String),
    sa.column("version_id", sa.Integer),
    sa.column("started_at", sa.DateTime(timezone=True)),
    sa.column("outcome", sa.String),
    sa.column("last_node", sa.String),
    sa.column("trace", sa.JSON().with_variant(postgresql.JSONB(), "postgresql")),
)
_counts = sa.table(
    "path_counts",
    sa.column("version_id", sa.Integer),
    sa.column("hour", sa.DateTime(timezone=True)),
    sa.column("node", sa.String),
    sa.column("exit", sa.String),
    sa.column("visits", sa.Integer),
    sa.column("calls", sa.Integer),
    sa.column("hangups", sa.Integer),
    sa.column("ended", sa.Integer),
)
_COUNTED = ("visits", "calls", "hangups", "ended")
_KEY = ("version_id", "hour", "node", "exit")


def upgrade() -> None:
    op.create_table(
        "path_counts",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("node", sa.String(64), nullable=False),
        sa.Column("exit", sa.String(64), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in _COUNTED),
        sa.PrimaryKeyConstraint(*_KEY, name="pk_path_counts"),
    )
    connection = op.get_bind()
    sqlite_file = connection.dialect.name == "sqlite"
    insert = sqlite.insert if sqlite_file else postgresql.insert
    add = insert(_counts)
    add = add.on_conflict_do_update(
        index_elements=list(_KEY), set_={name: _counts.c[name] + add.excluded[name] for name in _COUNTED}
    )
    chunk = (
        sa.select(_calls.c.id, _calls.c.version_id, _calls.c.started_at, _calls.c.outcome, _calls.c.last_node,
                  _calls.c.trace)
        .where(_calls.c.version_id.is_not(None))
        .order_by(_calls.c.id)
        .limit(_CHUNK)
    )  # fmt: skip
    after = ""
    while records := connection.execute(chunk.where(_calls.c.id > after)).mappings().all():
        totals: dict[tuple[int, datetime, str, str], list[int]] = {}
        for record in records:
            hour = _utc(record["started_at"]).replace(minute=0, second=0, microsecond=0)
            for (node, exit_name), counts in _one_call(record).items():
                total = totals.setdefault((record["version_id"], hour, node, exit_name), [0, 0, 0, 0])
                for place, count in enumerate(counts):
                    total[place] += count
        rows = [
            {"version_id": version_id, "node": node, "exit": exit_name, **dict(zip(_COUNTED, counts, strict=True)),
             "hour": hour.replace(tzinfo=None) if sqlite_file else hour}  # as UtcDateTime stores it
            for (version_id, hour, node, exit_name), counts in sorted(totals.items())
        ]  # fmt: skip
        connection.execute(add, rows)
        after = records[-1]["id"]


def _utc(moment: datetime) -> datetime:
    """A stored time, aware (SQLite keeps UTC without its offset)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _one_call(record: sa.RowMapping) -> dict[tuple[str, str], list[int]]:
    """persistence.path_counts' counts of one call as of this revision, by (node, exit): [visits, calls, hangups,
    ended]. Node "" is the hour's row of calls, exit "" a node's own row; steps run in a scenario reached by
    Go To Scenario are left out."""
    trace = record["trace"]
    listed = trace.get("steps") if isinstance(trace, Mapping) else None
    steps = [step for step in listed or () if isinstance(step, Mapping)]
    counts: dict[tuple[str, str], list[int]] = {("", ""): [0, 1, 0, 0]}
    last: str | None = None
    for step in steps:
        node = step.get("node")
        if step.get("scenario") or not isinstance(node, str) or not node:
            continue
        last = node = node[:64]
        counts.setdefault((node, ""), [0, 1, 0, 0])[0] += 1
        exit_name = step.get("exit")
        if isinstance(exit_name, str) and exit_name:
            counts.setdefault((node, exit_name[:64]), [0, 1, 0, 0])[0] += 1
    if last is not None:
        counts[(last, "")][3] = 1
    hangup_node = record["last_node"]
    if record["outcome"] == "caller_hangup" and hangup_node:
        there = [step for step in steps if step.get("node") == hangup_node]
        hung_up_in = next((step for step in there if step.get("exit") == "hangup"), there[-1] if there else None)
        if hung_up_in is not None and not hung_up_in.get("scenario"):
            counts[(hangup_node[:64], "")][2] = 1
    return counts


def downgrade() -> None:
    op.drop_table("path_counts")
