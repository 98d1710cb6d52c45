"""The abstract telephone line a scenario is walked against.

Three implementations exist: the AGI channel (`agi_server`), the scripted channel that simulations and
tests use (`graph_engine.scripted`), and whatever a host writes. Every method may raise `CallerHangup`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final, Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class Prompt:
    """Something the caller hears.

    `audio` is a media name the channel can play (a recorded asset or a rendered TTS phrase), never a path;
    `text` is what is said, when the prompt is speech, kept for the trace and for simulations.
    """

    audio: str
    text: str | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class DigitInput:
    """What the caller typed in answer to a `read_digits`."""

    digits: str
    timed_out: bool
    terminated: bool = False  # the terminator key ended the entry (it is not part of `digits`)


class TransferOutcome(enum.StrEnum):
    ANSWERED = "answered"
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    FAILED = "failed"


# Every transfer outcome as a test call, the simulate API and the CLI take it ("busy"), in the enum's order.
TRANSFER_OUTCOMES: Final = tuple(outcome.value for outcome in TransferOutcome)


@dataclass(frozen=True, slots=True)
class TransferResult:
    outcome: TransferOutcome
    talk_seconds: float = 0.0
    # True when the bridged call ended the whole call (the caller is gone afterwards).
    caller_gone: bool = False


@runtime_checkable
class Channel(Protocol):
    """One call's line. Only one operation runs at a time; each may raise `CallerHangup`."""

    async def answer(self) -> None: ...

    async def play(self, prompt: Prompt, *, interrupt_keys: str = "") -> str:
        """Play a prompt; return the key that interrupted it, or "" when it played to the end."""
        ...

    async def read_digits(
        self,
        prompt: Prompt | None,
        *,
        timeout: float,
        max_digits: int,
        terminator: str = "#",
    ) -> DigitInput:
        """Play `prompt` (interruptible by any key) and collect up to `max_digits` keys.

        `timeout` is in seconds, counted after the prompt and between keys.
        """
        ...

    async def transfer(
        self, target: str, *, timeout: float, caller_id: str | None = None, caller_name: str | None = None
    ) -> TransferResult:
        """Dial `target` (already validated by the block) and bridge the caller to it.

        `caller_id` (a number) and `caller_name` (display text, `caller_name.shown_caller_name` cleans it) are what
        the called party is shown instead of the caller's own; None keeps those. The Transfer block passes
        `caller_name` only when it has one, so a channel written before it existed still runs every other transfer.
        """
        ...

    async def hangup(self) -> None: ...

    async def get_variable(self, name: str) -> str | None: ...

    async def set_variable(self, name: str, value: str) -> None: ...
