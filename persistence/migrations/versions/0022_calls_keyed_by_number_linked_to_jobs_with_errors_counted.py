"""Call records keep their numbers' search keys, the callback jobs they asked for, and their failed steps.

A support-engineer review of the register found three things it could not answer:

- `caller_key`, `dialed_key` (indexed with the start): the numbers as the number search compares them
  (persistence.calls.number_key: cleaned of spaces, dashes and brackets, "00" written "+"). A CallerID stored as the
  trunk wrote it (`+34 600 111 222`) was found only by typing exactly that.
- `scheduled_job_ids` (JSON list; a GIN index on PostgreSQL): the callback jobs the call's Callback blocks scheduled,
  or joined while one was already waiting for the number (the trace's `callback_scheduled` events). They were only
  in the trace, and `callback_job_id` names another link: the job a call placed by the dialer rang back for.
- `error_steps`: how many steps took their block's error exit (a data source refusing its login); a call whose flow
  then went on is `answered` with no `error`, and nothing found it. A partial index holds the calls with one.
- and an index on `origin_call_id` (with the start), so the register lists the attempts of the jobs a call asked for.

Existing records are filled in, in batches of `BATCH` records by id (the register may hold millions: no more than a
batch is in memory at once). The keys are computed in Python from the two numbers (the rule copied below as of this
revision); the failed steps are counted by the database in each trace, which does not leave it; the job ids are read
from the traces of the calls whose status is `callback_scheduled` only (every call that asked for a callback has
it, derived from the same event since the first release), the others get []. A trace retention stripped already
(IVRGRAPH_RETAIN_TRACES: it carries `retention`) no longer says any of that: its call keeps `error_steps` NULL, and
`scheduled_job_ids` NULL when it asked for a callback, meaning "not known"; the register shows null, and
`with_errors=` and `scheduled_job_id=` do not find it.

Measured on a 2-core VM (`bench/migration_0022.py`): one million records with 1.9 KB traces (a tenth of them asking
for a callback, a twentieth with a failed step, a fiftieth stripped) take 153 s on SQLite (a 4.5 GB file) and
106 s on PostgreSQL 15; the time grows with the records. Every record is updated once, in the one transaction of
the upgrade. On SQLite that holds the database's write lock throughout: nodes' writes wait for it (their busy
timeout is 30 s), and past that their records go to their spool, written when the database answers again.
On PostgreSQL each row gets a new version (the table and its indexes grow until autovacuum reclaims the old ones;
VACUUM after it on a large register). On a large register migrate at a quiet hour, or stop the nodes first.

A record an older node writes during a rolling upgrade has NULL in all four: the number search still finds it by
the numbers as stored (its former reading), and the rest is not known for it.

The downgrade drops the columns and indexes; the code before this revision does not read them.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-24 09:00:00
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH: Final = 5000  # records read and updated at a time

_TABLE: Final = "call_records"
# Index name -> its columns, created after the backfill (one build each instead of a million inserts).
_INDEXES: Final = {
    "ix_call_records_caller_key_started": ["caller_key", "started_at", "id"],
    "ix_call_records_dialed_key_started": ["dialed_key", "started_at", "id"],
    "ix_call_records_origin_started": ["origin_call_id", "started_at", "id"],
}
_ERRORS_INDEX: Final = "ix_call_records_errors_started"
_JOBS_INDEX: Final = "ix_call_records_scheduled_jobs"

# persistence.phone_numbers.phone_number and persistence.calls.number_key as of this revision.
_NUMBER: Final = re.compile(r"\+?[0-9]{2,20}")
_TYPED_BY_PEOPLE: Final = str.maketrans("", "", " -().\u00a0/")
_KEY_LENGTH: Final = 80


def _number_key(value: str | None) -> str | None:
    if value is None:
        return None
    cleaned = value.removeprefix("'").translate(_TYPED_BY_PEOPLE)
    if not _NUMBER.fullmatch(cleaned):
        return value.replace("\x00", "\ufffd")[:_KEY_LENGTH]
    return "+" + cleaned[2:] if cleaned.startswith("00") else cleaned


# A trace retention stripped (persistence.retention.STRIPPED), and the steps of a trace that took the error exit,
# read by each database (a trace that is not an object, or whose `steps` is not a list, has no steps: as
# persistence.calls reads it in Python). NULL from SQLite for a text that is not JSON: not known.
_STRIPPED: Final = {
    "postgresql": "jsonb_exists(trace, 'retention')",
    "sqlite": "CASE WHEN json_valid(trace) THEN json_type(trace, '$.retention') IS NOT NULL END",
}
_ERROR_STEPS: Final = {
    # strict and silent: `steps` that is no list, and a step that is no object, count nothing (lax mode would
    # read an object as a list of one).
    "postgresql": """jsonb_array_length(jsonb_path_query_array(
        trace, 'strict $.steps[*] ? (@.exit == "error")', '{}', true))""",
    # CASE, not AND: SQLite does not promise to test the type first (persistence.calls._LAST_TRANSFERS).
    "sqlite": """CASE WHEN json_valid(trace) THEN CASE WHEN json_type(trace, '$.steps') = 'array' THEN (
        SELECT count(*) FROM json_each(trace, '$.steps') AS s
        WHERE CASE WHEN s.type = 'object' THEN json_extract(s.value, '$.exit') = 'error' END) ELSE 0 END END""",
}


def upgrade() -> None:
    bind = op.get_bind()
    json_type = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
    # ADD COLUMN in place on both (nullable, no default): no table rebuilt, no row rewritten by the DDL itself.
    op.add_column(_TABLE, sa.Column("caller_key", sa.String(80), nullable=True))
    op.add_column(_TABLE, sa.Column("dialed_key", sa.String(80), nullable=True))
    op.add_column(_TABLE, sa.Column("scheduled_job_ids", json_type, nullable=True))
    op.add_column(_TABLE, sa.Column("error_steps", sa.Integer(), nullable=True))
    _backfill(bind)
    for name, columns in _INDEXES.items():
        op.create_index(name, _TABLE, columns)
    op.create_index(_ERRORS_INDEX, _TABLE, ["started_at", "id"], sqlite_where=sa.text("error_steps > 0"),
                    postgresql_where=sa.text("error_steps > 0"))  # fmt: skip
    # PostgreSQL: GIN, which finds an item of the lists. SQLite: the lists of the calls that asked for a job.
    op.create_index(_JOBS_INDEX, _TABLE, ["scheduled_job_ids"], postgresql_using="gin",
                    postgresql_ops={"scheduled_job_ids": "jsonb_path_ops"},
                    sqlite_where=sa.text("scheduled_job_ids <> '[]'"))  # fmt: skip


def downgrade() -> None:
    op.drop_index(_JOBS_INDEX, table_name=_TABLE)
    op.drop_index(_ERRORS_INDEX, table_name=_TABLE)
    for name in reversed(_INDEXES):
        op.drop_index(name, table_name=_TABLE)
    # ALTER TABLE ... DROP COLUMN on both (SQLite has it since 3.35), their indexes dropped first, as 0021 does.
    for column in ("error_steps", "scheduled_job_ids", "dialed_key", "caller_key"):
        op.drop_column(_TABLE, column)


def _backfill(bind: sa.Connection) -> None:
    jobs = "CAST(:scheduled_job_ids AS JSONB)" if bind.dialect.name == "postgresql" else ":scheduled_job_ids"
    update = sa.text(
        "UPDATE call_records SET caller_key = :caller_key, dialed_key = :dialed_key, "
        f"scheduled_job_ids = {jobs}, error_steps = :error_steps WHERE id = :id"
    )
    for batch in _batches(bind):
        bind.execute(update, batch)  # one statement for the batch (psycopg pipelines it)


def _batches(bind: sa.Connection) -> Iterator[list[dict[str, Any]]]:
    """The new columns' values of every record, a batch at a time, by id."""
    dialect = bind.dialect.name  # SQLite or PostgreSQL: the databases ivrgraph keeps its register in
    read = sa.text(
        f"SELECT id, caller_id, dialed_number, status, {_STRIPPED[dialect]} AS stripped, {_ERROR_STEPS[dialect]} "
        "AS errors FROM call_records WHERE id > :after ORDER BY id LIMIT :limit"
    )
    after = ""
    while rows := bind.execute(read, {"after": after, "limit": BATCH}).mappings().all():
        after = rows[-1]["id"]
        found = [dict(row) for row in rows]
        asked = [row["id"] for row in found if row["status"] == "callback_scheduled" and _readable(row)]
        jobs = _jobs_asked_for(bind, asked)
        yield [
            {
                "id": row["id"],
                "caller_key": _number_key(row["caller_id"]),
                "dialed_key": _number_key(row["dialed_number"]),
                "scheduled_job_ids": _job_list(row, jobs),
                "error_steps": int(row["errors"]) if _readable(row) else None,
            }
            for row in found
        ]


def _readable(row: Mapping[str, Any]) -> bool:
    """Whether the record's trace still tells its steps: JSON (SQLite says NULL when not), and not stripped (SQLite
    says 0 or 1, PostgreSQL false or true)."""
    return row["stripped"] is not None and not row["stripped"] and row["errors"] is not None


def _job_list(row: Mapping[str, Any], jobs: Mapping[str, list[str]]) -> str | None:
    """The record's `scheduled_job_ids` as JSON text, or None when not known."""
    if row["status"] != "callback_scheduled":
        return "[]"  # it asked for no callback: the status says so, stripped trace or not
    if row["id"] in jobs:
        return json.dumps(jobs[row["id"]])
    return None  # its trace was stripped: the jobs are not known any more


def _jobs_asked_for(bind: sa.Connection, ids: list[str]) -> dict[str, list[str]]:
    """The jobs each of the calls `ids` scheduled or joined, read from their traces."""
    if not ids:
        return {}
    read = sa.text("SELECT id, trace FROM call_records WHERE id IN :ids").bindparams(
        sa.bindparam("ids", expanding=True)
    )
    return {call_id: _scheduled_job_ids(_loaded(trace)) for call_id, trace in bind.execute(read, {"ids": ids})}


def _loaded(trace: Any) -> Mapping[str, Any]:
    """A trace as the driver gives it (PostgreSQL's JSONB parsed, SQLite's text not); {} when it is no object."""
    if isinstance(trace, str | bytes):
        try:
            trace = json.loads(trace)
        except ValueError:
            return {}
    return trace if isinstance(trace, Mapping) else {}


# persistence.calls.scheduled_job_ids and the trace reading under it, as of this revision.
def _steps(trace: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    steps = trace.get("steps")
    return (step for step in steps if isinstance(step, Mapping)) if isinstance(steps, list) else iter(())


def _scheduled_job_ids(trace: Mapping[str, Any]) -> list[str]:
    found = (
        event.get("job_id")
        for step in _steps(trace)
        for event in step.get("events") or []
        if isinstance(event, Mapping) and event.get("kind") == "callback_scheduled"
    )
    return list(dict.fromkeys(job for job in found if isinstance(job, str) and job))
