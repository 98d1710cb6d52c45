"""Streamed CSV for the register's exports: a chunk of rows at a time (flat memory, no size limit), every cell
made safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Final
from urllib.parse import quote

_CHUNK_ROWS = 500
_FORMULA_STARTS = frozenset("=+-@\t\r")
_NOT_IN_A_FILE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|;]+')
_LIST_EXTENSION = re.compile(r"\.(csv|xlsx|xls|txt)$", re.IGNORECASE)


# Excel opens a CSV as UTF-8 only when it starts with a byte order mark; without one it reads the system's code
# page, and "José Núñez" or a Cyrillic name came out garbled (review of 2026-12-05). Other readers skip it.
BOM: Final = "\ufeff"


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer)
    writer.writerow([csv_cell(name) for name in header])  # a call list names its own columns: escaped too
    for number, row in enumerate(rows, start=1):
        writer.writerow([csv_cell(value) for value in row])
        if number % _CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_cell(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    # Spreadsheets run cells starting with = + - @ as formulas: a caller name must never become one. A tab or CR
    # in front is dropped by some of them before they look (OWASP's list), so those are escaped too.
    if isinstance(value, str) and value[:1] in _FORMULA_STARTS and not value[1:].replace(" ", "").isdigit():
        return "'" + value
    return "" if value is None else value


def report_disposition(name: str, fallback: str) -> str:
    """`Content-Disposition` of a CSV report called `name` (a campaign's, often its list's file name): the name
    as given for browsers that read RFC 6266's `filename*`, an ASCII one for the rest; `fallback` when `name`
    leaves nothing usable."""
    stem = _LIST_EXTENSION.sub("", _NOT_IN_A_FILE_NAME.sub(" ", name)).strip(" .") or fallback
    plain = re.sub(r"[^A-Za-z0-9._ -]+", "_", stem).strip("_ ") or fallback
    return f"attachment; filename=\"{plain}.csv\"; filename*=UTF-8''{quote(stem + '.csv', safe='')}"
