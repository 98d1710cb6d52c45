"""A call list into callback jobs: one job per client, the autoinformer's campaign.

Each row of the list is one client. Its phone column becomes the job's number (spaces, dashes, dots and
brackets dropped, as people type them); the whole row becomes the `contact` variable (what the examples
read: `{{ contact.name }}`), laid over the `contact` the scenario declares by default (a field no column fills
keeps its default); a column named like a variable the scenario declares also fills that variable,
converted to the variable's type (a debt in `debt_amount` is a number, spoken as an amount:
`persistence.call_list_values`).

What the scenario reads that no column fills is found before any call (`needed_columns`): without a default it
is a problem (every answered call would fail there, review of 2026-12-12: a list with Russian headers was
accepted and each client heard silence), with one a warning (every client hears the default). A row leaving such a
column empty where others fill it is a problem too (`cell_required`): that client's call would fail the same way.

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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from blocks.timewindows import callback_window, reopening
from graph_engine.document import CHANNEL_FACTS
from graph_engine.inputs import ScenarioInputs
from persistence import cell_numbers
from persistence.call_list_columns import ChosenColumns, without_empty_cells
from persistence.call_list_values import CELL_TYPES, CONTACT, declared_values, slash_orders, thousands_marks
from persistence.cell_dates import cell_date, could_be_either, slash_order
from persistence.cell_numbers import cell_number
from persistence.cell_numbers import could_be_either as could_be_many
from persistence.errors import InvalidCallList
from persistence.models import CallbackJob, CallCampaign, CampaignSkippedRow, utcnow
from persistence.phone_numbers import (
    configured_default_country,
    impossible_number,
    is_emergency_number,
    one_form,
    phone_number,
    written_forms,
)

MAX_PROBLEMS: Final = 50
_ROWS_AT_ONCE: Final = 500  # list rows named in one query's IN (...)
# What the dialer gives a call of a job besides its variables (agi_server.callback_arrivals' `resolve`): no column
# fills them.
SET_BY_THE_DIALER: Final = frozenset({"callback_job_id", "origin_call_id", "callback_number"})
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
        if variable is None or str(variable.get("type", "string")) not in CELL_TYPES:
            continue  # undeclared (validation warns of it) or a list/object: no column fills it either way
        default = variable.get("default")
        needed.append(Needed(name, name, _NO_DEFAULT if default is None else default))
    return needed


def defaulted_columns(
    rows: Sequence[Mapping[str, Any]], needs: Sequence[Needed], chosen: ChosenColumns | None = None
) -> list[dict[str, Any]]:
    """A warning when the scenario reads what no column fills and a default stands in for it: every client hears
    the default ("0 EUR", "cliente"), which is rarely what a list was imported for. `chosen`: the columns the
    request chose for what the scenario reads; the warning then says to choose one, and names those chosen."""
    chosen = chosen or ChosenColumns()
    filled = _filled_columns(rows)
    defaulted = [need for need in needs if not chosen.fills(need, filled) and need.has_default]
    if not defaulted:
        return []
    reads = ", ".join(need.reads for need in defaulted)
    shown = ", ".join(f"{need.reads} = {json.dumps(need.default, ensure_ascii=False)[:40]}" for need in defaulted)
    columns = ", ".join(filled)
    fix = "choose a column for them" if chosen.sent else f"name a column {_column_names(defaulted)} to fill them"
    message = (
        f"no column fills {reads}: every client hears the scenario's default ({shown}). The list's columns are "
        f"{columns}; {fix}"
    )
    params: Params = {"reads": reads, "defaults": shown, "missing": _column_names(defaulted), "columns": columns}
    return [problem("$.rows", "columns_defaulted", message, params | _chosen_params(chosen))]


def _chosen_params(chosen: ChosenColumns) -> Params:
    """What columns_missing and columns_defaulted say of a request that chose columns: those chosen (`chosen`, maybe
    empty), so the designer says to choose one rather than to rename one in the file."""
    return {"chosen": chosen.shown()} if chosen.sent else {}


def _filled_columns(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """The columns with a value in some row, in the order the rows name them (a row leaves its empty cells out)."""
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    return list(columns)


def _column_names(needs: Sequence[Needed]) -> str:
    return ", ".join(repr(need.column) for need in needs)


def _missing_columns(
    rows: Sequence[Mapping[str, Any]], needs: Sequence[Needed], chosen: ChosenColumns, problems: _Problems
) -> None:
    """A problem naming what the scenario reads that no column fills and no default stands in for: every answered
    call would fail there (`'dict object' has no attribute 'name'`), the client hearing silence."""
    filled = _filled_columns(rows)
    missing = [need for need in needs if not chosen.fills(need, filled) and not need.has_default]
    if not missing:
        return
    reads, columns = ", ".join(need.reads for need in missing), ", ".join(filled)
    fix = "choose a column for it" if chosen.sent else "rename a column in the file"
    message = (
        f"no column for {_column_names(missing)}, which the scenario reads ({reads}) and gives no default: every "
        f"answered call would fail there. The list's columns are {columns}: {fix}, or give the scenario a default "
        "for it"
    )
    params: Params = {"missing": _column_names(missing), "reads": reads, "columns": columns, "count": len(missing)}
    problems.add("$.rows", "columns_missing", message, params | _chosen_params(chosen))


def _unknown_choices(
    rows: Sequence[Mapping[str, Any]], needs: Sequence[Needed], chosen: ChosenColumns, problems: _Problems
) -> None:
    """A problem for each column chosen for what the scenario does not read from a list (`unknown_variable`), or
    that no row has (`unknown_column`): either choice would fill nothing, and the clients hear the default."""
    readable = ", ".join(need.reads for need in needs)
    filled = _filled_columns(rows)
    columns = ", ".join(filled)
    for variable, column in chosen.chosen.items():
        # Bracketed and quoted: `$.columns.contact.name` read as a nested path, and `$.columns.` as none (review).
        path = f"$.columns[{json.dumps(variable, ensure_ascii=False)}]"
        if variable not in {need.reads for need in needs}:
            message = (
                f"the scenario reads no {variable!r} from a list: a column may be chosen for "
                f"{readable or 'nothing it reads'}"
            )
            problems.add(path, "unknown_variable", message, {"variable": variable, "variables": readable})
        elif column not in filled:
            message = f"{variable}: no row of the list has a value in column {column!r}; its columns are {columns}"
            problems.add(path, "unknown_column", message, {"variable": variable, "column": column, "columns": columns})


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
    # A client who hangs up before the scenario set their `result` is called again (callbacks.retry_hung_up_early).
    retry_hung_up_early: bool = False

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
            "retry_hung_up_early": self.retry_hung_up_early,
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
# The campaign's setting keeping the list's column chosen for each thing the scenario reads (`schedule`).
CHOSEN_COLUMNS: Final = "chosen_columns"
# The skipped rows an audit event names (a campaign's settings keep their count): enough to find them in the file.
AUDITED_SKIPS: Final = 1000


@dataclass(frozen=True)
class SkippedDuplicate:
    """A row left out for its number, which an earlier row of the list has (`first`): the file's rows, or the
    clients' places for a list sent without them."""

    row: int
    first: int
    number: str  # as dialled, the first row's
    # The row's own number as typed (`8 912 345 67 89`) and cells, which the campaign's report shows in its place:
    # the supervisor sees which record was dropped, not the first row's.
    written: str = ""
    cells: Mapping[str, Any] = field(default_factory=dict)


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
    columns: Mapping[str, str] | None = None,
) -> PlannedJobs:
    """The jobs for `rows`; `InvalidCallList` listing every bad row. `declared`: the scenario's variables and
    their types. `now`: a campaign whose end is not after it is refused (it would call nobody). `row_numbers`:
    the row of the file each one was read from, which a problem names ("row 5") instead of its place ("client 3"),
    as the analyst looks for it in their sheet, and the report too. `needs`: what the scenario reads that a column
    may fill (`needed_columns`); one no column fills and without a default is a problem, and so is a row leaving
    such a column empty where other rows fill it (`cell_required`). `contact_default`: the
    scenario's default `contact`, which each row is laid over. `duplicates`: a row whose number an earlier row
    has is a problem (REFUSE_DUPLICATES), or is left out, its cells unchecked as nobody is called for them, and
    named in a warning (SKIP_DUPLICATES: `duplicate_skipped`). `columns`: the list's column chosen for each thing
    the scenario reads (`contact.name` -> "ФИО", persistence.call_list_columns); one naming what the scenario does
    not read, or a column no row has, stops the list before any row is checked."""
    problems = _Problems()
    chosen = ChosenColumns.of(columns)
    _unknown_choices(rows, needs, chosen, problems)
    problems.raise_any()
    _missing_columns(rows, needs, chosen, problems)
    # What a column fills in other rows and no default stands in for: a row leaving it empty is a problem of its own
    # (what no row fills is columns_missing's).
    filled = _filled_columns(rows)
    required = [need for need in needs if not need.has_default and chosen.fills(need, filled)]
    if now is not None and campaign.until is not None and campaign.until <= now:
        problems.add("$.until", "campaign_over", "the campaign's end has already passed: nobody would be called")
    elif campaign.until is not None and campaign.until <= campaign.due:
        problems.add("$.until", "campaign_ends_first", "the campaign must end after its first call")
    # With its end refused, whether the hours open before it says nothing more: the analyst fixes the end first.
    opening = None if problems.found else _first_opening(campaign, problems)
    planned: list[PlannedJob] = []
    skipped: list[SkippedDuplicate] = []
    first_client: dict[str, _Client] = {}
    # Each row as the variables read it: a chosen column's cells under the variable's name; an empty cell fills
    # nothing, sent as JSON as read from a file.
    cells = [without_empty_cells(chosen.variable_cells(row), declared) for row in rows]
    orders, marks = slash_orders(cells, declared), thousands_marks(cells, declared)
    for index, row in enumerate(rows):
        client = _Client("row", row_numbers[index]) if row_numbers else _Client("client", index + 1)
        # A row with a bad number is checked on: every problem of a row is named in one check (review of
        # 2026-12-19: an emergency number hid the same row's bad date until the list was uploaded again).
        number = _row_number(row, index, client, number_column, first_client, problems, duplicates)
        if isinstance(number, SkippedDuplicate):
            skipped.append(number)
            continue
        # Over the default, not instead of it: a field no column fills keeps the scenario's value for it.
        contact = {**(contact_default or {}), **without_empty_cells(row, contact_default or {})}
        variables: dict[str, Any] = {CONTACT: {**contact, **chosen.contact_fields(row)}}
        converted, unfit = declared_values(cells[index], declared, slash_orders=orders, thousands=marks)
        variables.update(converted)
        empty = _empty_required_cells(row, index, client, required, chosen, problems)
        for variable, why in unfit.items():
            if variable in empty:
                continue  # named empty already: "'' is not a number" would say less
            column = chosen.column_of(variable)
            shown = str(cells[index][variable])[:40]
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
    return PlannedJobs(planned, warnings + thousands_read(cells, declared, row_numbers, chosen), skipped)


def _empty_required_cells(
    row: Mapping[str, Any],
    index: int,
    client: _Client,
    required: Sequence[Needed],
    chosen: ChosenColumns,
    problems: _Problems,
) -> set[str]:
    """A problem for each cell `row` leaves empty (None, "" or only spaces, or left out as a file's row leaves an
    empty cell) where the scenario reads what `required` names and gives it no default: the column is there, so the
    list passed, and this client's call failed where the scenario read it, the client hearing silence. What the
    scenario reads of those, each named once."""
    empty: set[str] = set()
    for need in required:
        column = chosen.empty_column(need, row)
        if column is None:
            continue
        empty.add(need.reads)
        message = (
            f"{client}, {column}: empty, and the scenario reads {need.reads} and gives it no default: this client's "
            "call would fail there"
        )
        problems.add(f"$.rows[{index}].{column}", "cell_required", message, client.params(column, reads=need.reads))
    return empty


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
            return SkippedDuplicate(client.number, first.number, number, str(raw)[:200], dict(row))
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
    columns: Mapping[str, str] | None = None,
) -> tuple[str, list[str]]:
    """Create the campaign and its planned jobs in `session` (one transaction: all or none): the campaign's id,
    and the jobs' ids in list order. `skipped`: the list's rows left out as duplicates, counted in the campaign's
    settings (`duplicates_skipped`) for its page to say that the list had more rows than clients, and kept, each
    with the row called instead, for its report to list them in their place (`skipped_rows`). `columns`: the
    list's column chosen for each thing the scenario reads (`plan_jobs`'), kept (`chosen_columns`) for the report to
    type each column by the variable it filled (review: a chosen `Сумма долга` was text, and did not sum)."""
    window, now, campaign_id = campaign.window(), utcnow(), str(uuid.uuid4())
    settings = {**campaign.settings(), "columns": list_columns(jobs)}
    if columns:
        settings[CHOSEN_COLUMNS] = dict(columns)
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
        kept = [
            {"campaign_id": campaign_id, "list_row": skip.row, "first_row": skip.first, "number": skip.number,
             "written": skip.written, "cells": dict(skip.cells)}
            for skip in skipped
        ]  # fmt: skip
        session.execute(insert(CampaignSkippedRow), kept)
    return campaign_id, [str(row["id"]) for row in rows]


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


def thousands_read(
    rows: Sequence[Mapping[str, Any]],
    declared: Mapping[str, str],
    row_numbers: Sequence[int] | None,
    chosen: ChosenColumns | None = None,
) -> list[dict[str, Any]]:
    """A warning for each column filling a number variable whose numbers could be either way (1.000) and are read
    one way all the same (`thousands_marks`): the analyst sees what was assumed, and why (the column's own numbers,
    or the server's country), before a client hears a debt of 1 EUR or of 1000. `rows` as the variables read them
    (`ChosenColumns.variable_cells`); a warning names the list's column `chosen` for the variable."""
    warnings = []
    for variable, mark in thousands_marks(rows, declared).items():
        column = (chosen or ChosenColumns()).column_of(variable)
        if mark.group is None:
            continue  # refused, saying why (`cell_number`)
        cells = (row.get(variable) for row in rows)
        either = next((i for i, cell in enumerate(cells) if isinstance(cell, str) and could_be_many(cell)), None)
        if either is None:
            continue
        value = str(rows[either][variable]).strip()
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
