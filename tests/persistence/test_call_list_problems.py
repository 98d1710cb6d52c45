"""A call list's rows as a European or Russian spreadsheet writes them, and every problem with its stable code and
params (besides its English message), so the designer can say it in the analyst's language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from persistence import call_lists
from persistence.errors import InvalidCallList

DUE = datetime(2026, 6, 1, 10, tzinfo=UTC)
DECLARED = {"due_date": "date", "debt_amount": "number", "visits": "integer", "vip": "boolean"}


def _plan(rows: list[dict[str, Any]], **options: Any) -> list[call_lists.PlannedJob]:
    campaign = options.pop("campaign", call_lists.Campaign(due=DUE))
    return call_lists.plan_jobs(rows, number_column="phone", declared=DECLARED, campaign=campaign, **options)


def _problems(rows: list[dict[str, Any]], **options: Any) -> list[dict[str, Any]]:
    with pytest.raises(InvalidCallList) as refused:
        _plan(rows, **options)
    return refused.value.problems


@pytest.mark.parametrize(
    ("cell", "variable"),
    [
        ("30.12.2026", "2026-12-30"),  # as Russian and German Excel export a date cell to CSV
        ("5.1.2026", "2026-01-05"),
        ("05.01.2026", "2026-01-05"),
        (" 30.12.2026 ", "2026-12-30"),
        ("30.12.2026 14:30", "2026-12-30T14:30:00"),
        ("30.12.2026 9:05:07", "2026-12-30T09:05:07"),
        ("2026-12-30", "2026-12-30"),
        ("2026-12-30 14:30", "2026-12-30T14:30:00"),
        ("15/12/2026", "2026-12-15"),  # with slashes, a number over 12 can only be the day
        ("12/15/2026", "2026-12-15"),
        ("5/5/2026", "2026-05-05"),  # the same either way
        ("15/12/2026 9:05", "2026-12-15T09:05:00"),
        ("2026/12/30", "2026-12-30"),  # year first: year-month-day everywhere
    ],
)
def test_a_date_is_read_day_first_with_dots_or_year_first(cell: str, variable: str) -> None:
    [job] = _plan([{"phone": "600111213", "due_date": cell}])
    assert job.variables["due_date"] == variable


def test_a_date_cell_from_an_xlsx_is_iso_already_and_kept() -> None:
    [job] = _plan([{"phone": "600111213", "due_date": "2026-12-01T16:00"}])
    assert job.variables["due_date"] == "2026-12-01T16:00:00"


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("03/04/2026", "ambiguous_date"),  # March in Boston, April in Madrid: with no country set, never guessed
        ("3/4/2026 10:00", "ambiguous_date"),
        ("31.02.2026", "not_a_date"),
        ("31/02/2026", "not_a_date"),
        ("15/15/2026", "not_a_date"),
        ("30.12.26", "not_a_date"),  # which century is not guessed either
        ("15/12/26", "not_a_date"),
        ("30.12.2026 25:00", "not_a_date"),
        ("2026-02-30", "not_a_date"),
        ("soon", "not_a_date"),
    ],
)
def test_a_date_that_is_not_one_or_could_be_two_is_refused_saying_how_to_write_it(cell: str, code: str) -> None:
    [problem] = _problems([{"phone": "600111213", "due_date": cell}], row_numbers=[2])
    assert problem == {
        "path": "$.rows[0].due_date",
        "code": code,
        "params": {"row": 2, "column": "due_date", "value": cell, "type": "date"}
        | ({"reason": "no_country"} if code == "ambiguous_date" else {}),
        "message": f"row 2, due_date: {cell!r} is not a date written 2026-12-30 or 30.12.2026 (year-month-day or "
        "day.month.year)"
        + (
            ": a date with slashes is month first in some countries and day first in others, and neither the list "
            "nor a country set on the server (IVRGRAPH_DEFAULT_COUNTRY) says which"
            if code == "ambiguous_date"
            else ""
        ),
    }


def test_every_row_problem_names_its_kind_and_what_it_is_built_from() -> None:
    rows: list[dict[str, Any]] = [
        {"phone": "600111213"},
        {"phone": "call me"},
        {"phone": "600 111 213"},
        {"name": "no phone"},
        {"phone": "600999888", "debt_amount": "1,234", "visits": "2.5", "vip": "maybe"},
    ]
    problems = _problems(rows, row_numbers=[2, 3, 5, 6, 7])
    assert [(p["path"], p["code"], p["params"]) for p in problems] == [
        ("$.rows[1].phone", "not_a_phone_number", {"row": 3, "column": "phone", "value": "call me"}),
        ("$.rows[2].phone", "duplicate_number", {"row": 5, "column": "phone", "number": "600111213", "first": 2}),
        ("$.rows[3].phone", "no_number", {"row": 6, "column": "phone"}),
        ("$.rows[4].debt_amount", "ambiguous_number",
         {"row": 7, "column": "debt_amount", "value": "1,234", "type": "number", "reason": "either_way",
          "as_decimal": "1.234", "as_thousands": "1234", "with_decimals": "1,234.00"}),
        ("$.rows[4].visits", "not_a_whole_number", {"row": 7, "column": "visits", "value": "2.5", "type": "integer"}),
        ("$.rows[4].vip", "not_yes_or_no", {"row": 7, "column": "vip", "value": "maybe", "type": "boolean"}),
    ]  # fmt: skip
    assert problems[1]["message"] == "row 5: 600111213 is already row 2"


def test_without_the_files_rows_a_problem_names_the_client_by_place() -> None:
    problems = _problems([{"phone": "600111213"}, {"phone": "600 111 213"}, {"phone": "x" * 60}])
    assert [(p["code"], p["params"]) for p in problems] == [
        ("duplicate_number", {"client": 2, "column": "phone", "number": "600111213", "first": 1}),
        ("not_a_phone_number", {"client": 3, "column": "phone", "value": "x" * 40}),
    ]
    assert problems[0]["message"] == "client 2: 600111213 is already client 1"


def test_past_fifty_problems_the_rest_are_counted_in_one() -> None:
    problems = _problems([{"phone": "no"} for _ in range(call_lists.MAX_PROBLEMS + 7)])
    assert problems[-1] == {
        "path": "$.rows",
        "code": "more_problems",
        "params": {"count": 7},
        "message": "and 7 more problems like these",
    }


def test_a_campaign_that_would_call_nobody_says_why_by_code() -> None:
    now = DUE + timedelta(days=1)
    ended = call_lists.Campaign(due=DUE, until=DUE + timedelta(hours=1))
    assert [(p["code"], p["params"]) for p in _problems([{"phone": "600111213"}], campaign=ended, now=now)] == [
        ("campaign_over", {})
    ]
    backwards = call_lists.Campaign(due=DUE, until=DUE - timedelta(hours=1))
    assert [(p["code"], p["params"]) for p in _problems([{"phone": "600111213"}], campaign=backwards)] == [
        ("campaign_ends_first", {})
    ]
    sundays = [{"days": ["sun"], "from": "09:00", "to": "10:00"}]
    closed = call_lists.Campaign(due=DUE, until=DUE + timedelta(hours=3), hours=sundays)  # 2026-06-01 is a Monday
    assert [(p["code"], p["params"]) for p in _problems([{"phone": "600111213"}], campaign=closed)] == [
        ("hours_never_open", {"end": "until"})
    ]
    endless = call_lists.Campaign(due=DUE, hours=[{"days": [], "from": "09:00", "to": "10:00"}])
    assert [(p["code"], p["params"]) for p in _problems([{"phone": "600111213"}], campaign=endless)] == [
        ("hours_never_open", {"end": "two_weeks"})
    ]
