# ruff: noqa: RUF001  -- the full-width signs are what a spreadsheet reads as formulas, on purpose
"""What a security review found the CSV exports and their download names let through: a formula behind a space, a
full-width sign or digits and spaces (`csv_cell`), and an invisible format character in a campaign's name that
turns its report's file name around (`report_disposition`, `CallbackBatchIn.name`). The XLSX, whose cells are text,
keeps every such value as it is, never a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from urllib.parse import quote

import openpyxl
import pytest

from api.csv_export import csv_cell, report_disposition
from persistence.db import Database
from tests.api.conftest import Client, Server
from tests.persistence import documents
from tests.persistence.named_calls import write_named_calls
from tests.persistence.statements import run_statements

# A caller name a spreadsheet would run, each as the CSV writes it.
FORMULAS = {
    " =cmd|'/c calc'!A0": "' =cmd|'/c calc'!A0",  # a space first: an import that trims spaces sees the =
    "  +1+1": "'  +1+1",
    "\u3000=1+2": "'\u3000=1+2",  # an ideographic space
    "\n=1+2": "'\n=1+2",
    "＝1+2": "'＝1+2",  # full-width: an East Asian input method's =
    "＋1+2": "'＋1+2",
    "－1+2": "'－1+2",
    "＠SUM(A1)": "'＠SUM(A1)",
    "=1 2": "'=1 2",  # a trigger then digits and spaces: Excel's intersection of two ranges, a formula
    "=12": "'=12",
    "@1": "'@1",
    "+34 600 111 222": "'+34 600 111 222",  # a number written with spaces is no number to a spreadsheet
    "-1+1": "'-1+1",
    "+1.2.3": "'+1.2.3",
    "+": "'+",
    "\t5": "'\t5",  # a tab or CR first is escaped whatever follows it
    "\r5": "'\r5",
    # Invisible format characters (Unicode's category Cf) first: a spreadsheet may drop them, or a reader not see
    # them, and the formula behind them runs (security review).
    "\u200b=cmd|'/c calc'!A0": "'\u200b=cmd|'/c calc'!A0",  # ZERO WIDTH SPACE
    "\ufeff+1+1": "'\ufeff+1+1",  # ZERO WIDTH NO-BREAK SPACE, the byte order mark
    "\u2060@SUM(A1)": "'\u2060@SUM(A1)",  # WORD JOINER
    "\u200e \u200f-1+1": "'\u200e \u200f-1+1",  # direction marks around a space
    "\u00ad\u200b=1": "'\u00ad\u200b=1",  # a soft hyphen, then another
    "\u200b+34600111222": "'\u200b+34600111222",  # a plain number no more: its first character is none of it
}
KEPT = ["+34600111222", "-12.50", "-5", "+0.5", "Ana García", " Ana", "5 =1", "María=1", "", "\u200bAna",
        "\u200b"]  # fmt: skip


@pytest.mark.parametrize(("value", "written"), FORMULAS.items())
def test_a_formula_behind_white_space_a_full_width_sign_or_digits_is_escaped(value: str, written: str) -> None:
    assert csv_cell(value) == written


@pytest.mark.parametrize("value", KEPT)
def test_a_plain_signed_number_and_text_that_starts_no_formula_are_kept(value: str) -> None:
    assert csv_cell(value) == value


def _named_calls(server: Server, scenario: str) -> list[str]:
    database = Database(server.database_url)
    try:
        return write_named_calls(database, *FORMULAS, scenario=scenario, prefix=scenario)
    finally:
        database.dispose()


def test_the_registers_csv_escapes_them_and_its_xlsx_keeps_them_as_text(
    admin: Client, server: Server, slug: Callable[[str], str]
) -> None:
    scenario = slug("formulas")
    ids = _named_calls(server, scenario)
    exported = admin.get("/api/calls.csv", params={"scenario": scenario})
    assert exported.status_code == 200, exported.text
    rows = csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"), newline=""))
    written = {row["id"]: row["caller_name"] for row in rows}
    assert written == dict(zip(ids, FORMULAS.values(), strict=True))

    book = admin.get("/api/calls.xlsx", params={"scenario": scenario})
    assert book.status_code == 200, book.text
    sheet = openpyxl.load_workbook(io.BytesIO(book.content)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    at, name_at = header.index("id"), header.index("caller_name")
    cells = {row[at].value: row[name_at] for row in sheet.iter_rows(min_row=2)}
    # (A CR is left out: XlsxWriter writes it as Excel's `_x000D_`, which openpyxl reads back as those characters.)
    named = {call_id: name for call_id, name in zip(ids, FORMULAS, strict=True) if "\r" not in name}
    assert {call_id: cells[call_id].value for call_id in named} == named
    assert {cells[call_id].data_type for call_id in ids} == {"s"}  # text, never a formula ("f")


# -- the download's name ---------------------------------------------------------------------------------------

RIGHT_TO_LEFT_OVERRIDE = "\u202e"


@pytest.mark.parametrize(
    ("name", "disposition"),
    [
        (f"Deudas{RIGHT_TO_LEFT_OVERRIDE}vsc.exe",
         "attachment; filename=\"Deudasvsc.exe.csv\"; filename*=UTF-8''Deudasvsc.exe.csv"),
        ("Zero\u200bwidth\ufeff", "attachment; filename=\"Zerowidth.csv\"; filename*=UTF-8''Zerowidth.csv"),
        ("Долги\u2066 ноябрь\u2069",
         "attachment; filename=\"campaign-1.csv\"; filename*=UTF-8''" + quote("Долги ноябрь.csv", safe="")),
        ("Line\u2028break\u0085.xlsx", "attachment; filename=\"Line break.csv\"; filename*=UTF-8''Line%20break.csv"),
    ],
)  # fmt: skip
def test_a_download_name_keeps_no_invisible_format_or_control_character(name: str, disposition: str) -> None:
    assert report_disposition(name, "campaign-1", extension="csv") == disposition


def _published(admin: Client, scenario: str) -> None:
    created = admin.post("/api/scenarios", json={"slug": scenario, "name": "list", "document": documents.greeting()})
    assert created.status_code == 201, created.text
    assert admin.post(f"/api/scenarios/{scenario}/publish", json={"message": "v1"}).status_code == 200


def test_a_campaign_named_with_a_format_character_is_refused_naming_it(
    admin: Client, slug: Callable[[str], str]
) -> None:
    scenario = slug("rlo")
    _published(admin, scenario)
    batch = {"scenario": scenario, "rows": [{"phone": "+34600111222"}], "dry_run": True}
    refused = admin.post("/api/callbacks/batch", json={**batch, "name": f"Deudas{RIGHT_TO_LEFT_OVERRIDE}vsc.exe"})
    assert refused.status_code == 422, refused.text
    [problem] = refused.json()["problems"]
    assert (problem["path"], problem["code"]) == ("$.name", "format_character")
    assert problem["params"]["character"] == "U+202E"
    # The joiners Persian and Indic words are spelt with are part of a name.
    kept = admin.post("/api/callbacks/batch", json={**batch, "name": "بدهی\u200cها"})
    assert kept.status_code == 200, kept.text


def test_a_campaign_named_so_before_is_downloaded_under_a_name_without_it(
    admin: Client, server: Server, slug: Callable[[str], str]
) -> None:
    scenario = slug("rlo-kept")
    _published(admin, scenario)
    created = admin.post("/api/callbacks/batch", json={"scenario": scenario, "rows": [{"phone": "+34600111222"}],
                                                       "name": "Deudas"})  # fmt: skip
    assert created.status_code == 200, created.text
    campaign = created.json()["campaign_id"]
    renamed = {"name": f"Deudas{RIGHT_TO_LEFT_OVERRIDE}vsc.exe", "id": campaign}  # as a release before this one kept it
    run_statements(server.database_url, ("UPDATE campaigns SET name = :name WHERE id = :id", renamed))
    for extension in ("csv", "xlsx"):
        report = admin.get(f"/api/callbacks/campaigns/{campaign}.{extension}")
        assert report.status_code == 200, report.text
        disposition = report.headers["content-disposition"]
        assert disposition == (
            f"attachment; filename=\"Deudasvsc.exe.{extension}\"; filename*=UTF-8''Deudasvsc.exe.{extension}"
        )
