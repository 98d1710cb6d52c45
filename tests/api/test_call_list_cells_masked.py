"""A call list's cells, over real HTTP, for a user without `sees_personal_data`: `[hidden]` wherever the API answers
with them (a job's `contact` and the variables its columns filled, a callback call's `contact`), without the length
the engine's mask tells (`[hidden: 7 characters]` told a debt's size, security review); an empty cell stays empty."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from persistence import calls
from persistence.calls import CallRecordIn
from persistence.db import Database
from tests.api.conftest import Client, Server, UserFactory
from tests.persistence import documents

ROW = {"phone": "+34 611 222 389", "nombre": "Lucía Pérez", "deuda": "1532.75", "nota": ""}
HIDDEN_ROW = {"phone": "[hidden]", "nombre": "[hidden]", "deuda": "[hidden]", "nota": ""}


@pytest.fixture
def campaign(admin: Client, slug: Callable[[str], str]) -> str:
    """A list of one client whose `deuda` column fills the variable the scenario declares; its campaign id."""
    name = slug("cells")
    document: dict[str, Any] = {**documents.greeting("Debe {{ deuda }}"),
                                "variables": [{"name": "deuda", "type": "number"}]}  # fmt: skip
    made = admin.post("/api/scenarios", json={"slug": name, "name": "cells", "document": document})
    assert made.status_code == 201, made.text
    assert admin.post(f"/api/scenarios/{name}/publish", json={"message": "v1"}).status_code == 200
    started = admin.post("/api/callbacks/batch", json={"scenario": name, "rows": [ROW], "name": "Deudas"})
    assert started.status_code == 200, started.text
    return str(started.json()["campaign_id"])


def test_a_jobs_cells_are_hidden_without_their_length(user_factory: UserFactory, admin: Client, campaign: str) -> None:
    [whole] = admin.get("/api/callbacks", params={"campaign": campaign}).json()
    assert whole["variables"]["contact"] == ROW and whole["variables"]["deuda"] == 1532.75  # the column filled it

    client = user_factory("viewer", personal_data=False)
    [job] = client.get("/api/callbacks", params={"campaign": campaign}).json()
    assert job["variables"] == {"contact": HIDDEN_ROW, "deuda": "[hidden]"}
    one = client.get(f"/api/callbacks/{job['id']}")
    assert one.status_code == 200, one.text
    assert one.json()["variables"] == {"contact": HIDDEN_ROW, "deuda": "[hidden]"}


def test_a_variable_filled_from_a_column_of_another_name_is_hidden_without_its_length(
    user_factory: UserFactory, admin: Client, slug: Callable[[str], str]
) -> None:
    # Review of 2026-12-07: `columns` chose the file's `Importe` for the variable `deuda`; named apart, the variable
    # was masked as any other, `[hidden: 9 characters]`, which told the debt's size.
    name = slug("renamed")
    document: dict[str, Any] = {**documents.greeting("Debe {{ deuda }}"),
                                "variables": [{"name": "deuda", "type": "number"}]}  # fmt: skip
    assert admin.post("/api/scenarios", json={"slug": name, "name": "renamed", "document": document}).status_code == 201
    assert admin.post(f"/api/scenarios/{name}/publish", json={"message": "v1"}).status_code == 200
    row = {"phone": "+34600111220", "Importe": "1250000.50"}
    batch = {"scenario": name, "rows": [row], "name": "Deudas", "columns": {"deuda": "Importe"}}
    started = admin.post("/api/callbacks/batch", json=batch)
    assert started.status_code == 200, started.text
    campaign = str(started.json()["campaign_id"])
    assert admin.get("/api/callbacks", params={"campaign": campaign}).json()[0]["variables"]["deuda"] == 1250000.5

    [job] = user_factory("viewer", personal_data=False).get("/api/callbacks", params={"campaign": campaign}).json()
    assert job["variables"] == {"contact": {"phone": "[hidden]", "Importe": "[hidden]"}, "deuda": "[hidden]"}


def test_a_callback_calls_contact_is_hidden_without_its_length(
    server: Server, user_factory: UserFactory, slug: Callable[[str], str]
) -> None:
    scenario = slug("cellcall")
    at = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
    record = CallRecordIn(
        call_id=f"{scenario}-1", scenario=scenario, started_at=at, answered_at=at, ended_at=at + timedelta(seconds=5),
        outcome="completed", caller_id="+34611222389", caller_name="", dialed_number="+34910000077", error=None,
        channel="PJSIP/trunk-0000046b", variables={"contact": ROW, "pin": "8642"},
        trace={"answered": True, "outcome": "completed", "variables": {"contact": ROW}, "steps": []},
    )  # fmt: skip
    database = Database(server.database_url)
    with database.session() as session:
        calls.write_batch(session, records=[record])
    database.dispose()

    detail = user_factory("viewer", personal_data=False).get(f"/api/calls/{record.call_id}").json()
    assert detail["variables"] == {"contact": HIDDEN_ROW, "pin": "[hidden: 4 characters]"}
    assert detail["trace"]["variables"] == {"contact": HIDDEN_ROW}
