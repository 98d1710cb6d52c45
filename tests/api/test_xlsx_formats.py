"""How the XLSX exports show their numbers and dates, as a collections supervisor read them (review): one number
format a column, not one a cell. `debt_amount` showed `12345.67` and `980.00` (`0.00`, the decimals each cell was
written with) above `45000` and `3500` (General), with no thousands separator, and every date `yyyy-mm-dd` whatever
the export's language. The values stay typed numbers and dates: Excel still sums them."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

from api.routes.calls import PEOPLE_COLUMNS
from api.xlsx_export import zoned_xlsx
from persistence import callbacks, calls
from persistence.calls import CallRecordIn
from persistence.db import Database
from tests.api.conftest import Client, Server
from tests.persistence import documents

GENERAL = "General"
WHOLE = "#,##0"
CENTS = "#,##0.00"
# The date and the date-time formats of each export language; `raw` (no `lang`) and `en` ISO-like, as before.
DATES = {
    "raw": ("yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"),
    "en": ("yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"),
    "es": ("dd/mm/yyyy", "dd/mm/yyyy hh:mm:ss"),
    "ru": ("dd.mm.yyyy", "dd.mm.yyyy hh:mm:ss"),
}


def _columns(content: bytes) -> dict[str, list[Cell]]:
    """Each column's cells (openpyxl's, with their types and formats) under its header."""
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    assert isinstance(sheet, Worksheet)
    header, *rows = list(sheet.iter_rows())
    cells = [[cell for cell in row if isinstance(cell, Cell)] for row in rows]
    return {str(title.value): [row[index] for row in cells] for index, title in enumerate(header)}


def _written(names: list[str], rows: list[list[object]], **options: Any) -> dict[str, list[Cell]]:
    book = zoned_xlsx(names, rows, **{"times": (), "zone": ZoneInfo("Europe/Madrid"), **options})
    return _columns(b"".join(book.chunks()))


# -- the file, as written ---------------------------------------------------------------------------------------


def test_a_column_with_decimals_in_any_row_shows_them_in_every_row() -> None:
    rows: list[list[object]] = [
        [Decimal("12345.67"), 45000, 1, Decimal(3), 0.5],
        [Decimal("980.00"), 1250, 2, Decimal(4), 7],
        [Decimal(45000), 3, 3, Decimal(5), "n/a"],
        [3500, None, 4, Decimal(6), -150.25],
    ]
    columns = _written(["debt", "visits", "row", "account", "rate"], rows, quantities={"debt", "visits"})
    # The money column: its whole amounts too, past the decimals written, after them (45000 comes below 980.00).
    assert [(cell.value, cell.number_format) for cell in columns["debt"]] == [
        (12345.67, CENTS), (980, CENTS), (45000, CENTS), (3500, CENTS)
    ]  # fmt: skip
    assert [cell.data_type for cell in columns["debt"]] == ["n"] * 4
    # Whole quantities: a thousands separator; an empty cell stays empty.
    assert [cell.number_format for cell in columns["visits"][:3]] == [WHOLE] * 3 and columns["visits"][3].value is None
    # Whole numbers no quantity names (a row, an account, a phone held as a number): no separator that would read
    # `600,111,222`.
    assert {cell.number_format for cell in columns["row"] + columns["account"]} == {GENERAL}
    # Decimals show whatever column they are in; a text in it stays text.
    assert [cell.number_format for cell in columns["rate"]] == [CENTS, CENTS, GENERAL, CENTS]
    assert columns["rate"][2].data_type == "s"


def test_two_columns_that_start_alike_end_each_with_its_own_format() -> None:
    # Both columns' first numbers are whole: their formats must stay apart when one of them meets decimals.
    rows: list[list[object]] = [[1, 1], [2, Decimal("2.5")]]
    columns = _written(["visits", "debt"], rows, quantities={"visits", "debt"})
    assert [cell.number_format for cell in columns["visits"]] == [WHOLE, WHOLE]
    assert [cell.number_format for cell in columns["debt"]] == [CENTS, CENTS]


def test_more_decimals_than_two_are_shown_not_rounded_away() -> None:
    # A rate written 0.125 must not read 0.13; trailing zeros (1.000 for one) widen nothing.
    rows: list[list[object]] = [[Decimal("0.125"), Decimal("1.000"), 0.1 + 0.2], [Decimal(2), Decimal("2.50"), 1.5]]
    columns = _written(["rate", "weight", "sum"], rows)
    assert {cell.number_format for cell in columns["rate"]} == {"#,##0.000"}
    assert {cell.number_format for cell in columns["weight"]} == {CENTS}
    # A float's last places past a few are arithmetic's remainder (0.30000000000000004), not digits written.
    assert {cell.number_format for cell in columns["sum"]} == {"#,##0.000000"}


@pytest.mark.parametrize("language", list(DATES))
def test_dates_and_times_are_shown_as_the_exports_language_writes_them(language: str) -> None:
    at = datetime(2026, 11, 23, 8, 30, 12, tzinfo=UTC)
    rows: list[list[object]] = [[at, datetime(2026, 12, 30).date()]]
    columns = _written(["started_at", "due"], rows, times={"started_at"}, in_utc_too="started_at", language=language)
    day, time = DATES[language]
    local, utc, due = columns["started_at (Europe/Madrid)"][0], columns["started_at (UTC)"][0], columns["due"][0]
    assert (local.value, local.number_format, local.is_date) == (datetime(2026, 11, 23, 9, 30, 12), time, True)
    assert (utc.value, utc.number_format) == (datetime(2026, 11, 23, 8, 30, 12), time)
    assert (due.value, due.number_format, due.is_date) == (datetime(2026, 12, 30), day, True)


# -- over HTTP ----------------------------------------------------------------------------------------------------


DECLARED: list[dict[str, Any]] = [
    {"name": "debt_amount", "type": "number", "default": 0},
    {"name": "visits", "type": "integer", "default": 0},
    {"name": "due_date", "type": "date", "default": "2026-01-01"},
]
# As the supervisor's list had them: a Russian bank's amounts, one of them a number already (a JSON or XLSX list).
ROWS: list[dict[str, Any]] = [
    {"phone": "+7 900 111-22-33", "debt_amount": "12 345,67", "visits": "1200", "due_date": "30.12.2026",
     "account": 40817},
    {"phone": "+7 900 111-22-34", "debt_amount": "980,00", "visits": "3", "due_date": "15.01.2027", "account": 40818},
    {"phone": "+7 900 111-22-35", "debt_amount": "45 000", "visits": "0", "due_date": "01.02.2027", "account": 40819},
    {"phone": "+7 900 111-22-36", "debt_amount": 3500, "visits": "7", "due_date": "28.02.2027", "account": 40820},
]  # fmt: skip


@pytest.fixture
def debts(server: Server, admin: Client, slug: Callable[[str], str]) -> str:
    """A Moscow office's campaign of ROWS, its scenario declaring `debt_amount`, `visits` and `due_date`; its first
    client dialled at 09:30:12 on the office's clock and answered at 09:30:20."""
    name = slug("formats")
    document = documents.greeting()
    document["variables"] = DECLARED
    created = admin.post("/api/scenarios", json={"slug": name, "name": "Долги", "document": document})
    assert created.status_code == 201, created.text
    assert admin.post(f"/api/scenarios/{name}/publish", json={"message": "v1"}).status_code == 200
    started = admin.post("/api/callbacks/batch", json={"scenario": name, "rows": ROWS, "timezone": "Europe/Moscow",
                                                       "due": "2030-06-01T10:00:00Z"})  # fmt: skip
    assert started.status_code == 200, started.text
    first = started.json()["job_ids"][0]
    dialled = datetime(2026, 11, 23, 9, 30, 12, tzinfo=ZoneInfo("Europe/Moscow")).astimezone(UTC)
    database = Database(server.database_url)
    with database.session() as session:
        callbacks.record_attempt(session, job_id=first, outcome="answered", at=dialled)
        answered = CallRecordIn(
            call_id=f"call-{name}", scenario=name, started_at=dialled, answered_at=dialled + timedelta(seconds=8),
            ended_at=dialled + timedelta(seconds=83, milliseconds=250), outcome="ended", trace={"steps": []},
            callback_job_id=first, variables={"result": "will_pay"}, version=1,
        )  # fmt: skip
        calls.write_batch(session, records=[answered])
    database.dispose()
    return str(started.json()["campaign_id"])


def _report(client: Client, campaign: str, **params: str) -> dict[str, list[Cell]]:
    exported = client.get(f"/api/callbacks/campaigns/{campaign}.xlsx", params=params)
    assert exported.status_code == 200, exported.text
    return _columns(exported.content)


def test_a_campaign_reports_money_column_has_one_format_with_cents_and_separators(admin: Client, debts: str) -> None:
    report = _report(admin, debts)
    amounts = report["debt_amount"]
    assert [(cell.value, cell.data_type) for cell in amounts] == [(12345.67, "n"), (980, "n"), (45000, "n"),
                                                                  (3500, "n")]  # fmt: skip
    assert [cell.number_format for cell in amounts] == [CENTS] * 4
    assert sum(Decimal(repr(cell.value)) for cell in amounts) == Decimal("61825.67")  # summed as numbers
    # A whole number the scenario declares: a quantity, with a separator (1,200 visits).
    assert [(cell.value, cell.number_format) for cell in report["visits"]] == [(1200, WHOLE), (3, WHOLE), (0, WHOLE),
                                                                               (7, WHOLE)]  # fmt: skip
    # The list's undeclared whole numbers (an account), the sheet's row and the attempts: no separator.
    for column in ("account", "row", "attempts"):
        assert {(cell.data_type, cell.number_format) for cell in report[column]} == {("n", GENERAL)}, column


@pytest.mark.parametrize("language", list(DATES))
def test_a_campaign_reports_dates_follow_its_language(admin: Client, debts: str, language: str) -> None:
    report = _report(admin, debts, **({} if language == "raw" else {"lang": language}))
    day, time = DATES[language]
    due = next(cells for title, cells in report.items() if title == "due_date")
    assert [cell.value for cell in due] == [datetime(2026, 12, 30), datetime(2027, 1, 15), datetime(2027, 2, 1),
                                            datetime(2027, 2, 28)]  # fmt: skip
    assert [(cell.is_date, cell.number_format) for cell in due] == [(True, day)] * 4
    # The report's own times, whatever its language calls their columns: the first client's two, then the UTC copy.
    times = [cells[0] for title, cells in report.items() if title.endswith(("(Europe/Moscow)", "(UTC)"))]
    assert [cell.value for cell in times] == [datetime(2026, 11, 23, 9, 30, 12), datetime(2026, 11, 23, 6, 30, 12),
                                              datetime(2026, 11, 23, 9, 30, 20)]  # fmt: skip
    assert {cell.number_format for cell in times} == {time}


@pytest.mark.parametrize("language", list(DATES))
def test_the_call_registers_times_follow_its_language_and_its_duration_has_separators(
    admin: Client, debts: str, language: str
) -> None:
    scenario = admin.get(f"/api/callbacks/campaigns/{debts}").json()["scenario"]
    params = {"scenario": scenario, "tz": "Europe/Moscow", **({} if language == "raw" else {"lang": language})}
    exported = admin.get("/api/calls.xlsx", params=params)
    assert exported.status_code == 200, exported.text
    sheet = openpyxl.load_workbook(io.BytesIO(exported.content)).worksheets[0]
    assert isinstance(sheet, Worksheet)
    header = [str(cell.value) for cell in sheet[1]]
    first = [cell for cell in sheet[2] if isinstance(cell, Cell)]
    times = [first[index] for index, title in enumerate(header) if title.endswith(("(Europe/Moscow)", "(UTC)"))]
    assert times[0].value == datetime(2026, 11, 23, 9, 30, 12)
    assert {cell.number_format for cell in times if cell.value is not None} == {DATES[language][1]}
    (duration,) = [cell for cell in first if cell.value == 83250]
    assert (duration.data_type, duration.number_format) == ("n", WHOLE)  # 83,250 ms
    # Titled in words with a language: found by its place among the columns ordered for people.
    version = first[header.index("version")] if "version" in header else first[PEOPLE_COLUMNS.index("version")]
    assert (version.value, version.number_format) == (1, GENERAL)  # an id: no separator
