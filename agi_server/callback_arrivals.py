"""An answered callback's arrival at the FastAGI server: `callback_resolver` turns the job an AGI request names
("<scenario>?job=<id>") into the call's inputs, once the job is marked reached in the store.

The callee who answers lands in the dialplan context the dialer dialled (`DialerSettings.context`), which runs
FastAGI with the scenario and the job id. Only the job id and the scenario slug travel through AMI: the job's
variables come from the store (`CallbackArrivals.reach`), and the id, untrusted text by then, is looked up only when
it matches the strict character set (`agi_server.dial_jobs.TOKEN`).

A store call made while the callee is on the line is tried again for a moment while the database fails (`retried`):
marking the job reached here, and settling an answered attempt in the dialer (`Dialer._settle_answer`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import Final, Protocol, TypeVar

from agi_server.dial_jobs import TOKEN, CallbackContext
from agi_server.records import CallRecord
from agi_server.server import JOB_INPUT, CallEnded, InputResolver, ResolvedInputs
from graph_engine.services import Clock
from graph_engine.trace import CallOutcome
from persistence.calls import result_set_by_a_step

log = logging.getLogger(__name__)


class CallbackArrivals(Protocol):
    async def reach(self, job_id: str, *, at: datetime, scenario: str | None = None) -> CallbackContext | None:
        """Mark the job answered (done: never dialled again) and return it; None when there is no such job, or
        when `scenario` is given and the job belongs to another."""
        ...


def callback_resolver(jobs: CallbackArrivals, clock: Clock) -> InputResolver:
    """The FastAGI server's input resolver for answered callbacks, used by `ivrgraph serve` and `ivrgraph agi`.

    The callee who answers arrives as "<scenario>?job=<id>". Before the scenario runs, the job is marked reached
    in the store, so whatever the dialer's AMI session later reports (it may have dropped and lost the answer,
    "outcome unknown") the job is done and the callee is not called again. The job's stored variables become
    trusted inputs, with `callback_job_id` and `origin_call_id`; the record links the call that scheduled it.

    The job id is untrusted text from the AGI request: only ids of the strict charset are looked up, and only a
    job of the scenario the request names is reached: a call to another scenario carrying `?job=` neither closes
    the job nor reads its variables (a debt amount, a name). Such a call, and one naming a job the store does not
    have, runs on its AGI inputs, with a warning. A job the store cannot load (it still fails after `_reach`'s
    retries) is another matter: the error is raised, and the FastAGI server does not run the call without the
    job (IVRGRAPH_STATUS=JOB_UNAVAILABLE), which the dialer then dials again (`Dialer._settle_answer`).
    """

    async def resolve(slug: str, inputs: Mapping[str, str]) -> ResolvedInputs | None:
        job_id = inputs.get(JOB_INPUT, "")
        if not job_id:
            return None
        if not TOKEN.fullmatch(job_id):
            log.warning("AGI request names a malformed callback job id %r; the call runs without a job", job_id[:80])
            return None
        context = await _reach(jobs, job_id, clock.now(), slug)
        if context is None:
            log.warning(
                "AGI request to %r names callback job %r, which the store says is not one of its jobs (no such job,"
                " or another scenario's): the call runs on its AGI inputs, without a job's variables",
                slug,
                job_id,
            )
            return None
        variables = {
            **context.variables,
            "callback_job_id": context.job_id,
            "origin_call_id": context.origin_call_id or "",
            # On an originated call the channel's CallerID is ours, not the callee's: the job knows who it rang.
            "callback_number": context.number,
        }
        return ResolvedInputs(
            variables=variables,
            job_id=context.job_id,
            origin_call_id=context.origin_call_id,
            dialed_number=context.number,
        )

    return resolve


async def _reach(jobs: CallbackArrivals, job_id: str, at: datetime, slug: str) -> CallbackContext | None:
    """`jobs.reach`, tried again for a moment while the database fails: the callee is on the line, and the call
    does not run without its job (the FastAGI server's `resolve_timeout` bounds the whole, and cancels it)."""
    return await retried(
        lambda: jobs.reach(job_id, at=at, scenario=slug),
        _REACH_RETRY_DELAYS,
        f"callback job {job_id}: marking it reached",
    )


_REACH_RETRY_DELAYS: Final = (0.2, 0.5, 1.0)
_T = TypeVar("_T")


async def retried(attempt: Callable[[], Awaitable[_T]], delays: tuple[float, ...], what: str) -> _T:
    """`attempt()`, tried again after each of `delays` while it raises; the last failure is raised."""
    for delay in delays:
        try:
            return await attempt()
        except Exception as error:
            log.warning("%s failed (%s); again in %g s", what, type(error).__name__, delay)
            await asyncio.sleep(delay)
    return await attempt()


class EarlyHangups(Protocol):
    async def retry_hung_up_early(self, job_id: str, *, at: datetime, retry_after: timedelta) -> str | None:
        """Move the reached job on as after a no-answer attempt if its campaign asks for it
        (persistence.callbacks.retry_hung_up_early): the job's status then, or None when it stays as it was."""
        ...


def hung_up_early(record: CallRecord) -> bool:
    """Whether the finished call's client hung up before the scenario was done with them: the caller hung up and
    no step set `result`. The campaign count's rule (persistence.campaign_reports.hung_up_early), read from the
    call's trace in memory by the function that fills the record's column: a client who pressed 1 and hung up on
    the thanks chose, one who hung up on the greeting did not."""
    return record.outcome == CallOutcome.CALLER_HANGUP and not result_set_by_a_step(record.trace)


def early_hangup_retrier(jobs: EarlyHangups, *, retry_after: timedelta) -> CallEnded:
    """The FastAGI server's `call_ended` hook: a callback call whose client hung up early (`hung_up_early`) moves
    its job on, when its campaign asks for it, due again after `retry_after` (the dialer's no-answer interval).
    Decided here, as the call ends, not from its record: the record may reach the database late (the writer behind,
    the spool), and the dialer may claim nothing meanwhile. Tried again for a moment while the database fails."""

    async def call_ended(record: CallRecord) -> None:
        job_id = record.job_id
        if job_id is None or not hung_up_early(record):
            return
        status = await retried(
            lambda: jobs.retry_hung_up_early(job_id, at=record.ended_at, retry_after=retry_after),
            _REACH_RETRY_DELAYS,
            f"callback job {job_id}: calling again a client who hung up early",
        )
        if status is not None:
            log.info("callback job %s: its client hung up before the scenario set a result; job now %s", job_id, status)

    return call_ended
