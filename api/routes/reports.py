"""Reports on the call register: a supervisor's "how did yesterday go?", the calls of a range summed up by local day
or hour, by scenario, or by both (persistence.call_reports)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Final
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from fastapi.exceptions import RequestValidationError

from api.csv_export import TimeZoneQuery
from api.deps import RuntimeDep, Viewer
from api.query_params import call_start_bound
from api.routes import AUTHED
from api.routes.calls import read_on_clock
from api.schemas import CallReport, CallReportCounts, CallReportRow, QueryMoment, ReportGroup, ResultCount
from persistence import call_reports
from persistence.call_reports import Counts, ReportRow
from persistence.result_labels import ResultLabels

router = APIRouter(prefix="/api/reports", tags=["reports"], responses=AUTHED)

# A year, a leap day included: what "this year" or "the last 12 months" asks at most. The work grows with the calls
# in the range, and an hour's rows with its length (8,784 for a year).
MAX_RANGE: Final = timedelta(days=366)

# Required: the range is what a report counts. The words are the call register's (api.query_params).
Since = Annotated[QueryMoment, call_start_bound("since")]
Until = Annotated[QueryMoment, call_start_bound("until", limit=f"At most {MAX_RANGE.days} days after `since`.")]
Zone = Annotated[
    TimeZoneQuery,
    Query(description="The IANA time zone (e.g. Europe/Madrid) whose clock the days and hours are read on, and a "
          "`since` or `until` without an offset; UTC unless given."),
]  # fmt: skip
Group = Annotated[
    ReportGroup,
    Query(description="A row per local `day` (the default), per local `hour`, per `scenario`, or per day and "
          "scenario (`day_scenario`)."),
]  # fmt: skip
Scenario = Annotated[
    str | None,
    Query(max_length=64, pattern=r"^[^\x00]*$", description="Count this scenario's calls only (its slug)"),
]


@router.get("/calls", response_model=CallReport)
def call_report(
    _user: Viewer,
    runtime: RuntimeDep,
    since: Since,
    until: Until,
    tz: Zone = "UTC",
    group: Group = "day",
    scenario: Scenario = None,
) -> CallReport:
    """The calls that started in the range, summed up: per row the calls, those answered, the calls by register
    status, the callers who hung up before the end, the transfers tried and answered (from the last transfer's
    outcome, as the register derives it), the calls where a step took its error exit, the answered calls' talk
    time, and the most frequent `result` values, each with the label its scenario declares; and the totals of the
    range.

    Days and hours are those of `tz`'s clock: a day it goes back is 25 hours long (its repeated hour two rows, told
    apart by `local_start`'s offset), a day it goes forward 23. A range that is not forward, or longer than 366 days,
    is a 422 naming `until`; an unknown zone one naming `tz`."""
    zone = ZoneInfo(tz)
    start, end = read_on_clock(since, zone), read_on_clock(until, zone)
    assert start is not None and end is not None  # both are required
    if end <= start:
        _refuse("until", "must be after `since`", until)
    if end - start > MAX_RANGE:
        _refuse("until", f"must be at most {MAX_RANGE.days} days after `since`: ask for a longer range in parts", until)
    with runtime.database.session() as session:
        report = call_reports.call_report(session, since=start, until=end, zone=zone, group=group, scenario=scenario)
    return CallReport(
        since=report.since,
        until=report.until,
        tz=tz,
        group=report.group,
        scenario=report.scenario,
        rows=[_row(row, report.labels) for row in report.rows],
        totals=_counts(report.totals, report.labels),
    )


def _refuse(parameter: str, message: str, given: datetime) -> None:
    """A 422 naming the parameter, as a request that does not match its schema is answered (api.errors)."""
    problem: dict[str, Any] = {"type": "value_error", "loc": ("query", parameter), "msg": message, "input": given}
    raise RequestValidationError([problem])


def _counts(counts: Counts, labels: ResultLabels) -> CallReportCounts:
    return CallReportCounts(**_count_fields(counts, labels))


def _count_fields(counts: Counts, labels: ResultLabels) -> dict[str, Any]:
    return {
        "calls": counts.calls,
        "answered": counts.answered,
        "statuses": counts.status_counts(),
        "abandoned": counts.abandoned,
        "transfers": counts.transfers,
        "with_errors": counts.with_errors,
        "transfers_answered": counts.transfers_answered,
        "transfer_outcomes": dict(sorted(counts.transfer_outcomes.items())),
        "talk_ms_total": counts.talk_ms,
        "talk_ms_average": counts.talk_ms_average,
        "results": [
            ResultCount(result=result, calls=calls, label=counts.result_label(result, labels))
            for result, calls in counts.top_results()
        ],
    }


def _row(row: ReportRow, labels: ResultLabels) -> CallReportRow:
    period = row.period
    return CallReportRow(
        **_count_fields(row.counts, labels),
        day=period.day,
        hour=period.hour,
        scenario=row.scenario,
        start=period.start,
        end=period.end,
        local_start=period.local_start,
    )
