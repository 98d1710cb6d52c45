"""A line break inside a cell of the XLSX exports is a line break in Excel, never `_x000D_`.

A carriage return (a CallerID name `Ana\\r\\nGarcía` as a caller's network sent it, an address of a call list typed in
another program) was written as XlsxWriter writes a control character: Excel's `_x000D_` escape, which openpyxl, our
own call-list upload and several spreadsheet programs show as those seven characters (`Ana_x000D_` then the line).
Excel's own line break inside a cell (Alt+Enter) is a line feed alone, shown on its own line when the cell wraps: a
CR LF, or a CR alone, is written as that, in a cell that wraps. Read back with openpyxl, from the file and from the
call register's export over real HTTP."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from api.xlsx_export import zoned_xlsx
from persistence import calls
from persistence.calls import CallRecordIn
from persistence.db import Database
from tests.api.conftest import Client, Server


def _sheet(content: bytes) -> Worksheet:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    assert isinstance(sheet, Worksheet)
    return sheet


def test_cr_and_crlf_in_a_cell_are_a_line_break_in_a_cell_that_wraps() -> None:
    rows: list[list[object]] = [
        ["Ana\r\nGarcía", "Calle Mayor 1\r\n28013 Madrid\r\n"],
        ["Bea\rLópez", "one line"],
        ["Carlos\nRuiz", "\r"],
    ]
    written = zoned_xlsx(["name", "address\r\n(home)"], rows, times=(), zone=ZoneInfo("UTC"))
    sheet = _sheet(b"".join(written.chunks()))
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values == [
        ["name", "address\n(home)"],
        ["Ana\nGarcía", "Calle Mayor 1\n28013 Madrid\n"],
        ["Bea\nLópez", "one line"],
        ["Carlos\nRuiz", "\n"],
    ]
    assert not any("_x000D_" in str(value) for row in values for value in row)
    wraps = [[bool(cell.alignment.wrap_text) for cell in row] for row in sheet.iter_rows()]
    assert wraps == [[False, True], [True, True], [True, False], [True, True]]
    assert sheet["B1"].font.b  # a header that wraps is bold still


def test_a_caller_name_with_a_carriage_return_in_the_call_registers_xlsx(
    admin: Client, server: Server, slug: Callable[[str], str]
) -> None:
    scenario = slug("xlsx-cr")
    at = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    record = CallRecordIn(call_id=f"{scenario}-1", scenario=scenario, started_at=at, outcome="hung_up",
                          trace={"steps": []}, caller_id="+34600111222", caller_name="Ana\r\nGarcía")  # fmt: skip
    database = Database(server.database_url)
    with database.session() as session:
        calls.write_batch(session, records=[record])
    database.dispose()
    exported = admin.get("/api/calls.xlsx", params={"scenario": scenario})
    assert exported.status_code == 200, exported.text
    sheet = _sheet(exported.content)
    names = [str(cell.value) for cell in sheet[1]]
    [row] = list(sheet.iter_rows(min_row=2))
    name = row[names.index("caller_name")]
    assert (name.value, name.data_type, bool(name.alignment.wrap_text)) == ("Ana\nGarcía", "s", True)
