"""Caller names folded again by this release's rule: `ivrgraph db refold-names`.

The register's name search compares `call_records.caller_name_folded`, the name as persistence.folding `fold` made
it when the record was written. A node of an older release, still running after `ivrgraph db upgrade` (a rolling
upgrade), goes on writing its own fold, or none (ops review, upgrading 0023 to 0027: a name a Mac sent decomposed,
recorded by a node of the release before 0024, was never found by the name search, and nothing refolded it later).
Migrations fold what is stored when they run; this folds what the old nodes wrote since, once the last of them
has stopped. Running it again finds nothing to do.

Records are read a batch at a time by id, and only those whose stored fold is not `fold` of their name are written,
each batch in a transaction of its own: the register stays writable while it runs, the nodes' inserts wait for one
batch's locks at most. A record whose name changed since it was read (none does, but an erasure may delete it) is
left as it is now.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from sqlalchemy import bindparam, select, update

from persistence.db import Database
from persistence.folding import fold
from persistence.models import CallRecord

BATCH: Final = 5000  # records read, and at most written, a transaction


@dataclass(frozen=True)
class Refolded:
    read: int  # records read
    refolded: int  # of them, written with their name folded again


def refold_caller_names(
    database: Database, *, batch: int = BATCH, progress: Callable[[Refolded], None] | None = None
) -> Refolded:
    """Every call record's folded caller name made `fold(caller_name)` where it is not; how many were read and
    written. `progress` hears the running totals after each batch."""
    read_batch = (
        select(CallRecord.id, CallRecord.caller_name, CallRecord.caller_name_folded)
        .where(CallRecord.id > bindparam("after"))
        .order_by(CallRecord.id)
        .limit(batch)
    )
    write = (
        update(CallRecord)
        .where(CallRecord.id == bindparam("call_id"), CallRecord.caller_name == bindparam("name"))
        .values(caller_name_folded=bindparam("folded"))
        .execution_options(synchronize_session=False)
    )
    read = refolded = 0
    after = ""
    while True:
        with database.session() as session:
            rows = session.execute(read_batch, {"after": after}).all()
            if not rows:
                break
            after = rows[-1].id
            changed = [
                {"call_id": row.id, "name": row.caller_name, "folded": folded}
                for row in rows
                if (folded := fold(row.caller_name)) != row.caller_name_folded
            ]
            if changed:
                session.connection().execute(write, changed)  # one statement for the batch (executemany)
        read, refolded = read + len(rows), refolded + len(changed)
        if progress is not None:
            progress(Refolded(read, refolded))
    return Refolded(read, refolded)
