"""The callback dialer's job stores (`agi_server.dial_jobs.JobStore`): `DatabaseJobStore` over
`persistence.callbacks` (SQLite on one node; PostgreSQL with SKIP LOCKED for several), and `MemoryJobStore`, in
process with the same rules (single node, tests, simulations). Both also mark an answered callback reached
(`reach`, for agi_server.callback_arrivals).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agi_server.ami_protocol import DialOutcome
from agi_server.dial_jobs import SHUTDOWN_HANGUP, AttemptOutcome, CallbackContext, DialJob
from agi_server.job_contacts import JobContact, job_contacts
from persistence import callbacks
from persistence.db import Database
from persistence.dialling_hold import Hold
from persistence.models import CallbackAttempt, CallbackJob

log = logging.getLogger(__name__)


@dataclass(slots=True)
class MemoryJob:
    id: str
    number: str
    scenario: str
    due: datetime
    window_end: datetime | None = None
    variables: dict[str, Any] = field(default_factory=dict)
    allowed_hours: dict[str, Any] | None = None  # blocks.timewindows.callback_window
    attempts: int = 0
    max_attempts: int = 3
    status: str = "pending"
    outcome: str | None = None
    last_attempt_at: datetime | None = None
    locked_by: str | None = None
    lock_until: datetime | None = None
    origin_call_id: str | None = None
    reached_at: datetime | None = None  # when a FastAGI call named the job
    attempt_log: list[tuple[datetime, str, str]] = field(default_factory=list)  # (at, outcome, call id)

    def view(self) -> DialJob:
        assert self.lock_until is not None, "only a claimed job is handed to the dialer"
        return DialJob(
            self.id,
            self.number,
            self.scenario,
            self.due,
            self.window_end,
            self.attempts,
            self.max_attempts,
            self.lock_until,
            max(self.attempts, sum(outcome != callbacks.WINDOW_CLOSED for _, outcome, _ in self.attempt_log)),
            sum(outcome == SHUTDOWN_HANGUP for _, outcome, _ in self.attempt_log),
        )


class MemoryJobStore:
    """In-process `JobStore` with the same rules as `persistence.callbacks` (single node, tests, simulations)."""

    def __init__(self, *, lease: timedelta = callbacks.DEFAULT_LEASE) -> None:
        self.jobs: dict[str, MemoryJob] = {}
        self._lease = lease
        self.scenario_unavailable = 0  # it knows no scenarios: every job is handed out
        self.taken_over = 0  # jobs its claims took over from another node, their attempt counted lost
        self.schema_newer: str | None = None  # it has no schema: set by a test, every claim then takes nothing
        self.dialling_held: Hold | None = None  # set by a test: every claim then takes nothing, as on a held database

    def add(self, job: MemoryJob) -> MemoryJob:
        self.jobs[job.id] = job
        return job

    async def claim_due(
        self, *, now: datetime, limit: int, node_id: str, lease: timedelta | None = None
    ) -> list[DialJob]:
        if self.schema_newer is not None or self.dialling_held is not None:
            return []  # persistence.callbacks rule: nothing taken, nor moved
        # persistence.callbacks._take_over_lapsed's rule: another node's lapsed lease costs the job that attempt
        for job in self.jobs.values():
            if job.status == "dialing" and job.lock_until is not None and job.lock_until < now:
                if job.locked_by != node_id:
                    previous = job.locked_by
                    self._count_lost(job, now, due=min(job.due, now))
                    self.taken_over += 1
                    log.warning(
                        "callback job %s taken over from node %r: its attempt counts as %s (%d/%d); the job is %s",
                        job.id,
                        previous,
                        callbacks.LOST,
                        job.attempts,
                        job.max_attempts,
                        job.status,
                    )
        # persistence.callbacks rule: every due job whose window closed moves to its next opening first, so moving
        # them never uses up the pass's `limit` (the opening may be now: after a lunch break).
        for job in self._due(now):
            if job.window_end is not None and job.window_end <= now:
                callbacks.window_closed(job, after=now)
        ready = [job for job in self._due(now) if job.window_end is None or job.window_end > now]
        claimed: list[DialJob] = []
        for job in sorted(ready, key=lambda j: j.due)[:limit]:
            job.status, job.locked_by, job.lock_until = "dialing", node_id, now + (lease or self._lease)
            claimed.append(job.view())
        return claimed

    async def recover_own(self, *, node_id: str, now: datetime, ringing: timedelta) -> list[str]:
        """persistence.callbacks.recover_own_jobs's rule."""
        own = [job for job in self.jobs.values() if job.status == "dialing" and job.locked_by == node_id]
        for job in sorted(own, key=lambda j: j.id):
            self._count_lost(job, now, due=now + ringing)
        return sorted(job.id for job in own)

    async def count_unrecorded(
        self, *, attempts: Mapping[str, callbacks.Unrecorded], node_id: str, now: datetime
    ) -> list[str]:
        """persistence.callbacks.count_unrecorded's rule."""
        counted: list[str] = []
        for job_id, attempt in sorted(attempts.items()):
            job = self.jobs.get(job_id)
            if job is None or not callbacks.held_by(job, node_id):
                continue
            if any(logged_call == attempt.call_id for _, _, logged_call in job.attempt_log):
                continue
            self._count_lost(job, now, due=attempt.retry_at, call_id=attempt.call_id)
            counted.append(job_id)
        return counted

    @staticmethod
    def _count_lost(job: MemoryJob, now: datetime, *, due: datetime, call_id: str | None = None) -> None:
        """persistence.callbacks._count_lost's rule, the job then due at `due` unless that was its last attempt."""
        if call_id is None:
            logged = sum(outcome != callbacks.WINDOW_CLOSED for _, outcome, _ in job.attempt_log)
            call_id = callbacks.attempt_channel_id(job.id, max(job.attempts, logged) + 1)
        job.attempt_log.append((now, callbacks.LOST, call_id))
        job.attempts += 1
        job.outcome, job.last_attempt_at = callbacks.LOST, max(job.last_attempt_at or now, now)
        job.locked_by, job.lock_until = None, None
        if job.attempts >= job.max_attempts:
            job.status = "failed"
        else:
            job.status, job.due = "pending", due

    def _due(self, now: datetime) -> list[MemoryJob]:
        return [
            job
            for job in self.jobs.values()
            if (job.status == "pending" and job.due <= now)
            or (job.status == "dialing" and job.lock_until is not None and job.lock_until < now)
        ]

    async def record_attempt(
        self,
        *,
        job_id: str,
        outcome: AttemptOutcome,
        at: datetime,
        retry_after: timedelta,
        call_id: str,
        final: bool = False,
        node_id: str | None = None,
        counted: bool = True,
        on_line_until: datetime | None = None,
    ) -> str:
        # `on_line_until` is not kept: this store's claims have no one-call-per-number rule (a test's jobs each ring
        # a number of their own).
        job = self.jobs[job_id]
        if node_id is not None and not callbacks.held_by(job, node_id):
            for index, (_at, logged, logged_call) in enumerate(job.attempt_log):
                if logged == callbacks.LOST and logged_call == call_id:
                    # persistence.callbacks._replaces_lost's rule: the attempt counted at the takeover, now known
                    job.attempt_log[index] = (_at, str(outcome), call_id)
                    job.last_attempt_at = max(job.last_attempt_at or at, at)
                    return job.status
        job.attempt_log.append((at, str(outcome), call_id))
        if counted:
            job.attempts += 1
        if node_id is not None and not callbacks.held_by(job, node_id):
            # A late attempt: another node holds the job now (persistence.callbacks rule)
            job.last_attempt_at = max(job.last_attempt_at or at, at)
            return job.status
        job.last_attempt_at = at
        job.locked_by, job.lock_until = None, None
        if job.status in callbacks.FINAL_STATUSES:  # reached meanwhile: stays done (persistence.callbacks rule)
            return job.status
        job.outcome = str(outcome)
        if outcome is DialOutcome.ANSWERED:
            job.status = "done"
        elif final or job.attempts >= job.max_attempts:
            job.status = "failed"
        elif job.window_end is not None and at + retry_after > job.window_end:
            callbacks.window_closed(job, after=at + retry_after, outcome=str(outcome))
        else:
            job.status, job.due = "pending", at + retry_after
        return job.status

    async def reach(self, job_id: str, *, at: datetime, scenario: str | None = None) -> CallbackContext | None:
        job = self.jobs.get(job_id)
        if job is None or (scenario is not None and job.scenario != scenario):
            return None
        job.reached_at = job.reached_at or at
        if job.status != "done":
            job.status, job.outcome, job.locked_by, job.lock_until = "done", "answered", None, None
            job.last_attempt_at = job.last_attempt_at or at
        return CallbackContext(job.id, job.scenario, dict(job.variables), job.origin_call_id, job.number)

    async def settle_answer(self, *, job_id: str, call_id: str, at: datetime, retry_after: timedelta) -> str | None:
        job = self.jobs[job_id]
        if job.reached_at is None and job.status == "done" and job.outcome == "answered":
            job.status, job.outcome = "failed", callbacks.UNREACHED
            for index in range(len(job.attempt_log) - 1, -1, -1):
                logged_at, _outcome, logged_call = job.attempt_log[index]
                if logged_call == call_id:
                    job.attempt_log[index] = (logged_at, callbacks.UNREACHED, logged_call)
                    break
            if job.attempts < job.max_attempts:  # callbacks.settle_answer's rule: a failed attempt's retry
                if job.window_end is not None and at + retry_after > job.window_end:
                    callbacks.window_closed(job, after=at + retry_after)
                else:
                    job.status, job.due = "pending", at + retry_after
        settled = [outcome for _, outcome, logged_call in job.attempt_log if logged_call == call_id]
        return job.status if settled and settled[-1] == callbacks.UNREACHED else None

    async def release(self, *, job_id: str, node_id: str) -> None:
        job = self.jobs[job_id]
        if callbacks.held_by(job, node_id):
            job.status, job.locked_by, job.lock_until = "pending", None, None

    async def expire(self, *, job_id: str, node_id: str, now: datetime | None = None) -> None:
        job = self.jobs[job_id]
        if callbacks.held_by(job, node_id):  # persistence.callbacks.expire_job's rule: said in the history
            at = now or datetime.now(UTC)
            job.attempt_log.append((at, callbacks.WINDOW_CLOSED, ""))
            callbacks.window_passed(job, now=at)

    async def end_undialled(self, *, job_id: str, node_id: str, outcome: str) -> None:
        job = self.jobs[job_id]
        if callbacks.held_by(job, node_id):  # persistence.callbacks.end_undialled's rule
            job.status, job.outcome, job.locked_by, job.lock_until = "failed", outcome, None, None


def _shutdown_hangups(session: Session, job_ids: list[str]) -> dict[str, int]:
    """The attempts each job had hung up at a node's shutdown (`SHUTDOWN_HANGUP`, logged only by the dialer);
    jobs with none are left out."""
    if not job_ids:
        return {}
    query = (
        select(CallbackAttempt.job_id, func.count())
        .where(CallbackAttempt.job_id.in_(job_ids), CallbackAttempt.outcome == SHUTDOWN_HANGUP)
        .group_by(CallbackAttempt.job_id)
    )
    return dict(session.execute(query).all())


class _CallGaveUp(Exception):
    """Rolls back a job's reach whose call stopped waiting for it (`DatabaseJobStore.reach`)."""


class DatabaseJobStore:
    """`JobStore` over `persistence.callbacks` (SQLite on one node; PostgreSQL with SKIP LOCKED for several).

    The synchronous SQLAlchemy work runs in a worker thread so the event loop keeps serving calls.
    """

    def __init__(self, database: Database, *, lease: timedelta = callbacks.DEFAULT_LEASE) -> None:
        self._database = database
        self._lease = lease
        self.scenario_unavailable = 0  # jobs its claims ended undialled (`JobStore.scenario_unavailable`)
        self.taken_over = 0  # jobs its claims took over from another node (`JobStore.taken_over`)
        self.schema_newer: str | None = None  # as of the last claim (`JobStore.schema_newer`)
        self.dialling_held: Hold | None = None  # as of the last claim (`JobStore.dialling_held`)

    async def claim_due(
        self, *, now: datetime, limit: int, node_id: str, lease: timedelta | None = None
    ) -> list[DialJob]:
        return await asyncio.to_thread(self._claim_due, now, limit, node_id, lease)

    async def recover_own(self, *, node_id: str, now: datetime, ringing: timedelta) -> list[str]:
        return await asyncio.to_thread(self._recover_own, node_id, now, ringing)

    def _recover_own(self, node_id: str, now: datetime, ringing: timedelta) -> list[str]:
        with self._database.session() as session:
            jobs = callbacks.recover_own_jobs(session, node_id=node_id, now=now, ringing=ringing)
            return [job.id for job in jobs]

    async def count_unrecorded(
        self, *, attempts: Mapping[str, callbacks.Unrecorded], node_id: str, now: datetime
    ) -> list[str]:
        return await asyncio.to_thread(self._count_unrecorded, dict(attempts), node_id, now)

    def _count_unrecorded(self, attempts: dict[str, callbacks.Unrecorded], node_id: str, now: datetime) -> list[str]:
        with self._database.session() as session:
            jobs = callbacks.count_unrecorded(session, attempts=attempts, node_id=node_id, now=now)
            return [job.id for job in jobs]

    async def contacts(self, job_ids: Sequence[str]) -> dict[str, JobContact]:
        """Whom each of `job_ids` calls (`job_contacts`); jobs gone left out."""
        return await asyncio.to_thread(job_contacts, self._database, list(job_ids))

    def _claim_due(self, now: datetime, limit: int, node_id: str, lease: timedelta | None = None) -> list[DialJob]:
        lease = lease or self._lease
        ended: list[CallbackJob] = []
        taken_over: list[CallbackJob] = []
        with self._database.session() as session:
            jobs = callbacks.claim_due_jobs(
                session, now=now, limit=limit, node_id=node_id, lease=lease, unavailable=ended, taken_over=taken_over
            )
            self.schema_newer, self.dialling_held = jobs.schema_newer, jobs.held
            logged = callbacks.attempts_logged(session, job_ids=[j.id for j in jobs])
            hung_up = _shutdown_hangups(session, [j.id for j in jobs])
            claimed = [
                DialJob(
                    j.id,
                    j.number,
                    j.scenario,
                    j.due,
                    j.window_end,
                    j.attempts,
                    j.max_attempts,
                    j.lock_until,
                    max(j.attempts, logged.get(j.id, 0)),
                    hung_up.get(j.id, 0),
                )
                for j in jobs
                if j.lock_until is not None  # always: claimed jobs have a lease
            ]
        self.scenario_unavailable += len(ended)  # committed: the block ended without raising
        self.taken_over += len(taken_over)
        return claimed

    async def record_attempt(
        self,
        *,
        job_id: str,
        outcome: AttemptOutcome,
        at: datetime,
        retry_after: timedelta,
        call_id: str,
        final: bool = False,
        node_id: str | None = None,
        counted: bool = True,
        on_line_until: datetime | None = None,
    ) -> str:
        return await asyncio.to_thread(
            self._record_attempt, job_id, outcome, at, retry_after, call_id, final, node_id, counted, on_line_until
        )

    def _record_attempt(
        self,
        job_id: str,
        outcome: AttemptOutcome,
        at: datetime,
        retry_after: timedelta,
        call_id: str,
        final: bool,
        node_id: str | None,
        counted: bool,
        on_line_until: datetime | None,
    ) -> str:
        with self._database.session() as session:
            job = callbacks.record_attempt(
                session,
                job_id=job_id,
                outcome=str(outcome),
                at=at,
                call_id=call_id,
                retry_after=retry_after,
                final=final,
                node_id=node_id,
                counted=counted,
                on_line_until=on_line_until,
            )
            return job.status

    async def reach(self, job_id: str, *, at: datetime, scenario: str | None = None) -> CallbackContext | None:
        """Mark the job named in an AGI request ("debt?job=<id>") answered, in its own committed transaction.

        Cancelled, the FastAGI server gave up waiting and the call does not run on the job (`AgiServer._inputs`):
        the transaction, which goes on in its worker thread, then rolls back instead of marking the job reached.
        Committed after all, the job would pass for delivered and never be dialled again, its callee having heard
        nothing; only a commit already under way when the server gave up still lands, and is logged as an ERROR."""
        gave_up = threading.Event()
        try:
            return await asyncio.to_thread(self._reach, job_id, at, scenario, gave_up)
        except asyncio.CancelledError:
            gave_up.set()
            raise

    def _reach(
        self, job_id: str, at: datetime, scenario: str | None, gave_up: threading.Event
    ) -> CallbackContext | None:
        try:
            with self._database.session() as session:
                job = callbacks.mark_reached(session, job_id=job_id, at=at, scenario=scenario)
                if job is None:
                    return None
                context = CallbackContext(
                    job.id, job.scenario, dict(job.variables or {}), job.origin_call_id, job.number
                )
                if gave_up.is_set():
                    raise _CallGaveUp
        except _CallGaveUp:
            log.warning(
                "callback job %s: its call stopped waiting for it before it was marked reached; left as it was, for "
                "the dialer to dial again",
                job_id,
            )
            return None
        if gave_up.is_set():
            log.error(
                "callback job %s was marked reached as its call stopped waiting for it: the job is done, but that "
                "call ran no scenario (its record says the job could not be loaded); schedule the callback again",
                job_id,
            )
        return context

    async def settle_answer(self, *, job_id: str, call_id: str, at: datetime, retry_after: timedelta) -> str | None:
        return await asyncio.to_thread(self._settle_answer, job_id, call_id, at, retry_after)

    def _settle_answer(self, job_id: str, call_id: str, at: datetime, retry_after: timedelta) -> str | None:
        with self._database.session() as session:
            job = callbacks.settle_answer(session, job_id=job_id, call_id=call_id, at=at, retry_after=retry_after)
            return None if job is None else job.status

    async def retry_hung_up_early(self, job_id: str, *, at: datetime, retry_after: timedelta) -> str | None:
        """`callbacks.retry_hung_up_early` (agi_server.callback_arrivals.early_hangup_retrier)."""
        return await asyncio.to_thread(self._retry_hung_up_early, job_id, at, retry_after)

    def _retry_hung_up_early(self, job_id: str, at: datetime, retry_after: timedelta) -> str | None:
        with self._database.session() as session:
            job = callbacks.retry_hung_up_early(session, job_id=job_id, at=at, retry_after=retry_after)
            return None if job is None else job.status

    async def release(self, *, job_id: str, node_id: str) -> None:
        await asyncio.to_thread(self._release, job_id, node_id)

    async def expire(self, *, job_id: str, node_id: str, now: datetime | None = None) -> None:
        await asyncio.to_thread(self._expire, job_id, node_id, now)

    async def end_undialled(self, *, job_id: str, node_id: str, outcome: str) -> None:
        await asyncio.to_thread(self._end_undialled, job_id, node_id, outcome)

    def _end_undialled(self, job_id: str, node_id: str, outcome: str) -> None:
        with self._database.session() as session:
            callbacks.end_undialled(session, job_id=job_id, node_id=node_id, outcome=outcome)

    def _expire(self, job_id: str, node_id: str, now: datetime | None) -> None:
        with self._database.session() as session:
            callbacks.expire_job(session, job_id=job_id, node_id=node_id, now=now)

    def _release(self, job_id: str, node_id: str) -> None:
        with self._database.session() as session:
            callbacks.release_job(session, job_id=job_id, node_id=node_id)
