"""Whether a failed callback attempt is the trunk's, and the callback dialer's pace while the trunk is down.

While the trunk (or the provider behind it) is down, Asterisk answers every Originate with congestion; while the
dial channel cannot be set up at all (IVRGRAPH_DIAL_CHANNEL names a technology or endpoint this Asterisk lacks),
with a failure within a millisecond. A run of either on different jobs pauses dialling instead of using up the
clients' attempts (`TrunkWatch`). `trunk_failure` (`congested`, `failed_at_once`) reads what an Originate's outcome
says of the trunk; `spared_before` reads from a job whether an outage already left one of its attempts uncounted.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Final, Literal

from agi_server.ami import OriginateResult
from agi_server.ami_protocol import DialOutcome
from agi_server.dial_jobs import DialJob
from agi_server.dialer_settings import DialerSettings

log = logging.getLogger(__name__)


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
    rang (c7x.txt, 1.003 s) and is left out by the time, and by its outcome (seen ringing, it is `no_answer`); a
    number that does not exist or rejects the call fails as fast (c9x.txt 1 ms, c8x.txt 2 ms) and looks like a
    dead channel once, as a dead number's congestion looks like a dead trunk: `TrunkWatch` gives each job that
    benefit of the doubt once."""
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
