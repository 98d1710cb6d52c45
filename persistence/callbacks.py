"""Callback jobs: durable rows the AMI dialer claims, dials and records attempts against.

Several FastAGI nodes may share one PostgreSQL database: `claim_due_jobs` locks with SKIP LOCKED so each due
job goes to exactly one node, and a lease (`lock_until`) returns a job to the pool if its node dies mid-dial.
On SQLite (one node) the plain SELECT is enough because SQLite serializes writers.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Protocol

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from blocks.timewindows import reopening
from graph_engine.errors import SchedulerError
from graph_engine.services import CallbackReceipt, CallbackRequest
from persistence.db import Database, hold_sqlite_writes
from persistence.errors import NotFound
from persistence.models import CallbackAttempt, CallbackJob, CallCampaign, utcnow

JOB_STATUSES = ("pending", "dialing", "done", "failed", "expired", "cancelled")
# A job in one of these is over: nothing moves it back to pending, so nothing dials its callee again.
FINAL_STATUSES = frozenset({"done", "failed", "expired", "cancelled"})
DEFAULT_LEASE = timedelta(minutes=5)
DEFAULT_RETRY = timedelta(minutes=5)


def create_job(
    session: Session,
    *,
    number: str,
    scenario: str,
    due: datetime,
    window_end: datetime | None = None,
    variables: Mapping[str, Any] | None = None,
    max_attempts: int = 3,
    origin_call_id: str | None = None,
    now: datetime | None = None,
    window: Mapping[str, Any] | None = None,
) -> CallbackJob:
    job = CallbackJob(
        allowed_hours=dict(window) if window else None,
        id=str(uuid.uuid4()),
        number=number,
        scenario=scenario,
        due=due.astimezone(UTC),  # stored and answered in UTC, however the caller wrote it
        window_end=window_end.astimezone(UTC) if window_end is not None else None,
        variables=dict(variables or {}),
        attempts=0,
        max_attempts=max_attempts,
        status="pending",
        origin_call_id=origin_call_id,
        created_at=now or utcnow(),
    )
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, *, job_id: str) -> CallbackJob:
    job = session.get(CallbackJob, job_id)
    if job is None:
        raise NotFound("callback job", job_id)
    return job


def claim_due_jobs(
    session: Session, *, now: datetime, limit: int, node_id: str, lease: timedelta = DEFAULT_LEASE
) -> list[CallbackJob]:
    """Take up to `limit` due jobs for `node_id`: status becomes `dialing` until `record_attempt` or the lease ends.
    Single callbacks first, then the clients of call lists; earliest due first, a list in its order.

    Jobs whose window closed are marked `expired` instead of being handed out. Commit soon after: the row locks
    on PostgreSQL are held until the transaction ends.
    """
    due = or_(
        and_(CallbackJob.status == "pending", CallbackJob.due <= now),
        # A node that claimed a job and died: its lease ran out, the job is fair game again.
        and_(CallbackJob.status == "dialing", CallbackJob.lock_until < now),
    )
    # A caller waiting for the callback they asked for comes before a list's clients: a campaign of thousands
    # due at 09:00 must not hold a missed call's callback due at 09:05 back for hours.
    first = (CallbackJob.campaign_id.is_not(None), CallbackJob.due, CallbackJob.campaign_row)
    query = select(CallbackJob).where(due).order_by(*first).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    # On SQLite: else a job FastAGI marks reached between our read and our write would be put back to dialing.
    hold_sqlite_writes(session, CallbackJob)
    claimed: list[CallbackJob] = []
    candidates = list(session.scalars(query))
    stopped = _stopped_campaigns(session, candidates)
    # One call at a time to a number: the same list started twice (a double click, two analysts) put each client
    # in two jobs due together, and one pass rang them on two lines at once (review of 2026-12-05). A job whose
    # number is being dialled stays pending for a later pass.
    ringing = _numbers_being_dialled(session, candidates, now)
    for job in candidates:
        if job.campaign_id in stopped:  # a lease that ran out on a stopped list, or a job given back after the stop
            _cancel(job)
            continue
        if job.window_end is not None and job.window_end <= now:
            window_closed(job, after=now)
            continue
        if job.number in ringing:
            continue
        ringing.add(job.number)
        job.status, job.locked_by, job.lock_until = "dialing", node_id, now + lease
        claimed.append(job)
    session.flush()
    return claimed


def _numbers_being_dialled(session: Session, candidates: list[CallbackJob], now: datetime) -> set[str]:
    """The candidates' numbers that another job is dialling now (its lease still running)."""
    numbers = {job.number for job in candidates}
    if not numbers:
        return set()
    query = select(CallbackJob.number).where(
        CallbackJob.status == "dialing", CallbackJob.lock_until >= now, CallbackJob.number.in_(numbers)
    )
    return set(session.scalars(query))


def record_attempt(
    session: Session,
    *,
    job_id: str,
    outcome: str,
    at: datetime,
    call_id: str | None = None,
    retry_after: timedelta = DEFAULT_RETRY,
    final: bool = False,
    node_id: str | None = None,
) -> CallbackJob:
    """Log one dial attempt and move the job on: `answered` ends it, otherwise retry until attempts run out.

    `outcome` is the dialer's word for what happened (answered, busy, no_answer, failed, ...); the dialer picks
    `retry_after` by outcome, and says `final` when this outcome is not worth retrying (e.g. a refused number).
    `node_id` is the dialer node that claimed the job: the job moves on only while that node still holds it.
    """
    job = _locked_job(session, job_id=job_id)
    if job is None:
        raise NotFound("callback job", job_id)
    session.add(CallbackAttempt(job_id=job.id, at=at, outcome=outcome, call_id=call_id))
    job.attempts += 1
    if node_id is not None and not held_by(job, node_id):
        # A late report: the node's lease ran out before it could record (its database was unreachable), and
        # another node may be dialling the job now. The call happened, so it is logged and counted; the job's
        # state and the other node's lock stay as they are (clearing them would get the callee a third call).
        job.last_attempt_at = max(job.last_attempt_at or at, at)
        session.flush()
        return job
    job.last_attempt_at = at
    job.locked_by, job.lock_until = None, None
    if job.status in FINAL_STATUSES:
        # The callee already reached the FastAGI server (`mark_reached`), and the dialer only now reports: its
        # AMI session may have dropped and lost the answer ("outcome unknown"). The job stays over.
        session.flush()
        return job
    job.outcome = outcome
    if outcome == "answered":
        job.status = "done"
    elif final or job.attempts >= job.max_attempts:
        job.status = "failed"
    elif job.window_end is not None and at + retry_after > job.window_end:
        window_closed(job, after=at + retry_after, outcome=outcome)
    else:
        job.status, job.due = "pending", at + retry_after
    _cancel_if_stopped(session, job)  # the list was stopped while this client's phone rang: no retry
    session.flush()
    return job


def mark_reached(session: Session, *, job_id: str, at: datetime, scenario: str | None = None) -> CallbackJob | None:
    """The callee answered: FastAGI received the call naming this job. The job is done from now on, whatever
    the dialer later learns (or fails to learn) from AMI, so it is never dialled again. None: no such job, or
    (`scenario` given) a job of another scenario, which a call to this one must neither close nor read."""
    job = _locked_job(session, job_id=job_id)
    if job is None or (scenario is not None and job.scenario != scenario):
        return None
    job.reached_at = job.reached_at or at
    if job.status != "done":
        job.status, job.outcome = "done", "answered"
        job.last_attempt_at = job.last_attempt_at or at
        job.locked_by, job.lock_until = None, None
        session.flush()
    return job


UNREACHED: Final = "unreached"  # answered, but the scenario never ran: no FastAGI call named the job


def settle_answer(session: Session, *, job_id: str, call_id: str) -> CallbackJob:
    """The callee of an answered attempt (`call_id`) hung up: if no FastAGI call named the job meanwhile
    (`mark_reached`), the scenario never ran (a dialplan whose AGI finds no FastAGI server, c1x-noagi.txt), so
    the job is not done but failed, and that attempt's outcome says why. Not retried: a dialplan that lost its
    AGI would give every retry the same silence."""
    job = _locked_job(session, job_id=job_id)
    if job is None:
        raise NotFound("callback job", job_id)
    if job.reached_at is not None or job.status != "done" or job.outcome != "answered":
        return job
    job.status, job.outcome = "failed", UNREACHED
    attempt = session.scalars(
        select(CallbackAttempt)
        .where(CallbackAttempt.job_id == job_id, CallbackAttempt.call_id == call_id)
        .order_by(CallbackAttempt.id.desc())
        .limit(1)
    ).first()
    if attempt is not None:
        attempt.outcome = UNREACHED
    session.flush()
    return job


def _locked_job(session: Session, *, job_id: str) -> CallbackJob | None:
    """The job row, read fresh and held against other writers until the transaction ends.

    The dialer's `record_attempt` and FastAGI's `mark_reached` may race on one job; without the lock the later
    commit would overwrite the earlier one (a reached job put back to pending would be dialled again).
    SQLite has no FOR UPDATE: its single writer lock is taken first (`hold_sqlite_writes`).
    """
    if session.get_bind().dialect.name != "sqlite":
        return session.get(CallbackJob, job_id, with_for_update=True, populate_existing=True)
    hold_sqlite_writes(session, CallbackJob)
    return session.get(CallbackJob, job_id, populate_existing=True)


def release_job(session: Session, *, job_id: str, node_id: str) -> CallbackJob:
    """Give a claimed job back undialled (the node is shutting down, or no line was free): pending again."""
    job, held = _leased_job(session, job_id=job_id, node_id=node_id)
    if held:
        job.status, job.locked_by, job.lock_until = "pending", None, None
        _cancel_if_stopped(session, job)
        session.flush()
    return job


def expire_job(session: Session, *, job_id: str, node_id: str, now: datetime | None = None) -> CallbackJob:
    """A claimed job whose window closed before it could be dialled (see `window_passed`)."""
    job, held = _leased_job(session, job_id=job_id, node_id=node_id)
    if held:
        window_passed(job, now=now or utcnow())
        _cancel_if_stopped(session, job)
        session.flush()
    return job


def _stopped_campaigns(session: Session, jobs: list[CallbackJob]) -> set[str]:
    """The ids of the stopped campaigns (`call_lists.cancel`) among `jobs`' campaigns."""
    ids = {job.campaign_id for job in jobs if job.campaign_id is not None}
    if not ids:
        return set()
    query = select(CallCampaign.id).where(CallCampaign.id.in_(ids), CallCampaign.cancelled_at.is_not(None))
    return set(session.scalars(query))


def _cancel_if_stopped(session: Session, job: CallbackJob) -> None:
    """A client put back to wait (a retry, a job given back) whose campaign was stopped meanwhile: cancelled."""
    if job.status == "pending" and _stopped_campaigns(session, [job]):
        _cancel(job)


def _cancel(job: CallbackJob) -> None:
    """A client of a stopped campaign: never dialled again (its attempts so far stay logged)."""
    job.status, job.outcome, job.locked_by, job.lock_until = "cancelled", "cancelled", None, None


def _leased_job(session: Session, *, job_id: str, node_id: str) -> tuple[CallbackJob, bool]:
    """The job row, locked, and whether `node_id` holds its lease: only that node may hand the job back; after
    the lease ran out another node owns it."""
    job = _locked_job(session, job_id=job_id)
    if job is None:
        raise NotFound("callback job", job_id)
    return job, held_by(job, node_id)


def held_by(job: WindowedJob, node_id: str) -> bool:
    """Whether `node_id` holds the job's lease: it claimed the job and no other node claimed it since. A lease
    that ran out with no other node claiming the job is still held. (A job row, or the dialer's in-memory job.)"""
    return job.status == "dialing" and job.locked_by == node_id


class WindowedJob(Protocol):
    """What `window_closed` moves: a job row, or the dialer's in-memory job (the same rules, one place)."""

    status: str
    outcome: str | None
    due: datetime
    window_end: datetime | None
    allowed_hours: dict[str, Any] | None
    locked_by: str | None
    lock_until: datetime | None


def window_passed(job: WindowedJob, *, now: datetime) -> None:
    """A claimed job whose window leaves no room for another dial: to the window's next opening after it ends,
    if the job keeps its window, else expired."""
    window_closed(job, after=max(now, job.window_end or now))


def window_closed(job: WindowedJob, *, after: datetime, outcome: str = "window_closed") -> None:
    """The job's window closed before its next try: the try moves to the window's next opening at or after
    `after` (the callee is called back the next morning, never at night), or, with no window kept or no opening
    within two weeks, the job expires."""
    job.locked_by, job.lock_until = None, None
    opening = reopening(after, job.allowed_hours)
    if opening is None:
        job.status, job.outcome = "expired", outcome
        return
    due, window_end = opening
    job.status, job.due, job.window_end = "pending", due.astimezone(UTC), window_end.astimezone(UTC)


def list_attempts(session: Session, *, job_id: str) -> list[CallbackAttempt]:
    query = select(CallbackAttempt).where(CallbackAttempt.job_id == job_id).order_by(CallbackAttempt.id)
    return list(session.scalars(query))


def list_jobs(
    session: Session,
    *,
    status: str | None = None,
    scenario: str | None = None,
    campaign_id: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[CallbackJob]:
    """Newest due first, `offset` of them skipped; the id breaks ties, so pages neither repeat nor skip a job
    (the clients of a list share their first due time)."""
    query = select(CallbackJob).order_by(CallbackJob.due.desc(), CallbackJob.id).limit(limit).offset(offset)
    if status:
        query = query.where(CallbackJob.status == status)
    if scenario:
        query = query.where(CallbackJob.scenario == scenario)
    if campaign_id:
        query = query.where(CallbackJob.campaign_id == campaign_id)
    return list(session.scalars(query))


class DatabaseCallbackScheduler:
    """`graph_engine.services.CallbackScheduler` storing jobs in the database (the Callback block's scheduler)."""

    def __init__(self, database: Database, *, max_attempts: int = 3) -> None:
        self._database = database
        self._max_attempts = max_attempts

    async def schedule(self, request: CallbackRequest) -> CallbackReceipt:
        return await asyncio.to_thread(self._schedule, request)

    def _schedule(self, request: CallbackRequest) -> CallbackReceipt:
        try:
            with self._database.session() as session:
                job = create_job(
                    session,
                    number=request.number,
                    scenario=request.scenario,
                    due=request.due,
                    window_end=request.window_end,
                    variables=request.variables,
                    max_attempts=self._max_attempts,
                    origin_call_id=request.origin_call_id,
                    window=request.window,
                )
                return CallbackReceipt(job_id=job.id)
        except (SQLAlchemyError, ValueError, TypeError) as error:
            raise SchedulerError(f"the callback could not be stored: {type(error).__name__}") from error
