"""Read a call list (the autoinformer's list of clients) from the file an analyst exports from Excel or a CRM.

CSV (UTF-8, comma, semicolon or tab separated, as Excel writes it in each locale; a CSV that is not UTF-8 is read
in the code page a Windows Excel saves "CSV" in, with a warning: Windows-1251 when that reads as Cyrillic text, as a
Russian Excel saves it, Windows-1252 when that reads as Western European text, as a Spanish, French or German one
does; `_in_windows_code_page`) or XLSX (the first sheet).
The first non-empty row names the columns; every other non-empty row is one client. Values come back as the
file holds them: text, or for XLSX cells numbers, booleans and ISO dates, so nothing is guessed here. What a
column means (the phone number, a scenario variable) is decided by `persistence.call_lists`, and how it will read
a column's dates with slashes is said here already, with a warning (`slash_dates_read`).

Every refusal names the row and column at fault. An XLSX is a zip of XML: its unpacked size is checked
before a byte of XML is parsed (a zip bomb), and openpyxl parses through defusedxml (entity expansion). A cell
holding a formula is read as the value the file saved for it, with a warning (`formula_value_read`); one whose
value the file does not hold is refused (`formula_cell`), not read as empty (`_FormulaValues`).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Any, Final

from persistence.call_lists import Params, problem, slash_dates_read
from persistence.errors import InvalidCallList
from persistence.phone_numbers import configured_default_country

Cell = str | int | float | bool

MAX_ROWS: Final = 20_000
MAX_COLUMNS: Final = 50
MAX_CELL_CHARS: Final = 1_000
MAX_UNPACKED_XLSX_BYTES: Final = 64 * 2**20
_XLSX_MAGIC: Final = b"PK\x03\x04"
# An element named f, a cell's formula, in a part of the workbook (<f>, <f t="shared" si="0"/>, <x:f>): text cannot
# hold one, XML writes its "<" as "&lt;".
_FORMULA_ELEMENT: Final = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
_SCAN_BYTES: Final = 2**20
_SEPARATORS: Final = (";", ",", "\t")
# What text read as Windows-1251 may hold (`_windows_1251`): the letters of Russian, Ukrainian and Belarusian
# (the alphabet, Ёё, Ukrainian's Її Єє Ґґ and dotted i, Belarusian's Ўў), and a word that mixes them with Latin
# ones is no such text. Not Serbian's or Macedonian's (Ђ, Љ, Њ, Џ...): a UTF-8 file with one broken byte, read as
# Windows-1251, is full of them ("Мария" reads "РњР°СЂРёСЏ") and is refused rather than shown as gibberish.
_LETTERS: Final = "А-яЁёІіЇїЄєҐґЎў"  # noqa: RUF001  -- Cyrillic, on purpose
_CYRILLIC: Final = re.compile(f"[{_LETTERS}]")
_MIXED_WORD: Final = re.compile(f"[A-Za-z][{_LETTERS}]|[{_LETTERS}][A-Za-z]")
# Anything else than printable ASCII, line breaks and tabs, those letters, and the punctuation a Russian sheet
# writes: no-break space, guillemets and curly quotes, dashes, №, …, °, ±, §, ©, ®, €, ·, •.
_NOT_IN_RUSSIAN_TEXT: Final = re.compile(f"[^\t\n\r\x20-\x7e{_LETTERS}\u00a0«»„“”‘’–—№…°±§©®€·•]")  # noqa: RUF001
# What text read as Windows-1252 may hold (`_windows_1252`): the Latin letters of Western European languages
# (Spanish, French, German, Portuguese, Italian, Dutch, Nordic), and the punctuation and signs their sheets write.
_ACCENTED: Final = "À-ÖØ-öø-ÿŠšŒœŽžŸ"
_LATIN: Final = f"A-Za-z{_ACCENTED}"
_NOT_IN_WESTERN_TEXT: Final = re.compile(
    f"[^\t\n\r\x20-\x7e{_ACCENTED}\u00a0¡¢£¥§©ª«®°±²³´µ·º»¼½¾¿×÷€‚„…‘’“”•–—™‰]"  # noqa: RUF001
)
# Cyrillic saved as Windows-1251 reads as words of accented letters only ("Ибрагимов" reads "Èáðàãèìîâ"); no
# Western word of two letters or more is made of them alone.
_ACCENTED_WORD: Final = re.compile(f"(?<![{_LATIN}])[{_ACCENTED}]{{2,}}(?![{_LATIN}])")
# Central European saved as Windows-1250 puts a sign inside a word ("Wrocław" reads "Wroc³aw"), as Cyrillic does
# (its Ч reads as the multiplication sign); the apostrophe, Catalan's middle dot and a no-break space are at home.
_SIGN_IN_WORD: Final = re.compile(f"[{_LATIN}][^{_LATIN}\x00-\x7f’·\u00a0][{_LATIN}]")  # noqa: RUF001
# A UTF-8 file with one broken byte holds the UTF-8 of accented letters, of Cyrillic and of typographic punctuation
# (é is C3 A9, Я is D0 AF, — is E2 80 94), which Windows-1252 reads as "Ã©", "Ð¯", "â€”": refused, not read so.
_UTF8_OF_TEXT: Final = re.compile(rb"[\xc2\xc3\xc5\xd0\xd1][\x80-\xbf]|\xe2[\x80-\x82][\x80-\xbf]")
# Where a Windows Excel saves "CSV" in Windows-1251, which decides for a file that reads as both code pages
# (`_in_windows_code_page`); and where in neither, so that a file of that country's code page is not read as
# Windows-1252 ("Dvořák" in Windows-1250 reads "Dvoøák"): Central European, Greek, Turkish, Baltic, Hebrew,
# Vietnamese, Thai and East Asian Windows.
_WINDOWS_1251_COUNTRIES: Final = frozenset({"RU", "UA", "BY", "BG", "KZ", "KG", "TJ", "UZ", "MN"})
_OTHER_CODE_PAGE_COUNTRIES: Final = frozenset(
    {"PL", "CZ", "SK", "HU", "SI", "HR", "RO", "BA", "RS", "ME", "AL", "GR", "CY", "TR", "AZ", "EE", "LV", "LT",
     "IL", "VN", "TH", "JP", "CN", "TW", "HK", "MO", "KR"}
)  # fmt: skip


@dataclass(frozen=True)
class CallList:
    columns: list[str]
    rows: list[dict[str, Cell]]  # a row's empty cells are left out
    sheet: str | None = None  # the XLSX sheet read; None for CSV
    row_numbers: list[int] = field(default_factory=list)  # each row's in the file (header and empty rows count)
    # What the analyst should know of how the file was read (`problem`s, which do not stop it): a CSV read as
    # Windows-1251 or Windows-1252 (read_as_windows_1251, read_as_windows_1252), how a column's dates with slashes
    # will be read (slash_dates_read).
    warnings: list[dict[str, Any]] = field(default_factory=list)


def read_call_list(data: bytes, filename: str = "") -> CallList:
    """The list in `data`, an XLSX (by its zip signature) or else a CSV; `InvalidCallList` naming the fault."""
    if not data.strip():
        raise _refused("empty_file", "the file is empty")
    if data.startswith(_XLSX_MAGIC):
        return _read_xlsx(data)
    if filename.lower().endswith((".xls", ".ods")):
        raise _refused("other_spreadsheet", "this is not a CSV or XLSX file: save the sheet as .xlsx or as CSV UTF-8")
    return _read_csv(data)


def _read_csv(data: bytes) -> CallList:
    warnings: list[dict[str, Any]] = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        read = _in_windows_code_page(data)
        if read is None:
            line = data[: error.start].count(b"\n") + 1
            raise _refused(
                "not_utf8",
                f"line {line} is not UTF-8 text: save the list as 'CSV UTF-8' (or as .xlsx) and upload it again",
                {"line": line},
            ) from None
        text, warning = read
        warnings.append(warning)
    if "\0" in text:
        raise _refused("not_a_list_file", "this is not a CSV or XLSX file")
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    separator = max(_SEPARATORS, key=first_line.count)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True))
    except csv.Error as error:
        raise _refused("csv_unreadable", f"the CSV cannot be read: {error}", {"detail": str(error)}) from None
    call_list = _table(([cell.strip() for cell in row] for row in rows), sheet=None)
    return replace(call_list, warnings=warnings + call_list.warnings)


def _in_windows_code_page(data: bytes) -> tuple[str, dict[str, Any]] | None:
    """`data`, not UTF-8, read in the code page a Windows Excel saves "CSV" in, with the warning that says so:
    Windows-1251 when it reads as Cyrillic text, Windows-1252 when it reads as Western European text (not in a
    country whose Windows saves in another one). Each reading refuses the other's bytes ("Muñoz" reads with a Cyrillic
    letter inside a Latin word as Windows-1251, "Ибрагимов" reads "Èáðàãèìîâ" as Windows-1252), so only a file
    whose every letter besides ASCII stands alone reads as both (French "à 10h" reads as a Cyrillic one-letter word):
    the server's country decides, and with none the file is refused. None for bytes of neither, which are refused
    rather than shown as gibberish."""
    country = configured_default_country()
    cyrillic = _windows_1251(data)
    western = None if country in _OTHER_CODE_PAGE_COUNTRIES else _windows_1252(data)
    if cyrillic is not None and western is not None:
        if country is None:
            return None
        if country in _WINDOWS_1251_COUNTRIES:
            western = None
        else:
            cyrillic = None
    if cyrillic is not None:
        message = (
            "the file is not UTF-8 and was read as Windows-1251 (Cyrillic), as a Russian Excel saves 'CSV "
            "(разделители — запятые)': check that the names in the preview read right"
        )
        return cyrillic, problem("$.file", "read_as_windows_1251", message)
    if western is not None:
        message = (
            "the file is not UTF-8 and was read as Windows-1252 (Western European), as a Spanish, French or German "
            "Excel saves 'CSV (delimitado por comas)': check that the names in the preview read right"
        )
        return western, problem("$.file", "read_as_windows_1252", message)
    return None


def _windows_1252(data: bytes) -> str | None:
    """`data` read as Windows-1252, the code page a Spanish, French, German... Windows saves CSV in ("CSV
    (delimitado por comas)", Excel's default there), when that reads as Western European text; None otherwise.

    Windows-1252 defines all but five bytes, so what they decode to decides: besides ASCII only the accented
    letters and the signs of those languages, no word of accented letters alone (Cyrillic), no sign inside a word
    (Central European), no control character; and no UTF-8 of accented letters in the bytes (a UTF-8 file with one
    broken byte, whose every "é" would read "Ã©")."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D: undefined in Windows-1252
        return None
    if _UTF8_OF_TEXT.search(data) or _NOT_IN_WESTERN_TEXT.search(text):
        return None
    if _ACCENTED_WORD.search(text) or _SIGN_IN_WORD.search(text):
        return None
    return text


def _windows_1251(data: bytes) -> str | None:
    """`data` read as Windows-1251, the code page a Russian Windows saves CSV in ("CSV (разделители — запятые)",
    Excel's default there), when that reads as Cyrillic text; None for bytes of another code page, which are
    refused as before rather than shown as gibberish.

    Any bytes decode as Windows-1251 (all but one of the 256 are characters), so what they decode to decides:
    letters only of Latin (ASCII) and of Russian (Ukrainian, Belarusian), at least one Cyrillic, no word mixing
    the two ("García" saved in Latin-1 reads "Garcнa", "Müller" "Mьller"), and besides letters only the
    punctuation a Russian sheet holds (« » — № and the like), no control character."""
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:  # 0x98, the one byte Windows-1251 leaves undefined
        return None
    if not _CYRILLIC.search(text) or _NOT_IN_RUSSIAN_TEXT.search(text) or _MIXED_WORD.search(text):
        return None
    return text


def _read_xlsx(data: bytes) -> CallList:
    # Imported here: openpyxl is loaded only by an import, not by every API process start.
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
            if unpacked > MAX_UNPACKED_XLSX_BYTES:
                mib, limit = unpacked // 2**20, MAX_UNPACKED_XLSX_BYTES // 2**20
                raise _refused(
                    "xlsx_too_big", f"the XLSX unpacks to {mib} MiB, over {limit} MiB", {"mib": mib, "limit_mib": limit}
                )
            formulas = _holds_formulas(archive)
    except zipfile.BadZipFile:
        raise _refused("xlsx_damaged", "the XLSX file is damaged (not a complete zip archive)") from None
    opened: list[Any] = []
    try:
        try:
            # openpyxl reads a cell's formula or the value saved for it, never both: a second read for the formulas,
            # only when the file has one (a read of 20,000 rows takes seconds).
            for data_only in (True, False) if formulas else (True,):
                opened.append(openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only))
        except (InvalidFileException, KeyError, ValueError, OSError, zipfile.BadZipFile) as error:
            detail = str(error)
            raise _refused("xlsx_unreadable", f"the XLSX file cannot be read: {detail}", {"detail": detail}) from None
        sheet = opened[0].worksheets[0]
        if not formulas:
            rows = ([_xlsx_cell(value) for value in row] for row in sheet.iter_rows(values_only=True))
            return _table(rows, sheet=sheet.title)
        read = _FormulaValues()
        call_list = _table(read.rows(sheet.iter_rows(), opened[1].worksheets[0].iter_rows()), sheet=sheet.title)
        return replace(call_list, warnings=read.warnings() + call_list.warnings)
    finally:
        for workbook in opened:
            workbook.close()


def _holds_formulas(archive: zipfile.ZipFile) -> bool:
    """Whether a part of the workbook holds a formula (a chart's series too: read the slower way for nothing). A
    part that cannot be unpacked is said to: openpyxl then says what is wrong with it, as for any file."""
    try:
        for member in archive.infolist():
            with archive.open(member) as part:
                tail = b""
                while chunk := part.read(_SCAN_BYTES):
                    if _FORMULA_ELEMENT.search(tail + chunk):
                        return True
                    tail = chunk[-64:]  # an element's start cut between two chunks
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
        return True
    return False


@dataclass
class _FormulaValues:
    """A sheet's cells as the file saved them, read beside its formulas (openpyxl's `data_only` read and the other).

    A formula's cell was read as the value Excel saved for it, and as empty when the file holds none: a program that
    does not calculate (openpyxl, a script) writes `=1+2` or `=HYPERLINK("http://...","x")` with no value, and
    the client's number or amount vanished from the row without a word (security review). Now such a cell is
    refused, naming its row and column (`formula_cell`); a saved value is read, and each column of formulas
    warned of once (`formula_value_read`): what a formula showed when saved is not always what the analyst sees."""

    # Each column with formulas (its index from 0): the first row holding one, and how many do.
    columns: dict[int, tuple[int, int]] = field(default_factory=dict)

    def rows(self, saved: Iterable[Sequence[Any]], written: Iterable[Sequence[Any]]) -> Iterator[list[Cell]]:
        """The rows of the sheet as `_table` reads them, from its two reads, row by row alike (one file's XML)."""
        for number, (values, cells) in enumerate(zip(saved, written, strict=True), start=1):
            yield [
                self._cell(value, cell, number, index)
                for index, (value, cell) in enumerate(zip(values, cells, strict=True))
            ]

    def _cell(self, saved: Any, written: Any, row: int, index: int) -> Cell:
        if written.data_type != "f":
            return _xlsx_cell(saved.value)
        # No value saved: None, but for text, which Excel saves empty (`t="str"`) for a formula that gives "".
        if saved.value is None and saved.data_type != "str":
            formula = _text(str(getattr(written.value, "text", written.value)))
            column = _column_letter(index)
            message = (
                f"row {row}, column {column} holds a formula ({formula}) whose value the file does not hold: open it "
                "in Excel and save it again, or paste the column as values"
            )
            raise _refused("formula_cell", message, {"row": row, "column": column, "formula": formula})
        first, count = self.columns.get(index, (row, 0))
        self.columns[index] = (first, count + 1)
        return _xlsx_cell(saved.value)

    def warnings(self) -> list[dict[str, Any]]:
        """One a column of formulas, naming it by its letter, its first such row and how many."""
        found: list[dict[str, Any]] = []
        for index, (first, count) in sorted(self.columns.items()):
            column = _column_letter(index)
            message = (
                f"column {column}: {count} cell(s) hold a formula (the first in row {first}), read as the value the "
                "file saved for it: check them in the preview"
            )
            found.append(problem("$.file", "formula_value_read", message, {"column": column, "row": first,
                                                                           "count": count}))  # fmt: skip
        return found


def _column_letter(index: int) -> str:
    """A column as a spreadsheet names it: A for the first (`index` 0), AA for the 27th."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _xlsx_cell(value: object) -> Cell:
    """A cell as the list keeps it: dates as ISO text (what spoken_date reads), whole numbers as int (a phone
    number typed into a number cell comes as 600123456.0)."""
    if value is None:
        return ""
    if isinstance(value, bool | int | str):
        return value.strip() if isinstance(value, str) else value
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0, 0) else value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M") if value.second == 0 else value.strftime("%H:%M:%S")
    return str(value).strip()


def _table(rows: Iterable[Sequence[Cell]], *, sheet: str | None) -> CallList:
    numbered = ((number, row) for number, row in enumerate(rows, start=1) if any(cell != "" for cell in row))
    header_row = next(numbered, None)
    if header_row is None:
        raise _refused("no_rows", "the list has no rows")
    header_number, header = header_row
    columns = _columns(header, header_number)
    table: list[dict[str, Cell]] = []
    numbers: list[int] = []
    for number, row in numbered:
        if len(table) == MAX_ROWS:
            message = f"the list has more than {MAX_ROWS:,} rows: split it into several lists"
            raise _refused("too_many_rows", message, {"limit": MAX_ROWS})
        table.append(_row(row, number, columns))
        numbers.append(number)
    if not table:
        message = f"the list has a header (row {header_number}) but no clients under it"
        raise _refused("no_clients", message, {"row": header_number})
    named = [name for name in columns if name]
    warnings = slash_dates_read(named, table, numbers)
    return CallList(columns=named, rows=table, sheet=sheet, row_numbers=numbers, warnings=warnings)


def _columns(header: Sequence[Cell], row_number: int) -> list[str]:
    names = [str(cell).strip() for cell in header]
    while names and not names[-1]:
        names.pop()
    if len(names) > MAX_COLUMNS:
        message = f"row {row_number} has {len(names)} columns, over {MAX_COLUMNS}"
        raise _refused("too_many_columns", message, {"row": row_number, "count": len(names), "limit": MAX_COLUMNS})
    seen: dict[str, int] = {}
    for index, name in enumerate(names, start=1):
        if len(name) > 100:
            message = f"row {row_number}, column {index}: a column name over 100 characters"
            raise _refused("column_name_too_long", message, {"row": row_number, "column": index, "limit": 100})
        if name and name in seen:
            message = f"row {row_number}: column {name!r} appears twice (columns {seen[name]} and {index})"
            params: Params = {"row": row_number, "column": name, "first": seen[name], "second": index}
            raise _refused("column_twice", message, params)
        seen[name] = index
    return names


def _row(row: Sequence[Cell], number: int, columns: list[str]) -> dict[str, Cell]:
    values: dict[str, Cell] = {}
    for index, cell in enumerate(row):
        if cell == "":
            continue
        name = columns[index] if index < len(columns) else ""
        if not name:
            message = f"row {number}, column {index + 1} holds {_shown(cell)} under no column name"
            raise _refused("cell_without_column", message, {"row": number, "column": index + 1, "value": _text(cell)})
        if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
            message = f"row {number}, {name}: over {MAX_CELL_CHARS} characters"
            raise _refused("cell_too_long", message, {"row": number, "column": name, "limit": MAX_CELL_CHARS})
        values[name] = cell
    return values


def _shown(cell: Cell) -> str:
    text = repr(cell)
    return text if len(text) <= 40 else text[:37] + "..."


def _text(cell: Cell) -> str:
    """A cell as a problem's `value` param: as the file holds it, cut as `_shown` cuts it."""
    text = str(cell)
    return text if len(text) <= 40 else text[:37] + "..."


def _refused(code: str, message: str, params: Params | None = None) -> InvalidCallList:
    """The file cannot be a list: one problem, its `code` and `params` for the designer (persistence.call_lists)."""
    return InvalidCallList([problem("$.file", code, message, params)])
