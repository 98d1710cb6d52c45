"""Callback jobs for integrations: ask ivrgraph to call someone back into a scenario, and watch the jobs."""

from __future__ import annotations

from typing import Annotated, Final

import anyio
from fastapi import APIRouter, File, Path, Query, UploadFile

from api.call_list_files import read_call_list
from api.deps import Publisher, RuntimeDep, Viewer
from api.routes import AUTHED, problems
from api.schemas import (
    CallbackAttemptOut,
    CallbackBatchIn,
    CallbackBatchOut,
    CallbackCreate,
    CallbackJobOut,
    CallListOut,
    JobStatus,
    PlannedJobOut,
)
from blocks.timewindows import zone
from persistence import call_lists, callbacks, scenarios
from persistence.errors import InvalidDocument
from persistence.models import CallbackJob, utcnow

MAX_LIST_FILE_BYTES: Final = 10 * 2**20
PREVIEW_JOBS: Final = 5

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


@router.post("/lists", response_model=CallListOut, responses=problems(422))
async def read_list(
    file: Annotated[
        UploadFile, File(description="CSV (UTF-8; comma, semicolon or tab) or XLSX; the first row names the columns")
    ],
    _user: Publisher,
) -> CallListOut:
    """Read a call list file into rows, to check and map before `POST /api/callbacks/batch`. Stores nothing."""
    data = await file.read(MAX_LIST_FILE_BYTES + 1)
    if len(data) > MAX_LIST_FILE_BYTES:
        raise InvalidDocument([{"path": "$.file", "message": f"the file is over {MAX_LIST_FILE_BYTES // 2**20} MiB"}])
    call_list = await anyio.to_thread.run_sync(read_call_list, data, file.filename or "")
    return CallListOut(columns=call_list.columns, rows=call_list.rows, sheet=call_list.sheet)


@router.post("/batch", response_model=CallbackBatchOut, responses=problems(404, 422))
def create_batch(body: CallbackBatchIn, _user: Publisher, runtime: RuntimeDep) -> CallbackBatchOut:
    """Call a list of clients (an autoinformer campaign): one job per row, all created or none (422 naming every
    bad row). The row's phone column is the number; the whole row is the `contact` variable; a column named like
    a variable the scenario declares fills it too, converted to its type. With `hours`, calls start at their
    first opening and retries never fall outside them. `dry_run` checks and shows, and creates nothing."""
    if zone(body.timezone) is None:
        raise InvalidDocument([{"path": "$.timezone", "message": f"unknown time zone {body.timezone!r}"}])
    campaign = call_lists.Campaign(
        due=body.due or utcnow(),
        until=body.until,
        hours=[hours.model_dump(by_alias=True) for hours in body.hours],
        timezone=body.timezone,
        holidays=[day.isoformat() for day in body.holidays],
        max_attempts=body.max_attempts,
    )
    with runtime.database.session() as session:
        published = scenarios.published(session, slug=body.scenario)
        if published is None:
            raise InvalidDocument([{"path": "$.scenario", "message": f"{body.scenario!r} is not published"}])
        declared = {str(v["name"]): str(v.get("type", "string")) for v in published.document.get("variables", [])}
        planned = call_lists.plan_jobs(
            body.rows, number_column=body.number_column, declared=declared, campaign=campaign
        )
        ids = (
            []
            if body.dry_run
            else call_lists.schedule(session, scenario=body.scenario, jobs=planned, campaign=campaign)
        )
    return CallbackBatchOut(
        jobs=len(planned),
        created=not body.dry_run,
        job_ids=ids,
        preview=[
            PlannedJobOut(number=job.number, due=job.due, window_end=job.window_end, variables=job.variables)
            for job in planned[:PREVIEW_JOBS]
        ],
    )
