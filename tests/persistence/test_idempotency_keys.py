"""`Idempotency-Key`s kept in the database: a retry racing the first request waits for it and answers as it did."""

from __future__ import annotations

import contextlib
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from persistence import callbacks, users
from persistence.db import Database
from persistence.migrate import alembic_config, current_revision, upgrade
from persistence.models import IdempotencyKey
from tests.persistence.conftest import BACKENDS
from tests.persistence.test_migrate import _old_database

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
REQUEST = callbacks.request_hash("POST /api/callbacks", {"number": "+34600111222"})


def _user(database: Database, name: str = "crm") -> int:
    with database.session() as session:
        return users.create_user(session, username=name, password="password-123", role="publisher").id


def _claim(
    session: Session, user_id: int, key: str, request: str = REQUEST, now: datetime = NOW
) -> IdempotencyKey | callbacks.Replay:
    return callbacks.claim_key(session, user_id=user_id, key=key, endpoint="POST /api/callbacks", request=request,
                               now=now)  # fmt: skip


def test_a_retry_racing_the_first_request_waits_and_answers_as_it_did(database: Database) -> None:
    """The first request has claimed the key and is still creating its job when the retry comes: the retry
    waits for its commit (PostgreSQL: the key's unique row; SQLite: the writer lock), then answers its job."""
    user_id = _user(database)
    answers: list[IdempotencyKey | callbacks.Replay] = []
    with database.session() as first:
        claimed = _claim(first, user_id, "t-1")
        assert isinstance(claimed, IdempotencyKey)

        def retry() -> None:
            with database.session() as session:
                answers.append(_claim(session, user_id, "t-1"))

        racing = threading.Thread(target=retry)
        racing.start()
        time.sleep(0.5)  # the retry is waiting on the first request now
        assert answers == []
        callbacks.settle_key(first, claimed, status_code=201, body={"id": "job-1"})
    racing.join(timeout=30)
    assert answers == [callbacks.Replay(status_code=201, body={"id": "job-1"})]


def test_a_key_another_request_claimed_is_refused(database: Database) -> None:
    user_id = _user(database)
    with database.session() as session:
        claimed = _claim(session, user_id, "t-2")
        assert isinstance(claimed, IdempotencyKey)
        callbacks.settle_key(session, claimed, status_code=201, body={"id": "job-2"})
    other = callbacks.request_hash("POST /api/callbacks", {"number": "+34600999888"})
    with database.session() as session, pytest.raises(callbacks.KeyReused):
        _claim(session, user_id, "t-2", other, NOW + timedelta(hours=23))
    with database.session() as session:  # a day later, the key is free for a new request
        renewed = _claim(session, user_id, "t-2", other, NOW + timedelta(hours=24))
        assert isinstance(renewed, IdempotencyKey)


@pytest.mark.parametrize("backend", BACKENDS)
def test_0013_adds_the_keys_and_goes_back(tmp_path: Path, backend: str) -> None:
    with contextlib.ExitStack() as stack:
        url = _old_database(stack, tmp_path, backend)
        upgrade(url, "0012")
        upgrade(url, "0013")
        assert current_revision(url) == "0013"
        database = Database(url)
        try:
            tables = inspect(database.engine).get_table_names()
            indexes = {index["name"] for index in inspect(database.engine).get_indexes("callback_jobs")}
        finally:
            database.dispose()
        assert "idempotency_keys" in tables and "ix_callback_jobs_number_created" in indexes
        command.downgrade(alembic_config(url), "0012")
        database = Database(url)
        try:
            assert "idempotency_keys" not in inspect(database.engine).get_table_names()
        finally:
            database.dispose()
        assert current_revision(url) == "0012"
