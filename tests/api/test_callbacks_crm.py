"""The callbacks API as a CRM integration uses it: retried requests (`Idempotency-Key`), one job cancelled, a
client's jobs found by their number, and requests checked as written. Over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from persistence import callbacks
from persistence.db import Database
from persistence.models import IdempotencyKey
from tests.api.conftest import Client, Server
from tests.persistence import documents


def _published(admin: Client, name: str) -> None:
    created = admin.post("/api/scenarios", json={"slug": name, "name": "crm", "document": documents.greeting()})
    assert created.status_code == 201, created.text
    assert admin.post(f"/api/scenarios/{name}/publish", json={"message": "v1"}).status_code == 200


def _job(scenario: str, number: str = "+34600111222", **more: Any) -> dict[str, Any]:
    return {"number": number, "scenario": scenario, "due": "2030-06-01T10:00:00Z", **more}


def _jobs_of(client: Client | httpx.Client, scenario: str) -> list[dict[str, Any]]:
    return client.get("/api/callbacks", params={"scenario": scenario, "limit": 500}).json()  # type: ignore[no-any-return]


def _key(name: str) -> dict[str, str]:
    return {"Idempotency-Key": name}


# -- Idempotency-Key ---------------------------------------------------------------------------------------------


def test_a_retried_callback_answers_the_first_job_and_creates_no_other(
    admin: Client, slug: Callable[[str], str]
) -> None:
    """The CRM timed out and sent the same request again: one job, so the customer is called once."""
    name = slug("idem")
    _published(admin, name)
    key = _key(f"ticket-4711-{name}")
    first = admin.post("/api/callbacks", json=_job(name, variables={"ticket": 4711}), headers=key)
    assert first.status_code == 201, first.text
    again = admin.post("/api/callbacks", json=_job(name, variables={"ticket": 4711}), headers=key)
    assert (again.status_code, again.json()) == (201, first.json())
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert [job["id"] for job in _jobs_of(admin, name)] == [first.json()["id"]]
    # Without a key every request is a new one, as before.
    assert admin.post("/api/callbacks", json=_job(name)).status_code == 201
    assert len(_jobs_of(admin, name)) == 2


def test_a_key_sent_again_with_another_request_is_refused(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("idem")
    _published(admin, name)
    key = _key(f"ticket-reused-{name}")
    assert admin.post("/api/callbacks", json=_job(name), headers=key).status_code == 201
    other = admin.post("/api/callbacks", json=_job(name, number="+34600999888"), headers=key)
    assert other.status_code == 409, other.text
    assert other.json()["detail"] == (
        f"the Idempotency-Key {key['Idempotency-Key']!r} was used for another request (POST /api/callbacks) within "
        "24 hours: send a new key for a new request"
    )
    elsewhere = admin.post("/api/callbacks/batch", json={"scenario": name, "rows": [{"phone": "600111"}]}, headers=key)
    assert elsewhere.status_code == 409
    assert len(_jobs_of(admin, name)) == 1


def test_keys_are_each_users_own(
    admin: Client, user_factory: Callable[[str], Client], slug: Callable[[str], str]
) -> None:
    """Two integrations numbering their tickets alike do not answer each other's requests."""
    name = slug("idem")
    _published(admin, name)
    key = _key(f"ticket-1-{name}")
    mine = admin.post("/api/callbacks", json=_job(name), headers=key)
    theirs = user_factory("publisher").post("/api/callbacks", json=_job(name), headers=key)
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["id"] != theirs.json()["id"]
    assert len(_jobs_of(admin, name)) == 2


def test_a_key_older_than_a_day_is_a_new_request(server: Server, admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("idem")
    _published(admin, name)
    key = _key(f"ticket-old-{name}")
    first = admin.post("/api/callbacks", json=_job(name), headers=key).json()
    database = Database(server.database_url)
    with database.session() as session:
        for row in session.query(IdempotencyKey).filter_by(key=key["Idempotency-Key"]):
            row.created_at -= timedelta(hours=24, seconds=1)
    database.dispose()
    later = admin.post("/api/callbacks", json=_job(name, number="+34600999777"), headers=key)
    assert later.status_code == 201, later.text
    assert later.json()["id"] != first["id"] and "Idempotent-Replayed" not in later.headers


def test_a_retried_call_list_makes_one_campaign(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("idem")
    _published(admin, name)
    key = _key(f"list-{name}")
    batch = {"scenario": name, "rows": [{"phone": "+34 600 000 001"}, {"phone": "600000002"}], "name": "march"}
    first = admin.post("/api/callbacks/batch", json=batch, headers=key)
    assert first.status_code == 200, first.text
    again = admin.post("/api/callbacks/batch", json=batch, headers=key)
    assert (again.status_code, again.json()) == (200, first.json())
    assert [c["campaign_id"] for c in admin.get("/api/callbacks/campaigns", params={"scenario": name}).json()] == [
        first.json()["campaign_id"]
    ]
    assert len(_jobs_of(admin, name)) == 2


def test_concurrent_retries_with_one_key_create_one_job(
    server: Server, admin: Client, slug: Callable[[str], str]
) -> None:
    """A CRM's retries racing each other (several workers, one ticket): every answer names the same job."""
    name = slug("idem")
    _published(admin, name)
    token = admin.post("/api/tokens", json={"name": f"crm-{name}"}).json()["token"]
    key, answers = _key(f"race-{name}"), []
    start = threading.Barrier(6)

    def retry() -> None:
        with httpx.Client(base_url=server.base_url, timeout=60, headers={"Authorization": f"Bearer {token}"}) as crm:
            start.wait()
            answers.append(crm.post("/api/callbacks", json=_job(name), headers=key))

    workers = [threading.Thread(target=retry) for _ in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert [answer.status_code for answer in answers] == [201] * 6, [answer.text for answer in answers]
    assert len({answer.json()["id"] for answer in answers}) == 1
    assert len(_jobs_of(admin, name)) == 1


def test_a_key_is_checked_as_written(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("idem")
    _published(admin, name)
    too_long = admin.post("/api/callbacks", json=_job(name), headers=_key("k" * 256))
    assert too_long.status_code == 422
    assert too_long.json()["problems"][0]["path"] == "$.Idempotency-Key"
    assert _jobs_of(admin, name) == []


# -- cancel ------------------------------------------------------------------------------------------------------


def test_one_job_is_cancelled_and_never_dialled(
    server: Server, admin: Client, user_factory: Callable[[str], Client], slug: Callable[[str], str]
) -> None:
    name = slug("cancel")
    _published(admin, name)
    job = admin.post("/api/callbacks", json=_job(name)).json()
    assert user_factory("editor").post(f"/api/callbacks/{job['id']}/cancel").status_code == 403
    publisher = user_factory("publisher")
    cancelled = publisher.post(f"/api/callbacks/{job['id']}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["id"], cancelled.json()["status"], cancelled.json()["outcome"]) == (
        job["id"],
        "cancelled",
        "cancelled_by_api",
    )
    assert admin.get(f"/api/callbacks/{job['id']}").json()["status"] == "cancelled"
    audit = admin.get("/api/audit", params={"target": f"callback:{job['id']}"}).json()
    assert [(e["action"], e["actor"], e["details"]) for e in audit] == [
        ("cancel", publisher.username, {"number": "+34600111222", "scenario": name, "was": "pending"}),
        ("schedule", admin.username, {"number": "+34600111222", "scenario": name, "due": job["due"]}),
    ]
    again = admin.post(f"/api/callbacks/{job['id']}/cancel")
    assert again.status_code == 409
    assert again.json()["detail"] == f"callback job {job['id']!r} is already cancelled: only a waiting job is cancelled"
    assert admin.post("/api/callbacks/00000000-0000-0000-0000-000000000000/cancel").status_code == 404
    # The dialer's claim passes it over.
    database = Database(server.database_url)
    with database.session() as session:
        claimed = callbacks.claim_due_jobs(session, now=datetime(2031, 1, 1, tzinfo=UTC), limit=500, node_id="n")
    database.dispose()
    assert job["id"] not in {claimed_job.id for claimed_job in claimed}


def test_a_job_waiting_for_its_retry_is_cancelled(server: Server, admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("cancel")
    _published(admin, name)
    job = admin.post("/api/callbacks", json=_job(name)).json()
    database = Database(server.database_url)
    with database.session() as session:
        callbacks.record_attempt(session, job_id=job["id"], outcome="busy", at=datetime(2030, 6, 1, 10, tzinfo=UTC))
    database.dispose()
    cancelled = admin.post(f"/api/callbacks/{job['id']}/cancel").json()
    assert (cancelled["status"], cancelled["outcome"], cancelled["attempts"]) == ("cancelled", "cancelled_by_api", 1)
    assert [attempt["outcome"] for attempt in cancelled["history"]] == ["busy"]  # the attempts made stay logged


def _job_left(
    server: Server, admin: Client, name: str, status: str, locked_by: str | None, lock_until: datetime | None
) -> dict[str, Any]:
    """A job made through the API, then put in `status` (held by `locked_by` until `lock_until`) as a dialer would."""
    _published(admin, name)
    job: dict[str, Any] = admin.post("/api/callbacks", json=_job(name)).json()
    database = Database(server.database_url)
    with database.session() as session:
        row = callbacks.get_job(session, job_id=job["id"])
        row.status, row.locked_by, row.lock_until = status, locked_by, lock_until
    database.dispose()
    return job


@pytest.mark.parametrize(
    ("status", "detail"),
    [
        ("dialing", "callback job {id!r} is being dialled now: the call is in progress and goes on; cancel it "
                    "again after this attempt, before its retry"),
        ("done", "callback job {id!r} is already done: only a waiting job is cancelled"),
        ("failed", "callback job {id!r} is already failed: only a waiting job is cancelled"),
    ],
    ids=["dialing", "done", "failed"],
)  # fmt: skip
def test_a_job_being_dialled_or_over_is_not_cancelled(
    server: Server, admin: Client, slug: Callable[[str], str], status: str, detail: str
) -> None:
    lease = datetime.now(UTC) + timedelta(minutes=5) if status == "dialing" else None
    job = _job_left(server, admin, slug("cancel"), status, "n1" if lease else None, lease)
    refused = admin.post(f"/api/callbacks/{job['id']}/cancel")
    assert refused.status_code == 409, refused.text
    assert refused.json()["detail"] == detail.format(id=job["id"])
    assert admin.get(f"/api/callbacks/{job['id']}").json()["status"] == status


def test_a_job_left_dialing_by_a_dead_node_is_cancelled(
    server: Server, admin: Client, slug: Callable[[str], str]
) -> None:
    """Its lease ran out: no node holds it, and the next claim would ring its client again."""
    job = _job_left(server, admin, slug("cancel"), "dialing", "dead", datetime.now(UTC) - timedelta(seconds=1))
    cancelled = admin.post(f"/api/callbacks/{job['id']}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"


# -- listed by number, checked as written ------------------------------------------------------------------------


def test_numbers_are_taken_as_people_type_them(admin: Client, slug: Callable[[str], str]) -> None:
    """One rule for one job and for a list's rows: spaces, dashes, dots and brackets dropped."""
    name = slug("num")
    _published(admin, name)
    spaced = admin.post("/api/callbacks", json=_job(name, number="+34 600 111 222"))
    assert spaced.status_code == 201, spaced.text
    assert spaced.json()["number"] == "+34600111222"
    bracketed = admin.post("/api/callbacks", json=_job(name, number="(555) 123-4567"))
    assert (bracketed.status_code, bracketed.json()["number"]) == (201, "5551234567")
    for bad in ("123; DROP", "+34 6OO", "1", "+"):
        refused = admin.post("/api/callbacks", json=_job(name, number=bad))
        assert refused.status_code == 422, bad
        assert refused.json()["problems"][0]["path"] == "$.number"


def test_a_clients_jobs_are_found_by_their_number(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("num")
    _published(admin, name)
    wanted = admin.post("/api/callbacks", json=_job(name, number="+34600111333")).json()
    admin.post("/api/callbacks", json=_job(name, number="+34600111444"))
    for typed in ("+34 600 111 333", "+34600111333", "0034 600-111-333"):
        found = admin.get("/api/callbacks", params={"number": typed, "scenario": name})
        assert [job["id"] for job in found.json()] == [wanted["id"]], typed
    assert admin.get("/api/callbacks", params={"number": "+34600111555", "scenario": name}).json() == []
    not_a_number = admin.get("/api/callbacks", params={"number": "ana"})
    assert not_a_number.status_code == 422
    assert not_a_number.json()["detail"] == "the request cannot be carried out: 'ana' is not a phone number"


def test_an_unknown_field_is_refused_by_name(admin: Client, slug: Callable[[str], str]) -> None:
    """A typo (`window_ends`) must not make a job without a window."""
    name = slug("num")
    _published(admin, name)
    typo = admin.post("/api/callbacks", json=_job(name, window_ends="2030-06-01T20:00:00Z"))
    assert typo.status_code == 422
    assert typo.json()["problems"] == [
        {"path": "$.window_ends", "message": "Extra inputs are not permitted", "code": "extra_forbidden"}
    ]
    assert _jobs_of(admin, name) == []


def test_the_openapi_document_says_each_callbacks_operations_role_and_the_key(anonymous: Client) -> None:
    paths = anonymous.get("/openapi.json").json()["paths"]
    operations = {
        f"{method.upper()} {path}": operation
        for path, methods in paths.items()
        if path.startswith("/api/callbacks")
        for method, operation in methods.items()
    }
    assert "POST /api/callbacks/{job_id}/cancel" in operations
    for name, operation in operations.items():
        role = "viewer" if name.startswith("GET ") else "publisher"  # what calls a client is a publisher's
        assert f"**Role:** {role}" in operation["description"], name  # stated for every operation (api.deps)
    for name in ("POST /api/callbacks", "POST /api/callbacks/batch"):
        headers = [p for p in operations[name]["parameters"] if p["in"] == "header"]
        assert [(p["name"], p["required"]) for p in headers] == [("Idempotency-Key", False)], name
        assert "24 hours" in headers[0]["description"]
