"""How long personal data is kept: the retention periods an operator sets, and the purge that applies them.

Each kind of record has its own period, off (kept for ever, as before this existed) until its setting is given:

- `IVRGRAPH_RETAIN_CALLS`: call records are deleted once the call started longer ago than this.
- `IVRGRAPH_RETAIN_TRACES`: a call older than this keeps its register row (caller, times, status, result: what the
  register, its reports and its counts read) but loses its variables, its error text and its trace, of which only
  the skeleton of its last Transfer step stays (the register and the reports read a call's transfer outcome from
  there: `persistence.calls.transfer_outcomes`). The canvas's flow statistics are counts kept apart (path_counts).
- `IVRGRAPH_RETAIN_CALLBACKS`: callback jobs not of a call list, once over (done, failed, expired, cancelled) and
  neither due nor dialled within the period, with their dial attempts.
- `IVRGRAPH_RETAIN_CAMPAIGNS`: a call list whose clients are all over, untouched for the period: the campaign, its
  clients' jobs (each holds the list's row) and their attempts, at once, so no half of a campaign is reported.
- `IVRGRAPH_RETAIN_AUDIT`: audit events.

A period is a number of days or weeks: `365d`, `26w`. Idempotency keys (what a request with an `Idempotency-Key`
answered, the whole job with its client's number) are always purged once they answer for nothing any more
(`persistence.callbacks.KEY_KEPT`, a day): a request with an older key is a new request whoever sends it.

`purge` deletes in batches of `PURGE_BATCH` rows, each committed on its own, so a million old calls never make one
giant transaction, the writer lock of an SQLite file is held a batch at a time, and the nodes' call records go on
being written in between. `maintenance_session` gives it (and an erasure, persistence.privacy) a connection of its
own with SQLite's `secure_delete` on (a deleted row's bytes are overwritten, not left in free pages) and checkpoints
the write-ahead log afterwards. `purge_if_due` is what `ivrgraph serve` runs once a day: one node at a time on
PostgreSQL (an advisory lock), and only when no purge was recorded in the audit log the last `PURGE_EVERY`.
"""

from __future__ import annotations

import fcntl
import logging
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from sqlalchemy import Boolean, ColumnElement, and_, delete, exists, func, not_, or_, select, true, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from persistence.audit import record_event
from persistence.db import Database, create_private_file
from persistence.locations import sqlite_file
from persistence.models import (
    AuditEvent,
    Base,
    CallbackAttempt,
    CallbackJob,
    CallCampaign,
    CallRecord,
    IdempotencyKey,
)

log = logging.getLogger(__name__)

PURGE_BATCH: Final = 1000  # rows per DELETE, each committed on its own
TRACE_BATCH: Final = 200  # traces read and rewritten per statement (a trace is some KB)
PURGE_ACTION: Final = "purge"  # the audit event a purge leaves, counts only
PURGE_EVERY: Final = timedelta(hours=20)  # `purge_if_due`: a purge recorded this recently is enough for the day
# PostgreSQL: the advisory lock the node purging holds ("ivpurge!" in ASCII), so that one node purges at a time.
PURGE_LOCK: Final = int.from_bytes(b"ivpurge!", "big")
# The key a stripped trace carries (`stripped_trace`), which the purge looks for not to strip a trace twice.
STRIPPED: Final = "retention"

RETENTION_ENV: Final = {
    "calls": "IVRGRAPH_RETAIN_CALLS",
    "traces": "IVRGRAPH_RETAIN_TRACES",
    "callbacks": "IVRGRAPH_RETAIN_CALLBACKS",
    "campaigns": "IVRGRAPH_RETAIN_CAMPAIGNS",
    "audit": "IVRGRAPH_RETAIN_AUDIT",
}
_PERIOD: Final = re.compile(r"([0-9]{1,5})\s*([dw])", re.IGNORECASE)
_UNIT_DAYS: Final = {"d": 1, "w": 7}
# A trace's top-level facts that say nothing of the caller: kept in a stripped trace.
_TRACE_FACTS: Final = ("call_id", "scenario", "outcome", "started_at", "ended_at", "last_node", "answered")
_TRANSFER_BLOCK: Final = "transfer"  # blocks/builtin/transfer.py's type, as persistence.calls reads it
_COUNTED: Final = (
    "call_records", "call_traces", "callback_jobs", "callback_attempts", "campaigns", "campaign_jobs", "audit_events",
    "idempotency_keys", "spool_files",
)  # fmt: skip


def parse_period(text: str) -> timedelta:
    """`365d`, `26w` as a period (at least a day); ValueError for anything else."""
    found = _PERIOD.fullmatch(text.strip())
    if found is None or int(found.group(1)) < 1:
        raise ValueError(f"{text!r} is no period: write a number of days or weeks, such as 365d or 26w")
    return timedelta(days=int(found.group(1)) * _UNIT_DAYS[found.group(2).lower()])


def shown_period(period: timedelta | None) -> str:
    return "kept" if period is None else f"{period.days}d"


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """How long each kind of record is kept; None: for ever (the default of each)."""

    calls: timedelta | None = None
    traces: timedelta | None = None
    callbacks: timedelta | None = None
    campaigns: timedelta | None = None
    audit: timedelta | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> RetentionPolicy:
        """The `IVRGRAPH_RETAIN_*` settings (module docstring); ValueError naming the variable of a bad one."""
        periods: dict[str, timedelta | None] = {}
        for name, variable in RETENTION_ENV.items():
            value = environ.get(variable, "").strip()
            try:
                periods[name] = parse_period(value) if value else None
            except ValueError as error:
                raise ValueError(f"{variable}: {error}") from None
        return cls(**periods)

    def everything_older_than(self, period: timedelta) -> RetentionPolicy:
        """Every kind kept for `period` (`ivrgraph records purge --older-than`)."""
        return RetentionPolicy(*(period for _ in fields(self)))

    def describe(self) -> str:
        return ", ".join(f"{name} {shown_period(getattr(self, name))}" for name in RETENTION_ENV)

    @property
    def keeps_everything(self) -> bool:
        return all(getattr(self, name) is None for name in RETENTION_ENV)


@dataclass(slots=True)
class PurgeReport:
    """What a purge removed (or, `dry_run`, would remove), by table."""

    dry_run: bool
    call_records: int = 0  # deleted
    call_traces: int = 0  # stripped: variables, error and trace (the register row stays)
    callback_jobs: int = 0  # callbacks not of a call list
    callback_attempts: int = 0  # of those, and of the campaigns' jobs
    campaigns: int = 0
    campaign_jobs: int = 0  # the campaigns' clients (list rows) and the callbacks their calls promised
    audit_events: int = 0
    idempotency_keys: int = 0
    spool_files: int = 0  # a node's spooled and set-aside call records on its disk (agi_server.spool)
    cutoffs: dict[str, datetime] = field(default_factory=dict)  # what was older than what
    interrupted: bool = False  # stopped before the end (`purge`'s `stop`)

    def counts(self) -> dict[str, int]:
        return {each.name: getattr(self, each.name) for each in fields(self) if each.name in _COUNTED}

    @property
    def total(self) -> int:
        return sum(self.counts().values())


def purge(
    session: Session,
    *,
    now: datetime,
    policy: RetentionPolicy,
    dry_run: bool = False,
    batch: int = PURGE_BATCH,
    stop: threading.Event | None = None,
) -> PurgeReport:
    """Remove what `policy` keeps no longer at `now`, and the idempotency keys past their day.

    Commits after each batch: give it a session of its own (`maintenance_session`), not one of `Database.session()`.
    `dry_run` counts what would go, and changes nothing. `stop` set (the process is stopping) ends it after the
    batch it is on, `interrupted`: the next purge goes on from there."""
    from persistence.callbacks import KEY_KEPT  # here: the settings read this module's policy, and need no blocks

    report = PurgeReport(dry_run=dry_run)
    cutoffs = {name: now - period for name in RETENTION_ENV if (period := getattr(policy, name)) is not None}
    report.cutoffs = dict(cutoffs)
    steps = _Steps(session, dry_run=dry_run, batch=batch, stop=stop)
    if "calls" in cutoffs:
        report.call_records = steps.delete(CallRecord, CallRecord.id, [CallRecord.started_at < cutoffs["calls"]],
                                           order=(CallRecord.started_at, CallRecord.id))  # fmt: skip
    if "traces" in cutoffs and not ("calls" in cutoffs and cutoffs["calls"] >= cutoffs["traces"]):
        report.call_traces = _strip_traces(steps, cutoffs["traces"], kept_from=cutoffs.get("calls"), now=now)
    if "callbacks" in cutoffs:
        report.callback_jobs, attempts = steps.delete_jobs(_finished_callbacks(cutoffs["callbacks"]))
        report.callback_attempts += attempts
    if "campaigns" in cutoffs:
        campaigns, jobs, attempts = _purge_campaigns(steps, cutoffs["campaigns"])
        report.campaigns, report.campaign_jobs = campaigns, jobs
        report.callback_attempts += attempts
    if "audit" in cutoffs:
        report.audit_events = steps.delete(AuditEvent, AuditEvent.id, [AuditEvent.at < cutoffs["audit"]],
                                           order=(AuditEvent.id,))  # fmt: skip
    # The same boundary `callbacks.claim_key` forgets a user's keys at: a key this old answers for nothing.
    report.idempotency_keys = steps.delete(
        IdempotencyKey, IdempotencyKey.id, [IdempotencyKey.created_at <= now - KEY_KEPT], order=(IdempotencyKey.id,)
    )
    report.interrupted = steps.stopping
    if dry_run:
        session.rollback()
    return report


class _Steps:
    """Deletions in batches, each committed (or, on a dry run, counted)."""

    def __init__(self, session: Session, *, dry_run: bool, batch: int, stop: threading.Event | None) -> None:
        self.session, self.dry_run, self.batch, self._stop = session, dry_run, batch, stop

    @property
    def stopping(self) -> bool:
        return self._stop is not None and self._stop.is_set()

    def delete(
        self,
        model: type[Base],
        key: InstrumentedAttribute[Any],
        where: Sequence[ColumnElement[bool]],
        *,
        order: Sequence[InstrumentedAttribute[Any]],
    ) -> int:
        if self.dry_run:
            return int(self.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)
        removed = 0
        while not self.stopping:
            # The keys first, by an index's order: a bounded read, then a DELETE by primary key.
            keys = list(self.session.scalars(select(key).where(*where).order_by(*order).limit(self.batch)))
            if not keys:
                break
            removed += _rows(self.session.execute(delete(model).where(key.in_(keys))))
            self.session.commit()
        return removed

    def delete_jobs(self, where: Sequence[ColumnElement[bool]]) -> tuple[int, int]:
        """Callback jobs matching `where` with their attempts: (jobs, attempts)."""
        if self.dry_run:
            jobs = self.session.scalar(select(func.count()).select_from(CallbackJob).where(*where))
            attempts = self.session.scalar(
                select(func.count())
                .select_from(CallbackAttempt)
                .where(CallbackAttempt.job_id.in_(select(CallbackJob.id).where(*where)))
            )
            return int(jobs or 0), int(attempts or 0)
        jobs = attempts = 0
        while not self.stopping:
            ids = list(
                self.session.scalars(select(CallbackJob.id).where(*where).order_by(CallbackJob.id).limit(self.batch))
            )
            if not ids:
                break
            # Attempts go by the foreign key's cascade too; deleted here to be counted, on any backend.
            attempts += _rows(self.session.execute(delete(CallbackAttempt).where(CallbackAttempt.job_id.in_(ids))))
            jobs += _rows(self.session.execute(delete(CallbackJob).where(CallbackJob.id.in_(ids))))
            self.session.commit()
        return jobs, attempts


def _rows(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _finished_callbacks(cutoff: datetime) -> list[ColumnElement[bool]]:
    """Callback jobs of no call list, over, and neither due nor dialled since `cutoff`. A job has no time it
    ended: its last attempt, or its due time for one never dialled (cancelled, expired), says when it was last
    anything. `status, due` is an index of the table."""
    from persistence.callbacks import FINAL_STATUSES

    return [
        CallbackJob.campaign_id.is_(None),
        CallbackJob.status.in_(sorted(FINAL_STATUSES)),
        CallbackJob.due < cutoff,
        or_(CallbackJob.last_attempt_at.is_(None), CallbackJob.last_attempt_at < cutoff),
        CallbackJob.created_at < cutoff,
    ]


_CAMPAIGNS_AT_ONCE: Final = 20


def _finished_campaigns(cutoff: datetime) -> list[ColumnElement[bool]]:
    """Campaigns started and stopped before `cutoff` none of whose jobs is waiting, being dialled, due or dialled
    since: over for longer than the period."""
    from persistence.callbacks import FINAL_STATUSES

    recent = exists().where(
        CallbackJob.campaign_id == CallCampaign.id,
        or_(
            CallbackJob.status.not_in(sorted(FINAL_STATUSES)),
            CallbackJob.due >= cutoff,
            CallbackJob.last_attempt_at >= cutoff,
            CallbackJob.created_at >= cutoff,
        ),
    )
    return [
        CallCampaign.created_at < cutoff,
        or_(CallCampaign.cancelled_at.is_(None), CallCampaign.cancelled_at < cutoff),
        ~recent,
    ]


def _purge_campaigns(steps: _Steps, cutoff: datetime) -> tuple[int, int, int]:
    """(campaigns, their jobs, their attempts) removed: each campaign's jobs in batches, then the campaign."""
    session, where = steps.session, _finished_campaigns(cutoff)
    if steps.dry_run:
        ids = select(CallCampaign.id).where(*where)
        campaigns = session.scalar(select(func.count()).select_from(CallCampaign).where(*where))
        jobs, attempts = steps.delete_jobs([CallbackJob.campaign_id.in_(ids)])
        return int(campaigns or 0), jobs, attempts
    campaigns = jobs = attempts = 0
    while not steps.stopping:
        found = list(
            session.scalars(select(CallCampaign.id).where(*where).order_by(CallCampaign.id).limit(_CAMPAIGNS_AT_ONCE))
        )
        if not found:
            break
        for campaign_id in found:
            removed_jobs, removed_attempts = steps.delete_jobs([CallbackJob.campaign_id == campaign_id])
            jobs, attempts = jobs + removed_jobs, attempts + removed_attempts
            if steps.stopping:  # its jobs not all gone: the campaign stays, over still, for the next purge
                break
            campaigns += _rows(session.execute(delete(CallCampaign).where(CallCampaign.id == campaign_id)))
            session.commit()
    return campaigns, jobs, attempts


# -- traces ----------------------------------------------------------------------------------------


def stripped_trace(trace: Mapping[str, Any], *, at: datetime) -> dict[str, Any]:
    """`trace` without what the caller said, pressed, was told or was looked up for: its outcome and times, and of
    its steps only the last Transfer step's skeleton (node, exit, and the outcome its transfer event noted), which
    the register and its reports read a call's transfer outcome from. Marked `retention` with when."""
    kept: dict[str, Any] = {name: trace[name] for name in _TRACE_FACTS if name in trace}
    transfer = _last_transfer(trace)
    kept.update(steps=[transfer] if transfer is not None else [], variables={}, error=None)
    kept[STRIPPED] = {"stripped_at": at.astimezone(UTC).isoformat()}
    return kept


def _last_transfer(trace: Mapping[str, Any]) -> dict[str, Any] | None:
    steps = trace.get("steps")
    if not isinstance(steps, list):
        return None
    for step in reversed(steps):
        if isinstance(step, Mapping) and step.get("type") == _TRANSFER_BLOCK:
            events = [event for event in step.get("events") or [] if isinstance(event, Mapping)]
            noted = [event for event in events if event.get("kind") == "transfer" and "outcome" in event]
            return {
                **{name: step.get(name) for name in ("index", "node", "type", "label", "at", "exit", "duration_ms")},
                "keys": "",
                "prompts": [],
                "variables_changed": {},
                "events": [{"kind": "transfer", "outcome": noted[-1]["outcome"]}] if noted else [],
                "error": None,
                "scenario": step.get("scenario"),
            }
    return None


def _not_stripped(dialect: str) -> ColumnElement[bool]:
    """The traces not stripped yet, read by the database: a stripped one carries the key `STRIPPED`."""
    if dialect == "postgresql":
        return not_(func.jsonb_exists(CallRecord.trace, STRIPPED, type_=Boolean))
    if dialect == "sqlite":
        return func.json_extract(CallRecord.trace, f"$.{STRIPPED}").is_(None)
    return true()  # another database: each trace is looked at in Python


def _strip_traces(steps: _Steps, cutoff: datetime, *, kept_from: datetime | None, now: datetime) -> int:
    """Strip the traces of the calls started before `cutoff` (`stripped_trace`), a batch at a time, in the order of
    the (started_at, id) index; not those started before `kept_from`, which the purge deletes."""
    session, dry_run = steps.session, steps.dry_run
    dialect = session.get_bind().dialect.name
    older = [CallRecord.started_at < cutoff, _not_stripped(dialect)]
    if kept_from is not None:
        older.append(CallRecord.started_at >= kept_from)
    if dry_run and dialect in ("postgresql", "sqlite"):
        return int(session.scalar(select(func.count()).select_from(CallRecord).where(*older)) or 0)
    stripped = 0
    after: tuple[datetime, str] | None = None
    size = min(steps.batch, TRACE_BATCH)
    while not steps.stopping:
        query = select(CallRecord.id, CallRecord.started_at, CallRecord.trace).where(*older)
        if after is not None:
            query = query.where(
                or_(CallRecord.started_at > after[0], and_(CallRecord.started_at == after[0], CallRecord.id > after[1]))
            )
        rows = session.execute(query.order_by(CallRecord.started_at, CallRecord.id).limit(size)).all()
        if not rows:
            break
        after = (rows[-1].started_at, rows[-1].id)
        changes = [
            {"key": call_id, "trace": stripped_trace(trace or {}, at=now)}
            for call_id, _started, trace in rows
            if not (isinstance(trace, Mapping) and STRIPPED in trace)
        ]
        if dry_run:
            stripped += len(changes)
            continue
        for change in changes:
            session.execute(
                update(CallRecord)
                .where(CallRecord.id == change["key"])
                .values(trace=change["trace"], variables={}, error=None)
                .execution_options(synchronize_session=False)
            )
        stripped += len(changes)
        session.commit()
    return stripped


# -- sessions and the daily run ---------------------------------------------------------------------


@contextmanager
def maintenance_session(database: Database) -> Iterator[Session]:
    """A session on a connection of its own, for a purge or an erasure: on SQLite with `secure_delete` on (the
    bytes of what is deleted or rewritten are overwritten with zeros, not left in the file's free pages) and, after,
    the write-ahead log checkpointed and truncated, so that no copy of them stays in `<file>-wal` either (best
    effort: a reader holding an old snapshot keeps the log until it ends). What the session has not committed when
    the block ends is rolled back."""
    with database.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        previous = 0
        if sqlite:
            previous = int(connection.exec_driver_sql("PRAGMA secure_delete").scalar() or 0)
            connection.exec_driver_sql("PRAGMA secure_delete=ON")
            connection.commit()
        try:
            with Session(bind=connection, expire_on_commit=False) as session:
                yield session
                session.rollback()
        finally:
            if sqlite:
                connection.rollback()
                connection.exec_driver_sql(f"PRAGMA secure_delete={previous}")
                busy = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()
                connection.commit()
                if busy is not None and busy[0]:
                    log.info("the write-ahead log could not be truncated now (a reader holds it): SQLite does later")


def run_purge(
    database: Database,
    *,
    now: datetime,
    policy: RetentionPolicy,
    dry_run: bool = False,
    actor: str | None = None,
    stop: threading.Event | None = None,
) -> PurgeReport:
    """`purge` on a `maintenance_session`; with `actor`, a `purge` audit event says what went (counts only)."""
    with maintenance_session(database) as session:
        report = purge(session, now=now, policy=policy, dry_run=dry_run, stop=stop)
        if actor is not None and not dry_run:
            _record(session, report, actor=actor, now=now)
    return report


def _record(session: Session, report: PurgeReport, *, actor: str, now: datetime) -> None:
    details = {
        "counts": report.counts(),
        "older_than": {name: cutoff.isoformat() for name, cutoff in report.cutoffs.items()},
        "interrupted": report.interrupted,
    }
    record_event(session, actor=actor, action=PURGE_ACTION, target="retention", details=details, now=now)
    session.commit()


def purge_if_due(
    database: Database,
    *,
    now: datetime,
    policy: RetentionPolicy,
    actor: str,
    every: timedelta = PURGE_EVERY,
    stop: threading.Event | None = None,
) -> PurgeReport | None:
    """The daily purge of `ivrgraph serve`: None when another node purges now (PostgreSQL's advisory lock is
    taken), or one did within `every` (its audit event, which each complete purge leaves: the other nodes then know
    it was done; one interrupted by `stop` leaves none, and the next node's purge goes on with it)."""
    with _purge_lock(database) as held:
        if not held:
            return None
        with database.session() as session:
            last = session.scalar(
                select(func.max(AuditEvent.at)).where(
                    AuditEvent.action == PURGE_ACTION, AuditEvent.target == "retention"
                )
            )
        if last is not None and last > now - every:
            return None
        with maintenance_session(database) as session:
            report = purge(session, now=now, policy=policy, stop=stop)
            if not report.interrupted:
                _record(session, report, actor=actor, now=now)
        return report


@contextmanager
def _purge_lock(database: Database) -> Iterator[bool]:
    """Whether this process may purge now, held until the block ends so that the check for a recent purge and the
    event recording one happen under it: on PostgreSQL the session-level advisory lock no other node's purge can
    take; for an SQLite file an flock on `<file>.purge-lock` beside it (`ivrgraph serve` and `ivrgraph agi` nodes may
    share one file on a host)."""
    if not database.is_postgres:
        with _file_lock(database) as held:
            yield held
        return
    with database.engine.connect() as connection:
        held = bool(connection.execute(select(func.pg_try_advisory_lock(PURGE_LOCK))).scalar())
        connection.commit()
        try:
            yield held
        finally:
            if held:
                connection.execute(select(func.pg_advisory_unlock(PURGE_LOCK)))
                connection.commit()


@contextmanager
def _file_lock(database: Database) -> Iterator[bool]:
    path = sqlite_file(database.url)
    if path is None:
        yield True  # an in-memory database: this process's alone
        return
    lock = path.with_name(f"{path.name}.purge-lock")
    create_private_file(lock)
    with lock.open("a") as held:
        try:
            fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True  # released when the file closes
