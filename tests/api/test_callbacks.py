"""Callback jobs through the API, as an integration would create them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from persistence import callbacks
from persistence.db import Database
from tests.api.conftest import Client, Server
from tests.persistence import documents
from voice.spoken import spoken_date


def _published(admin: Client, name: str) -> None:
    admin.post("/api/scenarios", json={"slug": name, "name": "cb", "document": documents.greeting()})
    assert admin.post(f"/api/scenarios/{name}/publish", json={"message": "v1"}).status_code == 200


def test_create_list_and_follow_a_job(server: Server, admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("cb")
    _published(admin, name)
    # No hours sent: the node's default, every day 09:00-21:00, here in Madrid.
    body = {
        "number": "+34600111222",
        "scenario": name,
        "due": "2030-06-01T10:00:00+02:00",
        "window_end": "2030-06-01T20:00:00+02:00",
        "variables": {"debt": 120},
        "timezone": "Europe/Madrid",
    }
    created = admin.post("/api/callbacks", json=body)
    assert created.status_code == 201, created.text
    job = created.json()
    assert (job["status"], job["due"], job["variables"]) == ("pending", "2030-06-01T08:00:00Z", {"debt": 120})
    assert job["id"] in {j["id"] for j in admin.get("/api/callbacks", params={"status": "pending"}).json()}
    database = Database(server.database_url)
    with database.session() as session:
        callbacks.record_attempt(session, job_id=job["id"], outcome="busy", at=datetime(2030, 6, 1, 8, 0, tzinfo=UTC))
    database.dispose()
    followed = admin.get(f"/api/callbacks/{job['id']}").json()
    assert followed["attempts"] == 1 and [a["outcome"] for a in followed["history"]] == ["busy"]
    assert followed["reached_at"] is None
    # The scenario cannot be deleted while its callback is pending.
    assert admin.delete(f"/api/scenarios/{name}").status_code == 409
    database = Database(server.database_url)
    with database.session() as session:  # the callee answers the next try and FastAGI names the job
        callbacks.mark_reached(session, job_id=job["id"], at=datetime(2030, 6, 1, 8, 5, 2, tzinfo=UTC))
    database.dispose()
    reached = admin.get(f"/api/callbacks/{job['id']}").json()
    assert (reached["status"], reached["reached_at"]) == ("done", "2030-06-01T08:05:02Z")


def test_refusals(admin: Client, user_factory: Callable[[str], Client], slug: Callable[[str], str]) -> None:
    name = slug("cbr")
    _published(admin, name)
    good = {"number": "+34600111222", "scenario": name, "due": "2030-06-01T10:00:00Z"}
    unpublished = admin.post("/api/callbacks", json={**good, "scenario": "not-published"})
    assert unpublished.status_code == 422
    assert unpublished.json()["detail"] == "the callback cannot be scheduled: 'not-published' is not published"
    assert admin.post("/api/callbacks", json={**good, "number": "123; DROP"}).status_code == 422
    assert admin.post("/api/callbacks", json={**good, "due": "2030-06-01T10:00:00"}).status_code == 422  # no offset
    late = admin.post("/api/callbacks", json={**good, "window_end": "2030-06-01T09:00:00Z"})
    assert late.status_code == 422
    assert late.json()["detail"] == "the callback cannot be scheduled: the window must end after the due time"
    assert late.json()["problems"] == [
        {"path": "$.window_end", "code": "window_ends_first", "message": "the window must end after the due time"}
    ]
    assert user_factory("viewer").post("/api/callbacks", json=good).status_code == 403
    assert user_factory("editor").post("/api/callbacks", json=good).status_code == 403  # a real call: publisher+
    assert user_factory("publisher").post("/api/callbacks", json=good).status_code == 201
    assert admin.get("/api/callbacks/no-such-job").status_code == 404


def _published_with_variables(admin: Client, name: str) -> None:
    document = documents.greeting("{{ spoken_date(due_date, language) }}")
    document["variables"] = [
        {"name": "due_date", "type": "date", "default": "2026-01-01"},
        {"name": "debt_amount", "type": "number", "default": 0},
        {"name": "visits", "type": "integer", "default": 0},
        {"name": "vip", "type": "boolean", "default": False},
        {"name": "client_name", "type": "string", "default": ""},
        {"name": "contact", "type": "object", "default": {}},
    ]
    created = admin.post("/api/scenarios", json={"slug": name, "name": "cb", "document": document})
    assert created.status_code == 201, created.text
    assert admin.post(f"/api/scenarios/{name}/publish", json={"message": "v1"}).status_code == 200


def test_declared_variables_are_converted_as_a_call_lists_cells_are(admin: Client, slug: Callable[[str], str]) -> None:
    """Review of a Russian contact centre: a CRM sent "due_date": "30.12.2026" for a `date` variable, got 201, and
    every answered call failed in its Say Phrase ("not a date: '30.12.2026'"), where a call list's cell of the same
    text is 2026-12-30. The API converts through the call list's code now; what the scenario does not declare, and
    its list or object variables, are kept as sent."""
    name = slug("cbvars")
    _published_with_variables(admin, name)
    sent = {"due_date": "30.12.2026", "debt_amount": "1 234,56", "visits": "3", "vip": "да", "client_name": 7,
            "contact": {"name": "Иван"}, "ticket": "CRM-12", "extra": None}  # fmt: skip
    body = {"number": "+7 901 555-12-34", "scenario": name, "due": "2030-06-01T10:00:00Z", "variables": sent}
    created = admin.post("/api/callbacks", json=body)
    assert created.status_code == 201, created.text
    stored = {"due_date": "2026-12-30", "debt_amount": 1234.56, "visits": 3, "vip": True, "client_name": "7",
              "contact": {"name": "Иван"}, "ticket": "CRM-12", "extra": None}  # fmt: skip
    assert created.json()["variables"] == stored
    assert admin.get(f"/api/callbacks/{created.json()['id']}").json()["variables"] == stored
    assert spoken_date(stored["due_date"], "ru") == "тридцатое декабря две тысячи двадцать шестого года"


def test_a_variable_that_does_not_convert_is_refused_by_name(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("cbbad")
    _published_with_variables(admin, name)
    sent = {"due_date": "31.02.2026", "debt_amount": "1.234", "visits": 2.5, "vip": None, "client_name": ["Ana"],
            "ticket": {"any": "thing"}}  # fmt: skip
    body = {"number": "+34600111222", "scenario": name, "due": "2030-06-01T10:00:00Z", "variables": sent}
    refused = admin.post("/api/callbacks", json=body)
    assert refused.status_code == 422, refused.text
    a_date = "a date written 2026-12-30 or 30.12.2026 (year-month-day or day.month.year)"
    assert [(p["code"], p["params"]) for p in refused.json()["problems"]] == [
        ("not_a_date", {"variable": "due_date", "value": '"31.02.2026"', "type": "date"}),
        ("ambiguous_number", {"variable": "debt_amount", "value": '"1.234"', "type": "number"}),
        ("not_a_whole_number", {"variable": "visits", "value": "2.5", "type": "integer"}),
        ("not_yes_or_no", {"variable": "vip", "value": "null", "type": "boolean"}),
        ("not_text", {"variable": "client_name", "value": '["Ana"]', "type": "string"}),
    ]
    assert [{"path": p["path"], "message": p["message"]} for p in refused.json()["problems"]] == [
        {"path": "$.variables.due_date",
         "message": f"due_date: \"31.02.2026\" is not {a_date}; the scenario declares 'due_date' as date"},
        {"path": "$.variables.debt_amount",
         "message": "debt_amount: \"1.234\" is not a number: it could be 1.234 or 1234 (a dot groups thousands in "
                    "some countries and is the decimal mark in others): write 1234, or 1.234,00; the scenario "
                    "declares 'debt_amount' as number"},
        {"path": "$.variables.visits",
         "message": "visits: 2.5 is not a whole number; the scenario declares 'visits' as integer"},
        {"path": "$.variables.vip", "message": "vip: null is not yes or no; the scenario declares 'vip' as boolean"},
        {"path": "$.variables.client_name",
         "message": "client_name: [\"Ana\"] is not text; the scenario declares 'client_name' as string"},
    ]  # fmt: skip
    assert admin.get("/api/callbacks", params={"scenario": name}).json() == []  # nothing stored


def test_a_number_no_phone_of_its_country_has_is_refused(admin: Client, slug: Callable[[str], str]) -> None:
    """Review of a Russian contact centre: "+7-912-345-67-8" (nine digits after +7, Russia's numbers have ten) was
    scheduled and dialled, failing each attempt."""
    name = slug("cbnum")
    _published(admin, name)
    body = {"number": "+7-912-345-67-8", "scenario": name, "due": "2030-06-01T10:00:00Z"}
    refused = admin.post("/api/callbacks", json=body)
    assert refused.status_code == 422, refused.text
    message = "'+7912345678' is no phone number: too few digits for a number of its country"
    params = {"value": "+7912345678", "reason": "too_short"}
    assert refused.json()["problems"] == [
        {"path": "$.number", "code": "impossible_number", "params": params, "message": message}
    ]
    assert admin.post("/api/callbacks", json={**body, "number": "+7-912-345-67-89"}).status_code == 201
    assert admin.post("/api/callbacks", json={**body, "number": "1234"}).status_code == 201  # an extension
