"""Audit events: who published, rolled back or deleted what, and when; and, for an action taken with an API token,
which token (`via`).

An event's `actor` is the user; the credential it acted with is the request's, set by the API for as long as a
request made with a bearer token is served (`acting_as`, in `api.deps.current_principal`) and read by
`record_event`, so that no call site passes it on. A context variable, not a global nor a thread-local: each
request is served in an asyncio task of its own, whose context the thread pool that runs its sync code copies for
each call (AnyIO's `to_thread.run_sync`), so a value set for one request is never seen by another, nor left in a
worker thread for the next request it serves. It is reset when the request's response is sent all the same.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from persistence.errors import NotFound
from persistence.models import ApiToken, AuditEvent, utcnow
from persistence.users import digest


@dataclass(frozen=True, slots=True)
class Credential:
    """The API token a request authenticated with: which integration acted, and which token to revoke."""

    token_id: int
    token_name: str

    def details(self) -> dict[str, Any]:
        return {"token_id": self.token_id, "token_name": self.token_name}


# The API token of the request being served; None outside requests and for a signed-in session (the designer).
_acting: ContextVar[Credential | None] = ContextVar("ivrgraph_acting_credential", default=None)


@contextmanager
def acting_as(credential: Credential | None) -> Iterator[None]:
    """Audit events recorded within name `credential` (`via`); None names none, whatever an outer block set."""
    token = _acting.set(credential)
    try:
        yield
    finally:
        _acting.reset(token)


def acting_credential() -> Credential | None:
    return _acting.get()


def api_token_credential(session: Session, *, secret: str) -> Credential | None:
    """The API token whose secret is `secret` (its id and name), None for none: after `users.resolve` accepted it."""
    row = session.execute(
        select(ApiToken.id, ApiToken.name).where(ApiToken.token_hash == digest(secret), ApiToken.kind == "api")
    ).first()
    return None if row is None else Credential(token_id=row.id, token_name=row.name)


def record_event(
    session: Session,
    *,
    actor: str,
    action: str,
    target: str,
    details: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> AuditEvent:
    """Store an event; its details get `via` (the API token's id and name) when it is recorded for a request made
    with one (`acting_as`)."""
    noted = dict(details or {})
    credential = _acting.get()
    if credential is not None:
        noted["via"] = credential.details()
    event = AuditEvent(at=now or utcnow(), actor=actor, action=action, target=target, details=noted)
    session.add(event)
    session.flush()
    return event


def list_events(
    session: Session,
    *,
    target: str | None = None,
    action: str | None = None,
    limit: int = 100,
    before_id: int | None = None,
) -> list[AuditEvent]:
    """Newest first; page with `before_id` (the id of the last event of the previous page)."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if target:
        query = query.where(AuditEvent.target == target)
    if action:
        query = query.where(AuditEvent.action == action)
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    return list(session.scalars(query))


def get_event(session: Session, *, event_id: int) -> AuditEvent:
    """One event, its details whole (a `reset_draft`'s replaced document among them); `NotFound` for none."""
    event = session.get(AuditEvent, event_id)
    if event is None:
        raise NotFound("audit event", event_id)
    return event


# Details too big for a page of events: each is left out of `listed_details`, named by its size.
BULKY_DETAILS: Final = ("replaced_document",)


def listed_details(details: Mapping[str, Any]) -> dict[str, Any]:
    """`details` as a list of events gives them: without the `BULKY_DETAILS` (a draft a rollback replaced, up to
    256 KB each: persistence.replaced_drafts), each named by its `<key>_size` (serialized, as that
    function counts it; events from before it kept no size), for `get_event` to give whole."""
    listed = dict(details)
    for key in BULKY_DETAILS:
        if key in listed:
            bulky = listed.pop(key)
            listed.setdefault(f"{key}_size", len(json.dumps(bulky, separators=(",", ":"), sort_keys=True,
                                                             ensure_ascii=False).encode()))  # fmt: skip
    return listed
