"""A campaign report's XLSX as a supervisor sums it: the list's own columns the scenario declares a number or a date
are numbers and dates there (review: `debt_amount` '1250.50' was text, and Excel's SUM over the column gave 0), each
number exactly as written, shown with its decimals; what does not convert, and every masked cell, stays text as it
was. The CSV keeps the cells as they were."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

from api.report_cells import typed_cell
from api.xlsx_export import DATE_NUMBER_FORMAT, TIME_NUMBER_FORMAT, XLSX_MEDIA_TYPE, WallTime, zoned_xlsx
from tests.api.conftest import Client, UserFactory
from tests.persistence import documents

DECLARED: list[dict[str, Any]] = [
    {"name": "debt_amount", "type": "number", "default": 0},
    {"name": "visits", "type": "integer", "default": 0},
    {"name": "due_date", "type": "date", "default": "2026-01-01"},
]
# As a CSV's cells come: text. A Spanish bank's column: `1.000` is a thousand, as `2.500,75` under it proves.
ROWS = [
    {"phone": "+34 600 111 222", "debt_amount": "1250,50", "visits": "3", "due_date": "30.12.2026",
     "balance": "1250.50", "note": "1250.50"},
    {"phone": "600111223", "debt_amount": "1.000", "visits": "12", "due_date": "3/4/2026", "balance": "abc",
     "note": "7"},
    {"phone": "600111224", "debt_amount": "2.500,75", "visits": "0", "due_date": "15/12/2026", "balance": "1.000",
     "note": ""},
    {"phone": "600111225", "debt_amount": "12345678901234567", "visits": "1", "due_date": "2026-12-30T14:30",
     "balance": "-0,10", "note": "x"},
]  # fmt: skip


# -- a cell, as read and as written -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "kind", "planned", "typed"),
    [
        ("1250.50", "number", None, Decimal("1250.50")),
        ("1.250,50", "number", None, Decimal("1250.50")),
        ("-0,10", "number", None, Decimal("-0.10")),
        ("1.000", "number", 1000, Decimal(1000)),  # the column said the dot groups thousands
        ("1.000", "number", 1.0, Decimal("1.000")),  # it said the dot is the decimal mark
        ("1.000", "number", None, "1.000"),  # nothing says which: as it was
        ("1,5", "integer", None, "1,5"),
        ("3/4/2026", "date", "2026-03-04", date(2026, 3, 4)),
        ("3/4/2026", "date", None, "3/4/2026"),
        ("2026-12-30T14:30", "date", None, WallTime(datetime(2026, 12, 30, 14, 30))),
        ("soon", "date", None, "soon"),
        ("[hidden: 7 characters]", "number", None, "[hidden: 7 characters]"),
        (-150.5, "number", -150.5, -150.5),  # an XLSX list's number: a number already
        (None, "number", None, None),
    ],
)
def test_a_cell_is_read_as_the_call_read_it_or_kept(cell: object, kind: str, planned: object, typed: object) -> None:
    assert typed_cell(cell, kind, planned=planned) == typed
    assert str(typed_cell(cell, kind, planned=planned)) == str(typed)  # Decimal("1.000") is not Decimal(1000) here


def test_decimals_dates_and_wall_times_are_written_typed() -> None:
    names = ["amount", "long", "day", "at"]
    rows: list[list[object]] = [
        [Decimal("1250.50"), Decimal("1234567890.123456"), date(2026, 12, 30), WallTime(datetime(2026, 12, 30, 14, 30))]
    ]
    book = zoned_xlsx(names, rows, times=(), zone=ZoneInfo("Europe/Madrid"))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(book.chunks()))).worksheets[0]
    amount, long, day, at = sheet[2]
    assert (amount.value, amount.number_format) == (1250.5, "#,##0.00")
    assert (long.value, long.data_type) == ("1234567890.123456", "s")  # 16 digits: Excel would change the last
    assert (day.value, day.number_format) == (datetime(2026, 12, 30), DATE_NUMBER_FORMAT)
    assert (at.value, at.number_format) == (datetime(2026, 12, 30, 14, 30), TIME_NUMBER_FORMAT)  # no clock moved


# -- over HTTP ----------------------------------------------------------------------------------------------------


def _document(variables: list[dict[str, Any]]) -> dict[str, Any]:
    document = documents.greeting()
    document["variables"] = variables
    return document


@pytest.fixture
def debts(admin: Client, slug: Callable[[str], str]) -> str:
    """A campaign of ROWS whose scenario declared `debt_amount`, `visits` and `due_date` when it started, and
    `balance` a number only in the version published since (its cells were never converted: `abc` went through)."""
    name = slug("debts")
    created = admin.post("/api/scenarios", json={"slug": name, "name": "Deudas", "document": _document(DECLARED)})
    assert created.status_code == 201, created.text
    assert admin.post(f"/api/scenarios/{name}/publish", json={"message": "v1"}).status_code == 200
    started = admin.post("/api/callbacks/batch", json={"scenario": name, "rows": ROWS, "due": "2030-06-01T10:00:00Z"})
    assert started.status_code == 200, started.text
    revision = admin.get(f"/api/scenarios/{name}").json()["draft"]["revision"]
    later = _document([*DECLARED, {"name": "balance", "type": "number", "default": 0}])
    assert admin.put(f"/api/scenarios/{name}/draft", json={"revision": revision, "document": later}).status_code == 200
    assert admin.post(f"/api/scenarios/{name}/publish", json={"message": "v2"}).status_code == 200
    return str(started.json()["campaign_id"])


def _report(client: Client, campaign: str) -> dict[str, list[Cell]]:
    """The report's list columns, each a column of openpyxl's cells (with their types), by its name."""
    exported = client.get(f"/api/callbacks/campaigns/{campaign}.xlsx")
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"] == XLSX_MEDIA_TYPE
    sheet = openpyxl.load_workbook(io.BytesIO(exported.content)).worksheets[0]
    assert isinstance(sheet, Worksheet)
    header, *rows = list(sheet.iter_rows())
    names = [str(cell.value) for cell in header]
    cells = [[cell for cell in row if isinstance(cell, Cell)] for row in rows]  # no merged ones in a report
    return {name: [row[index] for row in cells] for index, name in enumerate(names)}


def test_a_declared_number_is_a_number_excel_sums_exactly_as_written(admin: Client, debts: str) -> None:
    amounts = _report(admin, debts)["debt_amount"]
    assert [(cell.value, cell.data_type) for cell in amounts[:3]] == [(1250.5, "n"), (1000, "n"), (2500.75, "n")]
    # The value as written, not the float next to it: 1250.50 is 1250.5, never 1250.4999...
    assert [Decimal(repr(cell.value)) for cell in amounts[:3]] == [Decimal("1250.5"), 1000, Decimal("2500.75")]
    assert sum(Decimal(repr(cell.value)) for cell in amounts[:3]) == Decimal("4751.25")
    # One format for the column, the whole number's cell too: its decimals, a thousands separator
    # (tests/api/test_xlsx_formats.py).
    assert [cell.number_format for cell in amounts[:3]] == ["#,##0.00"] * 3
    # More digits than Excel keeps (15): text as written, not a number with its last digits changed.
    assert (amounts[3].value, amounts[3].data_type) == ("12345678901234567", "s")
    visits = _report(admin, debts)["visits"]
    assert [(cell.value, cell.data_type) for cell in visits] == [(3, "n"), (12, "n"), (0, "n"), (1, "n")]


def test_a_declared_date_is_a_date(admin: Client, debts: str) -> None:
    dates = _report(admin, debts)["due_date"]
    # 3/4/2026 as the call read it: the column's 15/12/2026 says the day comes first.
    assert [cell.value for cell in dates] == [datetime(2026, 12, 30), datetime(2026, 4, 3), datetime(2026, 12, 15),
                                              datetime(2026, 12, 30, 14, 30)]  # fmt: skip
    assert all(cell.is_date for cell in dates)
    assert [cell.number_format for cell in dates] == ["yyyy-mm-dd"] * 3 + ["yyyy-mm-dd hh:mm:ss"]


def test_what_does_not_convert_stays_text_as_it_was(admin: Client, debts: str) -> None:
    report = _report(admin, debts)
    # Declared a number only since the campaign started: `abc` stays text, and `1.000`, which nothing in its
    # column tells a thousand from a one (the call never read it), too; the others are numbers.
    balance = [(cell.value, cell.data_type) for cell in report["balance"]]
    assert balance == [(1250.5, "n"), ("abc", "s"), ("1.000", "s"), (-0.1, "n")]
    # A column no variable is declared for: text as it was, a number-looking one too.
    assert [(cell.value, cell.data_type) for cell in report["note"]] == [("1250.50", "s"), ("7", "s"), ("", "s"),
                                                                         ("x", "s")]  # fmt: skip
    assert report["phone"][1].value == "600111223" and report["phone"][1].data_type == "s"


def test_masked_cells_stay_as_they_are(user_factory: UserFactory, debts: str) -> None:
    viewer = user_factory("viewer", personal_data=False)
    masked = _report(viewer, debts)
    # Each cell as `[hidden]`, not its length (security review: `[hidden: 12 characters]` told a debt's size).
    assert [cell.value for cell in masked["debt_amount"]] == ["[hidden]"] * 4
    assert {cell.data_type for cell in masked["due_date"]} == {"s"}
    exported = viewer.get(f"/api/callbacks/campaigns/{debts}.csv")
    assert exported.status_code == 200, exported.text
    rows = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert {row[column] for row in rows for column in ("debt_amount", "due_date")} == {"[hidden]"}
    assert [row["note"] for row in rows] == ["[hidden]", "[hidden]", "", "[hidden]"]  # an empty cell holds nothing


def test_the_csv_keeps_the_cells_as_they_were(admin: Client, debts: str) -> None:
    exported = admin.get(f"/api/callbacks/campaigns/{debts}.csv")
    assert exported.status_code == 200, exported.text
    rows = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert [row["debt_amount"] for row in rows] == [row["debt_amount"] for row in ROWS]
    assert [row["due_date"] for row in rows] == [row["due_date"] for row in ROWS]


def test_the_report_uploads_back_with_the_numbers_and_dates_it_shows(admin: Client, debts: str) -> None:
    exported = admin.get(f"/api/callbacks/campaigns/{debts}.xlsx")
    read = admin.post("/api/callbacks/lists", files={"file": ("Deudas.xlsx", exported.content, XLSX_MEDIA_TYPE)})
    assert read.status_code == 200, read.text
    rows = read.json()["rows"]
    assert [row["debt_amount"] for row in rows] == [1250.5, 1000, 2500.75, "12345678901234567"]
    days = [date(2026, 12, 30), date(2026, 4, 3), date(2026, 12, 15)]
    assert [row["due_date"] for row in rows][:3] == [day.isoformat() for day in days]
