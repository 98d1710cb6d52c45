"""A channel driven by a script of caller actions: the simulator behind the CLI, the API and scenario tests.

The caller's keys are a list of tokens, one per time the scenario listens:
    "1"      presses 1            "1234#"   types 1234 then the terminator
    "-"      presses nothing (the read times out)
    "!5"     presses 5 *while a prompt plays* (barges into an interruptible Message)
    "hangup" hangs up during the next prompt that plays or the next key entry, whichever comes first: a Say
             Phrase or Message takes it as well as a menu (`["hangup"]` hangs up during the greeting, not at the
             menu after it)
A listening block takes the next token; a prompt that allows barge-in takes it only when it is a "!" token.
Tokens run out -> the caller presses nothing from then on.

Or, closer to a real line, keys at given moments (`timed_keys=[(3.5, "1"), (9.0, "2")]`, seconds from the start
of the call on the simulated clock): a prompt lasts `prompt_seconds`, a read listens until its timeout, and a key
pressed while nothing listens is lost, exactly as Asterisk discards digits that arrive between AGI commands.
A timed hangup that falls while a Transfer rings ends the call there (Dial's CANCEL); once the transfer is
answered, it ends the bridge and the call with it. Other keys pressed then go to the other party, not to us.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graph_engine.channel import TRANSFER_OUTCOMES, DigitInput, Prompt, TransferOutcome, TransferResult
from graph_engine.errors import CallerHangup
from graph_engine.services import FixedClock

NO_INPUT = "-"
HANGUP = "hangup"
BARGE_IN = "!"
RING_SECONDS_BEFORE_ANSWER = 5.0  # how long a transfer the script has answered rings first
TALK_SECONDS = 30.0  # how long the caller talks with whoever answered a transfer, unless they hang up sooner


@dataclass(slots=True)
class ChannelEvent:
    op: str
    detail: dict[str, Any] = field(default_factory=dict)


def transfer_outcomes(outcomes: Iterable[str]) -> list[TransferOutcome]:
    """`outcomes` as the Transfer blocks' outcomes, in turn. ValueError naming the first that is none, before the
    call: read when a Transfer dials, a misspelt one ("bussy") failed that block with `ValueError: 'bussy' is not
    a valid TransferOutcome`, as if the scenario were broken."""
    read = []
    for place, outcome in enumerate(outcomes):
        if outcome not in TRANSFER_OUTCOMES:
            known = ", ".join(TRANSFER_OUTCOMES)
            raise ValueError(f"transfers[{place}]: {outcome!r} is no transfer outcome; they are {known}")
        read.append(TransferOutcome(outcome))
    return read


class ScriptedChannel:
    """Implements `graph_engine.channel.Channel` from a script; records every operation in `events`."""

    def __init__(
        self,
        keys: Iterable[str] = (),
        *,
        transfers: Iterable[str] = (),
        hangup_at: int | None = None,
        clock: FixedClock | None = None,
        variables: Mapping[str, str] | None = None,
        prompt_seconds: float = 2.0,
        timed_keys: Iterable[tuple[float, str]] | None = None,
    ) -> None:
        self.keys: deque[str] = deque(keys)
        self.timed_keys: deque[tuple[float, str]] | None = (
            deque(sorted((float(at), key) for at, key in timed_keys)) if timed_keys is not None else None
        )
        self.elapsed = 0.0  # seconds since the call started, on the simulated line
        self.transfers: deque[TransferOutcome] = deque(transfer_outcomes(transfers))
        self.hangup_at = hangup_at  # the caller hangs up when operation number `hangup_at` (0-based) starts
        self.clock = clock
        self.channel_variables: dict[str, str] = dict(variables or {})
        self.prompt_seconds = prompt_seconds
        self.events: list[ChannelEvent] = []
        self.answered = False
        self.hung_up = False
        self.operations = 0

    # -- the script ------------------------------------------------------------------------------
    def _begin(self, op: str, **detail: Any) -> None:
        if self.hung_up:
            raise CallerHangup("the call is already over")
        index = self.operations
        self.operations += 1
        self.events.append(ChannelEvent(op, detail))
        if self.hangup_at is not None and index >= self.hangup_at:
            self.hung_up = True
            self.events.append(ChannelEvent("caller_hangup"))
            raise CallerHangup(f"caller hung up during {op}")

    def _elapse(self, seconds: float) -> None:
        self.elapsed += seconds
        if self.clock is not None:
            self.clock.advance(seconds)

    # -- timed keys --------------------------------------------------------------------------------
    def _drop_keys_before(self, moment: float) -> None:
        """Keys pressed while no operation listened are lost."""
        assert self.timed_keys is not None
        while self.timed_keys and self.timed_keys[0][0] < moment:
            self.events.append(ChannelEvent("key_lost", {"key": self.timed_keys.popleft()[1]}))

    def _next_key_within(self, seconds: float) -> str | None:
        """The first key pressed in the next `seconds`; the clock moves to it, or to the end of the wait."""
        assert self.timed_keys is not None
        self._drop_keys_before(self.elapsed)
        if self.timed_keys and self.timed_keys[0][0] <= self.elapsed + seconds:
            at, key = self.timed_keys.popleft()
            self._elapse(at - self.elapsed)
            return key
        self._elapse(seconds)
        return None

    def _timed_play(self, interrupt_keys: str) -> str:
        end = self.elapsed + self.prompt_seconds
        while True:
            key = self._next_key_within(end - self.elapsed)
            if key is None:
                return ""
            if key == HANGUP:
                self._caller_hangs_up("play")
            if key in interrupt_keys:
                return key
            self.events.append(ChannelEvent("key_lost", {"key": key}))  # not an escape digit: ignored

    def _timed_read(self, prompt: Prompt | None, timeout: float, max_digits: int, terminator: str) -> DigitInput:
        digits = ""
        first = self._next_key_within(self.prompt_seconds) if prompt is not None else None
        while True:
            key = first if first is not None else self._next_key_within(timeout)
            first = None
            if key is None:
                return DigitInput(digits=digits, timed_out=True)
            if key == HANGUP:
                self._caller_hangs_up("read_digits")
            if terminator and key == terminator:
                return DigitInput(digits=digits, timed_out=False, terminated=True)
            digits += key
            if len(digits) >= max_digits:
                return DigitInput(digits=digits, timed_out=False)

    def _timed_transfer(self, outcome: TransferOutcome, timeout: float) -> TransferResult:
        """Keys pressed while a transfer rings or talks go to the other party, not to the scenario; the caller's
        hangup ends it. While it rings the caller's call is over (the AGI channel reads Dial's CANCEL as the
        caller gone); once answered it ends the bridge, and the call with it."""
        answered = outcome is TransferOutcome.ANSWERED
        ring = RING_SECONDS_BEFORE_ANSWER if answered else timeout
        answered_at = self.elapsed + ring
        ends = answered_at + (TALK_SECONDS if answered else 0.0)
        assert self.timed_keys is not None
        while self.timed_keys and self.timed_keys[0][0] <= ends:
            at, key = self.timed_keys.popleft()
            if key != HANGUP:
                self.events.append(ChannelEvent("key_lost", {"key": key}))
                continue
            self._elapse(max(0.0, at - self.elapsed))
            if answered and at >= answered_at:
                self.hung_up = True
                self.events.append(ChannelEvent("caller_hangup", {"during": "transfer_talk"}))
                return TransferResult(outcome=outcome, talk_seconds=at - answered_at, caller_gone=True)
            self._caller_hangs_up("transfer")
        self._elapse(ends - self.elapsed)
        return TransferResult(outcome=outcome, talk_seconds=TALK_SECONDS if answered else 0.0)

    def _caller_hangs_up(self, during: str) -> None:
        self.hung_up = True
        self.events.append(ChannelEvent("caller_hangup", {"during": during}))
        raise CallerHangup(f"caller hung up during {during}")

    # -- Channel ---------------------------------------------------------------------------------
    async def answer(self) -> None:
        self._begin("answer")
        self.answered = True

    async def play(self, prompt: Prompt, *, interrupt_keys: str = "") -> str:
        self._begin("play", audio=prompt.audio, text=prompt.text)
        if self.timed_keys is not None:
            key = self._timed_play(interrupt_keys)
            if key:
                self.events[-1].detail["interrupted_by"] = key
            return key
        self._elapse(self.prompt_seconds)
        if self.keys and self.keys[0] == HANGUP:
            self.keys.popleft()
            self._caller_hangs_up("play")
        if interrupt_keys and self.keys and self.keys[0].startswith(BARGE_IN):
            key = self.keys[0][1:2]
            if key and key in interrupt_keys:
                self.keys.popleft()
                self.events[-1].detail["interrupted_by"] = key
                return key
        return ""

    async def read_digits(
        self, prompt: Prompt | None, *, timeout: float, max_digits: int, terminator: str = "#"
    ) -> DigitInput:
        self._begin("read_digits", audio=prompt.audio if prompt else None, text=prompt.text if prompt else None)
        if self.timed_keys is not None:
            return self._timed_read(prompt, timeout, max_digits, terminator)
        if prompt is not None:
            self._elapse(self.prompt_seconds)
        token = self.keys.popleft() if self.keys else NO_INPUT
        if token == HANGUP:
            self._caller_hangs_up("read_digits")
        token = token.removeprefix(BARGE_IN)
        if token in (NO_INPUT, ""):
            self._elapse(timeout)
            return DigitInput(digits="", timed_out=True)
        digits = ""
        for key in token:
            if terminator and key == terminator:
                self._elapse(0.5)
                return DigitInput(digits=digits, timed_out=False, terminated=True)
            digits += key
            if len(digits) >= max_digits:
                return DigitInput(digits=digits, timed_out=False)
        self._elapse(timeout)  # typed fewer keys than asked and stopped: the read times out
        return DigitInput(digits=digits, timed_out=True)

    async def transfer(
        self, target: str, *, timeout: float, caller_id: str | None = None, caller_name: str | None = None
    ) -> TransferResult:
        self._begin("transfer", target=target, timeout=timeout, caller_id=caller_id, caller_name=caller_name)
        outcome = self.transfers.popleft() if self.transfers else TransferOutcome.ANSWERED
        if self.timed_keys is not None:
            return self._timed_transfer(outcome, timeout)
        answered = outcome is TransferOutcome.ANSWERED
        self._elapse(RING_SECONDS_BEFORE_ANSWER if answered else timeout)
        return TransferResult(outcome=outcome, talk_seconds=TALK_SECONDS if answered else 0.0)

    async def hangup(self) -> None:
        if self.hung_up:
            return
        self.events.append(ChannelEvent("hangup"))
        self.hung_up = True

    async def get_variable(self, name: str) -> str | None:
        self._begin("get_variable", name=name)
        return self.channel_variables.get(name)

    async def set_variable(self, name: str, value: str) -> None:
        self._begin("set_variable", name=name, value=value)
        self.channel_variables[name] = value
