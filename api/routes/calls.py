"""The call register: filtered, keyset-paged list; one call's full trace; streamed CSV export."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query
from fastapi.responses import StreamingResponse

from api.csv_export import CsvDelimiter, DelimiterQuery, TimeZoneQuery, csv_chunks, zoned_header
from api.deps import RuntimeDep, Viewer
from api.routes import AUTHED, problems
from api.routes.scenarios import version_detail
from api.schemas import CallDetail, CallPage, CallStatus, CallSummary, LooseMoment, VersionDetail
from persistence import calls
from persistence.calls import CallFilter
from persistence.db import Database
from persistence.models import CallRecord

router = APIRouter(prefix="/api/calls", tags=["calls"], responses=AUTHED)

Plain = Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00]*$")]
CallId = Annotated[str, Path(max_length=64, pattern=r"^[^\x00]*$")]
CSV_COLUMNS = ("id", "scenario", "version", "status", "outcome", "result", "caller_id", "caller_name",
               "dialed_number", "started_at", "answered_at", "ended_at", "duration_ms", "last_node",
               "origin_call_id", "callback_job_id", "asterisk_uniqueid")  # fmt: skip
CSV_TIMES = frozenset({"started_at", "answered_at", "ended_at"})  # written on the clock `tz` names
# A number on either end: who called in, or whom a callback or campaign call rang.
Number = Annotated[
    str | None,
    Query(
        max_length=100,
        pattern=r"^[^\x00]*$",
        description="Calls from this number, or to it (callbacks, campaigns), typed as people write it: spaces, "
        "dashes and brackets are ignored, and `+34...` finds `0034...` too",
    ),
]
# Asterisk's UNIQUEID, e.g. 1795295104.123 (a system name may prefix it): find the call a CDR line is about.
UniqueId = Annotated[
    str | None, Query(max_length=150, pattern=r"^[^\x00]*$", description="Asterisk's UNIQUEID of the channel (CDR)")
]


def _filters(
    scenario: Plain = None,
    since: Annotated[LooseMoment | None, Query(description="Calls started at or after (ISO 8601)")] = None,
    until: Annotated[LooseMoment | None, Query(description="Calls started before (ISO 8601)")] = None,
    caller: Number = None,
    status: CallStatus | None = None,
    result: Plain = None,
    uniqueid: UniqueId = None,
) -> CallFilter:
    return CallFilter(
        scenario=scenario,
        since=_aware(since),
        until=_aware(until),
        caller=caller,
        status=status,
        result=result,
        asterisk_uniqueid=uniqueid,
    )


def _aware(moment: datetime | None) -> datetime | None:
    """A time without offset is taken as UTC."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def summary(record: CallRecord) -> CallSummary:
    return CallSummary(
        id=record.id,
        scenario=record.scenario,
        version=record.version,
        caller_id=record.caller_id,
        caller_name=record.caller_name,
        dialed_number=record.dialed_number,
        started_at=record.started_at,
        answered_at=record.answered_at,
        ended_at=record.ended_at,
        duration_ms=record.duration_ms,
        outcome=record.outcome,
        result=record.result,
        status=record.status,  # type: ignore[arg-type]  # one of STATUSES: persistence.calls.derive_status wrote it
        last_node=record.last_node,
        origin_call_id=record.origin_call_id,
    )


@router.get("", response_model=CallPage, responses=problems(400))
def list_calls(
    _user: Viewer,
    runtime: RuntimeDep,
    scenario: Plain = None,
    since: Annotated[LooseMoment | None, Query(description="Calls started at or after (ISO 8601)")] = None,
    until: Annotated[LooseMoment | None, Query(description="Calls started before (ISO 8601)")] = None,
    caller: Number = None,
    status: CallStatus | None = None,
    result: Annotated[str | None, Query(max_length=64, pattern=r"^[^\x00]*$", description="The flow's result")] = None,
    uniqueid: UniqueId = None,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page")] = None,
) -> CallPage:
    """Newest first. Page with `cursor`: every page costs the same however deep (keyset on started_at, id)."""
    filters = _filters(scenario, since, until, caller, status, result, uniqueid)
    with runtime.database.session() as session:
        rows, next_cursor = calls.list_calls(session, filters=filters, limit=page_size, after=cursor)
        return CallPage(items=[summary(r) for r in rows], next_cursor=next_cursor)


@router.get(
    ".csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "CSV, one call a row"}},
)
def export_calls(
    _user: Viewer,
    runtime: RuntimeDep,
    scenario: Plain = None,
    since: Annotated[LooseMoment | None, Query()] = None,
    until: Annotated[LooseMoment | None, Query()] = None,
    caller: Number = None,
    status: CallStatus | None = None,
    result: Annotated[str | None, Query(max_length=64, pattern=r"^[^\x00]*$")] = None,
    uniqueid: UniqueId = None,
    tz: TimeZoneQuery = "UTC",
    delimiter: DelimiterQuery = "comma",
) -> StreamingResponse:
    """Every matching call as CSV, streamed a chunk at a time (no size limit, flat memory).

    Times are written `2026-11-23 09:30:12`, which Excel reads as a date-time in any locale, on the clock of `tz`
    (UTC unless given; an unknown zone is a 422 naming `tz`), and each time column's header names it:
    `started_at (Europe/Madrid)`. `delimiter=semicolon` for an Excel that splits on `;` (Spanish, Russian...).
    The file starts with a UTF-8 byte order mark; a cell a spreadsheet would run as a formula starts with `'`."""
    filters = _filters(scenario, since, until, caller, status, result, uniqueid)
    return StreamingResponse(
        _csv_rows(runtime.database, filters, ZoneInfo(tz), delimiter),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="calls.csv"'},
    )


def _csv_rows(database: Database, filters: CallFilter, zone: ZoneInfo, delimiter: CsvDelimiter) -> Iterator[str]:
    with database.session() as session:
        records = calls.iter_calls(session, filters=filters)
        rows = ([getattr(record, column) for column in CSV_COLUMNS] for record in records)
        yield from csv_chunks(zoned_header(CSV_COLUMNS, CSV_TIMES, zone), rows, zone=zone, delimiter=delimiter)


@router.get("/{call_id}", response_model=CallDetail, responses=problems(404))
def get_call(call_id: CallId, _user: Viewer, runtime: RuntimeDep) -> CallDetail:
    """One call with its full trace: every node, prompt, key and variable change."""
    with runtime.database.session() as session:
        record = calls.get_call(session, call_id=call_id)
        return CallDetail(
            **summary(record).model_dump(),
            channel=record.channel,
            node=record.node,
            asterisk_uniqueid=record.asterisk_uniqueid,
            hangup_during=record.hangup_during,
            error=record.error,
            callback_job_id=record.callback_job_id,
            variables=record.variables,
            trace=record.trace,
        )


@router.get("/{call_id}/version", response_model=VersionDetail, responses=problems(404))
def get_call_version(call_id: CallId, _user: Viewer, runtime: RuntimeDep) -> VersionDetail:
    """The published version the call ran, as it was published: also after its scenario was deleted, or deleted and
    created again under the same slug, when `/api/scenarios/{slug}/versions/{version}` names another document or
    none. 404 when the call ran no version (an unknown scenario), or one that cannot be traced (recorded before
    versions were kept with their calls, on a scenario deleted since)."""
    with runtime.database.session() as session:
        return version_detail(calls.version_ran(session, call_id=call_id))
