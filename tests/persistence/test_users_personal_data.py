"""Seeing personal data as a permission of each user (`users.sees_personal_data`, migration 0020): existing users
keep the access they had across the upgrade, new ones are made without it unless given it, admins always have it,
and sessions and API tokens read it from their user at every use. API tokens' longest lifetime. On SQLite and
PostgreSQL."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command

from persistence import users
from persistence.db import Database
from persistence.errors import InvalidApiToken, RequestRefused
from persistence.migrate import alembic_config, current_revision, upgrade
from persistence.models import utcnow
from tests.persistence import pg
from tests.persistence.statements import run_statements

# No id given: PostgreSQL's sequence then hands out the next ones to the users made after the upgrade.
_USER = ("INSERT INTO users (username, password_hash, role, active, created_at) VALUES (:name, 'x', :role, :active, "
         "'2026-01-01')")  # fmt: skip


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_0020_keeps_what_existing_users_read_and_makes_new_ones_without_it(tmp_path: Path, backend: str) -> None:
    """An upgrade must not hide from supervisors what they work with: every user from before keeps reading it
    unmasked, viewers and their tokens included. A user made afterwards (by the code, or by an insert that does
    not name the column) is made without it; going back drops the column."""
    with contextlib.ExitStack() as stack:
        url = f"sqlite:///{tmp_path / 'old.sqlite3'}" if backend == "sqlite" else stack.enter_context(
            pg.throwaway_database("pd")
        )  # fmt: skip
        upgrade(url, "0019")
        run_statements(
            url,
            (_USER, {"name": "supervisor", "role": "viewer", "active": True}),
            (_USER, {"name": "boss", "role": "admin", "active": True}),
            ("INSERT INTO api_tokens (user_id, kind, name, token_hash, created_at, role) SELECT id, 'api', "
             "'dashboard', :hash, '2026-01-01', 'viewer' FROM users WHERE username = 'supervisor'",
             {"hash": users.digest("old-token")}),
        )  # fmt: skip
        upgrade(url, "0020")
        assert current_revision(url) == "0020"
        run_statements(url, (_USER, {"name": "by-hand", "role": "editor", "active": True}))
        upgrade(url)  # the code under test reads the users as the newest revision has them
        database = Database(url)
        try:
            with database.session() as session:
                assert users.resolve(session, secret="old-token", kind="api").sees_personal_data is True
                new = users.create_user(session, username="analyst", password="password-123", role="viewer")
                flags = {user.username: users.reads_personal_data(user) for user in users.list_users(session)}
            assert flags == {"supervisor": True, "boss": True, "by-hand": False, "analyst": False}
            with database.session() as session:
                token = users.create_api_token(session, user_id=new.id, name="bi")
                assert users.resolve(session, secret=token.secret, kind="api").sees_personal_data is False
        finally:
            database.dispose()
        command.downgrade(alembic_config(url), "0019")
        left = run_statements(url, ("SELECT username FROM users ORDER BY id", {}))
    assert left == [("supervisor",), ("boss",), ("by-hand",), ("analyst",)]


def test_an_admin_always_reads_it_and_a_promotion_gives_it(database: Database) -> None:
    with database.session() as session:
        boss = users.create_user(session, username="boss", password="pw", role="admin")
        ana = users.create_user(session, username="ana", password="pw", role="viewer")
        assert (boss.sees_personal_data, ana.sees_personal_data) == (True, False)
        with pytest.raises(RequestRefused) as refused:
            users.create_user(session, username="boss2", password="pw", role="admin", sees_personal_data=False)
        assert refused.value.problems[0]["path"] == "$.sees_personal_data"
        with pytest.raises(RequestRefused):
            users.update_user(session, user_id=boss.id, sees_personal_data=False)
        assert users.update_user(session, user_id=ana.id, role="admin").sees_personal_data is True
        # Demoted, they keep it unless the same change takes it away.
        assert users.update_user(session, user_id=ana.id, role="publisher").sees_personal_data is True
        assert users.update_user(session, user_id=ana.id, sees_personal_data=False).sees_personal_data is False
        session_secret = users.start_session(session, user=ana).secret
        assert users.resolve(session, secret=session_secret, kind="session").sees_personal_data is False


def test_a_tokens_lifetime_is_capped_when_a_limit_is_given(database: Database) -> None:
    now = utcnow()
    with database.session() as session:
        user = users.create_user(session, username="bot", password="pw", role="viewer")
        capped = users.create_api_token(session, user_id=user.id, name="a", max_lifetime=timedelta(days=30), now=now)
        unlimited = users.create_api_token(session, user_id=user.id, name="b")  # IVRGRAPH_TOKEN_MAX_DAYS=0
        with pytest.raises(InvalidApiToken) as refused:
            users.create_api_token(session, user_id=user.id, name="c", expires_at=now + timedelta(days=31),
                                   max_lifetime=timedelta(days=30), now=now)  # fmt: skip
        assert refused.value.problems[0]["path"] == "$.expires_at"
        expiries = {token.id: token.expires_at for token in users.list_api_tokens(session, user_id=user.id)}
    assert expiries == {capped.token_id: now + timedelta(days=30), unlimited.token_id: None}
