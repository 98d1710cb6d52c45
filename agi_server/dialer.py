"""The callback dialer: takes due callback jobs, dials them through AMI and records every attempt.

One pass (`run_once`) claims at most as many due jobs as this node has free outbound lines and starts one
Originate per job (`max_lines` bounds each node's calls: nodes sharing a database and a trunk add up); `run`
repeats passes until cancelled, waking early when a line frees up. Each attempt ends in a `DialOutcome`: answered
closes the job, busy / no_answer / failed come back after the interval configured for that outcome until the job
runs out of attempts or its window. An answer counts once the callee hung up, if a FastAGI call named the job
meanwhile: one none did is `unreached` (the dialplan never reached a FastAGI server, or the node that took the call
could not load the job), a failed attempt retried as the others are (`persistence.callbacks.settle_answer`). A job is
never dialled before `due` or after `window_end` (the window comes with the job: the Callback block already moved
it out of the night), and a dial that could still be ringing when the window closes is not started. Nor is a job
whose scenario has no published version any more: the claim ends it failed (outcome `scenario_unavailable`) without
ringing the callee into FastAGI's unknown-scenario message. A claimed job whose number `POST /api/callbacks` would
refuse (an emergency number such as 112, or one no phone has: `persistence.callbacks.undialable`) is never dialled
at all: it ends failed with the refusal's code as its outcome (`emergency_number`, `impossible_number`), no attempt
counted, and a warning names the job.

While the trunk (or the provider behind it) is down, Asterisk answers every Originate with congestion; while the
dial channel cannot be set up at all (IVRGRAPH_DIAL_CHANNEL names a technology or endpoint this Asterisk lacks),
with a failure within a millisecond. A run of either on different jobs pauses dialling instead of using up the
clients' attempts (`TrunkWatch`).

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

The FastAGI side reads the job id from the AGI request (`agi_network_script` "debt?job=<id>") and loads the
job's variables from the store itself: only the job id and the scenario slug travel through AMI, both checked
against a strict character set, so no caller-controlled text ever becomes an AMI header.

On shutdown (`RunningDialer.stop`) no job is claimed any more, and the calls being dialled get the node's deadline:
a callee who answers meanwhile reaches the FastAGI listener, which stays open while this node's Originates ring
(`Dialer.until_callbacks_in`), and a call still ringing at the deadline is hung up (AMI Hangup) before its attempt is
recorded, so nobody answers into a node that is gone. Such an attempt is logged, not counted (outcome
`SHUTDOWN_HANGUP`: the callee never answered), and the job is due again at once: after the restart, or on another node.

The call register names a dialled call after its client (`contact_name`: the list's name column, `nombre`, `ФИО`),
and the number it rang, as an originated call's CallerID is this dialer's own: the node looks both up as it writes
the calls' records (`job_contacts`, agi_server.node), so the Calls page's name and number searches find the client's
calls, also those whose job could not be loaded when the callee answered (the dialplan's `s` was their number).

Time comes from an injected `Clock`; the loop never reads the wall clock, so tests move time by hand.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import logging
import os
import re
import threading
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal, Protocol, TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session

from agi_server.ami import (
    AmiClient,
    AmiSettings,
    ConnectionState,
    OriginateRequest,
    OriginateResult,
    setting_int,
)
from agi_server.ami_errors import AmiConnectionError, AmiEncodingError, AmiError
from agi_server.ami_protocol import DialOutcome, encode_action, variable_headers
from agi_server.errors import SettingError
from agi_server.logs import phone_number
from agi_server.options import node_id
from agi_server.server import JOB_INPUT, InputResolver, ResolvedInputs
from graph_engine.caller_name import shown_caller_name
from graph_engine.services import Clock
from persistence import callbacks
from persistence.call_list_values import CONTACT
from persistence.db import Database
from persistence.failure_log import FAILURE_REMINDER_SECONDS, FailureLog
from persistence.migrate import head_revision
from persistence.models import CallbackAttempt, CallbackJob, CallCampaign

log = logging.getLogger(__name__)

# README section 5: numbers are digits and * # + only; ids and slugs a strict charset (they become channel
# variables and part of the FastAGI URL, where '?', '&', '/' or spaces would change its meaning).
NUMBER = re.compile(r"[0-9*#+]{1,32}")
TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
RECENT_REPORTS: Final = 1000  # attempts a dialer keeps in memory (Dialer.reports)
# Due jobs claimed to choose a probe from while the trunk is down (`TrunkWatch.pick_probe`), the rest given back:
# enough to look past the jobs an outage spared (a streak's `trunk_down_after`, and one probe per pause).
PROBE_CHOICES: Final = 16
# A pass failing with one of these met a database that is away (down, restarting, unreachable, its connections all
# taken): an expected outage, logged without its traceback. Anything else is a bug, logged with it.
DATABASE_OUTAGES: Final = (DBAPIError, DisconnectionError, PoolTimeoutError, ConnectionError)
# The outcome of an attempt this node hung up at shutdown before the callee answered (`Dialer.let_go`): logged, not
# counted against the job's attempts, the job due again at once. A word of the existing vocabulary (the designer
# and the call-list reports say "Cancelled": api.report_labels.DIAL_OUTCOMES).
SHUTDOWN_HANGUP: Final = "cancelled"
# What an attempt can come to: what AMI said (`DialOutcome`), or the dialer's own `SHUTDOWN_HANGUP`.
AttemptOutcome = DialOutcome | Literal["cancelled"]
# How long a call still ringing when the node lets it go waits for Asterisk to take its Hangup, and then for the
# Originate's outcome (the OriginateResponse follows a channel's end within milliseconds, README section 4):
# twice this at most before its attempt is recorded.
HANG_UP_WAIT: Final = 1.0
# How long after an answer a stopping node's FastAGI listener waits for that callee's call (`until_callbacks_in`):
# Asterisk connects at the answer (README section 4: 1 ms apart); a dialplan without AGI() never does.
ARRIVAL_WAIT: Final = 3.0


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
    def schema_newer(self) -> str | None:
        """The database's schema revision when the last claim took nothing because a newer ivrgraph migrated the
        database (`persistence.callbacks.Claimed.schema_newer`), else None."""
        ...

    async def claim_due(self, *, now: datetime, limit: int, node_id: str) -> list[DialJob]:
        """Lock up to `limit` jobs due at `now` for this node (status dialing); expire jobs whose window closed.
        A job whose scenario has no published version (never published, or deleted) is not handed out: it ends
        failed with outcome `scenario_unavailable`, as the callee would only hear FastAGI's unknown-scenario
        message (`persistence.callbacks`; the in-memory store knows no scenarios)."""
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
    ) -> str:
        """Log the attempt, unlock the job and move it on; returns the new status.

        answered -> done; attempts used up -> failed; next try past the window -> expired; else pending again
        at `at + retry_after`. `final` ends the job as failed whatever is left (the number can never be dialled).
        With `node_id`, only a job that node still holds moves on: a late attempt (its lease ran out, another node
        claimed the job) is logged and counted, and the job is left as it is. `counted` False logs the attempt
        without adding it to the job's attempts (the trunk was down: the callee was never rung; or the node hung the
        call up at shutdown before the callee answered).
        """
        ...

    async def settle_answer(self, *, job_id: str, call_id: str, at: datetime, retry_after: timedelta) -> str | None:
        """The callee of the answered attempt `call_id` hung up at `at`. None when the answer stands (a FastAGI call
        named the job meanwhile). Otherwise its scenario never ran: the attempt's outcome becomes unreached and the
        job moves on as after a failed attempt, due again after `retry_after` until its attempts run out (then
        failed, outcome unreached) or its window does; returns the job's status then
        (`persistence.callbacks.settle_answer`)."""
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


def _default_retry() -> dict[DialOutcome, timedelta]:
    return {
        DialOutcome.BUSY: timedelta(minutes=5),
        DialOutcome.NO_ANSWER: timedelta(minutes=15),
        DialOutcome.FAILED: timedelta(minutes=10),
    }


# The environment variables of the retry intervals (seconds), README's dialer settings.
RETRY_SETTINGS: Final = {
    DialOutcome.BUSY: "IVRGRAPH_DIAL_RETRY_BUSY",
    DialOutcome.NO_ANSWER: "IVRGRAPH_DIAL_RETRY_NO_ANSWER",
    DialOutcome.FAILED: "IVRGRAPH_DIAL_RETRY_FAILED",
}
MAX_RETRY_SECONDS: Final = 7 * 24 * 3600  # a week: a longer interval is a slip of the unit (milliseconds)
# IVRGRAPH_DIAL_RING_TIMEOUT's bounds (seconds). A job's claim lasts 5 minutes (`DatabaseJobStore`'s lease), and
# the attempt must be recorded within it, retries while the database fails included (`Dialer._within_lease`):
# a ring of at most 2 minutes leaves them most of it. Under 5 s hardly anybody gets to the phone.
RING_TIMEOUT_SECONDS: Final = (5, 120)


@dataclass(frozen=True, slots=True)
class DialerSettings:
    """How to dial. From the environment with `from_environ` (IVRGRAPH_DIAL_*)."""

    context: str = "ivrgraph-outbound"
    channel_template: str = "PJSIP/{number}@trunk"  # {number} is the validated callee number
    exten: str = "s"
    priority: int = 1
    caller_id: str | None = None
    ring_timeout: timedelta = timedelta(seconds=30)  # IVRGRAPH_DIAL_RING_TIMEOUT; the Originate's Timeout
    # An answered callback holds its line until it hangs up, but no longer than this (a Hangup never seen).
    max_call: timedelta = timedelta(hours=2)
    max_lines: int = 10  # this node's callback calls at once; every node running a dialer has its own
    poll_interval: float = 5.0
    node_id: str = "ivrgraph"
    retry_after: Mapping[DialOutcome, timedelta] = field(default_factory=_default_retry)
    # Seconds between tries to record an attempt while the database fails. A job whose attempt could not be
    # recorded is claimed again when its lease ends, and dialled twice; so no try starts that could not end before
    # the lease does (`Dialer._record`), and by default the whole schedule fits the 5-minute lease after a ring
    # (30 s + AMI's 10 s): 40 + 10 tries x 15 s + 93.5 s of pauses = 283.5 s.
    record_retry_delays: tuple[float, ...] = (0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 20.0, 20.0, 20.0)
    # The longest one try to record is reckoned to take: a PostgreSQL connect gives up after 10 s (persistence/db.py).
    record_try_limit: float = 15.0
    # After Asterisk refuses an Originate (DialOutcome.REFUSED: a setting of this node), no job is dialled for this
    # long: every job would be refused alike until an operator fixes the setting.
    refused_pause: timedelta = timedelta(minutes=1)
    # Congestion on this many different jobs in a row, no call getting through between them, means the trunk or
    # the provider is down (`TrunkWatch`): those attempts are not counted and dialling pauses for `trunk_pause`,
    # doubling up to `trunk_pause_max` while the one call that probes the trunk after each pause congests too.
    # 0: every congestion counts as a failed attempt.
    trunk_down_after: int = 3
    trunk_pause: timedelta = timedelta(minutes=1)
    trunk_pause_max: timedelta = timedelta(minutes=10)
    # A failure with Reason 0 read within this of the Originate's "successfully queued" is the channel's, not the
    # callee's: it counts as congestion does above (`failed_at_once`). Asterisk fails a channel it cannot set up at
    # all within a millisecond (an unknown technology: c-errors.txt test 4, 0.26 ms; chan_sip's SIP/ is one since
    # Asterisk 21), while a callee who rings and hangs up takes as long as it rang (c7x.txt: 1.003 s).
    instant_failure: timedelta = timedelta(milliseconds=100)
    # While passes fail, the log says so again this often (seconds): see `FailureLog`.
    remind_every: float = FAILURE_REMINDER_SECONDS

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None, *, node_id: str | None = None) -> DialerSettings:
        """IVRGRAPH_DIAL_CONTEXT, _CHANNEL (template with {number}), _CALLER_ID, _MAX_LINES, _NODE_ID,
        _TRUNK_DOWN_AFTER, _RING_TIMEOUT and _RETRY_BUSY, _RETRY_NO_ANSWER, _RETRY_FAILED (seconds).

        `node_id` is the node's own name (`--node-id`, the host name by default), used when IVRGRAPH_DIAL_NODE_ID
        is unset: nodes sharing a database tell their claims on a job apart by it, so one fixed default for all of
        them would let a node that lost its lease take over another's claim.

        Every value that becomes a header of the Originate is checked here, so a node that could not send one
        refuses to start: a CallerID ending in the CR of a CRLF env file failed every job the node claimed, each
        after one attempt, while the dialer said it was running (review)."""
        env = os.environ if environ is None else environ
        defaults = cls() if node_id is None else cls(node_id=node_id)
        retry_after = {
            outcome: timedelta(
                seconds=setting_int(
                    env,
                    name,
                    int(defaults.retry_after[outcome].total_seconds()),
                    minimum=1,
                    maximum=MAX_RETRY_SECONDS,
                    unit="seconds",
                )
            )
            for outcome, name in RETRY_SETTINGS.items()
        }
        low, high = RING_TIMEOUT_SECONDS
        ring = setting_int(
            env,
            "IVRGRAPH_DIAL_RING_TIMEOUT",
            int(defaults.ring_timeout.total_seconds()),
            minimum=low,
            maximum=high,
            unit="seconds",
        )
        caller_id = env.get("IVRGRAPH_DIAL_CALLER_ID") or None
        return cls(
            context=_originate_setting(
                "IVRGRAPH_DIAL_CONTEXT", "Context", env.get("IVRGRAPH_DIAL_CONTEXT") or defaults.context
            ),
            channel_template=_channel_template(env.get("IVRGRAPH_DIAL_CHANNEL", defaults.channel_template)),
            exten=_originate_setting("the dialer's extension", "Exten", defaults.exten),
            caller_id=None
            if caller_id is None
            else _originate_setting("IVRGRAPH_DIAL_CALLER_ID", "CallerID", caller_id),
            ring_timeout=timedelta(seconds=ring),
            max_lines=setting_int(env, "IVRGRAPH_DIAL_MAX_LINES", defaults.max_lines, minimum=1),
            node_id=_dial_node_id(env.get("IVRGRAPH_DIAL_NODE_ID", "").strip() or defaults.node_id),
            retry_after=retry_after,
            trunk_down_after=setting_int(env, "IVRGRAPH_DIAL_TRUNK_DOWN_AFTER", defaults.trunk_down_after, minimum=0),
        )


# A dial string (technology/resource, as Originate's Channel takes it) with the callee's number in it.
_CHANNEL_TEMPLATE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*/[A-Za-z0-9_@.:+#*/-]*\{number\}[A-Za-z0-9_@.:+#*/-]*")


def _channel_template(text: str) -> str:
    """IVRGRAPH_DIAL_CHANNEL, checked at start: without `{number}` every callback would ring the same line, and
    any other `{field}` failed each attempt only when it was made (review of 2026-12-05)."""
    if not _CHANNEL_TEMPLATE.fullmatch(text):
        raise SettingError(
            f"IVRGRAPH_DIAL_CHANNEL={text!r}: expected a dial string with {{number}} in it, "
            "such as PJSIP/{number}@trunk"
        )
    # With the longest number a job may hold (`NUMBER`), the Channel header must still fit AMI's line.
    _originate_setting(
        "IVRGRAPH_DIAL_CHANNEL (with a number of 32 digits)", "Channel", text.replace("{number}", "+" * 32)
    )
    return text


def _originate_setting(name: str, header: str, value: str) -> str:
    """A setting that becomes the Originate's `header`, checked as `encode_action` checks it when each call is
    made (README section 5: no CR, LF or NUL; each line under 1024 bytes), and as the AMI secret is at start."""
    if not value:
        raise SettingError(f"{name} is empty: the Originate's {header} must name something")
    if any(character in value for character in "\r\n\x00"):
        raise SettingError(
            f"{name}={value!r}: a line break or NUL cannot be sent to AMI (a value read from a file with Windows "
            "line ends often ends in one)"
        )
    try:
        encode_action("Originate", [(header, value)])
    except AmiEncodingError as error:
        raise SettingError(f"{name}: {error}") from error
    return value


def warn_about_channel(settings: DialerSettings) -> None:
    """At the dialer's start: a channel template whose technology Asterisk 21 and later lack. Only a warning: the
    Asterisk may be older, and AMI does not tell its version. On one that lacks it every call fails at once
    (OriginateResponse Reason 0, c-errors.txt test 4), which `TrunkWatch` takes for a trunk that is down."""
    technology = settings.channel_template.partition("/")[0]
    if technology.upper() == "SIP":
        log.warning(
            "IVRGRAPH_DIAL_CHANNEL=%r dials through chan_sip (SIP/), which Asterisk removed in version 21: there "
            "every callback fails at once; use chan_pjsip's PJSIP/{number}@<endpoint> instead",
            settings.channel_template,
        )


def _dial_node_id(text: str) -> str:
    """IVRGRAPH_DIAL_NODE_ID, checked as --node-id is: a name over the 100 characters of a job's `locked_by` made
    every claim fail (every poll logged, no callback dialled), and a blank one was every such node's name alike
    (review of 2026-12-05): blank now means unset, as for the other settings."""
    try:
        return node_id(text)
    except argparse.ArgumentTypeError as error:
        raise SettingError(f"IVRGRAPH_DIAL_NODE_ID: {error}") from error


def _unencodable(number: str, variables: Mapping[str, str]) -> bool:
    """Whether a job's own part of the Originate (its number, its channel variables) cannot be sent to AMI: an
    AmiEncodingError of anything else comes of the node's settings."""
    try:
        encode_action("Originate", [("Channel", number), *variable_headers(variables)])
    except AmiEncodingError:
        return True
    return False


# A call the trunk carried, whatever the callee did with it: the trunk works.
_GOT_THROUGH: Final = frozenset({DialOutcome.ANSWERED, DialOutcome.BUSY, DialOutcome.NO_ANSWER})


def congested(result: OriginateResult) -> bool:
    """Asterisk's congestion: OriginateResponse Failure with Reason 8 (c4x.txt, README section 4), what every
    Originate gets within milliseconds while the trunk or the provider is down. Not an outcome reconstructed after
    a dropped AMI session (`lost`), which says nothing of the trunk."""
    return result.outcome is DialOutcome.FAILED and not result.lost and (result.reason or "").strip() == "8"


def failed_at_once(result: OriginateResult, *, within: timedelta) -> bool:
    """OriginateResponse Failure with Reason 0 read `within` the Originate's "successfully queued" (both as the
    AMI session read them, `OriginateResult.seconds`): Asterisk could not set the channel up at all. Queued, then
    failed within a millisecond, is what every call gets while the dial channel cannot work: an unknown
    technology (c-errors.txt test 4, "Bogus/2000": Reason 0 0.26 ms after "queued", #7 -> #9; chan_sip's
    SIP/ since Asterisk 21) or a misspelt endpoint. Counting each as the callee's failure used up every job's
    attempts in seconds (review: five jobs, `attempt 1: failed (Failure (Reason 0))` within 4 ms, all counted).

    Reason 0 is also a callee's own failure (README section 4): one who rings and hangs up takes as long as it
    rang (c7x.txt, 1.003 s) and is left out by the time; a number that does not exist or rejects the call fails
    as fast (c9x.txt 1 ms, c8x.txt 2 ms) and looks like a dead channel once, as a dead number's congestion looks
    like a dead trunk: `TrunkWatch` gives each job that benefit of the doubt once."""
    return (
        result.outcome is DialOutcome.FAILED
        and not result.lost
        and (result.reason or "").strip() == "0"
        and result.seconds is not None
        and result.seconds <= within.total_seconds()
    )


# What an attempt's failure says of the trunk (`trunk_failure`): congestion (Reason 8), or a channel that failed
# at once (Reason 0 within `DialerSettings.instant_failure`).
TrunkFailure = Literal["congestion", "at_once"]


def trunk_failure(result: OriginateResult, *, within: timedelta) -> TrunkFailure | None:
    """Whether a failed attempt may be the trunk's or the dial channel's (`congested`, `failed_at_once`), and how."""
    if congested(result):
        return "congestion"
    if failed_at_once(result, within=within):
        return "at_once"
    return None


def spared_before(job: DialJob) -> bool:
    """Whether an outage already left one of the job's attempts uncounted: it has more attempts logged than
    counted, and besides `TrunkWatch` only a shutdown does (`SHUTDOWN_HANGUP`), whose attempts are left out here.
    Read from the store at each claim, so it holds for every node sharing the database and across restarts."""
    return job.tries - job.shutdown_hangups > job.attempts


class TrunkWatch:
    """Tells a trunk that is down from callees whose own lines congest, and paces dialling while it is down.

    What is said below of congestion (Reason 8) holds as well for a failure at once (`failed_at_once`: Reason 0
    within `instant_failure` of "successfully queued"), what every call meets while the dial channel cannot be set up at
    all: an IVRGRAPH_DIAL_CHANNEL whose technology or endpoint this Asterisk lacks fails each call within a
    millisecond (review: every job's attempts used up in seconds, the log at INFO only). A run mixing the two
    counts as one; the pause's WARNING names the channel setting when any of it failed at once.

    Counting every congestion as a failed attempt let a trunk outage use up a campaign's attempts: each client's
    three went within minutes and the list ended failed for everyone, though nobody was rung (review). Congestion
    on `trunk_down_after` different jobs in a row, with no call getting through between them (answered, busy or
    unanswered: the trunk carried it), means the trunk is down: those attempts are logged but not counted, the
    jobs are due again after the pause, and nothing is dialled until it ends. Then one job at a time probes the
    trunk; a probe that congests too is not counted either and doubles the pause (up to `trunk_pause_max`), and
    the first call that gets through ends the outage. A lone congestion among calls that get through is the
    callee's, counted as before; one job congesting again and again is its own line, never an outage.

    Whether a congestion is the trunk's shows only in what comes next: a congested attempt waits for the verdict
    while other calls of this node still ring (in a burst every line congests within milliseconds), and with
    nothing else ringing it counts as before. So an outage is caught without a counted attempt when `max_lines` is
    at least `trunk_down_after`; with fewer lines the first congestions of an outage count.

    Dead numbers look like an outage once: a few of them dialled together congest in a row exactly as a trunk
    that is down makes every number congest, and nothing on the wire tells them apart. Sparing their attempts
    then cost nothing; what held a whole campaign (review: "paused 120 s ... 240 s ... 480 s", 76 clients due
    meanwhile never dialled, the dead jobs never ending) was that they stayed witnesses: uncounted and due at the
    pause's end, they were the next probe or burst, congested again, and made the trunk look down for ever. So:

    - The benefit of the doubt is given once per job (`spared_before`: the store logged an attempt it did not
      count). A spared job that congests again, in this outage or a later one, is no witness: the attempt counts
      like any callee's congestion (retried after the failed interval) and adds nothing to a run. A dead number
      thus uses up its attempts and ends failed, one attempt later than it would have without the outage, and
      re-dialling a streak's jobs together (the burst after an outage) can no longer make the trunk look down.
      A real outage is still caught: it makes every number congest, and a campaign's jobs are nearly all ones no
      outage has spared (a streak spares `trunk_down_after` jobs, each pause one probe).
    - The probe after a pause is a job no outage has spared, when one is due (`pick_probe`): a probe from the
      streak could only congest again if its number is dead, and say nothing of the trunk. With none due, a spared
      job probes; its congestion then counts, so jobs left alone at the end of a list (dead numbers, or a trunk
      that stays down for hours) end after their attempts instead of being probed in turn for ever: three dead
      numbers and a dead trunk look alike, and only counting bounds both.
    - A spared job's congestion still doubles the pause when it is the probe: while it is down, the trunk is
      assumed to stay down until a call gets through.

    The cost: a trunk that fails again later (not the same outage) counts one attempt for each job that an
    earlier outage spared and that is dialled into the new one; the new outage is still caught by the others.
    The state is this node's, in memory; `spared_before` is the store's, shared by every node.
    """

    def __init__(self, settings: DialerSettings) -> None:
        self._threshold = settings.trunk_down_after
        self._within = settings.instant_failure
        self._channel = settings.channel_template
        self._first_pause = settings.trunk_pause
        self._max_pause = max(settings.trunk_pause_max, settings.trunk_pause)
        self._pause = self._first_pause
        self.down_since: datetime | None = None
        self.paused_until: datetime | None = None  # nothing is dialled before then
        self.congested_calls = 0  # the congestions in a row since the trunk looked down, its streak's first
        self.probe: str | None = None  # the job dialled to see whether the trunk is back
        # The jobs that met congestion, or failed at once, since a call last got through; and how.
        self._streak: dict[str, TrunkFailure] = {}
        self._ringing: set[str] = set()  # jobs whose Originate waits for its outcome
        self._no_witness: set[str] = set()  # ringing jobs an outage spared before (`spared_before`)
        self._undecided: set[asyncio.Future[bool]] = set()  # congested attempts waiting for the verdict

    @property
    def down(self) -> bool:
        return self.down_since is not None

    def lines(self, free: int, now: datetime) -> int:
        """How many of the `free` lines may dial now: all while the trunk works; while it is down, none during the
        pause or while the probe rings, else one (the probe)."""
        if self.down_since is None:
            return free
        if self.probe is not None or (self.paused_until is not None and now < self.paused_until):
            return 0
        return min(free, 1)

    @staticmethod
    def pick_probe(candidates: list[DialJob]) -> DialJob | None:
        """The job to probe the trunk with, of `candidates` in the order they are due: the first no outage has
        spared (a streak's job congests again if its number is dead, whatever the trunk does), else the first."""
        return next((job for job in candidates if not spared_before(job)), candidates[0] if candidates else None)

    def started(self, job_id: str) -> None:
        """A job's attempt starts; while the trunk is down it is the probe."""
        if self.down:
            self.probe = job_id

    def freed(self, job_id: str) -> None:
        if self.probe == job_id:
            self.probe = None

    def dialling(self, job_id: str, *, witness: bool = True) -> None:
        """A job's Originate goes out; `witness` False for a job an outage spared before (`spared_before`): its
        congestion says nothing of the trunk."""
        self._ringing.add(job_id)
        if not witness:
            self._no_witness.add(job_id)

    def rung(self, job_id: str, result: OriginateResult | None, now: datetime) -> None:
        """What came of a job's Originate (None: nothing, it failed or never went out). Called as soon as it is
        known, before the attempt is recorded: the congested attempts waiting for a verdict depend on it."""
        self._ringing.discard(job_id)
        witness = job_id not in self._no_witness
        self._no_witness.discard(job_id)
        failure = None if result is None else trunk_failure(result, within=self._within)
        if result is not None and result.outcome in _GOT_THROUGH:
            self._got_through(now)
        elif failure is not None:
            self._congested(job_id, now, failure, witness=witness)
        if not self.down and not self._ringing:
            self._decide(trunk_down=False)  # nothing left ringing could tell: the congestions were the callees'

    async def verdict(self, *, limit: float) -> bool:
        """Whether the trunk is down, for an attempt that just met congestion (`rung` has seen it): True now
        when it is, else waited for while other calls ring, at most `limit` seconds (then False)."""
        if self.down:
            return True
        if self._threshold <= 0 or not self._ringing or limit <= 0:
            return False
        undecided = asyncio.get_running_loop().create_future()
        self._undecided.add(undecided)
        try:
            await asyncio.wait({undecided}, timeout=limit)
        finally:
            self._undecided.discard(undecided)
        return undecided.done() and undecided.result()

    def until_resume(self, now: datetime) -> timedelta:
        """When an attempt the outage left uncounted is due again: at the end of the pause."""
        if self.paused_until is None:
            return timedelta(0)
        return max(self.paused_until - now, timedelta(0))

    def _congested(self, job_id: str, now: datetime, failure: TrunkFailure, *, witness: bool) -> None:
        if self.down:
            self.congested_calls += 1
            if job_id == self.probe:
                self._pause = min(self._pause * 2, self._max_pause)
                self.paused_until = now + self._pause
                log.warning(
                    "the trunk is still down (the probe call %s too): callback dialling stays paused for %g s; the "
                    "attempt is %s%s",
                    "met congestion" if failure == "congestion" else "failed at once",
                    self._pause.total_seconds(),
                    "not counted" if witness else "counted (an earlier outage spared one of this job's attempts)",
                    self._check_channel({failure}),
                )
            return
        if self._threshold <= 0 or not witness:
            return
        self._streak[job_id] = failure
        if len(self._streak) >= self._threshold:
            self._went_down(now)

    def _went_down(self, now: datetime) -> None:
        self.down_since, self._pause = now, self._first_pause
        self.paused_until = now + self._pause
        self.congested_calls = len(self._streak)
        seen = set(self._streak.values())
        if seen == {"congestion"}:
            what = "met congestion (OriginateResponse Reason 8)"
        elif seen == {"at_once"}:
            what = (
                f"failed at once (OriginateResponse Reason 0 within {self._within.total_seconds() * 1000:g} ms of "
                "'successfully queued': Asterisk could not set the channel up)"
            )
        else:
            what = "met congestion (Reason 8) or failed at once (Reason 0)"
        log.warning(
            "callback dialling paused for %g s: calls to %d different numbers in a row %s, so the trunk, the "
            "provider or the dial channel looks down%s; their attempts are not counted, and after the pause one "
            "call probes the trunk",
            self._pause.total_seconds(),
            len(self._streak),
            what,
            self._check_channel(seen),
        )
        self._streak.clear()
        self._decide(trunk_down=True)

    def _check_channel(self, seen: set[TrunkFailure]) -> str:
        """The hint for failures at once: they come of a channel Asterisk cannot set up, most often the setting's."""
        if "at_once" not in seen:
            return ""
        return (
            f"; check IVRGRAPH_DIAL_CHANNEL={self._channel!r}: its technology and endpoint must exist in this "
            "Asterisk (chan_sip's SIP/ is gone since Asterisk 21: PJSIP/)"
        )

    def _got_through(self, now: datetime) -> None:
        self._streak.clear()
        self._decide(trunk_down=False)
        if self.down_since is None:
            return
        log.warning(
            "the trunk is back: a call got through %.0f s after it went down; callback dialling resumes",
            (now - self.down_since).total_seconds(),
        )
        self.down_since, self.paused_until, self.probe, self._pause = None, None, None, self._first_pause
        self.congested_calls = 0

    def _decide(self, *, trunk_down: bool) -> None:
        for undecided in self._undecided:
            if not undecided.done():
                undecided.set_result(trunk_down)


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

    @property
    def attempts(self) -> dict[str, int]:
        """Attempts since the start by what they came to: a `DialOutcome`, `trunk_down` (congestion while the
        trunk looked down: not counted), `cancelled` (hung up unanswered at shutdown: not counted), the jobs ended
        undialled for their number (`emergency_number`, `impossible_number`: `_end_undialable`) and the store's
        ended `scenario_unavailable` (never dialled).
        Answers count once the callee hung up: `answered` when the scenario reached them, else `unreached` (a
        failed attempt, retried)."""
        return {**self._tallies, "scenario_unavailable": self._store.scenario_unavailable}

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
        """Paused while Asterisk refuses Originates or the trunk looks down, else running (AMI aside: see
        `RunningDialer.status`). `paused_until` is None once the pause is over but a probe call still rings."""
        now, node = self._clock.now(), self.node_id
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
        """Claim due jobs for the free lines and start dialling them; returns the ids of the jobs started."""
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
            now=now, limit=PROBE_CHOICES if probing else free, node_id=self._settings.node_id
        )
        self._claims += 1
        self._newer_schema.claimed(self._store.schema_newer, now)
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
            # Most likely the store failed to record: the job stays locked until its lease ends, then it is
            # claimed again. Say so loudly: the callee may get a second call.
            log.error("callback job %s: attempt not recorded", job_id, exc_info=task.exception())

    async def _attempt(self, job: DialJob) -> AttemptReport | None:
        attempt = job.attempts + 1
        # Numbered by the attempts logged, counted or not, so no two Originates of a job share a ChannelId.
        channel_id = f"cb-{job.id}-{max(job.tries, job.attempts) + 1}"
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
            status = await _retried(
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
        # The database fails: an unrecorded attempt is a second call later.
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
            ),
            self._settings.record_retry_delays if patient else (),
            f"callback job {job.id}: recording attempt {attempt}",
        )
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


# What an unreached attempt's job does next, by its status after it (`Dialer._tell`).
_UNREACHED_NEXT: Final = {
    "pending": "the job is dialled again after the failed interval (IVRGRAPH_DIAL_RETRY_FAILED)",
    "failed": "the job has used up its attempts and failed, outcome unreached",
    "expired": "the job's window closed before its retry: it expired",
    "cancelled": "the job's call list was stopped meanwhile: it is cancelled",
}


class NewerSchemaLog:
    """What the dialer logs while the store refuses its claims because a newer ivrgraph migrated the database: one
    WARNING naming the revision (again at once if it changes), a reminder every `remind_every` seconds while it lasts,
    and one INFO line when a claim is taken again, as `FailureLog` says a run of failed passes. Before, one WARNING
    per revision per process said it, and nothing when dialling resumed (two-node review). Time is the dialer's
    clock, as the claim's `now`."""

    def __init__(self, logger: logging.Logger, *, remind_every: float) -> None:
        self._log = logger
        self._remind_every = timedelta(seconds=remind_every)
        self.revision: str | None = None  # while claims are refused: the database's revision
        self._since: datetime | None = None
        self._reminded_at: datetime | None = None
        self._refused = 0  # claims refused in a row

    def claimed(self, newer: str | None, now: datetime) -> None:
        """A claim answered: refused at revision `newer`, or taken (None)."""
        if newer is None:
            if self.revision is not None and self._since is not None:
                self._log.info(
                    "callback dialer claims jobs again: the database is at a schema revision this ivrgraph knows "
                    "(up to %s); no job was claimed for %.0f s (%d passes)",
                    head_revision(),
                    (now - self._since).total_seconds(),
                    self._refused,
                )
            self.revision, self._since, self._reminded_at, self._refused = None, None, None, 0
            return
        self._refused += 1
        if newer != self.revision or self._reminded_at is None:
            if self.revision is None:
                self._since = now
            self.revision, self._reminded_at = newer, now
            self._log.warning("callback dialer claims no job: %s", self.reason())
            return
        if now - self._reminded_at >= self._remind_every and self._since is not None:
            self._reminded_at = now
            self._log.warning(
                "callback dialer still claims no job after %.0f s (%d passes): %s",
                (now - self._since).total_seconds(),
                self._refused,
                self.reason(),
            )

    def reason(self) -> str:
        """Why claims take nothing, in words (the log's, and the metrics port's `/readyz`)."""
        return (
            f"the database is at schema revision {self.revision}, newer than this ivrgraph knows (up to "
            f"{head_revision()}); upgrade ivrgraph on this node"
        )


DialerState = Literal["off", "running", "paused"]
# Why a dialer is off or paused: no AMI settings on this node; its AMI client gave up (a login refused) or its loop
# ended, until a restart; AMI cannot be reached; Asterisk refuses its Originates (`Dialer._refused`); the trunk looks
# down (`TrunkWatch`).
DialerReason = Literal["not_configured", "stopped", "ami_unreachable", "originate_refused", "trunk_down"]


@dataclass(frozen=True, slots=True)
class DialerStatus:
    """Whether this node dials callbacks now, and if not why and until when (for a supervisor: `GET /api/dialer`).
    The pause is this node's, in memory: every node with AMI settings runs its own dialer and watch."""

    state: DialerState
    reason: DialerReason | None = None
    paused_until: datetime | None = None  # None: no end known (AMI away; a probe call rings)
    congested_calls: int = 0  # trunk_down: the calls in a row that met congestion
    node: str | None = None  # the dialer's node id (IVRGRAPH_DIAL_NODE_ID)


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


# The columns of a list that name its client, as analysts head them in the designer's languages, compared casefolded
# without spaces, dots, dashes and underscores ("Full Name", "full_name", "ФИО"): the first a client's row fills.
NAME_COLUMNS: Final = ("name", "fullname", "nombre", "nombrecompleto", "имя", "фио", "clientname", "customername",
                       "contactname")  # fmt: skip
_NOT_IN_A_COLUMN_KEY: Final = re.compile(r"[\s._-]+")


def contact_name(variables: Mapping[str, Any], *, columns: Sequence[str] | None = None) -> str:
    """The name of the client a job calls, as the call register's caller name: their list's name column
    (NAME_COLUMNS) as a caller name is shown (graph_engine.caller_name: one line, its length bounded), else the
    `caller_name` a Callback block carried to the job; "" for none. `columns`: the list's own (its campaign's
    settings), so a `contact` field only the scenario's default fills ("cliente") names nobody."""
    contact = variables.get(CONTACT)
    if isinstance(contact, Mapping):
        keyed = {_column_key(str(column)): value for column, value in contact.items()
                 if columns is None or column in columns}  # fmt: skip
        for column in NAME_COLUMNS:
            value = keyed.get(column)
            if isinstance(value, str) and (name := shown_caller_name(value)):
                return name
    carried = variables.get("caller_name")
    return shown_caller_name(carried) if isinstance(carried, str) else ""


@dataclass(frozen=True, slots=True)
class JobContact:
    """Whom a callback job calls, as the call register names a call placed for it (agi_server.node)."""

    number: str  # the number the dialer rings
    name: str  # the client's name (`contact_name`); "" for none


def job_contacts(database: Database, job_ids: Sequence[str]) -> dict[str, JobContact]:
    """Whom each of `job_ids` calls: its number, and its client's name (the list's name column, by the list's own
    columns: `contact_name`); jobs gone left out. One query, in the caller's thread."""
    if not job_ids:
        return {}
    query = (
        select(CallbackJob.id, CallbackJob.number, CallbackJob.variables, CallCampaign.settings)
        .outerjoin(CallCampaign, CallCampaign.id == CallbackJob.campaign_id)
        .where(CallbackJob.id.in_(list(job_ids)))
    )
    contacts: dict[str, JobContact] = {}
    with database.session() as session:
        for job_id, number, variables, settings in session.execute(query):
            kept = (settings or {}).get("columns")
            columns = [str(column) for column in kept] if isinstance(kept, list) else None
            contacts[str(job_id)] = JobContact(number or "", contact_name(variables or {}, columns=columns))
    return contacts


def _column_key(column: str) -> str:
    return _NOT_IN_A_COLUMN_KEY.sub("", column.casefold())


async def _reach(jobs: CallbackArrivals, job_id: str, at: datetime, slug: str) -> CallbackContext | None:
    """`jobs.reach`, tried again for a moment while the database fails: the callee is on the line, and the call
    does not run without its job (the FastAGI server's `resolve_timeout` bounds the whole, and cancels it)."""
    return await _retried(
        lambda: jobs.reach(job_id, at=at, scenario=slug),
        _REACH_RETRY_DELAYS,
        f"callback job {job_id}: marking it reached",
    )


_REACH_RETRY_DELAYS: Final = (0.2, 0.5, 1.0)
_T = TypeVar("_T")


async def _retried(attempt: Callable[[], Awaitable[_T]], delays: tuple[float, ...], what: str) -> _T:
    """`attempt()`, tried again after each of `delays` while it raises; the last failure is raised."""
    for delay in delays:
        try:
            return await attempt()
        except Exception as error:
            log.warning("%s failed (%s); again in %g s", what, type(error).__name__, delay)
            await asyncio.sleep(delay)
    return await attempt()


# ---------------------------------------------------------------------------------------------------------------
# Stores


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
            max(self.attempts, len(self.attempt_log)),
            sum(outcome == SHUTDOWN_HANGUP for _, outcome, _ in self.attempt_log),
        )


class MemoryJobStore:
    """In-process `JobStore` with the same rules as `persistence.callbacks` (single node, tests, simulations)."""

    def __init__(self, *, lease: timedelta = timedelta(minutes=5)) -> None:
        self.jobs: dict[str, MemoryJob] = {}
        self._lease = lease
        self.scenario_unavailable = 0  # it knows no scenarios: every job is handed out
        self.schema_newer: str | None = None  # it has no schema: set by a test, every claim then takes nothing

    def add(self, job: MemoryJob) -> MemoryJob:
        self.jobs[job.id] = job
        return job

    async def claim_due(self, *, now: datetime, limit: int, node_id: str) -> list[DialJob]:
        if self.schema_newer is not None:
            return []
        # persistence.callbacks rule: every due job whose window closed moves to its next opening first, so moving
        # them never uses up the pass's `limit` (the opening may be now: after a lunch break).
        for job in self._due(now):
            if job.window_end is not None and job.window_end <= now:
                callbacks.window_closed(job, after=now)
        ready = [job for job in self._due(now) if job.window_end is None or job.window_end > now]
        claimed: list[DialJob] = []
        for job in sorted(ready, key=lambda j: j.due)[:limit]:
            job.status, job.locked_by, job.lock_until = "dialing", node_id, now + self._lease
            claimed.append(job.view())
        return claimed

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
    ) -> str:
        job = self.jobs[job_id]
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
        if callbacks.held_by(job, node_id):
            callbacks.window_passed(job, now=now or datetime.now(UTC))

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

    def __init__(self, database: Database, *, lease: timedelta = timedelta(minutes=5)) -> None:
        self._database = database
        self._lease = lease
        self.scenario_unavailable = 0  # jobs its claims ended undialled (`JobStore.scenario_unavailable`)
        self.schema_newer: str | None = None  # as of the last claim (`JobStore.schema_newer`)

    async def claim_due(self, *, now: datetime, limit: int, node_id: str) -> list[DialJob]:
        return await asyncio.to_thread(self._claim_due, now, limit, node_id)

    async def contacts(self, job_ids: Sequence[str]) -> dict[str, JobContact]:
        """Whom each of `job_ids` calls (`job_contacts`); jobs gone left out."""
        return await asyncio.to_thread(job_contacts, self._database, list(job_ids))

    def _claim_due(self, now: datetime, limit: int, node_id: str) -> list[DialJob]:
        ended: list[CallbackJob] = []
        with self._database.session() as session:
            jobs = callbacks.claim_due_jobs(
                session, now=now, limit=limit, node_id=node_id, lease=self._lease, unavailable=ended
            )
            self.schema_newer = jobs.schema_newer
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
    ) -> str:
        return await asyncio.to_thread(
            self._record_attempt, job_id, outcome, at, retry_after, call_id, final, node_id, counted
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
