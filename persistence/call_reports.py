"""The call register summed up for a supervisor ("how did yesterday go?"): the calls that started in a range, by day or
hour of a local clock, by scenario, or by day and scenario, each with what they came to.

The database does the counting. It groups the calls by what a row needs to tell them apart (their scenario, their
register status, their last transfer's outcome as the register derives it, and the slot of UTC time they started
in) and sends a count and a sum per group: on a register of any size a few thousand groups cross to Python, never a
call, and never a trace (the transfer is read from it by the database, as `persistence.calls.transfer_outcomes`
reads it). The local clock is Python's (SQLite has no time zones): the slots are a length of UTC time that every
local day or hour of the range starts on a whole number of (`_slot_seconds`: an hour in Madrid, half an hour in
Kolkata), so each slot falls in one local day or hour, whatever clock changes the range holds; a day the clock goes
back has 25 hours, and the hour it repeats is two rows, told apart by their offsets.
"""

from __future__ import annotations

import functools
import json
import math
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Integer, Select, case, func, literal_column, select
from sqlalchemy.orm import Session

# The register's own reading of a transfer (its private parts too): a report that read it otherwise would count
# transfers the register's `transfer_outcome` does not show, or miss some it does.
from persistence.calls import DURING_TRANSFER, STATUSES, TRANSFER_LEFT_BY_CALLER, transfer_outcome_of
from persistence.models import CallRecord
from persistence.result_labels import ResultLabels, result_labels

ReportGroup = Literal["day", "hour", "scenario", "day_scenario"]
GROUPS: Final[tuple[ReportGroup, ...]] = ("day", "hour", "scenario", "day_scenario")
TOP_RESULTS: Final = 5  # the `result` values a row names, the most frequent first
# The register's statuses of a caller who hung up before the flow was done with them (persistence.calls.STATUSES).
ABANDONED_STATUSES: Final = frozenset({"abandoned_in_menu", "abandoned_waiting"})
TRANSFER_ANSWERED: Final = "answered"  # blocks/builtin/transfer.py: TransferOutcome.ANSWERED

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND: Final = 1_000_000  # microseconds
_UNIT_SECONDS: Final = {"day": 86_400, "hour": 3_600}
# How far apart the zone's offset is looked at to find its changes: no zone changes its clock twice in an hour.
_PROBE: Final = 3_600 * _SECOND


@dataclass(slots=True)
class Counts:
    """What the calls of a row came to."""

    calls: int = 0
    answered: int = 0  # with an answer time: the call was answered (by the IVR)
    statuses: Counter[str] = field(default_factory=Counter)  # register status -> calls
    # Callers who hung up before the end: a status of ABANDONED_STATUSES, or their last transfer rang or queued when
    # they did (`caller_hangup`; also a call the scenario then scheduled a callback for, counted `callback_scheduled`).
    abandoned: int = 0
    transfers: int = 0  # calls whose flow tried a transfer
    transfers_answered: int = 0  # ... and whose last transfer reached someone
    transfer_outcomes: Counter[str] = field(default_factory=Counter)  # the last transfer's outcome -> calls
    # Calls where a step took its error exit (the register's `error_steps` above 0; not known ones not counted).
    with_errors: int = 0
    talk_ms: int = 0  # the register's duration (start to end) of the answered calls, summed
    results: Counter[str] = field(default_factory=Counter)  # the flow's `result` -> calls
    # (the flow's `result`, the calls' scenario) -> calls: whose words a result is said in (`result_label`)
    result_scenarios: Counter[tuple[str, str]] = field(default_factory=Counter)

    @property
    def talk_ms_average(self) -> int | None:
        """The mean duration of an answered call, to the millisecond; None when none was answered."""
        return round(self.talk_ms / self.answered) if self.answered else None

    def top_results(self, limit: int = TOP_RESULTS) -> list[tuple[str, int]]:
        """The most frequent results, ties in the order of their text."""
        return sorted(self.results.items(), key=lambda item: (-item[1], item[0]))[:limit]

    def result_label(self, result: str, labels: ResultLabels) -> str | None:
        """The label of `result` in the words of the scenario most of these calls with it belong to, among those
        whose latest published version declares it (`labels`; a tie goes to the slug first in order); None when
        none declares it. A scenario that declares no label for it is passed over: its calls still count."""
        declaring = [
            (-calls, scenario)
            for (code, scenario), calls in self.result_scenarios.items()
            if code == result and result in labels.get(scenario, {})
        ]
        return labels[min(declaring)[1]][result] if declaring else None

    def status_counts(self) -> dict[str, int]:
        """Every status of the register, those no call had at 0."""
        return {status: self.statuses.get(status, 0) for status in STATUSES}

    def add(self, other: Counts) -> None:
        self.calls += other.calls
        self.answered += other.answered
        self.statuses.update(other.statuses)
        self.abandoned += other.abandoned
        self.transfers += other.transfers
        self.transfers_answered += other.transfers_answered
        self.transfer_outcomes.update(other.transfer_outcomes)
        self.with_errors += other.with_errors
        self.talk_ms += other.talk_ms
        self.results.update(other.results)
        self.result_scenarios.update(other.result_scenarios)


@dataclass(frozen=True, slots=True)
class Period:
    """A local day or hour of the range, or the range itself. `start` and `end` are UTC, cut to the range; a day the
    clock goes back has 25 hours between them. `local_start` is `start` on the local clock, its offset telling apart
    the two hours a clock change repeats."""

    start: datetime
    end: datetime
    local_start: datetime
    day: date | None = None
    hour: int | None = None


@dataclass(frozen=True, slots=True)
class ReportRow:
    period: Period
    scenario: str | None  # None unless grouped by scenario
    counts: Counts


@dataclass(frozen=True, slots=True)
class CallReport:
    since: datetime
    until: datetime
    zone: ZoneInfo
    group: ReportGroup
    scenario: str | None
    rows: list[ReportRow]
    totals: Counts
    # The labels the scenarios of the range's results declare (persistence.result_labels): `Counts.result_label`.
    labels: ResultLabels = field(default_factory=dict)


def call_report(
    session: Session,
    *,
    since: datetime,
    until: datetime,
    zone: ZoneInfo,
    group: ReportGroup = "day",
    scenario: str | None = None,
) -> CallReport:
    """The calls that started from `since` up to `until` (aware moments; `since` before `until`), one row per local
    day or hour of `zone`'s clock (every one of the range, those without calls too), per scenario that had calls, or
    per day and scenario that had calls; `scenario`: that scenario's calls only. Two queries, each one pass over the
    range's calls on the register's start-time index, and one for the labels of the results counted (those of
    their scenarios' latest published versions)."""
    since, until = since.astimezone(UTC), until.astimezone(UTC)
    whole = Period(start=since, end=until, local_start=since.astimezone(zone))
    by_scenario = group in ("scenario", "day_scenario")
    clock: _Clock | None = None
    if group != "scenario":
        clock = _Clock(since, until, zone, "hour" if group == "hour" else "day")
    counts: dict[tuple[int, str | None], Counts] = {}

    def row(found: Any) -> Counts:
        """The counts of the row a group of calls belongs to (a query's row: its keys are `_keys`)."""
        at = clock.period_of(found.slot) if clock is not None else 0
        return counts.setdefault((at, found.scenario if by_scenario else None), Counts())

    dialect = session.get_bind().dialect.name
    for found in session.execute(_outcomes_query(dialect, since, until, scenario, clock, by_scenario)):
        _count_calls(row(found), found)
    for found in session.execute(_results_query(dialect, since, until, scenario, clock, by_scenario)):
        counted = row(found)
        counted.results[found.result] += int(found.calls)
        counted.result_scenarios[found.result, found.scenario] += int(found.calls)
    periods = clock.periods if clock is not None else [whole]
    if group in ("day", "hour"):
        for at in range(len(periods)):  # every day or hour of the range, those without calls too
            counts.setdefault((at, None), Counts())
    rows = [
        ReportRow(period=periods[at], scenario=name, counts=counted)
        for (at, name), counted in sorted(counts.items(), key=lambda item: (item[0][0], item[0][1] or ""))
    ]
    totals = Counts()
    for each in rows:
        totals.add(each.counts)
    labels = result_labels(session, scenarios={name for _code, name in totals.result_scenarios})
    return CallReport(since=since, until=until, zone=zone, group=group, scenario=scenario, rows=rows, totals=totals,
                      labels=labels)  # fmt: skip


def _count_calls(counts: Counts, found: Any) -> None:
    """One group of the outcomes query added to its row."""
    calls = int(found.calls)
    counts.calls += calls
    counts.answered += int(found.answered or 0)
    counts.talk_ms += int(found.talk_ms or 0)
    counts.with_errors += int(found.with_errors or 0)
    counts.statuses[found.status] += calls
    outcome = None
    if found.transfer is not None:
        exit_name, noted = json.loads(found.transfer)
        outcome = transfer_outcome_of(exit_name, noted, DURING_TRANSFER if found.in_transfer else None)
    if outcome is not None:
        counts.transfers += calls
        counts.transfer_outcomes[outcome] += calls
        if outcome == TRANSFER_ANSWERED:
            counts.transfers_answered += calls
    if found.status in ABANDONED_STATUSES or outcome == TRANSFER_LEFT_BY_CALLER:
        counts.abandoned += calls


# -- the queries ---------------------------------------------------------------------------------

# The last Transfer step of a call as `[its exit, the outcome its transfer event noted]` (a short JSON text, or NULL
# when the call made no transfer): persistence.calls._LAST_TRANSFERS' reading, on every call of a range instead of
# a page's ids. Neither the trace nor the step crosses to Python.
_SQLITE_TRANSFER: Final = """
    CASE WHEN instr(call_records.trace, '"transfer"') > 0 THEN (
        SELECT json_array(json_extract(s.value, '$.exit'), (
            SELECT json_extract(e.value, '$.outcome') FROM json_each(s.value, '$.events') AS e
            WHERE CASE WHEN e.type = 'object' THEN json_extract(e.value, '$.kind') END = 'transfer'
            ORDER BY e.key DESC LIMIT 1))
        FROM json_each(call_records.trace, '$.steps') AS s
        WHERE CASE WHEN s.type = 'object' THEN json_extract(s.value, '$.type') = 'transfer' END
        ORDER BY s.key DESC LIMIT 1) END"""
# PostgreSQL: the step in a subquery kept as one (OFFSET 0), so that it is computed once per call.
_POSTGRES_STEP: Final = """jsonb_path_query_array(call_records.trace, '$.steps[*] ? (@.type == "transfer")') -> -1"""
_POSTGRES_TRANSFER: Final = """(jsonb_build_array(calls.step -> 'exit',
    jsonb_path_query_array(calls.step, '$.events[*] ? (@.kind == "transfer").outcome') -> -1)::text)"""


def _in_range(query: Select[Any], since: datetime, until: datetime, scenario: str | None) -> Select[Any]:
    query = query.where(CallRecord.started_at >= since, CallRecord.started_at < until)
    return query.where(CallRecord.scenario == scenario) if scenario is not None else query


def _slot(dialect: str, clock: _Clock) -> ColumnElement[Any]:
    """The slot of UTC time a call started in, counted from the clock's base (so never negative, and whole: the
    integer division of each database truncates)."""
    base, length = int(clock.base), int(clock.slot)  # ints: nothing else reaches the text
    if dialect == "sqlite":
        seconds = "CAST(strftime('%s', call_records.started_at) AS INTEGER)"
        return literal_column(f"(({seconds} - {base}) / {length})", Integer)
    return literal_column(f"CAST(floor((extract(epoch FROM call_records.started_at) - {base}) / {length}) AS BIGINT)",
                          Integer)  # fmt: skip


def _keys(dialect: str, clock: _Clock | None, by_scenario: bool) -> list[ColumnElement[Any]]:
    """What a row's calls are told apart by: their scenario when rows are, their slot when time is grouped."""
    keys: list[ColumnElement[Any]] = [CallRecord.scenario.label("scenario")] if by_scenario else []
    return [*keys, _slot(dialect, clock).label("slot")] if clock is not None else keys


def _outcomes_query(
    dialect: str, since: datetime, until: datetime, scenario: str | None, clock: _Clock | None, by_scenario: bool
) -> Select[Any]:
    """Calls counted by their row's keys, status and last transfer, with their answers, talk and failed steps."""
    answered = case((CallRecord.answered_at.is_not(None), 1), else_=0)
    columns = [
        *_keys(dialect, clock, by_scenario),
        CallRecord.status.label("status"),
        case((CallRecord.hangup_during == DURING_TRANSFER, 1), else_=0).label("in_transfer"),
        answered.label("answered"),
        (answered * CallRecord.duration_ms).label("talk_ms"),
        case((CallRecord.error_steps > 0, 1), else_=0).label("with_errors"),  # summed, not grouped by
    ]
    if dialect == "postgresql":
        inner = _in_range(select(*columns, literal_column(_POSTGRES_STEP).label("step")), since, until, scenario)
        calls = inner.offset(0).subquery("calls")
        transfer: ColumnElement[Any] = literal_column(_POSTGRES_TRANSFER)
    else:
        inner = _in_range(select(*columns, literal_column(_SQLITE_TRANSFER).label("transfer")), since, until, scenario)
        calls = inner.subquery("calls")
        transfer = calls.c.transfer
    summed = ("answered", "talk_ms", "with_errors")
    keys = [column for column in calls.c if column.key not in (*summed, "step", "transfer")]
    return select(
        *keys,
        transfer.label("transfer"),
        func.count().label("calls"),
        *(func.sum(calls.c[name]).label(name) for name in summed),
    ).group_by(*keys, transfer)


def _results_query(
    dialect: str, since: datetime, until: datetime, scenario: str | None, clock: _Clock | None, by_scenario: bool
) -> Select[Any]:
    """Calls counted by their row's keys, the flow's `result` and their scenario (whose label it has), for those
    that recorded one."""
    keys = [*_keys(dialect, clock, by_scenario), CallRecord.result.label("result")]
    if not by_scenario:
        keys.append(CallRecord.scenario.label("scenario"))
    query = select(*keys, func.count().label("calls")).where(CallRecord.result.is_not(None))
    return _in_range(query, since, until, scenario).group_by(*keys)


# -- the local clock -------------------------------------------------------------------------------


def local_periods(since: datetime, until: datetime, zone: ZoneInfo, unit: Literal["day", "hour"]) -> list[Period]:
    """Every local day or hour of `zone`'s clock from `since` up to `until`, in order, each cut to the range.

    An hour is told apart by its offset as well as its number, so the hour a clock change repeats is two periods;
    one it skips is none. A day is its date: one a clock change shortens or lengthens is 23 or 25 hours long."""
    return _local_periods(since, until, zone, unit)[0]


def _local_periods(
    since: datetime, until: datetime, zone: ZoneInfo, unit: Literal["day", "hour"]
) -> tuple[list[Period], list[tuple[int, int]]]:
    """`local_periods`, and where each stretch of the range starts (epoch microseconds) with the index of its period:
    a date the clock shows twice apart (put back across midnight) is one period of two stretches."""
    start, end = _micros(since), _micros(until)
    marks: list[tuple[int, Any]] = []  # (where a stretch starts, its period's key): each key differs from the last
    for segment_start, segment_end, offset in _segments(start, end, zone):
        step = _UNIT_SECONDS[unit] * _SECOND
        first = -((-(segment_start + offset)) // step) * step - offset  # the first local boundary at or after
        for at in (segment_start, *range(max(first, segment_start), segment_end, step)):
            # The local day or hour counted from the epoch, and for an hour the offset: arithmetic, as it holds.
            key = ((at + offset) // step, offset if unit == "hour" else None)
            if not marks or marks[-1][1] != key:
                marks.append((at, key))
    periods: dict[Any, Period] = {}
    places: dict[Any, int] = {}  # each period's place in the list
    stretches: list[tuple[int, int]] = []
    for index, (at, key) in enumerate(marks):
        stop = _moment(marks[index + 1][0] if index + 1 < len(marks) else end)
        if key in periods:  # its first stretch's start, its last's end
            periods[key] = _replace_end(periods[key], stop)
        else:
            local = _moment(at).astimezone(zone)
            periods[key] = Period(start=_moment(at), end=stop, local_start=local, day=local.date(),
                                  hour=local.hour if unit == "hour" else None)  # fmt: skip
        stretches.append((at, places.setdefault(key, len(places))))
    return list(periods.values()), stretches


def _replace_end(period: Period, end: datetime) -> Period:
    return Period(start=period.start, end=end, local_start=period.local_start, day=period.day, hour=period.hour)


def _segments(start: int, end: int, zone: ZoneInfo) -> Iterator[tuple[int, int, int]]:
    """The stretches of [start, end) (epoch microseconds) over which `zone`'s offset holds, with that offset."""
    offset = _offset(start, zone)
    at = start
    probe = start
    while probe < end:
        ahead = min(probe + _PROBE, end)
        if _offset(ahead, zone) != offset:
            change = _change_between(probe, ahead, offset, zone)
            yield at, change, offset
            at, offset = change, _offset(change, zone)
        probe = ahead
    yield at, end, offset


def _change_between(low: int, high: int, offset: int, zone: ZoneInfo) -> int:
    """The first moment of (low, high] whose offset is not `offset`: a clock change, to the microsecond."""
    while high - low > 1:
        middle = (low + high) // 2
        if _offset(middle, zone) == offset:
            low = middle
        else:
            high = middle
    return high


def _offset(at: int, zone: ZoneInfo) -> int:
    """`zone`'s offset at `at` (epoch microseconds), in microseconds. Clocks change on whole seconds: `at`'s second
    has the offset of `at`."""
    shift = datetime.fromtimestamp(at // _SECOND, zone).utcoffset() or timedelta(0)
    return shift // timedelta(microseconds=1)


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _moment(micros: int) -> datetime:
    seconds, fraction = divmod(micros, _SECOND)
    return datetime.fromtimestamp(seconds, UTC).replace(microsecond=fraction)


class _Clock:
    """The range's periods, and the slots of UTC time the database counts calls by: each slot in one period."""

    def __init__(self, since: datetime, until: datetime, zone: ZoneInfo, unit: Literal["day", "hour"]) -> None:
        self.periods, stretches = _local_periods(since, until, zone, unit)
        self._starts = [at for at, _period in stretches]
        self._periods = [period for _at, period in stretches]
        # The longest slot every stretch after the first starts on a whole number of (the first starts at `since`,
        # which the queries bound on their own): an hour on a clock a whole number of hours off UTC, a day on
        # UTC's, down to a second on a clock of an odd local mean time (before 1900).
        self.slot = functools.reduce(math.gcd, (at // _SECOND for at in self._starts[1:]), _UNIT_SECONDS["day"]) or 1
        self.base = _micros(since) // _SECOND // self.slot * self.slot  # the epoch second slot 0 starts at

    def period_of(self, slot: int) -> int:
        """The index of the period slot `slot` lies in (a slot starting before `since` holds calls from it on)."""
        at = max((self.base + int(slot) * self.slot) * _SECOND, self._starts[0])
        return self._periods[max(0, bisect_right(self._starts, at) - 1)]
