"""An XLSX call list's cells that hold formulas, over real HTTP (`POST /api/callbacks/lists`).

A security review: the list is read with the values Excel saved for its formulas (openpyxl's `data_only`), and a
formula whose value the file does not hold (`=1+2` or `=HYPERLINK("http://evil","x")` written by openpyxl or a
script, which calculate nothing) was read as an empty cell, with no word: the client's number or amount vanished
from its row. Such a cell is refused now, naming its row and column (`formula_cell`); a saved value is read, with a
warning once a column (`formula_value_read`).
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import openpyxl
import xlsxwriter

from tests.api.conftest import Client


def _read(client: Client, data: bytes) -> Any:
    return client.post("/api/callbacks/lists", files={"file": ("clientes.xlsx", data, "application/octet-stream")})


def _written_by_openpyxl(*rows: list[object]) -> bytes:
    """A sheet as openpyxl (or a script using it) writes one: formulas without a value, as it calculates nothing."""
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)  # type: ignore[union-attr]
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_formula_whose_value_the_file_does_not_hold_is_refused_naming_its_cell(admin: Client) -> None:
    for formula in ('=HYPERLINK("http://evil","x")', "=1+2"):
        data = _written_by_openpyxl(["phone", "nombre", "deuda"], ["+34600111222", "Ana", 10], ["+34600111223", "Luis",
                                    formula])  # fmt: skip
        refused = _read(admin, data)
        assert refused.status_code == 422, refused.text
        [problem] = refused.json()["problems"]
        assert problem["code"] == "formula_cell"
        assert problem["params"] == {"row": 3, "column": "C", "formula": formula}
        assert problem["message"].startswith(f"row 3, column C holds a formula ({formula}) whose value the file")


def test_a_formula_in_the_header_without_a_value_is_refused_too(admin: Client) -> None:
    refused = _read(admin, _written_by_openpyxl(["phone", '=A1&"2"'], ["+34600111222", "Ana"]))
    assert refused.status_code == 422, refused.text
    assert refused.json()["problems"][0]["params"] == {"row": 1, "column": "B", "formula": '=A1&"2"'}


def _saved_by_excel() -> bytes:
    """A sheet with formulas and the values Excel saved for them: a link whose text is the name, sums, and a formula
    whose value is empty text (written as Excel writes it: `t="str"` and an empty value)."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("Clientes")
    sheet.write_row(0, 0, ["phone", "nombre", "deuda", "nota"])
    sheet.write_string(1, 0, "+34600111222")
    sheet.write_formula(1, 1, '=HYPERLINK("http://crm/1","Ana")', None, "Ana")
    sheet.write_formula(1, 2, "=10+20", None, 30)
    sheet.write_formula(1, 3, '=IF(C2>100,"vip","")', None, "")
    sheet.write_string(2, 0, "+34600111223")
    sheet.write_string(2, 1, "Luis")
    sheet.write_formula(2, 2, "=40+2", None, 42)
    sheet.write_string(2, 3, "llamar tarde")
    workbook.close()
    return _as_excel_saves_empty_text(buffer.getvalue(), "D2")


def _as_excel_saves_empty_text(data: bytes, cell: str) -> bytes:
    """`data` with the formula of `cell` marked as Excel marks one whose value is text (`t="str"`): XlsxWriter writes
    an empty value without the mark."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                marked = content.replace(f'<c r="{cell}">'.encode(), f'<c r="{cell}" t="str">'.encode())
                assert marked != content
                content = marked
            target.writestr(member, content)
    return out.getvalue()


def test_a_formulas_saved_value_is_read_with_a_warning_once_a_column(admin: Client) -> None:
    read = _read(admin, _saved_by_excel())
    assert read.status_code == 200, read.text
    answer = read.json()
    assert answer["rows"] == [
        {"phone": "+34600111222", "nombre": "Ana", "deuda": 30},  # the empty text: an empty cell, left out
        {"phone": "+34600111223", "nombre": "Luis", "deuda": 42, "nota": "llamar tarde"},
    ]
    assert [(w["code"], w["params"]) for w in answer["warnings"]] == [
        ("formula_value_read", {"column": "B", "row": 2, "count": 1}),
        ("formula_value_read", {"column": "C", "row": 2, "count": 2}),
        ("formula_value_read", {"column": "D", "row": 2, "count": 1}),
    ]
    assert answer["warnings"][1]["message"] == (
        "column C: 2 cell(s) hold a formula (the first in row 2), read as the value the file saved for it: check "
        "them in the preview"
    )


def test_a_list_without_formulas_is_read_as_before_with_no_warning(admin: Client) -> None:
    data = _written_by_openpyxl(["phone", "nombre", "nota"], ["+34600111222", "Ana", "=no es una fórmula"])
    # A text cell starting with "=" is text (openpyxl writes it as a formula unless told otherwise): made text here.
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    workbook.active["C2"].data_type = "s"  # type: ignore[index]
    buffer = io.BytesIO()
    workbook.save(buffer)
    read = _read(admin, buffer.getvalue())
    assert read.status_code == 200, read.text
    assert read.json()["rows"] == [{"phone": "+34600111222", "nombre": "Ana", "nota": "=no es una fórmula"}]
    assert read.json()["warnings"] == []
