"""Every API token revoked and every designer session signed out at once: after restoring a backup.

Disaster-recovery drill: the security changes made after the backup rolled back with the restore. A token revoked
since worked again, as did a session an admin had ended; a user deactivated since signed in. Sessions and API
tokens are rows of `api_tokens` (only a hash of each secret is kept), so a backup brings back every one it held:
deleting them all ends whatever the backup revived, and each integration and user signs in or gets a new token
deliberately. Passwords, deactivations and data-source passwords changed since the backup are not known here:
the admin redoes them (docs/operations.md, "Backups").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import delete
from sqlalchemy.orm import Session

from persistence import audit
from persistence.models import ApiToken

ACTION: Final = "revoke_all_tokens"
TARGET: Final = "tokens"


@dataclass(frozen=True, slots=True)
class Revoked:
    api_tokens: int  # integrations' bearer tokens
    sessions: int  # designer sign-ins


def revoke_all_tokens(session: Session, *, actor: str, now: datetime | None = None) -> Revoked:
    """Delete every API token and every session, of every user; audited (`revoke_all_tokens`, target `tokens`, the
    counts in its details) even when there was none, as the admin's step of a restore."""
    kinds = list(session.scalars(delete(ApiToken).returning(ApiToken.kind)))
    revoked = Revoked(api_tokens=kinds.count("api"), sessions=kinds.count("session"))
    details = {"api_tokens": revoked.api_tokens, "sessions": revoked.sessions}
    audit.record_event(session, actor=actor, action=ACTION, target=TARGET, details=details, now=now)
    return revoked
