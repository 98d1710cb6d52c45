"""`AgiChannel`: the engine's `Channel` spoken over one FastAGI session.

Every Channel operation becomes one or a few AGI commands, each argument quoted by `protocol.encode_command`.
A caller hangup (a -1 result confirmed dead, a 511, a HANGUP line, a lost socket) surfaces as
`graph_engine.errors.CallerHangup`, which the interpreter turns into the call's end.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Final

from agi_server.connection import AgiConnection
from agi_server.errors import (
    AgiError,
    ConnectionLost,
    DeadChannel,
    ExecNotAllowed,
    MediaNotPlayed,
    UnsafeArgument,
)
from agi_server.protocol import (
    MAX_DIAL_TIMEOUT,
    AgiResponse,
    check_dial_options,
    dial_argument,
    queue_argument,
)
from graph_engine.block import MEDIA_NAME_PATTERN
from graph_engine.caller_name import shown_caller_name
from graph_engine.channel import DigitInput, Prompt, TransferOutcome, TransferResult
from graph_engine.errors import CallerHangup

KEYS: Final = "0123456789*#"
_MEDIA_NAME = re.compile(MEDIA_NAME_PATTERN)
# A channel variable name, optionally a dialplan function with plain arguments (CALLERID(num)).
_VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,79}(\([A-Za-z0-9_,]{0,40}\))?$")
_CALLER_ID = re.compile(r"^\+?[0-9*#]{1,32}$")
_NUMBER = re.compile(r"^\+?[0-9*#]{1,32}$")
_CONTEXT = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

# DIALSTATUS -> what the Transfer block sees (README "Dial result and DIALSTATUS semantics").
_DIAL_OUTCOMES: Final = {
    "ANSWER": TransferOutcome.ANSWERED,
    "BUSY": TransferOutcome.BUSY,
    "NOANSWER": TransferOutcome.NO_ANSWER,
}
# QUEUESTATUS -> outcome; an answered queue call leaves QUEUESTATUS as it was, cleared before the Queue (and so does
# an abandoned one, told apart by ABANDONED=TRUE: see _queue_result).
_QUEUE_OUTCOMES: Final = {
    "": TransferOutcome.ANSWERED,
    "TIMEOUT": TransferOutcome.NO_ANSWER,
    "FULL": TransferOutcome.BUSY,
}
# What the caller typed, as a shared frozen value: a menu's answer is one of a dozen keys, and a cache hit costs a
# tenth of building the dataclass (valgrind, bench/agi_layers.py).
_typed: Final = lru_cache(maxsize=1024)(DigitInput)
_SLACK_SECONDS: Final = 5.0  # margin on a command's own timeout before we call Asterisk unresponsive


@dataclass(frozen=True, slots=True)
class ChannelSettings:
    sounds_prefix: str = "ivrgraph"  # media names live under this folder of Asterisk's sounds
    dial_options: str = ""  # fixed Dial flags, e.g. "g" to keep the caller after the agent hangs up
    number_context: str = "ivrgraph-dial"  # a plain number N is dialled as Local/N@<this context>
    media_timeout: float = 600.0  # longest prompt we wait for (STREAM FILE has no timeout of its own)
    max_transfer_seconds: float = 4 * 3600.0  # an answered Dial returns only when the bridge ends

    def __post_init__(self) -> None:
        # Checked once here rather than for every call's channel.
        # dial_argument's own rule, so a setting that starts the server cannot fail every transfer later.
        try:
            check_dial_options(self.dial_options)
        except ExecNotAllowed as error:
            raise ValueError(str(error)) from error
        if self.sounds_prefix and not _MEDIA_NAME.match(self.sounds_prefix):
            raise ValueError(f"sounds prefix {self.sounds_prefix!r} is not a media folder name")
        if not _CONTEXT.match(self.number_context):
            raise ValueError(f"number context {self.number_context!r} is not a dialplan context name")


_DEFAULT_SETTINGS: Final = ChannelSettings()


class AgiChannel:
    """Implements `graph_engine.channel.Channel` over an `AgiConnection`."""

    def __init__(
        self,
        connection: AgiConnection,
        *,
        settings: ChannelSettings | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.connection = connection
        self.settings = settings or _DEFAULT_SETTINGS
        self._now = now
        self.answered_at: datetime | None = None
        self.hangup_during: str | None = None  # the operation the caller hung up in, for the call record

    # -- helpers ---------------------------------------------------------------------------------------
    async def _run(self, operation: str, verb: str, *args: str, timeout: float | None = None) -> AgiResponse:
        try:
            return await self.connection.command(verb, *args, timeout=timeout)
        except (DeadChannel, ConnectionLost) as error:
            raise self._gone(operation, error) from error

    def _gone(self, operation: str, error: Exception | None = None) -> CallerHangup:
        if self.hangup_during is None:
            self.hangup_during = operation
        detail = f": {error}" if error is not None else ""
        return CallerHangup(f"caller hung up during {operation}{detail}")

    async def _alive(self) -> bool:
        """After a -1 result: hangup or failure? A dead channel answers CHANNEL STATUS with 511 at once."""
        if self.connection.hung_up or self.connection.closed:
            return False
        try:
            await self.connection.command("CHANNEL STATUS")
        except (DeadChannel, ConnectionLost):
            return False
        return True

    def _media(self, prompt: Prompt) -> str:
        return _media_path(self.settings.sounds_prefix, prompt.audio)

    @staticmethod
    def _keys(keys: str) -> str:
        if not keys:
            return keys
        if any(key not in KEYS for key in keys):
            raise UnsafeArgument(f"interrupt keys {keys!r} are not DTMF keys")
        return "".join(dict.fromkeys(keys))

    # -- Channel ----------------------------------------------------------------------------------------
    async def answer(self) -> None:
        response = await self._run("answer", "ANSWER")
        if response.number == -1:
            raise self._gone("answer")
        if self.answered_at is None and self._now is not None:
            self.answered_at = self._now()

    def play(self, prompt: Prompt, *, interrupt_keys: str = "") -> Coroutine[Any, Any, str]:
        # Not a coroutine itself (the Channel protocol only needs an awaitable): the one operation most calls
        # do most gets one coroutine frame less. A bad media name or key still raises before anything is sent.
        keys = self._keys(interrupt_keys) if interrupt_keys else ""
        return self._stream("play", _media_path(self.settings.sounds_prefix, prompt.audio), keys)

    async def _stream(self, operation: str, media: str, keys: str) -> str:
        # `_run` spelled out, for the same reason.
        try:
            response = await self.connection.command("STREAM FILE", media, keys, timeout=self.settings.media_timeout)
        except (DeadChannel, ConnectionLost) as error:
            raise self._gone(operation, error) from error
        code = response.number
        if code is None or code == 0:
            return ""
        if code > 0:
            return chr(code)
        if not await self._alive():
            raise self._gone(operation)
        raise MediaNotPlayed(media)

    async def read_digits(
        self, prompt: Prompt | None, *, timeout: float, max_digits: int, terminator: str = "#"
    ) -> DigitInput:
        if max_digits < 1:
            raise ValueError("max_digits must be at least 1")
        timeout_ms = max(1, round(timeout * 1000))
        if prompt is not None and terminator == "#":
            return await self._get_data(self._media(prompt), timeout_ms, max_digits)
        # GET DATA always ends on '#'; a menu where '#' is a choice (or another terminator) reads key by key.
        first = await self._stream("read_digits", self._media(prompt), KEYS) if prompt is not None else ""
        if len(first) >= max_digits and first != terminator:  # a menu's one key, pressed during its prompt
            return _typed(first, False)
        return await self._wait_digits(first, timeout_ms, max_digits, terminator)

    async def _get_data(self, media: str, timeout_ms: int, max_digits: int) -> DigitInput:
        response = await self._run(
            "read_digits",
            "GET DATA",
            media,
            str(timeout_ms),
            str(max_digits),
            timeout=self.settings.media_timeout + (max_digits + 1) * timeout_ms / 1000,
        )
        if response.result == "-1":
            # GET DATA answers -1 on hangup (digits typed so far are lost) and when the file is missing.
            if not await self._alive():
                raise self._gone("read_digits")
            raise MediaNotPlayed(media)
        digits = response.result
        timed_out = response.data == "timeout"
        terminated = not timed_out and len(digits) < max_digits  # '#' ended the entry ('#' is not returned)
        return DigitInput(digits=digits, timed_out=timed_out, terminated=terminated)

    async def _wait_digits(self, digits: str, timeout_ms: int, max_digits: int, terminator: str) -> DigitInput:
        if terminator and digits == terminator:
            return DigitInput(digits="", timed_out=False, terminated=True)
        while len(digits) < max_digits:
            response = await self._run(
                "read_digits", "WAIT FOR DIGIT", str(timeout_ms), timeout=timeout_ms / 1000 + _SLACK_SECONDS
            )
            code = response.number
            if code == -1:
                raise self._gone("read_digits")
            if not code:
                return DigitInput(digits=digits, timed_out=True)
            key = chr(code)
            if terminator and key == terminator:
                return DigitInput(digits=digits, timed_out=False, terminated=True)
            digits += key
        return _typed(digits, False)

    async def transfer(
        self, target: str, *, timeout: float, caller_id: str | None = None, caller_name: str | None = None
    ) -> TransferResult:
        seconds = min(MAX_DIAL_TIMEOUT, max(1, round(timeout)))
        if target.startswith("queue:"):
            application, argument = "Queue", queue_argument(target.removeprefix("queue:"), seconds)
        else:
            if _NUMBER.match(target):
                target = f"Local/{target}@{self.settings.number_context}"
            application, argument = "Dial", dial_argument(target, seconds, self.settings.dial_options)
        shown: list[tuple[str, str]] = []  # (CALLERID function, value) the far end is shown instead of the caller's
        if caller_id is not None:
            if not _CALLER_ID.match(caller_id):
                raise ExecNotAllowed(f"caller id {caller_id[:40]!r} is not a phone number")
            shown.append(("CALLERID(num)", caller_id))
        name = shown_caller_name(caller_name) if caller_name else ""  # cleaned again: any caller of this channel
        if name:
            # Set on the caller's channel, which Dial copies to the one it rings. By SET VARIABLE, whose value res_agi
            # hands to the CALLERID(name) write as it is, never evaluated (${...} stays text) nor parsed; not SET
            # CALLERID, which parses '"name" <number>' (a name holding '" <1>' would change the number), nor Dial's
            # f()/o() options, where a ')' or ',' in the name would end the option and start others. One quoted
            # argument, escaped by quote_argument; shown_caller_name left no line feed to end the command.
            shown.append(("CALLERID(name)", name))
        # The caller's own CallerID, put back once the Dial or Queue returns: the channel keeps what SET VARIABLE
        # wrote for the rest of the call, and a later transfer that sets none would show the last one's.
        own: list[tuple[str, str]] = []
        try:
            for function, value in shown:
                before = await self._get("transfer", function) or ""
                if before != value:
                    own.append((function, before))
                    await self._run("transfer", "SET VARIABLE", function, value)
            result = await self._connect(application, argument)
        except Exception:
            await self._put_back(own)
            raise
        await self._put_back(own)
        return result

    async def _connect(self, application: str, argument: str) -> TransferResult:
        if application == "Queue":
            # app_queue sets QUEUESTATUS only when the caller leaves unanswered (TIMEOUT, FULL, JOINEMPTY...) and
            # leaves it as it was when an agent answered: cleared first, a queue answered on a second try would read
            # the first one's TIMEOUT. ABANDONED needs no clearing: it is set when the caller hung up, and no
            # transfer follows on that channel.
            await self._run("transfer", "SET VARIABLE", "QUEUESTATUS", "")
        try:
            dialled = await self.connection.exec(application, argument, timeout=self.settings.max_transfer_seconds)
        except (DeadChannel, ConnectionLost) as error:
            raise self._gone("transfer", error) from error
        if application == "Queue":
            return await self._queue_result(dialled)
        status = await self._get("transfer", "DIALSTATUS") or ""
        if status == "CANCEL":  # the caller hung up while it rang
            raise self._gone("transfer")
        outcome = _DIAL_OUTCOMES.get(status, TransferOutcome.FAILED)
        if outcome is not TransferOutcome.ANSWERED:
            await self._check_alive_after(dialled)
            return TransferResult(outcome=outcome)
        talk = await self._get("transfer", "ANSWEREDTIME") or "0"
        return TransferResult(outcome=outcome, talk_seconds=_seconds(talk), caller_gone=await self._ended(dialled))

    async def _put_back(self, own: list[tuple[str, str]]) -> None:
        """The caller's CallerID as it was before the transfer. SET VARIABLE still runs on a channel that hung up
        (README section 3c), so it is put back then too, for the dialplan's hangup handlers; a session already
        closed, or a value that cannot be sent, is left as it is: never an error, whatever the transfer ended in."""
        for function, value in own:
            if self.connection.closed:
                return
            try:
                await self.connection.command("SET VARIABLE", function, value)
            except (DeadChannel, ConnectionLost):
                return
            except AgiError:
                continue

    async def _queue_result(self, queued: AgiResponse) -> TransferResult:
        status = await self._get("transfer", "QUEUESTATUS") or ""
        # QUEUESTATUS stays cleared both when an agent answered and when the caller gave up waiting (an ABANDON,
        # which sets ABANDONED=TRUE): the second is the caller's hangup, where a missed-call flow calls back.
        if not status and queued.number == -1 and await self._get("transfer", "ABANDONED") == "TRUE":
            raise self._gone("transfer")
        outcome = _QUEUE_OUTCOMES.get(status, TransferOutcome.FAILED)
        if outcome is not TransferOutcome.ANSWERED:
            await self._check_alive_after(queued)
            return TransferResult(outcome=outcome)
        return TransferResult(outcome=outcome, caller_gone=await self._ended(queued))

    async def _check_alive_after(self, response: AgiResponse) -> None:
        """An unanswered Dial/Queue that returns -1 may mean the caller hung up while it rang."""
        if response.number == -1 and not await self._alive():
            raise self._gone("transfer")

    async def _ended(self, bridged: AgiResponse) -> bool:
        """Did the bridged call end the caller's call? -1 says so: either the caller hung up (the channel is
        dead; probing now keeps us from sending HANGUP to it), or the agent did and Dial had no 'g' (the
        dialplan convention: hang up the caller)."""
        if bridged.number != -1:
            return False
        if not await self._alive() and self.hangup_during is None:
            self.hangup_during = "transfer"
        return True

    async def hangup(self) -> None:
        if self.connection.hung_up or self.connection.closed:
            return
        try:
            await self.connection.command("HANGUP")
        except (DeadChannel, ConnectionLost):
            return
        self.connection.hung_up = True  # the HANGUP line follows ~40 ms later; the channel is dead already

    async def get_variable(self, name: str) -> str | None:
        return await self._get("get_variable", name)

    async def _get(self, operation: str, name: str) -> str | None:
        _check_name(name)
        response = await self._run(operation, "GET VARIABLE", name)
        return response.data if response.number == 1 else None

    async def set_variable(self, name: str, value: str) -> None:
        _check_name(name)
        await self._run("set_variable", "SET VARIABLE", name, value)


@lru_cache(maxsize=4096)
def _media_path(prefix: str, audio: str) -> str:
    """The name Asterisk plays for a media name; cached, as a scenario plays the same few names all day."""
    if not _MEDIA_NAME.match(audio):
        raise UnsafeArgument(f"media name {audio[:80]!r} does not match {MEDIA_NAME_PATTERN}")
    return f"{prefix}/{audio}" if prefix else audio


def _check_name(name: str) -> None:
    if not _VARIABLE_NAME.match(name):
        raise UnsafeArgument(f"channel variable name {name[:80]!r} is not a plain name")


def _seconds(text: str) -> float:
    try:
        return max(0.0, float(text))
    except ValueError:
        return 0.0
