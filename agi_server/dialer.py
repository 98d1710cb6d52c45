"""The callback dialer: takes due callback jobs, dials them through AMI and records every attempt.

One pass (`run_once`) claims at most as many due jobs as this node has free outbound lines and starts one
Originate per job (`max_lines` bounds each node's calls: nodes sharing a database and a trunk add up); `run`
repeats passes until cancelled, waking early when a line frees up. Each attempt ends in a `DialOutcome`: answered
closes the job, busy / no_answer / failed come back after the interval configured for that outcome until the job
runs out of attempts or its window. An answer counts once the callee hung up, if a FastAGI call named the job
meanwhile: one none did is `unreached` (the dialplan never reached a FastAGI server, or the node that took the call
could not load the job), a failed attempt retried as the others are (`persistence.callbacks.settle_answer`); until
then no other job rings the callee's number (`on_line_until`), as none does while it is being dialled. A job is
never dialled before `due` or after `window_end` (the window comes with the job: the Callback block already moved
it out of the night), and a dial that could still be ringing when the window closes is not started. Nor is a job
whose scenario has no published version any more: the claim ends it failed (outcome `scenario_unavailable`) without
ringing the callee into FastAGI's unknown-scenario message. A claimed job whose number `POST /api/callbacks` would
refuse (an emergency number such as 112, or one no phone has: `persistence.callbacks.undialable`) is never dialled
at all: it ends failed with the refusal's code as its outcome (`emergency_number`, `impossible_number`), no attempt
counted, and a warning names the job.

A run of congestion (the trunk down) or of failures at once (the dial channel unusable) on different jobs pauses
dialling instead of using up the clients' attempts (`TrunkWatch`, agi_server.trunk_watch).

A pass that fails (the database is away) is logged as the version poller logs a failed poll (`FailureLog`): one
WARNING with the reason, a reminder once a minute while it lasts and one INFO line when a pass succeeds again; a
bug gets its traceback, once per run of the same error. What attempts came to, by outcome, and the failed passes
are counted for the node's metrics (`Dialer.attempts`, `Dialer.pass_failures`).

A claim the store refuses because a newer ivrgraph migrated the database (`persistence.callbacks.Claimed`: this code
may not read what the new schema asks a dialer to respect) stops dialling until this node is upgraded: said the same
way (`NewerSchemaLog`: one WARNING, a reminder once a minute, one INFO line when claims are taken again), and shown
while it lasts (`Dialer.schema_newer`: the metric `ivrgraph_dialer_schema_newer` and the metrics port's `/readyz`).

The callee who answers lands in the dialplan context `settings.context`, which must run FastAGI with the
scenario and the job id, e.g.::

    [ivrgraph-outbound]
    exten => s,1,AGI(agi://ivr-host:4573/${IVR_SCENARIO}?job=${JOB_ID})
     same => n,Hangup()

The FastAGI side (agi_server.callback_arrivals) reads the job id from the AGI request (`agi_network_script`
"debt?job=<id>") and loads the job's variables from the store itself: only the job id and the scenario slug travel
through AMI, both checked against a strict character set, so no caller-controlled text ever becomes an AMI header.

On shutdown (`RunningDialer.stop`) no job is claimed any more, and the calls being dialled get the node's deadline:
a callee who answers meanwhile reaches the FastAGI listener, which stays open while this node's Originates ring
(`Dialer.until_callbacks_in`), and a call still ringing at the deadline is hung up (AMI Hangup) before its attempt is
recorded, so nobody answers into a node that is gone. Such an attempt is logged, not counted (outcome
`SHUTDOWN_HANGUP`: the callee never answered), and the job is due again at once: after the restart, or on another node.

While dialling is held for the whole database (persistence.dialling_hold: a restored backup, or an admin's hold)
claims take nothing either: said the same way (`HeldLog`), and shown while it lasts (`Dialer.dialling_held`: the
metric `ivrgraph_dialer_held`, and `GET /api/dialer`).

Time comes from an injected `Clock`; the loop never reads the wall clock, so tests move time by hand.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar, Final, Generic, Literal, TypeVar

from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from agi_server.ami import (
    AmiClient,
    AmiSettings,
    ConnectionState,
    OriginateRequest,
    OriginateResult,
)
from agi_server.ami_errors import AmiConnectionError, AmiEncodingError, AmiError
from agi_server.ami_protocol import DialOutcome, encode_action, variable_headers
from agi_server.callback_arrivals import retried
from agi_server.dial_jobs import (
    NUMBER,
    SHUTDOWN_HANGUP,
    TOKEN,
    AttemptOutcome,
    AttemptReport,
    DialJob,
    JobStore,
    Originator,
)
from agi_server.dialer_settings import ORIGINATE_GRACE_SECONDS, DialerSettings, warn_about_channel
from agi_server.logs import phone_number
from agi_server.trunk_watch import TrunkFailure, TrunkWatch, spared_before, trunk_failure
from graph_engine.services import Clock
from persistence import callbacks
from persistence.dialling_hold import Hold
from persistence.failure_log import FailureLog
from persistence.migrate import head_revision

log = logging.getLogger(__name__)
_Cause = TypeVar("_Cause")

RECENT_REPORTS: Final = 1000  # attempts a dialer keeps in memory (Dialer.reports)
# Due jobs claimed to choose a probe from while the trunk is down (`TrunkWatch.pick_probe`), the rest given back:
# enough to look past the jobs an outage spared (a streak's `trunk_down_after`, and one probe per pause).
PROBE_CHOICES: Final = 16
# A pass failing with one of these met a database that is away (down, restarting, unreachable, its connections all
# taken): an expected outage, logged without its traceback. Anything else is a bug, logged with it.
DATABASE_OUTAGES: Final = (DBAPIError, DisconnectionError, PoolTimeoutError, ConnectionError)
# How long a call still ringing when the node lets it go waits for Asterisk to take its Hangup, and then for the
# Originate's outcome (the OriginateResponse follows a channel's end within milliseconds, README section 4):
# twice this at most before its attempt is recorded.
HANG_UP_WAIT: Final = 1.0
# How long after an answer a stopping node's FastAGI listener waits for that callee's call (`until_callbacks_in`):
# Asterisk connects at the answer (README section 4: 1 ms apart); a dialplan without AGI() never does.
ARRIVAL_WAIT: Final = 3.0


def originate_channel_id(job: DialJob) -> str:
    """The ChannelId of the job's next Originate, `cb-<job>-<n>`: numbered by the attempts logged, counted or not,
    so no two Originates of a job share one (Asterisk and the matching of AMI events to calls would confuse them).
    An Originate its node could not record (the node killed mid-dial) is logged when the node restarts or another
    node takes the job over (`persistence.callbacks.LOST`, whose call id is this: `attempt_channel_id`), so the next
    dial is numbered past it."""
    return callbacks.attempt_channel_id(job.id, max(job.tries, job.attempts) + 1)


def _unencodable(number: str, variables: Mapping[str, str]) -> bool:
    """Whether a job's own part of the Originate (its number, its channel variables) cannot be sent to AMI: an
    AmiEncodingError of anything else comes of the node's settings."""
    try:
        encode_action("Originate", [("Channel", number), *variable_headers(variables)])
    except AmiEncodingError:
        return True
    return False


@dataclass(frozen=True, slots=True)
class _Rung:
    """What came of an Originate (`Dialer._dial`). `hung_up`: this node hung its channel up while it rang, letting
    its calls go at shutdown (`Dialer.let_go`); `result` None: no outcome came within `HANG_UP_WAIT` after that."""

    result: OriginateResult | None
    hung_up: bool = False


class Dialer:
    def __init__(self, *, store: JobStore, ami: Originator, clock: Clock, settings: DialerSettings) -> None:
        if settings.max_lines < 1:
            raise ValueError("max_lines must be at least 1")
        self._store = store
        self._ami = ami
        self._clock = clock
        self._settings = settings
        self._active: dict[str, asyncio.Task[AttemptReport | None]] = {}
        self._talking: set[str] = set()  # jobs whose callee answered and is still on the line
        self._ringing: set[str] = set()  # jobs whose Originate waits for its outcome
        # Answered jobs no FastAGI call of this node has named yet (`arrived`): the loop's time of the answer.
        self._arriving: dict[str, float] = {}
        # Ringing jobs a FastAGI call named already: Asterisk connects at the answer, at times before the dialer
        # reads the OriginateResponse (README section 4: 0.7 ms before).
        self._came_early: set[str] = set()
        self._calls_changed = asyncio.Event()  # set when either of the two above changes (`until_callbacks_in`)
        self._letting_go = asyncio.Event()  # set by `let_go`: the calls still ringing are hung up
        self.refused_until: datetime | None = None  # no job is claimed before then (see DialerSettings.refused_pause)
        self._trunk = TrunkWatch(settings)
        self._wake = asyncio.Event()
        # The attempts this dialer finished lately, oldest first: for tests and a look at a live node. Bounded,
        # as a node dials for months and the store keeps every attempt anyway.
        self.reports: deque[AttemptReport] = deque(maxlen=RECENT_REPORTS)
        self.peak_lines = 0
        # What attempts came to, by outcome (agi_server.metrics.DIAL_OUTCOMES), for the metrics: `_tell`.
        self._tallies: dict[str, int] = {}
        self._passes = FailureLog(
            log,
            "callback dialer pass",
            "passes",
            meanwhile="no callback is claimed until a pass succeeds",
            remind_every=settings.remind_every,
        )
        self._claims = 0  # passes whose claim the store answered: only those tell that the database is back
        self._newer_schema = NewerSchemaLog(log, remind_every=settings.remind_every)
        self._held = HeldLog(log, remind_every=settings.remind_every)
        # Whether the jobs this node's previous process left dialing were taken back (`_recover_own`).
        self._recovered = False
        # Attempts this dialer made and could not record, by job id: counted `lost` before its next claim
        # (`_count_unrecorded`).
        self._unrecorded: dict[str, callbacks.Unrecorded] = {}

    @property
    def attempts(self) -> dict[str, int]:
        """Attempts since the start by what they came to: a `DialOutcome`, `trunk_down` (congestion while the
        trunk looked down: not counted), `cancelled` (hung up unanswered at shutdown: not counted), the jobs ended
        undialled for their number (`emergency_number`, `impossible_number`: `_end_undialable`), the store's
        ended `scenario_unavailable` (never dialled) and `lost`: the attempts a node that went away left unrecorded,
        counted when this node started (`_recover_own`) or took a job over from another node (the store's
        `taken_over`).
        Answers count once the callee hung up: `answered` when the scenario reached them, else `unreached` (a
        failed attempt, retried)."""
        attempts = {**self._tallies, "scenario_unavailable": self._store.scenario_unavailable}
        lost = self._tallies.get(callbacks.LOST, 0) + self._store.taken_over
        return {**attempts, callbacks.LOST: lost} if lost else attempts

    @property
    def pass_failures(self) -> int:
        """Passes that failed since the start (the database away, or a bug): no job was claimed by them."""
        return self._passes.failures

    @property
    def active_lines(self) -> int:
        return len(self._active)

    @property
    def schema_newer(self) -> str | None:
        """The database's schema revision while claims take nothing because a newer ivrgraph migrated it (until
        this node is upgraded), else None. Known as of the last claim: one is made each pass while AMI is up."""
        return self._newer_schema.revision

    @property
    def dialling_held(self) -> Hold | None:
        """The hold while claims take nothing because dialling is held for the whole database (until an admin
        resumes it), else None. Known as of the last claim, as `schema_newer`."""
        return self._held.hold

    @property
    def trunk_down(self) -> bool:
        """Whether dialling pauses because the trunk looks down (see `TrunkWatch`), until a call gets through."""
        return self._trunk.down

    @property
    def trunk_paused_until(self) -> datetime | None:
        return self._trunk.paused_until

    @property
    def node_id(self) -> str:
        return self._settings.node_id

    def status(self) -> DialerStatus:
        """Paused while dialling is held for the whole database, Asterisk refuses Originates or the trunk looks down,
        else running (AMI aside: see `RunningDialer.status`). `paused_until` is None once the pause is over but a
        probe call still rings."""
        now, node = self._clock.now(), self.node_id
        held = self._held.hold
        if held is not None:  # first: it is deliberate, and lasts until an admin resumes it
            return DialerStatus("paused", "dialling_held", node=node, held=held)
        if self.refusing():
            return DialerStatus("paused", "originate_refused", self.refused_until, node=node)
        if self._trunk.down:
            until = self._trunk.paused_until
            ahead = until if until is not None and until > now else None
            return DialerStatus("paused", "trunk_down", ahead, self._trunk.congested_calls, node)
        return DialerStatus("running", node=node)

    def wake(self) -> None:
        """Look for due jobs now rather than at the next poll (AMI has just connected)."""
        self._wake.set()

    async def run_once(self) -> list[str]:
        """Claim due jobs for the free lines and start dialling them; returns the ids of the jobs started. The
        first pass that reaches the store takes back the jobs this node's previous process left dialing first; a
        pass counts the attempts this dialer could not record before it claims (`_count_unrecorded`)."""
        if not self._recovered:
            await self._recover_own()
        if self._unrecorded:
            await self._count_unrecorded()
        free = self._settings.max_lines - len(self._active)
        if free <= 0 or not self._ami.connected:
            return []  # claiming while AMI is down would only lock jobs we cannot dial
        if self.refusing():
            return []  # Asterisk refuses our Originates: each job would only be refused too
        now = self._clock.now()
        free = self._trunk.lines(free, now)
        if free <= 0:
            return []  # the trunk is down: each job would only meet congestion too
        probing = self._trunk.down
        claimed = await self._store.claim_due(
            now=now,
            limit=PROBE_CHOICES if probing else free,
            node_id=self._settings.node_id,
            lease=self._settings.lease,
        )
        self._claims += 1
        self._newer_schema.claimed(self._store.schema_newer, now)
        self._held.claimed(self._store.dialling_held, now)
        claimed = await self._end_undialable(claimed)
        if probing:
            claimed = await self._probe_only(claimed, now)
        started: list[str] = []
        for job in claimed:
            if job.id in self._active:
                # Still dialled or recorded here while its lease ran out: this claim renews the lease. Giving it
                # back would let another node dial the callee again, and the late record clear that node's lock.
                continue
            if job.due > now:
                await self._store.release(job_id=job.id, node_id=self._settings.node_id)
                continue
            if job.window_end is not None and now + self._settings.ring_timeout > job.window_end:
                # It could still ring after the window closed: do not start it.
                await self._store.expire(job_id=job.id, node_id=self._settings.node_id, now=now)
                continue
            task = asyncio.create_task(self._attempt(job), name=f"dial-{job.id}")
            self._active[job.id] = task
            self._trunk.started(job.id)
            task.add_done_callback(functools.partial(self._line_freed, job.id))
            started.append(job.id)
        self.peak_lines = max(self.peak_lines, len(self._active))
        return started

    async def _recover_own(self) -> None:
        """The jobs still dialing under this node's id when its dialer starts were left by its previous process
        (killed, or its host lost: a stopped node records or gives back every job it dials). None of their calls
        can be followed from this process, so each attempt counts, outcome `lost` (`JobStore.recover_own`), and the
        job is due again at once instead of waiting out its lease (ops review: 4 jobs stuck for 5 minutes after a
        kill -9, and the attempt in flight never recorded). Before AMI answers, too: another node may dial them.

        Not before that process's Originate can no longer ring, though: Asterisk rings it to its Timeout whatever
        became of the AMI session that asked (README section 6, f1-drop-reconnect.txt), and dialled again at once
        the client rang twice (review). Each job is due the ring timeout and AMI's wait for its outcome
        (`ORIGINATE_GRACE_SECONDS`) after the start, the latest that Originate may still ring."""
        node_id = self._settings.node_id
        ringing = self._settings.ring_timeout + timedelta(seconds=ORIGINATE_GRACE_SECONDS)
        recovered = await self._store.recover_own(node_id=node_id, now=self._clock.now(), ringing=ringing)
        self._recovered = True
        if recovered:
            log.warning(
                "callback dialer of node %r starts with %d job(s) its previous process left dialling (killed?): "
                "their attempt counts, its outcome unknown (%s), and each is due again in %.0f s, once that call "
                "can no longer ring, unless that was its last attempt: %s",
                node_id,
                len(recovered),
                callbacks.LOST,
                ringing.total_seconds(),
                ", ".join(recovered),
            )
        for _ in recovered:
            self._tally(callbacks.LOST)

    async def _count_unrecorded(self) -> None:
        """The attempts this dialer made and could not record (the database away until the job's lease ran out)
        count before its next claim, outcome `lost` as at a restart (`JobStore.count_unrecorded`), each job due
        again after the retry interval of what came of its call. Claimed back as it was when its lease ran out, the
        job was dialled again at once, uncounted, under the same ChannelId (review: Originates cb-<job>-1 twice).
        A job whose attempt is still at work here (its callee on the line) waits until it is done."""
        waiting = {job_id: call for job_id, call in self._unrecorded.items() if job_id not in self._active}
        if not waiting:
            return
        node_id = self._settings.node_id
        counted = await self._store.count_unrecorded(attempts=waiting, node_id=node_id, now=self._clock.now())
        for job_id, call in waiting.items():
            if self._unrecorded.get(job_id) is call:
                del self._unrecorded[job_id]
        if counted:
            log.warning(
                "callback dialer of node %r counts %d attempt(s) it could not record: outcome unknown (%s), each job "
                "due again after its retry interval unless that was its last attempt: %s",
                node_id,
                len(counted),
                callbacks.LOST,
                ", ".join(counted),
            )
        for _ in counted:
            self._tally(callbacks.LOST)

    async def _end_undialable(self, claimed: list[DialJob]) -> list[DialJob]:
        """The claimed jobs to dial: a job whose number the API would refuse (`callbacks.undialable`: stored before
        a rule came in or changed, or written to the table by an integration or an older version) is ended here,
        before any Originate, with the refusal's code as its outcome and no attempt counted; a WARNING names it.
        A job still dialled here (its claim renewed its lease) was checked when it started."""
        kept: list[DialJob] = []
        for job in claimed:
            refusal = None if job.id in self._active else callbacks.undialable(job.number)
            if refusal is None:
                kept.append(job)
                continue
            outcome, why = refusal
            await self._store.end_undialled(job_id=job.id, node_id=self._settings.node_id, outcome=outcome)
            log.warning("callback job %s not dialled: %r is %s; the job failed with outcome %s, no attempt counted",
                        job.id, phone_number(job.number), why, outcome)  # fmt: skip
            self._tally(outcome)
        return kept

    async def _probe_only(self, claimed: list[DialJob], now: datetime) -> list[DialJob]:
        """Of the jobs claimed while the trunk is down, the one to probe it with (`TrunkWatch.pick_probe`); the
        others go back untouched (those still dialled here stay: their claim only renewed the lease)."""
        held = [job for job in claimed if job.id in self._active]
        probe = self._trunk.pick_probe([job for job in claimed if job.id not in self._active and job.due <= now])
        for job in claimed:
            if job is not probe and job.id not in self._active:
                await self._store.release(job_id=job.id, node_id=self._settings.node_id)
        return [*held, probe] if probe is not None else held

    async def run(self) -> None:
        """Dial until cancelled. A failing pass is tried again at the next poll; a run of them is logged as the
        version poller logs its failed polls (`FailureLog`): a traceback every 5 s on every node drowned the log
        of a database outage (operations review: 520 of 608 lines in 20 s)."""
        while True:
            self._wake.clear()
            claims = self._claims
            try:
                await self.run_once()
            except DATABASE_OUTAGES as error:  # the database is away: an outage is expected, its traceback is noise
                self._passes.failed(error, traceback=False)
            except Exception as error:  # a bug: its traceback, and the loop outlives it (the next poll tries again)
                self._passes.failed(error, traceback=True)
            else:
                if self._claims != claims:  # a pass that asked the store nothing (AMI down) says nothing of it
                    self._passes.succeeded()
            # asyncio.timeout, not wait_for: on Python 3.11 a cancel (`RunningDialer.stop`) that meets the poll's
            # timeout in the same loop turn was swallowed by wait_for, and this loop, and the node's stop, ran on.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._settings.poll_interval):
                    await self._wake.wait()

    async def drain(self, timeout: float | None = None) -> None:
        """Wait for the calls in progress (e.g. on shutdown, after cancelling `run`)."""
        if self._active:
            await asyncio.wait(list(self._active.values()), timeout=timeout)

    async def until_callbacks_in(self, timeout: float) -> None:
        """Return once no call this node dialled may still come to its FastAGI listener, or after `timeout` seconds
        (the shutdown deadline): no Originate rings, and each callee who answered was named by a FastAGI call here
        (`arrived`), hung up, or answered `ARRIVAL_WAIT` seconds ago (their call went to another node, or the
        dialplan runs no AGI). Calls still ringing at the deadline are being hung up then (`let_go`): they are waited
        for up to `2 * HANG_UP_WAIT` more. What a stopping node keeps its listener open for
        (`agi_server.cli.stop_server`): closed at once, it refused the callee who answered during the drain, who then
        heard nothing (review)."""
        loop = asyncio.get_running_loop()
        until = loop.time() + timeout
        if self._ringing or self._arriving:
            log.info(
                "FastAGI keeps listening for the callbacks this node dials (%d ringing, %d answered) for up to %g s",
                len(self._ringing),
                len(self._arriving),
                timeout,
            )
        while (wait := self._callbacks_due(loop.time(), until)) is not None:
            self._calls_changed.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await self._calls_changed.wait()

    def _callbacks_due(self, now: float, until: float) -> float | None:
        """How long `until_callbacks_in` may wait for the next change; None when it need not wait any more."""
        if self._ringing:
            left = until + 2 * HANG_UP_WAIT - now
            return left if left > 0 else None
        expected = [answered + ARRIVAL_WAIT for answered in self._arriving.values() if answered + ARRIVAL_WAIT > now]
        if not expected or until <= now:
            return None
        return min(until, *expected) - now

    def arrived(self, job_id: str) -> None:
        """A FastAGI call naming `job_id` came to this node (`until_callbacks_in` need not wait for it any more)."""
        if job_id in self._ringing:
            self._came_early.add(job_id)
        if self._arriving.pop(job_id, None) is not None:
            self._calls_changed.set()

    def awaits(self, job_id: str) -> bool:
        """May a FastAGI call naming `job_id` be the callee of a call this dialer placed (it rings, was answered and
        not yet named, or the callee is on the line)? What a stopping node holding its listener open takes
        (`agi_server.server.AgiServer.hold_for`); any other call goes to another node."""
        return job_id in self._ringing or job_id in self._arriving or job_id in self._talking

    async def let_go(self, timeout: float = 5.0) -> None:
        """Stop following the calls still in progress (shutdown, after `drain`; a second signal). An answered
        call's attempt is recorded already. A call still ringing is hung up first (`_dial`): its attempt is logged
        uncounted (`SHUTDOWN_HANGUP`) unless the callee answered after all, and the job is due again at once, so a
        restart neither connects a callee to a node that is gone nor costs the client an attempt. One that could not
        be hung up (AMI away) is recorded as before: failed, its outcome unknown. After `timeout` seconds whatever is
        still at work is cancelled (one try to record, of at most `timeout` more: a database that is down then
        leaves the job to its lease)."""
        self._letting_go.set()
        for job_id, task in list(self._active.items()):
            if job_id not in self._ringing:
                task.cancel()
        left = list(self._active.values())
        if left:
            await asyncio.wait(left, timeout=timeout)
        stuck = [task for task in left if not task.done()]
        for task in stuck:
            task.cancel()
        if stuck:
            await asyncio.wait(stuck, timeout=timeout)

    def _line_freed(self, job_id: str, task: asyncio.Task[AttemptReport | None]) -> None:
        self._active.pop(job_id, None)
        self._trunk.freed(job_id)
        self._wake.set()
        if not task.cancelled() and task.exception() is not None:
            # Most likely the store failed to record: the attempt counts `lost` before the next claim that reaches
            # the store (`_count_unrecorded`). Say so loudly: the outcome this node saw is gone.
            log.error("callback job %s: attempt not recorded", job_id, exc_info=task.exception())

    async def _attempt(self, job: DialJob) -> AttemptReport | None:
        attempt = job.attempts + 1
        channel_id = originate_channel_id(job)
        problem = self._unsendable(job)
        if problem is not None:
            return await self._record(job, attempt, channel_id, DialOutcome.FAILED, problem, final=True)
        variables = {"IVR_SCENARIO": job.scenario, "JOB_ID": job.id}
        request = OriginateRequest(
            channel=self._settings.channel_template.format(number=job.number),
            context=self._settings.context,
            channel_id=channel_id,
            exten=self._settings.exten,
            priority=self._settings.priority,
            timeout_ms=int(self._settings.ring_timeout.total_seconds() * 1000),
            caller_id=self._settings.caller_id,
            variables=variables,
        )
        try:
            rung = await self._dial(job, request)
        except asyncio.CancelledError:
            # Cancelled while it rang (`let_go` gave up on a hang-up that never ended): Asterisk may still connect
            # the callee. Count the attempt, so the job is not left locked until its lease ends and then dialled
            # again uncounted.
            detail = "outcome unknown: the node shut down"
            await self._record(job, attempt, channel_id, DialOutcome.FAILED, detail, patient=False)
            raise
        except AmiConnectionError as exc:
            log.warning("job %s not dialled, AMI unavailable: %s", job.id, exc)
            await self._store.release(job_id=job.id, node_id=self._settings.node_id)
            return None
        except AmiEncodingError as exc:
            if _unencodable(job.number, variables):
                # The job's own number or variables: it can never be dialled.
                detail = f"unsendable: {exc}"
                return await self._record(job, attempt, channel_id, DialOutcome.FAILED, detail, final=True)
            # This node's setting (a CallerID with the CR of a CRLF env file, a context, the channel template): every
            # job would fail alike, so none does. Recorded final, as before, it failed each job the node claimed
            # after one attempt, nothing dialled, while the dialer said it was running (review).
            await self._refused(
                job,
                f"this node's dial settings cannot be sent to AMI: {exc}",
                check="IVRGRAPH_DIAL_CALLER_ID, IVRGRAPH_DIAL_CONTEXT and IVRGRAPH_DIAL_CHANNEL",
            )
            return None
        except Exception as exc:
            # The Originate may have reached Asterisk and be ringing: count it as a failed attempt, so the job is
            # retried on its schedule and stops at max_attempts, instead of waiting locked for its lease and
            # being dialled again uncounted.
            log.exception("job %s: the Originate ended in an unexpected error", job.id)
            detail = f"outcome unknown: {type(exc).__name__}: {exc}"
            return await self._record(job, attempt, channel_id, DialOutcome.FAILED, detail)
        result = rung.result
        if rung.hung_up and (result is None or result.outcome is not DialOutcome.ANSWERED):
            return await self._record_hung_up(job, attempt, channel_id, result)
        if result is None:
            # Let go while it rang, and it could not be hung up: Asterisk may still connect the callee. Counted, as
            # an attempt cut off at shutdown always was, so the job is not dialled again uncounted.
            detail = "outcome unknown: the node shut down while it rang, and could not hang it up"
            return await self._record(job, attempt, channel_id, DialOutcome.FAILED, detail)
        if result.outcome is DialOutcome.REFUSED:
            await self._refused(job, result.detail)
            return None
        failure = trunk_failure(result, within=self._settings.instant_failure)
        if failure is not None:
            return await self._record_trunk_failure(job, attempt, channel_id, result, failure)
        if result.outcome is not DialOutcome.ANSWERED:
            return await self._record(job, attempt, channel_id, result.outcome, result.detail)
        if job.id not in self._came_early:
            self._arriving[job.id] = asyncio.get_running_loop().time()
        answer: AttemptReport | None = None
        try:
            # Told (logged, counted) once the callee hung up: the job may yet end failed (`_settle_answer`).
            answer = await self._record(job, attempt, channel_id, result.outcome, result.detail, tell=False)
            return answer
        finally:
            await self._answered(job, attempt, channel_id, answer)

    async def _dial(self, job: DialJob, request: OriginateRequest) -> _Rung:
        """The Originate, its outcome told to the trunk watch the moment it is known. When the node lets its calls
        go while it still rings (`let_go`), its channel is hung up (`_hang_up`) and its outcome waited for
        `HANG_UP_WAIT` more: an outcome that comes of this node's own hangup says nothing of the trunk."""
        self._trunk.dialling(job.id, witness=not spared_before(job))
        self._ringing.add(job.id)
        rung: _Rung | None = None
        ringing = asyncio.ensure_future(self._ami.originate(request))
        letting_go = asyncio.ensure_future(self._letting_go.wait())
        try:
            await asyncio.wait({ringing, letting_go}, return_when=asyncio.FIRST_COMPLETED)
            if ringing.done():
                rung = _Rung(ringing.result())
                return rung
            hung_up = await self._hang_up(job, request.channel_id)
            await asyncio.wait({ringing}, timeout=HANG_UP_WAIT)
            rung = _Rung(ringing.result() if ringing.done() else None, hung_up)
            return rung
        finally:
            letting_go.cancel()
            if not ringing.done():
                ringing.cancel()
            self._ringing.discard(job.id)
            if rung is None or rung.result is None or rung.result.outcome is not DialOutcome.ANSWERED:
                self._came_early.discard(job.id)
            self._calls_changed.set()
            told = None if rung is None or rung.hung_up else rung.result
            self._trunk.rung(job.id, told, self._clock.now())

    async def _hang_up(self, job: DialJob, channel_id: str) -> bool:
        """Hang up the channel of a call still ringing at shutdown; whether Asterisk did (False: the call had just
        ended by itself, or AMI could not be asked, which is logged: the callee may yet answer into silence)."""
        try:
            hung_up = await self._ami.hang_up(channel_id, timeout=HANG_UP_WAIT)
        except AmiError as error:
            log.warning(
                "callback job %s: its call rings on, and could not be hung up as the node stops (%s): the callee may "
                "answer and hear nothing",
                job.id,
                error,
            )
            return False
        if hung_up:
            log.info("callback job %s: its call still rang as the node stops: hung up (channel %s)", job.id, channel_id)
        return hung_up

    async def _record_hung_up(
        self, job: DialJob, attempt: int, channel_id: str, result: OriginateResult | None
    ) -> AttemptReport:
        """An attempt this node hung up at shutdown before the callee answered: logged with outcome
        `SHUTDOWN_HANGUP`, not counted (the client did nothing wrong: the node went away), the job due again at
        once: after the restart, or on another node sharing the database."""
        seen = result.detail if result is not None else f"no OriginateResponse within {HANG_UP_WAIT:g} s"
        detail = f"hung up unanswered as the node stopped ({seen})"
        return await self._record(
            job, attempt, channel_id, SHUTDOWN_HANGUP, detail, counted=False, retry_after=timedelta(0)
        )

    async def _record_trunk_failure(
        self, job: DialJob, attempt: int, channel_id: str, result: OriginateResult, failure: TrunkFailure
    ) -> AttemptReport:
        """A congested attempt, or one that failed at once (`trunk_failure`): not counted when the trunk turns out
        to be down (`TrunkWatch`), the job then due again when the pause ends; else an ordinary failed attempt. A
        job an outage spared once is not spared again: counted at once, whatever the trunk does (`TrunkWatch`: a
        dead number must use up its attempts)."""
        detail = result.detail
        if failure == "at_once" and result.seconds is not None:
            detail = f"{detail} {result.seconds * 1000:.1f} ms after it was queued"
        if spared_before(job):
            met = "congested" if failure == "congestion" else "failed at once"
            again = f"{detail}; {met} again after an outage left one of its attempts uncounted"
            return await self._record(job, attempt, channel_id, DialOutcome.FAILED, again)
        try:
            trunk_down = await self._trunk.verdict(limit=self._verdict_limit(job))
        except asyncio.CancelledError:
            # Shutdown before the verdict: counted, as every congestion was before (max_attempts still bounds it).
            await self._record(job, attempt, channel_id, DialOutcome.FAILED, detail, patient=False)
            raise
        if not trunk_down:
            return await self._record(job, attempt, channel_id, DialOutcome.FAILED, detail)
        return await self._record(
            job,
            attempt,
            channel_id,
            DialOutcome.FAILED,
            f"{detail}, the trunk is down"
            if failure == "congestion"
            else f"{detail}, the trunk or the dial channel is down",
            counted=False,
            retry_after=self._trunk.until_resume(self._clock.now()),
        )

    def _verdict_limit(self, job: DialJob) -> float:
        """How long a congested attempt may wait for the trunk's verdict: what the job's lease leaves after the
        whole schedule of tries to record it (`_within_lease`; by default 56.5 s of a 5-minute lease, more than a
        call ringing beside it needs to end)."""
        settings = self._settings
        recording = (
            sum(settings.record_retry_delays) + (len(settings.record_retry_delays) + 1) * settings.record_try_limit
        )
        return self._seconds_left(job) - recording

    async def _hold_line(self, job: DialJob, channel_id: str) -> bool:
        """Wait for the answered callee to hang up; False when no hangup was seen within `max_call`."""
        self._talking.add(job.id)
        try:
            limit = self._settings.max_call.total_seconds()
            if not await self._ami.wait_ended(channel_id, limit=limit):
                log.warning("callback job %s: no hangup seen within %.0f s; its line is freed", job.id, limit)
                return False
            return True
        finally:
            self._talking.discard(job.id)

    async def _answered(self, job: DialJob, attempt: int, channel_id: str, answer: AttemptReport | None) -> None:
        """After an answer: hold the line until the callee hangs up, then tell what the job came to: done, or an
        unreached attempt when no scenario reached the callee (`_settle_answer`). Told right after recording, the
        line said "answered ... -> done" for a job the database then held failed (operations review). With no hangup
        seen, the check failing, or the node shutting down, the answer stands as recorded.
        """
        told = answer
        try:
            current = asyncio.current_task()
            if not (current is not None and current.cancelling()):
                # The callee is on a line until they hang up, recorded or not: max_lines counts this node's calls
                # on the trunk, not only the Originates still ringing.
                if await self._hold_line(job, channel_id):
                    told = await self._settle_answer(job, attempt, channel_id, answer)
        finally:
            self._came_early.discard(job.id)
            if self._arriving.pop(job.id, None) is not None:
                self._calls_changed.set()
            if told is not None:
                self._tell(told)

    async def _settle_answer(
        self, job: DialJob, attempt: int, channel_id: str, answer: AttemptReport | None
    ) -> AttemptReport | None:
        """An answer counts once the scenario ran. A callee no FastAGI call named heard no scenario: the dialplan's
        AGI found no server, or the node that took the call could not load the job (its database out of reach: it
        tells the dialplan IVRGRAPH_STATUS=JOB_UNAVAILABLE and runs nothing). Nothing this node can read when the
        callee hangs up tells the two apart (`callbacks.settle_answer`), and closing such a job for good lost
        every callback a node cut off from the database took (SRE review: 12 of 30), so the attempt is `unreached`,
        a failed attempt retried on the job's own rules (after the failed interval, up to its max_attempts).
        Returns the attempt as it ends: `answer`, or the unreached attempt."""
        at = self._clock.now()
        retry_after = self._settings.retry_after.get(DialOutcome.FAILED, timedelta(0))
        try:
            status = await retried(
                lambda: self._store.settle_answer(job_id=job.id, call_id=channel_id, at=at, retry_after=retry_after),
                self._settings.record_retry_delays,
                f"callback job {job.id}: settling answered attempt {attempt}",
            )
        except Exception:  # the store stayed down: the answer stands, as it did before this check existed
            log.exception("callback job %s: could not check that its scenario reached the callee", job.id)
            return answer
        if status is None:
            return answer
        answered = f"answered: {answer.detail}; " if answer is not None else ""
        detail = f"{answered}no FastAGI call named the job before the hangup"
        unreached = AttemptReport(job.id, attempt, DialOutcome.UNREACHED, detail, at, channel_id, status)
        self.reports.append(unreached)
        return unreached

    def refusing(self) -> bool:
        """Whether dialling pauses after Asterisk refused an Originate (see `_refused`)."""
        return self.refused_until is not None and self._clock.now() < self.refused_until

    async def _refused(
        self,
        job: DialJob,
        detail: str,
        *,
        check: str = "IVRGRAPH_DIAL_CONTEXT, IVRGRAPH_DIAL_CHANNEL and the AMI user's originate permission",
    ) -> None:
        """Asterisk refused the Originate itself, or it could not be sent for a setting of this node: nothing rang,
        and the fault is this node's setting (the context, the AMI user's permissions, the channel, the CallerID),
        so the job goes back uncounted and dialling pauses. Counting it failed, as before, ended every job of a
        campaign failed within three passes (review of 2026-12-05)."""
        pause = self._settings.refused_pause
        self.refused_until = self._clock.now() + pause
        self._tally(str(DialOutcome.REFUSED))
        log.error(
            "callback dialling paused for %g s: %s (check %s); job %s was not dialled and keeps its attempts",
            pause.total_seconds(),
            detail,
            check,
            job.id,
        )
        await self._store.release(job_id=job.id, node_id=self._settings.node_id)

    async def _within_lease(
        self, job: DialJob, write: Callable[[], Awaitable[str]], delays: tuple[float, ...], what: str
    ) -> str:
        """`write()`, tried again after each of `delays` while it fails, but only while the try can end before the
        job's lease does (`record_try_limit` each): after it another node may claim the job and dial the callee
        again. A try is waited for until the lease ends (the first at least `record_try_limit`) and not repeated
        after: its write may still land, which the store takes as a late attempt that leaves the job alone."""
        limit = self._settings.record_try_limit
        pauses = iter(delays)
        while True:
            task = asyncio.ensure_future(write())
            try:
                done, _ = await asyncio.wait({task}, timeout=max(self._seconds_left(job), limit))
            finally:
                if not task.done():
                    task.cancel()
            if not done:
                raise TimeoutError(f"{what}: no answer from the store before the job's lease ended")
            error = task.exception()
            if error is None:
                return task.result()
            pause = next(pauses, None)
            if pause is None or self._seconds_left(job) < pause + limit:
                raise error
            log.warning("%s failed (%s); again in %g s", what, type(error).__name__, pause)
            await asyncio.sleep(pause)

    def _seconds_left(self, job: DialJob) -> float:
        return (job.lease_end - self._clock.now()).total_seconds()

    @staticmethod
    def _unsendable(job: DialJob) -> str | None:
        if not NUMBER.fullmatch(job.number):
            return "invalid number (allowed: digits, *, #, +; at most 32)"
        if not TOKEN.fullmatch(job.scenario):
            return "invalid scenario slug"
        if not TOKEN.fullmatch(job.id):
            return "invalid job id"
        return None

    async def _record(
        self,
        job: DialJob,
        attempt: int,
        channel_id: str,
        outcome: AttemptOutcome,
        detail: str,
        *,
        final: bool = False,
        patient: bool = True,
        counted: bool = True,
        retry_after: timedelta | None = None,
        tell: bool = True,
    ) -> AttemptReport:
        """Record the attempt, trying again while the database fails (`patient`; shutting down: once). Unless told
        `retry_after`, a job that is tried again is due after the interval of its outcome. `tell` False: the caller
        logs and counts it later (`_tell`)."""
        at = self._clock.now()
        if retry_after is None:
            intervals = self._settings.retry_after
            retry_after = intervals.get(outcome, timedelta(0)) if isinstance(outcome, DialOutcome) else timedelta(0)
        node_id = self._settings.node_id
        # The callee who answered is on the line until the hangup (`_settle_answer`), `max_call` at most
        # (`_hold_line`): no other job rings that number meanwhile.
        on_line_until = at + self._settings.max_call if outcome is DialOutcome.ANSWERED else None
        # The database fails: an unrecorded attempt is a second call later.
        try:
            status = await self._within_lease(
                job,
                lambda: self._store.record_attempt(
                    job_id=job.id,
                    outcome=outcome,
                    at=at,
                    retry_after=retry_after,
                    call_id=channel_id,
                    final=final,
                    node_id=node_id,
                    counted=counted,
                    on_line_until=on_line_until,
                ),
                self._settings.record_retry_delays if patient else (),
                f"callback job {job.id}: recording attempt {attempt}",
            )
        except BaseException:
            # Counted before the job can be claimed again (`_count_unrecorded`), due after this outcome's interval.
            self._unrecorded[job.id] = callbacks.Unrecorded(channel_id, at + retry_after)
            raise
        if status == "dialing":
            log.error("callback job %s: attempt %d recorded after this node's lease ran out", job.id, attempt)
        report = AttemptReport(job.id, attempt, outcome, detail, at, channel_id, status, counted)
        self.reports.append(report)
        if tell:
            self._tell(report)
        return report

    def _tell(self, report: AttemptReport) -> None:
        """Log what an attempt came to, the job's status after it last (what the database holds: "-> done" only
        for a job done), and count it for the metrics."""
        log.info(
            "callback job %s attempt %d%s: %s (%s) -> %s",
            report.job_id,
            report.attempt,
            "" if report.counted else " (not counted)",
            report.outcome,
            report.detail,
            report.status,
        )
        if report.outcome is DialOutcome.UNREACHED:
            # Both causes, as nothing here tells them apart (`_settle_answer`): the operator's first look goes to
            # the dialplan when every answer is unreached, to the nodes' logs when some are.
            log.warning(
                "callback job %s: answered, but no FastAGI call named it before the hangup, so the callee heard no"
                " scenario. Either the dialplan reached no FastAGI server: check that dialplan context %r runs AGI()"
                " on a URL that reaches a FastAGI server of ivrgraph that is up (agi://<node>/${IVR_SCENARIO}"
                "?job=${JOB_ID}, or hagi://<nodes' SRV name>/... for several); or the node that took the call could"
                ' not load the job (its database out of reach): its log says "callback job %r could not be loaded",'
                " and its call record names the job once it reaches the database. The attempt counts as failed: %s",
                report.job_id,
                self._settings.context,
                report.job_id,
                _UNREACHED_NEXT.get(report.status, f"the job is {report.status}"),
            )
        if not report.counted and report.outcome != SHUTDOWN_HANGUP:
            self._tally("trunk_down")
        else:
            self._tally(str(report.outcome))

    def _tally(self, outcome: str) -> None:
        self._tallies[outcome] = self._tallies.get(outcome, 0) + 1

    def tally_early_hangup(self) -> None:
        """An answered attempt whose callee hung up before the scenario set a result, found once its FastAGI call
        ended, after the answer was counted (agi_server.node): `hung_up_early` as well, as a counter never goes
        back, so `answered` keeps it."""
        self._tally("hung_up_early")


# What an unreached attempt's job does next, by its status after it (`Dialer._tell`).
_UNREACHED_NEXT: Final = {
    "pending": "the job is dialled again after the failed interval (IVRGRAPH_DIAL_RETRY_FAILED)",
    "failed": "the job has used up its attempts and failed, outcome unreached",
    "expired": "the job's window closed before its retry: it expired",
    "cancelled": "the job's call list was stopped meanwhile: it is cancelled",
}


class ClaimsTakeNothingLog(Generic[_Cause]):
    """What the dialer logs while its claims take nothing for a cause it cannot end itself (a newer schema, a hold):
    one WARNING naming the cause (`reason`), a reminder every `remind_every` seconds while it lasts, and one INFO line
    when a claim is taken again (`said_on_resuming`), as `FailureLog` says a run of failed passes. Time is the
    dialer's clock, as the claim's `now`. The causes' own words are their subclasses'."""

    # Whether a cause changed while it lasts is warned of again at once (a newer revision still), or only kept.
    warn_on_change: ClassVar[bool] = False

    def __init__(self, logger: logging.Logger, *, remind_every: float) -> None:
        self._log = logger
        self._remind_every = timedelta(seconds=remind_every)
        self.cause: _Cause | None = None  # while claims take nothing for it
        self._since: datetime | None = None
        self._reminded_at: datetime | None = None
        self._passes = 0  # claims that took nothing for it, in a row

    def claimed(self, cause: _Cause | None, now: datetime) -> None:
        """A claim answered: nothing taken for `cause`, or taken (None)."""
        if cause is None:
            if self.cause is not None and self._since is not None:
                self.said_on_resuming((now - self._since).total_seconds(), self._passes)
            self.cause, self._since, self._reminded_at, self._passes = None, None, None, 0
            return
        self._passes += 1
        if self.cause is None or self._reminded_at is None or (self.warn_on_change and cause != self.cause):
            if self.cause is None:
                self._since = now
            self.cause, self._reminded_at = cause, now
            self._log.warning("callback dialer claims no job: %s", self.reason(cause))
            return
        self.cause = cause
        if now - self._reminded_at >= self._remind_every and self._since is not None:
            self._reminded_at = now
            self.remind((now - self._since).total_seconds(), self._passes, cause)

    def reason(self, cause: _Cause) -> str:
        """Why claims take nothing, in words."""
        raise NotImplementedError

    def said_on_resuming(self, seconds: float, passes: int) -> None:
        """The INFO line once a claim is taken again, after `seconds` and `passes` claims that took nothing."""
        raise NotImplementedError

    def remind(self, seconds: float, passes: int, cause: _Cause) -> None:
        self._log.warning(
            "callback dialer still claims no job after %.0f s (%d passes): %s", seconds, passes, self.reason(cause)
        )


class NewerSchemaLog(ClaimsTakeNothingLog[str]):
    """While the store refuses claims because a newer ivrgraph migrated the database (the cause: its revision), said
    again at once if the revision changes. Before, one WARNING per revision per process said it, and nothing when
    dialling resumed (two-node review)."""

    warn_on_change = True

    @property
    def revision(self) -> str | None:
        return self.cause

    def reason(self, cause: str) -> str:
        """Why claims take nothing, in words (the log's, and the metrics port's `/readyz`)."""
        return (
            f"the database is at schema revision {cause}, newer than this ivrgraph knows (up to "
            f"{head_revision()}); upgrade ivrgraph on this node"
        )

    def said_on_resuming(self, seconds: float, passes: int) -> None:
        self._log.info(
            "callback dialer claims jobs again: the database is at a schema revision this ivrgraph knows "
            "(up to %s); no job was claimed for %.0f s (%d passes)",
            head_revision(),
            seconds,
            passes,
        )


class HeldLog(ClaimsTakeNothingLog[Hold]):
    """While dialling is held for the whole database (persistence.dialling_hold; the cause: the hold). A restored
    database dialled nobody, and only this says why on the nodes."""

    @property
    def hold(self) -> Hold | None:
        return self.cause

    def reason(self, cause: Hold) -> str:
        return held_reason(cause)

    def said_on_resuming(self, seconds: float, passes: int) -> None:
        self._log.info(
            "callback dialling resumed: the dialer claims jobs again (it claimed none for %.0f s, dialling being held)",
            seconds,
        )

    def remind(self, seconds: float, passes: int, cause: Hold) -> None:
        self._log.warning("callback dialer still claims no job after %.0f s: %s", seconds, held_reason(cause))


def held_reason(held: Hold) -> str:
    """Why claims take nothing, in words (the log's)."""
    why = (
        "the database is a copy `ivrgraph db backup` made (restored?)"
        if held.reason == "backup"
        else "an admin held it"
    )
    return (
        f"dialling is held for the whole database since {held.held_at:%Y-%m-%d %H:%M:%S} UTC by {held.held_by}: "
        f"{why}; cancel the jobs Asterisk dialled since the backup, then resume it (`ivrgraph dialling resume`, or "
        'POST /api/dialer/resume; docs/operations.md, "Backups")'
    )


DialerState = Literal["off", "running", "paused"]
# Why a dialer is off or paused: no AMI settings on this node; its AMI client gave up (a login refused) or its loop
# ended, until a restart; AMI cannot be reached; Asterisk refuses its Originates (`Dialer._refused`); the trunk looks
# down (`TrunkWatch`); dialling is held for the whole database until an admin resumes it (persistence.dialling_hold).
DialerReason = Literal[
    "not_configured", "stopped", "ami_unreachable", "originate_refused", "trunk_down", "dialling_held"
]


@dataclass(frozen=True, slots=True)
class DialerStatus:
    """Whether this node dials callbacks now, and if not why and until when (for a supervisor: `GET /api/dialer`).
    The pause is this node's, in memory: every node with AMI settings runs its own dialer and watch."""

    state: DialerState
    reason: DialerReason | None = None
    paused_until: datetime | None = None  # None: no end known (AMI away; a probe call rings)
    congested_calls: int = 0  # trunk_down: the calls in a row that met congestion
    node: str | None = None  # the dialer's node id (IVRGRAPH_DIAL_NODE_ID)
    held: Hold | None = None  # dialling_held: since when, by whom, why


NOT_CONFIGURED: Final = DialerStatus("off", "not_configured")


def warn_without_dialer(command: str) -> None:
    """At the start of a node that runs no dialer: nothing else would ever say that callbacks and call lists it
    accepts are never dialled (review: lists checked and scheduled in green, nobody called, no log line)."""
    log.warning(
        "%s runs no callback dialer (IVRGRAPH_AMI_HOST is unset): callbacks and call lists will not be dialled "
        "unless another node sharing this database has AMI settings; set IVRGRAPH_AMI_HOST, IVRGRAPH_AMI_PORT "
        "(5038), IVRGRAPH_AMI_USERNAME and IVRGRAPH_AMI_SECRET to dial them through Asterisk",
        command,
    )


class RunningDialer:
    """A started AMI client and dialer loop. `stop()` on shutdown claims no more jobs, gives the calls being
    dialled up to a deadline to report, and hangs up those still ringing then (`Dialer.let_go`)."""

    def __init__(self, client: AmiClient, dialer: Dialer) -> None:
        self.client = client
        self.dialer = dialer
        self._task = asyncio.create_task(dialer.run(), name="callback-dialer")

    # What the metrics read (agi_server.metrics.DialerState).
    @property
    def ami_connected(self) -> bool:
        return self.client.connected

    @property
    def gave_up(self) -> bool:
        return self.client.failure is not None or self._task.done()

    @property
    def refused(self) -> bool:
        return self.dialer.refusing()

    @property
    def trunk_down(self) -> bool:
        return self.dialer.trunk_down

    @property
    def active_lines(self) -> int:
        return self.dialer.active_lines

    @property
    def attempts(self) -> dict[str, int]:
        return self.dialer.attempts

    @property
    def pass_failures(self) -> int:
        return self.dialer.pass_failures

    @property
    def schema_newer(self) -> str | None:
        return self.dialer.schema_newer

    @property
    def dialling_held(self) -> bool:
        return self.dialer.dialling_held is not None

    def status(self) -> DialerStatus:
        """What this node's dialer does now, for a supervisor (`DialerStatus`)."""
        node = self.dialer.node_id
        if self.gave_up:
            return DialerStatus("off", "stopped", node=node)
        if not self.ami_connected:
            return DialerStatus("paused", "ami_unreachable", node=node)
        return self.dialer.status()

    async def stop(self, deadline: float = 10.0) -> None:
        """No job is claimed from now on; the calls being dialled get `deadline` seconds, then those still ringing
        are hung up and the rest let go (`Dialer.let_go`)."""
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        await self.dialer.drain(timeout=deadline)
        await self.dialer.let_go()
        await self.client.close()


async def start_dialer(*, store: JobStore, ami: AmiSettings, settings: DialerSettings, clock: Clock) -> RunningDialer:
    """Log in to AMI and start dialling. Raises nothing: the node serves calls whatever AMI does. An AMI that
    cannot be reached yet (ivrgraph booted before Asterisk) is tried again with the reconnect back-off, and no
    job is claimed until it answers; a login it refuses stops the dialer (`gave_up`) until a restart."""
    warn_about_channel(settings)
    client = AmiClient(ami, node_id=settings.node_id)
    dialer = Dialer(store=store, ami=client, clock=clock, settings=settings)
    client.on_state(lambda state: dialer.wake() if state is ConnectionState.CONNECTED else None)
    await client.start(keep_trying=True)
    if client.failure is not None:
        log.error("the callback dialer is stopped: no callback is dialled until a restart")
    elif not client.connected:
        log.warning("the callback dialer waits for AMI at %s:%d: no callback is dialled meanwhile", ami.host, ami.port)
    return RunningDialer(client, dialer)
