"""A number cell of a call list as spreadsheets and people write it, as the scenario reads it (an int or a float).

`1234.5`, `1234,5` and thousands grouped by one mark with the other as the decimal one (`1.234,56`, `1,234.56`,
`1 234,56`) are never a guess. `1.000` and `12,345` could be either: a thousand in Madrid, where the dot groups
thousands, and one in London, where it is the decimal mark (review of a Spanish bank: "1.000" was refused as no
number, and the analyst, who reads one thousand, could not tell why). Which is read, in this order, from:

1. the other numbers of its column (`thousands_mark`): a sheet exports a column in one format, so 1.000 under
   2.500,50 or 12,5 is a thousand (the column's decimal mark is the comma), and under 12.50 it is one. A column
   with numbers of both conventions says nothing;
2. the country (IVRGRAPH_DEFAULT_COUNTRY, the one phone numbers are read in), one way only: where the dot groups
   thousands (Spain, Germany, Italy, Brazil...) 1.000 is a thousand, where the comma does (the US, the UK,
   Mexico...) 1,000 is. The country's own decimal mark before three digits ("1,000" in Spain) stays refused: an
   amount with three decimals is rare, and a list exported from a system in English groups thousands with it;
3. else it is refused (`Ambiguous`), saying both readings and how to write it so it is one: 1000, or 1.000,00.

What steps 1 and 2 assumed is said where the analyst sees it: the check warns of it, column by column
(`call_lists.thousands_read`), and its preview shows each number as the scenario gets it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

DOT: Final = "."
COMMA: Final = ","

# "1234.5", "1234,5", and thousands grouped by one mark with the other as the decimal one ("1.234,56", "1,234.56",
# "1 234,56"): the forms spreadsheets export.
_PLAIN_DECIMAL: Final = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?")
_GROUPED: Final = re.compile(r"[+-]?[0-9]{1,3}(?:(?P<group>[., \u00a0])[0-9]{3})+(?:(?!(?P=group))[.,][0-9]+)?")
# One to three digits (not a lone 0: "0.500" is a half everywhere), one mark, three digits: either way.
_EITHER_WAY: Final = re.compile(r"[+-]?[1-9][0-9]{0,2}[.,][0-9]{3}")

# Where a dot groups thousands and the comma is the decimal mark (CLDR's number symbols for the country's main
# language), and where the comma groups them and the dot is the decimal mark. A country that groups with a space
# (Russia, France, Poland, Sweden, Portugal...), an apostrophe (Switzerland), or writes both (Canada) is in neither:
# it says nothing of 1.000 or 1,000.
_DOT_GROUPS_COUNTRIES: Final = frozenset(
    {"ES", "DE", "AT", "IT", "NL", "BE", "DK", "GR", "TR", "ID", "BR", "AR", "CL", "CO", "EC", "PY", "UY", "VE",
     "BO", "RS", "HR", "SI", "RO", "VN", "IS"}
)  # fmt: skip
_COMMA_GROUPS_COUNTRIES: Final = frozenset(
    {"US", "GB", "IE", "AU", "NZ", "MX", "IN", "JP", "CN", "KR", "TW", "HK", "SG", "MY", "PH", "TH", "IL", "PK",
     "NG", "KE", "GH", "PR", "DO", "GT", "HN", "SV", "NI", "PA", "PE"}
)  # fmt: skip


@dataclass(frozen=True)
class ThousandsMark:
    """How a column's numbers that could be either way (1.000, 12,345) are read: `group` is the mark that groups
    thousands in them (DOT or COMMA: the other is the decimal mark), or None (refused). `dot_groups` and
    `comma_groups`: a number of the column only that convention reads ("2.500,50", "12.50"), when there is one;
    `country`: whose custom decided, when no number of the column did."""

    group: str | None
    dot_groups: str = ""
    comma_groups: str = ""
    country: str = ""

    @property
    def by_country(self) -> bool:
        return not (self.dot_groups or self.comma_groups)

    @property
    def proof(self) -> str:
        """The number of the column that decided, if one did."""
        return self.dot_groups or self.comma_groups


@dataclass(frozen=True)
class Ambiguous:
    """A number that could be either way, and nothing says which: why (its problem's message ends with it) and the
    params that say it (`reason`: column_has_both or either_way; both readings; how to write it as one)."""

    why: str
    params: dict[str, str]


def country_group(country: str | None) -> str | None:
    """The mark `country` (ISO 3166) groups thousands with, when it is a dot or a comma; None otherwise."""
    if country in _DOT_GROUPS_COUNTRIES:
        return DOT
    return COMMA if country in _COMMA_GROUPS_COUNTRIES else None


def thousands_mark(values: Iterable[object], country: str | None) -> ThousandsMark:
    """How the numbers among `values` (a column's cells) that could be either way are read: as the column's other
    numbers prove, else as `country` groups thousands (`country_group`)."""
    dot_groups = comma_groups = ""
    for value in values:
        if not isinstance(value, str):
            continue  # an XLSX's number cell, or a value sent as a JSON number: a number already
        proven = _group_proven(value.strip())
        if proven == DOT:
            dot_groups = dot_groups or value.strip()
        elif proven == COMMA:
            comma_groups = comma_groups or value.strip()
        if dot_groups and comma_groups:
            return ThousandsMark(None, dot_groups, comma_groups)
    if dot_groups or comma_groups:
        return ThousandsMark(DOT if dot_groups else COMMA, dot_groups, comma_groups)
    return ThousandsMark(country_group(country), country=country or "")


def _group_proven(text: str) -> str | None:
    """The mark that groups thousands in `text`'s convention when `text` says it: a comma decimal mark ("12,5",
    "1 234,56") or dots grouping ("1.234.567", "2.500,50") say the dot; the other way round, the comma."""
    if _EITHER_WAY.fullmatch(text):
        return None
    if _PLAIN_DECIMAL.fullmatch(text):
        return DOT if COMMA in text else COMMA if DOT in text else None
    if found := _GROUPED.fullmatch(text):
        if found["group"] in (DOT, COMMA):
            return found["group"]
        return DOT if COMMA in text else COMMA if DOT in text else None  # "1 234,56": a space groups, the rest decimal
    return None


def could_be_either(text: str) -> bool:
    """Whether `text` is a number like 1.000 or 12,345: a thousands group or a decimal mark."""
    return _EITHER_WAY.fullmatch(text.strip()) is not None


def cell_number(text: str, mark: ThousandsMark) -> int | float | Ambiguous | None:
    """The number `text` writes (None: no number); one that could be either way is read as `mark` says: as a
    thousands group where `mark.group` is its mark, as a decimal where the column proved the other mark groups
    (a country's convention alone reads only the group, see the module)."""
    text = text.strip()
    if _EITHER_WAY.fullmatch(text):
        written = DOT if DOT in text else COMMA
        if mark.group == written:
            return int(text.replace(written, ""))
        if mark.group is not None and not mark.by_country:
            return float(text.replace(COMMA, DOT))
        return _ambiguous(text, written, mark)
    if _PLAIN_DECIMAL.fullmatch(text):
        plain = text.replace(COMMA, DOT)
    elif found := _GROUPED.fullmatch(text):
        plain = text.replace(found["group"], "").replace(COMMA, DOT)  # what is left of the marks is the decimal one
    else:
        return None
    number = float(plain)
    return int(number) if DOT not in plain and abs(number) < 2**53 else number


def _ambiguous(text: str, written: str, mark: ThousandsMark) -> Ambiguous:
    as_decimal = format(float(text.replace(COMMA, DOT)), "g")  # "1.000" is 1, "12,345" 12.345
    as_thousands = text.replace(written, "")
    with_decimals = text + (COMMA if written == DOT else DOT) + "00"  # "1.000,00": only a thousand
    params = {"as_decimal": as_decimal, "as_thousands": as_thousands, "with_decimals": with_decimals}
    name = "a dot" if written == DOT else "a comma"
    how = f": write {as_thousands}, or {with_decimals}"
    if mark.dot_groups and mark.comma_groups:
        why = (
            f": it could be {as_decimal} or {as_thousands}, and the column has numbers only a dot grouping thousands "
            f"can read ({mark.dot_groups}) and others only a comma grouping them can ({mark.comma_groups}){how}"
        )
        return Ambiguous(why, {"reason": "column_has_both", "dot_groups": mark.dot_groups,
                               "comma_groups": mark.comma_groups, **params})  # fmt: skip
    why = (
        f": it could be {as_decimal} or {as_thousands} ({name} groups thousands in some countries and is the decimal "
        f"mark in others){how}"
    )
    return Ambiguous(why, {"reason": "either_way", **params})
