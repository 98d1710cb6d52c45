"""A call list's columns chosen for the scenario's variables, over real HTTP (a Russian collections supervisor's
review): a CRM's headers (`Телефон, ФИО, Сумма долга, Срок оплаты`) fill `contact.name`, `debt_amount` and
`due_date` without renaming a column in the file; a request without a `columns` map behaves as before."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import openpyxl
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

from tests.api.conftest import Client
from tests.persistence import documents

HEADERS = ["Телефон", "ФИО", "Сумма долга", "Срок оплаты"]
CHOSEN = {"contact.name": "ФИО", "debt_amount": "Сумма долга", "due_date": "Срок оплаты"}


def _reminder(admin: Client, slug: str) -> None:
    """Greets `contact.name` (default "клиент"), says `debt_amount` (no default) and `due_date` (default "")."""
    document = documents.greeting("Здравствуйте, {{ contact.name }}. Долг {{ debt_amount }} до {{ due_date }}.")
    document["variables"] = [
        {"name": "contact", "type": "object", "default": {"name": "клиент"}},
        {"name": "debt_amount", "type": "number"},
        {"name": "due_date", "type": "date", "default": ""},
    ]
    created = admin.post("/api/scenarios", json={"slug": slug, "name": slug, "document": document})
    assert created.status_code == 201, created.text
    assert admin.post(f"/api/scenarios/{slug}/publish", json={"message": "v1"}).status_code == 200


def _xlsx(headers: list[str]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(headers)
    sheet.append(["+7 916 765 43 21", "Иван Петров", 1500.5, date(2026, 12, 30)])
    sheet.append(["+7 916 765 43 22", "Мария Иванова", "2 000,00", "31.12.2026"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _read(admin: Client, data: bytes, scenario: str | None = None) -> Any:
    params = {"scenario": scenario} if scenario else {}
    files = {"file": ("должники.xlsx", data, "application/octet-stream")}
    read = admin.post("/api/callbacks/lists", params=params, files=files)
    assert read.status_code == 200, read.text
    return read.json()


def _batch(admin: Client, slug: str, call_list: dict[str, Any], **more: Any) -> Any:
    body = {"scenario": slug, "number_column": "Телефон", "rows": call_list["rows"],
            "row_numbers": call_list["row_numbers"], **more}  # fmt: skip
    return admin.post("/api/callbacks/batch", json=body)


def test_reading_a_list_for_a_scenario_names_the_variables_a_column_may_fill(
    admin: Client, slug: Callable[[str], str]
) -> None:
    name = slug("ru-vars")
    _reminder(admin, name)
    call_list = _read(admin, _xlsx(HEADERS), name)
    assert call_list["columns"] == HEADERS
    assert call_list["variables"] == [
        {"variable": "contact.name", "column": "name", "required": False, "default": "клиент"},
        {"variable": "debt_amount", "column": "debt_amount", "required": True, "default": None},
        {"variable": "due_date", "column": "due_date", "required": False, "default": ""},
    ]
    # Without a scenario the list is only read, as before.
    assert _read(admin, _xlsx(HEADERS))["variables"] == []


def test_columns_chosen_for_the_variables_fill_them(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("ru-mapped")
    _reminder(admin, name)
    call_list = _read(admin, _xlsx(HEADERS), name)
    checked = _batch(admin, name, call_list, columns=CHOSEN, dry_run=True)
    assert checked.status_code == 200, checked.text
    assert checked.json()["warnings"] == []
    scheduled = _batch(admin, name, call_list, columns=CHOSEN)
    assert scheduled.status_code == 200, scheduled.text
    jobs = {job["number"]: job["variables"] for job in admin.get("/api/callbacks", params={"scenario": name}).json()}
    ivan, maria = jobs["+79167654321"], jobs["+79167654322"]
    assert ivan["contact"] == {"name": "Иван Петров", "Телефон": "+7 916 765 43 21", "ФИО": "Иван Петров",
                               "Сумма долга": 1500.5, "Срок оплаты": "2026-12-30"}  # fmt: skip
    assert (ivan["debt_amount"], ivan["due_date"]) == (1500.5, "2026-12-30")
    assert (maria["contact"]["name"], maria["debt_amount"], maria["due_date"]) == ("Мария Иванова", 2000, "2026-12-31")
    # The report keeps the file's columns, not the variables they filled.
    report = admin.get(f"/api/callbacks/campaigns/{scheduled.json()['campaign_id']}.csv").content.decode("utf-8-sig")
    assert report.splitlines()[0].endswith(",Телефон,ФИО,Сумма долга,Срок оплаты")


def test_one_column_may_fill_two_variables_and_the_phone_column_stays(
    admin: Client, slug: Callable[[str], str]
) -> None:
    name = slug("ru-twice")
    _reminder(admin, name)
    call_list = _read(admin, _xlsx(HEADERS), name)
    chosen = {"contact.name": "Телефон", "debt_amount": "Сумма долга", "due_date": "Срок оплаты"}
    checked = _batch(admin, name, call_list, columns=chosen, dry_run=True)
    assert checked.status_code == 200, checked.text
    first = checked.json()["preview"][0]
    assert first["number"] == "+79167654321"
    assert first["variables"]["contact"]["name"] == "+7 916 765 43 21"


def test_a_bad_cell_in_a_chosen_column_is_named_by_the_files_column(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("ru-bad-cell")
    _reminder(admin, name)
    call_list = _read(admin, _xlsx(HEADERS), name)
    call_list["rows"][1]["Сумма долга"] = "две тысячи"
    refused = _batch(admin, name, call_list, columns=CHOSEN, dry_run=True)
    assert refused.status_code == 422, refused.text
    (problem,) = refused.json()["problems"]
    assert (problem["code"], problem["path"]) == ("not_a_number", "$.rows[1].Сумма долга")
    assert problem["params"] == {"row": 3, "column": "Сумма долга", "value": "две тысячи", "type": "number"}


def test_without_a_map_the_list_is_checked_as_before(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("ru-unmapped")
    _reminder(admin, name)
    call_list = _read(admin, _xlsx(HEADERS), name)
    refused = _batch(admin, name, call_list, dry_run=True)
    assert refused.status_code == 422, refused.text
    (problem,) = refused.json()["problems"]
    assert problem["code"] == "columns_missing"
    assert problem["params"]["missing"] == "'debt_amount'"
    assert "rename a column in the file" in problem["message"]
    # The amount renamed in the file: called, every client hearing the defaults, and warned of.
    for row in call_list["rows"]:
        row["debt_amount"] = row.pop("Сумма долга")
    checked = _batch(admin, name, call_list, dry_run=True)
    assert checked.status_code == 200, checked.text
    (warning,) = checked.json()["warnings"]
    assert warning["code"] == "columns_defaulted"
    assert warning["params"]["reads"] == "contact.name, due_date"
    assert checked.json()["preview"][0]["variables"]["contact"]["name"] == "клиент"


def test_the_check_speaks_of_the_columns_chosen(admin: Client, slug: Callable[[str], str]) -> None:
    """Only the amount chosen: the name and the due date are the scenario's defaults, and the warning says to choose
    a column for them (the analyst has the choice in front of them), not to rename one in the file."""
    name = slug("ru-partly")
    _reminder(admin, name)
    call_list = _read(admin, _xlsx(HEADERS), name)
    checked = _batch(admin, name, call_list, columns={"debt_amount": "Сумма долга"}, dry_run=True)
    assert checked.status_code == 200, checked.text
    (warning,) = checked.json()["warnings"]
    assert warning["code"] == "columns_defaulted"
    assert warning["params"]["reads"] == "contact.name, due_date"
    assert warning["params"]["chosen"] == "debt_amount = 'Сумма долга'"
    assert "choose a column" in warning["message"]
    refused = _batch(admin, name, call_list, columns={"contact.name": "ФИО"}, dry_run=True)
    assert refused.status_code == 422, refused.text
    (problem,) = refused.json()["problems"]
    assert problem["code"] == "columns_missing" and problem["params"]["missing"] == "'debt_amount'"
    assert "choose a column" in problem["message"] and "rename" not in problem["message"]


def test_a_map_naming_an_unknown_column_or_variable_is_refused_naming_it(
    admin: Client, slug: Callable[[str], str]
) -> None:
    name = slug("ru-bad-map")
    _reminder(admin, name)
    call_list = _read(admin, _xlsx(HEADERS), name)
    refused = _batch(admin, name, call_list, columns={"debt_amount": "Долг", "balance": "Сумма долга"}, dry_run=True)
    assert refused.status_code == 422, refused.text
    problems = {problem["path"]: problem for problem in refused.json()["problems"]}
    assert set(problems) == {'$.columns["debt_amount"]', '$.columns["balance"]'}
    unknown_column = problems['$.columns["debt_amount"]']
    assert unknown_column["code"] == "unknown_column"
    assert unknown_column["params"] == {"variable": "debt_amount", "column": "Долг",
                                        "columns": "Телефон, ФИО, Сумма долга, Срок оплаты"}  # fmt: skip
    assert "'Долг'" in unknown_column["message"]
    unknown_variable = problems['$.columns["balance"]']
    assert unknown_variable["code"] == "unknown_variable"
    assert unknown_variable["params"] == {"variable": "balance", "variables": "contact.name, debt_amount, due_date"}
    assert "'balance'" in unknown_variable["message"]
    assert admin.get("/api/callbacks/campaigns", params={"scenario": name}).json() == []


def test_a_choice_is_named_by_its_key_quoted_whatever_the_key_holds(admin: Client, slug: Callable[[str], str]) -> None:
    """`$.columns.contact.name` read as a nested path, and `$.columns.` named no key at all (review)."""
    name = slug("ru-paths")
    _reminder(admin, name)
    call_list = _read(admin, _xlsx(HEADERS), name)
    chosen = {"contact.name": "Имя", "": "ФИО", 'a"b': "ФИО"}
    refused = _batch(admin, name, call_list, columns=chosen, dry_run=True)
    assert refused.status_code == 422, refused.text
    problems = {problem["path"]: problem["code"] for problem in refused.json()["problems"]}
    assert problems == {'$.columns["contact.name"]': "unknown_column", '$.columns[""]': "unknown_variable",
                        '$.columns["a\\"b"]': "unknown_variable"}  # fmt: skip


def test_an_empty_cell_in_a_chosen_column_leaves_the_default(admin: Client, slug: Callable[[str], str]) -> None:
    """A client with an empty ФИО was greeted "Здравствуйте, ." where a missing column gives the default (review)."""
    name = slug("ru-empty-cell")
    _reminder(admin, name)
    rows = [
        {"Телефон": "+7 916 765 43 21", "ФИО": "", "Сумма долга": "100", "Срок оплаты": "  "},
        {"Телефон": "+7 916 765 43 22", "ФИО": "   ", "Сумма долга": "200", "Срок оплаты": ""},
        {"Телефон": "+7 916 765 43 23", "ФИО": "Мария Иванова", "Сумма долга": "300", "Срок оплаты": "31.12.2026"},
    ]
    checked = _batch(admin, name, {"rows": rows, "row_numbers": [2, 3, 4]}, columns=CHOSEN, dry_run=True)
    assert checked.status_code == 200, checked.text
    first, second, third = (job["variables"] for job in checked.json()["preview"])
    assert first["contact"]["name"] == second["contact"]["name"] == "клиент"
    assert "due_date" not in first and "due_date" not in second  # the scenario's default, as for a missing column
    assert (third["contact"]["name"], third["due_date"]) == ("Мария Иванова", "2026-12-31")
    assert first["contact"]["ФИО"] == ""  # the row itself stays as the file has it


def _report_columns(admin: Client, campaign: str, **params: str) -> dict[str, list[Cell]]:
    exported = admin.get(f"/api/callbacks/campaigns/{campaign}.xlsx", params=params)
    assert exported.status_code == 200, exported.text
    sheet = openpyxl.load_workbook(io.BytesIO(exported.content)).worksheets[0]
    assert isinstance(sheet, Worksheet)
    header, *rows = list(sheet.iter_rows())
    cells = [[cell for cell in row if isinstance(cell, Cell)] for row in rows]
    return {str(title.value): [row[index] for row in cells] for index, title in enumerate(header)}


def test_the_xlsx_report_types_a_chosen_column_by_the_variable_it_fills(
    admin: Client, slug: Callable[[str], str]
) -> None:
    """`Сумма долга` chosen for `debt_amount` (a number) and `Срок оплаты` for `due_date` (a date): numbers Excel
    sums and dates, as a column named `debt_amount` is (review: they were text, '12345,67' and '30.12.2026')."""
    name = slug("ru-typed")
    _reminder(admin, name)
    rows = [
        {"Телефон": "+7 916 765 43 21", "ФИО": "Иван Петров", "Сумма долга": "12 345,67", "Срок оплаты": "30.12.2026"},
        {"Телефон": "+7 916 765 43 22", "ФИО": "Мария Иванова", "Сумма долга": "980", "Срок оплаты": "15.01.2027"},
    ]
    chosen = {"debt_amount": "Сумма долга", "due_date": "Срок оплаты"}
    scheduled = _batch(admin, name, {"rows": rows, "row_numbers": [2, 3]}, columns=chosen)
    assert scheduled.status_code == 200, scheduled.text
    campaign = scheduled.json()["campaign_id"]
    assert admin.get(f"/api/callbacks/campaigns/{campaign}").json()["settings"]["chosen_columns"] == chosen
    report = _report_columns(admin, campaign, lang="ru")
    amounts = report["Сумма долга"]
    assert [(cell.value, cell.data_type, cell.number_format) for cell in amounts] == [
        (12345.67, "n", "#,##0.00"), (980, "n", "#,##0.00")
    ]  # fmt: skip
    due = report["Срок оплаты"]
    assert [(cell.value, cell.is_date, cell.number_format) for cell in due] == [
        (datetime(2026, 12, 30), True, "dd.mm.yyyy"), (datetime(2027, 1, 15), True, "dd.mm.yyyy")
    ]  # fmt: skip
    # A column no variable is read from stays text: the name is no number whatever it looks like.
    assert {cell.data_type for cell in report["ФИО"]} == {"s"}
    # A whole amount is a quantity: a thousands separator, where an undeclared column's would not be.
    whole = _batch(admin, name, {"rows": rows[1:], "row_numbers": [3]}, columns=chosen)
    assert whole.status_code == 200, whole.text
    (amount,) = _report_columns(admin, whole.json()["campaign_id"])["Сумма долга"]
    assert (amount.value, amount.number_format) == (980, "#,##0")
    # The CSV keeps the cells as the file had them.
    csv = admin.get(f"/api/callbacks/campaigns/{campaign}.csv").content.decode("utf-8-sig")
    assert '"12 345,67",30.12.2026' in csv
