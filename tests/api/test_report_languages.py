"""The register's exports in the designer's language, over real HTTP: a Spanish supervisor opening a campaign's
report in Excel read `row,number,status,...` and `done`, `answered`, `hung_up` (review, 2026-12). With `lang` the
titles and the status and outcome labels are in words; without it (or `lang=raw`) the file is the one BI tools and
scripts parse, byte for byte."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from sqlalchemy import select

from api.csv_export import BOM
from persistence import callbacks, calls
from persistence.calls import CallRecordIn
from persistence.db import Database
from persistence.models import Scenario, ScenarioVersion
from tests.api.conftest import Client, Server
from tests.persistence import documents

MADRID = ZoneInfo("Europe/Madrid")
DIALLED = datetime(2026, 11, 23, 9, 30, 12, tzinfo=MADRID).astimezone(UTC)

# The campaign report's header as API clients and scripts parse it today, for a campaign on Madrid's clock.
RAW_REPORT_HEADER = ["row", "number", "status", "attempts", "outcome", "last_attempt_at (Europe/Madrid)",
                     "last_attempt_at (UTC)", "result", "result_label", "call_outcome",
                     "answered_at (Europe/Madrid)", "call_id", "phone", "nombre"]  # fmt: skip


SCENARIO_NAME = "Напоминание о долге"  # noqa: RUF001  # Cyrillic, as the supervisor named it


def _published(admin: Client, slug: str) -> None:
    created = admin.post("/api/scenarios", json={"slug": slug, "name": "lang", "document": documents.greeting()})
    assert created.status_code == 201, created.text
    assert admin.post(f"/api/scenarios/{slug}/publish", json={"message": "v1"}).status_code == 200


@pytest.fixture
def campaign(server: Server, admin: Client, slug: Callable[[str], str]) -> str:
    """A Madrid office's campaign: José answered and the scenario hung up after his answer; Núñez's line was busy,
    and he waits for his retry."""
    name = slug("idioma")
    _published(admin, name)
    rows = [{"phone": "600111222", "nombre": "José"}, {"phone": "600111223", "nombre": "Núñez"}]
    started = {"scenario": name, "rows": rows, "timezone": "Europe/Madrid", "due": "2026-11-23T09:00:00+01:00"}
    created = admin.post("/api/callbacks/batch", json=started)
    assert created.status_code == 200, created.text
    answered, busy = created.json()["job_ids"]
    database = Database(server.database_url)
    with database.session() as session:
        callbacks.record_attempt(session, job_id=answered, outcome="answered", at=DIALLED)
        callbacks.record_attempt(session, job_id=busy, outcome="busy", at=DIALLED)
        record = CallRecordIn(call_id=f"call-{name}", scenario=name, started_at=DIALLED, outcome="hung_up",
                              answered_at=DIALLED + timedelta(seconds=8), trace={"steps": []}, callback_job_id=answered,
                              variables={"result": "will_pay"})  # fmt: skip
        calls.write_batch(session, records=[record])
    database.dispose()
    return str(created.json()["campaign_id"])


def _csv(response: Any, delimiter: str = ",") -> list[list[str]]:
    assert response.status_code == 200, response.text
    text = response.content.decode("utf-8")
    assert text.startswith(BOM)  # Excel reads the accents and the Cyrillic as UTF-8 only after a byte order mark
    return list(csv.reader(io.StringIO(text.removeprefix(BOM)), delimiter=delimiter))


def _xlsx(response: Any) -> tuple[str, list[list[Any]]]:
    assert response.status_code == 200, response.text
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    return sheet.title, [[cell.value for cell in row] for row in sheet.iter_rows()]


# -- a campaign's report ---------------------------------------------------------------------------------------


def test_a_campaign_report_in_spanish_has_spanish_titles_and_labels(admin: Client, campaign: str) -> None:
    header, jose, nunez = _csv(admin.get(f"/api/callbacks/campaigns/{campaign}.csv", params={"lang": "es"}))
    assert header == ["Fila", "Número", "Estado", "Intentos", "Último resultado", "Último intento (Europe/Madrid)",
                      "Último intento (UTC)", "Respuesta", "Respuesta (etiqueta)", "Cómo terminó la llamada",
                      "Hora de conexión (Europe/Madrid)", "ID de la llamada", "phone", "nombre"]  # fmt: skip
    assert [jose[2], jose[4], jose[9]] == ["Contactado", "Contestada", "El escenario colgó"]
    assert [nunez[2], nunez[4], nunez[9]] == ["En espera", "Ocupado", ""]
    # The rest as in the raw file: times on the campaign's clock, the scenario's own answer, the list's columns.
    assert [jose[5], jose[6], jose[7], jose[12], jose[13]] == ["2026-11-23 09:30:12", "2026-11-23 08:30:12",
                                                                "will_pay", "600111222", "José"]  # fmt: skip


def test_a_campaign_report_in_russian_split_on_semicolons(admin: Client, campaign: str) -> None:
    params = {"lang": "ru", "delimiter": "semicolon"}
    header, jose, nunez = _csv(admin.get(f"/api/callbacks/campaigns/{campaign}.csv", params=params), ";")
    assert header[:6] == ["Строка", "Номер", "Статус", "Попытки", "Последний итог", "Последняя попытка (Europe/Madrid)"]
    assert header[9] == "Чем закончился звонок"
    assert header[10] == "Время соединения (Europe/Madrid)"  # when the line was connected, not an answer
    assert [jose[2], jose[4], jose[9]] == ["Дозвонились", "Ответил", "Сценарий завершил звонок"]
    assert [nunez[2], nunez[4]] == ["Ожидает", "Занято"]


def test_a_campaign_report_without_lang_is_the_raw_file_it_was(admin: Client, campaign: str) -> None:
    path = f"/api/callbacks/campaigns/{campaign}.csv"
    plain = admin.get(path)
    header, jose, nunez = _csv(plain)
    assert header == RAW_REPORT_HEADER
    assert [jose[2], jose[4], jose[9]] == ["done", "answered", "hung_up"]
    assert [nunez[2], nunez[4]] == ["pending", "busy"]
    assert admin.get(path, params={"lang": "raw"}).content == plain.content


def test_a_campaign_report_as_xlsx_in_spanish_and_raw(admin: Client, campaign: str) -> None:
    path = f"/api/callbacks/campaigns/{campaign}.xlsx"
    title, (header, jose, _nunez) = _xlsx(admin.get(path, params={"lang": "es"}))
    assert title == "Informe"
    assert header[:5] == ["Fila", "Número", "Estado", "Intentos", "Último resultado"]
    assert header[5:7] == ["Último intento (Europe/Madrid)", "Último intento (UTC)"]
    assert [jose[2], jose[4], jose[9]] == ["Contactado", "Contestada", "El escenario colgó"]
    assert jose[5] == datetime(2026, 11, 23, 9, 30, 12)  # still a date-time, on the campaign's clock
    title, (header, jose, _nunez) = _xlsx(admin.get(path))
    assert (title, header) == ("report", RAW_REPORT_HEADER)
    assert [jose[2], jose[4], jose[9]] == ["done", "answered", "hung_up"]


@pytest.mark.parametrize("lang", ["fr", "ES", "es-ES"])
def test_a_language_the_designer_does_not_have_is_a_422_naming_lang(admin: Client, campaign: str, lang: str) -> None:
    for path in (f"/api/callbacks/campaigns/{campaign}.csv", "/api/calls.xlsx"):
        refused = admin.get(path, params={"lang": lang})
        assert refused.status_code == 422, refused.text
        assert [problem["path"] for problem in refused.json()["problems"]] == ["$.lang"]


# -- the call register ------------------------------------------------------------------------------------------


@pytest.fixture
def register(server: Server, slug: Callable[[str], str]) -> str:
    """One call of a scenario of our own: answered, then the scenario hung up."""
    scenario = slug("registro")
    record = CallRecordIn(call_id=f"{scenario}-1", scenario=scenario, started_at=DIALLED, outcome="hung_up",
                          answered_at=DIALLED + timedelta(seconds=2), ended_at=DIALLED + timedelta(minutes=1),
                          trace={"steps": []}, caller_id="+34600111222")  # fmt: skip
    database = Database(server.database_url)
    with database.session() as session:
        calls.write_batch(session, records=[record])
    database.dispose()
    return scenario


def _by_title(table: list[list[Any]]) -> dict[str, Any]:
    header, row = table
    return dict(zip(header, row, strict=True))


def test_the_call_register_in_spanish_and_russian(admin: Client, register: str) -> None:
    params = {"scenario": register, "tz": "Europe/Madrid"}
    spanish = _by_title(_csv(admin.get("/api/calls.csv", params={**params, "lang": "es"})))
    # How the call ended is «Cómo terminó», as the designer's column and the campaign report's CSV say: «Resultado»
    # read as the scenario's declared result, which is «Respuesta» (Spanish review).
    assert (spanish["Estado"], spanish["Cómo terminó"]) == ("Contestada", "El escenario colgó")
    assert "Resultado" not in spanish
    assert spanish["Hora de inicio (Europe/Madrid)"] == "2026-11-23 09:30:12"
    assert spanish["Hora de inicio (UTC)"] == "2026-11-23 08:30:12"
    assert spanish["Número del abonado"] == "+34600111222"
    assert spanish["Hora de conexión (Europe/Madrid)"] == "2026-11-23 09:30:14"
    title, table = _xlsx(admin.get("/api/calls.xlsx", params={**params, "lang": "ru"}))
    russian = _by_title(table)
    assert title == "Звонки"
    assert (russian["Статус"], russian["Итог"]) == ("Отвечен", "Сценарий завершил звонок")
    assert russian["Время начала (Europe/Madrid)"] == datetime(2026, 11, 23, 9, 30, 12)


def test_the_call_register_without_lang_is_the_raw_file_it_was(admin: Client, register: str) -> None:
    params = {"scenario": register, "tz": "Europe/Madrid"}
    plain = admin.get("/api/calls.csv", params=params)
    raw = _by_title(_csv(plain))
    assert list(raw)[:6] == ["id", "scenario", "version", "status", "outcome", "result"]
    assert (raw["status"], raw["outcome"]) == ("answered", "hung_up")
    assert admin.get("/api/calls.csv", params={**params, "lang": "raw"}).content == plain.content
    title, table = _xlsx(admin.get("/api/calls.xlsx", params=params))
    assert title == "calls" and table[0] == list(raw)
    assert (_by_title(table)["status"], _by_title(table)["outcome"]) == ("answered", "hung_up")


@pytest.fixture
def both_ways(server: Server, admin: Client, slug: Callable[[str], str]) -> str:
    """A debt-reminder scenario's two calls: one the dialer placed to Иванов for his campaign's job (its CallerID
    the dialer's own, left empty), and one a client made in."""
    scenario = slug("napominanie")
    created = admin.post("/api/scenarios", json={"slug": scenario, "name": SCENARIO_NAME,
                                                  "document": documents.greeting()})  # fmt: skip
    assert created.status_code == 201, created.text
    assert admin.post(f"/api/scenarios/{scenario}/publish", json={"message": "v1"}).status_code == 200
    database = Database(server.database_url)
    with database.session() as session:
        version_id = session.scalar(
            select(ScenarioVersion.id).join(Scenario, Scenario.id == ScenarioVersion.scenario_id)
            .where(Scenario.slug == scenario)
        )  # fmt: skip
        records = [
            CallRecordIn(call_id=f"{scenario}-out", scenario=scenario, version=1, version_id=version_id,
                         started_at=DIALLED, outcome="hung_up", answered_at=DIALLED + timedelta(seconds=9),
                         trace={"steps": []}, caller_name="Иванов Иван", dialed_number="+79123456789",
                         callback_job_id="job-ivanov"),
            # No version known of it: named by its slug among the live scenarios.
            CallRecordIn(call_id=f"{scenario}-in", scenario=scenario, started_at=DIALLED + timedelta(minutes=5),
                         outcome="hung_up", trace={"steps": []}, caller_id="+79130000001", caller_name="Петрова",
                         dialed_number="88005553535"),
        ]  # fmt: skip
        calls.write_batch(session, records=records)
    database.dispose()
    return scenario


def _by_call(table: list[list[Any]]) -> dict[str, dict[str, Any]]:
    header, *rows = table
    return {str(row[0]).rsplit("-", 1)[-1]: dict(zip(header, row, strict=True)) for row in rows}


def test_an_outbound_call_names_whom_it_rang_under_neutral_titles_with_its_direction_and_scenario_name(
    admin: Client, both_ways: str
) -> None:
    """Review of a Russian supervisor: an outbound call's client read under «Имя звонящего» with «Номер звонящего»
    empty, and «Сценарий» held the slug, not the name anybody knows the scenario by."""
    _title, table = _xlsx(admin.get("/api/calls.xlsx", params={"scenario": both_ways, "lang": "ru"}))
    header, by_call = table[0], _by_call(table)
    # The scenario's name beside its slug, and the direction before the other party's number and name.
    assert header[:6] == ["ID звонка", "Сценарий", "Название сценария", "Версия", "Направление", "Статус"]
    assert header[9:12] == ["Номер абонента", "Имя абонента", "Набранный номер"]
    assert "Время соединения (UTC)" in header
    said = [(row["Направление"], row["Номер абонента"], row["Имя абонента"], row["Название сценария"])
            for row in (by_call["out"], by_call["in"])]  # fmt: skip
    assert said == [("Исходящий", "+79123456789", "Иванов Иван", SCENARIO_NAME),
                    ("Входящий", "+79130000001", "Петрова", SCENARIO_NAME)]  # fmt: skip
    assert by_call["out"]["Сценарий"] == both_ways

    spanish = _by_call(_csv(admin.get("/api/calls.csv", params={"scenario": both_ways, "lang": "es"})))["out"]
    assert (spanish["Dirección"], spanish["Número del abonado"], spanish["Nombre del abonado"]) == (
        "Saliente",
        "+79123456789",
        "Иванов Иван",
    )
    assert spanish["Nombre del escenario"] == SCENARIO_NAME
    assert "Hora de conexión (UTC)" in spanish
    english = _by_call(_csv(admin.get("/api/calls.csv", params={"scenario": both_ways, "lang": "en"})))["in"]
    assert (english["Direction"], english["Contact number"], english["Scenario name"]) == (
        "Inbound",
        "+79130000001",
        SCENARIO_NAME,
    )
    assert "Connected at (UTC)" in english


def test_the_raw_register_keeps_its_columns_where_they_were_and_adds_direction_and_scenario_name_last(
    admin: Client, both_ways: str
) -> None:
    plain = _csv(admin.get("/api/calls.csv", params={"scenario": both_ways}))
    header = plain[0]
    assert header[:9] == ["id", "scenario", "version", "status", "outcome", "result", "result_label", "caller_id",
                          "caller_name"]  # fmt: skip
    assert header[-3:] == ["node", "direction", "scenario_name"]
    by_call = _by_call(plain)
    out = by_call["out"]
    assert (out["direction"], out["caller_id"], out["caller_name"], out["dialed_number"]) == (
        "outbound",
        "+79123456789",
        "Иванов Иван",
        "+79123456789",
    )
    assert (by_call["in"]["direction"], by_call["in"]["caller_id"]) == ("inbound", "+79130000001")
    _title, table = _xlsx(admin.get("/api/calls.xlsx", params={"scenario": both_ways}))
    assert table[0] == header
