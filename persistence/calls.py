"""Call records: written in batches off the call path by the FastAGI runtime, read by the call register."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import json
import logging
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased, defer
from sqlalchemy.sql.functions import FunctionElement

from graph_engine.trace import CallOutcome, CallResult
from persistence import path_counts
from persistence.db import Database, hold_sqlite_writes
from persistence.errors import NotFound, Refused
from persistence.folding import contains, fold, folded_contains, normalised
from persistence.models import CallbackJob, CallCampaign, CallRecord, Scenario, ScenarioVersion, UtcDateTime
from persistence.phone_numbers import phone_number, written_forms

log = logging.getLogger(__name__)

WRITE_STATEMENT_TIMEOUT_MS = 20_000  # PostgreSQL: a call-record batch that takes longer is given up (and kept)
# How long a write that finds the previous one still waiting on the database is refused at once (CallRecordWriter):
# past the FastAGI writer's timeout (30 s) and its retries, so a batch on a frozen database waits out one timeout.
RETRY_SILENT_AFTER = 60.0
# PostgreSQL: the advisory lock every node's call-record insert holds until it commits ("ivrcalls" in ASCII).
RECORDING_LOCK: Final = int.from_bytes(b"ivrcalls", "big")

# What a PBX call register shows, derived once when the record is written so it can be filtered by index.
# `abandoned_waiting`: the caller hung up while a transfer rang or queued for an operator, which a call centre's
# abandon rate counts apart from `abandoned_in_menu`: left the IVR itself before its end, in a menu or anywhere else
# (a Say Phrase block, an SQL lookup; `hangup_during` says where). The code keeps its old word, "menu" as a PBX says
# IVR: records, filters, links and integrations store it; what the designer and the exports show is "abandoned
# before the end" (a supervisor's review).
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
DURING_TRANSFER = "transfer"


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
        if hangup_during != DURING_TRANSFER:
            return "abandoned_in_menu"  # the caller left before the scenario finished with them, in a menu or not
        # The Transfer block notes a transfer that returned; one the caller's hangup cut short notes nothing.
        if any(_connected(event) for event in _events(trace)):
            # They talked to the operator, then hung up: a transfer, as when its `answered` exit leads nowhere;
            # here the flow went on after it and found the line dead.
            return "transferred"
        return "abandoned_waiting"
    return "answered"


def _events(trace: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """Every event of the trace's steps, in order (a trace is data from the engine: malformed parts are skipped)."""
    return (event for step in _steps(trace) for event in step.get("events") or [] if isinstance(event, Mapping))


def _steps(trace: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """Every step of the trace that is an object (a trace is data from the engine: malformed parts are skipped)."""
    return (step for step in trace.get("steps") or [] if isinstance(step, Mapping))


# The exit a step takes when its block failed (graph_engine.block.ERROR_EXIT, by value: persistence reads traces as
# data); whether the flow went on by that exit, by the scenario's fallback, or ended the call there.
ERROR_EXIT: Final = "error"


def error_steps(trace: Mapping[str, Any]) -> int:
    """How many steps of the call took their block's error exit: a data source refusing its login, a scheduler
    that was down. The call may still have been served (its flow went on by that exit, or by the fallback), so its
    status says `answered` and its `error` nothing; this is what the register finds those calls by."""
    return sum(1 for step in _steps(trace) if step.get("exit") == ERROR_EXIT)


def result_set_by_a_step(trace: Mapping[str, Any]) -> bool:
    """Whether a step of the call set the flow's `result` (its `variables_changed`): a declared default is set from
    the start, so the `result` a record holds cannot tell a client's answer from the default on its own. Stored with
    the record, so a campaign's count of clients who hung up early reads no trace (campaign_reports)."""
    changes = (step.get("variables_changed") for step in _steps(trace))
    return any(isinstance(changed, Mapping) and "result" in changed for changed in changes)


def scheduled_job_ids(trace: Mapping[str, Any]) -> list[str]:
    """The callback jobs the call's Callback blocks scheduled, or joined when one was already waiting for the
    number (the `callback_scheduled` event blocks/builtin/callback.py notes, with `merged` then), each once, in the
    order the call asked. `callback_job_id` is another link: the job a call placed by the dialer rang back for."""
    found = (event.get("job_id") for event in _events(trace) if event.get("kind") == "callback_scheduled")
    return list(dict.fromkeys(job for job in found if isinstance(job, str) and job))


def number_key(value: str) -> str:
    """How the register keys a number it stores (`caller_key`, `dialed_key`), which its number search looks up:
    cleaned of what people type between the digits, its international prefix written "+" (`+34 600 111 222`,
    `0034-600-111-222` and `+34600111222` are all `+34600111222`); a value that is no number (`anonymous`, "") as it
    is. The key does not depend on IVRGRAPH_DEFAULT_COUNTRY, so records keep theirs when it is set or changed: the
    search looks up every form the typed number may be keyed in under the country set then (`_caller_forms`), its
    national ones too. Migration 0022 keyed the records before it by this same rule."""
    cleaned = phone_number(value)
    if cleaned is None:
        return value
    return "+" + cleaned[2:] if cleaned.startswith("00") else cleaned


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
    name = _text("caller_name", record.caller_name)
    return {
        "id": _text("id", record.call_id),
        "scenario": _text("scenario", record.scenario),
        "version": record.version,
        "version_id": record.version_id,
        "caller_id": _text("caller_id", record.caller_id),
        "caller_key": _text("caller_key", number_key(record.caller_id)),
        "caller_name": name,
        "caller_name_folded": fold(name or ""),  # what the name search compares (`_name_contains`)
        "dialed_number": _text("dialed_number", record.dialed_number),
        "dialed_key": _text("dialed_key", number_key(record.dialed_number)),
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
        "scheduled_job_ids": scheduled_job_ids(trace),
        "error_steps": error_steps(trace),
        "result_set_by_a_step": result_set_by_a_step(trace),
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
    """Insert finished calls in one statement; a call id written before (a retried batch) is skipped and keeps
    its `recorded_at`. Every record of the batch is stamped `recorded_at` (see `_recording_moment`). The calls
    inserted are added to the flow statistics in the same transaction, in one more statement (`path_counts`):
    a skipped one was counted when it was written. Returns how many were inserted, the skipped ones not counted
    (a replay of the FastAGI spool logs both)."""
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
        # The lock below is held until commit: a node that stalls between its insert and its commit must not hold
        # every other node's records out for longer than a batch may take.
        session.execute(text(f"SET LOCAL idle_in_transaction_session_timeout = {WRITE_STATEMENT_TIMEOUT_MS}"))
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": RECORDING_LOCK})
        statement = postgresql.insert(CallRecord).on_conflict_do_nothing(index_elements=["id"])
    elif dialect == "sqlite":
        hold_sqlite_writes(session, CallRecord)  # the file's one writer lock, held until commit
        statement = sqlite.insert(CallRecord).on_conflict_do_nothing(index_elements=["id"])
    else:
        statement = insert(CallRecord)
    recorded_at = _recording_moment(session, postgres=dialect == "postgresql")
    for row in rows:
        row["recorded_at"] = recorded_at
    if dialect in ("postgresql", "sqlite"):
        # RETURNING names the rows inserted, not those skipped: a replayed batch is not counted again.
        new = _inserted(rows, set(session.execute(statement.returning(CallRecord.id), rows).scalars()))
    else:
        session.execute(statement, rows)  # no ON CONFLICT: all of them are inserted, or none
        new = rows
    path_counts.add(session, path_counts.increments(new))
    return len(new)


def _inserted(rows: list[dict[str, Any]], ids: set[str]) -> list[dict[str, Any]]:
    """The rows of `ids`, inserted: each id's first row (a batch that names a call twice inserts it once)."""
    new = []
    for row in rows:
        if row["id"] in ids:
            ids.discard(row["id"])
            new.append(row)
    return new


def _recording_moment(session: Session, *, postgres: bool) -> datetime:
    """When the batch is stored: the database's clock on PostgreSQL (nodes' clocks differ), this host's for an
    SQLite file, and a microsecond past the newest `recorded_at` stored when that clock reads no later.

    Taken under a lock every insert of call records holds until it commits (the SQLite file's writer lock; an
    advisory lock on PostgreSQL), so a batch's moment is later than that of every batch committed before it, and
    none committed after it can be stamped earlier, whatever nodes write at once or however long a spooled
    record waited: a pull that has read up to a moment has read every record stamped up to it (ties are one
    batch, committed together, and ordered by id). Without the lock, a batch stamped first and committed last
    would appear behind a cursor that had moved past it."""
    newest = func.max(CallRecord.recorded_at)  # the index's last entry
    now: datetime
    last: datetime | None
    if postgres:
        now, last = session.execute(select(func.clock_timestamp(type_=UtcDateTime()), newest)).one()
    else:
        now, last = datetime.now(UTC), session.scalar(select(newest))
    return max(now, last + timedelta(microseconds=1)) if last is not None else now


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

    async def __call__(self, records: Sequence[object]) -> int:
        """Write `records` (in a thread of its own); how many were inserted, those already stored skipped."""
        self._refuse_while_silent()
        loop = asyncio.get_running_loop()
        written: asyncio.Future[int] = loop.create_future()
        write = self._last = _Write(time.monotonic(), threading.Event())
        thread = threading.Thread(
            target=self._write_in_thread, args=(records, write, loop, written), name="call-records", daemon=True
        )
        thread.start()
        return await written

    def _refuse_while_silent(self) -> None:
        last = self._last
        if last is None or last.ended.is_set():
            return
        waited = time.monotonic() - last.started
        if waited < self._retry_after:
            raise DatabaseSilent(f"the database has not answered the previous call-record write for {waited:.1f} s")

    def _write_in_thread(
        self, records: Sequence[object], write: _Write, loop: asyncio.AbstractEventLoop, written: asyncio.Future[int]
    ) -> None:
        error: Exception | None = None
        inserted = 0
        try:
            inserted = self.write_batch(records)
        except Exception as failure:
            error = failure
        finally:
            write.ended.set()  # before the result is handed over: a retry it prompts is not refused
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits for this write any more
            loop.call_soon_threadsafe(_settle, written, error, write, inserted)


def _settle(written: asyncio.Future[int], error: Exception | None, write: _Write, inserted: int) -> None:
    if not written.done():
        if error is None:
            written.set_result(inserted)
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
    # Part of the caller's CallerID name (agi_calleridname), case and ё ignored: see `_name_contains`.
    caller_name: str | None = None
    status: str | None = None
    result: str | None = None
    asterisk_uniqueid: str | None = None  # Asterisk's UNIQUEID, as its CDR shows it
    recorded_since: datetime | None = None  # stored at or after
    # A callback job's calls: those placed for it (its attempts), those that asked for it (scheduled it, or joined it
    # while it waited), and those placed for the jobs one call asked for.
    callback_job_id: str | None = None
    scheduled_job_id: str | None = None
    origin_call_id: str | None = None
    with_errors: bool | None = None  # True: a step took its error exit; False: none did (unknown ones: neither)
    node: str | None = None  # the FastAGI node that took the call (`node`, not the scenario's `last_node`)


# The register's two orders: `started`, newest call first (what a supervisor reads); `recorded`, oldest stored
# first (what an integrator pulls: a cursor there is where the next pull starts, and no record is stored behind it).
CallOrder = Literal["started", "recorded"]
_RECORDED = "r"  # how a cursor of the `recorded` order starts; one of `started` starts with a year
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


def encode_cursor(record: CallRecord) -> str:
    return _cursor(f"{record.started_at.isoformat()}|{record.id}")


def _recorded_cursor(at: datetime, call_id: str) -> str:
    """The place after (at, call_id) in the `recorded` order; (at, "") is the place before every record stored at
    `at` or later (every call id sorts after "")."""
    return _cursor(f"{_RECORDED}|{at.astimezone(UTC).isoformat()}|{call_id}")


def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, order: CallOrder = "started") -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, rest = raw.partition("|") if raw.startswith(f"{_RECORDED}|") else ("", "", raw)
        at, call_id = rest.split("|", 1)
        moment = datetime.fromisoformat(at)
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise Refused(f"not a cursor this server made: {cursor[:40]!r}") from error
    if moment.tzinfo is None:
        raise Refused("not a cursor this server made")
    if (kind == _RECORDED) != (order == "recorded"):
        made_for = "recorded" if kind == _RECORDED else "started"
        raise Refused(f"a cursor of the order {made_for!r} cannot page the order {order!r}")
    return moment, call_id


def _caller_forms(typed: str) -> set[str]:
    """The ways a record may hold the number `typed`: as typed, cleaned of what people type between its digits,
    with its international prefix as "+" or as "00" (trunks write either), and with a default country in its
    national forms too (persistence.phone_numbers.written_forms). Exact forms, so the lookup keeps its index.

    Looked up in the records' keys (`number_key`: cleaned, "00" as "+"), among which each of those forms is the key
    of every way of writing it: `+34 600 111 222` stored as the trunk wrote it is found by `0034600111222`,
    `+34-600-111-222` or `600111222` (in Spain). Without a default country a number written nationally is found by
    the same national digits only (`600111222` is no `+34600111222` there); with one, as libphonenumber reads it
    (`persistence.phone_numbers`: Germany's ambiguous forms stay apart)."""
    cleaned = phone_number(typed)
    return {typed, *written_forms(cleaned)} if cleaned is not None else {typed}


def _number_is(forms: set[str]) -> ColumnElement[bool]:
    """A call from or to a number of `forms`: by the records' keys, and by the numbers as stored for a record an
    older node wrote without keys during a rolling upgrade (each side has its index)."""
    return or_(
        CallRecord.caller_key.in_(forms),
        CallRecord.dialed_key.in_(forms),
        CallRecord.caller_id.in_(forms),
        CallRecord.dialed_number.in_(forms),
    )


class _holds_text(FunctionElement[bool]):
    """`holds_text(column, value)`: the JSON array in `column` holds the text `value`."""

    type = Boolean()
    inherit_cache = True
    name = "holds_text"


@compiles(_holds_text, "postgresql")
def _holds_text_on_postgres(element: _holds_text, compiler: Any, **kw: Any) -> str:
    # @> against a constant: what the GIN index (jsonb_path_ops) of `scheduled_job_ids` answers.
    column, value = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"({column} @> jsonb_build_array(CAST({value} AS TEXT)))"


@compiles(_holds_text, "sqlite")
def _holds_text_on_sqlite(element: _holds_text, compiler: Any, **kw: Any) -> str:
    column, value = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"EXISTS (SELECT 1 FROM json_each({column}) WHERE value = {value})"


def _asked_for(job_id: str) -> ColumnElement[bool]:
    """The calls that scheduled job `job_id`, or joined it while it waited. PostgreSQL finds them on the lists' GIN
    index. SQLite has no index of a list's items: it reads the lists of the calls that asked for any job, on a
    partial index of those (its condition written into the statement as the index says it, for the planner to see
    it). As a list of ids looked up apart from the page's order: given the order, SQLite would walk the register
    by start time and look at every call's list."""
    asked = aliased(CallRecord)  # not the page's own table: a subquery of its own
    return CallRecord.id.in_(
        select(asked.id).where(
            asked.scheduled_job_ids != literal_column("'[]'"),
            _holds_text(asked.scheduled_job_ids, literal(job_id)),
        )
    )


def _name_contains(typed: str) -> ColumnElement[bool]:
    """The caller's name holds `typed` anywhere, case and the dots of ё ignored on any database locale
    (persistence.folding: "петрова" finds "ПЕТРОВА ЮЛИЯ", "петр" finds "Пётр"), "%" and "_" read as themselves.

    Compared in `caller_name_folded`, the name folded as the record was written: on PostgreSQL its trigram index
    finds the few calls of a name among millions (folding each row's name in the query read the whole register:
    1.8 s on 100,000 calls for a name found nowhere, 6.9 s under load). The planner may still walk the register
    newest first when a name is common, and a page stops at its size in matches. SQLite has no such index: it reads
    every call the other filters leave, comparing the stored folded names (no function called for each row).
    A record an older node wrote during a rolling upgrade has no folded name: it is compared by its name as
    written, folded in the query (persistence.folding.contains), found by its own small partial index; the typed
    text normalised as the folded names are (a name typed on a Mac comes with its accents apart), as PostgreSQL's
    folding in the query does not."""
    return or_(
        folded_contains(CallRecord.caller_name_folded, typed),
        and_(CallRecord.caller_name_folded.is_(None), contains(CallRecord.caller_name, normalised(typed))),
    )


def _filtered(query: Select[Any], filters: CallFilter) -> Select[Any]:
    if filters.scenario:
        query = query.where(CallRecord.scenario == filters.scenario)
    if filters.since:
        query = query.where(CallRecord.started_at >= filters.since)
    if filters.until:
        query = query.where(CallRecord.started_at < filters.until)
    if filters.caller:
        # The client on either end: who called in, or whom a callback or campaign call rang (its caller id is ours).
        query = query.where(_number_is(_caller_forms(filters.caller)))
    if filters.caller_name:
        query = query.where(_name_contains(filters.caller_name))
    if filters.status:
        query = query.where(CallRecord.status == filters.status)
    if filters.result:
        query = query.where(CallRecord.result == filters.result)
    if filters.asterisk_uniqueid:
        query = query.where(CallRecord.asterisk_uniqueid == filters.asterisk_uniqueid)
    if filters.recorded_since:
        query = query.where(CallRecord.recorded_at >= filters.recorded_since)
    if filters.node:
        query = query.where(CallRecord.node == filters.node)
    return _linked(query, filters)


def _linked(query: Select[Any], filters: CallFilter) -> Select[Any]:
    """The filters by callback job and by what a call's steps came to."""
    if filters.callback_job_id:
        query = query.where(CallRecord.callback_job_id == filters.callback_job_id)
    if filters.scheduled_job_id:
        query = query.where(_asked_for(filters.scheduled_job_id))
    if filters.origin_call_id:
        query = query.where(CallRecord.origin_call_id == filters.origin_call_id)
    if filters.with_errors is not None:
        # `> 0` written into the statement, as the partial index `ix_call_records_errors_started` says it: a bound
        # parameter there would hide from SQLite's planner that the index holds every row asked for.
        none = literal_column("0", Integer)
        query = query.where(CallRecord.error_steps > none if filters.with_errors else CallRecord.error_steps == none)
    return query


def list_calls(
    session: Session, *, filters: CallFilter, limit: int = 50, after: str | None = None, order: CallOrder = "started"
) -> tuple[list[CallRecord], str | None]:
    """Newest first, keyset-paged on (started_at, id) so page 1,000 costs what page 1 does; with
    `order="recorded"` oldest stored first, on (recorded_at, id).

    Returns the page and the cursor of the next page: None on the last page of `started`, and always one in
    `recorded`, where the page after the last is what is stored from then on (given again when nothing was).
    Traces are not loaded.
    """
    query = _filtered(select(CallRecord), filters).options(defer(CallRecord.trace))  # a trace can be large
    if order == "recorded":
        return _list_recorded(session, query, filters=filters, limit=limit, after=after)
    if after:
        at, call_id = decode_cursor(after)
        query = query.where(or_(CallRecord.started_at < at, and_(CallRecord.started_at == at, CallRecord.id < call_id)))
    query = query.order_by(CallRecord.started_at.desc(), CallRecord.id.desc()).limit(limit + 1)
    rows = list(session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (encode_cursor(rows[-1]) if more and rows else None)


def _list_recorded(
    session: Session, query: Select[Any], *, filters: CallFilter, limit: int, after: str | None
) -> tuple[list[CallRecord], str]:
    """The `recorded` order (see `_recording_moment` for why a cursor there loses and repeats nothing)."""
    if after:
        at, call_id = decode_cursor(after, "recorded")
        query = query.where(
            or_(CallRecord.recorded_at > at, and_(CallRecord.recorded_at == at, CallRecord.id > call_id))
        )
    rows = list(session.scalars(query.order_by(CallRecord.recorded_at, CallRecord.id).limit(limit)))
    if rows:
        return rows, _recorded_cursor(rows[-1].recorded_at, rows[-1].id)
    return rows, after or _recorded_cursor(filters.recorded_since or _EPOCH, "")


def get_call(session: Session, *, call_id: str) -> CallRecord:
    record = session.get(CallRecord, call_id)
    if record is None:
        raise NotFound("call", call_id)
    return record


def campaign_of(session: Session, *, job_id: str | None) -> CallCampaign | None:
    """The campaign whose call list holds callback job `job_id` (a call's `callback_job_id`): what a call the dialer
    placed for one of its clients belongs to. None for no job, a job no list made (a Callback block's, the API's),
    and a job or campaign since deleted (retention)."""
    if not job_id:
        return None
    listed = select(CallCampaign).join(CallbackJob, CallbackJob.campaign_id == CallCampaign.id)
    return session.scalar(listed.where(CallbackJob.id == job_id))


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


# -- what a call's transfers came to ------------------------------------------------------------
# The register's status says how a call ended, not whether a transfer reached anyone: a caller whose transfer
# rang out and who then declined a callback is `answered`, `hung_up`, as is one who declined it out of hours. So the
# register shows the last transfer's outcome beside it (`transfer_outcomes`: the list, the CSV and a call's detail
# alike). Until the record has a column for it, it is read from the stored trace by the database: on 100,000 calls
# that all made a transfer, that added about 3 s to an 8-10 s CSV export; loading the traces into Python added 9-11 s.

# Transfer outcomes besides the Transfer block's own (graph_engine.channel.TransferOutcome: answered, busy,
# no_answer, failed): the caller hung up while it rang or queued, which the block cannot note (it never returns).
TRANSFER_LEFT_BY_CALLER = "caller_hangup"
_TRANSFER_BLOCK = "transfer"  # blocks/builtin/transfer.py's type: its steps are the call's transfers

# The last Transfer step of each of the ids, as `[its exit, the outcome its transfer event noted]` (a short JSON
# text, or NULL when the call made no transfer): neither the trace nor the step crosses to Python, where parsing
# the step cost more than the database's reading of the trace.
_LAST_TRANSFERS = {
    # jsonpath's lax mode skips what is not an object; `-> -1` is the last element, or NULL when none. OFFSET 0
    # keeps the subquery: pulled up, `step` would be computed once for each time it is named.
    "postgresql": """
        SELECT id, jsonb_build_array(
            step -> 'exit', jsonb_path_query_array(step, '$.events[*] ? (@.kind == "transfer").outcome') -> -1)::text
        FROM (SELECT id, jsonb_path_query_array(trace, '$.steps[*] ? (@.type == "transfer")') -> -1 AS step
              FROM call_records WHERE id IN :ids OFFSET 0) AS last
        WHERE step IS NOT NULL""",
    # The trace is text here: one that never names a transfer is not parsed. CASE, not AND: SQLite does not
    # promise to test the type first, and json_extract of a step or event that is a string fails the export halfway.
    "sqlite": """
        SELECT id, CASE WHEN instr(trace, '"transfer"') > 0 THEN (
            SELECT json_array(json_extract(s.value, '$.exit'), (
                SELECT json_extract(e.value, '$.outcome') FROM json_each(s.value, '$.events') AS e
                WHERE CASE WHEN e.type = 'object' THEN json_extract(e.value, '$.kind') END = 'transfer'
                ORDER BY e.key DESC LIMIT 1))
            FROM json_each(trace, '$.steps') AS s
            WHERE CASE WHEN s.type = 'object' THEN json_extract(s.value, '$.type') = 'transfer' END
            ORDER BY s.key DESC LIMIT 1) END
        FROM call_records WHERE id IN :ids""",
}


def transfer_outcome_of(exit_name: object, noted: object, hangup_during: str | None) -> str | None:
    """A Transfer step's outcome from its exit and the outcome its event noted, if it noted one."""
    if noted is not None:
        return str(noted) or None
    # No note: the block did not return. The caller's hangup while it rang (Dial's CANCEL, a queue's ABANDON) is
    # the channel's `hangup_during`; a line our side lost (hangup_during None) or a caller gone before it started
    # (hung up during another operation, the flow then running its hangup path) says nothing of the transfer.
    if exit_name == "hangup" and hangup_during == DURING_TRANSFER:
        return TRANSFER_LEFT_BY_CALLER
    return "failed" if exit_name == "error" else None  # it could not be started (no number to dial...)


def transfer_outcomes(session: Session, *, records: Sequence[CallRecord]) -> dict[str, str]:
    """What the last transfer of each of `records` that made one came to, by call id: the Transfer block's outcome
    (`answered`, `busy`, `no_answer`, `failed`), or `caller_hangup` when the caller hung up while it rang or queued
    for someone. One query whatever their number: the database reads their traces and sends two words for each
    (`_LAST_TRANSFERS`)."""
    if not records:
        return {}
    during = {record.id: record.hangup_during for record in records}
    query = text(_LAST_TRANSFERS[session.get_bind().dialect.name]).bindparams(bindparam("ids", expanding=True))
    outcomes: dict[str, str] = {}
    for call_id, pair in session.execute(query, {"ids": list(during)}):
        if pair is None:
            continue
        exit_name, noted = json.loads(pair)
        if (outcome := transfer_outcome_of(exit_name, noted, during[call_id])) is not None:
            outcomes[call_id] = outcome
    return outcomes


def with_transfer_outcomes(
    session: Session, records: Iterable[CallRecord], *, chunk: int = 1000
) -> Iterator[tuple[CallRecord, str | None]]:
    """Each of `records` with its transfer's outcome (`transfer_outcomes`), read a chunk of records at a time (the
    streamed export)."""
    batch: list[CallRecord] = []
    for record in records:
        batch.append(record)
        if len(batch) == chunk:
            yield from _paired(session, batch)
            batch = []
    yield from _paired(session, batch)


def _paired(session: Session, records: list[CallRecord]) -> Iterator[tuple[CallRecord, str | None]]:
    outcomes = transfer_outcomes(session, records=records)
    return ((record, outcomes.get(record.id)) for record in records)
