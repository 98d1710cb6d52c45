"""A campaign report's list cells typed for its XLSX by the variable each column fills: a column the scenario declares
a number (or a whole number) is numbers, one it declares a date dates, so a supervisor's Excel sums the debts (review:
`debt_amount` '1250.50' was text, and SUM gave 0). The CSV keeps every cell as the list had it.

A cell is read as the call read it (persistence.call_list_values `typed`), with one difference: the call read a
column's `1.000` or `3/4/2026` as the column's other cells said (`thousands_marks`, `slash_orders`), which the report,
written a row at a time, does not know. Such a cell is read both ways, and the reading the client's job was planned
with (its variable, converted when the list was started) is the one kept; a cell of a column declared since, which the
call never read, has no such reading and stays text. So no cell says another number than the call had.

A number is a Decimal of the digits written (`1250,50` is 1250.50: api.xlsx_export writes Excel's double nearest to
it, and its decimals make its whole column show two), never a float's neighbour (1250.4999...). A date with a time
of day is a time on no clock (xlsx_export.WallTime): the list names none. Anything that does not convert, or would
not be exact in Excel, stays text as it was.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Final

from api.xlsx_export import EXCEL_DIGITS, WallTime
from persistence.call_list_values import declared_values
from persistence.cell_dates import DAY, MONTH, SlashOrder
from persistence.cell_numbers import COMMA, DOT, ThousandsMark

NUMBER_KINDS: Final = frozenset({"number", "integer"})
TYPED_KINDS: Final = NUMBER_KINDS | {"date"}
# Each way a cell can be read that a column could say: the dot groups thousands or the comma does; the day comes
# first or the month does. A proof is given, as a column's cell would: without one, a number such as 1.000 read
# the dot's way would be refused as a country's guess (persistence.cell_numbers).
_READINGS: Final = (
    (ThousandsMark(DOT, dot_groups="2.500,50"), SlashOrder(DAY, day_first="15/12/2026")),
    (ThousandsMark(COMMA, comma_groups="2,500.50"), SlashOrder(MONTH, month_first="12/15/2026")),
)
# What follows a number's decimal mark, when it has one: the last dot or comma before the digits that end it.
_DECIMALS: Final = re.compile(r"[.,]([0-9]+)\s*$")
_CELL: Final = "cell"


def typed_kinds(declared: Mapping[str, str], columns: list[str]) -> dict[str, str]:
    """The list's columns a report types, each with its variable's type (`declared`: name -> type)."""
    return {column: declared[column] for column in columns if declared.get(column) in TYPED_KINDS}


def typed_cell(cell: object, kind: str, *, planned: object = None) -> object:
    """`cell` of a column whose variable is of type `kind`: a Decimal for a number, a date (or a WallTime, with a
    time of day) for a date, else `cell` as it was. `planned`: the variable's value the client's job was planned
    with, which picks between two readings of a cell that could be either (module doc)."""
    if not isinstance(cell, str) or kind not in TYPED_KINDS:
        return cell  # an XLSX list's number is a number already; a masked cell, or none, stays as it is
    readings: list[object] = []
    for thousands, order in _READINGS:
        converted, _ = declared_values({_CELL: cell}, {_CELL: kind}, slash_orders={_CELL: order},
                                       thousands={_CELL: thousands})  # fmt: skip
        if _CELL in converted and converted[_CELL] not in readings:
            readings.append(converted[_CELL])
    if len(readings) > 1:
        readings = [reading for reading in readings if reading == planned]
    if len(readings) != 1:
        return cell
    (reading,) = readings
    shown = _number(reading, cell) if kind in NUMBER_KINDS else _date(reading)
    return cell if shown is None else shown


def _number(reading: object, cell: str) -> Decimal | None:
    """The number `cell` writes as a Decimal of its digits and the decimals it was written with; None when Excel
    would not keep it exactly (more than 15 digits)."""
    if isinstance(reading, bool) or not isinstance(reading, int | float):
        return None
    if isinstance(reading, int):
        number = Decimal(reading)
    else:
        # repr: the shortest text that is this float, which is the text read when it held 15 digits or fewer.
        read = Decimal(repr(reading))
        written = _DECIMALS.search(cell)
        number = read.quantize(Decimal(1).scaleb(-len(written[1]))) if written else read
        if number != read:
            return None  # more decimals than a float keeps: not exact
    return number if len(number.as_tuple().digits) <= EXCEL_DIGITS else None


def _date(reading: object) -> date | WallTime | None:
    """A date read as ISO 8601 (persistence.cell_dates): a date, or a time on no clock with its time of day."""
    if not isinstance(reading, str):
        return None
    if len(reading) == len("2026-12-30"):
        return date.fromisoformat(reading)
    moment = datetime.fromisoformat(reading)
    return WallTime(moment) if moment.tzinfo is None else None
