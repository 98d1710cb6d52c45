"""A cursor the call register cannot page from is refused as the API's other refusals are, over real HTTP on SQLite
and PostgreSQL: a problem naming `$.cursor` with a stable code, not a bare 400 to be read in English.

Review (a CRM integrator): `GET /api/calls?cursor=garbage`, or a cursor of the other `order`, gave a 400 `refused`
with neither `problems`, `code` nor `path`, where every other query parameter's problem has them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from persistence.calls import CallRecordIn, CallRecordWriter
from persistence.db import Database
from tests.api.conftest import Client, Server

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def _register(server: Server, scenario: str) -> None:
    database = Database(server.database_url)
    try:
        CallRecordWriter(database).write_batch(
            [
                CallRecordIn(call_id=f"{scenario}-{n}", scenario=scenario, started_at=T0 + timedelta(minutes=n),
                             answered_at=T0, ended_at=T0 + timedelta(minutes=n, seconds=30), outcome="hung_up",
                             trace={"steps": []})
                for n in (1, 2)
            ]
        )  # fmt: skip
    finally:
        database.dispose()


def _cursor_problem(response: Any) -> dict[str, Any]:
    # 400 as it always was (integrations already test for it), now with the problem a client reads.
    assert response.status_code == 400, (response.request.url, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["type"] == "https://ivrgraph.dev/problems/refused", body
    [problem] = body["problems"]
    assert (problem["path"], problem["code"]) == ("$.cursor", "bad_cursor"), problem
    return dict(problem)


def test_a_cursor_no_server_made_names_the_parameter(admin: Client) -> None:
    problem = _cursor_problem(admin.get("/api/calls", params={"cursor": "garbage"}))
    assert problem["params"]["reason"] == "not_a_cursor"
    assert "garbage" not in str(problem["params"])  # the value is the client's own: not echoed as data


def test_a_cursor_of_the_other_order_names_both(server: Server, admin: Client, slug: Callable[[str], str]) -> None:
    line = slug("cursor")
    _register(server, line)
    newest_first = admin.get("/api/calls", params={"scenario": line, "page_size": 1}).json()["next_cursor"]
    pulled = admin.get("/api/calls", params={"scenario": line, "order": "recorded", "page_size": 1})
    recorded = pulled.json()["next_cursor"]
    for cursor, made_for, asked in ((newest_first, "started", "recorded"), (recorded, "recorded", "started")):
        answer = admin.get("/api/calls", params={"scenario": line, "order": asked, "cursor": cursor})
        problem = _cursor_problem(answer)
        assert problem["params"] == {"reason": "other_order", "made_for": made_for, "order": asked}, problem
        assert "cannot page the order" in problem["message"]


def test_a_good_cursor_still_pages(server: Server, admin: Client, slug: Callable[[str], str]) -> None:
    line = slug("cursor-good")
    _register(server, line)
    first = admin.get("/api/calls", params={"scenario": line, "page_size": 1}).json()
    rest = admin.get("/api/calls", params={"scenario": line, "page_size": 1, "cursor": first["next_cursor"]})
    assert rest.status_code == 200 and [c["id"] for c in rest.json()["items"]] == [f"{line}-1"], rest.text
    assert admin.get("/api/calls", params={"scenario": line, "cursor": ""}).status_code == 200
