"""A call's detail names the campaign whose client it rang, over real HTTP on SQLite and PostgreSQL (a collections
supervisor's review: the call card linked only the callback job's id, and the campaign was a guess from there)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from persistence import calls
from persistence.calls import CallRecordIn
from persistence.db import Database
from tests.api.conftest import Client, Server
from tests.persistence import documents

AT = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def database(server: Server) -> Iterator[Database]:
    """The server's database, as FastAGI writes the call records into it."""
    database = Database(server.database_url)
    yield database
    database.dispose()


def _scenario(admin: Client, name: str) -> None:
    created = admin.post("/api/scenarios", json={"slug": name, "name": "list", "document": documents.greeting()})
    assert created.status_code == 201, created.text
    assert admin.post(f"/api/scenarios/{name}/publish", json={"message": "v1"}).status_code == 200


def _write(database: Database, call_id: str, scenario: str, job_id: str | None) -> None:
    record = CallRecordIn(call_id=call_id, scenario=scenario, started_at=AT, outcome="ended", trace={"steps": []},
                          answered_at=AT, callback_job_id=job_id, dialed_number="89165556677")  # fmt: skip
    with database.session() as session:
        calls.write_batch(session, records=[record])


def test_a_campaign_calls_detail_names_its_campaign(
    admin: Client, database: Database, slug: Callable[[str], str]
) -> None:
    scenario = slug("debtors")
    _scenario(admin, scenario)
    rows = [{"phone": "89165556677"}]
    started = admin.post("/api/callbacks/batch", json={"scenario": scenario, "rows": rows, "name": "Должники, март"})
    assert started.status_code == 200, started.text
    campaign_id, (job_id,) = started.json()["campaign_id"], started.json()["job_ids"]
    _write(database, f"{scenario}-rang", scenario, job_id)

    detail = admin.get(f"/api/calls/{scenario}-rang").json()
    assert detail["callback_job_id"] == job_id
    assert (detail["campaign_id"], detail["campaign_name"]) == (campaign_id, "Должники, март")


def test_a_call_of_no_campaign_names_none(admin: Client, database: Database, slug: Callable[[str], str]) -> None:
    scenario = slug("callback")
    _scenario(admin, scenario)
    # A callback one job of its own asked for (the API's, or a Callback block's): no call list behind it.
    due = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    job = admin.post("/api/callbacks", json={"scenario": scenario, "number": "89165556677", "due": due})
    assert job.status_code == 201, job.text
    _write(database, f"{scenario}-rang", scenario, job.json()["id"])
    _write(database, f"{scenario}-inbound", scenario, None)
    _write(database, f"{scenario}-lost-job", scenario, "a-job-since-deleted")

    for call in ("rang", "inbound", "lost-job"):
        detail = admin.get(f"/api/calls/{scenario}-{call}").json()
        assert (detail["campaign_id"], detail["campaign_name"]) == (None, None), call
