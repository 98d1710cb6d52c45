"""An API token found by its secret, for what the API tells the integration holding it: the token's own facts
(`GET /api/auth/me`), and when it expired, once it no longer works for that reason alone.

`persistence.users.resolve` decides whether a secret works; these only describe a token to the one who holds its
secret. A revoked token is deleted, so nothing here can tell it from a string that never was a token."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from persistence.models import ApiToken, User, utcnow
from persistence.users import digest


def api_token(session: Session, *, secret: str) -> ApiToken | None:
    """The API token (not a session) whose secret is `secret`; None for none."""
    found: ApiToken | None = session.scalar(
        select(ApiToken).where(ApiToken.token_hash == digest(secret), ApiToken.kind == "api")
    )
    return found


def expired_at(session: Session, *, secret: str, now: datetime | None = None) -> datetime | None:
    """When the API token whose secret is `secret` expired, if that is all that keeps it from working: None for a
    secret of no token (never one, or revoked), a token still live, and one whose user is deactivated (ended
    whatever its expiry: its holder is told no more than for an unknown one)."""
    now = now or utcnow()
    row = session.execute(
        select(ApiToken.expires_at, User.active)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == digest(secret), ApiToken.kind == "api")
    ).first()
    if row is None or not row.active or row.expires_at is None or row.expires_at > now:
        return None
    expired: datetime = row.expires_at
    return expired
