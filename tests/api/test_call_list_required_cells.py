"""A call list's row with an empty cell for what the scenario reads and gives no default, over real HTTP: the column
is there (other rows fill it), so the list passed its check, and that client's call then failed where the scenario
read it, the client hearing silence. Now each such row is named at once, and the list is not scheduled until fixed."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import openpyxl

from tests.api.conftest import Client
from tests.persistence import documents


def _reminder(admin: Client, slug: str) -> None:
    """Reads `contact.name` and `contract` (neither with a default) and `region` (default "Madrid")."""
    document = documents.greeting("Hola, {{ contact.name }}. Contrato {{ contract }}, {{ region }}.")
    document["variables"] = [
        {"name": "contact", "type": "object", "default": {}},
        {"name": "contract", "type": "string"},
        {"name": "region", "type": "string", "default": "Madrid"},
    ]
    created = admin.post("/api/scenarios", json={"slug": slug, "name": slug, "document": document})
    assert created.status_code == 201, created.text
    assert admin.post(f"/api/scenarios/{slug}/publish", json={"message": "v1"}).status_code == 200


def _jobs_of(admin: Client, slug: str) -> list[dict[str, Any]]:
    return admin.get("/api/callbacks", params={"scenario": slug}).json()


def _refused(admin: Client, body: dict[str, Any]) -> list[dict[str, Any]]:
    refused = admin.post("/api/callbacks/batch", json=body)
    assert refused.status_code == 422, refused.text
    return refused.json()["problems"]


def test_every_row_with_an_empty_cell_the_scenario_needs_is_named(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("required")
    _reminder(admin, name)
    rows = [
        {"phone": "600111211", "name": "Ana", "contract": "A-1", "region": ""},  # region has a default: fine
        {"phone": "600111212", "name": "", "contract": "A-2"},
        {"phone": "600111213", "name": "Luis", "contract": ""},
        {"phone": "600111214", "name": "   ", "contract": "A-4"},
        {"phone": "600111215", "contract": "A-5"},  # as a file's row leaves its empty cell out
    ]
    body = {"scenario": name, "rows": rows, "row_numbers": [2, 3, 4, 5, 6]}
    problems = _refused(admin, {**body, "dry_run": True})
    assert [(p["path"], p["code"], p["params"]) for p in problems] == [
        ("$.rows[1].name", "cell_required", {"row": 3, "column": "name", "reads": "contact.name"}),
        ("$.rows[2].contract", "cell_required", {"row": 4, "column": "contract", "reads": "contract"}),
        ("$.rows[3].name", "cell_required", {"row": 5, "column": "name", "reads": "contact.name"}),
        ("$.rows[4].name", "cell_required", {"row": 6, "column": "name", "reads": "contact.name"}),
    ]
    assert problems[0]["message"] == (
        "row 3, name: empty, and the scenario reads contact.name and gives it no default: this client's call would "
        "fail there"
    )
    # Refused like any bad row: nothing is scheduled until the file is fixed.
    assert _refused(admin, body) == problems
    assert _jobs_of(admin, name) == []
    # Without row numbers, the client is named by their place.
    (first, *_) = _refused(admin, {"scenario": name, "rows": rows, "dry_run": True})
    assert first["message"].startswith("client 2, name: empty")
    fixed = [{**row, "name": "Ana", "contract": "A-9"} for row in rows]
    assert admin.post("/api/callbacks/batch", json={**body, "rows": fixed}).status_code == 200
    assert len(_jobs_of(admin, name)) == 5


def _xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Телефон", "ФИО", "Договор"])
    sheet.append(["+7 916 765 43 21", "Иван Петров", "Д-1"])
    sheet.append(["+7 916 765 43 22", None, "Д-2"])  # the ФИО left empty in the CRM's export
    sheet.append(["+7 916 765 43 23", "Мария Иванова", "Д-3"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_empty_cell_of_a_chosen_column_names_that_column(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("required-ru")
    _reminder(admin, name)
    files = {"file": ("должники.xlsx", _xlsx(), "application/octet-stream")}
    read = admin.post("/api/callbacks/lists", params={"scenario": name}, files=files)
    assert read.status_code == 200, read.text
    call_list = read.json()
    assert "ФИО" not in call_list["rows"][1]
    chosen = {"contact.name": "ФИО", "contract": "Договор"}
    body = {"scenario": name, "number_column": "Телефон", "rows": call_list["rows"],
            "row_numbers": call_list["row_numbers"], "columns": chosen}  # fmt: skip
    (problem,) = _refused(admin, {**body, "dry_run": True})
    assert (problem["path"], problem["code"]) == ("$.rows[1].ФИО", "cell_required")
    assert problem["params"] == {"row": 3, "column": "ФИО", "reads": "contact.name"}
    assert problem["message"].startswith("row 3, ФИО: empty, and the scenario reads contact.name")
    assert _refused(admin, body) == [problem]
    assert _jobs_of(admin, name) == []
