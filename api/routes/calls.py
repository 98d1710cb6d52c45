"""The call register: filtered, keyset-paged list; one call's full trace; streamed CSV and XLSX exports.

Numbers, names, variables and traces are masked for a user without `sees_personal_data` (api.personal_data);
reading one call, exporting and looking a number up leave an audit event each."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from api import personal_data
from api.csv_export import CsvDelimiter, DelimiterQuery, TimeZoneQuery, zoned_csv
from api.deps import Runtime, RuntimeDep, Viewer
from api.errors import CursorRefused, PersonalDataHidden
from api.query_params import READ_ON_CLOCK, Since, Until, refuse_backwards
from api.report_labels import CALL_REGISTER, LanguageQuery, ReportLanguage, Wording, block_titles
from api.routes import AUTHED, problems
from api.routes.scenarios import version_detail
from api.schemas import CallDetail, CallPage, CallStatus, CallSummary, QueryMoment, VersionDetail
from api.xlsx_export import XLSX_MEDIA_TYPE, zoned_xlsx
from persistence import calls
from persistence.calls import CallFilter, CallOrder
from persistence.db import Database
from persistence.errors import Refused
from persistence.models import CallRecord, Scenario, ScenarioVersion
from persistence.result_labels import ResultLabels, label_of, result_labels
from persistence.scenarios import LIVE
from persistence.users import Principal

router = APIRouter(prefix="/api/calls", tags=["calls"], responses=AUTHED)

Plain = Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00]*$")]
CallId = Annotated[str, Path(max_length=64, pattern=r"^[^\x00]*$")]
CSV_COLUMNS = ("id", "scenario", "version", "status", "outcome", "result", "result_label", "caller_id", "caller_name",
               "dialed_number", "started_at", "answered_at", "ended_at", "duration_ms", "last_node", "hangup_during",
               "transfer_outcome", "origin_call_id", "callback_job_id", "asterisk_uniqueid", "recorded_at",
               "channel", "scheduled_job_ids", "error_steps", "node", "direction", "scenario_name")  # fmt: skip
# Added columns go last: a column added keeps every earlier one where a BI tool reading by position finds it.
# The export in people's words (`lang`) has the same columns, ordered to be read: the scenario's name beside its
# slug, the call's direction before the other party's number and name.
PEOPLE_COLUMNS = ("id", "scenario", "scenario_name", "version", "direction", "status", "outcome", "result",
                  "result_label", "caller_id", "caller_name", "dialed_number", "started_at", "answered_at", "ended_at",
                  "duration_ms", "last_node", "hangup_during", "transfer_outcome", "origin_call_id", "callback_job_id",
                  "asterisk_uniqueid", "recorded_at", "channel", "scheduled_job_ids", "error_steps",
                  "node")  # fmt: skip
INBOUND, OUTBOUND = "inbound", "outbound"
# The list's cells: the jobs a call asked for, written in one cell, apart by spaces (ids have none).
LIST_COLUMNS = frozenset({"scheduled_job_ids"})
CSV_TIMES = frozenset({"started_at", "answered_at", "ended_at", "recorded_at"})  # written on the clock `tz` names
# The XLSX's whole numbers shown with a thousands separator (`83,250` ms); `version` is an id, and shows none.
XLSX_QUANTITIES = frozenset({"duration_ms"})
# A number on either end: who called in, or whom a callback or campaign call rang.
Number = Annotated[
    str | None,
    Query(
        max_length=100,
        pattern=r"^[^\x00]*$",
        description="Calls from this number, or to it (callbacks, campaigns), typed as people write it, whatever "
        "form the record holds it in: spaces, dashes and brackets are ignored on both sides (`+34600111222` finds "
        "a CallerID the trunk wrote `+34 600 111 222`), and `+34...` finds `0034...` too. With "
        "IVRGRAPH_DEFAULT_COUNTRY a national number finds its international form and back (`600111222` in Spain); "
        "without it a number written nationally is found by the same digits only",
    ),
]
# Beside `caller`, not folded into it: a number stays an exact lookup on its index, whatever text a CRM sends.
CallerName = Annotated[
    str | None,
    Query(
        max_length=100,
        pattern=r"^[^\x00]*$",
        description="Calls whose caller's CallerID name (`caller_name`, Asterisk's `agi_calleridname`) contains "
        "this, case ignored in every alphabet and the dots of ё too, on any database locale: `петрова` finds "
        "`ПЕТРОВА ЮЛИЯ`, `петр` finds `Пётр`. On PostgreSQL a trigram index of the folded names serves it (where "
        "the `pg_trgm` extension could be created: docs/operations.md); elsewhere the server reads the calls the "
        "other filters leave, newest first, until a page is full, so on a large SQLite register give a time range "
        "(`since`, `until`) or a `scenario` with it. Only for a user who reads names unmasked "
        "(`sees_personal_data`): for any other a 403 (`personal-data-hidden`, code `personal_data_hidden`), as "
        "which calls a search finds would tell the name they read `[hidden]`",
    ),
]
# Asterisk's UNIQUEID, e.g. 1795295104.123 (a system name may prefix it): find the call a CDR line is about.
UniqueId = Annotated[
    str | None,
    Query(max_length=150, pattern=r"^[^\x00]*$",
          description="Calls whose `asterisk_uniqueid` is this: Asterisk's UNIQUEID of its channel, as a CDR or "
          "CEL line shows it"),
]  # fmt: skip
RecordedSince = Annotated[
    QueryMoment | None,
    Query(description=f"Calls whose record was stored at or after this (ISO 8601; `recorded_at`). {READ_ON_CLOCK}"),
]
ReadingZone = Annotated[
    TimeZoneQuery,
    Query(description="The IANA time zone (e.g. Europe/Madrid) a `since`, `until` or `recorded_since` without an "
          "offset is read on; UTC unless given. The times returned carry their offset."),
]  # fmt: skip
CsvZone = Annotated[
    TimeZoneQuery,
    Query(description="The IANA time zone (e.g. Europe/Madrid) the times are written in, and a `since` or `until` "
          "without an offset read in; each time column's header names it."),
]  # fmt: skip
Order = Annotated[
    CallOrder,
    Query(description="`started`: newest call first. `recorded`: in the order the records were stored, oldest "
          "first, to pull what is new since the last pull: keep the `next_cursor` of the last page (every page "
          "of this order has one) and pass it as `cursor` next time; no record is missed or repeated."),
]  # fmt: skip


Result = Annotated[str | None, Query(max_length=64, pattern=r"^[^\x00]*$", description="The flow's result")]
# From a callback job to its calls, both ways (a support engineer's review): who asked for it, and each attempt.
RangBackFor = Annotated[
    str | None,
    Query(max_length=64, pattern=r"^[^\x00]*$",
          description="Calls that rang back for this callback job (its attempts: `callback_job_id`)"),
]  # fmt: skip
AskedFor = Annotated[
    str | None,
    Query(max_length=64, pattern=r"^[^\x00]*$",
          description="Calls that asked for this callback job: scheduled it, or joined it while it was waiting "
          "(`scheduled_job_ids`). PostgreSQL finds them by index; SQLite reads the calls that asked for any job"),
]  # fmt: skip
OriginCall = Annotated[
    str | None,
    Query(max_length=64, pattern=r"^[^\x00]*$",
          description="Calls placed for a callback job this call scheduled (`origin_call_id`): every attempt"),
]  # fmt: skip
WithErrors = Annotated[
    bool | None,
    Query(description="true: calls where a step took its block's error exit (`error_steps` above 0), whatever "
          "their status: a data source refusing its login, then the fallback; false: calls where none did. Calls "
          "for which it is not known (`error_steps` null) are in neither"),
]  # fmt: skip
# Which server took the call (a call's `node`), on several nodes: exact, as a node id is set, not typed.
NodeId = Annotated[
    str | None,
    Query(max_length=100, pattern=r"^[^\x00]*$",
          description="Calls taken by this FastAGI node: its `--node-id`, as each call's `node` names it "
          "(exact). Not `last_node`, the scenario's block a call ended at"),
]  # fmt: skip


class CallQuery:
    """The filters the register's list and its CSV and XLSX exports share, as one dependency: each route adds only
    what is its own (paging, the clock, a delimiter).

    A name search is refused to a user who reads names masked (`PersonalDataHidden`, before anything is read or
    exported): a search answered is a yes or no about the name, and 1,034 of them rebuilt one letter by letter
    (security review)."""

    def __init__(
        self,
        user: Viewer,
        scenario: Plain = None,
        since: Since = None,
        until: Until = None,
        caller: Number = None,
        status: CallStatus | None = None,
        result: Result = None,
        uniqueid: UniqueId = None,
        caller_name: CallerName = None,
        callback_job_id: RangBackFor = None,
        scheduled_job_id: AskedFor = None,
        origin_call_id: OriginCall = None,
        with_errors: WithErrors = None,
        node: NodeId = None,
    ) -> None:
        self.scenario, self.since, self.until, self.caller = scenario, since, until, caller
        self.status, self.result, self.uniqueid, self.caller_name = status, result, uniqueid, caller_name
        self.callback_job_id, self.scheduled_job_id = callback_job_id, scheduled_job_id
        self.origin_call_id, self.with_errors, self.node = origin_call_id, with_errors, node
        if caller_name and not user.sees_personal_data:  # empty: no search, which tells nothing
            raise PersonalDataHidden("caller_name", "a caller's name")

    def filters(self, zone: ZoneInfo, *, recorded_since: datetime | None = None) -> CallFilter:
        """The query as persistence.calls reads it, a time without an offset read on `zone`'s clock; a 422 naming
        `until` when it is before `since`."""
        since, until = read_on_clock(self.since, zone), read_on_clock(self.until, zone)
        refuse_backwards(since, until, self.until)
        return CallFilter(
            scenario=self.scenario,
            since=since,
            until=until,
            caller=self.caller,
            caller_name=self.caller_name,
            status=self.status,
            result=self.result,
            asterisk_uniqueid=self.uniqueid,
            recorded_since=read_on_clock(recorded_since, zone),
            callback_job_id=self.callback_job_id,
            scheduled_job_id=self.scheduled_job_id,
            origin_call_id=self.origin_call_id,
            with_errors=self.with_errors,
            node=self.node,
        )


CallQueryDep = Annotated[CallQuery, Depends()]


def read_on_clock(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    """A time without an offset is read on `zone`'s clock; one that clock skips or shows twice with the offset in
    force before the change (fold=0, as pydantic parses it)."""
    return moment.replace(tzinfo=zone, fold=0) if moment is not None and moment.tzinfo is None else moment


def summary(record: CallRecord, transfer_outcome: str | None, result_label: str | None = None) -> CallSummary:
    """`transfer_outcome`: persistence.calls.transfer_outcomes' of the call (not a column of the record yet);
    `result_label`: what its scenario calls its result (persistence.result_labels)."""
    return CallSummary(
        id=record.id,
        asterisk_uniqueid=record.asterisk_uniqueid,
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
        result_label=result_label,
        status=record.status,  # type: ignore[arg-type]  # one of STATUSES: persistence.calls.derive_status wrote it
        last_node=record.last_node,
        node=record.node,
        hangup_during=record.hangup_during,
        transfer_outcome=transfer_outcome,
        origin_call_id=record.origin_call_id,
        recorded_at=record.recorded_at,
        callback_job_id=record.callback_job_id,
        scheduled_job_ids=record.scheduled_job_ids,
        error_steps=record.error_steps,
    )


def checked_cursor(cursor: str, order: CallOrder) -> None:
    """`CursorRefused` (400, naming `$.cursor`) for a cursor no page of `order` starts at: why, as data."""
    try:
        calls.decode_cursor(cursor, order)
    except Refused as refused:
        other: CallOrder = "started" if order == "recorded" else "recorded"
        try:
            calls.decode_cursor(cursor, other)
        except Refused:
            raise CursorRefused(str(refused), reason="not_a_cursor") from refused
        raise CursorRefused(str(refused), reason="other_order", made_for=other, order=order) from refused


@router.get("", response_model=CallPage, responses=problems(400))
def list_calls(
    user: Viewer,
    runtime: RuntimeDep,
    query: CallQueryDep,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page")] = None,
    order: Order = "started",
    recorded_since: RecordedSince = None,
    tz: ReadingZone = "UTC",
) -> CallPage:
    """Newest first. Page with `cursor`: every page costs the same however deep (keyset on started_at, id).

    `order=recorded` lists in the order the records were stored (keyset on recorded_at, id), for a BI tool's
    incremental pull: a call is stored when it ends, so one still in progress at a pull is stored after it, and
    returned by the next pull from its cursor, also when it started before everything the first pull saw.

    `caller` finds a number's calls also for a user who reads numbers masked; each such lookup leaves a
    `lookup_number` audit event naming the number by its keyed hash (`subject:<hash>`). `caller_name` is for a
    user who reads names unmasked (403 `personal_data_hidden` for any other); each such search leaves a
    `lookup_name` audit event naming the name by its length only."""
    filters = query.filters(ZoneInfo(tz), recorded_since=recorded_since)
    if cursor:
        checked_cursor(cursor, order)
    with runtime.database.session() as session:
        rows, next_cursor = calls.list_calls(session, filters=filters, limit=page_size, after=cursor, order=order)
        transfers = calls.transfer_outcomes(session, records=rows)
        labels = result_labels(session, scenarios={r.scenario for r in rows if r.result is not None})
        if query.caller is not None:
            personal_data.record_access(session, user, action=personal_data.LOOKUP_NUMBER,
                                        target=personal_data.subject_label(session, query.caller),
                                        details={"in": "calls", "found": len(rows)})  # fmt: skip
        if query.caller_name:
            personal_data.record_access(session, user, action=personal_data.LOOKUP_NAME, target="calls",
                                        details={"caller_name": personal_data.masked_value(query.caller_name),
                                                 "found": len(rows)})  # fmt: skip
        items = [
            personal_data.call(summary(r, transfers.get(r.id), label_of(labels, scenario=r.scenario, result=r.result)),
                               user)
            for r in rows
        ]  # fmt: skip
        return CallPage(items=items, next_cursor=next_cursor)


@router.get(
    ".csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "CSV, one call a row"}},
)
def export_calls(
    user: Viewer,
    runtime: RuntimeDep,
    query: CallQueryDep,
    tz: CsvZone = "UTC",
    delimiter: DelimiterQuery = "comma",
    lang: LanguageQuery = "raw",
) -> StreamingResponse:
    """Every matching call as CSV, streamed a chunk at a time (no size limit, flat memory).

    Times are written `2026-11-23 09:30:12`, which Excel reads as a date-time in any locale, on the clock of `tz`
    (UTC unless given; an unknown zone is a 422 naming `tz`), and each time column's header names it:
    `started_at (Europe/Madrid)`; on another clock than UTC, `started_at (UTC)` follows the local start, as the
    hour a clock change repeats is written twice on the local one. `delimiter=semicolon` for an Excel that splits on
    `;` (Spanish, Russian...). The file starts with a UTF-8 byte order mark; a cell a spreadsheet would run as a
    formula starts with `'`. `result_label`, `hangup_during`, `transfer_outcome`, `callback_job_id` and
    `error_steps` are those of the list's items (`result_label`: the words the call's scenario gives its `result`,
    from its latest published version; empty when it declares none for it); `scheduled_job_ids` their ids apart by
    spaces (empty for none, and when not known); `channel` is Asterisk's channel name, which its full log is keyed
    by; `node` the FastAGI server that took the call (`last_node` is the scenario's block it ended at);
    `direction`, `inbound` or `outbound` (a call the dialer placed for a callback job: a callback, a campaign's
    client); `scenario_name`, last, the scenario's name, as the version the call ran names it. `caller_id` and
    `caller_name` are the other party in either direction: for an outbound call the number dialled (as
    `dialed_number`) and the client's name, not the CallerID the dialer went out with. Numbers and names are
    masked for a user without `sees_personal_data`; each export leaves an `export_calls` audit event with its
    filters (a number by its keyed hash).

    `lang=es` (or `en`, `ru`; what the designer sends) titles the columns and writes `status`, `outcome`,
    `transfer_outcome`, `hangup_during` and `direction` in words for people (`Estado`: `Contestada`, `Hora de inicio
    (Europe/Madrid)`; `block:sql` as the block's work, named by its catalog title in English, by its type in the
    other languages); without it, or with `lang=raw`, the file keeps the column names and codes above, for BI
    tools and scripts. With a language the columns are ordered to be read: the scenario's name beside its slug, the
    direction before the other party's number and name (`Номер абонента`, `Имя абонента`)."""
    filters = query.filters(ZoneInfo(tz))
    _record_export(runtime.database, user, filters, "csv")
    return StreamingResponse(
        _csv_rows(
            runtime.database,
            filters,
            ZoneInfo(tz),
            delimiter,
            user,
            _register_words(runtime, lang),
            export_columns(lang),
        ),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="calls.csv"'},
    )


def _csv_rows(
    database: Database,
    filters: CallFilter,
    zone: ZoneInfo,
    delimiter: CsvDelimiter,
    user: Principal,
    words: Wording,
    columns: tuple[str, ...],
) -> Iterator[str]:
    with database.session() as session:
        yield from zoned_csv(
            columns, words.rows(columns, _register_rows(session, filters, user, columns)), times=CSV_TIMES, zone=zone,
            delimiter=delimiter, in_utc_too="started_at", titles=words.titles,
        )  # fmt: skip


@router.get(
    ".xlsx",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            "description": "An Excel workbook (XLSX), one call a row",
        }
    },
)
def export_calls_xlsx(
    user: Viewer,
    runtime: RuntimeDep,
    query: CallQueryDep,
    tz: CsvZone = "UTC",
    lang: LanguageQuery = "raw",
) -> StreamingResponse:
    """Every matching call as an Excel workbook, with the columns, filters and `lang` of `calls.csv`.

    Each cell is typed: times are date-times (shown `2026-11-23 09:30:12`; `23.11.2026 09:30:12` with `lang=ru`,
    `23/11/2026 09:30:12` with `lang=es`) on the clock of `tz` (UTC unless given; an unknown zone is a 422 naming
    `tz`), each time column's header naming it as in the CSV, with `started_at (UTC)` after the local start on
    another clock than UTC; counts and durations are numbers (`duration_ms` shown with a thousands separator);
    everything else, numbers and ids among it, is text shown as written (a leading + or 0 kept, a caller name
    starting with `=` never run as a formula, and no `'` before it). The header row is bold, frozen and filtered.
    An XLSX is a zip, whose directory comes last: the file is written whole (on disk past 1 MiB, in flat memory)
    before its first byte is sent, with its `Content-Length`; on a large range the CSV starts sooner. Masked and
    audited as the CSV is."""
    filters = query.filters(ZoneInfo(tz))
    _record_export(runtime.database, user, filters, "xlsx")
    words, columns = _register_words(runtime, lang), export_columns(lang)
    with runtime.database.session() as session:
        rows = words.rows(columns, _register_rows(session, filters, user, columns))
        book = zoned_xlsx(columns, rows, times=CSV_TIMES, zone=ZoneInfo(tz), in_utc_too="started_at",
                          title=words.sheet, titles=words.titles, quantities=XLSX_QUANTITIES,
                          language=lang)  # fmt: skip
    return StreamingResponse(
        book.chunks(),
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": 'attachment; filename="calls.xlsx"', "Content-Length": str(book.size)},
    )


def _register_words(runtime: Runtime, language: ReportLanguage) -> Wording:
    """The register's words in `language`, a block named as this server's catalog titles it."""
    return CALL_REGISTER.wording(language, block_titles(runtime.registry, language))


def export_columns(language: ReportLanguage) -> tuple[str, ...]:
    """The export's columns: by position as BI tools read them (raw), or ordered for people (a language)."""
    return CSV_COLUMNS if language == "raw" else PEOPLE_COLUMNS


def _register_rows(
    session: Session, filters: CallFilter, user: Principal, columns: tuple[str, ...]
) -> Iterator[list[object]]:
    """The calls `filters` picks, a row of `columns` each, read from the database as they are written, as `user`
    may read them."""
    records = _with_labels(session, calls.with_transfer_outcomes(session, calls.iter_calls(session, filters=filters)))
    rows = ([_cell(record, column, found) for column in columns] for record, found in records)
    for row in personal_data.register_rows(rows, columns, user):
        yield list(row)


@dataclass(frozen=True)
class _Found:
    """What an export row says of a call besides its record: read apart from it, once per chunk of records."""

    transfer_outcome: str | None
    result_label: str | None
    scenario_name: str | None


def _with_labels(
    session: Session, records: Iterable[tuple[CallRecord, str | None]], *, chunk: int = 1000
) -> Iterator[tuple[CallRecord, _Found]]:
    """Each of `records` with its result's label and its scenario's name, those of the scenarios a chunk of records
    brings read with that chunk, once per export: a scenario's words stay those of the first chunk that needed them,
    and a long export of a few scenarios reads them a few times, not a row at a time."""
    labels: ResultLabels = {}
    names = _ScenarioNames(session)
    seen: set[str] = set()
    batch: list[tuple[CallRecord, str | None]] = []

    def labelled() -> Iterator[tuple[CallRecord, _Found]]:
        new = {record.scenario for record, _ in batch if record.result is not None} - seen
        labels.update(result_labels(session, scenarios=new))
        seen.update(new)
        names.read([record for record, _ in batch])
        return ((r, _Found(t, label_of(labels, scenario=r.scenario, result=r.result), names.of(r))) for r, t in batch)

    for pair in records:
        batch.append(pair)
        if len(batch) == chunk:
            yield from labelled()
            batch = []
    yield from labelled()


class _ScenarioNames:
    """The names of the scenarios calls ran, read as chunks of records bring new ones: by the version a call ran,
    which names its scenario also once it is deleted or its slug is taken by another; by the slug among the live
    scenarios for a call no version is known of (none ran)."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._by_version: dict[int, str] = {}
        self._by_slug: dict[str, str | None] = {}

    def read(self, records: Iterable[CallRecord]) -> None:
        versions, slugs = set(), set()
        for record in records:
            if record.version_id is not None:
                versions.add(record.version_id)
            else:
                slugs.add(record.scenario)
        versions -= set(self._by_version)
        slugs -= set(self._by_slug)
        if versions:
            query = (
                select(ScenarioVersion.id, Scenario.name)
                .join(Scenario, Scenario.id == ScenarioVersion.scenario_id)
                .where(ScenarioVersion.id.in_(versions))
            )
            self._by_version.update({int(version): str(name) for version, name in self._session.execute(query)})
        if slugs:
            self._by_slug.update(dict.fromkeys(slugs))
            live = select(Scenario.slug, Scenario.name).where(Scenario.slug.in_(slugs), LIVE)
            self._by_slug.update({str(slug): str(name) for slug, name in self._session.execute(live)})

    def of(self, record: CallRecord) -> str | None:
        if record.version_id is not None:
            return self._by_version.get(record.version_id)
        return self._by_slug.get(record.scenario)


def direction(record: CallRecord) -> str:
    """`outbound` for a call the dialer placed for a callback job (a callback, a campaign's client), else `inbound`."""
    return OUTBOUND if record.callback_job_id is not None else INBOUND


def _cell(record: CallRecord, column: str, found: _Found) -> object:
    """The export's cell of `column` for `record`: a list as its items apart by spaces (empty for none, and for
    not known: a spreadsheet has no null). `caller_id` is the other party's number in both directions: for an
    outbound call the number dialled, as `caller_name` is already the client's name (agi_server.node.name_callees);
    the CallerID an originated call went out with is the dialer's own, which told the supervisor nothing."""
    if column == "transfer_outcome":
        return found.transfer_outcome
    if column == "result_label":
        return found.result_label
    if column == "scenario_name":
        return found.scenario_name
    if column == "direction":
        return direction(record)
    if column == "caller_id" and direction(record) == OUTBOUND:
        return record.dialed_number
    value = getattr(record, column)
    return " ".join(value or ()) if column in LIST_COLUMNS else value


def _record_export(database: Database, user: Principal, filters: CallFilter, form: Literal["csv", "xlsx"]) -> None:
    """The `export_calls` audit event, before the first row is sent: its filters as given, a number by its keyed
    hash (then also the event's target, as a lookup's), a name by its length only."""
    with database.session() as session:
        given: dict[str, Any] = {
            "scenario": filters.scenario,
            "since": filters.since.isoformat() if filters.since else None,
            "until": filters.until.isoformat() if filters.until else None,
            "status": filters.status,
            "result": filters.result,
            "uniqueid": filters.asterisk_uniqueid,
            "callback_job_id": filters.callback_job_id,
            "scheduled_job_id": filters.scheduled_job_id,
            "origin_call_id": filters.origin_call_id,
            "with_errors": filters.with_errors,
            "node": filters.node,
        }
        target = "calls"
        if filters.caller is not None:
            target = given["caller"] = personal_data.subject_label(session, filters.caller)
        if filters.caller_name is not None:
            given["caller_name"] = personal_data.masked_value(filters.caller_name)
        shown = {name: value for name, value in given.items() if value is not None}
        personal_data.record_access(session, user, action=personal_data.EXPORT_CALLS, target=target,
                                    details={"format": form, "filters": shown})  # fmt: skip


@router.get("/{call_id}", response_model=CallDetail, responses=problems(404))
def get_call(call_id: CallId, user: Viewer, runtime: RuntimeDep) -> CallDetail:
    """One call with its full trace: every node, prompt, key and variable change; masked for a user without
    `sees_personal_data`. Each reading leaves a `read_call` audit event."""
    with runtime.database.session() as session:
        record = calls.get_call(session, call_id=call_id)
        personal_data.record_access(session, user, action=personal_data.READ_CALL, target=f"call:{record.id}")
        labels = result_labels(session, scenarios=[record.scenario] if record.result is not None else [])
        label = label_of(labels, scenario=record.scenario, result=record.result)
        campaign = calls.campaign_of(session, job_id=record.callback_job_id)
        detail = CallDetail(
            **summary(record, calls.transfer_outcomes(session, records=[record]).get(record.id), label).model_dump(),
            channel=record.channel,
            error=record.error,
            campaign_id=campaign.id if campaign is not None else None,
            campaign_name=campaign.name if campaign is not None else None,
            variables=record.variables,
            trace=record.trace,
        )
        return personal_data.call(detail, user)


@router.get("/{call_id}/version", response_model=VersionDetail, responses=problems(404))
def get_call_version(call_id: CallId, _user: Viewer, runtime: RuntimeDep) -> VersionDetail:
    """The published version the call ran, as it was published: also after its scenario was deleted, or deleted and
    created again under the same slug, when `/api/scenarios/{slug}/versions/{version}` names another document or
    none. 404 when the call ran no version (an unknown scenario), or one that cannot be traced (recorded before
    versions were kept with their calls, on a scenario deleted since)."""
    with runtime.database.session() as session:
        return version_detail(calls.version_ran(session, call_id=call_id))
