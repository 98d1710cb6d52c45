"""Callback jobs through the API, as an integration would create them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from persistence import callbacks
from persistence.db import Database
from tests.api.conftest import Client, Server
from tests.persistence import documents


def _published(admin: Client, name: str) -> None:
    admin.post("/api/scenarios", json={"slug": name, "name": "cb", "document": documents.greeting()})
    assert admin.post(f"/api/scenarios/{name}/publish", json={"message": "v1"}).status_code == 200


def test_create_list_and_follow_a_job(server: Server, admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("cb")
    _published(admin, name)
    body = {"number": "+34600111222", "scenario": name, "due": "2026-06-01T10:00:00+02:00",
            "window_end": "2026-06-01T20:00:00+02:00", "variables": {"debt": 120}}  # fmt: skip
    created = admin.post("/api/callbacks", json=body)
    assert created.status_code == 201, created.text
    job = created.json()
    assert (job["status"], job["due"], job["variables"]) == ("pending", "2026-06-01T08:00:00Z", {"debt": 120})
    assert job["id"] in {j["id"] for j in admin.get("/api/callbacks", params={"status": "pending"}).json()}
    database = Database(server.database_url)
    with database.session() as session:
        callbacks.record_attempt(session, job_id=job["id"], outcome="busy", at=datetime(2026, 6, 1, 8, 0, tzinfo=UTC))
    database.dispose()
    followed = admin.get(f"/api/callbacks/{job['id']}").json()
    assert followed["attempts"] == 1 and [a["outcome"] for a in followed["history"]] == ["busy"]
    assert followed["reached_at"] is None
    # The scenario cannot be deleted while its callback is pending.
    assert admin.delete(f"/api/scenarios/{name}").status_code == 409
    database = Database(server.database_url)
    with database.session() as session:  # the callee answers the next try and FastAGI names the job
        callbacks.mark_reached(session, job_id=job["id"], at=datetime(2026, 6, 1, 8, 5, 2, tzinfo=UTC))
    database.dispose()
    reached = admin.get(f"/api/callbacks/{job['id']}").json()
    assert (reached["status"], reached["reached_at"]) == ("done", "2026-06-01T08:05:02Z")


def test_refusals(admin: Client, user_factory: Callable[[str], Client], slug: Callable[[str], str]) -> None:
    name = slug("cbr")
    _published(admin, name)
    good = {"number": "+34600111222", "scenario": name, "due": "2026-06-01T10:00:00Z"}
    unpublished = admin.post("/api/callbacks", json={**good, "scenario": "not-published"})
    assert unpublished.status_code == 422
    assert unpublished.json()["detail"] == "the callback cannot be scheduled: 'not-published' is not published"
    assert admin.post("/api/callbacks", json={**good, "number": "123; DROP"}).status_code == 422
    assert admin.post("/api/callbacks", json={**good, "due": "2026-06-01T10:00:00"}).status_code == 422  # no offset
    late = admin.post("/api/callbacks", json={**good, "window_end": "2026-06-01T09:00:00Z"})
    assert late.status_code == 422
    assert late.json()["detail"] == "the callback cannot be scheduled: the window must end after the due time"
    assert late.json()["problems"] == [{"path": "$.window_end", "message": "the window must end after the due time"}]
    assert user_factory("viewer").post("/api/callbacks", json=good).status_code == 403
    assert user_factory("editor").post("/api/callbacks", json=good).status_code == 403  # a real call: publisher+
    assert user_factory("publisher").post("/api/callbacks", json=good).status_code == 201
    assert admin.get("/api/callbacks/no-such-job").status_code == 404
