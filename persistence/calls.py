"""Call records: written in batches off the call path by the FastAGI runtime, read by the call register."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import logging
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, insert, or_, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, defer

from graph_engine.trace import CallOutcome, CallResult
from persistence.db import Database
from persistence.errors import NotFound, Refused
from persistence.models import CallRecord, Scenario, ScenarioVersion
from persistence.phone_numbers import phone_number, written_forms

log = logging.getLogger(__name__)

WRITE_STATEMENT_TIMEOUT_MS = 20_000  # PostgreSQL: a call-record batch that takes longer is given up (and kept)
# How long a write that finds the previous one still waiting on the database is refused at once (CallRecordWriter):
# past the FastAGI writer's timeout (30 s) and its retries, so a batch on a frozen database waits out one timeout.
RETRY_SILENT_AFTER = 60.0

# What a PBX call register shows, derived once when the record is written so it can be filtered by index.
# `abandoned_waiting`: the caller hung up while a transfer rang or queued for an operator, which a call centre's
# abandon rate counts apart from `abandoned_in_menu` (left the IVR itself).
STATUSES = (
    "answered",
    "missed",
    "abandoned_in_menu",
    "abandoned_waiting",
    "transferred",
    "failed",
    "callback_scheduled",
)


@dataclass(slots=True)
class CallRecordIn:
    """One finished call as the FastAGI runtime hands it over."""

    call_id: str
    scenario: str
    started_at: datetime
    outcome: str  # graph_engine.trace.CallOutcome value
    trace: Mapping[str, Any]  # CallResult.as_dict()
    version: int | None = None
    # The version's row id (`Published.stamp`): what names the version the call ran once its slug is reused.
    version_id: int | None = None
    caller_id: str = ""
    caller_name: str = ""
    dialed_number: str = ""
    channel: str = ""
    node: str = ""
    asterisk_uniqueid: str = ""
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    last_node: str | None = None
    hangup_during: str | None = None
    error: str | None = None
    origin_call_id: str | None = None
    callback_job_id: str | None = None
    variables: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_result(
        cls,
        result: CallResult,
        *,
        started_at: datetime,
        ended_at: datetime,
        answered_at: datetime | None = None,
        version: int | None = None,
        version_id: int | None = None,
        facts: Mapping[str, Any] | None = None,
        node: str = "",
        callback_job_id: str | None = None,
        origin_call_id: str | None = None,
    ) -> CallRecordIn:
        facts = facts or {}
        return cls(
            call_id=result.call_id,
            scenario=result.scenario,
            version=version,
            version_id=version_id,
            started_at=started_at,
            answered_at=answered_at,
            ended_at=ended_at,
            outcome=str(result.outcome),
            trace=result.as_dict(),
            caller_id=str(facts.get("caller_id", "")),
            caller_name=str(facts.get("caller_name", "")),
            dialed_number=str(facts.get("dialed_number", "")),
            channel=str(facts.get("channel", "")),
            node=node,
            last_node=result.last_node,
            error=result.error,
            origin_call_id=origin_call_id,
            callback_job_id=callback_job_id,
            variables=result.variables,
        )


# The FastAGI server's own outcomes besides the engine's (agi_server.records.CallRecord.outcome; persistence sits
# below agi_server, so by value): a path naming no published scenario and a broken AGI session are failures of
# the service, and a call turned away at the node's cap is a caller nobody served, as reports of missed calls need.
_FAILURES = frozenset({CallOutcome.FAILED, CallOutcome.STEP_LIMIT, "unknown_scenario", "protocol_error"})
_REFUSED = frozenset({"refused_overload", "refused_stopping"})  # at the node's call cap; the node stopping


# agi_server.channel's `hangup_during` for a hangup seen by a transfer: while it rang or queued (Dial's CANCEL, a
# queue's ABANDON), or while the caller talked to whoever answered (the bridge ended with their channel dead).
_DURING_TRANSFER = "transfer"


def derive_status(*, outcome: str, answered: bool, trace: Mapping[str, Any], hangup_during: str | None = None) -> str:
    """The call-register status of a finished call. `hangup_during`: the operation the caller hung up in, as
    the FastAGI channel recorded it (None when they did not, or the record does not say)."""
    if any(event.get("kind") == "callback_scheduled" for event in _events(trace)):
        return "callback_scheduled"
    if outcome == CallOutcome.TRANSFERRED:
        return "transferred"
    if outcome in _FAILURES:
        return "failed"  # even when answered (the fallback's apology plays after an ANSWER): nothing served them
    if not answered or outcome in _REFUSED:
        return "missed"
    if outcome == CallOutcome.CALLER_HANGUP:
        if hangup_during != _DURING_TRANSFER:
            return "abandoned_in_menu"  # the caller left before the scenario finished with them
        # The Transfer block notes a transfer that returned; one the caller's hangup cut short notes nothing.
        if any(_connected(event) for event in _events(trace)):
            # They talked to the operator, then hung up: a transfer, as when its `answered` exit leads nowhere;
            # here the flow went on after it and found the line dead.
            return "transferred"
        return "abandoned_waiting"
    return "answered"


def _events(trace: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """Every event of the trace's steps, in order (a trace is data from the engine: malformed parts are skipped)."""
    return (
        event
        for step in trace.get("steps") or []
        if isinstance(step, Mapping)
        for event in step.get("events") or []
        if isinstance(event, Mapping)
    )


def _connected(event: Mapping[str, Any]) -> bool:
    """A transfer that bridged the caller to someone (blocks/builtin/transfer.py: TransferOutcome.ANSWERED)."""
    return event.get("kind") == "transfer" and event.get("outcome") == "answered"


_RECORD_FIELDS = frozenset(f.name for f in fields(CallRecordIn))


def as_record_in(record: object) -> CallRecordIn:
    """Accept our own `CallRecordIn`, a mapping of its fields, or the FastAGI runtime's record object.

    The runtime's record (agi_server.records.CallRecord) keeps channel facts in `facts` and the hangup point
    in `hangup_point`; persistence cannot import agi_server (it sits below it), so it is read by attribute.
    """
    if isinstance(record, CallRecordIn):
        return record
    if isinstance(record, Mapping):
        return CallRecordIn(**{key: value for key, value in record.items() if key in _RECORD_FIELDS})
    facts: Mapping[str, Any] = getattr(record, "facts", None) or {}
    trace: Mapping[str, Any] = getattr(record, "trace", None) or {}
    values = {name: getattr(record, name) for name in _RECORD_FIELDS if hasattr(record, name)}
    for name in ("caller_id", "caller_name", "dialed_number", "channel"):
        values.setdefault(name, str(facts.get(name, "")))
    values.setdefault("last_node", getattr(record, "hangup_point", None) or trace.get("last_node"))
    values.setdefault("callback_job_id", getattr(record, "job_id", None))
    # The inputs (query parameters, AGI arguments) are where the call's variables started; the trace holds what
    # the flow made of them (a Set Variable, the Hang Up block's `result`), and an input it never read is kept.
    variables = dict(getattr(record, "inputs", None) or {})
    variables.update(trace.get("variables") or {})
    values.setdefault("variables", variables)
    return CallRecordIn(**values)


# The length of every bounded text column of the call register, read from the model so the two cannot drift.
_LENGTHS: dict[str, int] = {
    column.name: length
    for column in CallRecord.__table__.columns
    if isinstance(length := getattr(column.type, "length", None), int)
}


def _text(column: str, value: str | None) -> str | None:
    """A value `column` takes: cut to its length, and no NUL (PostgreSQL stores none in text)."""
    if value is None:
        return None
    if "\x00" in value:
        value = value.replace("\x00", "\ufffd")
    limit = _LENGTHS.get(column)
    return value[:limit] if limit is not None else value


def _row(record: object) -> dict[str, Any]:
    """One record as a row. Every value fits its column: a record the database refused would be set aside, and
    an AGI path or query argument longer than a column (the dialplan's, ultimately the caller's) must not cost
    the call its record."""
    record = as_record_in(record)
    trace = record.trace  # written as JSON by the engine's serializer (persistence.db.json_text)
    answered = record.answered_at is not None or bool(trace.get("answered"))
    ended = record.ended_at or record.started_at
    return {
        "id": _text("id", record.call_id),
        "scenario": _text("scenario", record.scenario),
        "version": record.version,
        "version_id": record.version_id,
        "caller_id": _text("caller_id", record.caller_id),
        "caller_name": _text("caller_name", record.caller_name),
        "dialed_number": _text("dialed_number", record.dialed_number),
        "channel": _text("channel", record.channel),
        "node": _text("node", record.node),
        "asterisk_uniqueid": _text("asterisk_uniqueid", record.asterisk_uniqueid),
        "started_at": record.started_at,
        "answered_at": record.answered_at,
        "ended_at": record.ended_at,
        "duration_ms": max(0, int((ended - record.started_at).total_seconds() * 1000)),
        "outcome": _text("outcome", record.outcome),
        "status": derive_status(
            outcome=record.outcome, answered=answered, trace=trace, hangup_during=record.hangup_during
        ),
        "last_node": _text("last_node", record.last_node),
        "hangup_during": _text("hangup_during", record.hangup_during),
        "error": _text("error", record.error),
        "origin_call_id": _text("origin_call_id", record.origin_call_id),
        "callback_job_id": _text("callback_job_id", record.callback_job_id),
        "result": _text("result", _result(record.variables)),
        "variables": dict(record.variables),  # json_text writes no NUL into JSON either
        "trace": trace,
    }


def _result(variables: Mapping[str, Any]) -> str | None:
    """The flow's `result` as the register shows and filters it: text or a number, never empty."""
    value = variables.get("result")
    if isinstance(value, bool) or not isinstance(value, str | int | float) or value == "":
        return None
    return str(value)


def write_batch(session: Session, *, records: Sequence[object]) -> int:
    """Insert finished calls in one statement; a call id written before (a retried batch) is skipped."""
    if not records:
        return 0
    rows = [_row(record) for record in records]
    dialect = session.get_bind().dialect.name
    statement: Any
    if dialect == "postgresql":
        # A batch takes milliseconds; one held up by a lock or a stalled server fails here instead of holding
        # its thread, and the FastAGI writer keeps the records (agi_server.records).
        session.execute(text(f"SET LOCAL statement_timeout = {WRITE_STATEMENT_TIMEOUT_MS}"))
        session.execute(text(f"SET LOCAL lock_timeout = {WRITE_STATEMENT_TIMEOUT_MS // 2}"))
        statement = postgresql.insert(CallRecord).on_conflict_do_nothing(index_elements=["id"])
    elif dialect == "sqlite":
        statement = sqlite.insert(CallRecord).on_conflict_do_nothing(index_elements=["id"])
    else:
        statement = insert(CallRecord)
    session.execute(statement, rows)
    return len(rows)


class DatabaseSilent(Exception):
    """A call-record write refused at once: the writer's previous one still waits for the database to answer."""


@dataclass(slots=True)
class _Write:
    started: float  # time.monotonic()
    ended: threading.Event  # set by the write's thread, whatever the write's result


class CallRecordWriter:
    """`write_batch(records)` bound to a database. Awaiting the writer itself runs the insert in a thread of its
    own, which is the `WriteBatch` callable the FastAGI record writer expects: one write at a time.

    A database that freezes (a stopped server or proxy: TCP still acknowledged, so no keepalive or TCP timeout
    fires, and a statement timeout is the server's own) holds a write's thread in the connection check or the
    insert for as long as it stays frozen. The FastAGI writer gives up on such a write at its timeout and keeps
    the records in its spool; the thread is left to end when the database answers (a batch it commits then is
    not written twice: the spool's replay skips a call id the table has). So the thread is a daemon, which the
    interpreter does not wait for at exit, and is not shared: no later write queues behind it. While it waits,
    up to `retry_after` seconds, a new write is refused at once instead of waiting out a timeout of its own on
    the same silent database: the retries of a batch are quick and it reaches the spool after one timeout.
    Past that, a write is tried again (one wedged connection must not keep the records out of a database that
    answers on others); the threads left waiting are bounded by the connection pool's size.
    """

    def __init__(self, database: Database, *, retry_after: float = RETRY_SILENT_AFTER) -> None:
        self._database = database
        self._retry_after = retry_after
        self._last: _Write | None = None

    def write_batch(self, records: Sequence[object]) -> int:
        with self._database.session() as session:
            return write_batch(session, records=records)

    async def __call__(self, records: Sequence[object]) -> None:
        self._refuse_while_silent()
        loop = asyncio.get_running_loop()
        written: asyncio.Future[None] = loop.create_future()
        write = self._last = _Write(time.monotonic(), threading.Event())
        thread = threading.Thread(
            target=self._write_in_thread, args=(records, write, loop, written), name="call-records", daemon=True
        )
        thread.start()
        await written

    def _refuse_while_silent(self) -> None:
        last = self._last
        if last is None or last.ended.is_set():
            return
        waited = time.monotonic() - last.started
        if waited < self._retry_after:
            raise DatabaseSilent(f"the database has not answered the previous call-record write for {waited:.1f} s")

    def _write_in_thread(
        self, records: Sequence[object], write: _Write, loop: asyncio.AbstractEventLoop, written: asyncio.Future[None]
    ) -> None:
        error: Exception | None = None
        try:
            self.write_batch(records)
        except Exception as failure:
            error = failure
        finally:
            write.ended.set()  # before the result is handed over: a retry it prompts is not refused
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits for this write any more
            loop.call_soon_threadsafe(_settle, written, error, write)


def _settle(written: asyncio.Future[None], error: Exception | None, write: _Write) -> None:
    if not written.done():
        if error is None:
            written.set_result(None)
        else:
            written.set_exception(error)
        return
    outcome = f"failed ({type(error).__name__}: {error})" if error is not None else "went through"
    log.info("a call-record write given up on %s after %.1f s", outcome, time.monotonic() - write.started)


# -- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CallFilter:
    scenario: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    caller: str | None = None
    status: str | None = None
    result: str | None = None
    asterisk_uniqueid: str | None = None  # Asterisk's UNIQUEID, as its CDR shows it


def encode_cursor(record: CallRecord) -> str:
    raw = f"{record.started_at.isoformat()}|{record.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, call_id = raw.split("|", 1)
        moment = datetime.fromisoformat(at)
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise Refused(f"not a cursor this server made: {cursor[:40]!r}") from error
    if moment.tzinfo is None:
        raise Refused("not a cursor this server made")
    return moment, call_id


def _caller_forms(typed: str) -> set[str]:
    """The ways a record may hold the number `typed`: as typed, cleaned of what people type between its digits,
    and with its international prefix as "+" or as "00" (trunks write either). Exact forms, so the lookup keeps its
    index."""
    cleaned = phone_number(typed)
    return {typed, *written_forms(cleaned)} if cleaned is not None else {typed}


def _filtered(query: Select[Any], filters: CallFilter) -> Select[Any]:
    if filters.scenario:
        query = query.where(CallRecord.scenario == filters.scenario)
    if filters.since:
        query = query.where(CallRecord.started_at >= filters.since)
    if filters.until:
        query = query.where(CallRecord.started_at < filters.until)
    if filters.caller:
        # The client on either end: who called in, or whom a callback or campaign call rang (its caller id is ours).
        forms = _caller_forms(filters.caller)
        query = query.where(or_(CallRecord.caller_id.in_(forms), CallRecord.dialed_number.in_(forms)))
    if filters.status:
        query = query.where(CallRecord.status == filters.status)
    if filters.result:
        query = query.where(CallRecord.result == filters.result)
    if filters.asterisk_uniqueid:
        query = query.where(CallRecord.asterisk_uniqueid == filters.asterisk_uniqueid)
    return query


def list_calls(
    session: Session, *, filters: CallFilter, limit: int = 50, after: str | None = None
) -> tuple[list[CallRecord], str | None]:
    """Newest first, keyset-paged on (started_at, id) so page 1,000 costs what page 1 does.

    Returns the page and the cursor of the next page (None on the last page). Traces are not loaded.
    """
    query = _filtered(select(CallRecord), filters).options(defer(CallRecord.trace))  # a trace can be large
    if after:
        at, call_id = decode_cursor(after)
        query = query.where(or_(CallRecord.started_at < at, and_(CallRecord.started_at == at, CallRecord.id < call_id)))
    query = query.order_by(CallRecord.started_at.desc(), CallRecord.id.desc()).limit(limit + 1)
    rows = list(session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (encode_cursor(rows[-1]) if more and rows else None)


def get_call(session: Session, *, call_id: str) -> CallRecord:
    record = session.get(CallRecord, call_id)
    if record is None:
        raise NotFound("call", call_id)
    return record


def version_ran(session: Session, *, call_id: str) -> ScenarioVersion:
    """The published version call `call_id` ran, as it was published, also once its scenario was deleted, or
    deleted and created again under its slug: by the version row the call recorded. A record without one (written
    before migration 0012 could trace it, or by a node not yet upgraded) is read by slug and number in the
    scenario under that slug now, if it was there when the call started: otherwise the call ran another one."""
    record = get_call(session, call_id=call_id)
    version: ScenarioVersion | None = None
    if record.version_id is not None:
        version = session.get(ScenarioVersion, record.version_id)
    elif record.version is not None:
        version = session.scalar(
            select(ScenarioVersion)
            .join(Scenario, Scenario.id == ScenarioVersion.scenario_id)
            .where(
                Scenario.slug == record.scenario,
                Scenario.deleted_at.is_(None),
                Scenario.created_at <= record.started_at,
                ScenarioVersion.number == record.version,
            )
        )
    if version is None:
        raise NotFound("version of call", call_id)
    return version


def iter_calls(session: Session, *, filters: CallFilter, chunk: int = 1000) -> Iterator[CallRecord]:
    """Every matching call, newest first, fetched a chunk at a time (for the streamed CSV export)."""
    cursor: str | None = None
    while True:
        rows, cursor = list_calls(session, filters=filters, limit=chunk, after=cursor)
        yield from rows
        if cursor is None:
            return
        session.expunge_all()  # keep memory flat over a million rows
