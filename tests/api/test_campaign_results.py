"""A campaign's results over real HTTP while it runs and after a stop: its jobs page by page, the report's dialing
columns of each client, and the summary's clients reached (review of the campaign reports, 2026-12)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from graph_engine.services import CallbackRequest
from persistence import callbacks, calls
from persistence.calls import CallRecordIn
from persistence.db import Database
from tests.api.conftest import Client, Server
from tests.persistence import documents

AT = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def database(server: Server) -> Iterator[Database]:
    """The server's database, as the dialer and FastAGI write it."""
    database = Database(server.database_url)
    yield database
    database.dispose()


def _campaign(admin: Client, name: str, *phones: str) -> tuple[str, list[str]]:
    created = admin.post("/api/scenarios", json={"slug": name, "name": "list", "document": documents.greeting()})
    assert created.status_code == 201, created.text
    assert admin.post(f"/api/scenarios/{name}/publish", json={"message": "v1"}).status_code == 200
    rows = [{"phone": phone} for phone in phones]
    started = admin.post("/api/callbacks/batch", json={"scenario": name, "rows": rows, "due": AT.isoformat()})
    assert started.status_code == 200, started.text
    return started.json()["campaign_id"], started.json()["job_ids"]


def _ring(database: Database, job_id: str, at: datetime) -> None:
    """The dialer took the client (the server's database is shared: no pass over every test's jobs)."""
    with database.session() as session:
        job = callbacks.get_job(session, job_id=job_id)
        job.status, job.locked_by, job.lock_until = "dialing", "n1", at + timedelta(minutes=5)


def _dial(database: Database, job_id: str, outcome: str, at: datetime) -> None:
    _ring(database, job_id, at)
    with database.session() as session:
        callbacks.record_attempt(session, job_id=job_id, outcome=outcome, at=at, node_id="n1")


def _answered(database: Database, job_id: str, *, at: datetime, call_id: str, result: str | None) -> None:
    """The callee answered: FastAGI marked the job reached, ran the scenario, and its record was written."""
    with database.session() as session:
        callbacks.mark_reached(session, job_id=job_id, at=at)
        record = CallRecordIn(call_id=call_id, scenario="s", started_at=at, outcome="ended", trace={"steps": []},
                              answered_at=at, callback_job_id=job_id,
                              variables={"result": result} if result else {})  # fmt: skip
        calls.write_batch(session, records=[record])


def _report(admin: Client, campaign_id: str) -> list[dict[str, str]]:
    response = admin.get(f"/api/callbacks/campaigns/{campaign_id}.csv")
    assert response.status_code == 200, response.text
    header, *lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    names = [name.split(" (")[0] for name in header]  # a time column's header may name its clock
    return [dict(zip(names, line, strict=True)) for line in lines]


def test_a_running_campaigns_jobs_page_without_repeating_or_skipping_one(
    admin: Client, database: Database, slug: Callable[[str], str]
) -> None:
    campaign_id, ids = _campaign(admin, slug("pages"), *(f"6007770{n:02d}" for n in range(5)))

    def page(offset: int) -> list[str]:
        params: dict[str, Any] = {"campaign": campaign_id, "limit": 2, "offset": offset}
        return [job["id"] for job in admin.get("/api/callbacks", params=params).json()]

    seen = page(0)
    _dial(database, ids[4], "busy", AT)  # the last client is due again in five minutes, after every other
    seen += page(2) + page(4)
    assert seen == ids  # in the list's order


def test_the_report_of_a_client_promised_a_callback_keeps_the_dials_that_reached_them(
    admin: Client, database: Database, slug: Callable[[str], str]
) -> None:
    name = slug("follow")
    campaign_id, (job_id,) = _campaign(admin, name, "600777100")
    _dial(database, job_id, "busy", AT)
    reached = AT + timedelta(minutes=5)
    _dial(database, job_id, "answered", reached)
    _answered(database, job_id, at=reached, call_id=f"call-{campaign_id}", result="operator_unavailable")
    with database.session() as session:  # no operator was free: the call promised a callback
        request = CallbackRequest(number="600777100", due=reached + timedelta(hours=1), window_end=None,
                                  scenario=name, variables={}, origin_call_id=f"call-{campaign_id}",
                                  origin_job_id=job_id)  # fmt: skip
        callbacks.schedule_callback(session, request, max_attempts=3, now=reached)
    (row,) = _report(admin, campaign_id)
    assert (row["status"], row["result"], row["call_id"]) == ("pending", "operator_unavailable", f"call-{campaign_id}")
    assert (row["attempts"], row["outcome"]) == ("2", "answered")
    assert "2026-06-01" in row["last_attempt_at"] and "08:05" in row["last_attempt_at"]  # however times are written


def test_a_stopped_campaigns_report_keeps_each_clients_last_dial_outcome(
    admin: Client, database: Database, slug: Callable[[str], str]
) -> None:
    campaign_id, (busy, ringing, _never) = _campaign(admin, slug("stop"), "600777201", "600777202", "600777203")
    _dial(database, busy, "busy", AT)
    _ring(database, ringing, AT)  # the second client's phone rings
    assert admin.post(f"/api/callbacks/campaigns/{campaign_id}/cancel").status_code == 200
    with database.session() as session:
        callbacks.record_attempt(session, job_id=ringing, outcome="no_answer", at=AT, node_id="n1")
    assert [(row["status"], row["attempts"], row["outcome"]) for row in _report(admin, campaign_id)] == [
        ("cancelled", "1", "busy"),
        ("cancelled", "1", "no_answer"),
        ("cancelled", "0", "cancelled"),
    ]


def test_the_summary_counts_the_clients_reached_whatever_they_stand(
    admin: Client, database: Database, slug: Callable[[str], str]
) -> None:
    """`results` counts the answers of every client reached, one promised a callback (pending) too: the dialog's
    "reached without an answer" is `reached` less them, not `done` less them."""
    name = slug("reached")
    campaign_id, (pays, silent, promised, _waiting) = _campaign(admin, name, *(f"60077730{n}" for n in range(4)))
    _answered(database, pays, at=AT, call_id=f"pays-{name}", result="will_pay")
    _answered(database, silent, at=AT, call_id=f"silent-{name}", result=None)  # hung up before answering
    _answered(database, promised, at=AT, call_id=f"promised-{name}", result="operator_unavailable")
    with database.session() as session:
        request = CallbackRequest(number="600777302", due=AT + timedelta(hours=1), window_end=None, scenario=name,
                                  variables={}, origin_call_id=f"promised-{name}", origin_job_id=promised)  # fmt: skip
        callbacks.schedule_callback(session, request, max_attempts=3, now=AT)
    summary = admin.get(f"/api/callbacks/campaigns/{campaign_id}").json()
    assert (summary["statuses"], summary["reached"]) == ({"done": 2, "pending": 2}, 3)
    assert summary["results"] == {"will_pay": 1, "operator_unavailable": 1}
    (listed,) = admin.get("/api/callbacks/campaigns", params={"scenario": name}).json()
    assert listed["reached"] is None  # counted for one campaign only, as its results are
