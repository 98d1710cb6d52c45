"""What an operator of several nodes reads over the API (operations review): the node dialling a callback job now
(`locked_by`, `lock_until` on the job), and the node that took each call, in the register's list, as its `?node=`
filter, and as a column of the CSV and XLSX exports. Over real HTTP on both databases; the calls taken by two
FastAGI nodes of their own ids over the fake Asterisk, recorded in the API's database as `ivrgraph serve` does."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import openpyxl

from persistence.db import Database
from persistence.models import CallbackJob
from tests.agi_server.conftest import call
from tests.api.agi_node import serving_node
from tests.api.conftest import Client, Server
from tests.fakes.asterisk import CallerScript, default_env
from tests.persistence import documents

_RUN = uuid.uuid4().hex[:8]
# The register export's columns before it named the node, in their order (BI tools read them by position too).
_COLUMNS_BEFORE = ["id", "scenario", "version", "status", "outcome", "result", "result_label", "caller_id",
                   "caller_name", "dialed_number", "started_at", "answered_at", "ended_at", "duration_ms", "last_node",
                   "hangup_during", "transfer_outcome", "origin_call_id", "callback_job_id", "asterisk_uniqueid",
                   "recorded_at", "channel", "scheduled_job_ids", "error_steps"]  # fmt: skip


def _published(admin: Client, name: str) -> None:
    created = admin.post("/api/scenarios", json={"slug": name, "name": "ops", "document": documents.greeting()})
    assert created.status_code == 201, created.text
    assert admin.post(f"/api/scenarios/{name}/publish", json={"message": "v1"}).status_code == 200


# -- who holds a callback job ----------------------------------------------------------------------------------


def test_a_job_being_dialled_names_its_node_and_lease_and_a_job_no_node_holds_names_none(
    server: Server, admin: Client, slug: Callable[[str], str]
) -> None:
    name = slug("held")
    _published(admin, name)
    job = admin.post("/api/callbacks", json={"number": "+34600111222", "scenario": name, "due": "2030-06-01T10:00:00Z"})
    assert job.status_code == 201, job.text
    job_id = job.json()["id"]
    assert (job.json()["locked_by"], job.json()["lock_until"]) == (None, None)

    lease_end = datetime(2030, 6, 1, 10, 2, tzinfo=UTC)
    database = Database(server.database_url)
    try:
        with database.session() as session:  # as a dialer's claim leaves it (persistence.callbacks)
            held = session.get(CallbackJob, job_id)
            assert held is not None
            held.status, held.locked_by, held.lock_until = "dialing", f"node-b-{_RUN}", lease_end
    finally:
        database.dispose()

    read = admin.get(f"/api/callbacks/{job_id}")
    assert read.status_code == 200, read.text
    assert read.json()["status"] == "dialing"
    assert read.json()["locked_by"] == f"node-b-{_RUN}"
    assert datetime.fromisoformat(read.json()["lock_until"]) == lease_end
    listed = {item["id"]: item for item in admin.get("/api/callbacks", params={"scenario": name}).json()}
    assert listed[job_id]["locked_by"] == f"node-b-{_RUN}"


def test_the_job_model_documents_the_lock_fields_as_read_only(admin: Client) -> None:
    schema = admin.get("/openapi.json").json()["components"]["schemas"]["CallbackJobOut"]["properties"]
    assert "Read-only" in schema["locked_by"]["description"]
    assert "Read-only" in schema["lock_until"]["description"]


# -- which node took a call --------------------------------------------------------------------------------------


async def _calls_on(server: Server, node_id: str, name: str, count: int) -> None:
    async with serving_node(server, node_id) as agi:
        for _ in range(count):
            await call(agi, name, CallerScript(), env=default_env(name), time_scale=0.01)


def _listed(client: Client, **params: str) -> list[dict[str, Any]]:
    response = client.get("/api/calls", params=params)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_the_register_lists_filters_and_exports_the_node_that_took_each_call(
    server: Server, admin: Client, slug: Callable[[str], str]
) -> None:
    name = slug("nodes")
    _published(admin, name)
    node_a, node_b = f"node-a-{_RUN}", f"node-b-{_RUN}"
    await _calls_on(server, node_a, name, 2)
    await _calls_on(server, node_b, name, 1)

    every = _listed(admin, scenario=name)
    by_call = {item["id"]: item["node"] for item in every}
    assert sorted(by_call.values()) == [node_a, node_a, node_b]
    for call_id, node in by_call.items():  # the detail says the same under the same name
        assert admin.get(f"/api/calls/{call_id}").json()["node"] == node
    # `last_node` stays the scenario's block, not a server
    assert all(item["last_node"] not in (node_a, node_b) for item in every)

    assert sorted(item["id"] for item in _listed(admin, node=node_a)) == sorted(
        c for c, n in by_call.items() if n == node_a
    )
    assert [item["node"] for item in _listed(admin, node=node_b)] == [node_b]
    assert _listed(admin, node="node") == []  # exact: a prefix of every node's id finds none of theirs
    assert _listed(admin, scenario=name, node=f"node-c-{_RUN}") == []

    exported = admin.get("/api/calls.csv", params={"scenario": name})
    assert exported.status_code == 200, exported.text
    text = exported.content.decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(text)))
    # the columns BI tools read by position keep their order and places
    columns = [title.removesuffix(" (UTC)") for title in header]
    assert columns[: len(_COLUMNS_BEFORE)] == _COLUMNS_BEFORE
    # right after them: every earlier column stays where it was, and columns added later come after it
    assert columns[len(_COLUMNS_BEFORE)] == "node"
    assert {row["id"]: row["node"] for row in csv.DictReader(io.StringIO(text))} == by_call
    only_b = admin.get("/api/calls.csv", params={"node": node_b}).content.decode("utf-8-sig")
    assert [row["node"] for row in csv.DictReader(io.StringIO(only_b))] == [node_b]

    for lang, title in (("en", "Server node"), ("es", "Nodo del servidor"), ("ru", "Узел сервера")):
        worded = admin.get("/api/calls.csv", params={"scenario": name, "lang": lang}).content.decode("utf-8-sig")
        assert title in next(csv.reader(io.StringIO(worded)))

    workbook = admin.get("/api/calls.xlsx", params={"scenario": name})
    assert workbook.status_code == 200, workbook.text
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content), read_only=True).worksheets[0]
    titles, *cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert {row[titles.index("id")]: row[titles.index("node")] for row in cells} == by_call

    # the export's audit event names the node filter as given
    admin.get("/api/calls.csv", params={"node": node_a})
    events = admin.get("/api/audit", params={"action": "export_calls"}).json()
    assert any(event["details"].get("filters", {}).get("node") == node_a for event in events)
