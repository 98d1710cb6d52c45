"""A call list into callback jobs: one job per client, the autoinformer's campaign.

Each row of the list is one client. Its phone column becomes the job's number (spaces, dashes, dots and
brackets dropped, as people type them); the whole row becomes the `contact` variable (what the examples
read: `{{ contact.name }}`), laid over the `contact` the scenario declares by default (a field no column fills
keeps its default); a column named like a variable the scenario declares also fills that variable,
converted to the variable's type (a debt in `debt_amount` is a number, spoken as an amount).

What the scenario reads that no column fills is found before any call (`needed_columns`): without a default it
is a problem (every answered call would fail there, review of 2026-12-12: a list with Russian headers was
accepted and each client heard silence), with one a warning (every client hears the default).

All or none: a list with one bad row creates nothing, and the problems name every bad client and column, so
the analyst fixes the file and imports it again without finding out which half went in. A row repeating an
earlier row's number is one such problem, unless the analyst asks for duplicates to be skipped (`plan_jobs`'s
`duplicates`): then the earlier row is called and the rows left out are named in warnings. Each problem has a
stable `code` and the `params` its English message is built from (`problem`), for the designer to say it in the
analyst's language.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import Integer, Select, case, cast, func, insert, literal_column, null, select, union_all, update
from sqlalchemy.orm import Session

from blocks.timewindows import callback_window, reopening
from graph_engine.document import CHANNEL_FACTS
from graph_engine.inputs import ScenarioInputs
from persistence import cell_numbers
from persistence.cell_dates import NotADate, SlashOrder, cell_date, could_be_either, slash_order
from persistence.cell_numbers import Ambiguous, ThousandsMark, cell_number, thousands_mark
from persistence.cell_numbers import could_be_either as could_be_many
from persistence.errors import InvalidCallList, NotFound
from persistence.models import CallbackJob, CallCampaign, CallRecord, CampaignSkippedRow, utcnow
from persistence.phone_numbers import (
    configured_default_country,
    impossible_number,
    is_emergency_number,
    one_form,
    phone_number,
    written_forms,
)

CONTACT: Final = "contact"
MAX_PROBLEMS: Final = 50
_TRUE: Final = frozenset({"true", "yes", "y", "1", "si", "sí", "да"})
_FALSE: Final = frozenset({"false", "no", "n", "0", "нет"})
# A list's own jobs, one per client, as `schedule` makes them; a campaign's others are the callbacks its calls
# promised (the Callback block's, which name the call that asked).
_LISTED: Final = CallbackJob.origin_call_id.is_(None)
_ROWS_AT_ONCE: Final = 500  # list rows named in one query's IN (...)
# What the dialer gives a call of a job besides its variables (agi_server.dialer's `resolve`): no column fills them.
SET_BY_THE_DIALER: Final = frozenset({"callback_job_id", "origin_call_id", "callback_number"})
# Types a list's cell fills (`typed`); a list or object variable other than `contact` is never a column.
_CELL_TYPES: Final = frozenset({"string", "number", "integer", "boolean", "date"})
# A call whose scenario failed (persistence.calls.derive_status): the client heard an apology or silence, and
# nothing they answered counts; the campaign counts them apart from those reached.
FAILED_CALL: Final = "failed"
# The fewest digits a row's number has, as the Callback block's: one or two are a wrong column (an age, a count),
# or a short code such as France's 15 or Russia's 01, and no client's phone.
SHORTEST_NUMBER: Final = 3
# Why `impossible_number` finds a number no phone, as a problem's message says it.
IMPOSSIBLE_WHY: Final = {
    "too_short": "too few digits for a number of its country",
    "too_long": "too many digits for a number of its country",
    "invalid_length": "no number of its country has that many digits",
    "unknown_country_code": "no country has that calling code",
}


@dataclass(frozen=True)
class PlannedJob:
    number: str
    due: datetime
    window_end: datetime | None
    variables: dict[str, Any]
    row: int | None = None  # the row of the file the client was read from, when the list came with them
    columns: tuple[str, ...] = ()  # the client's own cells, in the row's order (`contact` has the defaults too)


_NO_DEFAULT: Final = object()


@dataclass(frozen=True)
class Needed:
    """What the scenario reads that a column of the list may fill: the `column` that would, what the scenario
    reads (`contact.name`, `debt_amount`), and the scenario's default for it, if any."""

    column: str
    reads: str
    default: Any = _NO_DEFAULT

    @property
    def has_default(self) -> bool:
        return self.default is not _NO_DEFAULT


def needed_columns(document: Mapping[str, Any], inputs: ScenarioInputs) -> list[Needed]:
    """What `document` (published) reads that only a call list can give it: the fields of `contact` its templates
    need (`{{ contact.name }}`: a column `name`), and the variables it declares and reads that no block, the
    dialer nor the channel sets (`debt_amount`: a column `debt_amount`). Each with its default, if the scenario
    gives one (a `contact` default's field, a variable's default)."""
    declared = {str(v["name"]): v for v in document.get("variables", []) if isinstance(v, Mapping) and "name" in v}
    needed: list[Needed] = []
    if CONTACT not in inputs.written:
        contact_default = declared.get(CONTACT, {}).get("default")
        defaults = contact_default if isinstance(contact_default, Mapping) else {}
        for name in sorted(inputs.fields.get(CONTACT, ())):
            needed.append(Needed(name, f"{CONTACT}.{name}", defaults.get(name, _NO_DEFAULT)))
    set_elsewhere = inputs.written | SET_BY_THE_DIALER | set(CHANNEL_FACTS) | {CONTACT}
    for name in sorted(inputs.read - set_elsewhere):
        variable = declared.get(name)
        if variable is None or str(variable.get("type", "string")) not in _CELL_TYPES:
            continue  # undeclared (validation warns of it) or a list/object: no column fills it either way
        default = variable.get("default")
        needed.append(Needed(name, name, _NO_DEFAULT if default is None else default))
    return needed


def defaulted_columns(rows: Sequence[Mapping[str, Any]], needs: Sequence[Needed]) -> list[dict[str, Any]]:
    """A warning when the scenario reads what no column fills and a default stands in for it: every client hears
    the default ("0 EUR", "cliente"), which is rarely what a list was imported for."""
    filled = _filled_columns(rows)
    defaulted = [need for need in needs if need.column not in filled and need.has_default]
    if not defaulted:
        return []
    reads = ", ".join(need.reads for need in defaulted)
    shown = ", ".join(f"{need.reads} = {json.dumps(need.default, ensure_ascii=False)[:40]}" for need in defaulted)
    columns = ", ".join(filled)
    message = (
        f"no column fills {reads}: every client hears the scenario's default ({shown}). The list's columns are "
        f"{columns}; name a column {_column_names(defaulted)} to fill them"
    )
    params: Params = {"reads": reads, "defaults": shown, "missing": _column_names(defaulted), "columns": columns}
    return [problem("$.rows", "columns_defaulted", message, params)]


def _filled_columns(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """The columns with a value in some row, in the order the rows name them (a row leaves its empty cells out)."""
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    return list(columns)


def _column_names(needs: Sequence[Needed]) -> str:
    return ", ".join(repr(need.column) for need in needs)


def _missing_columns(rows: Sequence[Mapping[str, Any]], needs: Sequence[Needed], problems: _Problems) -> None:
    """A problem naming what the scenario reads that no column fills and no default stands in for: every answered
    call would fail there (`'dict object' has no attribute 'name'`), the client hearing silence."""
    filled = _filled_columns(rows)
    missing = [need for need in needs if need.column not in filled and not need.has_default]
    if not missing:
        return
    reads, columns = ", ".join(need.reads for need in missing), ", ".join(filled)
    message = (
        f"no column for {_column_names(missing)}, which the scenario reads ({reads}) and gives no default: every "
        f"answered call would fail there. The list's columns are {columns}: rename a column in the file, or give "
        "the scenario a default for it"
    )
    params: Params = {"missing": _column_names(missing), "reads": reads, "columns": columns, "count": len(missing)}
    problems.add("$.rows", "columns_missing", message, params)


@dataclass(frozen=True)
class Campaign:
    """When and how the list is called: from `due`, inside `hours` (the Callback block's opening hours, in
    `timezone`, never on `holidays`) if any, and not after `until`."""

    due: datetime
    until: datetime | None = None
    hours: Sequence[Mapping[str, Any]] = ()
    timezone: str = "UTC"
    holidays: Sequence[str] = ()
    max_attempts: int = 3

    def window(self) -> dict[str, Any] | None:
        if not self.hours:
            return None
        return callback_window(self.hours, self.timezone, self.holidays, until=self.until)

    def settings(self) -> dict[str, Any]:
        """As the campaign keeps them (JSON): what the analyst asked for, for the campaign's page."""
        return {
            "due": self.due.isoformat(),
            "until": self.until.isoformat() if self.until else None,
            "hours": [dict(hours) for hours in self.hours],
            "timezone": self.timezone,
            "holidays": list(self.holidays),
            "max_attempts": self.max_attempts,
        }


Params = dict[str, str | int]


def problem(path: str, code: str, message: str, params: Params | None = None) -> dict[str, Any]:
    """A call list's problem as the API answers it: the English `message`, and its stable `code` with the `params`
    the message is built from (row, column, value...), for a client to say it in the analyst's language."""
    return {"path": path, "code": code, "params": params or {}, "message": message}


@dataclass
class _Problems:
    found: list[dict[str, Any]] = field(default_factory=list)
    more: int = 0

    def add(self, path: str, code: str, message: str, params: Params | None = None) -> None:
        if len(self.found) < MAX_PROBLEMS:
            self.found.append(problem(path, code, message, params))
        else:
            self.more += 1

    def raise_any(self) -> None:
        if not self.found:
            return
        if self.more:
            more = problem("$.rows", "more_problems", f"and {self.more} more problems like these", {"count": self.more})
            self.found.append(more)
        raise InvalidCallList(self.found)


@dataclass(frozen=True)
class _Client:
    """Where a problem's client is in the list: their row of the file ("row 5") when the rows came with their
    numbers, else their place among the rows ("client 3")."""

    kind: str  # "row" or "client": the param's name too
    number: int

    def __str__(self) -> str:
        return f"{self.kind} {self.number}"

    def params(self, column: str, **more: str | int) -> Params:
        return {self.kind: self.number, "column": column, **more}


# What a list's row whose number an earlier row already has does (`plan_jobs`): stops the list (the analyst fixes
# the file), or is left out and the earlier row called (a 20,000-row export is not fixed in Excel for a few).
REFUSE_DUPLICATES: Final = "refuse"
SKIP_DUPLICATES: Final = "skip"
# The skipped rows an audit event names (a campaign's settings keep their count): enough to find them in the file.
AUDITED_SKIPS: Final = 1000
# What a campaign's report says of a row besides its client's job status: a row skipped as a duplicate, its outcome
# naming the row called instead (`duplicate_of:2`), and a client waiting while the campaign is paused, whom nobody
# calls until it is resumed (`pending` read as if calls were coming).
REPORT_SKIPPED: Final = "skipped"
REPORT_PAUSED: Final = "paused"
DUPLICATE_OF: Final = "duplicate_of:"


@dataclass(frozen=True)
class SkippedDuplicate:
    """A row left out for its number, which an earlier row of the list has (`first`): the file's rows, or the
    clients' places for a list sent without them."""

    row: int
    first: int
    number: str


class PlannedJobs(list[PlannedJob]):
    """A list's jobs in its order, with what the check warns of that comes from the rows themselves (`warnings`:
    rows skipped, numbers read one way that could be either) and the rows skipped as duplicates (`skipped`)."""

    def __init__(
        self, jobs: Sequence[PlannedJob], warnings: list[dict[str, Any]], skipped: list[SkippedDuplicate]
    ) -> None:
        super().__init__(jobs)
        self.warnings = warnings
        self.skipped = skipped


def plan_jobs(
    rows: Sequence[Mapping[str, Any]],
    *,
    number_column: str,
    declared: Mapping[str, str],
    campaign: Campaign,
    now: datetime | None = None,
    row_numbers: Sequence[int] | None = None,
    needs: Sequence[Needed] = (),
    contact_default: Mapping[str, Any] | None = None,
    duplicates: str = REFUSE_DUPLICATES,
) -> PlannedJobs:
    """The jobs for `rows`; `InvalidCallList` listing every bad row. `declared`: the scenario's variables and
    their types. `now`: a campaign whose end is not after it is refused (it would call nobody). `row_numbers`:
    the row of the file each one was read from, which a problem names ("row 5") instead of its place ("client 3"),
    as the analyst looks for it in their sheet, and the report too. `needs`: what the scenario reads that a column
    may fill (`needed_columns`); one no column fills and without a default is a problem. `contact_default`: the
    scenario's default `contact`, which each row is laid over. `duplicates`: a row whose number an earlier row
    has is a problem (REFUSE_DUPLICATES), or is left out, its cells unchecked as nobody is called for them, and
    named in a warning (SKIP_DUPLICATES: `duplicate_skipped`)."""
    problems = _Problems()
    _missing_columns(rows, needs, problems)
    if now is not None and campaign.until is not None and campaign.until <= now:
        problems.add("$.until", "campaign_over", "the campaign's end has already passed: nobody would be called")
    elif campaign.until is not None and campaign.until <= campaign.due:
        problems.add("$.until", "campaign_ends_first", "the campaign must end after its first call")
    # With its end refused, whether the hours open before it says nothing more: the analyst fixes the end first.
    opening = None if problems.found else _first_opening(campaign, problems)
    planned: list[PlannedJob] = []
    skipped: list[SkippedDuplicate] = []
    first_client: dict[str, _Client] = {}
    orders, marks = slash_orders(rows, declared), thousands_marks(rows, declared)
    for index, row in enumerate(rows):
        client = _Client("row", row_numbers[index]) if row_numbers else _Client("client", index + 1)
        # A row with a bad number is checked on: every problem of a row is named in one check (review of
        # 2026-12-19: an emergency number hid the same row's bad date until the list was uploaded again).
        number = _row_number(row, index, client, number_column, first_client, problems, duplicates)
        if isinstance(number, SkippedDuplicate):
            skipped.append(number)
            continue
        # Over the default, not instead of it: a field no column fills keeps the scenario's value for it.
        variables: dict[str, Any] = {CONTACT: {**(contact_default or {}), **row}}
        converted, unfit = declared_values(row, declared, slash_orders=orders, thousands=marks)
        variables.update(converted)
        for column, why in unfit.items():
            shown = str(row[column])[:40]
            params = client.params(column, value=shown, type=why.kind, **why.params)
            message = f"{client}, {column}: {shown!r} is not {why.expected}"
            problems.add(f"$.rows[{index}].{column}", why.code, message, params)
        if number is not None and opening is not None:
            # Without the file's rows, a list whose duplicates are skipped names its clients by their place among
            # the rows sent, as its warnings and its report's skipped rows do ("client 3 ... is already client 1").
            row_number = row_numbers[index] if row_numbers else index + 1 if duplicates == SKIP_DUPLICATES else None
            planned.append(PlannedJob(number, opening[0], opening[1], variables, row_number, tuple(row)))
    problems.raise_any()
    warnings = _skipped_warnings(skipped, number_column, by_row=bool(row_numbers))
    return PlannedJobs(planned, warnings + thousands_read(rows, declared, row_numbers), skipped)


def _skipped_warnings(skipped: Sequence[SkippedDuplicate], column: str, *, by_row: bool) -> list[dict[str, Any]]:
    """A warning naming each row skipped for its duplicate number and the row called instead (the first
    MAX_PROBLEMS of them, then one counting the rest): the analyst sees who is left out before scheduling."""
    kind = "row" if by_row else "client"
    warnings = []
    for skip in skipped[:MAX_PROBLEMS]:
        first = f"{kind} {skip.first}"
        message = f"{kind} {skip.row}: {skip.number} is already {first}: skipped, {first} is called"
        params: Params = {kind: skip.row, "column": column, "number": skip.number, "first": skip.first}
        warnings.append(problem("$.rows", "duplicate_skipped", message, params))
    if len(skipped) > MAX_PROBLEMS:
        more = len(skipped) - MAX_PROBLEMS
        message = f"and {more} more rows skipped as duplicates"
        warnings.append(problem("$.rows", "more_duplicates_skipped", message, {"count": more}))
    return warnings


def audited_skips(skipped: Sequence[SkippedDuplicate]) -> dict[str, Any]:
    """What an audit event of a scheduled list says of the rows it skipped as duplicates (none: nothing)."""
    if not skipped:
        return {}
    pairs = [{"row": skip.row, "first": skip.first} for skip in skipped[:AUDITED_SKIPS]]
    return {"duplicates_skipped": len(skipped), "skipped_rows": pairs}


def _row_number(
    row: Mapping[str, Any],
    index: int,
    client: _Client,
    column: str,
    first_client: dict[str, _Client],
    problems: _Problems,
    duplicates: str = REFUSE_DUPLICATES,
) -> str | SkippedDuplicate | None:
    """The number to dial for the row's client, who is then in `first_client`; None (a problem) for no number, one
    that is not a phone number, an emergency number, or a client already listed, who is a `SkippedDuplicate`
    instead when `duplicates` skips them."""
    path, raw = f"$.rows[{index}].{column}", row.get(column)
    if raw is None or raw == "":
        problems.add(path, "no_number", f"{client}: no number in column {column!r}", client.params(column))
        return None
    number, shown = phone_number(raw), str(raw)[:40]
    if number is None or len(number.lstrip("+")) < SHORTEST_NUMBER:
        message = f"{client}: {shown!r} is not a phone number"
        problems.add(path, "not_a_phone_number", message, client.params(column, value=shown))
        return None
    if (reason := impossible_number(number)) is not None:
        message = f"{client}: {shown!r} is no phone number: {IMPOSSIBLE_WHY[reason]}"
        problems.add(path, "impossible_number", message, client.params(column, value=shown, reason=reason))
        return None
    if is_emergency_number(number):
        message = f"{client}: {shown} is an emergency number and is never dialled"
        problems.add(path, "emergency_number", message, client.params(column, value=shown))
        return None
    same = one_form(number)  # 0034... and +34... ring one phone (review of 2026-12-05: called twice)
    if same in first_client:
        first = first_client[same]
        if duplicates == SKIP_DUPLICATES:
            return SkippedDuplicate(client.number, first.number, number)
        message = f"{client}: {number} is already {first}"
        problems.add(path, "duplicate_number", message, client.params(column, number=number, first=first.number))
        return None
    first_client[same] = client
    return number


def schedule(
    session: Session,
    *,
    scenario: str,
    jobs: Sequence[PlannedJob],
    campaign: Campaign,
    name: str = "",
    created_by: str | None = None,
    skipped: Sequence[SkippedDuplicate] = (),
) -> tuple[str, list[str]]:
    """Create the campaign and its planned jobs in `session` (one transaction: all or none): the campaign's id,
    and the jobs' ids in list order. `skipped`: the list's rows left out as duplicates, counted in the campaign's
    settings (`duplicates_skipped`) for its page to say that the list had more rows than clients, and kept, each
    with the row called instead, for its report to list them in their place (`skipped_rows`)."""
    window, now, campaign_id = campaign.window(), utcnow(), str(uuid.uuid4())
    settings = {**campaign.settings(), "columns": list_columns(jobs)}
    if skipped:
        settings["duplicates_skipped"] = len(skipped)
    session.add(
        CallCampaign(
            id=campaign_id,
            scenario=scenario,
            name=name,
            created_by=created_by,
            created_at=now,
            jobs=len(jobs),
            # The list's columns in its own order, for the report: a job's row is JSONB on PostgreSQL, which keeps
            # no key order (review of 2026-12-05: a report's columns came back shuffled).
            settings=settings,
        )
    )
    session.flush()  # the campaign before its jobs, as a reader of either expects
    rows: list[dict[str, Any]] = [
        {
            "id": str(uuid.uuid4()),
            "campaign_id": campaign_id,
            "campaign_row": place,
            "list_row": job.row,
            "number": job.number,
            "scenario": scenario,
            "due": job.due,
            "window_end": job.window_end,
            "allowed_hours": window,
            "variables": job.variables,
            "attempts": 0,
            "max_attempts": campaign.max_attempts,
            "status": "pending",
            "created_at": now,
        }
        for place, job in enumerate(jobs, start=1)
    ]
    if rows:
        # One executemany of plain rows: 20,000 clients in well under a second, where ORM objects flushed one by
        # one took 12-19 s (SQLite, PostgreSQL).
        session.execute(insert(CallbackJob), rows)
    if skipped:
        kept = [{"campaign_id": campaign_id, "list_row": skip.row, "first_row": skip.first} for skip in skipped]
        session.execute(insert(CampaignSkippedRow), kept)
    return campaign_id, [str(row["id"]) for row in rows]


def skipped_rows(session: Session, *, campaign_id: str) -> list[tuple[int, int]]:
    """The rows of the campaign's list skipped as duplicates, in the list's order, each with the row called instead
    (its `first`): numbers of rows only, a few bytes each however long the list. None for a campaign scheduled
    before they were kept (migration 0028)."""
    query = (
        select(CampaignSkippedRow.list_row, CampaignSkippedRow.first_row)
        .where(CampaignSkippedRow.campaign_id == campaign_id)
        .order_by(CampaignSkippedRow.list_row)
    )
    return [(int(row), int(first)) for row, first in session.execute(query)]


def already_waiting(session: Session, *, scenario: str, numbers: Sequence[str]) -> list[dict[str, Any]]:
    """A warning for each campaign of `scenario` in which some of `numbers` still wait to be called (or ring now):
    the same list imported twice calls every client twice (review of 2026-12-12), and the analyst sees it before
    scheduling. Their callbacks promised count too: those clients are called again anyway."""
    wanted: dict[str, str] = {}  # each way a job may hold a number -> the number as the list has it
    for number in numbers:
        wanted.update(dict.fromkeys(written_forms(number), one_form(number)))
    found: dict[str, set[str]] = {}
    forms = list(wanted)
    for start in range(0, len(forms), _ROWS_AT_ONCE):
        query = select(CallbackJob.campaign_id, CallbackJob.number).where(
            CallbackJob.scenario == scenario,
            CallbackJob.campaign_id.is_not(None),
            CallbackJob.status.in_(("pending", "dialing")),
            CallbackJob.number.in_(forms[start : start + _ROWS_AT_ONCE]),
        )
        for campaign_id, number in session.execute(query):
            found.setdefault(str(campaign_id), set()).add(wanted[number])
    if not found:
        return []
    named = session.scalars(select(CallCampaign).where(CallCampaign.id.in_(list(found))))
    warnings = []
    for campaign in sorted(named, key=lambda c: (c.created_at, c.id), reverse=True):
        count = len(found[campaign.id])
        title = campaign.name or f"of {campaign.created_at.date().isoformat()}"
        message = (
            f"{count} of these numbers already wait in campaign {title!r} of this scenario: scheduling this list "
            "calls them again (stop that campaign first, or leave them out)"
        )
        params: Params = {"count": count, "campaign": campaign.name, "campaign_id": campaign.id,
                          "created_at": campaign.created_at.isoformat()}  # fmt: skip
        warnings.append(problem("$.rows", "already_waiting", message, params))
    return warnings


# -- reporting a campaign ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignSummary:
    campaign_id: str
    scenario: str
    name: str
    created_by: str | None
    created_at: datetime
    jobs: int
    statuses: dict[str, int]  # pending, dialing, done, failed, expired, cancelled
    # What the clients reached answered (their last call's `result`), whatever they stand now: a client promised a
    # callback answered too, and waits (pending). A client reached whose call set no `result` is not in it.
    results: dict[str, int]
    next_due: datetime | None  # when the next client waiting is due; None when nobody waits
    settings: dict[str, Any]  # as started (Campaign.settings()); {} for lists imported before they were kept
    cancelled_at: datetime | None  # when it was stopped; None while it runs (or for lists stopped before it was kept)
    # The clients a call reached (the scenario ran for them and did not fail), whatever they stand now: `results`
    # counts their answers, so those reached without one are `reached` less them. None where results are not
    # counted (the list).
    reached: int | None = None
    # The clients whose last call failed (the scenario broke off: a prompt it could not say, a block that failed):
    # not reached, whatever the call set. None where results are not counted (the list).
    failed_calls: int | None = None
    # The clients rung at least once (an attempt made, whatever came of it), and those a stop cancelled before
    # any was: "called 20 of 60", not the 10 whose dialing had ended.
    dialled: int = 0
    spared: int = 0
    # The clients waiting who were rung at least once: a retry after a busy line, or a callback their call promised.
    # "Called 19 of 19 (100 %)" read as over while 3 of them waited so (review of a Spanish bank's supervisor). None
    # where it is not counted (the list).
    awaiting_retry: int | None = None
    # When a supervisor paused it, and who (persistence.campaign_pause); None while it calls.
    paused_at: datetime | None = None
    paused_by: str | None = None

    @property
    def paused(self) -> bool:
        """Held by a supervisor: nobody is called until it is resumed. A stop ends a pause (`cancel`)."""
        return self.paused_at is not None and self.cancelled_at is None


@dataclass(frozen=True)
class LastCall:
    """What a campaign's summary and report read of a client's last call: not its trace nor its variables, most
    of a record (~2.7 KB of trace a debt-reminder call), read for every client each time the summary is asked."""

    id: str
    result: str | None
    answered_at: datetime | None
    outcome: str | None = None  # the call's own (hung_up, failed...): graph_engine.trace.CallOutcome
    status: str | None = None  # the call register's (answered, failed...): persistence.calls.derive_status

    @property
    def failed(self) -> bool:
        return self.status == FAILED_CALL


@dataclass(frozen=True)
class ClientReport:
    """One client of a campaign: the job that says where they stand, the last call that reached them (if any),
    their row of the list as imported, and how their dialing went over all their jobs.

    A call of the campaign may promise the client a callback (the Callback block: "we'll call you later"): that
    job is the campaign's too, for the same client (its `campaign_row`). The client stands where their newest job
    says (waiting for the promised call, not done), and their last call may be that callback's. Their dialing is
    every job's: reached on the second ring and promised a callback, they were dialled twice, the last time
    answered, though the callback they wait for was never dialled."""

    job: CallbackJob
    call: LastCall | None
    listed: CallbackJob  # the list's own job for the client: its columns (`contact`) and place
    attempts: int  # dial attempts, over all the client's jobs
    last_attempt_at: datetime | None  # the newest of them
    # That attempt's outcome (busy, no_answer, answered...); the standing job's while none was made (`cancelled`:
    # stopped before their first call; `window_closed`: the hours ran out first).
    outcome: str | None


def cancel(session: Session, *, campaign_id: str, now: datetime | None = None) -> int:
    """Stop a campaign: its clients not yet dialled are never called (status `cancelled`), nor are those its
    calls promised a callback (their jobs are the campaign's); a call ringing or in progress now goes on, and is
    not retried (`persistence.callbacks` cancels its client when it ends unanswered). A paused campaign is stopped
    too, and no longer paused. The number of jobs cancelled now; `NotFound` for no such campaign."""
    campaign = require_campaign(session, campaign_id=campaign_id)
    campaign.cancelled_at = campaign.cancelled_at or now or utcnow()
    campaign.paused_at = campaign.paused_by = None  # stopped for good: no longer held (the audit log says it was)
    stopped = session.execute(
        update(CallbackJob)
        .where(CallbackJob.campaign_id == campaign_id, CallbackJob.status == "pending")
        # The status says it was stopped; the outcome stays the last dial's (a retry waits after a busy): the
        # report's `outcome` column is how the dialing went (`callbacks._cancel` keeps it likewise).
        .values(status="cancelled", outcome=func.coalesce(CallbackJob.outcome, "cancelled"))
    )
    return int(stopped.rowcount or 0)  # type: ignore[attr-defined]


def campaigns(
    session: Session, *, scenario: str | None = None, limit: int = 50, offset: int = 0
) -> list[CampaignSummary]:
    """The newest campaigns first (`offset` of them skipped), each with its jobs counted by status (results are
    in `campaign_summary`)."""
    query = select(CallCampaign).order_by(CallCampaign.created_at.desc(), CallCampaign.id).limit(limit).offset(offset)
    if scenario:
        query = query.where(CallCampaign.scenario == scenario)
    found = list(session.scalars(query))
    statuses: dict[str, dict[str, int]] = {campaign.id: {} for campaign in found}
    next_due: dict[str, datetime] = {}
    tried: dict[str, tuple[int, int]] = {}
    if found:
        tried = _tried(session, list(statuses))
        counts = (
            select(CallbackJob.campaign_id, CallbackJob.status, func.count(), func.min(CallbackJob.due))
            .where(CallbackJob.campaign_id.in_(list(statuses)), _LISTED)
            .group_by(CallbackJob.campaign_id, CallbackJob.status)
        )
        for campaign_id, status, count, due in session.execute(counts):
            statuses[str(campaign_id)][status] = count
            if status == "pending":  # min() keeps the column's type: an aware UTC datetime on every backend
                next_due[str(campaign_id)] = due
        _count_follow_ups(session, statuses, next_due)
    return [
        replace(
            _summary(campaign, statuses[campaign.id], {}, next_due.get(campaign.id)),
            dialled=tried.get(campaign.id, (0, 0))[0],
            spared=tried.get(campaign.id, (0, 0))[1],
        )
        for campaign in found
    ]


def _tried(session: Session, campaign_ids: list[str]) -> dict[str, tuple[int, int]]:
    """For each campaign, its clients rung at least once and those a stop cancelled before any ring. A client's
    list job says both: a callback is only ever promised on a call of it, so a client with one was rung."""
    rung = func.sum(case((CallbackJob.attempts > 0, 1), else_=0))
    spared = func.sum(case(((CallbackJob.status == "cancelled") & (CallbackJob.attempts == 0), 1), else_=0))
    counts = (
        select(CallbackJob.campaign_id, rung, spared)
        .where(CallbackJob.campaign_id.in_(campaign_ids), _LISTED)
        .group_by(CallbackJob.campaign_id)
    )
    return {str(campaign_id): (int(r or 0), int(s or 0)) for campaign_id, r, s in session.execute(counts)}


def _count_follow_ups(session: Session, statuses: dict[str, dict[str, int]], next_due: dict[str, datetime]) -> None:
    """`statuses` (the campaigns' list jobs by status) moved to where each client promised a callback stands:
    their newest callback counts instead of their list job, so a client is counted once. Such clients are few
    (they asked for an operator and none was free): their jobs are read, not counted by the database."""
    follow_ups = (
        select(CallbackJob.campaign_id, CallbackJob.campaign_row, CallbackJob.status, CallbackJob.due)
        .where(CallbackJob.campaign_id.in_(list(statuses)), CallbackJob.origin_call_id.is_not(None))
        .order_by(CallbackJob.created_at, CallbackJob.id)
    )
    newest: dict[tuple[str, int], tuple[str, datetime]] = {}
    for campaign_id, row, status, due in session.execute(follow_ups):
        if row is not None:  # always: a promised callback is filed under its client's row
            newest[(str(campaign_id), int(row))] = (status, due)
    for (campaign_id, row), listed_status in _listed_statuses(session, list(newest)).items():
        status, due = newest[(campaign_id, row)]
        counts = statuses[campaign_id]
        counts[listed_status] -= 1
        if not counts[listed_status]:
            del counts[listed_status]
        counts[status] = counts.get(status, 0) + 1
        # The list job's call promised the callback, so it was over by then: it held no due time of its own.
        if status == "pending" and (campaign_id not in next_due or due < next_due[campaign_id]):
            next_due[campaign_id] = due


def _listed_statuses(session: Session, clients: list[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """The status of the list job of each (campaign, row)."""
    found: dict[tuple[str, int], str] = {}
    wanted = set(clients)
    for start in range(0, len(clients), _ROWS_AT_ONCE):
        some = clients[start : start + _ROWS_AT_ONCE]
        query = select(CallbackJob.campaign_id, CallbackJob.campaign_row, CallbackJob.status).where(
            CallbackJob.campaign_id.in_({campaign_id for campaign_id, _ in some}),
            CallbackJob.campaign_row.in_({row for _, row in some}),
            _LISTED,
        )
        for campaign_id, row, status in session.execute(query):
            client = (str(campaign_id), int(row or 0))
            if client in wanted:  # the IN lists pair every campaign with every row: keep the clients asked for
                found[client] = status
    return found


def campaign_summary(session: Session, *, campaign_id: str) -> CampaignSummary:
    """The campaign's clients counted where they stand, and what those reached answered: the figures of its report
    (`campaign_clients`), each client as its row there, counted by the database in one grouped query
    (`_counted_clients`). The report's rows read and folded here took 1.2-1.7 s for 20,000 clients on SQLite, at
    every GET of the campaign's page (bench/campaign_summary.py)."""
    campaign = require_campaign(session, campaign_id=campaign_id)
    statuses: dict[str, int] = {}
    results: dict[str, int] = {}
    next_due: datetime | None = None
    reached = failed = dialled = spared = awaiting_retry = 0
    for status, rung, called, call_failed, result, count, due in session.execute(_counted_clients(campaign_id)):
        statuses[status] = statuses.get(status, 0) + count
        if status == "pending" and (next_due is None or due < next_due):
            next_due = due
        dialled += count if rung else 0
        awaiting_retry += count if rung and status == "pending" else 0
        spared += count if status == "cancelled" and not rung else 0
        if called and call_failed:
            failed += count  # the `result` it holds is the scenario's default or half a flow: no answer of theirs
        elif called:
            reached += count
            if result:
                results[result] = results.get(result, 0) + count
    summary = _summary(campaign, statuses, results, next_due, reached)
    return replace(summary, failed_calls=failed, dialled=dialled, spared=spared, awaiting_retry=awaiting_retry)


def _counted_clients(campaign_id: str) -> Select[str, int, int | None, int | None, str | None, int, datetime]:
    """The campaign's clients grouped by where they stand (`status`), whether they were rung (`rung`, 1 or 0),
    whether a call reached them (`called`: 1, else NULL), whether that last call failed (`failed`: 1 or 0) and its
    `result`; each group's clients counted, with the earliest `due` among them.

    A client is as `campaign_clients` makes them: the list's job for them, standing where their newest promised
    callback stands if they have one (a callback is filed under its client's row), else where the list job
    stands; rung if any of their jobs was; their last call the latest (`started_at`, then id) of all their jobs'
    calls. Whatever a database's NULL order, the descending orders here reverse the ascending ones the report reads,
    so both take the same newest callback and the same last call.

    A client's facts (list job, newest callback, last call) are rows of one list grouped by the client's row, each
    kind in columns of its own, not subqueries joined on the row: SQLite indexes no subquery made with a window
    function, so such a join read every call again for each client (14 s for 20,000 clients); and PostgreSQL,
    which knows nothing of a new campaign's id until it analyzes the table, took the list's thousands of rows for
    a few and matched the calls to the clients row by row (54 s, `IN` the list's rows). Sorting and grouping
    cost the same whatever the statistics say."""
    of_campaign, row = CallbackJob.campaign_id == campaign_id, CallbackJob.campaign_row
    promised = (
        select(
            row.label("row"),
            CallbackJob.status,
            CallbackJob.due,
            func.sum(CallbackJob.attempts).over(partition_by=row).label("attempts"),
            func.row_number()
            .over(partition_by=row, order_by=(CallbackJob.created_at.desc(), CallbackJob.id.desc()))
            .label("newest"),
        )
        .where(of_campaign, CallbackJob.origin_call_id.is_not(None), row.is_not(None))
        .subquery("promised")
    )
    called = (
        select(
            row.label("row"),
            case((CallRecord.status == FAILED_CALL, 1), else_=0).label("failed"),
            CallRecord.result,
            func.row_number()
            .over(partition_by=row, order_by=(CallRecord.started_at.desc(), CallRecord.id.desc()))
            .label("newest"),
        )
        .join(CallbackJob, CallbackJob.id == CallRecord.callback_job_id)
        .where(of_campaign, row.is_not(None))
        .subquery("called")
    )
    one = literal_column("1", Integer)
    facts = union_all(
        _fact(row, client=one, listed_status=CallbackJob.status, listed_due=CallbackJob.due,
              attempts=CallbackJob.attempts).where(of_campaign, _LISTED, row > 0),
        _fact(promised.c.row, promised_status=promised.c.status, promised_due=promised.c.due,
              attempts=promised.c.attempts).where(promised.c.newest == 1),
        _fact(called.c.row, called=one, failed=called.c.failed, result=called.c.result).where(called.c.newest == 1),
    ).subquery("facts")  # fmt: skip
    # A client has one fact of each kind at most: max() takes it, or NULL when there is none.
    clients = (
        select(
            func.coalesce(func.max(facts.c.promised_status), func.max(facts.c.listed_status)).label("status"),
            func.coalesce(func.max(facts.c.promised_due), func.max(facts.c.listed_due)).label("due"),
            case((func.sum(facts.c.attempts) > 0, 1), else_=0).label("rung"),
            func.max(facts.c.called).label("called"),
            func.max(facts.c.failed).label("failed"),
            func.max(facts.c.result).label("result"),
        )
        .group_by(facts.c.row)
        .having(func.max(facts.c.client) == 1)  # a callback filed under a row the list does not have: no client
        .subquery("clients")
    )
    # Grouped by a subquery's columns, not by the expressions: PostgreSQL takes an expression written again, with
    # bind parameters of its own, for another one, missing from GROUP BY.
    kept = (clients.c.status, clients.c.rung, clients.c.called, clients.c.failed, clients.c.result)
    return select(*kept, func.count(), func.min(clients.c.due)).group_by(*kept)


# The columns of `_counted_clients`'s facts besides the client's row, each fact filling those of its kind: its
# list job (`client` 1), its newest promised callback, its last call (`called` 1).
_FACT_COLUMNS: Final = {
    "client": Integer(),
    "listed_status": CallbackJob.status.type,
    "listed_due": CallbackJob.due.type,
    "promised_status": CallbackJob.status.type,
    "promised_due": CallbackJob.due.type,
    "attempts": Integer(),
    "called": Integer(),
    "failed": Integer(),
    "result": CallRecord.result.type,
}


def _fact(row: Any, **given: Any) -> Select[Any]:
    """A row of `_counted_clients`'s facts: `given` columns, NULL in the others, cast to the column's type
    (PostgreSQL takes two untyped NULLs for text, which the next select's integer then does not match; and the
    union's first select gives the types read back: a due time as an aware datetime on SQLite too)."""
    columns = [given.get(name, cast(null(), kind)).label(name) for name, kind in _FACT_COLUMNS.items()]
    return select(row.label("row"), *columns)


def _summary(
    campaign: CallCampaign,
    statuses: dict[str, int],
    results: dict[str, int],
    next_due: datetime | None,
    reached: int | None = None,
) -> CampaignSummary:
    return CampaignSummary(
        campaign.id,
        campaign.scenario,
        campaign.name,
        campaign.created_by,
        campaign.created_at,
        sum(statuses.values()),
        statuses,
        results,
        next_due,
        dict(campaign.settings or {}),
        campaign.cancelled_at,
        reached,
        paused_at=campaign.paused_at,
        paused_by=campaign.paused_by,
    )


def require_campaign(session: Session, *, campaign_id: str) -> CallCampaign:
    """The campaign, or `NotFound`."""
    campaign = session.get(CallCampaign, campaign_id)
    if campaign is None:
        raise NotFound("campaign", campaign_id)
    return campaign


def campaign_jobs(session: Session, *, campaign_id: str, chunk: int = 500) -> Iterator[list[CallbackJob]]:
    """A campaign's list jobs (one per client; not the callbacks its calls promised) in the list's order, a chunk
    at a time (flat memory for a list of any length)."""
    after = 0
    while True:
        jobs = list(
            session.scalars(
                select(CallbackJob)
                .where(CallbackJob.campaign_id == campaign_id, CallbackJob.campaign_row > after, _LISTED)
                .order_by(CallbackJob.campaign_row)
                .limit(chunk)
            )
        )
        if not jobs:
            return
        yield jobs
        after = jobs[-1].campaign_row or after


def campaign_clients(session: Session, *, campaign_id: str) -> Iterator[ClientReport]:
    """Every client of a campaign in the list's order, where they stand and with the last call that reached them
    (`ClientReport`): each chunk's promised callbacks in one query, and all their jobs' calls in another."""
    for jobs in campaign_jobs(session, campaign_id=campaign_id):
        of_client: dict[int | None, list[CallbackJob]] = {job.campaign_row: [job] for job in jobs}
        follow_ups = (
            select(CallbackJob)
            .where(
                CallbackJob.campaign_id == campaign_id,
                CallbackJob.origin_call_id.is_not(None),
                CallbackJob.campaign_row.between(jobs[0].campaign_row, jobs[-1].campaign_row),
            )
            .order_by(CallbackJob.created_at, CallbackJob.id)
        )
        for follow_up in session.scalars(follow_ups):
            of_client.setdefault(follow_up.campaign_row, []).append(follow_up)
        last_call = _last_calls(session, {job.id: row for row, own in of_client.items() for job in own})
        for job in jobs:
            yield _client_report(of_client[job.campaign_row], last_call.get(job.campaign_row))


def _last_calls(session: Session, row_of: dict[str, int | None]) -> dict[int | None, LastCall]:
    """The last call of each client (their list row) among the calls of their jobs (`row_of`: job id to row)."""
    query = (
        select(
            CallRecord.id,
            CallRecord.callback_job_id,
            CallRecord.result,
            CallRecord.answered_at,
            CallRecord.outcome,
            CallRecord.status,
        )
        .where(CallRecord.callback_job_id.in_(list(row_of)))
        .order_by(CallRecord.started_at, CallRecord.id)
    )
    last: dict[int | None, LastCall] = {}
    for call_id, job_id, result, answered_at, outcome, status in session.execute(query):
        last[row_of[job_id or ""]] = LastCall(call_id, result, answered_at, outcome, status)
    return last


def _client_report(jobs: list[CallbackJob], call: LastCall | None) -> ClientReport:
    """A client from their jobs, the list's first then the callbacks its calls promised, as they were made."""
    standing = jobs[-1]
    latest = standing  # the job dialled last: on a tie the newer job, whose attempt came after
    for job in jobs:
        if job.last_attempt_at is not None and (
            latest.last_attempt_at is None or job.last_attempt_at >= latest.last_attempt_at
        ):
            latest = job
    attempts = sum(job.attempts for job in jobs)
    return ClientReport(standing, call, jobs[0], attempts, latest.last_attempt_at, latest.outcome)


def _first_opening(campaign: Campaign, problems: _Problems) -> tuple[datetime, datetime | None] | None:
    """The first call's moment and the end of its window, in UTC as jobs keep them."""
    window = campaign.window()
    if window is None:
        return campaign.due.astimezone(UTC), campaign.until.astimezone(UTC) if campaign.until else None
    opening = reopening(campaign.due, window)
    if opening is None:
        end = "the campaign's end" if campaign.until is not None else "two weeks after it (the campaign sets no end)"
        params: Params = {"end": "until" if campaign.until is not None else "two_weeks"}
        problems.add("$.hours", "hours_never_open", f"the hours never open between the first call and {end}", params)
        return None
    return opening[0].astimezone(UTC), opening[1].astimezone(UTC)


def list_columns(jobs: Sequence[PlannedJob]) -> list[str]:
    """The columns of the list the jobs come from, in the order its rows name them (not the default `contact`'s
    fields, which no row had)."""
    columns: dict[str, None] = {}
    for job in jobs:
        columns.update(dict.fromkeys(job.columns))
    return list(columns)


class _Marker:
    pass


@dataclass(frozen=True)
class _Unfit:
    """The value cannot be that type: a problem, of this code; `why` ends its message when the value's form alone
    does not say it, and `params` are what it is built from."""

    code: str
    why: str = ""
    params: Mapping[str, str] = field(default_factory=dict)


_LEFT: Final = _Marker()  # a list or object variable: a list's cell does not fill it (it stays in `contact`)
_A: Final = {
    "number": "a number",
    "integer": "a whole number",
    "boolean": "yes or no",
    "string": "text",
    "date": "a date written 2026-12-30 or 30.12.2026 (year-month-day or day.month.year)",
}
_NOT: Final = {
    "string": _Unfit("not_text"),  # only a value sent to the callbacks API: a list's cells are all text to begin with
    "number": _Unfit("not_a_number"),
    "integer": _Unfit("not_a_whole_number"),
    "boolean": _Unfit("not_yes_or_no"),
    "date": _Unfit("not_a_date"),
}


def declared_types(document: Mapping[str, Any]) -> dict[str, str]:
    """The variables `document` declares, each with its type (`string` when it names none)."""
    variables = document.get("variables", [])
    return {str(v["name"]): str(v.get("type", "string")) for v in variables if isinstance(v, Mapping) and "name" in v}


@dataclass(frozen=True)
class Unconvertible:
    """Why a value cannot fill a declared variable: its problem's `code`, and the variable's `kind` (its type)."""

    code: str
    kind: str
    why: str = ""
    params: Mapping[str, str] = field(default_factory=dict)  # what `why` is built from (an ambiguous date's reason)

    @property
    def expected(self) -> str:
        """What the variable takes, as a problem's message ends: "a date written 2026-12-30 or 30.12.2026 (...)"."""
        return _A[self.kind] + self.why


def declared_values(
    values: Mapping[str, Any],
    declared: Mapping[str, str],
    *,
    slash_orders: Mapping[str, SlashOrder] | None = None,
    thousands: Mapping[str, ThousandsMark] | None = None,
) -> tuple[dict[str, Any], dict[str, Unconvertible]]:
    """The values of `values` that fill a variable `declared` (name -> type) converted to its type as a list's cell
    is (`typed`: "30.12.2026" a date, "1 234,56" a number), and those that cannot be, each with why. A value of a
    variable not declared, of `contact` or of a list or object variable is in neither: a list keeps it in `contact`,
    the callbacks API as it was sent. Call lists and the callbacks API convert through here, so a CRM's value means
    what the same text in a list's cell means. `slash_orders`: how a list's date columns read a date with slashes
    that could be either way (`slash_orders`), and their number columns a number such as 1.000 (`thousands_marks`); a
    value alone reads either in the server's country's way."""
    converted: dict[str, Any] = {}
    unfit: dict[str, Unconvertible] = {}
    for name, value in values.items():
        kind = declared.get(name)
        if kind not in _CELL_TYPES or name == CONTACT:
            continue  # not declared, or a list or object variable: no cell fills it
        # JSON's null, a list or an object is no cell, and fills no variable a cell fills: str() would make "None"
        # a client's name, and refuse {"d": 1} as a date with a puzzling message.
        order, mark = (slash_orders or {}).get(name), (thousands or {}).get(name)
        result = (
            typed(value, kind, slash_order=order, thousands=mark)
            if isinstance(value, str | int | float | bool)
            else _NOT[kind]
        )
        if isinstance(result, _Unfit):
            unfit[name] = Unconvertible(result.code, kind, result.why, result.params)
        else:
            converted[name] = result
    return converted, unfit


def typed(
    value: Any, kind: str, *, slash_order: SlashOrder | None = None, thousands: ThousandsMark | None = None
) -> Any:
    """`value` from a list's cell as a variable of type `kind`; a date with slashes that could be either way
    (3/4/2026) is read in `slash_order` (its column's, `slash_orders`), else as the server's country writes one,
    and a number such as 1.000 as `thousands` says (its column's, `thousands_marks`), else as the country does."""
    if kind == "string":
        return value if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)
    if kind in ("number", "integer"):
        number = (
            value
            if isinstance(value, int | float) and not isinstance(value, bool)
            else _number(str(value), kind, thousands or _countrys_thousands())
        )
        if isinstance(number, _Unfit):
            return number
        if kind == "integer" and not float(number).is_integer():
            return _NOT[kind]
        return int(number) if kind == "integer" else number
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        return True if word in _TRUE else False if word in _FALSE else _NOT[kind]
    if kind == "date":
        return _date(str(value), slash_order or _countrys_order())
    return _LEFT


def _date(text: str, order: SlashOrder) -> str | _Unfit:
    """A date cell as the templates read it (ISO 8601): `persistence.cell_dates` reads every form a list writes
    (an XLSX date cell is ISO already, api.call_list_files)."""
    read = cell_date(text, order)
    if isinstance(read, NotADate):
        return _NOT["date"]
    if isinstance(read, str):
        return read
    return _Unfit("ambiguous_date", f": {read.why}", read.params)


def _countrys_order() -> SlashOrder:
    return slash_order((), configured_default_country())


def slash_orders(rows: Sequence[Mapping[str, Any]], declared: Mapping[str, str]) -> dict[str, SlashOrder]:
    """How each column that fills a date variable reads a date with slashes that could be either way (3/4/2026):
    as the column's other dates prove (15/12/2026 is day first), else as the server's country writes them."""
    country = configured_default_country()
    return {
        name: slash_order((row.get(name) for row in rows), country)
        for name, kind in declared.items()
        if kind == "date" and name != CONTACT
    }


def slash_dates_read(
    columns: Sequence[str], rows: Sequence[Mapping[str, Any]], row_numbers: Sequence[int]
) -> list[dict[str, Any]]:
    """A warning for each column of a list read from a file whose dates with slashes could be either way (3/4/2026)
    and are read one way all the same, as a date variable the column fills gets them: the analyst sees what was
    assumed, and why (the column's own dates, or the server's country), before a client hears the wrong day."""
    country = configured_default_country()
    warnings = []
    for column in columns:
        values = [row.get(column) for row in rows]
        either = [i for i, v in enumerate(values) if isinstance(v, str) and could_be_either(v)]
        order = slash_order(values, country) if either else None
        if order is None or order.first is None:
            continue  # none to read, or refused by the check saying why (`cell_date`)
        read_at = ((i, cell_date(str(values[i]), order)) for i in either)
        found = next(((i, read) for i, read in read_at if isinstance(read, str)), None)
        if found is None:
            continue  # none a date (3/4/2026 25:00): refused as such by the check
        either_one, read = found
        value = str(values[either_one]).strip()
        row = row_numbers[either_one] if either_one < len(row_numbers) else either_one + 1
        why = (
            f"as {order.day_first or order.month_first!r} in the same column can only be"
            if not order.by_country
            else f"as dates are written in {order.country} (the server's country, IVRGRAPH_DEFAULT_COUNTRY)"
        )
        message = (
            f"column {column!r}: dates with slashes are read {order.first} first, {why}: {value!r} (row {row}) is "
            f"{read} where the column fills a date variable. Check the dates in the check's preview"
        )
        params: Params = {"column": column, "value": value, "row": row, "read": read, "first": order.first,
                          "by": "country" if order.by_country else "column",
                          "proof": order.day_first or order.month_first, "country": order.country}  # fmt: skip
        warnings.append(problem("$.rows", "slash_dates_read", message, params))
    return warnings


def _number(text: str, kind: str, thousands: ThousandsMark) -> int | float | _Unfit:
    """A number cell (`persistence.cell_numbers`): "1.234" is a thousand in Madrid and one and a bit in London, read
    as its column or the server's country says, else refused saying both (`ambiguous_number`)."""
    read = cell_number(text, thousands)
    if isinstance(read, Ambiguous):
        return _Unfit("ambiguous_number", read.why, read.params)
    return _NOT[kind] if read is None else read


def _countrys_thousands() -> ThousandsMark:
    return thousands_mark((), configured_default_country())


def thousands_marks(rows: Sequence[Mapping[str, Any]], declared: Mapping[str, str]) -> dict[str, ThousandsMark]:
    """How each column that fills a number variable reads a number that could be either way (1.000): as the
    column's other numbers prove (2.500,50 above it: a thousand), else as the server's country writes them."""
    country = configured_default_country()
    return {
        name: thousands_mark((row.get(name) for row in rows), country)
        for name, kind in declared.items()
        if kind in ("number", "integer") and name != CONTACT
    }


def thousands_read(
    rows: Sequence[Mapping[str, Any]], declared: Mapping[str, str], row_numbers: Sequence[int] | None
) -> list[dict[str, Any]]:
    """A warning for each column filling a number variable whose numbers could be either way (1.000) and are read
    one way all the same (`thousands_marks`): the analyst sees what was assumed, and why (the column's own numbers,
    or the server's country), before a client hears a debt of 1 EUR or of 1000."""
    warnings = []
    for column, mark in thousands_marks(rows, declared).items():
        if mark.group is None:
            continue  # refused, saying why (`cell_number`)
        cells = (row.get(column) for row in rows)
        either = next((i for i, cell in enumerate(cells) if isinstance(cell, str) and could_be_many(cell)), None)
        if either is None:
            continue
        value = str(rows[either][column]).strip()
        read = cell_number(value, mark)
        if not isinstance(read, int | float):
            continue  # refused by the check, saying why (the country reads its group mark only)
        row = row_numbers[either] if row_numbers and either < len(row_numbers) else either + 1
        mark_name = "a dot" if mark.group == cell_numbers.DOT else "a comma"
        why = (
            f"as {mark.proof!r} in the same column can only be read"
            if not mark.by_country
            else f"as numbers are written in {mark.country} (the server's country, IVRGRAPH_DEFAULT_COUNTRY)"
        )
        message = (
            f"column {column!r}: numbers such as {value!r} are read with {mark_name} grouping thousands, {why}: "
            f"{value!r} (row {row}) is {read}. Check the numbers in the check's preview"
        )
        params: Params = {"column": column, "value": value, "row": row, "read": str(read), "group": mark.group,
                          "by": "country" if mark.by_country else "column", "proof": mark.proof,
                          "country": mark.country}  # fmt: skip
        warnings.append(problem("$.rows", "thousands_read", message, params))
    return warnings
