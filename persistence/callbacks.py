"""Callback jobs: durable rows the AMI dialer claims, dials and records attempts against.

Several FastAGI nodes may share one PostgreSQL database: `claim_due_jobs` locks with SKIP LOCKED so each due
job goes to exactly one node, and a lease (`lock_until`) returns a job to the pool if its node dies mid-dial.
On SQLite (one node) the plain SELECT is enough because SQLite serializes writers.

A job rings its callee only into a scenario with a published version: `schedule_callback` refuses any other, and a
claim ends a job whose scenario has none (`SCENARIO_UNAVAILABLE`) instead of handing it to the dialer. No job is
made for an emergency number (`never_dialled`); the dialer ends one stored all the same without dialling it, as it
does a job whose number has become impossible (`undialable`, `end_undialled`). The
Callback block's scheduler also refuses a number no phone can have (`refused_number`), answering `CallbackRefused`
so that the block takes its `rejected` exit.

An integration's requests that create jobs may carry an `Idempotency-Key` (`claim_key`): a retry answers what the
first request answered, and creates nothing. One of its jobs still waiting is cancelled with `cancel_job`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Protocol, TypeVar

from sqlalchemy import ColumnElement, Text, and_, cast, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import GenerativeSelect

from blocks.timewindows import reopening
from graph_engine.errors import SchedulerError
from graph_engine.services import CallbackReceipt, CallbackRefused, CallbackRequest
from persistence import dialling_hold
from persistence.campaign_pause import not_paused
from persistence.db import Database, hold_sqlite_writes
from persistence.dialling_hold import Hold
from persistence.errors import InvalidCallback, KeyReused, NotCancellable, NotFound
from persistence.migrate import newer_revision
from persistence.models import CallbackAttempt, CallbackJob, CallCampaign, IdempotencyKey, utcnow
from persistence.phone_numbers import impossible_number, is_emergency_number, one_form, written_forms
from persistence.scenarios import hold_published, published_among

log = logging.getLogger(__name__)

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
    campaign_id: str | None = None,
    campaign_row: int | None = None,
) -> CallbackJob:
    """A pending job for `number`; `InvalidCallback` naming `$.number` for an emergency number (`never_dialled`)."""
    never_dialled(number)
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
        campaign_id=campaign_id,
        campaign_row=campaign_row,
        created_at=now or utcnow(),
    )
    session.add(job)
    session.flush()
    return job


def never_dialled(number: str) -> None:
    """`InvalidCallback` naming `$.number` when `number` is an emergency number: no job is made for it, whether an
    integration asked or a caller's CallerID (which can be spoofed) did through the Callback block."""
    if is_emergency_number(number):
        message = f"{number} is an emergency number and is never dialled"
        # The code and params a call list's row gets for it (call_lists._row_number), for a client to tell them.
        raise InvalidCallback([{"path": "$.number", "code": "emergency_number", "params": {"value": number},
                                "message": message}])  # fmt: skip


def refused_number(number: str) -> str | None:
    """Why the Callback block gets no job for `number`, as its `callback_rejected` note says it: "emergency number",
    or "impossible number (too_short)" (too_long, invalid_length, unknown_country_code: `impossible_number`); None
    when one may be made. Test calls ask it too (graph_engine.simulation.SimulationInput.refused_number), so they
    refuse as live calls do.

    Stricter than a list's or the API's check: the number is usually the caller's CallerID, which nobody chose and
    a trunk or a spoofer may have cut short or padded, so a short one written nationally is checked too
    (`extensions=False`: "123" is an extension, and the trunk reaches nobody there)."""
    if is_emergency_number(number):
        return "emergency number"
    reason = impossible_number(number, extensions=False)
    return f"impossible number ({reason})" if reason is not None else None


# A stored job's number POST /api/callbacks would refuse (`undialable`): the job ends failed with the refusal's code
# as its outcome, undialled and with no attempt counted (`end_undialled`).
EMERGENCY_NUMBER: Final = "emergency_number"
IMPOSSIBLE_NUMBER: Final = "impossible_number"


def undialable(number: str) -> tuple[str, str] | None:
    """(outcome, why) for a number the API refuses a job for, checked again by the dialer before each dial: a job
    stored before a rule came in (or changed: a new default country), or written to the table by an integration or
    an older version, must not ring an emergency service or a number no phone has. The API's rules, not the
    Callback block's stricter ones (`refused_number`): an integration's short extension was sent on purpose."""
    if is_emergency_number(number):
        return EMERGENCY_NUMBER, "an emergency number"
    reason = impossible_number(number)
    if reason is not None:
        return IMPOSSIBLE_NUMBER, f"no phone number ({reason})"
    return None


def end_undialled(session: Session, *, job_id: str, node_id: str, outcome: str) -> CallbackJob:
    """A claimed job whose number is never dialled (`undialable`): failed with `outcome`, as a job whose scenario
    is gone is (`SCENARIO_UNAVAILABLE`). No attempt is logged or counted, as nobody was rung; the outcome says why,
    on the job and in a campaign's report. Only while `node_id` holds it (another node may own it by now)."""
    job, held = _leased_job(session, job_id=job_id, node_id=node_id)
    if held:
        job.status, job.outcome, job.locked_by, job.lock_until = "failed", outcome, None, None
        session.flush()
    return job


def _callable(number: str) -> None:
    """`InvalidCallback` naming `$.number` for a number the Callback block never calls back (`refused_number`)."""
    never_dialled(number)  # in the words the API and the lists give for an emergency number
    refusal = refused_number(number)
    if refusal is not None:
        message = f"{number} is no phone number: {refusal}"
        problem = {"path": "$.number", "code": "impossible_number", "params": {"value": number}, "message": message}
        raise InvalidCallback([problem])


def hold_target(session: Session, scenario: str) -> None:
    """The scenario a new job will ring its client into, held to the commit: `InvalidCallback` when it has no
    published version (never published, or deleted), as the dialer would ring the client into the FastAGI server's
    "unknown scenario" message. A delete meanwhile either came first (refused here) or waits and finds the job
    among its referrers."""
    if hold_published(session, slug=scenario) is None:
        message = f"{scenario!r} is not published"
        params = {"scenario": scenario}
        raise InvalidCallback([{"path": "$.scenario", "code": "not_published", "params": params, "message": message}])


def schedule_callback(
    session: Session, request: CallbackRequest, *, max_attempts: int, now: datetime
) -> tuple[CallbackJob, bool]:
    """The Callback block's job for `request`, and whether it joined one already waiting (True) instead of being
    made: a client who gave up three times in ten minutes is called back once, not three times in a row.

    A job asked for by a campaign's call is the campaign's, for the same client (`_filed_with`): stopping the
    list stops it, and the list's report reads its call. Only the Callback block's own jobs, still pending (not
    being dialled: that ring may go unanswered, or be over already), of the same number, scenario and campaign
    are joined; a list's clients and an integration's jobs are never touched.

    `InvalidCallback` when `request.scenario` has no published version (`hold_target`), or for a number the block
    never calls back (`refused_number`: an emergency number, one no phone can have), which joins no job waiting
    for it either. `DatabaseCallbackScheduler` asks `refused_number` first and answers `CallbackRefused`; this
    check is for anyone calling here directly."""
    _callable(request.number)
    hold_target(session, request.scenario)
    campaign_id, campaign_row = _filed_with(session, request.origin_job_id)
    _hold_callbacks_of(session, request.number, request.scenario)
    waiting = _waiting_callback(session, request.number, request.scenario, campaign_id)
    if waiting is not None:
        _join(waiting, request, max_attempts=max_attempts, now=now)
        session.flush()
        return waiting, True
    job = create_job(
        session,
        number=request.number,
        scenario=request.scenario,
        due=request.due,
        window_end=request.window_end,
        variables=request.variables,
        max_attempts=max_attempts,
        origin_call_id=request.origin_call_id,
        window=request.window,
        campaign_id=campaign_id,
        campaign_row=campaign_row,
    )
    # The list was stopped while its client was on the line: the promise is not kept, as for every other client.
    _cancel_if_stopped(session, job)
    session.flush()
    return job, False


def _filed_with(session: Session, origin_job_id: str | None) -> tuple[str | None, int | None]:
    """The campaign and client (list row) of the job the asking call belongs to; (None, None) outside any list,
    or for a job nobody knows (the id is whatever the call's variable said)."""
    origin = session.get(CallbackJob, origin_job_id) if origin_job_id else None
    if origin is None or origin.campaign_id is None:
        return None, None
    return origin.campaign_id, origin.campaign_row


def _hold_callbacks_of(session: Session, number: str, scenario: str) -> None:
    """Until the transaction ends, no other node schedules for this number and scenario: two calls given up at
    the same moment (a switchboard's one number) would each find no job waiting and make one. PostgreSQL: an
    advisory lock on the pair; SQLite: its single writer lock."""
    if session.get_bind().dialect.name != "postgresql":
        hold_sqlite_writes(session, CallbackJob)
        return
    # On the number's one form: two trunks writing it 0034... and +34... must wait for each other too.
    session.execute(select(func.pg_advisory_xact_lock(_lock_key(f"callback:{one_form(number)}:{scenario}"))))


def _waiting_callback(session: Session, number: str, scenario: str, campaign_id: str | None) -> CallbackJob | None:
    """The Callback block's pending job for this number and scenario (and campaign, or none), soonest first,
    locked: a dialer claiming it meanwhile waits, and one that claimed it first leaves it out (no longer pending)."""
    query = (
        select(CallbackJob)
        .where(
            CallbackJob.number.in_(written_forms(number)),  # one phone, however the trunk wrote it
            CallbackJob.scenario == scenario,
            CallbackJob.status == "pending",
            CallbackJob.origin_call_id.is_not(None),  # the Callback block's: not a list's client, not the API's
            CallbackJob.campaign_id == campaign_id if campaign_id else CallbackJob.campaign_id.is_(None),
        )
        .order_by(CallbackJob.due, CallbackJob.id)
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.scalars(query).first()


def _join(job: CallbackJob, request: CallbackRequest, *, max_attempts: int, now: datetime) -> None:
    """`request` folded into the job already waiting for its callee.

    The earliest promise is kept: the caller was told they would be called back by then, and a later call must
    not push that back; its window (end and hours) goes with it. Unless that window has closed already (nobody
    could dial it in time, e.g. the dialer was down): then the new call's promise is the one that can be kept.
    The newest variables win (the latest call knows best why the client is waiting, e.g. `missed_reason`); a
    value only an earlier call carried is kept. A waiting retry gets the tries a new request would: the client
    asked again. The job keeps the call that first asked (`origin_call_id`); the later calls' traces name the job.
    """
    kept_window_closed = job.window_end is not None and job.window_end <= now
    if request.due < job.due or kept_window_closed:
        job.due = request.due.astimezone(UTC)
        job.window_end = request.window_end.astimezone(UTC) if request.window_end is not None else None
        job.allowed_hours = dict(request.window) if request.window else None
    job.variables = {**job.variables, **request.variables}
    job.max_attempts = max(job.max_attempts, job.attempts + max_attempts)


def get_job(session: Session, *, job_id: str) -> CallbackJob:
    job = session.get(CallbackJob, job_id)
    if job is None:
        raise NotFound("callback job", job_id)
    return job


# A job an integration cancelled (`POST /api/callbacks/{id}/cancel`): its outcome says so; the audit log says who.
CANCELLED_BY_API: Final = "cancelled_by_api"


def cancel_job(session: Session, *, job_id: str, now: datetime, outcome: str = CANCELLED_BY_API) -> str:
    """Cancel a job waiting to be dialled (its first try, or a retry): the dialer never rings it. The status it
    had; `NotCancellable` for a job being dialled or over, `NotFound` for none.

    The row is locked first, so a dialer claiming it at the same moment either claimed it already (`dialing`:
    refused here) or skips it (SKIP LOCKED) and then finds it cancelled. A job left `dialing` by a node whose
    lease ran out is waiting again (a claim would take it back), so it is cancelled; should that node still report
    its call, the report no longer moves the job (`record_attempt`: the node no longer holds it)."""
    job = _locked_job(session, job_id=job_id)
    if job is None:
        raise NotFound("callback job", job_id)
    was = job.status
    lease_ran_out = was == "dialing" and job.lock_until is not None and job.lock_until < now
    if was != "pending" and not lease_ran_out:
        raise NotCancellable(job_id, was)
    job.status, job.outcome, job.locked_by, job.lock_until = "cancelled", outcome, None, None
    session.flush()
    return was


# -- Idempotency-Key: a request sent again answers as it did the first time ---------------------------------------

# How long a key answers for its first request; after that it is a new request (Stripe's window).
KEY_KEPT: Final = timedelta(hours=24)


@dataclass(frozen=True)
class Replay:
    """What the first request with the key answered: answered again, and nothing created."""

    status_code: int
    body: dict[str, Any]


def request_hash(endpoint: str, body: Mapping[str, Any]) -> str:
    """What makes two requests the same: the endpoint and the body as understood (key order and spacing aside)."""
    text = json.dumps({"endpoint": endpoint, "body": body}, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def claim_key(
    session: Session, *, user_id: int, key: str, endpoint: str, request: str, now: datetime
) -> IdempotencyKey | Replay:
    """The user's `key` for this request (`request`: its `request_hash`), claimed by this transaction (then
    `settle_key` stores the answer before it commits), or the `Replay` of the request that claimed it first.
    `KeyReused` when that was another request.

    Concurrent retries meet on the key's unique row: on PostgreSQL the second insert waits for the first
    transaction and fails once it commits, and the committed answer is then read; on SQLite the writer lock is
    taken before the key is looked for, so the second request finds the first one's row."""
    hold_sqlite_writes(session, IdempotencyKey)
    # A key kept over a day is forgotten: the user may send it again for a new request.
    session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.created_at <= now - KEY_KEPT)
    )
    found = _stored_key(session, user_id, key)
    if found is None:
        claimed = _insert_key(session, user_id=user_id, key=key, endpoint=endpoint, request=request, now=now)
        if claimed is not None:
            return claimed
        found = _stored_key(session, user_id, key)  # the concurrent request's, committed meanwhile
    if found is None or found.request_hash != request:
        raise KeyReused(key, found.endpoint if found is not None else endpoint)
    if found.status_code is None or found.response is None:  # not reachable: a claim commits with its answer
        raise KeyReused(key, found.endpoint)
    return Replay(status_code=found.status_code, body=found.response)


def _stored_key(session: Session, user_id: int, key: str) -> IdempotencyKey | None:
    query = select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
    return session.scalars(query.execution_options(populate_existing=True)).first()


def _insert_key(
    session: Session, *, user_id: int, key: str, endpoint: str, request: str, now: datetime
) -> IdempotencyKey | None:
    """The key's row, written in a savepoint; None when another transaction wrote it first (and committed)."""
    row = IdempotencyKey(user_id=user_id, key=key, request_hash=request, endpoint=endpoint, created_at=now)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return None
    return row


def settle_key(session: Session, claimed: IdempotencyKey, *, status_code: int, body: Mapping[str, Any]) -> None:
    """The answer to the request that claimed the key, kept with it for its retries (committed with what it made:
    a request that fails rolls the key back too, and its retry is tried afresh)."""
    claimed.status_code, claimed.response = status_code, dict(body)
    session.flush()


_Query = TypeVar("_Query", bound=GenerativeSelect)

# Due jobs whose window closed are moved to their next opening this many rows at a time: each statement reads and
# writes a bounded batch however many clients a list left waiting over a break.
REOPEN_STEP: Final = 500


def claim_due_jobs(
    session: Session,
    *,
    now: datetime,
    limit: int,
    node_id: str,
    lease: timedelta = DEFAULT_LEASE,
    unavailable: list[CallbackJob] | None = None,
    taken_over: list[CallbackJob] | None = None,
) -> Claimed:
    """Take up to `limit` due jobs for `node_id`: status becomes `dialing` until `record_attempt` or the lease ends.
    Single callbacks first, then the clients of call lists; earliest due first, a list in its order.

    Due jobs whose window closed first move to their window's next opening (`window_closed`: expired when it has
    none), all of them, so they never use up the pass's `limit`: a list's clients left waiting over a lunch break
    took every claim of the passes after it (review of 2026-12-05, third day). Commit soon after: the row locks on
    PostgreSQL are held until the transaction ends.

    The clients of a paused campaign are not taken (persistence.campaign_pause): the query leaves them out, so
    every node sees a pause at its next claim. Those whose window closed move on or expire all the same, as above.

    `unavailable`, if given, gets the jobs the claim ended undialled for want of a published scenario
    (`SCENARIO_UNAVAILABLE`), for the dialer's metrics; `taken_over` the jobs it took over from another node whose
    lease ran out while it dialled them, their attempt counted `LOST` (`_take_over_lapsed`).

    Nothing is taken, nor moved, from a database a newer ivrgraph migrated (`_schema_newer_than_code`): the claim
    says so (`Claimed.schema_newer`), and the dialer tells the node's log and metrics (agi_server.dialer). Nor
    while dialling is held for the whole database (persistence.dialling_hold: a restored backup, or an admin's
    hold): `Claimed.held` says since when, by whom and why. The jobs stay as the hold found them, for the admin to
    match against what Asterisk dialled since the backup.
    """
    # On SQLite: else a job FastAGI marks reached between our read and our write would be put back to dialing.
    hold_sqlite_writes(session, CallbackJob)
    newer = _schema_newer_than_code(session)
    if newer is not None:
        return Claimed(schema_newer=newer)
    held = dialling_hold.current(session)  # in this transaction: a hold committed before it is seen
    if held is not None:
        return Claimed(held=held)
    lapsed = _take_over_lapsed(session, now=now, node_id=node_id)
    if taken_over is not None:
        taken_over.extend(lapsed)
    _move_closed_windows(session, now)
    ended = unavailable if unavailable is not None else []
    return Claimed(_claim_open_windows(session, now=now, limit=limit, node_id=node_id, lease=lease, unavailable=ended))


class Claimed(list[CallbackJob]):
    """The jobs a claim took (`claim_due_jobs`). `schema_newer`: the database's schema revision when the claim took
    nothing because a newer ivrgraph migrated the database, else None. `held`: the hold when it took nothing because
    dialling is held (persistence.dialling_hold), else None. A refusal is no empty claim: the dialer says it where
    monitoring looks, as long as it lasts (two-node review: one log line said it, `/readyz` said ready)."""

    def __init__(
        self, jobs: Iterable[CallbackJob] = (), *, schema_newer: str | None = None, held: Hold | None = None
    ) -> None:
        super().__init__(jobs)
        self.schema_newer = schema_newer
        self.held = held


def _schema_newer_than_code(session: Session) -> str | None:
    """The database's revision when a newer ivrgraph migrated it since this node started, else None: its code may
    not read what the new schema asks a dialer to respect (0027's pause was a column the release before it did not
    read: an old node kept dialling a paused campaign, ops review). Read in the claim's own transaction, so a claim
    made after the migration committed sees it; on SQLite under the writer lock `hold_sqlite_writes` took."""
    return newer_revision(session.connection())


def _due(now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(CallbackJob.status == "pending", CallbackJob.due <= now),
        # A node that claimed a job and died: its lease ran out, the job is fair game again.
        and_(CallbackJob.status == "dialing", CallbackJob.lock_until < now),
    )


def _unlocked(session: Session, query: _Query) -> _Query:
    """The rows of `query` no other node holds, locked for this one (PostgreSQL; SQLite has a single writer)."""
    if session.get_bind().dialect.name == "postgresql":
        return query.with_for_update(skip_locked=True)
    return query


def _move_closed_windows(session: Session, now: datetime) -> None:
    """Every due job whose window closed: to its window's next opening, or expired; a stopped list's cancelled.

    In steps of REOPEN_STEP rows, each written with one UPDATE per window (a list's clients share theirs, so its
    next opening is worked out once): the locks of a list's 20,000 clients are held about a second, once, when
    their hours close, not for row-by-row work. A moved job leaves the selection (its next opening ends after
    `now`), so each step reads new rows; rows another node holds are skipped, that node moves them."""
    # The window as the database's text: read (parsed) once per window, not once per row.
    window_text = cast(CallbackJob.allowed_hours, Text).label("window")
    closed = (
        select(CallbackJob.id, CallbackJob.campaign_id, window_text)
        .where(_due(now), CallbackJob.window_end <= now)
        .limit(REOPEN_STEP)
    )
    changes: dict[str | None, dict[str, Any]] = {}  # by window: what moving a job with it sets
    while True:
        step = session.execute(_unlocked(session, closed)).all()
        stopped = _stopped_among(session, {row.campaign_id for row in step})
        by_window: dict[str | None, list[str]] = {}
        cancelled: list[str] = []
        for row in step:
            if row.campaign_id in stopped:  # a lease that ran out on a stopped list
                cancelled.append(row.id)
                continue
            if row.window not in changes:
                changes[row.window] = _closed_window_changes(_stored_window(row.window), after=now)
            by_window.setdefault(row.window, []).append(row.id)
        for window, ids in by_window.items():
            session.execute(update(CallbackJob).where(CallbackJob.id.in_(ids)).values(changes[window]))
        if cancelled:  # rare (only a lease running out lets one through the stop): one row at a time is fine
            for job in session.scalars(select(CallbackJob).where(CallbackJob.id.in_(cancelled))):
                _cancel(job)
        session.flush()
        if len(step) < REOPEN_STEP:
            return


def _stored_window(text: str | None) -> dict[str, Any] | None:
    """A job's `allowed_hours` from its text; None for none (SQL NULL, or JSON null) or an unreadable one, which
    `reopening` would refuse too."""
    try:
        window = json.loads(text) if text is not None else None
    except ValueError:
        return None
    return window if isinstance(window, dict) else None


def _claim_open_windows(
    session: Session, *, now: datetime, limit: int, node_id: str, lease: timedelta, unavailable: list[CallbackJob]
) -> list[CallbackJob]:
    """Claim due jobs whose window is open, fetching until `limit` are claimed or none is left: a job cancelled
    or passed over does not take a line's turn."""
    open_now = or_(CallbackJob.window_end.is_(None), CallbackJob.window_end > now)
    # A caller waiting for the callback they asked for comes before a list's clients: a campaign of thousands
    # due at 09:00 must not hold a missed call's callback due at 09:05 back for hours. That holds for a list's
    # client promised a callback during its call too (filed in the campaign, so a stop cancels it, but made by a
    # call: `origin_call_id`). Jobs due together (moved to one opening) go in the order they were made.
    first = (
        and_(CallbackJob.campaign_id.is_not(None), CallbackJob.origin_call_id.is_(None)),
        CallbackJob.due,
        CallbackJob.campaign_row,
        CallbackJob.created_at,
        CallbackJob.id,
    )
    claimed: list[CallbackJob] = []
    passed_over: set[str] = set()
    while len(claimed) < limit:
        wanted = limit - len(claimed)
        # A paused campaign's clients are left in the database's query, not skipped after: they take no line's
        # turn, and no node locks them (persistence.campaign_pause).
        query = select(CallbackJob).where(_due(now), open_now, not_paused()).order_by(*first).limit(wanted)
        if passed_over:
            query = query.where(CallbackJob.id.not_in(passed_over))
        candidates = list(session.scalars(_unlocked(session, query)))
        stopped = _stopped_campaigns(session, candidates)
        runnable = published_among(session, {job.scenario for job in candidates})
        # One call at a time to a number: the same list started twice (a double click, two analysts) put each
        # client in two jobs due together, and one pass rang them on two lines at once (review of 2026-12-05). A
        # job whose number is being dialled or is on the line (this pass's claims included: flushed) stays pending
        # for a later pass. On PostgreSQL another node's claim of it may not be committed yet: the numbers it holds
        # are left to it (`_numbers_claimed_elsewhere`), and the check reads, after those locks, what it committed.
        ringing = _numbers_claimed_elsewhere(session, candidates)
        ringing |= _numbers_being_dialled(session, candidates, now)
        for job in candidates:
            if job.campaign_id in stopped:  # a lease that ran out on a stopped list, or a job given back after it
                _cancel(job)
            elif job.scenario not in runnable:
                _scenario_unavailable(job)
                unavailable.append(job)
            elif one_form(job.number) in ringing:
                passed_over.add(job.id)
            else:
                ringing.add(one_form(job.number))
                job.status, job.locked_by, job.lock_until = "dialing", node_id, now + lease
                claimed.append(job)
        session.flush()
        if len(candidates) < wanted:
            break
    return claimed


# The attempt of a job whose node went away while dialling it (killed, or cut off from the database past its lease):
# the callee may have been rung, so it counts as one of the job's max_attempts, its outcome unknown. Logged when the
# node restarts (`recover_own_jobs`) or another node takes the job over (`_take_over_lapsed`); its call id is the
# ChannelId the lost Originate had (`attempt_channel_id`), so a late report of that call replaces it, and the next dial
# is numbered past it.
LOST: Final = "lost"


def attempt_channel_id(job_id: str, attempt: int) -> str:
    """The dialer's ChannelId of a job's `attempt`-th dial (agi_server.dialer.originate_channel_id), and so the
    call id of a `LOST` attempt."""
    return f"cb-{job_id}-{attempt}"


def _count_lost(
    session: Session, job: CallbackJob, now: datetime, *, due: datetime, call_id: str | None = None
) -> None:
    """Log and count the attempt `job`'s node left unrecorded (`LOST`), under `call_id` or numbered as the dialer
    numbered it; the job fails if that was its last, else it is due again at `due` (cancelled if its list was
    stopped meanwhile)."""
    if call_id is None:
        dialled = max(job.attempts, attempts_logged(session, job_ids=[job.id]).get(job.id, 0)) + 1
        call_id = attempt_channel_id(job.id, dialled)
    session.add(CallbackAttempt(job_id=job.id, at=now, outcome=LOST, call_id=call_id))
    job.attempts += 1
    job.outcome = LOST
    job.last_attempt_at = max(job.last_attempt_at or now, now)
    if job.attempts >= job.max_attempts:
        job.status, job.locked_by, job.lock_until = "failed", None, None
    elif job.status == "dialing":
        job.status, job.locked_by, job.lock_until = "pending", None, None
        job.due = due
        _cancel_if_stopped(session, job)


def _take_over_lapsed(session: Session, *, now: datetime, node_id: str) -> list[CallbackJob]:
    """The jobs whose lease another node let run out while dialling them (killed, or cut off from the database):
    that node's attempt is counted (`LOST`) before anyone dials the callee again, and the takeover logged, naming
    that node; each job is then due at once (this claim may take it), or failed when that was its last attempt.
    Counted here, by whichever node claims first, not when a job is picked: a job passed over or moved to its
    window's next opening is counted all the same. A job of this node's own (its lease ran out while its call still
    rings here) is left to `Dialer.run_once`, whose claim renews it; a restarted node took its own back at its
    start (`recover_own_jobs`); one whose attempt its dialer could not record, when the database answers again
    (`count_unrecorded`)."""
    lapsed = select(CallbackJob).where(
        CallbackJob.status == "dialing",
        CallbackJob.lock_until < now,
        or_(CallbackJob.locked_by.is_(None), CallbackJob.locked_by != node_id),
    )
    jobs = list(session.scalars(_unlocked(session, lapsed.order_by(CallbackJob.id))))
    for job in jobs:
        previous, lease_end = job.locked_by, job.lock_until
        _count_lost(session, job, now, due=min(job.due, now))
        log.warning(
            "callback job %s taken over from node %r, whose lease ran out at %s while it was dialling: that attempt "
            "counts, its outcome unknown (%s, %d/%d); the job is %s",
            job.id,
            previous,
            lease_end.isoformat() if lease_end is not None else "?",
            LOST,
            job.attempts,
            job.max_attempts,
            job.status,
        )
    session.flush()
    return jobs


def recover_own_jobs(
    session: Session, *, node_id: str, now: datetime, ringing: timedelta = timedelta(0)
) -> list[CallbackJob]:
    """At a dialer's start, before its first claim: the jobs still `dialing` under its own `node_id` were left by
    this node's previous process (killed, or its host lost): none of their calls can be followed any more, so each
    attempt counts (`LOST`) and the job is due again once that call can no longer ring, `ringing` from `now` (the
    dialer's ring timeout and AMI's wait for the outcome), or failed when that was its last attempt. Without this
    they waited out their lease, and the attempt went unrecorded (ops review: a client rung four times with
    max_attempts 3). Due at once, the restarted node rang the client again while Asterisk still rang them for the
    killed process, whose Originate outlives its AMI session (review: two calls ringing 3000 at once). Returns the
    jobs recovered."""
    jobs = _dialling_under(session, node_id)
    for job in jobs:
        _count_lost(session, job, now, due=now + ringing)
    session.flush()
    return jobs


def _dialling_under(session: Session, node_id: str, *among: ColumnElement[bool]) -> list[CallbackJob]:
    """The jobs `node_id` holds `dialing` (those of them `among` names), locked for this transaction: SQLite's
    single writer lock, or FOR UPDATE."""
    hold_sqlite_writes(session, CallbackJob)
    query = select(CallbackJob).where(CallbackJob.status == "dialing", CallbackJob.locked_by == node_id, *among)
    if session.get_bind().dialect.name != "sqlite":
        query = query.with_for_update()
    return list(session.scalars(query.order_by(CallbackJob.id)))


@dataclass(frozen=True)
class Unrecorded:
    """An attempt a dialer made and could not record (`count_unrecorded`): its call id (the Originate's ChannelId),
    and when the job is due again: after the retry interval of what the dialer saw come of it."""

    call_id: str
    retry_at: datetime


def count_unrecorded(
    session: Session, *, attempts: Mapping[str, Unrecorded], node_id: str, now: datetime
) -> list[CallbackJob]:
    """The jobs whose attempt `node_id`'s dialer made and could not record (the database away for the rest of the
    lease: `attempts` by job id), each attempt counted `LOST` as at a restart (`recover_own_jobs`), under its own
    call id, the job then due at the attempt's `retry_at` (or failed when that was its last attempt). The dialer asks
    before its next claim: that claim took its own job back when the lease ran out and dialled it again, uncounted,
    at once and under the same ChannelId (review: `busy` logged once for two calls).

    Only a job the node still holds whose attempt is not logged: else the record landed after all (its answer
    lost), or another node took the job over and counted it. Returns the jobs counted."""
    if not attempts:
        return []
    jobs = _dialling_under(session, node_id, CallbackJob.id.in_(list(attempts)))
    logged = session.execute(
        select(CallbackAttempt.job_id, CallbackAttempt.call_id).where(
            CallbackAttempt.job_id.in_([job.id for job in jobs]),
            CallbackAttempt.call_id.in_([attempt.call_id for attempt in attempts.values()]),
        )
    ).all()
    recorded = {(job_id, call_id) for job_id, call_id in logged}
    counted: list[CallbackJob] = []
    for job in jobs:
        attempt = attempts[job.id]
        if (job.id, attempt.call_id) in recorded:
            continue
        _count_lost(session, job, now, due=attempt.retry_at, call_id=attempt.call_id)
        counted.append(job)
    session.flush()
    return counted


# A job ended undialled (`failed`) because its scenario has no published version: the callee would only have heard
# the FastAGI server's "unknown scenario" message and been hung up on.
SCENARIO_UNAVAILABLE: Final = "scenario_unavailable"


def _scenario_unavailable(job: CallbackJob) -> None:
    """A due job whose scenario has no published version (never published: a job stored before the scheduler
    checked; or deleted since): ended, not dialled. No attempt is logged or counted, as nobody was rung; the
    outcome says why, on the job and in a campaign's report. Not left pending either: the scenario's own delete
    would be refused while the job waits, and a scenario published later under the slug may be another one.

    No row lock on the scenario is needed while the callee rings: `delete_scenario` refuses while a job of the
    scenario is pending or dialing, so a scenario found published here stays until the job is over."""
    job.status, job.outcome, job.locked_by, job.lock_until = "failed", SCENARIO_UNAVAILABLE, None, None
    log.warning(
        "callback job %s not dialled: scenario %r has no published version (never published, or deleted); "
        "the job failed with outcome %s",
        job.id,
        job.scenario,
        SCENARIO_UNAVAILABLE,
    )


def _numbers_being_dialled(session: Session, candidates: list[CallbackJob], now: datetime) -> set[str]:
    """The candidates' numbers that another job is dialling now (its lease still running), or whose callee is on
    the line with an answered attempt not yet settled (`on_line_until`: until the dialer sees the hangup), each in
    its one form (`one_form`): a job written 0034... rings the same phone as one written +34...

    An answered attempt ends its job and unlocks it at once: looking at `dialing` alone, the client's other due job
    (a list imported twice, a callback and a campaign) was dialled into the call they were still on (review)."""
    numbers = {form for job in candidates for form in written_forms(job.number)}
    if not numbers:
        return set()
    busy = or_(and_(CallbackJob.status == "dialing", CallbackJob.lock_until >= now), CallbackJob.on_line_until >= now)
    query = select(CallbackJob.number).where(busy, CallbackJob.number.in_(numbers))
    return {one_form(number) for number in session.scalars(query)}


def _numbers_claimed_elsewhere(session: Session, candidates: list[CallbackJob]) -> set[str]:
    """PostgreSQL: the candidates' numbers (each in its one form) another transaction is claiming a job of now;
    this claim holds the others' until it ends. SQLite: none (its single writer claims alone).

    The check that a number is being dialled (`_numbers_being_dialled`) reads only what other nodes committed: two
    nodes claiming at the same moment took two jobs of one number (a list imported twice, a callback and a
    campaign) and rang it on two lines (review: 13 of 60 numbers). A claim now takes an advisory lock on each
    number it may dial, without waiting: a number whose lock another claim holds is passed over (that claim dials
    it, or leaves it to a later pass), and the check made after the lock is taken sees the claim that held it
    before, committed (PostgreSQL makes a commit visible before it releases its locks)."""
    if session.get_bind().dialect.name != "postgresql":
        return set()
    taken: set[str] = set()
    for form in sorted({one_form(job.number) for job in candidates}):
        if not session.scalar(select(func.pg_try_advisory_xact_lock(_lock_key(f"dial:{form}")))):
            taken.add(form)
    return taken


def _lock_key(text: str) -> int:
    """A PostgreSQL advisory lock's key (a signed 64-bit integer) for `text`."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big", signed=True)


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
    counted: bool = True,
    on_line_until: datetime | None = None,
) -> CallbackJob:
    """Log one dial attempt and move the job on: `answered` ends it, otherwise retry until attempts run out.

    `outcome` is the dialer's word for what happened (answered, busy, no_answer, failed, ...); the dialer picks
    `retry_after` by outcome, and says `final` when this outcome is not worth retrying (e.g. a refused number).
    `node_id` is the dialer node that claimed the job: the job moves on only while that node still holds it.
    `counted` False logs the attempt without making it one of the job's `max_attempts`: the dialer found the trunk
    down (every call met congestion), so the callee was never rung.
    `on_line_until`, with an answer: until when its callee may be on the line (the dialer holds a line that long at
    most). No other job rings the number meanwhile, unless the dialer saw the hangup first (`settle_answer`). Kept
    however the job stands: the callee is on this call even when a late report no longer moves the job.
    """
    job = _locked_job(session, job_id=job_id)
    if job is None:
        raise NotFound("callback job", job_id)
    if outcome == "answered" and on_line_until is not None:
        job.on_line_until = max(job.on_line_until or on_line_until, on_line_until)
    if node_id is not None and not held_by(job, node_id) and _replaces_lost(session, job, outcome, at, call_id):
        session.flush()  # the attempt counted lost when the job was taken over: now its outcome is known
        return job
    attempt = CallbackAttempt(job_id=job.id, at=at, outcome=outcome, call_id=call_id)
    session.add(attempt)
    if counted:
        job.attempts += 1
    if outcome == "answered" and job.status == "pending" and job.outcome == HUNG_UP_EARLY:
        # The node that ran this answered call moved the job on before the dialer's report came (its client hung up
        # early, `retry_hung_up_early`; CI saw the FastAGI call end first under load): this is that attempt, and the
        # job stays as moved, done only if this attempt used up its attempts (reached, as that rule keeps it).
        attempt.outcome = HUNG_UP_EARLY
        job.last_attempt_at = max(job.last_attempt_at or at, at)
        if node_id is None or held_by(job, node_id):
            job.locked_by, job.lock_until = None, None
        if job.attempts >= job.max_attempts:
            job.status = "done"
        session.flush()
        return job
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


def _replaces_lost(session: Session, job: CallbackJob, outcome: str, at: datetime, call_id: str | None) -> bool:
    """A late report of the attempt another node counted `LOST` when it took the job over (the same call id): that
    row takes the outcome, and is not counted again. Whether it did."""
    if call_id is None:
        return False
    query = select(CallbackAttempt).where(
        CallbackAttempt.job_id == job.id, CallbackAttempt.outcome == LOST, CallbackAttempt.call_id == call_id
    )
    lost = session.scalars(query.order_by(CallbackAttempt.id).limit(1)).first()
    if lost is None:
        return False
    lost.outcome, lost.call_id = outcome, call_id
    job.last_attempt_at = max(job.last_attempt_at or at, at)
    return True


def mark_reached(session: Session, *, job_id: str, at: datetime, scenario: str | None = None) -> CallbackJob | None:
    """The callee answered: FastAGI received the call naming this job. The job is done from now on, whatever
    the dialer later learns (or fails to learn) from AMI, so it is never dialled again. None: no such job, or
    (`scenario` given) a job of another scenario, which a call to this one must neither close nor read."""
    job = _locked_job(session, job_id=job_id)
    if job is None or (scenario is not None and job.scenario != scenario):
        return None
    first_reach = job.reached_at is None
    job.reached_at = job.reached_at or at
    if job.status != "done":
        job.status, job.outcome = "done", "answered"
        job.last_attempt_at = job.last_attempt_at or at
        job.locked_by, job.lock_until = None, None
        session.flush()
    if first_reach:
        _close_waiting_duplicates(session, job)
    return job


# A Callback block's job closed (`cancelled`) because another job of its scenario reached its callee first.
ALREADY_REACHED: Final = "already_reached"


def _close_waiting_duplicates(session: Session, reached: CallbackJob) -> None:
    """The callee of `reached` hears its scenario now: the Callback block's other jobs waiting to ring that number
    with that scenario would only repeat it (the client called again while the first callback was being dialled,
    so theirs could not join it). Closed here, on the reach, not on the dialer's answer: an answer no FastAGI
    call followed served nobody (`settle_answer`). A job asked for later, during this very call, is made after
    this and stays. A campaign's jobs are left to the campaign: its report counts a cancelled client as stopped."""
    session.execute(
        update(CallbackJob)
        .where(
            CallbackJob.id != reached.id,
            CallbackJob.number.in_(written_forms(reached.number)),
            CallbackJob.scenario == reached.scenario,
            CallbackJob.status == "pending",
            CallbackJob.origin_call_id.is_not(None),
            CallbackJob.campaign_id.is_(None),
        )
        .values(status="cancelled", outcome=ALREADY_REACHED)
    )


UNREACHED: Final = "unreached"  # answered, but the scenario never ran: no FastAGI call named the job


def settle_answer(
    session: Session, *, job_id: str, call_id: str, at: datetime, retry_after: timedelta
) -> CallbackJob | None:
    """The callee of the answered attempt `call_id` hung up at `at`. None when the answer stands: a FastAGI call
    named the job meanwhile (`mark_reached`), or the job is not this attempt's to move (another node claimed it
    since). Otherwise no scenario reached the callee: that attempt's outcome is `unreached`, and the job moves on
    as after a failed attempt: due again after `retry_after`, failed (outcome `unreached`) once its attempts are
    used up, moved to its window's next opening when the retry falls after it, cancelled when its list was
    stopped meanwhile.

    Retried rather than closed for good: the dialer cannot tell a dialplan whose AGI() finds no FastAGI server
    (c1x-noagi.txt) from an ivrgraph node that took the call and could not load its job (its database out of
    reach; it sets IVRGRAPH_STATUS=JOB_UNAVAILABLE): the AMI user it is advised to use reads no AGI events, and that
    node's record reaches the database only once the node does. An SRE review lost 12 of a campaign's 30 jobs
    closed `unreached` while one node of three could not reach the database. A dialplan without its AGI rings a
    callee `max_attempts` times, each attempt logged with what to check.

    Asked again after a try whose commit landed but whose answer was lost (the dialer retries while the database
    fails), it answers the same and moves nothing twice: the attempt's outcome says it was settled.

    Either way the callee is off the line: the job's number is free for its other jobs (`on_line_until` cleared)."""
    job = _locked_job(session, job_id=job_id)
    if job is None:
        raise NotFound("callback job", job_id)
    job.on_line_until = None
    attempt = session.scalars(
        select(CallbackAttempt)
        .where(CallbackAttempt.job_id == job_id, CallbackAttempt.call_id == call_id)
        .order_by(CallbackAttempt.id.desc())
        .limit(1)
    ).first()
    if job.reached_at is not None or job.status != "done" or job.outcome != "answered":
        settled = attempt is not None and attempt.outcome == UNREACHED
        return job if settled else None
    if attempt is not None:
        attempt.outcome = UNREACHED
    job.outcome = UNREACHED
    if job.attempts >= job.max_attempts:
        job.status = "failed"
    else:
        _due_again(session, job, at + retry_after)  # or expired keeping outcome unreached
    session.flush()
    return job


def _due_again(session: Session, job: CallbackJob, retry: datetime) -> None:
    """An attempt that reached nobody for good (`settle_answer`, `retry_hung_up_early`): the job waits for `retry`,
    or its window's next opening when the retry falls after the window (expired, its outcome kept, when there is
    none), and is cancelled if its campaign was stopped meanwhile."""
    if job.window_end is not None and retry > job.window_end:
        window_closed(job, after=retry)
    else:
        job.status, job.due = "pending", retry
    _cancel_if_stopped(session, job)


# A campaign's client who hung up before the scenario set their `result` (campaign_reports.hung_up_early), called
# again because the campaign asked for it (`retry_hung_up_early`): the attempt's and the job's outcome.
HUNG_UP_EARLY: Final = "hung_up_early"


def retry_hung_up_early(session: Session, *, job_id: str, at: datetime, retry_after: timedelta) -> CallbackJob | None:
    """The reached job's callee hung up at `at` before the scenario set `result`: if its campaign's settings ask
    for it (`retry_hung_up_early`), the job moves on as after a no-answer attempt, as `settle_answer` moves an
    unreached one. Its answered attempt's outcome and its own become `hung_up_early`; it is due again after
    `retry_after`, moved to its window's next opening (or expired) when the retry falls after the window, cancelled
    when its campaign was stopped. With its attempts used up it stays done (the client was reached and heard the
    scenario's start: the campaign counts them reached), its outcome saying `hung_up_early`. None when the job is
    not moved: no campaign asks for it, or it is no longer this reach's (not done and answered).

    Asked again for the same call (the FastAGI node's retry after a commit whose answer was lost), it answers the
    same and moves nothing twice: the attempt's outcome says it was moved. The dialer's `settle_answer` of the same
    attempt, before or after, moves nothing: the job was reached, or is no longer done and answered. A job put back
    to wait forgets its reach (`reached_at`), so that the next attempt's answer is settled on its own."""
    job = _locked_job(session, job_id=job_id)
    if job is None or job.campaign_id is None:
        return None
    campaign = session.get(CallCampaign, job.campaign_id)
    if campaign is None or not (campaign.settings or {}).get("retry_hung_up_early"):
        return None
    attempt = session.scalars(
        select(CallbackAttempt)
        .where(CallbackAttempt.job_id == job_id, CallbackAttempt.outcome != WINDOW_CLOSED)
        .order_by(CallbackAttempt.id.desc())
        .limit(1)
    ).first()
    if job.reached_at is None or job.status != "done" or job.outcome != "answered":
        moved = attempt is not None and attempt.outcome == HUNG_UP_EARLY
        return job if moved else None
    if attempt is not None and attempt.outcome == "answered":
        attempt.outcome = HUNG_UP_EARLY
    job.outcome = HUNG_UP_EARLY
    if job.attempts < job.max_attempts:
        job.reached_at = None
        _due_again(session, job, at + retry_after)
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


# The history entry of a due dial not started because its ring could still run when the window closes
# (`expire_job`): no call was made, and the job's `due` says when it is tried next. Not a dial (`attempts_logged`).
WINDOW_CLOSED: Final = "window_closed"


def expire_job(session: Session, *, job_id: str, node_id: str, now: datetime | None = None) -> CallbackJob:
    """A claimed job whose window closed before it could be dialled (see `window_passed`). Its history says so
    (`WINDOW_CLOSED`, at `now`): the campaign's page had shown that dial as the next call, and a supervisor found
    the job at the next day's opening with nothing to say why."""
    job, held = _leased_job(session, job_id=job_id, node_id=node_id)
    if held:
        at = now or utcnow()
        session.add(CallbackAttempt(job_id=job.id, at=at, outcome=WINDOW_CLOSED, call_id=None))
        window_passed(job, now=at)
        _cancel_if_stopped(session, job)
        session.flush()
    return job


def _stopped_campaigns(session: Session, jobs: list[CallbackJob]) -> set[str]:
    """The ids of the stopped campaigns (`campaign_stop.cancel`) among `jobs`' campaigns."""
    return _stopped_among(session, {job.campaign_id for job in jobs})


def _stopped_among(session: Session, campaign_ids: set[str | None]) -> set[str]:
    """The ids of the stopped campaigns (`campaign_stop.cancel`) among `campaign_ids`."""
    ids = {campaign_id for campaign_id in campaign_ids if campaign_id is not None}
    if not ids:
        return set()
    query = select(CallCampaign.id).where(CallCampaign.id.in_(ids), CallCampaign.cancelled_at.is_not(None))
    return set(session.scalars(query))


def _cancel_if_stopped(session: Session, job: CallbackJob) -> None:
    """A client put back to wait (a retry, a job given back) whose campaign was stopped meanwhile: cancelled."""
    if job.status == "pending" and _stopped_campaigns(session, [job]):
        _cancel(job)


def _cancel(job: CallbackJob) -> None:
    """A client of a stopped campaign: never dialled again (its attempts so far stay logged). The status says it
    was stopped; the outcome stays the last dial's (the busy `record_attempt` just stored, a retry's), which is
    the campaign report's `outcome` column: `cancelled` only for a client never dialled."""
    job.status, job.locked_by, job.lock_until = "cancelled", None, None
    job.outcome = job.outcome or "cancelled"


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
    within two weeks, the job expires, keeping its last dial's outcome (`outcome` for a job never dialled)."""
    changes = _closed_window_changes(job.allowed_hours, after=after, outcome=job.outcome or outcome)
    for name, value in changes.items():
        setattr(job, name, value)


# An expired job's outcome in the UPDATE of many (`_move_closed_windows`): its own, the last dial's, if it has one.
_OWN_OUTCOME_OR_WINDOW_CLOSED: Final = func.coalesce(CallbackJob.outcome, "window_closed")


def _closed_window_changes(
    allowed_hours: Mapping[str, Any] | None,
    *,
    after: datetime,
    outcome: str | ColumnElement[str] = _OWN_OUTCOME_OR_WINDOW_CLOSED,
) -> dict[str, Any]:
    """What `window_closed` sets on a job with `allowed_hours` (the column values): the same for every job of a
    window, so a claim moves a list's clients with one UPDATE. An expired job's `outcome` is its last dial's (busy,
    no answer: the campaign report's column; the status says it expired), `window_closed` if it was never dialled."""
    unlocked: dict[str, Any] = {"locked_by": None, "lock_until": None}
    opening = reopening(after, allowed_hours)
    if opening is None:
        return {**unlocked, "status": "expired", "outcome": outcome}
    due, window_end = opening
    return {**unlocked, "status": "pending", "due": due.astimezone(UTC), "window_end": window_end.astimezone(UTC)}


def list_attempts(session: Session, *, job_id: str) -> list[CallbackAttempt]:
    query = select(CallbackAttempt).where(CallbackAttempt.job_id == job_id).order_by(CallbackAttempt.id)
    return list(session.scalars(query))


def attempts_logged(session: Session, *, job_ids: list[str]) -> dict[str, int]:
    """The attempts logged per job, counted or not (`record_attempt`): the dialer numbers each Originate's
    ChannelId by it, so an attempt left uncounted does not hand its id to the next one. Jobs with none are left
    out."""
    if not job_ids:
        return {}
    query = (
        select(CallbackAttempt.job_id, func.count())
        .where(CallbackAttempt.job_id.in_(job_ids), CallbackAttempt.outcome != WINDOW_CLOSED)  # no dial: no id
        .group_by(CallbackAttempt.job_id)
    )
    return dict(session.execute(query).all())


def list_jobs(
    session: Session,
    *,
    status: str | None = None,
    scenario: str | None = None,
    campaign_id: str | None = None,
    number: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[CallbackJob]:
    """The newest made first, or a campaign's jobs in its list's order and then the callbacks its calls promised,
    as they were made; `offset` of them skipped.

    Paged by when a job was made, which nothing changes: paged by `due`, which every retry moves, a running
    list's pages showed one client twice and another never (review of the campaign reports, 2026-12). The
    clients of a list are made together, in its order (`campaign_row`); the id breaks the remaining ties. So pages
    neither repeat nor skip a job, but for jobs made while paging: a campaign's come last, on its last page;
    without a campaign, newest first, they push the pages after them on.

    `number`: a dialable number (`phone_numbers.phone_number`); a job written "0034..." rings the same phone as one
    written "+34...", and is found by either."""
    made = CallbackJob.created_at if campaign_id else CallbackJob.created_at.desc()
    query = select(CallbackJob).order_by(made, CallbackJob.campaign_row, CallbackJob.id).limit(limit).offset(offset)
    if status:
        query = query.where(CallbackJob.status == status)
    if scenario:
        query = query.where(CallbackJob.scenario == scenario)
    if campaign_id:
        query = query.where(CallbackJob.campaign_id == campaign_id)
    if number:
        query = query.where(CallbackJob.number.in_(written_forms(number)))
    return list(session.scalars(query))


class DatabaseCallbackScheduler:
    """`graph_engine.services.CallbackScheduler` storing jobs in the database (the Callback block's scheduler)."""

    def __init__(self, database: Database, *, max_attempts: int = 3, now: Callable[[], datetime] = utcnow) -> None:
        self._database = database
        self._max_attempts = max_attempts
        self._now = now  # the calls' clock: whether a waiting job's window has closed is judged by it

    async def schedule(self, request: CallbackRequest) -> CallbackReceipt | CallbackRefused:
        return await asyncio.to_thread(self._schedule, request)

    def _schedule(self, request: CallbackRequest) -> CallbackReceipt | CallbackRefused:
        # A number never called is answered before the database is touched: the refusal is the caller's number's,
        # the same whether the database is up or not. In this thread: the first look-up loads libphonenumber's
        # short-number metadata (`phone_numbers._emergency`), which the event loop's other calls must not wait for.
        refusal = refused_number(request.number)
        if refusal is not None:
            return CallbackRefused(refusal)
        try:
            with self._database.session() as session:
                job, merged = schedule_callback(session, request, max_attempts=self._max_attempts, now=self._now())
                return CallbackReceipt(job_id=job.id, merged=merged)
        except InvalidCallback as error:
            # The block takes its error exit, and the step's error names the scenario that is not published (a
            # number never called was answered in `schedule`, as `CallbackRefused`).
            raise SchedulerError(str(error)) from error
        except (SQLAlchemyError, ValueError, TypeError) as error:
            raise SchedulerError(f"the callback could not be stored: {type(error).__name__}") from error
