# ruff: noqa: RUF001  -- Russian words are what is tested, not look-alike Latin letters
"""The register's CSV and XLSX of every scenario, as the Call records page downloads them, over real HTTP: without a
scenario, with the page's filters (a caller, a range on the browser's clock, a status), and in the designer's
language, what the caller hung up during in words as well: a Spanish supervisor read `read_digits` and `block:sql`
in a file whose other codes were words. `lang=raw` keeps the codes, byte for byte."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from api.csv_export import BOM
from persistence import calls
from persistence.calls import CallRecordIn
from persistence.db import Database
from tests.api.conftest import Client, Server

MADRID = ZoneInfo("Europe/Madrid")
# Far from the calls other tests write on the shared server, a day of its own for each register: its range alone
# picks its calls.
FIRST_DAY = datetime(2031, 3, 2)
_days = itertools.count(1)


@dataclass(frozen=True)
class Register:
    """A morning of calls: three of one caller into two scenarios of our own, one of another caller."""

    day: str  # as the page's `datetime-local` fields give it: 2031-03-14
    caller: str
    scenarios: tuple[str, str]
    in_menu: str  # hung up while a menu asked for keys
    in_lookup: str  # hung up while an SQL block queried its database, the line silent
    answered: str  # into the second scenario, an hour later
    other_caller: str

    def morning(self, **filters: str) -> dict[str, str]:
        """The Call records page's query for 09:00-11:00, read on Madrid's clock as a browser there sends it."""
        return {"tz": "Europe/Madrid", "since": f"{self.day}T09:00:00", "until": f"{self.day}T11:00:00", **filters}


@pytest.fixture
def register(server: Server, slug: Callable[[str], str]) -> Register:
    number = next(_days)
    day = FIRST_DAY + timedelta(days=number)
    nine = day.replace(hour=9, tzinfo=MADRID).astimezone(UTC)
    first, second = slug("todas"), slug("todas")
    caller = f"+346{number:04d}5678"
    records = [
        CallRecordIn(call_id=f"{first}-menu", scenario=first, started_at=nine, answered_at=nine,
                     outcome="caller_hangup", hangup_during="read_digits", trace={"steps": []}, caller_id=caller),
        CallRecordIn(call_id=f"{first}-lookup", scenario=first, started_at=nine + timedelta(minutes=5),
                     answered_at=nine + timedelta(minutes=5), outcome="caller_hangup", hangup_during="block:sql",
                     trace={"steps": []}, caller_id=caller),
        CallRecordIn(call_id=f"{second}-answered", scenario=second, started_at=nine + timedelta(hours=1),
                     answered_at=nine + timedelta(hours=1), outcome="hung_up", trace={"steps": []}, caller_id=caller),
        CallRecordIn(call_id=f"{second}-other", scenario=second, started_at=nine + timedelta(hours=1),
                     outcome="hung_up", trace={"steps": []}, caller_id="+34911000000"),
    ]  # fmt: skip
    database = Database(server.database_url)
    with database.session() as session:
        calls.write_batch(session, records=records)
    database.dispose()
    return Register(day.date().isoformat(), caller, (first, second), f"{first}-menu", f"{first}-lookup",
                    f"{second}-answered", f"{second}-other")  # fmt: skip


def _csv(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    text = response.content.decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.DictReader(io.StringIO(text.removeprefix(BOM))))


def _xlsx(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    header, *rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    names = [str(name) for name in header]
    return [dict(zip(names, row, strict=True)) for row in rows]


def test_every_scenarios_calls_in_the_range_without_a_scenario(admin: Client, register: Register) -> None:
    csv_ids = {row["id"] for row in _csv(admin.get("/api/calls.csv", params=register.morning()))}
    xlsx_ids = {row["id"] for row in _xlsx(admin.get("/api/calls.xlsx", params=register.morning()))}
    every = {register.in_menu, register.in_lookup, register.answered, register.other_caller}
    assert csv_ids == xlsx_ids == every  # both scenarios, nothing of another day


def test_the_pages_filters_narrow_the_export_of_every_scenario(admin: Client, register: Register) -> None:
    def ids(**filters: str) -> tuple[set[str], set[str]]:
        params = register.morning(**filters)
        csv_ids = {row["id"] for row in _csv(admin.get("/api/calls.csv", params=params))}
        return csv_ids, {row["id"] for row in _xlsx(admin.get("/api/calls.xlsx", params=params))}

    # The caller as people type it, in both scenarios; then one status; then one scenario, as the page's choice.
    mine = {register.in_menu, register.in_lookup, register.answered}
    assert ids(caller=register.caller.replace("+34", "0034")) == (mine, mine)
    in_menu = {register.in_menu, register.in_lookup}
    assert ids(caller=register.caller, status="abandoned_in_menu") == (in_menu, in_menu)
    second = {register.answered, register.other_caller}
    assert ids(scenario=register.scenarios[1]) == (second, second)
    # `until` is read on Madrid's clock too: 09:03 there ends before the lookup.
    assert ids(caller=register.caller, until=f"{register.day}T09:03:00") == ({register.in_menu}, {register.in_menu})


def test_what_the_caller_hung_up_during_is_in_words(admin: Client, register: Register) -> None:
    query = register.morning(caller=register.caller, status="abandoned_in_menu")
    spanish = {
        row["ID de la llamada"]: row for row in _csv(admin.get("/api/calls.csv", params={**query, "lang": "es"}))
    }
    assert spanish[register.in_menu]["Colgó durante"] == "Un mensaje que pedía teclas, o su espera"
    # A block's work: named by its title in the language, as the catalog's translations give it.
    assert spanish[register.in_lookup]["Colgó durante"] == "El silencio mientras se ejecutaba el bloque «Consulta SQL»"
    # Both left the scenario before its end, neither in a transfer: no menu in the status's words (a supervisor's
    # review: a caller gone while a Say Phrase block prepared its phrase read «abandonada en el menú»).
    assert spanish[register.in_lookup]["Estado"] == spanish[register.in_menu]["Estado"] == "Abandonada antes del final"
    russian = {row["ID звонка"]: row for row in _xlsx(admin.get("/api/calls.xlsx", params={**query, "lang": "ru"}))}
    assert russian[register.in_menu]["Положил трубку во время"] == "Сообщение с запросом клавиш или ожидание нажатия"
    assert russian[register.in_lookup]["Положил трубку во время"] == "Тишина, пока выполнялся блок «SQL-запрос»"
    assert russian[register.in_lookup]["Статус"] == "Брошен до конца сценария"
    english = {row["Call ID"]: row for row in _csv(admin.get("/api/calls.csv", params={**query, "lang": "en"}))}
    assert english[register.in_lookup]["Caller hung up during"] == "The silence while the SQL Query block ran"
    assert english[register.in_lookup]["Status"] == "Abandoned before the end"


def test_raw_keeps_what_the_caller_hung_up_during_as_codes_byte_for_byte(admin: Client, register: Register) -> None:
    query = register.morning(caller=register.caller)
    plain = admin.get("/api/calls.csv", params=query)
    assert admin.get("/api/calls.csv", params={**query, "lang": "raw"}).content == plain.content
    during = {row["id"]: row["hangup_during"] for row in _csv(plain)}
    assert during == {register.in_menu: "read_digits", register.in_lookup: "block:sql", register.answered: ""}
    workbook = {row["id"]: row["hangup_during"] for row in _xlsx(admin.get("/api/calls.xlsx", params=query))}
    assert workbook == {register.in_menu: "read_digits", register.in_lookup: "block:sql", register.answered: None}
