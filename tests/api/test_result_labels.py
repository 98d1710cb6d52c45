"""Call results in a scenario's own words over real HTTP, on both databases: a scenario declares its results (`results`:
code and label), a draft declaring a code twice saves but does not publish, and the report and the call register
show each result's label beside its code, from the scenario's latest published version."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from persistence.calls import CallRecordIn, CallRecordWriter
from persistence.db import Database
from tests.api.conftest import Client, Server
from tests.persistence import documents

AT = datetime(2026, 11, 3, 10, tzinfo=UTC)
PAY = {"code": "will_pay", "label": "Pagará"}
OPERATOR = {"code": "operator_unavailable", "label": "Operador no disponible"}


def _document(results: list[dict[str, str]]) -> dict[str, Any]:
    document: dict[str, Any] = documents.greeting("Hola")
    document["results"] = results
    return document


def _published(admin: Client, name: str, results: list[dict[str, str]]) -> None:
    created = admin.post("/api/scenarios", json={"slug": name, "name": name, "document": _document(results)})
    assert created.status_code == 201, created.text
    published = admin.post(f"/api/scenarios/{name}/publish", json={"message": "v1"})
    assert published.status_code == 200, published.text


def _calls(server: Server, *records: tuple[str, str, str | None]) -> None:
    """(call id, scenario, result) written as the FastAGI runtime writes them, a minute apart."""
    database = Database(server.database_url)
    try:
        CallRecordWriter(database).write_batch([_record(n, *record) for n, record in enumerate(records)])
    finally:
        database.dispose()


def _record(n: int, call_id: str, scenario: str, result: str | None) -> CallRecordIn:
    at = AT + timedelta(minutes=n)
    return CallRecordIn(call_id=call_id, scenario=scenario, started_at=at, answered_at=at,
                        ended_at=at + timedelta(seconds=20), outcome="hung_up", trace={"answered": True, "steps": []},
                        variables={"result": result} if result else {})  # fmt: skip


def test_a_code_declared_twice_saves_as_a_draft_but_does_not_publish(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("twice")
    created = admin.post("/api/scenarios", json={"slug": name, "name": name, "document": _document([PAY])})
    assert created.status_code == 201, created.text
    twice = _document([PAY, OPERATOR, {"code": "will_pay", "label": "Pagará luego"}])
    saved = admin.put(f"/api/scenarios/{name}/draft", json={"revision": 1, "document": twice})
    assert saved.status_code == 200, saved.text
    problems = [(p["code"], p["path"], p["severity"]) for p in saved.json()["problems"]]
    assert ("duplicate_result", "$.results[2].code", "error") in problems
    blocked = admin.post(f"/api/scenarios/{name}/publish", json={"message": "no"})
    assert blocked.status_code == 422
    assert {(p["code"], p["path"]) for p in blocked.json()["problems"]} >= {("duplicate_result", "$.results[2].code")}


def test_the_report_and_the_register_show_each_results_label(
    admin: Client, server: Server, slug: Callable[[str], str]
) -> None:
    cobros, otra = slug("cobros"), slug("otra")
    _published(admin, cobros, [PAY, OPERATOR])
    _published(admin, otra, [{"code": "will_pay", "label": "Paga"}])
    _calls(server, (f"{cobros}-1", cobros, "will_pay"), (f"{cobros}-2", cobros, "will_pay"),
           (f"{cobros}-3", cobros, "operator_unavailable"), (f"{cobros}-4", cobros, "no_response"),
           (f"{cobros}-5", cobros, None), (f"{otra}-1", otra, "will_pay"))  # fmt: skip
    since, until = AT.isoformat(), (AT + timedelta(hours=1)).isoformat()

    report = admin.get("/api/reports/calls", params={"since": since, "until": until, "scenario": cobros})
    assert report.status_code == 200, report.text
    assert report.json()["totals"]["results"] == [
        {"result": "will_pay", "calls": 2, "label": "Pagará"},
        {"result": "no_response", "calls": 1, "label": None},  # not declared: its code alone
        {"result": "operator_unavailable", "calls": 1, "label": "Operador no disponible"},
    ]
    by_scenario = admin.get("/api/reports/calls", params={"since": since, "until": until, "group": "scenario"})
    rows = {row["scenario"]: row["results"] for row in by_scenario.json()["rows"]}
    assert rows[otra] == [{"result": "will_pay", "calls": 1, "label": "Paga"}]
    assert rows[cobros][0] == {"result": "will_pay", "calls": 2, "label": "Pagará"}

    listed = admin.get("/api/calls", params={"scenario": cobros})
    assert listed.status_code == 200, listed.text
    labels = {item["id"]: (item["result"], item["result_label"]) for item in listed.json()["items"]}
    assert labels == {
        f"{cobros}-1": ("will_pay", "Pagará"),
        f"{cobros}-2": ("will_pay", "Pagará"),
        f"{cobros}-3": ("operator_unavailable", "Operador no disponible"),
        f"{cobros}-4": ("no_response", None),
        f"{cobros}-5": (None, None),
    }
    detail = admin.get(f"/api/calls/{otra}-1").json()
    assert (detail["result"], detail["result_label"]) == ("will_pay", "Paga")

    # A new version's words are the register's from then on, for the calls made before it too.
    draft = admin.get(f"/api/scenarios/{otra}").json()["draft"]
    renamed = _document([{"code": "will_pay", "label": "Pagará el lunes"}])
    saved = admin.put(f"/api/scenarios/{otra}/draft", json={"revision": draft["revision"], "document": renamed})
    assert saved.status_code == 200, saved.text
    assert admin.post(f"/api/scenarios/{otra}/publish", json={"message": "v2"}).status_code == 200
    assert admin.get(f"/api/calls/{otra}-1").json()["result_label"] == "Pagará el lunes"
