"""An API token described to the holder of its secret (persistence.bearer_tokens), on SQLite and PostgreSQL: its
row, and when it expired only when that alone keeps it from working."""

from __future__ import annotations

from datetime import timedelta

from persistence import bearer_tokens, users
from persistence.db import Database
from persistence.models import User, utcnow


def test_a_token_is_found_by_its_secret_and_a_session_is_not(database: Database) -> None:
    with database.session() as session:
        user = users.create_user(session, username="crm", password="secret-123", role="editor")
        issued = users.create_api_token(session, user_id=user.id, name="crm")
        signed_in = users.start_session(session, user=user)
        found = bearer_tokens.api_token(session, secret=issued.secret)
        assert found is not None and (found.id, found.name) == (issued.token_id, "crm")
        assert bearer_tokens.api_token(session, secret=signed_in.secret) is None
        assert bearer_tokens.api_token(session, secret="garbage") is None


def test_when_a_token_expired_is_told_only_for_one_that_would_work_but_for_its_age(database: Database) -> None:
    now = utcnow()
    with database.session() as session:
        user = users.create_user(session, username="bi", password="secret-123", role="viewer")
        expiry = now + timedelta(hours=1)
        issued = users.create_api_token(session, user_id=user.id, name="bi", expires_at=expiry)
        revoked = users.create_api_token(session, user_id=user.id, name="old", expires_at=expiry)
        users.revoke_token(session, user_id=user.id, token_id=revoked.token_id)
        forever = users.create_api_token(session, user_id=user.id, name="wallboard")
        later = now + timedelta(hours=2)
        assert bearer_tokens.expired_at(session, secret=issued.secret, now=now) is None  # still works
        assert bearer_tokens.expired_at(session, secret=issued.secret, now=later) == expiry
        assert bearer_tokens.expired_at(session, secret=revoked.secret, now=later) is None  # as unknown as garbage
        assert bearer_tokens.expired_at(session, secret="garbage", now=later) is None
        assert bearer_tokens.expired_at(session, secret=forever.secret, now=later) is None
        session.get(User, user.id).active = False  # type: ignore[union-attr]
        session.flush()
        assert bearer_tokens.expired_at(session, secret=issued.secret, now=later) is None  # ended, whatever its age
