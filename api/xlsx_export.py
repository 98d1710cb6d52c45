"""XLSX for the register's exports (the call register, a campaign's report), beside api.csv_export's CSV: the same
columns, header and clocks, each cell typed as Excel keeps it. A time is a date-time, a number a number (a Decimal
exactly as written; a column's numbers share one format), a date a date (shown as the export's language writes
one), and everything else text shown as written, so none of the CSV's workarounds is needed: no byte order mark, no
`;` or `,` to pick by locale, no `'` before a cell starting with = + - @ (which a report uploaded back as a call list
kept: `'-1.234,56` for an amount), no date left as text by a locale.

Written with XlsxWriter in its constant_memory mode, which writes each row to a temporary file as the next one
starts: memory stays flat on 100k rows. An XLSX is a zip, whose directory comes last, so no byte can be sent before
the last row is written: the finished file is kept in a temporary file (in memory while small) and sent from there a
chunk at a time. The time to the first byte is what a reverse proxy's read timeout (nginx's 60 s unless set) must
outlast: 100,000 register rows take 15-17 s of CPU to write, where openpyxl's write-only workbook, which wrote
them before, took 33-46 s (bench/xlsx_export.py, on a busy 2-core VM); reading them from the database adds 7-10 s.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import chain, islice
from tempfile import SpooledTemporaryFile, TemporaryDirectory
from typing import IO, Final
from zoneinfo import ZoneInfo

from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from api.csv_export import UTC_ZONE, on_clock, zoned_table
from api.report_labels import ReportLanguage
from persistence.call_lists import problem
from persistence.errors import RequestRefused

XLSX_MEDIA_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# As the CSV writes times: the formats of an export without a language (`raw`, for BI tools) and of an English one.
TIME_NUMBER_FORMAT: Final = "yyyy-mm-dd hh:mm:ss"
DATE_NUMBER_FORMAT: Final = "yyyy-mm-dd"
# A date and a date-time as each export language writes them (review: a Russian supervisor read `2026-12-30`). Only
# how a cell is shown: the value stays a date Excel sorts, filters and subtracts.
DATE_FORMATS: Final[Mapping[ReportLanguage, tuple[str, str]]] = {
    "raw": (DATE_NUMBER_FORMAT, TIME_NUMBER_FORMAT),
    "en": (DATE_NUMBER_FORMAT, TIME_NUMBER_FORMAT),
    "es": ("dd/mm/yyyy", "dd/mm/yyyy hh:mm:ss"),
    "ru": ("dd.mm.yyyy", "dd.mm.yyyy hh:mm:ss"),
}
# A column's numbers share one format (review: `12345.67` and `980.00` above `45000` in one money column). The codes
# name Excel's separators, which it shows as the viewer's locale writes them (`12 345,67` in Russian Excel).
WHOLE_NUMBER_FORMAT: Final = "#,##0"
GENERAL_NUMBER_FORMAT: Final = "General"
_FEWEST_PLACES: Final = 2  # a column with decimals shows cents, as money is written
# A float's places past these are arithmetic's remainder (0.1 + 0.2 is 0.30000000000000004), not digits written.
_MOST_FLOAT_PLACES: Final = 6
CHUNK_BYTES: Final = 64 * 1024
IN_MEMORY_BYTES: Final = 2**20  # a finished file up to this size never touches the disk
# A sheet's rows, the header's among them. XlsxWriter drops a cell past the last row without a word (its write
# methods return -1), so the export is refused there instead of ending as a file with calls silently missing.
MAX_ROWS: Final = 1_048_576
# The characters an Excel cell holds, counted in UTF-16 units as Excel counts them (an emoji is two). XlsxWriter
# cuts a longer text silently; a cut is marked here, so nobody takes a list's column for whole when it is not.
MAX_CELL_CHARS: Final = 32_767
TRUNCATED: Final = " …[cut: an Excel cell holds 32,767 characters]"
# A character XML 1.0 cannot hold: the C0 controls but tab and line breaks, lone surrogates, U+FFFE and U+FFFF.
# XlsxWriter writes a control as Excel's `_x0007_` escape, which openpyxl (and so our call-list upload) reads back
# as those seven characters, and a lone surrogate makes its UTF-8 writer fail the whole export; a CallerID name is
# whatever the caller's network sent. Replaced by U+FFFD, the character that says one was there and could not be
# shown.
_NOT_IN_XML: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
REPLACEMENT: Final = "\ufffd"
# A line break inside a cell, as Excel's own (Alt+Enter) is: a line feed. A CR LF or a lone CR (a CallerID name as a
# network sent it, a cell typed in another program) XlsxWriter wrote as the control character it is, Excel's
# `_x000D_` escape, which openpyxl, our call-list upload and other spreadsheets showed as those seven characters.
_CARRIAGE_RETURN: Final = re.compile("\r\n?")
# Excel keeps 15 significant digits: a longer whole number (an account, a card, a number typed into a number
# column) would lose its last ones, so it is written as text, as it was given.
_EXACT_IN_EXCEL: Final = 10**15
EXCEL_DIGITS: Final = 15
# Column widths, in characters, from the header and the first rows: a guess that costs no second pass.
_ROWS_MEASURED: Final = 50
_NARROWEST, _WIDEST = 8, 60
_TIME_CHARS: Final = len("2026-11-23 09:30:12")
_OPTIONS: Final = {
    "constant_memory": True,
    # Only what write() would guess from a string's look; every text here goes through write_string, which never
    # guesses. Off all the same, so no later write() can make a caller name a formula, a link or a number.
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


@dataclass(frozen=True)
class XlsxFile:
    """A finished workbook, `size` bytes at the start of `file`, a temporary file with no name on disk (its space
    is given back when it is closed, or when a dropped download lets it be collected)."""

    file: IO[bytes]
    size: int

    def chunks(self) -> Iterator[bytes]:
        """The file a chunk at a time; closed once read, or once the download stops reading it."""
        try:
            self.file.seek(0)
            while chunk := self.file.read(CHUNK_BYTES):
                yield chunk
        finally:
            self.file.close()


@dataclass(frozen=True, slots=True)
class WallTime:
    """A time written as it reads, on no clock of the export's: the copy of `in_utc_too` on UTC's clock, beside its
    local one, or a call list's date with a time of day (api.report_cells), which names no clock."""

    moment: datetime


class _ColumnNumbers:
    """One number format for each column's numbers, known only once every row is written: a column whose numbers
    have decimals in any row shows them in all (`#,##0.00`, more places where one was written with more), a whole
    one `#,##0` when it is a quantity, General otherwise (a row, an id, a phone kept as a number: `600,111,222`
    would mislead).

    The rows are gone to disk as they are written (constant_memory), so each column's cells share a Format set at
    the end (`settle`): XlsxWriter applies a Format to a cell "not in its current state but in its final state"
    (its docs, "Modifying Formats"). It gives formats alike when first used one index, though, which a later change
    to one would not follow: each column's starts with a number format of its own, replaced before anything reads
    it."""

    def __init__(self, workbook: Workbook, quantities: Collection[int]) -> None:
        self._workbook = workbook
        self._quantities = quantities
        self._formats: dict[int, Format] = {}
        self._places: dict[int, int] = {}  # the most decimal places any of a column's numbers shows

    def format(self, column: int, number: Decimal | int | float) -> Format:
        """The format of `column`, which holds `number`."""
        shown = self._places.get(column, 0)
        if _may_show_more(number, shown):  # most cells cannot: their places are not counted again
            self._places[column] = max(shown, _places(number))
        if column not in self._formats:
            # A code no other format has, so no other takes this one's index (class doc); `settle` replaces it.
            self._formats[column] = self._workbook.add_format({"num_format": f'"column {column}"'})
        return self._formats[column]

    def settle(self) -> None:
        """Give each column's format the code its numbers, all written now, call for."""
        for column, cell in self._formats.items():
            places = self._places.get(column, 0)
            if places:
                cell.set_num_format(WHOLE_NUMBER_FORMAT + "." + "0" * max(places, _FEWEST_PLACES))
            else:
                cell.set_num_format(WHOLE_NUMBER_FORMAT if column in self._quantities else GENERAL_NUMBER_FORMAT)


def _may_show_more(number: Decimal | int | float, places: int) -> bool:
    """Whether `number` may have more decimal places than `places` (`_places` counts them), told cheaply."""
    if isinstance(number, int):
        return False
    if isinstance(number, float):
        return places < _MOST_FLOAT_PLACES and not number.is_integer()
    return -_exponent(number) > places


def _places(number: Decimal | int | float) -> int:
    """The decimal places `number` was written with, but zeros at the end (`980.00` has decimals, which `1.000`
    does not widen), at least one when it was written with any."""
    if isinstance(number, int):
        return 0
    if isinstance(number, float):
        # repr: the shortest text that is this float, as a list's cell wrote it.
        return 0 if number.is_integer() else min(-_exponent(Decimal(repr(number)).normalize()), _MOST_FLOAT_PLACES)
    if _exponent(number) >= 0:
        return 0
    return max(-_exponent(number.normalize()), 1)


def _exponent(number: Decimal) -> int:
    exponent = number.as_tuple().exponent
    return exponent if isinstance(exponent, int) else 0  # an infinity or a NaN, which is written as text


@dataclass(frozen=True)
class _Formats:
    header: Format  # bold
    time: Format  # the date-time format of the export's language (DATE_FORMATS)
    date: Format  # its date format
    plain: Format  # the default font, for the runs of a text written as rich text (`_write_text`)
    # A text with a line break: wrapped, so Excel shows each line on its own (unwrapped, it runs them together).
    wrapped: Format
    header_wrapped: Format
    numbers: _ColumnNumbers

    @classmethod
    def of(cls, workbook: Workbook, language: ReportLanguage, quantities: Collection[int]) -> _Formats:
        """`workbook`'s formats, its dates as `language` writes them; `quantities`: the columns whose whole numbers
        are amounts (`_ColumnNumbers`)."""
        date_format, time_format = DATE_FORMATS[language]
        return cls(
            header=workbook.add_format({"bold": True}),
            time=workbook.add_format({"num_format": time_format}),
            date=workbook.add_format({"num_format": date_format}),
            plain=workbook.add_format(),
            wrapped=workbook.add_format({"text_wrap": True}),
            header_wrapped=workbook.add_format({"bold": True, "text_wrap": True}),
            numbers=_ColumnNumbers(workbook, quantities),
        )


def zoned_xlsx(
    names: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    times: Collection[str],
    zone: ZoneInfo,
    in_utc_too: str | None = None,
    more_names: Sequence[str] = (),
    title: str = "export",
    titles: Mapping[str, str] | None = None,
    quantities: Collection[str] = frozenset(),
    language: ReportLanguage = "raw",
) -> XlsxFile:
    """The XLSX of the table api.csv_export.zoned_table makes of `rows` (the CSV's header, its times on `zone`'s
    clock, the copy of `in_utc_too` on UTC's, its names as `titles` calls them), in one sheet called `title`: the
    header bold, frozen and filtered, the columns as wide as the header and the first rows need. Every cell is
    typed (`_write_cell`), its dates and times shown as `language` writes them (DATE_FORMATS), the numbers of a
    column in one format (`_ColumnNumbers`): whole numbers with a thousands separator in the columns `quantities`
    names (amounts, counts of things), as Excel shows any elsewhere (rows, ids).

    More rows than a sheet holds (`MAX_ROWS`) are refused as persistence.errors.RequestRefused (a 422 from the
    API), when the first one too many comes: the rows are read as they are written, never counted first."""
    header, table = zoned_table(names, rows, times=times, zone=zone, in_utc_too=in_utc_too, more_names=more_names,
                                utc_copy=_utc_copy, titles=titles)  # fmt: skip
    spool: IO[bytes] = SpooledTemporaryFile(max_size=IN_MEMORY_BYTES)  # closed by XlsxFile.chunks, or below
    try:
        # XlsxWriter keeps the rows, then each part of the file, in temporary files of `tmpdir` until close() zips
        # them, and leaves them there when the rows stop coming half way (the database gone): the folder goes
        # with whatever is in it, so a server exporting all day cannot fill its temporary folder.
        with TemporaryDirectory(prefix="ivrgraph-xlsx-") as scratch:
            workbook = Workbook(spool, {**_OPTIONS, "tmpdir": scratch})
            try:
                columns = _column_names(header, names, more_names, in_utc_too)
                quantity_columns = {index for index, name in enumerate(columns) if name in quantities}
                _write_sheet(workbook, title, header, table, zone, _Formats.of(workbook, language, quantity_columns))
                workbook.close()
            except BaseException:
                _close_row_files(workbook)
                raise
    except BaseException:
        spool.close()
        raise
    return XlsxFile(spool, spool.seek(0, os.SEEK_END))


def _column_names(
    header: Sequence[str], names: Sequence[str], more_names: Sequence[str], in_utc_too: str | None
) -> list[str]:
    """The name of each of `header`'s columns: `names` and `more_names`, with `in_utc_too` twice when zoned_table
    copied it on UTC's clock right after it."""
    columns = [*names, *more_names]
    if in_utc_too is not None and len(header) > len(columns):
        columns.insert(names.index(in_utc_too) + 1, in_utc_too)
    return columns


def _write_sheet(
    workbook: Workbook,
    title: str,
    header: Sequence[str],
    table: Iterable[Sequence[object]],
    zone: ZoneInfo,
    formats: _Formats,
) -> None:
    sheet: Worksheet = workbook.add_worksheet(title)
    rows_read = iter(table)
    first = list(islice(rows_read, _ROWS_MEASURED))
    for column, width in enumerate(_widths(header, first)):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(1, 0)
    for column, name in enumerate(header):
        _write_text(sheet, 0, column, name, formats, header=True)  # a call list names its own columns: any text
    last_row = 0
    for number, row in enumerate(chain(first, rows_read), start=1):
        if number >= MAX_ROWS:
            raise _sheet_full()
        for column, value in enumerate(row):
            _write_cell(sheet, number, column, value, zone, formats)
        last_row = number
    # Over the data, not the header alone: Excel filters the range named, and the rows are known now.
    sheet.autofilter(0, 0, last_row, len(header) - 1)
    formats.numbers.settle()


def _write_cell(sheet: Worksheet, row: int, column: int, value: object, zone: ZoneInfo, formats: _Formats) -> None:
    """`value` as a typed cell: a date-time on `zone`'s clock, a date, a number, TRUE or FALSE, or text; nothing for
    None."""
    if value is None:
        return
    if isinstance(value, str):
        _write_text(sheet, row, column, value, formats)
    elif isinstance(value, datetime):
        sheet.write_datetime(row, column, on_clock(value, zone), formats.time)
    elif isinstance(value, WallTime):
        sheet.write_datetime(row, column, value.moment, formats.time)
    elif isinstance(value, date):  # after datetime, which is a date too
        sheet.write_datetime(row, column, value, formats.date)
    elif isinstance(value, Decimal):
        _write_decimal(sheet, row, column, value, formats)
    elif isinstance(value, bool):
        sheet.write_boolean(row, column, value)  # a call list's TRUE or FALSE cell, which a re-upload reads back
    elif (isinstance(value, int) and abs(value) < _EXACT_IN_EXCEL) or (
        isinstance(value, float) and math.isfinite(value)
    ):
        sheet.write_number(row, column, value, formats.numbers.format(column, value))
    else:
        _write_text(sheet, row, column, str(value), formats)


def _write_decimal(sheet: Worksheet, row: int, column: int, value: Decimal, formats: _Formats) -> None:
    """A number as written (`1250.50`): Excel's double nearest to it, the one Excel makes of the same typed, shown
    in its column's format, which its decimals widen. One with more digits than Excel keeps is text, as written."""
    if not value.is_finite() or len(value.as_tuple().digits) > EXCEL_DIGITS:
        _write_text(sheet, row, column, str(value), formats)
    else:
        sheet.write_number(row, column, float(value), formats.numbers.format(column, value))


def _write_text(sheet: Worksheet, row: int, column: int, text: str, formats: _Formats, *, header: bool = False) -> None:
    """`text` as a text cell, shown as written: never a formula ("=HYPERLINK(...)" as a caller name), a link or a
    number (a phone number keeps its + and leading 0s), whatever it looks like. A header's is bold; a text with a
    line break (a line feed, as `_cell_text` writes each) wraps."""
    text = _cell_text(text)
    font = formats.header if header else formats.plain
    if "\n" in text:
        cell: Format | None = formats.header_wrapped if header else formats.wrapped
    else:
        cell = formats.header if header else None
    if text.startswith("<r>") and text.endswith("</r>"):
        # XlsxWriter takes a string so shaped for the XML of its own rich text and writes it unescaped: a list's
        # cell `<r><t>a</t></r></is></c><c><f>...</f></c>...</r>` would be a formula in the file, or break it.
        # Written as two runs of one font, whose text XlsxWriter escapes, it is shown as written.
        sheet.write_rich_string(row, column, font, text[:1], font, text[1:], *([cell] if cell is not None else []))
    else:
        sheet.write_string(row, column, text, cell)


def _cell_text(text: str) -> str:
    # isprintable() is true of no character XML cannot hold, nor of a line break, and quick: most cells skip both.
    if not text.isprintable():
        text = _CARRIAGE_RETURN.sub("\n", _NOT_IN_XML.sub(REPLACEMENT, text))
    if len(text) > MAX_CELL_CHARS // 2 and _utf16_units(text) > MAX_CELL_CHARS:  # shorter ones cannot be longer
        kept = text.encode("utf-16-le")[: (MAX_CELL_CHARS - _utf16_units(TRUNCATED)) * 2]
        text = kept.decode("utf-16-le", errors="ignore") + TRUNCATED  # "ignore": half a pair cut off
    return text


def _utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _utc_copy(value: object) -> object:
    return WallTime(on_clock(value, UTC_ZONE)) if isinstance(value, datetime) else value


def _sheet_full() -> RequestRefused:
    limit = MAX_ROWS - 1
    message = (
        f"the export has more than {limit:,} rows, as many as one Excel sheet holds: narrow it (a shorter "
        "since/until range, or more filters), or export it as CSV, which has no such limit"
    )
    return RequestRefused([problem("$", "sheet_full", message, {"limit": limit})])


def _widths(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[float]:
    widths = [len(name) for name in header]
    for row in rows:
        for index, value in enumerate(row[: len(widths)]):
            widths[index] = max(widths[index], _chars(value))
    return [min(max(width + 2, _NARROWEST), _WIDEST) for width in widths]  # +2: the filter's button


def _chars(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime | WallTime):
        return _TIME_CHARS
    return max((len(line) for line in str(value).splitlines()), default=0)


def _close_row_files(workbook: Workbook) -> None:
    """Close the file of rows each sheet of an unfinished `workbook` holds open (as its close() would before
    zipping them): removing the folder gives back its space, closing gives back the descriptor now, not when the
    workbook is collected (with a ResourceWarning). XlsxWriter has no public way to drop an unfinished workbook."""
    for sheet in workbook.worksheets():
        rows_file = getattr(sheet, "row_data_fh", None)
        if rows_file is not None:
            rows_file.close()
