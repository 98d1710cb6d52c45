"""Streamed CSV for the register's exports: a chunk of rows at a time (flat memory, no size limit), every cell
made safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

_CHUNK_ROWS = 500


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
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
    # Spreadsheets run cells starting with = + - @ as formulas: a caller name must never become one.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and not value[1:].replace(" ", "").isdigit():
        return "'" + value
    return "" if value is None else value
