"""Callback jobs for integrations: ask ivrgraph to call someone back into a scenario, and watch the jobs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import Publisher, RuntimeDep, Viewer
from api.routes import AUTHED, problems
from api.schemas import CallbackAttemptOut, CallbackCreate, CallbackJobOut, JobStatus
from persistence import callbacks, scenarios
from persistence.errors import InvalidDocument
from persistence.models import CallbackJob

router = APIRouter(prefix="/api/callbacks", tags=["callbacks"], responses=AUTHED)


def public(job: CallbackJob, attempts: list[CallbackAttemptOut] | None = None) -> CallbackJobOut:
    return CallbackJobOut(
        id=job.id,
        number=job.number,
        scenario=job.scenario,
        due=job.due,
        window_end=job.window_end,
        variables=job.variables,
        attempts=job.attempts,
        max_attempts=job.max_attempts,
        status=job.status,  # type: ignore[arg-type]
        outcome=job.outcome,
        last_attempt_at=job.last_attempt_at,
        origin_call_id=job.origin_call_id,
        history=attempts or [],
    )


@router.post("", status_code=201, response_model=CallbackJobOut, responses=problems(404))
def create_job(body: CallbackCreate, _user: Publisher, runtime: RuntimeDep) -> CallbackJobOut:
    """A durable job the dialer picks up at `due`; the callee hears the scenario's published version.

    Publisher and up: it places a real call to a number from the live scenario, as publishing decides what
    callers hear (an editor edits drafts)."""
    if body.window_end is not None and body.window_end <= body.due:
        raise InvalidDocument([{"path": "$.window_end", "message": "the window must end after the due time"}])
    with runtime.database.session() as session:
        if scenarios.published(session, slug=body.scenario) is None:
            raise InvalidDocument([{"path": "$.scenario", "message": f"{body.scenario!r} is not published"}])
        job = callbacks.create_job(
            session,
            number=body.number,
            scenario=body.scenario,
            due=body.due,
            window_end=body.window_end,
            variables=body.variables,
            max_attempts=body.max_attempts,
        )
        return public(job)


@router.get("", response_model=list[CallbackJobOut])
def list_jobs(
    _user: Viewer,
    runtime: RuntimeDep,
    status: JobStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[CallbackJobOut]:
    """Newest due first."""
    with runtime.database.session() as session:
        return [public(job) for job in callbacks.list_jobs(session, status=status, limit=limit)]


@router.get("/{job_id}", response_model=CallbackJobOut, responses=problems(404))
def get_job(
    job_id: Annotated[str, Path(max_length=36, pattern=r"^[A-Za-z0-9-]+$")], _user: Viewer, runtime: RuntimeDep
) -> CallbackJobOut:
    """One job with every dial attempt."""
    with runtime.database.session() as session:
        job = callbacks.get_job(session, job_id=job_id)
        history = [
            CallbackAttemptOut(at=a.at, outcome=a.outcome, call_id=a.call_id)
            for a in callbacks.list_attempts(session, job_id=job.id)
        ]
        return public(job, history)
