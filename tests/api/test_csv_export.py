"""Cells of the register's CSV exports never open as formulas in a spreadsheet, and their times open as date-times."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from api.csv_export import BOM, CsvDelimiter, csv_cell, csv_chunks, named_zone, zoned_header


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+A1*2", "'+A1*2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),  # review, 2026-12-05: some spreadsheets drop a leading tab or CR, then see '='
        ("\r=1+1", "'\r=1+1"),
        ("-5", "-5"),  # a negative number stays a number
        ("+34600111222", "+34600111222"),  # so does a phone number written in full
        ("Ana García", "Ana García"),
        (None, ""),
    ],
)
def test_a_cell_that_a_spreadsheet_would_run_is_written_as_text(value: object, written: object) -> None:
    assert csv_cell(value) == written


# -- times, as a supervisor's Excel reads them ------------------------------------------------------------------
# A review found times were ISO 8601 in UTC (`2026-11-23T08:30:12.345678+00:00`), which Excel keeps as text
# (no sorting or filtering by time) and which read an hour off a Madrid office's clock.


def test_a_time_is_written_on_the_zones_clock_as_excel_reads_a_date_time_in_any_locale() -> None:
    dialled = datetime(2026, 11, 23, 8, 30, 12, 345678, tzinfo=UTC)
    assert csv_cell(dialled, ZoneInfo("Europe/Madrid")) == "2026-11-23 09:30:12"  # CET, +01:00
    assert csv_cell(dialled + timedelta(days=-200), ZoneInfo("Europe/Madrid")) == "2026-05-07 10:30:12"  # CEST
    assert csv_cell(dialled, ZoneInfo("Europe/Moscow")) == "2026-11-23 11:30:12"
    assert csv_cell(dialled) == "2026-11-23 08:30:12"  # UTC unless told
    assert csv_cell(datetime(2026, 11, 23, 8, 30, 12), ZoneInfo("Europe/Madrid")) == "2026-11-23 09:30:12"  # naive: UTC


def test_the_header_names_the_zone_of_each_time_column_and_only_of_those() -> None:
    header = zoned_header(("id", "started_at", "ended_at"), {"started_at", "ended_at"}, ZoneInfo("Europe/Madrid"))
    assert header == ["id", "started_at (Europe/Madrid)", "ended_at (Europe/Madrid)"]


def test_a_zone_kept_by_name_falls_back_to_utc_when_there_is_none_or_it_is_unknown() -> None:
    assert named_zone("Europe/Madrid") == ZoneInfo("Europe/Madrid")
    assert named_zone(None).key == named_zone("Mars/Olympus").key == named_zone(3).key == "UTC"


@pytest.mark.parametrize(("delimiter", "sep"), [("comma", ","), ("semicolon", ";")])
def test_either_delimiter_keeps_the_bom_the_escaping_and_the_times(delimiter: CsvDelimiter, sep: str) -> None:
    at = datetime(2026, 11, 23, 8, 30, 12, tzinfo=UTC)
    rows = [["=1+1", at], ["Núñez; José, hijo", None]]
    text = "".join(
        csv_chunks(["name", "at (Europe/Madrid)"], rows, zone=ZoneInfo("Europe/Madrid"), delimiter=delimiter)
    )
    assert text.startswith(BOM)
    assert list(csv.reader(io.StringIO(text.removeprefix(BOM)), delimiter=sep)) == [
        ["name", "at (Europe/Madrid)"],
        ["'=1+1", "2026-11-23 09:30:12"],
        ["Núñez; José, hijo", ""],
    ]
    assert text.removeprefix(BOM).splitlines()[1] == f"'=1+1{sep}2026-11-23 09:30:12"


def test_a_long_export_streams_in_chunks_with_one_bom() -> None:
    chunks = list(csv_chunks(["n"], ([n] for n in range(1200)), delimiter="semicolon"))
    assert len(chunks) == 3 and chunks[0].startswith(BOM) and not any(c.startswith(BOM) for c in chunks[1:])
