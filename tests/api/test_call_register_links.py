"""The call register from a support engineer's side, over real HTTP on SQLite and PostgreSQL (review of the register):
the calls that asked for a callback job (scheduled it, or joined it while it waited) and the calls that rang back for
it, both ways; the calls where a step took its error exit though the flow went on; and Asterisk's channel in the
exports. The calls are run by the engine with the database's own callback scheduler, and written as the FastAGI
runtime writes them."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import openpyxl
import pytest

from blocks import default_registry
from graph_engine.document import parse_document
from graph_engine.interpreter import run_call
from graph_engine.scripted import ScriptedChannel
from graph_engine.services import FixedClock, Services
from persistence.callbacks import DatabaseCallbackScheduler
from persistence.calls import CallRecordIn, CallRecordWriter
from persistence.db import Database
from tests.api.conftest import Client, Server
from tests.conftest import make_document
from tests.persistence.published import publish

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday morning: inside the Callback block's default hours
TARGET = "callback-connect"  # the scenario a callback rings into: published, or the scheduler refuses it


def _asking(target: str, client: str) -> dict[str, Any]:
    """Start -> Callback (to `client`, into `target`) -> Hang Up; a failure goes to the scenario's fallback, which
    apologises and hangs up: the call is served, its status `answered`."""
    return make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "ask", "type": "callback", "config": {"scenario": target, "number": client}},
            {"id": "bye", "type": "hangup"},
            {"id": "sorry", "type": "say_phrase", "config": {"text": "Sorry, try later"}},
            {"id": "sorry-bye", "type": "hangup"},
        ],
        [("start", "next", "ask"), ("ask", "scheduled", "bye"), ("sorry", "next", "sorry-bye")],
        fallback="sorry",
    )


@dataclass
class Calls:
    """The calls of one test, all with `client`: `asked` and `joined` asked for `job`, `failed` could not (the
    target is not published), `attempts` rang the client back for the job, oldest first."""

    client: str
    scenario: str
    job: str
    asked: str
    joined: str
    failed: str
    attempts: list[str]


def _run(database: Database, document: dict[str, Any], call_id: str, at: datetime) -> Any:
    scheduler = DatabaseCallbackScheduler(database, now=lambda: at)
    services = Services(clock=FixedClock(at), scheduler=scheduler)
    return asyncio.run(
        run_call(parse_document(document), ScriptedChannel(), default_registry(), services, call_id=call_id)
    )


def _record(result: Any, at: datetime, *, client: str, channel: str, **links: Any) -> CallRecordIn:
    facts = {"caller_id": client, "channel": channel}
    return CallRecordIn.from_result(result, started_at=at, answered_at=at, ended_at=at + timedelta(seconds=30),
                                    facts=facts, **links)  # fmt: skip


@pytest.fixture
def linked_calls(server: Server, slug: Callable[[str], str]) -> Calls:
    """Two calls that asked for one callback (the second joined the job the first scheduled), one whose Callback
    block failed, and two attempts of the job, a minute apart each."""
    scenario = slug("links")
    # A client of the test's own: the scheduler joins a request to any callback still waiting for the number.
    client = f"+3460011{int(scenario.rpartition('-')[2]):04d}"
    database = Database(server.database_url)
    try:
        publish(database, TARGET)
        records: list[CallRecordIn] = []
        ids = [f"{scenario}-{name}" for name in ("asked", "joined", "failed")]
        for n, (call_id, target) in enumerate(zip(ids, (TARGET, TARGET, "not-published"), strict=True)):
            at = T0 + timedelta(minutes=n)
            result = _run(database, _asking(target, client), call_id, at)
            result.scenario = scenario
            records.append(_record(result, at, client=client, channel=f"PJSIP/trunk-0000000{n}"))
        job = records[0].variables["callback_job_id"]
        attempts = [f"{scenario}-attempt-{n}" for n in (1, 2)]
        for n, call_id in enumerate(attempts, start=5):
            at = T0 + timedelta(minutes=n)
            result = _run(database, make_document([{"id": "start", "type": "start"}], []), call_id, at)
            result.scenario = scenario
            records.append(_record(result, at, client=client, channel=f"PJSIP/trunk-0000000{n}",
                                   callback_job_id=job, origin_call_id=ids[0]))  # fmt: skip
        CallRecordWriter(database).write_batch(records)
    finally:
        database.dispose()
    return Calls(client, scenario, job, *ids, attempts=attempts)


def _listed(client: Client, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/api/calls", params=params)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _ids(client: Client, **params: Any) -> list[str]:
    return [item["id"] for item in _listed(client, **params)]


def test_from_a_job_the_register_lists_the_calls_that_asked_for_it_and_each_attempt(
    admin: Client, linked_calls: Calls
) -> None:
    calls = linked_calls
    # The job is real: the first call scheduled it, the second joined it (the client asked twice, is called once).
    job = admin.get(f"/api/callbacks/{calls.job}")
    assert job.status_code == 200, job.text
    assert job.json()["origin_call_id"] == calls.asked
    joined = admin.get(f"/api/calls/{calls.joined}").json()
    noted = [event for step in joined["trace"]["steps"] for event in step["events"]]
    assert [event.get("merged") for event in noted if event["kind"] == "callback_scheduled"] == [True]

    asked = _listed(admin, scheduled_job_id=calls.job)
    assert [item["id"] for item in asked] == [calls.joined, calls.asked]  # newest first
    assert all(item["scheduled_job_ids"] == [calls.job] and item["callback_job_id"] is None for item in asked)

    attempts = _listed(admin, callback_job_id=calls.job)
    assert [item["id"] for item in attempts] == calls.attempts[::-1]
    assert all(item["callback_job_id"] == calls.job and item["scheduled_job_ids"] == [] for item in attempts)
    assert _ids(admin, origin_call_id=calls.asked) == calls.attempts[::-1]
    assert _ids(admin, origin_call_id=calls.joined) == []  # the job's attempts name the call that scheduled it

    detail = admin.get(f"/api/calls/{calls.asked}").json()
    assert (detail["scheduled_job_ids"], detail["callback_job_id"]) == ([calls.job], None)
    assert admin.get(f"/api/calls/{calls.attempts[0]}").json()["callback_job_id"] == calls.job
    # Filters combine with the others, and an unknown job is no call.
    assert _ids(admin, scheduled_job_id=calls.job, scenario=calls.scenario, status="callback_scheduled") == [
        calls.joined,
        calls.asked,
    ]
    assert _ids(admin, scheduled_job_id="no-such-job") == [] and _ids(admin, callback_job_id="no-such-job") == []


def test_the_openapi_document_tells_the_two_job_links_apart(admin: Client) -> None:
    schemas = admin.get("/openapi.json").json()["components"]["schemas"]
    for model in ("CallSummary", "CallDetail"):
        described = schemas[model]["properties"]["callback_job_id"]["description"]
        assert described.startswith("The callback job this call rang back for")
        assert "scheduled_job_ids" in schemas[model]["properties"]


def test_a_call_whose_block_took_its_error_exit_is_found_though_it_was_served(
    admin: Client, linked_calls: Calls
) -> None:
    calls = linked_calls
    failed = admin.get(f"/api/calls/{calls.failed}").json()
    # What the review saw: the fallback served the caller, so the call reads answered, with no error.
    assert (failed["status"], failed["error"], failed["error_steps"]) == ("answered", None, 1)
    assert failed["scheduled_job_ids"] == []
    assert _ids(admin, scenario=calls.scenario, with_errors="true") == [calls.failed]
    found = _listed(admin, scenario=calls.scenario, with_errors="false")
    assert [item["id"] for item in found] == [*calls.attempts[::-1], calls.joined, calls.asked]
    assert {item["error_steps"] for item in found} == {0}
    assert _ids(admin, with_errors="true", status="answered", scenario=calls.scenario) == [calls.failed]
    assert admin.get("/api/calls", params={"with_errors": "perhaps"}).status_code == 422

    report = admin.get("/api/reports/calls", params={"since": "2026-11-23", "until": "2026-11-24",
                                                     "scenario": calls.scenario}).json()  # fmt: skip
    assert report["totals"]["with_errors"] == 1 and report["totals"]["calls"] == 5
    assert [row["with_errors"] for row in report["rows"]] == [1]


def _csv(client: Client, **params: Any) -> list[dict[str, str]]:
    response = client.get("/api/calls.csv", params=params)
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_exports_carry_the_channel_the_jobs_asked_for_and_the_failed_steps(
    admin: Client, linked_calls: Calls
) -> None:
    calls = linked_calls
    rows = {row["id"]: row for row in _csv(admin, scenario=calls.scenario)}
    assert rows[calls.asked]["channel"] == "PJSIP/trunk-00000000"  # Asterisk's full log is keyed by it
    assert rows[calls.asked]["scheduled_job_ids"] == calls.job and rows[calls.asked]["callback_job_id"] == ""
    assert rows[calls.attempts[0]]["callback_job_id"] == calls.job
    assert rows[calls.attempts[0]]["scheduled_job_ids"] == ""
    assert (rows[calls.failed]["error_steps"], rows[calls.asked]["error_steps"]) == ("1", "0")
    # The new filters reach the exports through the same query as the list.
    assert [row["id"] for row in _csv(admin, scheduled_job_id=calls.job)] == [calls.joined, calls.asked]
    assert [row["id"] for row in _csv(admin, scenario=calls.scenario, with_errors="true")] == [calls.failed]

    response = admin.get("/api/calls.xlsx", params={"origin_call_id": calls.asked})
    assert response.status_code == 200, response.text
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    book = [dict(zip(header, (cell.value for cell in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    assert [(row["id"], row["channel"], row["callback_job_id"]) for row in book] == [
        (calls.attempts[1], "PJSIP/trunk-00000006", calls.job),
        (calls.attempts[0], "PJSIP/trunk-00000005", calls.job),
    ]
    assert {row["error_steps"] for row in book} == {0}
