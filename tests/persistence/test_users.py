from __future__ import annotations

from datetime import timedelta

import pytest

from persistence import users
from persistence.db import Database
from persistence.errors import AlreadyExists, Conflict, InvalidCredentials
from persistence.models import User, utcnow


def test_passwords_are_argon2_hashes_and_check_out(database: Database) -> None:
    with database.session() as session:
        users.create_user(session, username="ana", password="correct horse", role="editor")
    with database.session() as session:
        stored = session.query(User).filter_by(username="ana").one()
        assert stored.password_hash.startswith("$argon2id$") and "correct horse" not in stored.password_hash
        assert users.authenticate(session, username="ana", password="correct horse").role == "editor"
        with pytest.raises(InvalidCredentials):
            users.authenticate(session, username="ana", password="wrong")
        with pytest.raises(AlreadyExists):
            users.create_user(session, username="ana", password="x", role="viewer")


def test_tokens_are_stored_as_digests_and_expire(database: Database) -> None:
    with database.session() as session:
        user = users.create_user(session, username="bot", password="secret", role="viewer")
        issued = users.create_api_token(session, user_id=user.id, name="ci", expires_at=utcnow() + timedelta(hours=1))
        stored = users.list_api_tokens(session, user_id=user.id)[0]
        assert stored.token_hash == users.digest(issued.secret) and issued.secret not in stored.token_hash
        assert users.resolve(session, secret=issued.secret, kind="api").username == "bot"
        with pytest.raises(InvalidCredentials):
            users.resolve(session, secret=issued.secret, kind="session")  # a token is not a session cookie
        with pytest.raises(InvalidCredentials):
            users.resolve(session, secret=issued.secret, kind="api", now=utcnow() + timedelta(hours=2))


def test_first_start_creates_one_admin_with_a_generated_password(database: Database) -> None:
    with database.session() as session:
        result = users.ensure_admin(session, username=None, password=None)
        assert result is not None and result.username == "admin" and result.generated_password
        assert users.authenticate(session, username="admin", password=result.generated_password).role == "admin"
        assert users.ensure_admin(session, username="other", password="x") is None


def test_the_last_admin_stays_an_admin(database: Database) -> None:
    with database.session() as session:
        admin = users.create_user(session, username="boss", password="pw", role="admin")
        with pytest.raises(Conflict):
            users.update_user(session, user_id=admin.id, active=False)
        with pytest.raises(Conflict):
            users.update_user(session, user_id=admin.id, role="viewer")
        users.create_user(session, username="boss2", password="pw", role="admin")
        assert users.update_user(session, user_id=admin.id, role="viewer").role == "viewer"


def test_a_new_password_ends_every_session_but_keeps_api_tokens(database: Database) -> None:
    """Review, 2026-12-04: after an admin reset a password, the old session cookie could still write."""
    with database.session() as session:
        user = users.create_user(session, username="pub", password="old secret", role="publisher")
        cookie = users.start_session(session, user=user)
        token = users.create_api_token(session, user_id=user.id, name="ci", expires_at=utcnow() + timedelta(hours=1))
    with database.session() as session:
        users.update_user(session, user_id=user.id, password="new secret")
    with database.session() as session:
        with pytest.raises(InvalidCredentials):
            users.resolve(session, secret=cookie.secret, kind="session")
        assert users.resolve(session, secret=token.secret, kind="api").username == "pub"
