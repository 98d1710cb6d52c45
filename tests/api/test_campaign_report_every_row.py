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
from tests.api.test_call_list_spanish_numbers import country  # noqa: F401  # a fixture, by its name
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
        ("4", "0034600111222", "skipped", "duplicate_of:2", "Ana otra vez"),  # its own number as typed, and cells
        ("5", "600111444", "pending", "", "Eva"),
        ("6", "600 111 333", "skipped", "duplicate_of:3", "Luis"),
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


def test_a_skipped_duplicate_keeps_its_own_cells_and_its_number_as_typed_in_a_russian_report(
    admin: Client,
    slug: Callable[[str], str],
    country: Callable[[str | None], None],  # noqa: F811  # the fixture imported above
) -> None:
    """A Russian debt campaign (review): row 3 is row 2's client typed another way, skipped. Its Телефон, ФИО, Сумма
    долга and Дата платежа were empty and its number read +79123456789, row 2's as dialled: the supervisor could not
    see which record was dropped."""
    country("RU")
    name = slug("every-row-ru")
    _published(admin, name)
    rows = [{"Телефон": "+79123456789", "ФИО": "Иванов Иван", "Сумма долга": "12 500,00",
             "Дата платежа": "01.12.2026"},
            {"Телефон": "8 912 345 67 89", "ФИО": "Иванов И. И.", "Сумма долга": "3 000,00",
             "Дата платежа": "15.12.2026"},
            {"Телефон": "8 (913) 111-22-33", "ФИО": "Петрова Юлия", "Сумма долга": "800,00",
             "Дата платежа": "20.12.2026"}]  # fmt: skip
    body = {"scenario": name, "rows": rows, "number_column": "Телефон", "hours": ANY_TIME,
            "row_numbers": [2, 3, 4], "duplicates": "skip", "timezone": "Europe/Moscow"}  # fmt: skip
    created = admin.post("/api/callbacks/batch", json=body)
    assert created.status_code == 200, created.text
    campaign = str(created.json()["campaign_id"])
    own = ("Телефон", "ФИО", "Сумма долга", "Дата платежа")

    raw = _csv(admin, campaign)
    assert [(r["row"], r["number"], r["status"], r["outcome"]) for r in raw] == [
        ("2", "+79123456789", "pending", ""),
        ("3", "8 912 345 67 89", "skipped", "duplicate_of:2"),
        ("4", "89131112233", "pending", ""),
    ]
    assert [r[column] for column in own for r in raw[1:2]] == ["8 912 345 67 89", "Иванов И. И.", "3 000,00",
                                                              "15.12.2026"]  # fmt: skip

    book = admin.get(f"/api/callbacks/campaigns/{campaign}.xlsx", params={"lang": "ru"})
    assert book.status_code == 200, book.text
    header, *cells = [
        [cell.value for cell in row] for row in openpyxl.load_workbook(io.BytesIO(book.content)).active.iter_rows()
    ]
    skipped = dict(zip(header, cells[1], strict=True))
    assert (skipped["Строка"], skipped["Номер"], skipped["Статус"], skipped["Последний итог"]) == (
        3,
        "8 912 345 67 89",
        "Пропущена: не звоним",
        "Повтор строки 2",
    )
    assert [skipped[column] for column in own] == ["8 912 345 67 89", "Иванов И. И.", "3 000,00", "15.12.2026"]
    assert dict(zip(header, cells[0], strict=True))["ФИО"] == "Иванов Иван"  # the client called keeps theirs


def test_a_viewer_without_personal_data_reads_a_skipped_rows_number_masked(
    admin: Client, user_factory: UserFactory, slug: Callable[[str], str]
) -> None:
    name = slug("every-row-masked")
    _published(admin, name)
    campaign = _scheduled(admin, name, ROWS, row_numbers=[2, 3, 4, 5, 6], duplicates="skip")
    viewer = user_factory("viewer", personal_data=False)
    rows = _csv(viewer, campaign)
    # Its own number as typed, masked as a client's number is.
    assert [(r["row"], r["number"], r["status"]) for r in rows][2] == ("4", "***********22", "skipped")
    assert rows[0]["number"] == "'+34*******22"  # written with a `'`, as a cell a spreadsheet would run is
    assert all("600111" not in r["number"] for r in rows)
    assert [r["nombre"] for r in rows] == ["[hidden]"] * 5  # its own cells masked as a client's are


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
        ("3", "skipped", "duplicate_of:1", "Ana otra vez"),
        ("4", "pending", "", "Eva"),
        ("5", "skipped", "duplicate_of:2", "Luis"),
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
