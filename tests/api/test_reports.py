"""`GET /api/reports/calls`, a supervisor's summary of the call register, over real HTTP on both databases: calls of
two scenarios over two days of Madrid's clock, the first the 25 hours of 25 October 2026 (its clock goes back from
03:00 CEST to 02:00 CET at 01:00 UTC), written as the FastAGI runtime writes them; and the refusals.

The server is shared by the session's tests, which write calls of their own on these days: every count here is of
this test's two scenarios, asked for by name or read from their rows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from persistence.calls import CallRecordIn, CallRecordWriter
from persistence.db import Database
from tests.api.conftest import Client, Server

DAY_25 = datetime(2026, 10, 24, 22, tzinfo=UTC)  # midnight in Madrid, summer time
DAY_26 = datetime(2026, 10, 25, 23, tzinfo=UTC)  # midnight in Madrid, winter time: 25 hours later
DAY_27 = datetime(2026, 10, 26, 23, tzinfo=UTC)
RANGE = {"since": "2026-10-25", "until": "2026-10-27", "tz": "Europe/Madrid"}  # dates: read on Madrid's clock


def _transfer(exit_name: str, noted: str | None = None) -> dict[str, Any]:
    """A Transfer step as the engine writes it: an event when the block returned, none when a hangup cut it."""
    events = [{"kind": "transfer", "target": "queue:sales", "outcome": noted, "talk_seconds": 0.0}] if noted else []
    return {"node": "t", "type": "transfer", "exit": exit_name, "events": events}


def _call(
    name: str, scenario: str, at: datetime, seconds: int, outcome: str = "hung_up", *, answered: bool = True,
    steps: list[dict[str, Any]] | None = None, during: str | None = None, result: str | None = None,
) -> CallRecordIn:  # fmt: skip
    return CallRecordIn(
        call_id=f"{scenario}-{name}",
        scenario=scenario,
        started_at=at,
        answered_at=at if answered else None,
        ended_at=at + timedelta(seconds=seconds),
        outcome=outcome,
        hangup_during=during,
        trace={"answered": answered, "steps": steps or []},
        variables={"result": result} if result else {},
    )


@pytest.fixture
def two_scenarios(server: Server, slug: Callable[[str], str]) -> tuple[str, str]:
    """Sales and support calls on the 25th and 26th (and one each side of the range); their scenarios' names."""
    sales, support = slug("report-sales"), slug("report-support")
    callback = {"node": "cb", "type": "callback", "exit": "scheduled", "events": [{"kind": "callback_scheduled"}]}
    records = [
        _call("the-24th", sales, DAY_25 - timedelta(seconds=1), 9),  # 23:59:59 on the 24th: before the range
        _call("first", sales, DAY_25 + timedelta(minutes=30), 30, result="sale"),
        # 02:30 CEST, 02:30 CET and 02:45 CET: the hour the clock repeats, on each side of the change
        _call("cest-0230", sales, datetime(2026, 10, 25, 0, 30, tzinfo=UTC), 60, "transferred",
              steps=[_transfer("answered", "answered")], result="sale"),
        _call("cet-0230", sales, datetime(2026, 10, 25, 1, 30, tzinfo=UTC), 90,
              steps=[_transfer("no_answer", "no_answer")], result="callback"),
        _call("cet-0245", support, datetime(2026, 10, 25, 1, 45, tzinfo=UTC), 5, "ended", answered=False),
        _call("last-second", support, DAY_26 - timedelta(seconds=1), 12, "caller_hangup", during="read_digits",
              result="bye"),
        _call("left-queue", support, DAY_26, 40, "caller_hangup", during="transfer", steps=[_transfer("hangup")]),
        _call("called-back", support, datetime(2026, 10, 26, 9, tzinfo=UTC), 20, "caller_hangup", during="transfer",
              steps=[_transfer("hangup"), callback]),
        _call("busy", sales, datetime(2026, 10, 26, 10, tzinfo=UTC), 20, steps=[_transfer("busy", "busy")]),
        _call("the-27th", support, DAY_27, 3),  # midnight of the 27th: after the range
    ]  # fmt: skip
    database = Database(server.database_url)
    try:
        CallRecordWriter(database).write_batch(records)
    finally:
        database.dispose()
    return sales, support


STATUSES = ("answered", "missed", "abandoned_in_menu", "abandoned_waiting", "transferred", "failed",
            "callback_scheduled")  # fmt: skip


def _counts(
    calls: int,
    answered: int,
    talk_ms: int,
    *,
    statuses: dict[str, int],
    abandoned: int = 0,
    transfers: dict[str, int] | None = None,
    results: list[tuple[str, int]] | None = None,
) -> dict[str, Any]:
    """A row's counts as the API writes them."""
    transfers = transfers or {}
    return {
        "calls": calls,
        "answered": answered,
        "statuses": {status: statuses.get(status, 0) for status in STATUSES},
        "abandoned": abandoned,
        "transfers": sum(transfers.values()),
        "with_errors": 0,  # no step of these calls took its error exit (tests/api/test_call_register_links.py)
        "transfers_answered": transfers.get("answered", 0),
        "transfer_outcomes": transfers,
        "talk_ms_total": talk_ms,
        "talk_ms_average": round(talk_ms / answered) if answered else None,
        "results": [{"result": result, "calls": n, "label": None} for result, n in results or []],  # none declared
    }  # fmt: skip


SALES_25 = _counts(3, 3, 180_000, statuses={"answered": 2, "transferred": 1},
                   transfers={"answered": 1, "no_answer": 1}, results=[("sale", 2), ("callback", 1)])  # fmt: skip
SALES_26 = _counts(1, 1, 20_000, statuses={"answered": 1}, transfers={"busy": 1})
SUPPORT_25 = _counts(2, 1, 12_000, statuses={"missed": 1, "abandoned_in_menu": 1}, abandoned=1, results=[("bye", 1)])
# Both hung up while the queue rang: one is `abandoned_waiting`, the other `callback_scheduled` (the scenario called
# them back): both abandons.
SUPPORT_26 = _counts(2, 2, 60_000, statuses={"abandoned_waiting": 1, "callback_scheduled": 1}, abandoned=2,
                     transfers={"caller_hangup": 2})  # fmt: skip
COUNTED = tuple(SALES_25)


def _report(client: httpx.Client, **params: Any) -> dict[str, Any]:
    response = client.get("/api/reports/calls", params={**RANGE, **params})
    assert response.status_code == 200, response.text
    return dict(response.json())


def _counted(row: dict[str, Any]) -> dict[str, Any]:
    return {name: row[name] for name in COUNTED}


def test_a_scenario_by_day_the_first_day_with_25_hours(
    user_factory: Callable[[str], Client], two_scenarios: tuple[str, str]
) -> None:
    sales, support = two_scenarios
    viewer = user_factory("viewer")  # the register's role is enough
    report = _report(viewer, scenario=sales)
    assert (report["since"], report["until"], report["tz"], report["group"], report["scenario"]) == (
        "2026-10-24T22:00:00Z", "2026-10-26T23:00:00Z", "Europe/Madrid", "day", sales)  # fmt: skip
    rows = report["rows"]
    assert [(r["day"], r["hour"], r["scenario"], r["start"], r["end"], r["local_start"]) for r in rows] == [
        ("2026-10-25", None, None, "2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z", "2026-10-25T00:00:00+02:00"),
        ("2026-10-26", None, None, "2026-10-25T23:00:00Z", "2026-10-26T23:00:00Z", "2026-10-26T00:00:00+01:00"),
    ]
    assert [_counted(row) for row in rows] == [SALES_25, SALES_26]
    assert report["totals"] == _counts(4, 4, 200_000, statuses={"answered": 3, "transferred": 1},
                                       transfers={"answered": 1, "busy": 1, "no_answer": 1},
                                       results=[("sale", 2), ("callback", 1)])  # fmt: skip
    other = _report(viewer, scenario=support)
    assert [_counted(row) for row in other["rows"]] == [SUPPORT_25, SUPPORT_26]
    assert (other["totals"]["calls"], other["totals"]["abandoned"], other["totals"]["transfers"]) == (4, 3, 2)


def test_by_hour_the_hour_the_clock_repeats_is_two_rows(admin: Client, two_scenarios: tuple[str, str]) -> None:
    sales, support = two_scenarios
    report = _report(admin, group="hour", until="2026-10-26", scenario=sales)
    rows = report["rows"]
    assert len(rows) == 25  # every hour of the day, those without calls too
    assert [(r["hour"], r["local_start"], r["start"]) for r in rows[2:4]] == [
        (2, "2026-10-25T02:00:00+02:00", "2026-10-25T00:00:00Z"),
        (2, "2026-10-25T02:00:00+01:00", "2026-10-25T01:00:00Z"),
    ]
    called = {r["local_start"]: (r["calls"], r["statuses"]["transferred"], r["talk_ms_total"]) for r in rows
              if r["calls"]}  # fmt: skip
    assert called == {
        "2026-10-25T00:00:00+02:00": (1, 0, 30_000),
        "2026-10-25T02:00:00+02:00": (1, 1, 60_000),
        "2026-10-25T02:00:00+01:00": (1, 0, 90_000),
    }
    support_hours = _report(admin, group="hour", until="2026-10-26", scenario=support)["rows"]
    assert {r["local_start"]: r["statuses"] for r in support_hours if r["calls"]} == {
        "2026-10-25T02:00:00+01:00": {**dict.fromkeys(STATUSES, 0), "missed": 1},
        "2026-10-25T23:00:00+01:00": {**dict.fromkeys(STATUSES, 0), "abandoned_in_menu": 1},
    }


def test_by_scenario_and_by_day_and_scenario(admin: Client, two_scenarios: tuple[str, str]) -> None:
    sales, support = two_scenarios
    by_scenario = {row["scenario"]: row for row in _report(admin, group="scenario")["rows"]}
    for name in (sales, support):
        assert (by_scenario[name]["day"], by_scenario[name]["start"], by_scenario[name]["end"]) == (
            None, "2026-10-24T22:00:00Z", "2026-10-26T23:00:00Z")  # fmt: skip
    assert _counted(by_scenario[sales]) == _counts(4, 4, 200_000, statuses={"answered": 3, "transferred": 1},
                                                   transfers={"answered": 1, "busy": 1, "no_answer": 1},
                                                   results=[("sale", 2), ("callback", 1)])  # fmt: skip
    assert _counted(by_scenario[support]) == _counts(
        4, 3, 72_000, statuses={"missed": 1, "abandoned_in_menu": 1, "abandoned_waiting": 1, "callback_scheduled": 1},
        abandoned=3, transfers={"caller_hangup": 2}, results=[("bye", 1)])  # fmt: skip

    both = _report(admin, group="day_scenario")["rows"]
    ours = [(row["day"], row["scenario"], _counted(row)) for row in both if row["scenario"] in (sales, support)]
    assert ours == [
        ("2026-10-25", sales, SALES_25),
        ("2026-10-25", support, SUPPORT_25),
        ("2026-10-26", sales, SALES_26),
        ("2026-10-26", support, SUPPORT_26),
    ]
    assert [(row["day"], row["scenario"]) for row in both] == sorted((row["day"], row["scenario"]) for row in both)


def test_a_viewer_token_reads_it_and_no_token_is_a_401(
    server: Server, user_factory: Callable[[str], Client], anonymous: Client, two_scenarios: tuple[str, str]
) -> None:
    sales, _support = two_scenarios
    created = user_factory("viewer").post("/api/tokens", json={"name": "wallboard"})
    assert created.status_code == 201, created.text
    headers = {"Authorization": f"Bearer {created.json()['token']}"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=30) as dashboard:
        assert _report(dashboard, scenario=sales, group="scenario")["totals"]["calls"] == 4
    refused = anonymous.get("/api/reports/calls", params={**RANGE, "scenario": sales})
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("params", "path", "message"),
    [
        ({"until": "2026-10-25"}, "$.until", "must be after `since`"),  # as long as no time at all
        ({"since": "2026-10-27", "until": "2026-10-25"}, "$.until", "must be after `since`"),
        # 00:00 in Madrid is 22:00 UTC the day before: a range on two clocks that runs backwards.
        ({"since": "2026-10-25T00:00:00", "until": "2026-10-24T21:30:00Z"}, "$.until", "must be after `since`"),
        ({"since": "2026-01-01", "until": "2027-01-03"}, "$.until",
         "must be at most 366 days after `since`: ask for a longer range in parts"),
        ({"tz": "Mars/Olympus_Mons"}, "$.tz", None),
        ({"tz": "not a zone"}, "$.tz", None),
        ({"group": "week"}, "$.group", None),
        ({"since": "yesterday"}, "$.since", None),
        ({"since": None}, "$.since", None),
        ({"until": None}, "$.until", None),
        ({"scenario": "x" * 65}, "$.scenario", None),
    ],
)  # fmt: skip
def test_a_bad_range_zone_or_group_is_a_422_naming_it(
    admin: Client, params: dict[str, Any], path: str, message: str | None
) -> None:
    query = {name: value for name, value in {**RANGE, **params}.items() if value is not None}
    response = admin.get("/api/reports/calls", params=query)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "https://ivrgraph.dev/problems/invalid-request"
    assert [problem["path"] for problem in body["problems"]] == [path]
    if message is not None:
        assert body["problems"][0]["message"] == message


def test_a_leap_year_s_366_days_is_not_too_long(admin: Client) -> None:
    report = _report(admin, since="2028-01-01", until="2029-01-01", group="scenario", scenario="nobody-here")
    assert (report["rows"], report["totals"]["calls"]) == ([], 0)
    days = _report(admin, since="2028-01-01", until="2029-01-01", scenario="nobody-here")["rows"]
    assert (len(days), days[0]["day"], days[-1]["day"]) == (366, "2028-01-01", "2028-12-31")
