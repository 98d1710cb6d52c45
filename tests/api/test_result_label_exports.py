"""Call results in a scenario's own words in the supervisor's downloads, over real HTTP, on both databases: the call
register's CSV and XLSX and a campaign's report carry a `result_label` column right after the result's code, from
each scenario's latest published version; its title is worded like the other columns', and `lang=raw` keeps the
code column as it was."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import openpyxl
import pytest
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url

from api.csv_export import BOM
from persistence import callbacks, calls
from persistence.calls import CallRecordIn
from persistence.db import Database
from tests.api.conftest import Client, Server
from tests.api.test_result_labels import AT, OPERATOR, PAY, _calls, _published

SENT = {"lang": "raw"}


def _csv(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    text = response.content.decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.DictReader(io.StringIO(text.removeprefix(BOM))))


def _csv_header(response: Any) -> list[str]:
    return next(csv.reader(io.StringIO(response.content.decode("utf-8").removeprefix(BOM))))


def _xlsx(response: Any) -> list[list[Any]]:
    assert response.status_code == 200, response.text
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


@pytest.fixture
def register(admin: Client, server: Server, slug: Callable[[str], str]) -> tuple[str, str]:
    """Two scenarios labelling `will_pay` differently, and calls of each: declared, undeclared and no result."""
    cobros, otra = slug("cobros"), slug("otra")
    _published(admin, cobros, [PAY, OPERATOR])
    _published(admin, otra, [{"code": "will_pay", "label": "Paga"}])
    _calls(server, (f"{cobros}-1", cobros, "will_pay"), (f"{cobros}-2", cobros, "operator_unavailable"),
           (f"{cobros}-3", cobros, "no_response"), (f"{cobros}-4", cobros, None),
           (f"{otra}-1", otra, "will_pay"))  # fmt: skip
    return cobros, otra


def _window() -> dict[str, str]:
    return {"since": AT.isoformat(), "until": (AT + timedelta(hours=1)).isoformat()}


def test_the_register_csv_has_each_calls_result_label_after_its_code(admin: Client, register: tuple[str, str]) -> None:
    cobros, otra = register
    for scenario in (cobros, otra):
        response = admin.get("/api/calls.csv", params={**_window(), "scenario": scenario})
        header = _csv_header(response)
        assert header[header.index("result") + 1] == "result_label"
        rows = _csv(response)
        assert {row["id"]: (row["result"], row["result_label"]) for row in rows} == {
            f"{cobros}-1": ("will_pay", "Pagará"),
            f"{cobros}-2": ("operator_unavailable", "Operador no disponible"),
            f"{cobros}-3": ("no_response", ""),  # not declared: its code alone
            f"{cobros}-4": ("", ""),
        } if scenario == cobros else {f"{otra}-1": ("will_pay", "Paga")}  # fmt: skip


def test_the_register_csv_of_both_scenarios_labels_each_by_its_own(admin: Client, register: tuple[str, str]) -> None:
    cobros, otra = register
    rows = _csv(admin.get("/api/calls.csv", params={**_window(), "result": "will_pay"}))
    labels = {row["id"]: row["result_label"] for row in rows if row["scenario"] in register}
    assert labels == {f"{cobros}-1": "Pagará", f"{otra}-1": "Paga"}


@pytest.mark.parametrize(("lang", "title"), [("en", "Answer (label)"), ("es", "Respuesta (etiqueta)"),
                                             ("ru", "Ответ (название)")])  # fmt: skip
def test_the_register_exports_title_the_label_column_in_the_designers_language(
    admin: Client, register: tuple[str, str], lang: str, title: str
) -> None:
    cobros, _otra = register
    params = {**_window(), "scenario": cobros, "lang": lang}
    header = _csv_header(admin.get("/api/calls.csv", params=params))
    assert header[header.index(title) - 1] != title
    sheet = _xlsx(admin.get("/api/calls.xlsx", params=params))
    at = sheet[0].index(title)
    assert sheet[0][at - 1] == header[header.index(title) - 1]  # the answer's title, right before it
    by_id = {row[0]: (row[at - 1], row[at]) for row in sheet[1:]}
    assert by_id[f"{cobros}-1"] == ("will_pay", "Pagará")  # the code column keeps the code; the label its words
    assert by_id[f"{cobros}-3"] == ("no_response", None)


def test_the_register_xlsx_raw_has_the_code_and_label_columns(admin: Client, register: tuple[str, str]) -> None:
    cobros, _otra = register
    sheet = _xlsx(admin.get("/api/calls.xlsx", params={**_window(), "scenario": cobros, **SENT}))
    at = sheet[0].index("result")
    assert sheet[0][at + 1] == "result_label"
    assert {row[0]: (row[at], row[at + 1]) for row in sheet[1:]} == {
        f"{cobros}-1": ("will_pay", "Pagará"),
        f"{cobros}-2": ("operator_unavailable", "Operador no disponible"),
        f"{cobros}-3": ("no_response", None),
        f"{cobros}-4": (None, None),
    }


@pytest.fixture
def campaign(admin: Client, server: Server, slug: Callable[[str], str]) -> tuple[str, str]:
    """A campaign on a scenario declaring its results: one client answered `will_pay`, one `no_response` (not
    declared), one was busy and has no call."""
    name = slug("campana")
    _published(admin, name, [PAY, OPERATOR])
    rows = [{"phone": "600111222"}, {"phone": "600111223"}, {"phone": "600111224"}]
    created = admin.post("/api/callbacks/batch", json={"scenario": name, "rows": rows, "due": AT.isoformat()})
    assert created.status_code == 200, created.text
    paid, undeclared, busy = created.json()["job_ids"]
    database = Database(server.database_url)
    try:
        with database.session() as session:
            for job, outcome in ((paid, "answered"), (undeclared, "answered"), (busy, "busy")):
                callbacks.record_attempt(session, job_id=job, outcome=outcome, at=AT)
            calls.write_batch(session, records=[
                CallRecordIn(call_id=f"{name}-{n}", scenario=name, started_at=AT, answered_at=AT, outcome="hung_up",
                             trace={"steps": []}, callback_job_id=job, variables={"result": result})
                for n, (job, result) in enumerate(((paid, "will_pay"), (undeclared, "no_response")))
            ])  # fmt: skip
    finally:
        database.dispose()
    return name, str(created.json()["campaign_id"])


def test_a_campaign_report_csv_has_the_result_label_after_the_result(admin: Client, campaign: tuple[str, str]) -> None:
    _name, campaign_id = campaign
    response = admin.get(f"/api/callbacks/campaigns/{campaign_id}.csv")
    header = _csv_header(response)
    assert header[header.index("result") + 1] == "result_label"
    assert [(row["result"], row["result_label"]) for row in _csv(response)] == [
        ("will_pay", "Pagará"), ("no_response", ""), ("", "")]  # fmt: skip
    spanish = _csv_header(admin.get(f"/api/callbacks/campaigns/{campaign_id}.csv", params={"lang": "es"}))
    assert spanish[spanish.index("Respuesta") + 1] == "Respuesta (etiqueta)"


def test_a_campaign_report_xlsx_has_the_result_label_after_the_result(admin: Client, campaign: tuple[str, str]) -> None:
    _name, campaign_id = campaign
    header, *rows = _xlsx(admin.get(f"/api/callbacks/campaigns/{campaign_id}.xlsx", params={"lang": "ru"}))
    at = header.index("Ответ (название)")
    assert header[at - 1] == "Ответ"
    assert [(row[at - 1], row[at]) for row in rows] == [("will_pay", "Pagará"), ("no_response", None), (None, None)]


def test_an_export_reads_the_labels_once_not_a_row_at_a_time(
    admin: Client, server: Server, register: tuple[str, str]
) -> None:
    """Five calls of two scenarios: one read of the scenarios' declared results for the whole file."""
    with _statements(server.database_url) as run:
        rows = _csv(admin.get("/api/calls.csv", params=_window()))
    assert {row["id"] for row in rows} >= {f"{name}-1" for name in register}
    assert len([statement for statement in run if "scenario_versions" in statement]) == 1


@contextmanager
def _statements(database_url: str) -> Iterator[list[str]]:
    """The SQL statements run on `database_url`'s database by this process (the server serves from a thread of it)
    while inside."""
    database = make_url(database_url).database
    run: list[str] = []

    def count(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if conn.engine.url.database == database:
            run.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield run
    finally:
        event.remove(Engine, "before_cursor_execute", count)
