"""A supervisor's review of an autoinformer campaign, end to end over real HTTP (review of 2026-12-12): a list whose
columns the scenario does not read is refused or warned of before any call, a call that failed is not "reached",
the report names the sheet's rows, the same list twice is warned of, and a stop counts the clients it spared."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from persistence import callbacks, calls
from persistence.calls import CallRecordIn
from persistence.db import Database
from tests.api.conftest import Client, Server
from tests.persistence import documents

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# As a Russian CRM exports a debtors' list.
RUSSIAN_ROW = {"ФИО": "Иван Петров", "Телефон": "+7 916 765 43 21", "Сумма долга": "1500", "Дата": "30.12.2026"}


def _publish(admin: Client, slug: str, document: dict[str, Any]) -> None:
    created = admin.post("/api/scenarios", json={"slug": slug, "name": slug, "document": document})
    assert created.status_code == 201, created.text
    published = admin.post(f"/api/scenarios/{slug}/publish", json={"message": "v1"})
    assert published.status_code == 200, published.text


def _reminder(contact_default: dict[str, Any] | None = None) -> dict[str, Any]:
    """Greets `contact.name` and says `debt_amount`; neither has a default unless given."""
    document = documents.greeting("Hola {{ contact.name }}, debe {{ debt_amount }}. {{ contact.city | default('') }}")
    document["variables"] = [
        {"name": "contact", "type": "object", **({"default": contact_default} if contact_default is not None else {})},
        {"name": "debt_amount", "type": "number"},
        {"name": "result", "type": "string", "default": "no_response"},
    ]
    return document


def _batch(admin: Client, slug: str, rows: list[dict[str, Any]], **more: Any) -> Any:
    body = {"scenario": slug, "number_column": "Телефон", "rows": rows, **more}
    return admin.post("/api/callbacks/batch", json=body)


def test_a_list_whose_columns_the_scenario_does_not_read_is_refused_naming_them(
    admin: Client, slug: Callable[[str], str]
) -> None:
    """Russian headers for a scenario that reads `contact.name` and `debt_amount`, neither with a default: every
    answered call would fail at the greeting. The check (dry run or not) refuses, naming what is missing and the
    columns the file has; nothing is scheduled."""
    name = slug("ru-headers")
    _publish(admin, name, _reminder())
    for dry_run in (True, False):
        refused = _batch(admin, name, [RUSSIAN_ROW], dry_run=dry_run)
        assert refused.status_code == 422, refused.text
        (problem,) = refused.json()["problems"]
        assert problem["code"] == "columns_missing"
        assert problem["params"] == {
            "missing": "'name', 'debt_amount'",
            "reads": "contact.name, debt_amount",
            "columns": "ФИО, Телефон, Сумма долга, Дата",
            "count": 2,
        }
        assert "contact.name" in problem["message"] and "ФИО, Телефон" in problem["message"]
    assert admin.get("/api/callbacks/campaigns", params={"scenario": name}).json() == []
    # The columns named as the scenario reads them: accepted, and `contact.city`, read with a default, is not needed.
    fixed = _batch(admin, name, [{"name": "Иван", "Телефон": "+79167654321", "debt_amount": "1500"}], dry_run=True)
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["warnings"] == []


def _shipped_reminder(admin: Client, slug: Callable[[str], str]) -> str:
    """The debt reminder as shipped, published under a slug of this test's (its Callback block calls back into
    itself, by slug: this copy's)."""
    name = slug("debt-reminder")
    text = (EXAMPLES / "debt-reminder.json").read_text().replace('"scenario": "debt-reminder"', f'"scenario": "{name}"')
    _publish(admin, name, json.loads(text))
    return name


def test_the_shipped_debt_reminder_refuses_a_list_without_the_debt(admin: Client, slug: Callable[[str], str]) -> None:
    """The debt is what the call is for, so the shipped reminder gives `debt_amount` no default: a list without it
    (the Russian CRM's "Сумма долга") is refused before anyone is called, where a default of 0 had every client
    hear "0 EUR" (review of 2026-12-05)."""
    name = _shipped_reminder(admin, slug)
    refused = _batch(admin, name, [RUSSIAN_ROW], dry_run=True)
    assert refused.status_code == 422, refused.text
    (problem,) = refused.json()["problems"]
    assert problem["code"] == "columns_missing"
    assert problem["params"]["missing"] == "'debt_amount'"


def test_a_field_the_scenario_gives_a_default_is_kept_and_warned_of(admin: Client, slug: Callable[[str], str]) -> None:
    """The debt reminder as shipped: its `contact` defaults to {"name": "cliente"}. The Russian list (its debt
    column renamed) is laid over that default, so the greeting says "cliente" instead of failing, and the check
    warns that every client hears the defaults (contact.name, due_date) before anyone is called."""
    name = _shipped_reminder(admin, slug)
    row = {("debt_amount" if column == "Сумма долга" else column): value for column, value in RUSSIAN_ROW.items()}
    checked = _batch(admin, name, [row], dry_run=True)
    assert checked.status_code == 200, checked.text
    (job,) = checked.json()["preview"]
    assert job["variables"]["contact"] == {"name": "cliente", **row}
    assert job["variables"]["debt_amount"] == 1500
    (warning,) = checked.json()["warnings"]
    assert warning["code"] == "columns_defaulted"
    assert warning["params"]["reads"] == "contact.name, due_date"
    assert warning["params"]["defaults"] == 'contact.name = "cliente", due_date = ""'
    assert warning["params"]["columns"] == "ФИО, Телефон, debt_amount, Дата"
    scheduled = _batch(admin, name, [row])
    assert scheduled.status_code == 200 and scheduled.json()["warnings"] == [warning]
    # The report's columns are the list's, not the default's.
    report = admin.get(f"/api/callbacks/campaigns/{scheduled.json()['campaign_id']}.csv").content.decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(report)))[-4:] == list(row)


def test_a_call_that_failed_is_counted_failed_not_reached(
    server: Server, admin: Client, slug: Callable[[str], str]
) -> None:
    """A call whose scenario broke off (outcome `failed`) with `result` still at its default: the campaign counts
    the client's call as failed, not reached, and no answer of theirs; the report gives the call's outcome."""
    name = slug("failed-call")
    _publish(admin, name, _reminder({"name": "cliente"}))
    rows = [
        {"Телефон": "600000001", "name": "Ana", "debt_amount": "10"},
        {"Телефон": "600000002", "name": "Luis", "debt_amount": "20"},
    ]
    created = _batch(admin, name, rows).json()
    broke, talked = created["job_ids"]
    at = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    database = Database(server.database_url)
    with database.session() as session:
        records = []
        for job_id, outcome, result in ((broke, "failed", "no_response"), (talked, "hung_up", "will_pay")):
            callbacks.record_attempt(session, job_id=job_id, outcome="answered", at=at)
            record = CallRecordIn(
                call_id=f"call-{job_id}", scenario=name, started_at=at, answered_at=at, outcome=outcome,
                trace={"steps": []}, callback_job_id=job_id, variables={"result": result},
            )  # fmt: skip
            records.append(record)
        calls.write_batch(session, records=records)
    database.dispose()
    summary = admin.get(f"/api/callbacks/campaigns/{created['campaign_id']}").json()
    assert (summary["reached"], summary["failed_calls"], summary["results"]) == (1, 1, {"will_pay": 1})
    report = admin.get(f"/api/callbacks/campaigns/{created['campaign_id']}.csv").content.decode("utf-8-sig")
    lines = list(csv.DictReader(io.StringIO(report)))
    assert [(line["status"], line["result"], line["call_outcome"]) for line in lines] == [
        ("done", "no_response", "failed"),
        ("done", "will_pay", "hung_up"),
    ]


def test_the_report_names_the_row_of_the_sheet(admin: Client, slug: Callable[[str], str]) -> None:
    """A header, an empty row and a duplicate dropped before the list was sent: the report's `row` is the sheet's
    row the check named, not the client's place among the clients."""
    name = slug("sheet-rows")
    _publish(admin, name, _reminder({"name": "cliente"}))
    rows = [{"Телефон": f"60000000{n}", "debt_amount": "1"} for n in range(3)]
    created = _batch(admin, name, rows, row_numbers=[2, 4, 7])
    assert created.status_code == 200, created.text
    report = admin.get(f"/api/callbacks/campaigns/{created.json()['campaign_id']}.csv").content.decode("utf-8-sig")
    assert [line["row"] for line in csv.DictReader(io.StringIO(report))] == ["2", "4", "7"]
    # Without row numbers, a client's place, as the check named them ("client 2").
    plain = _batch(admin, name, rows[:2], number_column="Телефон")
    report = admin.get(f"/api/callbacks/campaigns/{plain.json()['campaign_id']}.csv").content.decode("utf-8-sig")
    assert [line["row"] for line in csv.DictReader(io.StringIO(report))] == ["1", "2"]


def test_the_same_list_imported_again_is_warned_of(admin: Client, slug: Callable[[str], str]) -> None:
    """The check names the campaign of this scenario whose clients still wait, and how many of this list's numbers
    are among them (as written in another form too); a campaign of another scenario, or one stopped, is not."""
    name, other = slug("twice"), slug("twice-other")
    _publish(admin, name, _reminder({"name": "cliente"}))
    _publish(admin, other, _reminder({"name": "cliente"}))
    rows = [{"Телефон": f"+3460000000{n}", "name": "Ana", "debt_amount": "1"} for n in range(3)]
    first = _batch(admin, name, rows, name="Deudas noviembre").json()
    assert first["warnings"] == []
    assert _batch(admin, other, rows).json()["warnings"] == []  # another scenario's clients are its own
    again = [*rows[:2], {"Телефон": "0034 600 000 009", "name": "Luis", "debt_amount": "1"}]
    again[0] = {**again[0], "Телефон": "0034 600 000 000"}  # the same phone, written with 00
    checked = _batch(admin, name, again, dry_run=True)
    assert checked.status_code == 200, checked.text
    (warning,) = checked.json()["warnings"]
    assert warning["code"] == "already_waiting"
    assert warning["params"]["count"] == 2 and warning["params"]["campaign"] == "Deudas noviembre"
    assert warning["params"]["campaign_id"] == first["campaign_id"]
    assert "2 of these numbers already wait in campaign 'Deudas noviembre'" in warning["message"]
    admin.post(f"/api/callbacks/campaigns/{first['campaign_id']}/cancel")
    assert _batch(admin, name, again, dry_run=True).json()["warnings"] == []


def test_a_double_click_on_schedule_with_one_key_makes_one_campaign(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("double-click")
    _publish(admin, name, _reminder({"name": "cliente"}))
    body = {"scenario": name, "number_column": "Телефон", "rows": [{"Телефон": "600000001", "debt_amount": "1"}]}
    headers = {"Idempotency-Key": f"schedule-{name}"}
    first = admin.post("/api/callbacks/batch", json=body, headers=headers)
    second = admin.post("/api/callbacks/batch", json=body, headers=headers)
    assert first.status_code == second.status_code == 200
    assert first.json()["campaign_id"] == second.json()["campaign_id"]
    assert len(admin.get("/api/callbacks/campaigns", params={"scenario": name}).json()) == 1


def test_a_stop_counts_the_clients_rung_and_those_it_spared(
    server: Server, admin: Client, slug: Callable[[str], str]
) -> None:
    """Of 4 clients: one reached, one rung busy and waiting for a retry, two never rung. A stop cancels 3, but
    only 2 were spared a call: 2 were called, not 1."""
    name = slug("stop-counts")
    _publish(admin, name, _reminder({"name": "cliente"}))
    rows = [{"Телефон": f"60000000{n}", "debt_amount": "1"} for n in range(4)]
    created = _batch(admin, name, rows).json()
    reached, busy = created["job_ids"][:2]
    at = datetime.now(UTC) - timedelta(minutes=5)
    database = Database(server.database_url)
    with database.session() as session:
        callbacks.record_attempt(session, job_id=reached, outcome="answered", at=at)
        callbacks.record_attempt(session, job_id=busy, outcome="busy", at=at)  # a retry waits
    database.dispose()
    stopped = admin.post(f"/api/callbacks/campaigns/{created['campaign_id']}/cancel").json()
    assert stopped["statuses"] == {"done": 1, "cancelled": 3}
    assert (stopped["dialled"], stopped["spared"]) == (2, 2)
    (listed,) = admin.get("/api/callbacks/campaigns", params={"scenario": name}).json()
    assert (listed["dialled"], listed["spared"]) == (2, 2)
