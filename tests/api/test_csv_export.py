"""Cells of the register's CSV exports never open as formulas in a spreadsheet."""

from __future__ import annotations

import pytest

from api.csv_export import csv_cell


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
