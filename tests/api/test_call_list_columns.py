"""A call list's columns chosen for the scenario's variables, over real HTTP (a Russian collections supervisor's
review): a CRM's headers (`Телефон, ФИО, Сумма долга, Срок оплаты`) fill `contact.name`, `debt_amount` and
`due_date` without renaming a column in the file; a request without a `columns` map behaves as before."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any

import openpyxl

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
    assert set(problems) == {"$.columns.debt_amount", "$.columns.balance"}
    unknown_column = problems["$.columns.debt_amount"]
    assert unknown_column["code"] == "unknown_column"
    assert unknown_column["params"] == {"variable": "debt_amount", "column": "Долг",
                                        "columns": "Телефон, ФИО, Сумма долга, Срок оплаты"}  # fmt: skip
    assert "'Долг'" in unknown_column["message"]
    unknown_variable = problems["$.columns.balance"]
    assert unknown_variable["code"] == "unknown_variable"
    assert unknown_variable["params"] == {"variable": "balance", "variables": "contact.name, debt_amount, due_date"}
    assert "'balance'" in unknown_variable["message"]
    assert admin.get("/api/callbacks/campaigns", params={"scenario": name}).json() == []
