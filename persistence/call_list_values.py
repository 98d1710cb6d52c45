"""A call list's cells as the scenario's variables: the whole row is `contact`, and a column named like a variable the
scenario declares fills that variable, converted to the variable's type (a debt in `debt_amount` is a number, spoken
as an amount).

A cell is read as `persistence.cell_dates` reads a date and `persistence.cell_numbers` a number; here a column's
dates with slashes that could be either way (`slash_orders`) and its numbers such as 1.000 (`thousands_marks`) are
read one way for the whole column. Call lists and the callbacks API convert through here (`declared_values`), so a
CRM's value means what the same text in a list's cell means.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from persistence.cell_dates import NotADate, SlashOrder, cell_date, slash_order
from persistence.cell_numbers import Ambiguous, ThousandsMark, cell_number, thousands_mark
from persistence.phone_numbers import configured_default_country

CONTACT: Final = "contact"
_TRUE: Final = frozenset({"true", "yes", "y", "1", "si", "sí", "да"})
_FALSE: Final = frozenset({"false", "no", "n", "0", "нет"})
# Types a list's cell fills (`typed`); a list or object variable other than `contact` is never a column.
CELL_TYPES: Final = frozenset({"string", "number", "integer", "boolean", "date"})


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
        if kind not in CELL_TYPES or name == CONTACT:
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
