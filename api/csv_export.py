"""Streamed CSV for the register's exports: a chunk of rows at a time (flat memory, no size limit), every cell
made safe to open in a spreadsheet, every time one that a spreadsheet opens as a date-time on a named clock, and
the moment each row is about also in UTC, where a clock change cannot make it ambiguous.

What the CSV and the XLSX exports (api.xlsx_export) share lives here, so the two files agree column for column:
the query parameters, the table's header and its UTC copy (`zoned_table`), the clock a time is read on
(`on_clock`) and the download's name (`report_disposition`)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Annotated, Final, Literal
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import Query
from pydantic import AfterValidator

from blocks.timewindows import zone as find_zone

_CHUNK_ROWS = 500
# What makes a spreadsheet run a cell as a formula, and their full-width forms (U+FF1D FULLWIDTH EQUALS SIGN...),
# which an East Asian input method types and a spreadsheet may read as the plain ones (security review).
_FORMULA_TRIGGERS: Final = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
# Dropped by some spreadsheets before they look at the cell (OWASP's list): escaped whatever follows them.
_DROPPED_FIRST: Final = frozenset("\t\r")
# What a trigger may start and stay a number: a sign, ASCII digits, one decimal point (+34600111222, -12.50).
_PLAIN_SIGNED_NUMBER: Final = re.compile(r"[+-][0-9]+(?:\.[0-9]+)?")
# Control characters, and the line and paragraph separators, are no part of a file name: a space each.
_NOT_IN_A_FILE_NAME = re.compile(r'[\x00-\x1f\x7f-\x9f\u2028\u2029/\\:*?"<>|;]+')
_LIST_EXTENSION = re.compile(r"\.(csv|xlsx|xls|txt)$", re.IGNORECASE)


# Excel opens a CSV as UTF-8 only when it starts with a byte order mark; without one it reads the system's code
# page, and "José Núñez" or a Cyrillic name came out garbled (review of 2026-12-05). Other readers skip it.
BOM: Final = "\ufeff"

# Times as Excel reads a date-time in any locale. ISO 8601 with its `T`, microseconds and offset stayed text there,
# so a time column could not be sorted or filtered by time. Seconds are enough to tell calls apart; a fraction
# would be written with a `.`, which a Spanish or Russian Excel does not read as one.
TIME_FORMAT: Final = "%Y-%m-%d %H:%M:%S"
UTC_ZONE: Final = ZoneInfo("UTC")

# Excel splits a CSV it opens on the list separator of the computer's regional settings: `,`, or `;` where the
# decimal separator is `,` (Spain, Russia...), where a comma file opens as one column.
CsvDelimiter = Literal["comma", "semicolon"]
_SEPARATORS: Final[dict[CsvDelimiter, str]] = {"comma": ",", "semicolon": ";"}


def _known_zone(name: str) -> str:
    if find_zone(name) is None:
        raise ValueError(f"unknown time zone {name!r}: an IANA name is expected, such as Europe/Madrid or UTC")
    return name


# Query parameters of the CSV exports; `tz` takes the names a campaign's `timezone` does (api.schemas).
TimeZoneQuery = Annotated[
    str,
    Query(
        max_length=64,
        pattern=r"^[A-Za-z_]+(/[A-Za-z0-9_+-]+){0,2}$|^UTC$",
        description="The IANA time zone the times are written in (e.g. Europe/Madrid); the header names it.",
    ),
    AfterValidator(_known_zone),
]
DelimiterQuery = Annotated[
    CsvDelimiter,
    Query(description="What separates the cells: `semicolon` for an Excel whose list separator is `;` (es, ru)."),
]


def named_zone(name: object) -> ZoneInfo:
    """The zone called `name` (a campaign's kept `timezone`), or UTC, the zone times are stored in, when there is
    none or this machine does not know it."""
    found = find_zone(name) if isinstance(name, str) else None
    return found or UTC_ZONE


def zoned_header(
    names: Sequence[str], times: Collection[str], zone: ZoneInfo, titles: Mapping[str, str] | None = None
) -> list[str]:
    """`names`, each as `titles` calls it if it does (a report in the reader's language: api.report_labels), each
    of `times` followed by the zone its cells are written in (`started_at (Europe/Madrid)`, or `Hora de inicio
    (Europe/Madrid)` in Spanish): a time without an offset is only read right when its clock is said."""
    titles = titles or {}
    return [f"{titles.get(name, name)} ({zone.key})" if name in times else titles.get(name, name) for name in names]


def zoned_table(
    names: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    times: Collection[str],
    zone: ZoneInfo,
    utc_copy: Callable[[object], object],
    in_utc_too: str | None = None,
    more_names: Sequence[str] = (),
    titles: Mapping[str, str] | None = None,
) -> tuple[list[str], Iterable[Sequence[object]]]:
    """The header and the rows of an export of `rows`, whose cells are those `names` name, then those of
    `more_names` (a call list's own columns, whose names say no clock whatever they are). Each of `times` is to be
    written on `zone`'s clock and its header says so (`zoned_header`); `in_utc_too`, the time a row is about, is
    copied right after it through `utc_copy`, which writes it on UTC's clock, when `zone` is not UTC:
    `started_at (Europe/Madrid)`, `started_at (UTC)`. The rows are read as the result is: nothing is held.

    Why: local times without an offset repeat an hour when the clock goes back (in Madrid 02:30 on 25 October 2026
    is 00:30 and 01:30 UTC; a 4 s call from 02:59:59 ends at 02:00:03). An offset in the cell makes it text to
    Excel; a `utc_offset` column's `+02:00` would start with `'` in a CSV (`csv_cell`) and be text a BI tool must
    parse. A UTC date-time is read as one by both: the moment a BI tool loads (every file has `started_at (UTC)`,
    whatever clock it was asked for), the order things happened in, and beside the local hour a supervisor pivots
    on, what tells the two 02:00 hours apart. A row's other times stay on the local clock only: its duration gives
    its end.

    `titles`: what the header calls each of `names` (`Último intento (Europe/Madrid)`, `Último intento (UTC)`),
    each its own name when none is given."""
    header = zoned_header(names, times, zone, titles)
    if in_utc_too is None or zone.key == UTC_ZONE.key:
        return [*header, *more_names], rows
    after = names.index(in_utc_too) + 1
    header.insert(after, f"{(titles or {}).get(in_utc_too, in_utc_too)} (UTC)")
    copied = ([*row[:after], utc_copy(row[after - 1]), *row[after:]] for row in rows)
    return [*header, *more_names], copied


def zoned_csv(
    names: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    times: Collection[str],
    zone: ZoneInfo,
    delimiter: CsvDelimiter = "comma",
    in_utc_too: str | None = None,
    more_names: Sequence[str] = (),
    titles: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """`csv_chunks` of the table `zoned_table` makes of `rows`: its times on `zone`'s clock, the copy of
    `in_utc_too` on UTC's, the header's names as `titles` calls them."""
    # csv_cell with its default zone: the copy is UTC's clock's text, which csv_chunks writes as it is.
    header, table = zoned_table(names, rows, times=times, zone=zone, utc_copy=csv_cell, in_utc_too=in_utc_too,
                                more_names=more_names, titles=titles)  # fmt: skip
    yield from csv_chunks(header, table, zone=zone, delimiter=delimiter)


def csv_chunks(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    zone: ZoneInfo = UTC_ZONE,
    delimiter: CsvDelimiter = "comma",
) -> Iterator[str]:
    """The CSV, a chunk of rows at a time, its times written on `zone`'s clock (the header should say which:
    `zoned_header`)."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=_SEPARATORS[delimiter])
    writer.writerow([csv_cell(name) for name in header])  # a call list names its own columns: escaped too
    for number, row in enumerate(rows, start=1):
        writer.writerow([csv_cell(value, zone) for value in row])
        if number % _CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_cell(value: object, zone: ZoneInfo = UTC_ZONE) -> object:
    if isinstance(value, datetime):
        return on_clock(value, zone).strftime(TIME_FORMAT)
    if isinstance(value, str) and _runs_as_formula(value):
        return "'" + value
    return "" if value is None else value


def _runs_as_formula(text: str) -> bool:
    """Whether a spreadsheet may run `text` as a formula: a caller name must never become one.

    Spreadsheets run a cell whose first character is = + - @ (or its full-width form); a tab or CR in front is
    dropped by some of them before they look, and spaces by an import that trims them (LibreOffice's "Trim
    spaces"; ` =cmd|'/c calc'!A0` went out as it was, security review), so the first character that is not white
    space decides, and a tab or CR first always escapes. Invisible format characters (category Cf: U+200B ZERO
    WIDTH SPACE, U+FEFF, direction marks) are looked past as white space is: a spreadsheet may drop them, and a
    reader sees none (`\u200b=cmd|...` went out as it was, security review). Only a sign before a plain number
    stays as it is, to open as a number: a phone number written in full (+34600111222) or an amount (-12.50);
    `=1 2`, `+34 600 111 222` and `-1+1` are escaped."""
    if text[:1] in _DROPPED_FIRST:
        return True
    if _first_seen(text) not in _FORMULA_TRIGGERS:
        return False
    return _PLAIN_SIGNED_NUMBER.fullmatch(text) is None


def _first_seen(text: str) -> str:
    """The first character of `text` that is neither white space nor an invisible format character, "" if none."""
    for char in text:
        if not char.isspace() and unicodedata.category(char) != "Cf":
            return char
    return ""


def on_clock(moment: datetime, zone: ZoneInfo = UTC_ZONE) -> datetime:
    """`moment` as `zone`'s clock shows it, to the second, without an offset: what a spreadsheet's date-time holds
    (it has no zones), the same second in a CSV and an XLSX. A time without an offset is UTC, as stored times are
    (SQLite gives them back without one)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(zone).replace(tzinfo=None, microsecond=0)


def report_disposition(name: str, fallback: str, *, extension: Literal["csv", "xlsx"]) -> str:
    """`Content-Disposition` of a report called `name` (a campaign's, often its list's file name), a `.csv` or
    `.xlsx` file: the name as given for browsers that read RFC 6266's `filename*`, an ASCII one for the rest;
    `fallback` when `name` leaves nothing usable. A list's own extension is dropped (`clientes.xlsx` is reported
    as `clientes.csv`, not `clientes.xlsx.csv`)."""
    stem = _LIST_EXTENSION.sub("", _NOT_IN_A_FILE_NAME.sub(" ", _without_format_characters(name))).strip(" .")
    stem = stem or fallback
    plain = re.sub(r"[^A-Za-z0-9._ -]+", "_", stem).strip("_ ") or fallback
    return f"attachment; filename=\"{plain}.{extension}\"; filename*=UTF-8''{quote(f'{stem}.{extension}', safe='')}"


def _without_format_characters(text: str) -> str:
    """`text` without Unicode's invisible format characters (category Cf): a RIGHT-TO-LEFT OVERRIDE (U+202E) in a
    campaign's name shows all that follows it backwards, the extension among it, so the download's name reads
    otherwise than it is (security review); zero-width ones make two names that read the same differ."""
    return "".join(char for char in text if unicodedata.category(char) != "Cf")
