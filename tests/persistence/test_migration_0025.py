"""Migration 0025 on SQLite and PostgreSQL: the tokens made before it (and the sessions) keep reading personal data
as their users do, now and after a user's permission changes; tokens made after it may read less than their user;
a downgrade drops the column and the tokens made to read less (the code before would let them read everything their
user reads), and keeps the others."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect

from persistence import users
from persistence.db import Database, make_engine
from persistence.migrate import alembic_config, current_revision, upgrade
from tests.persistence import pg
from tests.persistence.statements import run_statements

_USER = ("INSERT INTO users (id, username, username_folded, password_hash, role, active, sees_personal_data, "
         "created_at) VALUES (:id, :name, :name, 'x', :role, true, :sees, '2026-12-01')")  # fmt: skip
_TOKEN = ("INSERT INTO api_tokens (user_id, kind, name, token_hash, created_at, role) VALUES (:user, :kind, 'old', "
          ":hash, '2026-12-01', :role)")  # fmt: skip
# Users as the release of 0024 holds them: an admin, a supervisor who reads personal data, one who does not.
_USERS = ({"id": 1, "name": "boss", "role": "admin", "sees": True},
          {"id": 2, "name": "sup", "role": "viewer", "sees": True},
          {"id": 3, "name": "agent", "role": "editor", "sees": False})  # fmt: skip


def _old_database(stack: contextlib.ExitStack, tmp_path: Path, backend: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'old.sqlite3'}"
    return stack.enter_context(pg.throwaway_database("mig0025"))


def _columns(url: str) -> dict[str, bool]:
    """The api_tokens columns, each with whether it may be NULL."""
    engine = make_engine(url)
    try:
        return {column["name"]: bool(column["nullable"]) for column in inspect(engine).get_columns("api_tokens")}
    finally:
        engine.dispose()


def _reads(database: Database, secret: str, kind: str = "api") -> bool:
    with database.session() as session:
        return users.resolve(session, secret=secret, kind=kind).sees_personal_data


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_0025_tokens_made_before_read_as_their_users_and_a_downgrade_drops_those_made_to_read_less(
    tmp_path: Path, backend: str
) -> None:
    with contextlib.ExitStack() as stack:
        url = _old_database(stack, tmp_path, backend)
        upgrade(url, "0024")
        old = {"boss": "boss-secret", "sup": "sup-secret", "agent": "agent-secret"}
        run_statements(
            url,
            *((_USER, user) for user in _USERS),
            *((_TOKEN, {"user": user["id"], "kind": "api", "hash": users.digest(old[str(user["name"])]),
                        "role": "viewer"}) for user in _USERS),
            (_TOKEN, {"user": 2, "kind": "session", "hash": users.digest("sup-session"), "role": None}),
        )  # fmt: skip

        upgrade(url, "0025")
        assert current_revision(url) == "0025"
        assert _columns(url)["sees_personal_data"] is True  # nullable: NULL reads as the user
        stored = run_statements(url, ("SELECT sees_personal_data FROM api_tokens", {}))
        assert stored == [(None,)] * 4
        upgrade(url)  # the code under test reads the tokens as the newest revision has them
        database = Database(url)
        stack.callback(database.dispose)
        assert [_reads(database, old[name]) for name in ("boss", "sup", "agent")] == [True, True, False]
        assert _reads(database, "sup-session", kind="session") is True
        with database.session() as session:
            listed = [users.token_reads_personal_data(t, t.user) for t in users.list_api_tokens(session, user_id=2)]
            assert listed == [True]
            masked = users.create_api_token(session, user_id=1, name="wallboard", role="viewer",
                                            sees_personal_data=False).secret  # fmt: skip
            whole = users.create_api_token(session, user_id=2, name="crm", sees_personal_data=True).secret
            as_user = users.create_api_token(session, user_id=3, name="bi").secret
        assert (_reads(database, masked), _reads(database, whole), _reads(database, as_user)) == (False, True, False)

        with database.session() as session:  # the users' permission changes: the old tokens follow it
            users.update_user(session, user_id=2, sees_personal_data=False)
            users.update_user(session, user_id=3, sees_personal_data=True)
        assert [_reads(database, secret) for secret in (old["sup"], old["agent"], whole, as_user)] == [
            False,
            True,
            False,
            True,
        ]
        with database.session() as session:
            users.update_user(session, user_id=2, sees_personal_data=True)
        database.dispose()

        command.downgrade(alembic_config(url), "0024")
        assert current_revision(url) == "0024"
        assert "sees_personal_data" not in _columns(url)
        kept = run_statements(url, ("SELECT user_id, kind, name FROM api_tokens ORDER BY id", {}))
    assert kept == [(1, "api", "old"), (2, "api", "old"), (3, "api", "old"), (2, "session", "old"), (2, "api", "crm"),
                    (3, "api", "bi")]  # fmt: skip
