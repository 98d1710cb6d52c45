"""How the callback dialer dials: `DialerSettings`, read from the environment (IVRGRAPH_DIAL_*) and checked at start.

Every value that becomes a header of the Originate is checked as it is read (`_originate_setting`,
`_channel_template`), so a node that could not send one refuses to start instead of failing each job it claims;
`warn_about_channel` warns at the dialer's start of a channel technology Asterisk 21 and later lack.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Final

from agi_server.ami import setting_int
from agi_server.ami_errors import AmiEncodingError
from agi_server.ami_protocol import DialOutcome, encode_action
from agi_server.errors import SettingError
from agi_server.options import node_id
from persistence.failure_log import FAILURE_REMINDER_SECONDS

log = logging.getLogger(__name__)


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
# IVRGRAPH_DIAL_RING_TIMEOUT's bounds (seconds). A job's claim lasts its lease (IVRGRAPH_DIAL_LEASE_SECONDS, 5
# minutes by default), and the attempt must be recorded within it, retries while the database fails included
# (`Dialer._within_lease`): a ring of at most 2 minutes leaves them most of it. Under 5 s hardly anybody gets to
# the phone.
RING_TIMEOUT_SECONDS: Final = (5, 120)
# IVRGRAPH_DIAL_LEASE_SECONDS's bounds. How long another node waits before taking over the jobs of a node that went
# away mid-dial (a node that restarts takes its own back at once). It must outlast a ring and one try to record it
# (`lease_leaves_a_record`); under the default the record's retries while the database fails are cut short.
LEASE_SECONDS: Final = (60, 3600)
# What AMI waits for an Originate's outcome after its Timeout (agi_server.ami's action timeout, by default).
ORIGINATE_GRACE_SECONDS: Final = 10.0


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
    # IVRGRAPH_DIAL_LEASE_SECONDS: how long a claim holds a job (persistence.callbacks.claim_due_jobs)
    lease: timedelta = timedelta(minutes=5)
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
    def no_answer_retry(cls, environ: Mapping[str, str] | None = None) -> timedelta:
        """IVRGRAPH_DIAL_RETRY_NO_ANSWER alone, as `from_environ` reads it: for a node that serves the callees'
        calls without dialling (a campaign's client who hung up early is due again after it)."""
        env = os.environ if environ is None else environ
        default = int(cls().retry_after[DialOutcome.NO_ANSWER].total_seconds())
        name = RETRY_SETTINGS[DialOutcome.NO_ANSWER]
        seconds = setting_int(env, name, default, minimum=1, maximum=MAX_RETRY_SECONDS, unit="seconds")
        return timedelta(seconds=seconds)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None, *, node_id: str | None = None) -> DialerSettings:
        """IVRGRAPH_DIAL_CONTEXT, _CHANNEL (template with {number}), _CALLER_ID, _MAX_LINES, _NODE_ID,
        _TRUNK_DOWN_AFTER, _RING_TIMEOUT, _LEASE_SECONDS and _RETRY_BUSY, _RETRY_NO_ANSWER, _RETRY_FAILED (seconds).

        `node_id` is the node's own name (`--node-id`, host:port by default), used when IVRGRAPH_DIAL_NODE_ID
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
        lease = timedelta(
            seconds=setting_int(
                env,
                "IVRGRAPH_DIAL_LEASE_SECONDS",
                int(defaults.lease.total_seconds()),
                minimum=LEASE_SECONDS[0],
                maximum=LEASE_SECONDS[1],
                unit="seconds",
            )
        )
        lease_leaves_a_record(lease, timedelta(seconds=ring), defaults.record_try_limit)
        caller_id = env.get("IVRGRAPH_DIAL_CALLER_ID") or None
        return cls(
            lease=lease,
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


def lease_leaves_a_record(lease: timedelta, ring_timeout: timedelta, record_try_limit: float) -> None:
    """IVRGRAPH_DIAL_LEASE_SECONDS against IVRGRAPH_DIAL_RING_TIMEOUT: a lease that ends before a call that rang its
    whole timeout could be recorded once lets another node take the job over and ring the callee while the first
    call is still being recorded. Raises SettingError then."""
    needed = ring_timeout.total_seconds() + ORIGINATE_GRACE_SECONDS + record_try_limit
    if lease.total_seconds() <= needed:
        raise SettingError(
            f"IVRGRAPH_DIAL_LEASE_SECONDS={lease.total_seconds():g}: must be more than {needed:g} s, the ring "
            f"(IVRGRAPH_DIAL_RING_TIMEOUT={ring_timeout.total_seconds():g}), AMI's wait for its outcome "
            f"({ORIGINATE_GRACE_SECONDS:g} s) and one try to record it ({record_try_limit:g} s)"
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
