"""Dialling held for the whole database: no node's dialer claims a job, a campaign's client or a callback, until an
admin resumes it.

Disaster-recovery drill: a backup taken while a campaign was dialling, the machine lost, the backup restored. Within
seconds of the start the restored node re-dialled every client the lost machine had called after the backup (their
rows still said pending), and the register, which lost the lost machine's calls, listed each client once: nobody
noticed the double dial. A restored database must not dial before an admin has cancelled the jobs already called
(docs/operations.md, "Backups"), so it starts held:

- `ivrgraph db backup` writes the hold into the copy it makes (`hold_in_copy`, reason `backup`), so a restored
  SQLite file starts held;
- `ivrgraph dialling hold` sets it on a database restored with pg_restore, before any node starts (reason `admin`),
  as `POST /api/dialer/hold` does on a live one;
- `ivrgraph dialling resume` and `POST /api/dialer/resume` lift it.

The hold is the one row of `dialling_hold`, read by every claim in the claim's own transaction
(persistence.callbacks `claim_due_jobs`), so every node sharing the database sees it at its next claim and none
keeps it in memory; a claim made just before a hold committed dials what it took. Nothing else stops: calls are
answered, callbacks and lists are scheduled (they wait), a call ringing ends as usual. Each hold and resume is
audited (`hold_dialling`, `resume_dialling`, target `dialling`): the backup's in the copy's own audit log.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Literal

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from persistence import audit
from persistence.models import DiallingHold, utcnow

HoldReason = Literal["backup", "admin"]
# Audit events: who held and who resumed, with what was held (the hold's row is gone once resumed).
HOLD_ACTION: Final = "hold_dialling"
RESUME_ACTION: Final = "resume_dialling"
TARGET: Final = "dialling"
_ONE_ROW: Final = 1


@dataclass(frozen=True, slots=True)
class Hold:
    """Dialling held: since when, by whom (a user, or the command and the login that ran it), and why."""

    held_at: datetime
    held_by: str
    reason: HoldReason

    def details(self) -> dict[str, Any]:
        return {"held_at": self.held_at.isoformat(), "held_by": self.held_by, "reason": self.reason}


def current(session: Session) -> Hold | None:
    """The hold in force, None when every node may dial. Read fresh, as a claim must see a hold committed since."""
    row = session.scalars(select(DiallingHold).execution_options(populate_existing=True)).first()
    return None if row is None else _hold(row)


def hold(session: Session, *, by: str, reason: HoldReason = "admin", now: datetime | None = None) -> tuple[Hold, bool]:
    """Hold dialling: the hold in force, and whether this call made it (an earlier hold keeps its time, name and
    reason; two admins holding at once leave the first one's). Audited when made."""
    at = now or utcnow()
    insert = (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert
    made = session.execute(
        insert(DiallingHold)
        .values(id=_ONE_ROW, held_at=at, held_by=by, reason=reason)
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(DiallingHold.id)  # a row only when inserted (rowcount is not reliable for it on every driver)
    ).first()
    held = current(session)
    assert held is not None, "held: made now, or by a transaction that committed first"
    created = made is not None
    if created:
        audit.record_event(session, actor=by, action=HOLD_ACTION, target=TARGET, details={"reason": reason}, now=at)
    return held, created


def resume(session: Session, *, by: str, now: datetime | None = None) -> Hold | None:
    """Let every node dial again, from its next claim: the hold lifted (audited, with what was held), None when
    dialling was not held (nothing recorded). Two admins resuming at once: one lifts it, the other finds none."""
    lifted = session.execute(
        delete(DiallingHold).returning(DiallingHold.held_at, DiallingHold.held_by, DiallingHold.reason)
    ).first()
    if lifted is None:
        return None
    was = Hold(_utc(lifted.held_at), lifted.held_by, _reason(lifted.reason))
    audit.record_event(session, actor=by, action=RESUME_ACTION, target=TARGET, details=was.details(), now=now)
    return was


def hold_in_copy(copy: sqlite3.Connection, *, by: str, now: datetime | None = None) -> bool:
    """Hold dialling in the SQLite copy `ivrgraph db backup` just wrote (reason `backup`), with its audit event,
    committed: a database restored from it dials nobody until an admin resumes it. False when the copy's schema
    predates the hold (a database not yet migrated to 0030): it would dial on restore. A hold the database had
    already stays as it was."""
    table = copy.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (DiallingHold.__tablename__,))
    if table.fetchone() is None:
        return False
    at = _stored(now or utcnow())
    made = copy.execute(
        "INSERT OR IGNORE INTO dialling_hold (id, held_at, held_by, reason) VALUES (?, ?, ?, 'backup')",
        (_ONE_ROW, at, by),
    )
    if made.rowcount:
        copy.execute(
            "INSERT INTO audit_events (at, actor, action, target, details) VALUES (?, ?, ?, ?, ?)",
            (at, by, HOLD_ACTION, TARGET, json.dumps({"reason": "backup"}, separators=(",", ":"))),
        )
    copy.commit()
    return True


def _stored(at: datetime) -> str:
    """`at` as persistence.models.UtcDateTime stores it on SQLite: UTC without an offset, SQLAlchemy's text form."""
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _hold(row: DiallingHold) -> Hold:
    return Hold(row.held_at, row.held_by, _reason(row.reason))


def _reason(stored: str) -> HoldReason:
    return "backup" if stored == "backup" else "admin"


def _utc(at: datetime) -> datetime:
    """A time read by a RETURNING clause, which skips the column's type on SQLite (naive UTC there)."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
