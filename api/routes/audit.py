"""Audit events: publish, rollback, delete, import; callbacks scheduled and cancelled, call lists; who read callers'
data (a call's detail, an export, a lookup by number), erasures and subject access requests; API tokens made and
revoked; users made and changed; each taken with an API token names it (`via`). Admins only: the events name who
looked whom up, and what a job scheduled (its number)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from api.deps import Admin, RuntimeDep
from api.routes import AUTHED, problems
from api.schemas import AuditEventOut, AuditVia
from persistence import audit
from persistence.models import AuditEvent

router = APIRouter(prefix="/api/audit", tags=["audit"], responses=AUTHED)


@router.get("", response_model=list[AuditEventOut])
def list_events(
    _admin: Admin,
    runtime: RuntimeDep,
    target: Annotated[str | None, Query(max_length=200, pattern=r"^[^\x00]*$", examples=["scenario:sales"])] = None,
    action: Annotated[str | None, Query(max_length=40, pattern=r"^[^\x00]*$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    before_id: Annotated[int | None, Query(ge=1, le=2**62, description="Older than this event id")] = None,
) -> list[AuditEventOut]:
    """Newest first. `action` picks one kind (`target`, one thing: `scenario:sales`), among:

    - scenarios: `publish`, `rollback` (`scenario:<slug>`; the version, its message and changes), `reset_draft`
      (the draft a rollback replaced: its revision and size, and `replaced_is_version`, the published version that
      holds it, or `replaced_document_dropped: "too_large"` with its hash, or its document, given whole by
      `GET /api/audit/{id}` only), `delete`, `import`;
    - callbacks: `schedule` (`callback:<job id>`), `cancel` (`callback:<job id>` or `campaign:<id>`), `call_list`,
      `pause_campaign`, `resume_campaign` (`campaign:<id>`);
    - personal data read: `read_call` (`call:<id>`), `export_calls`, `export_campaign` (`campaign:<id>`),
      `lookup_number` (`subject:<hash>`), `lookup_name` (each says whether it was read unmasked: `personal_data`);
      `subject_access`, `erasure` (`subject:<hash>`); `purge` (`retention`: what the retention periods removed, as
      counts);
    - API tokens: `create_token` (`token:<id>`: its name, role, expiry and `sees_personal_data` as asked),
      `revoke_token` (`token:<id>`: its name and whose it was, `user_id` and `username`; the actor is its user, or
      the admin who revoked it or deactivated its user: then `reason` is `user_deactivated`); `revoke_all_tokens`
      (`tokens`: every API token and session at once, after a restore: the counts, `api_tokens` and `sessions`);
    - dialling: `hold_dialling` (`dialling`: its `reason`, `backup` for the hold `ivrgraph db backup` writes into its
      copy, else `admin`), `resume_dialling` (`dialling`: the hold lifted, `held_at`, `held_by` and `reason`);
    - users: `create_user` (`user:<id>`: the name, role, activity and `sees_personal_data` given), `update_user`
      (`user:<id>`: its name, and each of `role`, `active`, `sees_personal_data` changed, `from` and `to`; a new
      password as `"password": "changed"`, never it nor its hash).

    An event recorded for a request made with an API token names the token in `via`."""
    with runtime.database.session() as session:
        events = audit.list_events(session, target=target, action=action, limit=limit, before_id=before_id)
        return [_event_out(e, details=audit.listed_details(e.details)) for e in events]


@router.get("/{event_id}", response_model=AuditEventOut, responses=problems(404))
def get_event(event_id: Annotated[int, Path(ge=1, le=2**62)], _admin: Admin, runtime: RuntimeDep) -> AuditEventOut:
    """One event with its details whole: the list leaves out what is too big for a page of events, a `reset_draft`
    event's `replaced_document` (the draft a rollback replaced, up to 256 KB), naming it by its size instead."""
    with runtime.database.session() as session:
        event = audit.get_event(session, event_id=event_id)
        return _event_out(event, details=event.details)


def _event_out(event: AuditEvent, *, details: dict[str, Any]) -> AuditEventOut:
    return AuditEventOut(id=event.id, at=event.at, actor=event.actor, action=event.action, target=event.target,
                         details=details, via=_via(event.details))  # fmt: skip


def _via(details: dict[str, Any]) -> AuditVia | None:
    """The API token an event was recorded with (persistence.audit.record_event), as its details keep it."""
    via = details.get("via")
    if not isinstance(via, dict) or not isinstance(via.get("token_id"), int):
        return None
    return AuditVia(token_id=via["token_id"], token_name=str(via.get("token_name", "")))
