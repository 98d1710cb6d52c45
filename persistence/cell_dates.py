"""A date cell of a call list as spreadsheets and people write it, as the scenario reads it (ISO 8601).

`2026-12-30` (with a time of day or not) and `30.12.2026` (dots are day first everywhere) are never a guess. A date
with slashes is day first in Madrid (15/12/2026) and month first in Boston (12/15/2026); which number is the day is
read, in this order, from:

1. the date itself: a first number over 12 is the day (15/12/2026), a second one over 12 is (12/15/2026), and the
   same number twice (5/5/2026) is one date either way;
2. the other dates of its column (`slash_order`): a sheet exports a column in one format, so 3/4/2026 under
   15/12/2026 is the 3rd of April. A column with dates only day first can read and others only month first can
   says nothing: its dates that could be either are refused;
3. the country (IVRGRAPH_DEFAULT_COUNTRY, the one phone numbers are read in): most write the day first; the US
   (and the places on its conventions) the month first; where both are written (Canada, the Philippines...) or
   the year comes first and no order of the other two is settled (China, Japan, Hungary...), and with no country
   set, such a date is refused (`Undecided`), saying why.

Year first with slashes (2026/12/30, as Japanese or South African Excel writes it) is year-month-day everywhere.
A two-digit year (15/12/26) is refused, as with dots: which century is not guessed.

What steps 2 and 3 assumed is said where the analyst sees it: reading the file warns of it, column by column
(`call_lists.slash_dates_read`), and the check's preview shows each date as the scenario gets it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Final

DAY: Final = "day"
MONTH: Final = "month"

_TIME_OF_DAY: Final = r"(?: (?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2}))?)?"
# 2026-12-30, or with a time of day (and its offset): 2026-12-30T10:00, 2026-12-30 10:00:00+01:00.
_ISO: Final = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2})?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?"
)
# 30.12.2026, 5.1.2026, 30.12.2026 14:30(:00): how Russian, German... Excel writes a date cell into a CSV.
_DOTTED: Final = re.compile(r"(?P<day>[0-9]{1,2})\.(?P<month>[0-9]{1,2})\.(?P<year>[0-9]{4})" + _TIME_OF_DAY)
# 15/12/2026, 12/15/2026, 3/4/2026 14:30: day or month first (`_first`).
_SLASHED: Final = re.compile(r"(?P<one>[0-9]{1,2})/(?P<two>[0-9]{1,2})/(?P<year>[0-9]{4})" + _TIME_OF_DAY)
# 2026/12/30: year, month, day.
_YEAR_SLASHED: Final = re.compile(r"(?P<year>[0-9]{4})/(?P<month>[0-9]{1,2})/(?P<day>[0-9]{1,2})" + _TIME_OF_DAY)

# Where the month comes first: the US, its territories, and the Pacific states on its conventions.
_MONTH_FIRST_COUNTRIES: Final = frozenset({"US", "AS", "GU", "MP", "PR", "UM", "VI", "FM", "MH", "PW"})
# Where both orders are written, or the year comes first and the order of the other two is not settled.
_EITHER_ORDER_COUNTRIES: Final = frozenset(
    {"CA", "PH", "BZ", "SA", "CN", "HK", "JP", "KR", "KP", "TW", "HU", "LT", "MN", "IR"}
)


@dataclass(frozen=True)
class SlashOrder:
    """How a column's dates with slashes that could be either way (3/4/2026) are read: `first` is DAY or MONTH, or
    None (refused). `day_first` and `month_first`: a date of the column only that order can read, when there is
    one; `country`: whose custom decided, when no date of the column did."""

    first: str | None
    day_first: str = ""
    month_first: str = ""
    country: str = ""

    @property
    def by_country(self) -> bool:
        return not (self.day_first or self.month_first)


@dataclass(frozen=True)
class Undecided:
    """A date with slashes that could be either way, and nothing says which: why (its problem's message ends with
    it) and the params that say it (`reason`: column_has_both, country_either_way or no_country)."""

    why: str
    params: dict[str, str]


class NotADate:
    """No date, or none of a form read here (31.02.2026, 15/12/26, soon)."""


NOT_A_DATE: Final = NotADate()


def country_order(country: str | None) -> str | None:
    """How `country` (ISO 3166) writes a date with slashes: DAY or MONTH first, None when it writes both or sets no
    order (and for no country)."""
    if country is None or country in _EITHER_ORDER_COUNTRIES:
        return None
    return MONTH if country in _MONTH_FIRST_COUNTRIES else DAY


def slash_order(values: Iterable[object], country: str | None) -> SlashOrder:
    """How the slash dates among `values` (a column's cells) that could be either way are read: the order the
    column's other dates prove, else `country`'s (`country_order`)."""
    day_first = month_first = ""
    for value in values:
        if not isinstance(value, str) or "/" not in value:
            continue
        found = _SLASHED.fullmatch(value.strip())
        if found is None:
            continue
        one, two = int(found["one"]), int(found["two"])
        if 12 < one <= 31 and two <= 12:
            day_first = day_first or value.strip()
        elif 12 < two <= 31 and one <= 12:
            month_first = month_first or value.strip()
        if day_first and month_first:
            return SlashOrder(None, day_first, month_first)
    if day_first or month_first:
        return SlashOrder(DAY if day_first else MONTH, day_first, month_first)
    return SlashOrder(country_order(country), country=country or "")


def could_be_either(text: str) -> bool:
    """Whether `text` is a date with slashes whose day and month could be either number (3/4/2026)."""
    found = _SLASHED.fullmatch(text.strip())
    return found is not None and _first(found) is None


def cell_date(text: str, order: SlashOrder) -> str | NotADate | Undecided:
    """The date `text` writes, as ISO 8601 (a date with a time of day keeps it: 2026-12-30T14:30:00); a date with
    slashes that could be either way is read in `order`."""
    text = text.strip()
    try:
        if _ISO.fullmatch(text):
            return date.fromisoformat(text).isoformat() if len(text) == 10 else datetime.fromisoformat(text).isoformat()
        if found := _DOTTED.fullmatch(text) or _YEAR_SLASHED.fullmatch(text):
            return _date(found, int(found["day"]), int(found["month"]))
        if found := _SLASHED.fullmatch(text):
            first = _first(found) or order.first
            if first is None:
                return _undecided(order)
            one, two = int(found["one"]), int(found["two"])
            return _date(found, *((one, two) if first == DAY else (two, one)))
    except ValueError:  # 2026-02-30, 31.02.2026, 30/12/2026 25:00
        return NOT_A_DATE
    return NOT_A_DATE


def _first(found: re.Match[str]) -> str | None:
    """Which of a slash date's numbers is the day, when the numbers say it: one over 12 can only be the day (and
    the other, then, the month: 15/15/2026 is no date), the same number twice is one date either way."""
    one, two = int(found["one"]), int(found["two"])
    if one > 12 or one == two:
        return DAY
    return MONTH if two > 12 else None


def _date(found: re.Match[str], day: int, month: int) -> str:
    """The date `found` writes as ISO, with its time of day when it has one (as ISO's with a time is kept)."""
    written = date(int(found["year"]), month, day)
    if found["hour"] is None:
        return written.isoformat()
    clock = time(int(found["hour"]), int(found["minute"]), int(found["second"] or 0))
    return datetime.combine(written, clock).isoformat()


_EITHER_WAY: Final = "a date with slashes is month first in some countries and day first in others"


def _undecided(order: SlashOrder) -> Undecided:
    if order.day_first and order.month_first:
        why = (
            f"the column has dates only day first can read ({order.day_first}) and others only month first can "
            f"({order.month_first}), so this one could be either"
        )
        return Undecided(why, {"reason": "column_has_both", "day_first": order.day_first,
                               "month_first": order.month_first})  # fmt: skip
    if order.country:
        why = f"{_EITHER_WAY}, and the server's country ({order.country}) has no one order for them"
        return Undecided(why, {"reason": "country_either_way", "country": order.country})
    why = f"{_EITHER_WAY}, and neither the list nor a country set on the server (IVRGRAPH_DEFAULT_COUNTRY) says which"
    return Undecided(why, {"reason": "no_country"})
