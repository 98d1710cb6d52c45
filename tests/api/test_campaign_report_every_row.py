"""A campaign's report accounts for every row of its list, and says where a paused campaign's clients stand, over
real HTTP on SQLite and PostgreSQL.

Review (a supervisor reconciling a debt campaign against the file she uploaded): a list scheduled with duplicates
skipped had 5 rows and its report 3, with nothing saying where rows 4 and 6 went; and a paused campaign's report
read "Waiting" for clients nobody would call until it was resumed."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import openpyxl

from tests.api.conftest import Client, UserFactory
from tests.persistence import documents

EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ANY_TIME = [{"days": EVERY_DAY, "from": "00:00", "to": "00:00"}]
ROWS = [{"nombre": "Ana", "teléfono": "+34600111222"},
        {"nombre": "Luis", "teléfono": "600111333"},
        {"nombre": "Ana otra vez", "teléfono": "0034600111222"},
        {"nombre": "Eva", "teléfono": "600111444"},
        {"nombre": "Luis", "teléfono": "600 111 333"}]  # fmt: skip


def _published(admin: Client, slug: str) -> None:
    document = documents.greeting("Hola {{ contact.nombre }}")
    document["variables"] = [{"name": "contact", "type": "object", "default": {"nombre": "cliente"}}]
    created = admin.post("/api/scenarios", json={"slug": slug, "name": slug, "document": document})
    assert created.status_code == 201, created.text
    assert admin.post(f"/api/scenarios/{slug}/publish", json={"message": "v1"}).status_code == 200


def _scheduled(admin: Client, scenario: str, rows: list[dict[str, Any]], **more: Any) -> str:
    body = {"scenario": scenario, "rows": rows, "number_column": "teléfono", "hours": ANY_TIME, **more}
    created = admin.post("/api/callbacks/batch", json=body)
    assert created.status_code == 200, created.text
    return str(created.json()["campaign_id"])


def _csv(client: Client, campaign: str, **params: str) -> list[dict[str, str]]:
    answer = client.get(f"/api/callbacks/campaigns/{campaign}.csv", params=params)
    assert answer.status_code == 200, answer.text
    return list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))


def test_rows_skipped_as_duplicates_are_in_the_report_naming_the_row_called(
    admin: Client, slug: Callable[[str], str]
) -> None:
    name = slug("every-row")
    _published(admin, name)
    campaign = _scheduled(admin, name, ROWS, row_numbers=[2, 3, 4, 5, 6], duplicates="skip")

    raw = _csv(admin, campaign)
    assert [(r["row"], r["number"], r["status"], r["outcome"], r["nombre"]) for r in raw] == [
        ("2", "+34600111222", "pending", "", "Ana"),
        ("3", "600111333", "pending", "", "Luis"),
        ("4", "+34600111222", "skipped", "duplicate_of:2", ""),  # the number called for it, row 2's
        ("5", "600111444", "pending", "", "Eva"),
        ("6", "600111333", "skipped", "duplicate_of:3", ""),
    ]
    assert [r["attempts"] for r in raw] == ["0"] * 5

    spanish = _csv(admin, campaign, lang="es")
    said = [(r["Fila"], r["Estado"], r["Último resultado"]) for r in spanish]
    assert said[2] == ("4", "Omitida: no se llama", "Duplicado de la fila 2")
    assert said[4] == ("6", "Omitida: no se llama", "Duplicado de la fila 3")
    english = _csv(admin, campaign, lang="en")
    assert (english[2]["Status"], english[2]["Last outcome"]) == ("Skipped: not called", "Duplicate of row 2")

    book = admin.get(f"/api/callbacks/campaigns/{campaign}.xlsx", params={"lang": "ru"})
    assert book.status_code == 200, book.text
    sheet = openpyxl.load_workbook(io.BytesIO(book.content)).worksheets[0]
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = cells[0]
    at = {title: header.index(title) for title in ("Строка", "Статус", "Последний итог")}
    assert [(r[at["Строка"]], r[at["Статус"]], r[at["Последний итог"]]) for r in cells[1:]] == [
        (2, "Ожидает", None),
        (3, "Ожидает", None),
        (4, "Пропущена: не звоним", "Повтор строки 2"),
        (5, "Ожидает", None),
        (6, "Пропущена: не звоним", "Повтор строки 3"),
    ]


def test_a_viewer_without_personal_data_reads_a_skipped_rows_number_masked(
    admin: Client, user_factory: UserFactory, slug: Callable[[str], str]
) -> None:
    name = slug("every-row-masked")
    _published(admin, name)
    campaign = _scheduled(admin, name, ROWS, row_numbers=[2, 3, 4, 5, 6], duplicates="skip")
    viewer = user_factory("viewer", personal_data=False)
    rows = _csv(viewer, campaign)
    # Masked as a client's number is (and so written with a `'`, as a cell a spreadsheet would run is).
    assert [(r["row"], r["number"], r["status"]) for r in rows][2] == ("4", "'+34*******22", "skipped")
    assert all("600111" not in r["number"] for r in rows)


def test_a_list_sent_without_row_numbers_names_its_rows_by_their_place_as_the_warnings_do(
    admin: Client, slug: Callable[[str], str]
) -> None:
    """The warnings said "client 3 ... is already client 1": the report's rows are those places, the skipped ones
    among them, not the clients' places among those called (which would call Eva "3")."""
    name = slug("every-row-places")
    _published(admin, name)
    campaign = _scheduled(admin, name, ROWS, duplicates="skip")
    rows = _csv(admin, campaign)
    assert [(r["row"], r["status"], r["outcome"], r["nombre"]) for r in rows] == [
        ("1", "pending", "", "Ana"),
        ("2", "pending", "", "Luis"),
        ("3", "skipped", "duplicate_of:1", ""),
        ("4", "pending", "", "Eva"),
        ("5", "skipped", "duplicate_of:2", ""),
    ]


def test_a_list_without_duplicates_reports_as_it_did(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("every-row-plain")
    _published(admin, name)
    campaign = _scheduled(admin, name, [ROWS[0], ROWS[1], ROWS[3]])
    assert [(r["row"], r["status"]) for r in _csv(admin, campaign)] == [("1", "pending"), ("2", "pending"),
                                                                        ("3", "pending")]  # fmt: skip


def test_a_paused_campaigns_waiting_clients_read_paused_in_its_report_until_it_is_resumed(
    admin: Client, slug: Callable[[str], str]
) -> None:
    name = slug("report-paused")
    _published(admin, name)
    campaign = _scheduled(admin, name, ROWS, row_numbers=[2, 3, 4, 5, 6], duplicates="skip")
    assert admin.post(f"/api/callbacks/campaigns/{campaign}/pause").status_code == 200

    assert [r["status"] for r in _csv(admin, campaign)] == ["paused", "paused", "skipped", "paused", "skipped"]
    assert _csv(admin, campaign, lang="en")[0]["Status"] == "Waiting (paused)"
    assert _csv(admin, campaign, lang="es")[0]["Estado"] == "En espera (en pausa)"
    book = admin.get(f"/api/callbacks/campaigns/{campaign}.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(book.content)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert sheet.cell(row=2, column=header.index("status") + 1).value == "paused"

    assert admin.post(f"/api/callbacks/campaigns/{campaign}/resume").status_code == 200
    assert [r["status"] for r in _csv(admin, campaign)][:2] == ["pending", "pending"]
    # A stop ends a pause: its clients read cancelled, not paused.
    assert admin.post(f"/api/callbacks/campaigns/{campaign}/pause").status_code == 200
    assert admin.post(f"/api/callbacks/campaigns/{campaign}/cancel").status_code == 200
    assert [r["status"] for r in _csv(admin, campaign)][:2] == ["cancelled", "cancelled"]
