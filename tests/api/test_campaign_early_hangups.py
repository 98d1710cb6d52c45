"""A client who hangs up before the scenario is done with them is told apart in the campaign's summary: answered,
but no step of their call set `result` (a supervisor's review: a client who hung up during the greeting counted as
reached, his answer the scenario's default `no_response`, as one who heard the amount and the menu three times)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from persistence import callbacks, calls
from persistence.calls import CallRecordIn
from persistence.db import Database
from tests.api.conftest import Client, Server
from tests.persistence import documents

AT = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def database(server: Server) -> Iterator[Database]:
    database = Database(server.database_url)
    yield database
    database.dispose()


def _call(database: Database, job_id: str, *, call_id: str, outcome: str, steps: list[dict[str, Any]]) -> None:
    """The callee answered: FastAGI marked the job reached, ran the scenario, and its record was written. Its
    `result` is the scenario's default `no_response` unless a step set it."""
    variables: dict[str, Any] = {"result": "no_response"}
    for step in steps:
        variables.update(step.get("variables_changed", {}))
    with database.session() as session:
        callbacks.mark_reached(session, job_id=job_id, at=AT)
        record = CallRecordIn(call_id=call_id, scenario="s", started_at=AT, ended_at=AT + timedelta(seconds=9),
                              outcome=outcome, trace={"steps": steps}, answered_at=AT, callback_job_id=job_id,
                              variables=variables)  # fmt: skip
        calls.write_batch(session, records=[record])


def test_a_client_who_hung_up_before_any_result_is_counted_apart(
    admin: Client, database: Database, slug: Callable[[str], str]
) -> None:
    name = slug("early")
    created = admin.post("/api/scenarios", json={"slug": name, "name": "list", "document": documents.greeting()})
    assert created.status_code == 201, created.text
    assert admin.post(f"/api/scenarios/{name}/publish", json={"message": "v1"}).status_code == 200
    rows = [{"phone": f"60088800{n}"} for n in range(4)]
    started = admin.post("/api/callbacks/batch", json={"scenario": name, "rows": rows, "due": AT.isoformat()})
    assert started.status_code == 200, started.text
    campaign_id, (greeting, paid, menu, heard) = started.json()["campaign_id"], started.json()["job_ids"]
    greet = {"node": "greet", "type": "say_phrase", "exit": None}
    _call(database, greeting, call_id=f"{name}-1", outcome="caller_hangup", steps=[greet])
    pressed = {"node": "will_pay", "type": "set_variable", "variables_changed": {"result": "will_pay"}}
    _call(database, paid, call_id=f"{name}-2", outcome="caller_hangup", steps=[greet, pressed])
    # Set to what it already held: the scenario did set it, the client heard the end of the menu.
    said = {"node": "no_answer", "type": "set_variable", "variables_changed": {"result": "no_response"}}
    _call(database, menu, call_id=f"{name}-3", outcome="caller_hangup", steps=[greet, said])
    _call(database, heard, call_id=f"{name}-4", outcome="hung_up", steps=[greet])

    summary = admin.get(f"/api/callbacks/campaigns/{campaign_id}").json()
    assert summary["reached"] == 4
    assert summary["hung_up_early"] == 1
    assert summary["results"] == {"no_response": 3, "will_pay": 1}
    listed = admin.get("/api/callbacks/campaigns", params={"scenario": name}).json()
    assert [campaign["hung_up_early"] for campaign in listed] == [None]  # not counted in the list, as `reached`
