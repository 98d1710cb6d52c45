"""A list's date cells: which number of a date with slashes is the day, from the date, its column or the country."""

from __future__ import annotations

import pytest

from persistence.cell_dates import DAY, MONTH, NOT_A_DATE, SlashOrder, Undecided, cell_date, country_order, slash_order

NOTHING = SlashOrder(None)


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("15/12/2026", "2026-12-15"),  # 15 is no month
        ("12/15/2026", "2026-12-15"),  # 15 is no month either way round
        ("5/5/2026", "2026-05-05"),  # the same date either way
        ("15/12/2026 9:05:07", "2026-12-15T09:05:07"),
        ("2026/3/4", "2026-03-04"),  # year first: year-month-day everywhere
        ("30.12.2026", "2026-12-30"),
        ("2026-12-30T10:00", "2026-12-30T10:00:00"),
    ],
)
def test_a_date_that_says_its_own_order_needs_nothing_else(text: str, read: str) -> None:
    assert cell_date(text, NOTHING) == read


@pytest.mark.parametrize("text", ["31/02/2026", "15/15/2026", "45/12/2026", "15/12/26", "12/15/2026 2:30 PM", "soon"])
def test_what_is_no_date_of_a_form_read_here_is_not_a_date(text: str) -> None:
    assert cell_date(text, SlashOrder(DAY)) is NOT_A_DATE


def test_a_date_that_could_be_either_is_read_in_the_order_given() -> None:
    assert cell_date("3/4/2026", SlashOrder(DAY)) == "2026-04-03"
    assert cell_date("3/4/2026", SlashOrder(MONTH)) == "2026-03-04"
    assert isinstance(cell_date("3/4/2026", NOTHING), Undecided)


@pytest.mark.parametrize(
    ("country", "order"),
    [("ES", DAY), ("RU", DAY), ("DE", DAY), ("FR", DAY), ("GB", DAY), ("US", MONTH), ("PR", MONTH), ("CA", None),
     ("PH", None), ("JP", None), (None, None)],
)  # fmt: skip
def test_a_country_writes_the_day_first_unless_it_is_known_not_to(country: str | None, order: str | None) -> None:
    assert country_order(country) == order


def test_a_columns_own_dates_decide_before_the_country() -> None:
    assert slash_order(["3/4/2026", "15/12/2026", None, 600111213], "US") == SlashOrder(DAY, day_first="15/12/2026")
    assert slash_order(["3/4/2026", "12/15/2026"], "ES") == SlashOrder(MONTH, month_first="12/15/2026")
    assert slash_order(["3/4/2026", "2026-12-15"], "ES") == SlashOrder(DAY, country="ES")
    assert slash_order(["3/4/2026"], None) == NOTHING
    both = slash_order(["15/12/2026", "3/4/2026", "12/15/2026"], "ES")
    assert both == SlashOrder(None, day_first="15/12/2026", month_first="12/15/2026")
    assert cell_date("3/4/2026", both) == Undecided(
        "the column has dates only day first can read (15/12/2026) and others only month first can (12/15/2026), "
        "so this one could be either",
        {"reason": "column_has_both", "day_first": "15/12/2026", "month_first": "12/15/2026"},
    )
