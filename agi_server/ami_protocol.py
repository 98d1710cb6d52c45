"""AMI wire format as pure functions: no sockets, no clock.

What the real Asterisk 22 does (../shared/asterisk/ami/README.txt):
- On connect it sends one banner line "Asterisk Call Manager/11.0.0\\r\\n" with no blank line after it.
- Every message is "Key: value" lines ending in CRLF and closed by an empty line. Several messages share a
  TCP chunk and one message can span chunks, so we cut on CRLF CRLF, never on reads.
- A Response starts with "Response:", an event with "Event:". The OriginateResponse *event* also carries a
  "Response:" header, so messages are classified by their first line only.
- Values are raw: a lone CR inside a value is data (Getvar returned one in d4), so lines split on CRLF only.
- Towards Asterisk a bare LF also ends a line and a blank line ends the action (d2, d3); a line over
  1024 bytes makes Asterisk drop the whole action (d5). Hence `encode_action` refuses CR, LF and NUL
  everywhere and keeps every line under that limit: a value is never trusted to be clean.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from agi_server.ami_errors import AmiEncodingError, AmiProtocolError

BANNER_PREFIX = "Asterisk Call Manager/"
MAX_LINE_BYTES = 1024  # Asterisk's manager input buffer; a longer line drops the whole action (d5)
MAX_MESSAGE_BYTES = 256 * 1024  # far above anything captured (largest ~6 KB); guards memory against a bad peer

_TERMINATOR = b"\r\n\r\n"
_HEADER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,79}")
_FORBIDDEN = ("\r", "\n", "\x00")
# Originate splits "Variable:" on ',' with Asterisk's app-argument parser, which also gives meaning to
# quotes, brackets, parentheses and backslash; a backslash makes each of them literal again.
_VARIABLE_SPECIALS = re.compile(r'([,"\\()\[\]])')


class MessageKind(StrEnum):
    RESPONSE = "response"
    EVENT = "event"


@dataclass(frozen=True, slots=True)
class AmiMessage:
    """One message from Asterisk. `name` is the Response value ("Success", "Error", ...) or the event name."""

    kind: MessageKind
    name: str
    headers: tuple[tuple[str, str], ...]

    def get(self, key: str, default: str | None = None) -> str | None:
        """The first value of `key` (case-insensitive, like Asterisk's own lookup)."""
        wanted = key.lower()
        for name, value in self.headers:
            if name.lower() == wanted:
                return value
        return default

    def get_all(self, key: str) -> list[str]:
        wanted = key.lower()
        return [value for name, value in self.headers if name.lower() == wanted]

    @property
    def action_id(self) -> str | None:
        return self.get("ActionID")

    @property
    def is_event(self) -> bool:
        return self.kind is MessageKind.EVENT

    def as_dict(self) -> dict[str, str]:
        """Headers as a dict keeping the first occurrence of a repeated key."""
        result: dict[str, str] = {}
        for name, value in self.headers:
            result.setdefault(name, value)
        return result


def parse_banner(line: bytes) -> str:
    """The AMI version from the banner line (b"Asterisk Call Manager/11.0.0\\r\\n" -> "11.0.0")."""
    if not line.endswith(b"\r\n"):
        raise AmiProtocolError(f"AMI banner is not a CRLF-terminated line: {line[:80]!r}")
    text = line[:-2].decode("utf-8", errors="replace")
    if not text.startswith(BANNER_PREFIX) or not text[len(BANNER_PREFIX) :]:
        raise AmiProtocolError(f"not an Asterisk manager banner: {text[:80]!r}")
    return text[len(BANNER_PREFIX) :]


def parse_message(block: bytes) -> AmiMessage:
    """One message without its closing blank line ("Key: value" lines joined by CRLF)."""
    headers: list[tuple[str, str]] = []
    for raw in block.split(b"\r\n"):
        line = raw.decode("utf-8", errors="replace")
        key, sep, value = line.partition(":")
        if not sep or not key or key != key.strip():
            if not headers:
                raise AmiProtocolError(f"AMI line is not 'Key: value': {line[:80]!r}")
            # Asterisk sends values raw (ami/README, d4): a value holding CR LF goes on over the next line.
            # Dropping the session for it would lose every Originate in flight.
            last_key, last_value = headers[-1]
            headers[-1] = (last_key, f"{last_value}\r\n{line}")
            continue
        # Asterisk writes "Key: value"; an empty value is "Key: " (AccountCode) — drop exactly one space.
        headers.append((key, value[1:] if value.startswith(" ") else value))
    first_key, first_value = headers[0]
    if first_key.lower() == "response":
        kind = MessageKind.RESPONSE
    elif first_key.lower() == "event":
        kind = MessageKind.EVENT
    else:
        raise AmiProtocolError(f"AMI message starts with neither Response nor Event: {first_key!r}")
    return AmiMessage(kind=kind, name=first_value, headers=tuple(headers))


class AmiParser:
    """Incremental reader for the Asterisk -> client byte stream (banner first, then messages).

    Feed bytes as they arrive with `feed`; take complete messages with `next_message` until it returns None.
    """

    def __init__(self, *, expect_banner: bool = True, max_message_bytes: int = MAX_MESSAGE_BYTES) -> None:
        self._buffer = bytearray()
        self._max = max_message_bytes
        self.banner: str | None = None if expect_banner else ""

    def feed(self, data: bytes) -> None:
        self._buffer += data

    @property
    def banner_received(self) -> bool:
        return self.banner is not None

    def next_message(self) -> AmiMessage | None:
        """The next complete message, or None when more bytes are needed. Raises AmiProtocolError."""
        if self.banner is None:
            end = self._buffer.find(b"\r\n")
            if end < 0:
                self._check_size(len(self._buffer))
                return None
            self.banner = parse_banner(bytes(self._buffer[: end + 2]))
            del self._buffer[: end + 2]
        # Stray blank lines between messages carry nothing; skip them rather than fail.
        while self._buffer.startswith(b"\r\n"):
            del self._buffer[:2]
        end = self._buffer.find(_TERMINATOR)
        if end < 0:
            self._check_size(len(self._buffer))
            return None
        self._check_size(end)
        block = bytes(self._buffer[:end])
        del self._buffer[: end + len(_TERMINATOR)]
        return parse_message(block)

    def messages(self) -> list[AmiMessage]:
        """Every complete message buffered so far."""
        found: list[AmiMessage] = []
        while (message := self.next_message()) is not None:
            found.append(message)
        return found

    def _check_size(self, size: int) -> None:
        if size > self._max:
            raise AmiProtocolError(f"AMI message larger than {self._max} bytes")


def _check_value(where: str, value: str) -> None:
    for char in _FORBIDDEN:
        if char in value:
            raise AmiEncodingError(f"{where} contains {char!r}; refused (header injection)")


def encode_action(
    action: str, headers: Sequence[tuple[str, str]] | Mapping[str, str] = (), *, action_id: str | None = None
) -> bytes:
    """Bytes of one action, ending with the blank line. Raises AmiEncodingError, never sends anything unsafe.

    Every header name must be a plain token and every value free of CR, LF and NUL; each line must stay under
    Asterisk's 1024-byte buffer. `Variable` may repeat (Asterisk reads each occurrence); for other repeated
    names Asterisk would silently use the first one, so a repeat is refused as a likely bug.
    """
    pairs = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
    lines: list[tuple[str, str]] = [("Action", action)]
    if action_id is not None:
        lines.append(("ActionID", action_id))
    lines.extend(pairs)
    seen: set[str] = set()
    out = bytearray()
    for name, value in lines:
        if not _HEADER_NAME.fullmatch(name):
            raise AmiEncodingError(f"header name {name[:40]!r} is not a plain token")
        _check_value(f"header {name}", value)
        lowered = name.lower()
        if lowered in seen and lowered != "variable":
            raise AmiEncodingError(f"header {name} given twice; Asterisk would ignore the second one")
        seen.add(lowered)
        line = f"{name}: {value}\r\n".encode()
        if len(line) > MAX_LINE_BYTES - 1:
            raise AmiEncodingError(f"header {name} is {len(line)} bytes; Asterisk drops actions with lines >= 1024")
        out += line
    if not action:
        raise AmiEncodingError("empty action name")
    out += b"\r\n"
    return bytes(out)


def escape_variable_value(value: str) -> str:
    """Make a value literal for Originate's comma-separated Variable header."""
    _check_value("variable value", value)
    return _VARIABLE_SPECIALS.sub(r"\\\1", value)


def variable_headers(variables: Mapping[str, str]) -> list[tuple[str, str]]:
    """One "Variable: NAME=value" header per channel variable, names checked, values escaped."""
    result: list[tuple[str, str]] = []
    for name, value in variables.items():
        if not _VARIABLE_NAME.fullmatch(name):
            raise AmiEncodingError(f"channel variable name {name[:40]!r} is not [A-Za-z_][A-Za-z0-9_]*")
        result.append(("Variable", f"{name}={escape_variable_value(value)}"))
    return result


class DialOutcome(StrEnum):
    """What became of one outbound attempt, as the dialer records it."""

    ANSWERED = "answered"
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    FAILED = "failed"
    # Answered, but no FastAGI call named the job before the hangup: the callee heard no scenario (the dialer's
    # own finding after the call, never an AMI answer; persistence.callbacks.settle_answer).
    UNREACHED = "unreached"
    # Asterisk answered the Originate itself with "Response: Error" (c-errors.txt): nothing was dialled. What it
    # refuses is this node's own setting (a context without the extension, an AMI user who may not originate, a
    # bad channel template), never the callee, so the dialer counts no attempt for it (Dialer._attempt).
    REFUSED = "refused"


# OriginateResponse "Reason:" is the old control-frame number (README section 4): 4 answered, 5 busy,
# 3 rang without answer, 8 congestion, 0 anything else (a callee hanging up unanswered or rejecting with
# cause 21 also gives 0: Originate only sees BUSY/CONGESTION indications; `outcome_from_reason` tells the first
# by the ringing seen before it). 1 cannot happen for Originate.
_REASON_OUTCOMES = {
    "4": DialOutcome.ANSWERED,
    "5": DialOutcome.BUSY,
    "3": DialOutcome.NO_ANSWER,
    "8": DialOutcome.FAILED,
    "0": DialOutcome.FAILED,
}

# DIALSTATUS of Dial() (dialstatus.txt). CHANUNAVAIL covers a rejected call (cause 21) and a missing callee.
_DIALSTATUS_OUTCOMES = {
    "ANSWER": DialOutcome.ANSWERED,
    "BUSY": DialOutcome.BUSY,
    "NOANSWER": DialOutcome.NO_ANSWER,
    "CANCEL": DialOutcome.NO_ANSWER,
    "CONGESTION": DialOutcome.FAILED,
    "CHANUNAVAIL": DialOutcome.FAILED,
    "DONTCALL": DialOutcome.FAILED,
    "TORTURE": DialOutcome.FAILED,
    "INVALIDARGS": DialOutcome.FAILED,
}


def outcome_from_reason(response: str | None, reason: str | None, *, rang: bool = False) -> DialOutcome:
    """Outcome of an OriginateResponse event from its Response and Reason headers.

    `rang`: the originated channel was seen Ringing before it. A callee whose phone rang and who then hung up or
    declined gives Reason 0 (c7x.txt: Newstate Ringing on the channel, then Failure Reason 0 a second later),
    which Originate cannot tell from a failure; Dial() calls the same callee NOANSWER (dialstatus.txt). It is
    a call nobody answered, retried as such, not a line fault (a missing callee or a rejection at once, c8x.txt
    and c9x.txt, never ring)."""
    if response == "Success":
        # Success is only ever sent with Reason 4; trust Success even if a future version changes the number.
        return DialOutcome.ANSWERED
    reason_number = (reason or "").strip()
    if reason_number == "0" and rang:
        return DialOutcome.NO_ANSWER
    outcome = _REASON_OUTCOMES.get(reason_number, DialOutcome.FAILED)
    # A Failure never means answered, whatever the number says.
    return DialOutcome.FAILED if outcome is DialOutcome.ANSWERED else outcome


def outcome_from_dialstatus(dialstatus: str | None) -> DialOutcome:
    """Outcome of a Dial() from ${DIALSTATUS}; unknown values are failures."""
    return _DIALSTATUS_OUTCOMES.get((dialstatus or "").strip().upper(), DialOutcome.FAILED)


def originate_headers(
    *,
    channel: str,
    context: str,
    exten: str,
    priority: int,
    timeout_ms: int,
    caller_id: str | None,
    channel_id: str,
    other_channel_id: str,
    variables: Mapping[str, str],
) -> list[tuple[str, str]]:
    """Headers of an async Originate into a dialplan context (values are checked again by `encode_action`)."""
    headers: list[tuple[str, str]] = [
        ("Channel", channel),
        ("Context", context),
        ("Exten", exten),
        ("Priority", str(priority)),
        # Timeout is MILLIseconds ("Timeout: 30" gave up after 30 ms, c-errors test 7).
        ("Timeout", str(timeout_ms)),
    ]
    if caller_id:
        headers.append(("CallerID", caller_id))
    # Async: a synchronous Originate blocks the whole session until the callee answers or gives up (g2).
    headers.append(("Async", "true"))
    headers.extend(variable_headers(variables))
    # ChannelId makes the Uniqueid known before any event and is echoed even on failure (README section 3).
    headers.append(("ChannelId", channel_id))
    headers.append(("OtherChannelId", other_channel_id))
    return headers
