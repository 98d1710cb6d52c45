"""The call report (persistence.call_reports) on SQLite and PostgreSQL: calls written as the FastAGI runtime writes
them, counted by local day and hour across Madrid's clock going back on 25 October 2026, by scenario, and in the
words of the register (its statuses, its hangups, its transfer outcomes); and the local clock's days and hours on
their own."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from persistence import call_reports, calls
from persistence.call_reports import CallReport, Counts, local_periods
from persistence.calls import CallRecordIn, CallRecordWriter
from persistence.db import Database
from persistence.models import CallRecord

MADRID, UTC_ZONE = ZoneInfo("Europe/Madrid"), ZoneInfo("UTC")
# Madrid's 25 October 2026 runs from 22:00 UTC the day before to 23:00 UTC: its clock goes from 03:00 CEST back to
# 02:00 CET at 01:00 UTC, so it has 25 hours, 02:00-03:00 twice. The 26th is an ordinary day.
DAY_25, DAY_26, DAY_27 = (datetime(2026, 10, 24, 22, tzinfo=UTC), datetime(2026, 10, 25, 23, tzinfo=UTC),
                          datetime(2026, 10, 26, 23, tzinfo=UTC))  # fmt: skip


def _transfer(exit_name: str, noted: str | None = None) -> dict[str, Any]:
    """A Transfer step as the engine writes it: an event when the block returned, none when a hangup cut it."""
    events = [{"kind": "transfer", "target": "queue:sales", "outcome": noted, "talk_seconds": 0.0}] if noted else []
    return {"node": "t", "type": "transfer", "exit": exit_name, "events": events}


CALLBACK = {"node": "cb", "type": "callback", "exit": "scheduled", "events": [{"kind": "callback_scheduled"}]}


def _call(
    name: str,
    scenario: str,
    at: datetime,
    *,
    seconds: int,
    outcome: str = "hung_up",
    answered: bool = True,
    steps: list[Any] | None = None,
    during: str | None = None,
    result: str | None = None,
) -> CallRecordIn:
    return CallRecordIn(
        call_id=name,
        scenario=scenario,
        started_at=at,
        answered_at=at if answered else None,
        ended_at=at + timedelta(seconds=seconds),
        outcome=outcome,
        hangup_during=during,
        trace={"answered": answered, "steps": steps or []},
        variables={"result": result} if result is not None else {},
    )


# name: the call, its register status, its transfer outcome as the register shows it
# fmt: off
CALLS: dict[str, tuple[CallRecordIn, str, str | None]] = {
    record.call_id: (record, status, transfer)
    for record, status, transfer in [
        (_call("before", "sales", DAY_25 - timedelta(seconds=1), seconds=9), "answered", None),  # 23:59:59 the 24th
        (_call("first", "sales", DAY_25 + timedelta(minutes=30), seconds=30, result="sale"), "answered", None),
        # 02:30 CEST, then 02:30 CET and 02:45 CET: the hour the clock repeats, once on each side of the change
        (_call("cest-0230", "sales", datetime(2026, 10, 25, 0, 30, tzinfo=UTC), seconds=60, outcome="transferred",
               steps=[_transfer("answered", "answered")], result="sale"), "transferred", "answered"),
        (_call("cet-0230", "sales", datetime(2026, 10, 25, 1, 30, tzinfo=UTC), seconds=90,
               steps=[_transfer("no_answer", "no_answer")], result="callback"), "answered", "no_answer"),
        (_call("cet-0245", "support", datetime(2026, 10, 25, 1, 45, tzinfo=UTC), seconds=5, outcome="ended",
               answered=False), "missed", None),
        (_call("last-second", "support", DAY_26 - timedelta(seconds=1), seconds=12, outcome="caller_hangup",
               during="read_digits", result="bye"), "abandoned_in_menu", None),
        (_call("left-queue", "support", DAY_26, seconds=40, outcome="caller_hangup", during="transfer",
               steps=[_transfer("hangup")]), "abandoned_waiting", "caller_hangup"),
        # Hung up in the queue, and the scenario scheduled a callback: `callback_scheduled`, and an abandon.
        (_call("called-back", "support", datetime(2026, 10, 26, 9, tzinfo=UTC), seconds=20,
               outcome="caller_hangup", during="transfer", steps=[_transfer("hangup"), CALLBACK]),
         "callback_scheduled", "caller_hangup"),
        (_call("failed", "sales", datetime(2026, 10, 26, 10, tzinfo=UTC), seconds=2, outcome="failed",
               result="sale"), "failed", None),
        (_call("no-number", "sales", datetime(2026, 10, 26, 12, tzinfo=UTC), seconds=8,
               steps=[_transfer("error")], result="callback"), "answered", "failed"),
        # A trace is the engine's data: a step or event that is not an object is skipped, as the register skips it.
        (_call("odd", "support", datetime(2026, 10, 26, 13, tzinfo=UTC), seconds=7,
               steps=["?", {"type": "ivr", "events": ["x", 3]}, _transfer("busy", "busy")]), "answered", "busy"),
        (_call("after", "sales", DAY_27, seconds=3), "answered", None),  # midnight of the 27th: past the range
    ]
}
# fmt: on
IN_RANGE = [name for name in CALLS if name not in ("before", "after")]


@pytest.fixture
def register(database: Database) -> Iterator[Database]:
    CallRecordWriter(database).write_batch([record for record, _status, _transfer in CALLS.values()])
    yield database


def _report(database: Database, group: call_reports.ReportGroup, **asked: Any) -> CallReport:
    asked = {"since": DAY_25, "until": DAY_27, "zone": MADRID, **asked}
    with database.session() as session:
        return call_reports.call_report(session, group=group, **asked)


def _summed(names: list[str]) -> dict[str, Any]:
    """What the report should say of these calls, worked out call by call from the table above."""
    records = [CALLS[name] for name in names]
    answered = [record for record, _status, _transfer in records if record.answered_at is not None]
    transfers = Counter(transfer for _record, _status, transfer in records if transfer is not None)
    return {
        "calls": len(records),
        "answered": len(answered),
        "statuses": Counter(status for _record, status, _transfer in records),
        "abandoned": sum(
            status.startswith("abandoned") or transfer == "caller_hangup" for _record, status, transfer in records
        ),
        "transfers": transfers.total(),
        "transfers_answered": transfers["answered"],
        "transfer_outcomes": transfers,
        "talk_ms": sum(int((r.ended_at - r.started_at).total_seconds() * 1000) for r in answered if r.ended_at),
        "results": Counter(r.variables["result"] for r, _status, _transfer in records if "result" in r.variables),
    }


def _said(counts: Counts) -> dict[str, Any]:
    return {
        "calls": counts.calls,
        "answered": counts.answered,
        "statuses": +counts.statuses,
        "abandoned": counts.abandoned,
        "transfers": counts.transfers,
        "transfers_answered": counts.transfers_answered,
        "transfer_outcomes": +counts.transfer_outcomes,
        "talk_ms": counts.talk_ms,
        "results": +counts.results,
    }


def test_the_stored_calls_are_what_the_table_says(register: Database) -> None:
    """The table's statuses and transfer outcomes are the register's own, as it lists them."""
    with register.session() as session:
        records = list(session.scalars(select(CallRecord)))
        outcomes = calls.transfer_outcomes(session, records=records)
        assert {r.id: (r.status, outcomes.get(r.id)) for r in records} == {
            name: (status, transfer) for name, (_record, status, transfer) in CALLS.items()
        }


def test_two_days_by_day_the_first_with_25_hours(register: Database) -> None:
    report = _report(register, "day")
    assert [(row.period.day, row.period.start, row.period.end, row.scenario) for row in report.rows] == [
        (date(2026, 10, 25), DAY_25, DAY_26, None),
        (date(2026, 10, 26), DAY_26, DAY_27, None),
    ]
    assert report.rows[0].period.end - report.rows[0].period.start == timedelta(hours=25)
    assert [row.period.local_start.isoformat() for row in report.rows] == [
        "2026-10-25T00:00:00+02:00",
        "2026-10-26T00:00:00+01:00",
    ]
    on_25 = ["first", "cest-0230", "cet-0230", "cet-0245", "last-second"]
    on_26 = ["left-queue", "called-back", "failed", "no-number", "odd"]
    assert _said(report.rows[0].counts) == _summed(on_25)
    assert _said(report.rows[1].counts) == _summed(on_26)
    assert _said(report.totals) == _summed(IN_RANGE)
    # Spelled out once, so that the table's arithmetic is not all that is checked.
    totals = report.totals
    assert (totals.calls, totals.answered, totals.abandoned, totals.transfers, totals.transfers_answered) == (
        10, 9, 3, 6, 1)  # fmt: skip
    assert totals.status_counts() == {"answered": 4, "missed": 1, "abandoned_in_menu": 1, "abandoned_waiting": 1,
                                      "transferred": 1, "failed": 1, "callback_scheduled": 1}  # fmt: skip
    assert dict(totals.transfer_outcomes) == {"answered": 1, "no_answer": 1, "caller_hangup": 2, "failed": 1, "busy": 1}
    # 30+60+90+12 s on the 25th (the missed call's ringing is no talk), 40+20+2+8+7 s on the 26th
    assert (report.rows[0].counts.talk_ms, report.rows[1].counts.talk_ms) == (192_000, 77_000)
    assert report.rows[0].counts.talk_ms_average == 48_000
    assert totals.top_results() == [("sale", 3), ("callback", 2), ("bye", 1)]


def test_by_hour_the_hour_the_clock_repeats_is_two_rows(register: Database) -> None:
    report = _report(register, "hour", until=DAY_26)
    assert len(report.rows) == 25  # every hour of the day, those without calls too
    labels = [row.period.local_start.strftime("%H:%M%z") for row in report.rows]
    assert labels[:5] == ["00:00+0200", "01:00+0200", "02:00+0200", "02:00+0100", "03:00+0100"]
    assert labels[-1] == "23:00+0100"
    assert [row.period.hour for row in report.rows[:5]] == [0, 1, 2, 2, 3]
    assert all(row.period.end - row.period.start == timedelta(hours=1) for row in report.rows)
    assert report.rows[3].period.start == datetime(2026, 10, 25, 1, tzinfo=UTC)  # the second 02:00, in UTC
    called = {row.period.local_start.strftime("%H:%M%z"): row.counts for row in report.rows if row.counts.calls}
    assert {label: _said(counts) for label, counts in called.items()} == {
        "00:00+0200": _summed(["first"]),
        "02:00+0200": _summed(["cest-0230"]),
        "02:00+0100": _summed(["cet-0230", "cet-0245"]),
        "23:00+0100": _summed(["last-second"]),
    }


def test_by_scenario_and_by_day_and_scenario(register: Database) -> None:
    by_scenario = _report(register, "scenario")
    assert [(row.scenario, row.period.start, row.period.end) for row in by_scenario.rows] == [
        ("sales", DAY_25, DAY_27),
        ("support", DAY_25, DAY_27),
    ]
    sales = ["first", "cest-0230", "cet-0230", "failed", "no-number"]
    support = ["cet-0245", "last-second", "left-queue", "called-back", "odd"]
    assert [_said(row.counts) for row in by_scenario.rows] == [_summed(sales), _summed(support)]
    assert _said(by_scenario.totals) == _summed(IN_RANGE)

    by_both = _report(register, "day_scenario")
    assert [(row.period.day, row.scenario, _said(row.counts)) for row in by_both.rows] == [
        (date(2026, 10, 25), "sales", _summed(["first", "cest-0230", "cet-0230"])),
        (date(2026, 10, 25), "support", _summed(["cet-0245", "last-second"])),
        (date(2026, 10, 26), "sales", _summed(["failed", "no-number"])),
        (date(2026, 10, 26), "support", _summed(["left-queue", "called-back", "odd"])),
    ]


def test_one_scenario_and_a_range_that_cuts_the_days(register: Database) -> None:
    """From 02:40 CET on the 25th (after cet-0230) to 09:30 UTC on the 26th (after called-back)."""
    since, until = datetime(2026, 10, 25, 1, 40, tzinfo=UTC), datetime(2026, 10, 26, 9, 30, tzinfo=UTC)
    report = _report(register, "day", since=since, until=until, scenario="support")
    assert [(row.period.start, row.period.end) for row in report.rows] == [(since, DAY_26), (DAY_26, until)]
    assert [_said(row.counts) for row in report.rows] == [
        _summed(["cet-0245", "last-second"]),
        _summed(["left-queue", "called-back"]),
    ]
    assert report.rows[0].period.local_start.isoformat() == "2026-10-25T02:40:00+01:00"


def test_a_range_without_calls_has_its_days_at_zero(register: Database) -> None:
    report = _report(register, "day", since=DAY_27 + timedelta(days=1), until=DAY_27 + timedelta(days=3))
    assert [(row.period.day, row.counts.calls) for row in report.rows] == [(date(2026, 10, 28), 0),
                                                                           (date(2026, 10, 29), 0)]  # fmt: skip
    assert report.totals.calls == 0 and report.totals.talk_ms_average is None
    assert report.totals.status_counts() == dict.fromkeys(calls.STATUSES, 0)
    assert _report(register, "scenario", since=DAY_27 + timedelta(days=1), until=DAY_27 + timedelta(days=3)).rows == []


def test_the_most_frequent_results_first_ties_by_their_text(database: Database) -> None:
    at = datetime(2026, 12, 7, 9, tzinfo=UTC)
    given = ["b"] * 3 + ["a"] * 3 + ["z"] * 4 + ["c", "d", "e", "f"]
    CallRecordWriter(database).write_batch(
        [_call(f"r{n}", "sales", at + timedelta(minutes=n), seconds=1, result=value) for n, value in enumerate(given)]
        + [_call("none", "sales", at, seconds=1)]
    )
    with database.session() as session:
        report = call_reports.call_report(session, since=at, until=at + timedelta(days=1), zone=UTC_ZONE)
    assert report.totals.top_results() == [("z", 4), ("a", 3), ("b", 3), ("c", 1), ("d", 1)]
    assert report.totals.calls == 15


def test_half_hour_zones_and_odd_local_mean_times_count_each_call_in_its_own_day(database: Database) -> None:
    """Kolkata's days start at 18:30 UTC, Amsterdam's of June 1920 at 22:40:28 (its summer time was +01:19:32):
    calls a second either side of a local midnight fall on their own days."""
    kolkata, amsterdam = ZoneInfo("Asia/Kolkata"), ZoneInfo("Europe/Amsterdam")
    cases = [(zone, datetime(*day, tzinfo=zone).astimezone(UTC))
             for zone, day in [(kolkata, (2026, 12, 8)), (amsterdam, (1920, 6, 2))]]  # fmt: skip
    assert [midnight.time().isoformat() for _zone, midnight in cases] == ["18:30:00", "22:40:28"]
    records = []
    for n, (_zone, midnight) in enumerate(cases):
        records += [_call(f"z{n}-before", f"z{n}", midnight - timedelta(seconds=1), seconds=1),
                    _call(f"z{n}-at", f"z{n}", midnight, seconds=1),
                    _call(f"z{n}-late", f"z{n}", midnight + timedelta(hours=23, minutes=59), seconds=1)]  # fmt: skip
    CallRecordWriter(database).write_batch(records)
    for n, (zone, midnight) in enumerate(cases):
        with database.session() as session:
            report = call_reports.call_report(session, since=midnight - timedelta(days=1), until=midnight +
                                              timedelta(days=1), zone=zone, scenario=f"z{n}")  # fmt: skip
        assert [(row.period.local_start.time().isoformat(), row.counts.calls) for row in report.rows] == [
            ("00:00:00", 1),
            ("00:00:00", 2),
        ], zone.key


def test_a_date_the_clock_shows_twice_apart_counts_both_stretches_as_its_own(database: Database) -> None:
    """Goose Bay put its clock back at 00:01 (-03:00) to 23:01 (-04:00) the day before, until 2010: on 29 October
    2006 the 29th began for a minute, then the 28th had another hour. A call in that hour is the 28th's."""
    goose_bay = ZoneInfo("America/Goose_Bay")
    starts = {"2330-first": datetime(2006, 10, 29, 2, 30, tzinfo=UTC), "0000-29th": datetime(2006, 10, 29, 3, 0, 30,
              tzinfo=UTC), "2330-again": datetime(2006, 10, 29, 3, 30, tzinfo=UTC),
              "0100-29th": datetime(2006, 10, 29, 5, tzinfo=UTC)}  # fmt: skip
    assert [at.astimezone(goose_bay).strftime("%d %H:%M%z") for at in starts.values()] == [
        "28 23:30-0300", "29 00:00-0300", "28 23:30-0400", "29 01:00-0400"]  # fmt: skip
    CallRecordWriter(database).write_batch([_call(name, "gb", at, seconds=1) for name, at in starts.items()])
    with database.session() as session:
        report = call_reports.call_report(session, since=datetime(2006, 10, 28, 3, tzinfo=UTC),
                                          until=datetime(2006, 10, 30, 4, tzinfo=UTC), zone=goose_bay)  # fmt: skip
    assert [(row.period.day, row.counts.calls) for row in report.rows] == [(date(2006, 10, 28), 2),
                                                                           (date(2006, 10, 29), 2)]  # fmt: skip


# -- the local clock ---------------------------------------------------------------------------


def test_a_spring_day_has_23_hours_and_skips_two_oclock() -> None:
    """Madrid's clock goes from 02:00 CET to 03:00 CEST at 01:00 UTC on 29 March 2026."""
    since, until = datetime(2026, 3, 28, 23, tzinfo=UTC), datetime(2026, 3, 29, 22, tzinfo=UTC)
    (day,) = local_periods(since, until, MADRID, "day")
    assert (day.day, day.end - day.start) == (date(2026, 3, 29), timedelta(hours=23))
    hours = local_periods(since, until, MADRID, "hour")
    assert [period.hour for period in hours] == [0, 1, *range(3, 24)]


def test_a_range_that_starts_mid_hour_starts_its_first_period_there() -> None:
    since = datetime(2026, 10, 25, 0, 40, 30, 123456, tzinfo=UTC)
    hours = local_periods(since, since + timedelta(hours=2), MADRID, "hour")
    assert [(p.start.isoformat(), p.end.isoformat(), p.local_start.strftime("%H:%M:%S%z")) for p in hours] == [
        ("2026-10-25T00:40:30.123456+00:00", "2026-10-25T01:00:00+00:00", "02:40:30+0200"),
        ("2026-10-25T01:00:00+00:00", "2026-10-25T02:00:00+00:00", "02:00:00+0100"),
        ("2026-10-25T02:00:00+00:00", "2026-10-25T02:40:30.123456+00:00", "03:00:00+0100"),
    ]


def test_a_year_of_hours() -> None:
    """A leap year's hours on Madrid's clock: 366 days of 24 hours, one lost in March and one gained in October."""
    since, until = datetime(2027, 12, 31, 23, tzinfo=UTC), datetime(2028, 12, 31, 23, tzinfo=UTC)
    assert len(local_periods(since, until, MADRID, "hour")) == 366 * 24
    assert len(local_periods(since, until, MADRID, "day")) == 366
