"""The callback dialer's job model and the ports it talks to: a job as claimed (`DialJob`), an attempt as recorded
(`AttemptReport`), what an answered callback's FastAGI call needs of its job (`CallbackContext`), the durable store
of jobs (`JobStore`, implemented in agi_server.job_stores) and the part of AMI the dialer uses (`Originator`).

`NUMBER` and `TOKEN` are the strict character sets a job's number, id and scenario slug must match before any of
them becomes part of an Originate or is looked up from an AGI request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Literal, Protocol

from agi_server.ami import OriginateRequest, OriginateResult
from agi_server.ami_protocol import DialOutcome
from persistence.callbacks import Unrecorded
from persistence.dialling_hold import Hold

# README section 5: numbers are digits and * # + only; ids and slugs a strict charset (they become channel
# variables and part of the FastAGI URL, where '?', '&', '/' or spaces would change its meaning).
NUMBER = re.compile(r"[0-9*#+]{1,32}")
TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
# The outcome of an attempt this node hung up at shutdown before the callee answered (`Dialer.let_go`): logged, not
# counted against the job's attempts, the job due again at once. A word of the existing vocabulary (the designer
# and the call-list reports say "Cancelled": api.report_labels.DIAL_OUTCOMES).
SHUTDOWN_HANGUP: Final = "cancelled"
# What an attempt can come to: what AMI said (`DialOutcome`), or the dialer's own `SHUTDOWN_HANGUP`.
AttemptOutcome = DialOutcome | Literal["cancelled"]


@dataclass(frozen=True, slots=True)
class DialJob:
    """What the dialer needs of a callback job."""

    id: str
    number: str
    scenario: str
    due: datetime
    window_end: datetime | None
    attempts: int
    max_attempts: int
    # When this node's claim runs out: after it another node may claim the job and dial the callee again, so the
    # attempt must be recorded before it.
    lease_end: datetime
    # Attempts logged, counted or not (a trunk outage's are not: `TrunkWatch`; nor one hung up at shutdown:
    # `SHUTDOWN_HANGUP`): numbers the next Originate's ChannelId, which must not repeat one Asterisk has seen for the
    # job.
    tries: int = 0
    # Of `tries`, those hung up at shutdown (`SHUTDOWN_HANGUP`): left uncounted by a restart, not by an outage, so
    # they do not make the job one an outage spared (`spared_before`).
    shutdown_hangups: int = 0


@dataclass(frozen=True, slots=True)
class AttemptReport:
    """One finished attempt, as recorded."""

    job_id: str
    attempt: int
    outcome: AttemptOutcome
    detail: str
    at: datetime
    channel_id: str
    # The job's status after recording: pending (will retry), done, failed, expired; dialing when this node's
    # lease ran out before the attempt was recorded and another node holds the job now.
    status: str
    # False: made while the trunk was down, or hung up unanswered at shutdown: not one of the job's max_attempts
    counted: bool = True


@dataclass(frozen=True, slots=True)
class CallbackContext:
    """What the FastAGI side needs when an answered callback arrives with `?job=<id>` in its AGI request."""

    job_id: str
    scenario: str
    variables: Mapping[str, Any]  # the job's variables, for the callback scenario
    origin_call_id: str | None  # the call that scheduled it, for the call record's link
    number: str = ""  # the number dialled: the callback scenario may schedule another call to it


class JobStore(Protocol):
    """Durable callback jobs. `persistence.callbacks` backs it in production (`DatabaseJobStore`)."""

    @property
    def scenario_unavailable(self) -> int:
        """The jobs this store's claims ended undialled, their scenario having no published version (for the
        metrics: `claim_due` hands out only the others)."""
        ...

    @property
    def taken_over(self) -> int:
        """The jobs this store's claims took over from another node whose lease ran out while it dialled them, that
        attempt counted with outcome `lost` (persistence.callbacks.LOST; for the metrics)."""
        ...

    @property
    def schema_newer(self) -> str | None:
        """The database's schema revision when the last claim took nothing because a newer ivrgraph migrated the
        database (`persistence.callbacks.Claimed.schema_newer`), else None."""
        ...

    @property
    def dialling_held(self) -> Hold | None:
        """The hold when the last claim took nothing because dialling is held for the whole database (a restored
        backup, or an admin's hold: persistence.dialling_hold), else None."""
        ...

    async def claim_due(
        self, *, now: datetime, limit: int, node_id: str, lease: timedelta | None = None
    ) -> list[DialJob]:
        """Lock up to `limit` jobs due at `now` for this node (status dialing) for `lease` (the store's own when
        None: IVRGRAPH_DIAL_LEASE_SECONDS); expire jobs whose window closed. A job whose lease another node let run
        out first has that node's attempt counted, outcome `lost` (persistence.callbacks.LOST), and is logged as
        taken over.
        A job whose scenario has no published version (never published, or deleted) is not handed out: it ends
        failed with outcome `scenario_unavailable`, as the callee would only hear FastAGI's unknown-scenario
        message (`persistence.callbacks`; the in-memory store knows no scenarios)."""
        ...

    async def recover_own(self, *, node_id: str, now: datetime, ringing: timedelta) -> list[str]:
        """At the dialer's start, before its first claim: the jobs still dialing under `node_id`, left by this node's
        previous process, each with that attempt counted `lost` and due again `ringing` after `now`, once the call
        that process placed can no longer ring (failed when it was the last); returns their ids
        (persistence.callbacks.recover_own_jobs)."""
        ...

    async def count_unrecorded(self, *, attempts: Mapping[str, Unrecorded], node_id: str, now: datetime) -> list[str]:
        """Before the dialer's next claim: the attempts it made and could not record (by job id), each counted
        `lost` while `node_id` still holds its job and it is not logged, the job then due at the attempt's
        `retry_at` (failed when it was the last); returns the ids of the jobs counted
        (persistence.callbacks.count_unrecorded)."""
        ...

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
        """Log the attempt, unlock the job and move it on; returns the new status.

        answered -> done; attempts used up -> failed; next try past the window -> expired; else pending again
        at `at + retry_after`. `final` ends the job as failed whatever is left (the number can never be dialled).
        With `node_id`, only a job that node still holds moves on: a late attempt (its lease ran out, another node
        claimed the job) is logged and counted, and the job is left as it is; when the node that took it over
        counted that attempt `lost` already, the late one replaces that entry instead (the same call). `counted`
        False logs the attempt without adding it to the job's attempts (the trunk was down: the callee was never
        rung; or the node hung the call up at shutdown before the callee answered). `on_line_until`, with an answer:
        until when the callee may be on the line; no other job rings the number before then unless `settle_answer`
        saw the hangup first.
        """
        ...

    async def settle_answer(self, *, job_id: str, call_id: str, at: datetime, retry_after: timedelta) -> str | None:
        """The callee of the answered attempt `call_id` hung up at `at`. None when the answer stands (a FastAGI call
        named the job meanwhile). Otherwise its scenario never ran: the attempt's outcome becomes unreached and the
        job moves on as after a failed attempt, due again after `retry_after` until its attempts run out (then
        failed, outcome unreached) or its window does; returns the job's status then
        (`persistence.callbacks.settle_answer`). Either way the number is free for the job's others again."""
        ...

    async def release(self, *, job_id: str, node_id: str) -> None:
        """Give a claimed job back untouched: nothing was dialled (AMI down), no attempt is counted."""
        ...

    async def expire(self, *, job_id: str, node_id: str, now: datetime | None = None) -> None:
        """A claimed job whose window leaves no room for another dial: to the window's next opening, if the job
        keeps its window, else ended."""
        ...

    async def end_undialled(self, *, job_id: str, node_id: str, outcome: str) -> None:
        """A claimed job whose number is never dialled (`persistence.callbacks.undialable`): failed with `outcome`,
        no attempt logged or counted."""
        ...


class Originator(Protocol):
    """The part of `AmiClient` the dialer uses."""

    @property
    def connected(self) -> bool: ...

    async def originate(self, request: OriginateRequest) -> OriginateResult: ...

    async def wait_ended(self, channel_id: str, *, limit: float) -> bool: ...

    async def hang_up(self, channel_id: str, *, timeout: float | None = None) -> bool: ...
