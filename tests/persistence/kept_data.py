"""Rows of personal data as the product writes them, for the retention and erasure tests (tests/persistence, tests/api,
tests/ivrgraph): calls through the FastAGI runtime's writer, callback jobs, call lists, attempts, audit events and
idempotency keys through the functions that make them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from persistence import audit, callbacks, users
from persistence.calls import CallRecordIn, CallRecordWriter
from persistence.db import Database
from persistence.models import (
    AuditEvent,
    CallbackAttempt,
    CallbackJob,
    CallCampaign,
    CallRecord,
    IdempotencyKey,
    PathCount,
    User,
)

NOW = datetime(2026, 12, 20, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def transfer_trace(*, answered: bool = True, keys: str = "1234", outcome: str = "busy") -> dict[str, Any]:
    """A trace as the engine writes one: the caller keyed `keys` (an account number) in a menu, heard a phrase
    with their name, and was transferred (`outcome`)."""
    return {
        "call_id": "x",
        "scenario": "s",
        "outcome": "hung_up",
        "started_at": "2026-01-01T09:00:00+00:00",
        "ended_at": "2026-01-01T09:01:00+00:00",
        "answered": answered,
        "last_node": "bye",
        "variables": {"account": keys, "name": "Lucía Pérez"},
        "error": None,
        "steps": [
            {"index": 0, "node": "start", "type": "start", "label": "Start", "at": "2026-01-01T09:00:00+00:00",
             "exit": "next", "keys": "", "prompts": [], "variables_changed": {}, "events": [], "duration_ms": 1.0,
             "error": None, "scenario": None},
            {"index": 1, "node": "menu", "type": "ivr", "label": "Menu", "at": "2026-01-01T09:00:01+00:00",
             "exit": "1", "keys": keys, "prompts": [{"text": "Hola Lucía Pérez"}],
             "variables_changed": {"account": keys}, "events": [], "duration_ms": 5.0, "error": None,
             "scenario": None},
            {"index": 2, "node": "agent", "type": "transfer", "label": "Agent", "at": "2026-01-01T09:00:10+00:00",
             "exit": "busy" if outcome == "busy" else "answered", "keys": "", "prompts": [],
             "variables_changed": {},
             "events": [{"kind": "transfer", "outcome": outcome, "number": "+34911000111", "caller": "Lucía"}],
             "duration_ms": 20.0, "error": None, "scenario": None},
            {"index": 3, "node": "bye", "type": "hangup", "label": "Bye", "at": "2026-01-01T09:00:40+00:00",
             "exit": "hangup", "keys": "", "prompts": [], "variables_changed": {}, "events": [], "duration_ms": 1.0,
             "error": None, "scenario": None},
        ],
    }  # fmt: skip


def write_calls(database: Database, *calls: dict[str, Any]) -> None:
    """Each of `calls` (`call_id` and `started_at`, and any other CallRecordIn field) as the FastAGI runtime writes
    it, answered, with `transfer_trace()` and its variables unless given."""
    records = []
    for call in calls:
        values = {
            "scenario": "s",
            "version": 1,
            "version_id": 1,
            "outcome": "hung_up",
            "trace": transfer_trace(),
            "variables": {"account": "1234", "name": "Lucía Pérez", "result": "paid"},
            **call,
        }
        values.setdefault("answered_at", values["started_at"])
        values.setdefault("ended_at", values["started_at"] + timedelta(minutes=1))
        records.append(CallRecordIn(**values))
    CallRecordWriter(database).write_batch(records)


def add_job(
    session: Session,
    number: str,
    *,
    created_at: datetime,
    status: str = "done",
    last_attempt_at: datetime | None = None,
    attempts: Sequence[str] = ("answered",),
    campaign_id: str | None = None,
    campaign_row: int | None = None,
    origin_call_id: str | None = None,
    variables: dict[str, Any] | None = None,
) -> str:
    """A callback job for `number`, made at `created_at`, due then, in `status`, with one attempt per outcome of
    `attempts` (the last at `last_attempt_at`, by default an hour after it was made); its id."""
    job = callbacks.create_job(
        session,
        number=number,
        scenario="s",
        due=created_at,
        variables=variables if variables is not None else {"contact": {"name": "Lucía Pérez", "phone": number}},
        campaign_id=campaign_id,
        campaign_row=campaign_row,
        origin_call_id=origin_call_id,
        now=created_at,
    )
    last = last_attempt_at or created_at + timedelta(hours=1)
    for n, outcome in enumerate(attempts):
        session.add(CallbackAttempt(job_id=job.id, at=last - timedelta(minutes=len(attempts) - 1 - n), outcome=outcome))
    job.status, job.attempts = status, len(attempts)
    job.last_attempt_at = last if attempts else None
    job.outcome = attempts[-1] if attempts else None
    session.flush()
    return job.id


def add_campaign(
    session: Session, numbers: Sequence[str], *, created_at: datetime, statuses: Sequence[str] | None = None
) -> tuple[str, list[str]]:
    """A call list of one client per number, made at `created_at`, each job in its status of `statuses` (done by
    default) and dialled an hour later; (campaign id, job ids)."""
    campaign = CallCampaign(
        id=str(uuid.uuid4()), scenario="s", name="debts.xlsx", created_by="ana", created_at=created_at,
        jobs=len(numbers), settings={},
    )  # fmt: skip
    session.add(campaign)
    session.flush()
    jobs = [
        add_job(
            session,
            number,
            created_at=created_at,
            status=(statuses or ["done"] * len(numbers))[row],
            campaign_id=campaign.id,
            campaign_row=row + 1,
        )
        for row, number in enumerate(numbers)
    ]
    return campaign.id, jobs


def add_key(session: Session, *, username: str, key: str, created_at: datetime, response: dict[str, Any]) -> None:
    """An idempotency key a user sent at `created_at`, settled with `response`."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        user = users.create_user(session, username=username, password="password-123", role="publisher")
    session.add(
        IdempotencyKey(
            user_id=user.id,
            key=key,
            request_hash="0" * 64,
            endpoint="POST /api/callbacks",
            status_code=201,
            response=response,
            created_at=created_at,
        )
    )
    session.flush()


def add_event(session: Session, *, at: datetime, details: dict[str, Any], action: str = "schedule") -> int:
    return audit.record_event(session, actor="crm", action=action, target="callback:1", details=details, now=at).id


def counts(database: Database) -> dict[str, int]:
    """Rows of each table personal data lives in (and of the flow statistics, which are counts)."""
    with database.session() as session:
        return {
            model.__tablename__: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (CallRecord, CallbackJob, CallbackAttempt, CallCampaign, AuditEvent, IdempotencyKey,
                          PathCount)
        }  # fmt: skip


def call_ids(database: Database) -> set[str]:
    with database.session() as session:
        return set(session.scalars(select(CallRecord.id)))


def job_ids(database: Database) -> set[str]:
    with database.session() as session:
        return set(session.scalars(select(CallbackJob.id)))
