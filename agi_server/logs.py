"""How `ivrgraph agi` and `ivrgraph serve` log: one handler on the root logger, in text or JSON Lines.

Text is the format the commands always wrote (`2026-12-05 10:00:00,123 INFO agi_server.server FastAGI listening`).
JSON Lines is for a log shipper: one object per record, on one line whatever the record holds (a traceback is the
string field `exc`), with `time` (ISO 8601, UTC, milliseconds), `level`, `logger`, `message` (formatted), and the
record's `extra` fields json can carry: the lines of a call carry its `call_id`.

Everything that logs goes through this one handler: uvicorn's loggers propagate to it (`api.serve`), and Python
warnings become records of the `py.warnings` logger, so a JSON stream holds nothing but JSON.

Logs often go to a store more people read than the call register, so a caller's or callee's number is written
through `phone_number` (`--log-phone-numbers`): `full` as given, `masked` with its last two digits only, `none` not
at all. Every log line naming a CallerID (number or name), a dialled number or a callback number passes it through
that one function, and still formats it with %r, control characters escaped.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Container
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, TextIO

LOG_LEVELS: Final = ("DEBUG", "INFO", "WARNING", "WARN", "ERROR", "CRITICAL")
LOG_FORMATS: Final = ("text", "json")
PHONE_NUMBER_MODES: Final = ("full", "masked", "none")
HIDDEN: Final = "<hidden>"  # what `none` writes in a number's place
MASKED_NAME: Final = "***"  # what `masked` writes for a CallerID name (anything with a letter in it)
_DIGITS_SHOWN: Final = 2  # the last digits `masked` keeps: enough to tell calls apart, not to call anyone back
TEXT_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s %(message)s"

# What every record holds; any other attribute of a record came through `extra`.
_RECORD_ATTRIBUTES: Final = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
# Extras no reader of JSON wants: uvicorn's copy of its message with terminal colour codes.
_PRESENTATION_EXTRAS: Final = frozenset({"color_message"})
# Characters json.dumps(ensure_ascii=False) leaves raw that must not reach a reader raw: line breaks that some line
# readers (str.splitlines, JavaScript) end a line on, so a caller's input holding one would cut the record in two;
_RAW_IN_JSON: Final = str.maketrans(
    {
        code: f"\\u{code:04x}"
        # the C1 controls (U+009B is a terminal's CSI) and the bidi overrides and isolates, which reorder what a
        # viewer shows: a caller's input must not steer how a record reads (security review, 2026-12-05).
        for code in (*range(0x80, 0xA0), 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
    }
)


@dataclass(frozen=True)
class LogSettings:
    level: str = "INFO"
    format: str = "text"
    phone_numbers: str = "full"  # one of PHONE_NUMBER_MODES: how `phone_number` writes a number


# The settings `configure_logging` set last: the process's, as its root handler is. `phone_number` writes numbers in
# their mode; `in_log_format` writes a printout in their format.
_phone_numbers: str = LogSettings.phone_numbers
_format: str = LogSettings.format


def phone_number(value: str | None, *, mode: str | None = None) -> str:
    """A caller's or callee's number, or a CallerID name, as a log line may show it: in `mode`, by default the one
    `configure_logging` set (`--log-phone-numbers`). `full`: as given. `none`: `<hidden>`. `masked`: a leading '+'
    and the last two digits, every other digit a '*' ('+79161234567' -> '+*********67'; a number of two digits or
    fewer keeps none), separators as they were; anything with a letter in it (a CallerID name, 'anonymous', a SIP
    URI) is '***', and an empty value stays empty (no CallerID). Log the result with %r, as any value a caller
    controls."""
    chosen = _phone_numbers if mode is None else mode
    text = value or ""
    if chosen == "full":
        return text
    if chosen == "masked":
        return _masked(text)
    return HIDDEN  # `none`, and any mode not known: hiding is the safe way to be wrong


def _masked(text: str) -> str:
    if any(char.isalpha() for char in text):
        return MASKED_NAME
    digits = sum(char.isdigit() for char in text)
    first_shown = digits - _DIGITS_SHOWN if digits > _DIGITS_SHOWN else digits  # index of the first digit kept
    shown: list[str] = []
    seen = 0
    for char in text:
        if char.isdigit():
            shown.append(char if seen >= first_shown else "*")
            seen += 1
        else:
            shown.append(char)
    return "".join(shown)


def logged_phone_numbers() -> str:
    """The mode numbers are logged in (for the line that states a node's settings)."""
    return _phone_numbers


class JsonLinesFormatter(logging.Formatter):
    """One record, one line, one JSON object (the fields are in the module docstring)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": _utc_with_ms(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(_extra_fields(record, taken=entry.keys()))
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, allow_nan=False).translate(_RAW_IN_JSON)


def _utc_with_ms(created: float) -> str:
    return datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _extra_fields(record: logging.LogRecord, *, taken: Container[str]) -> dict[str, Any]:
    """The record's `extra` that json can carry and that does not pose as one of the record's own fields."""
    return {
        name: value
        for name, value in vars(record).items()
        if name not in _RECORD_ATTRIBUTES
        and name not in _PRESENTATION_EXTRAS
        and name not in taken
        and _json_can_carry(value)
    }


def _json_can_carry(value: object) -> bool:
    # An extra json cannot write is left out rather than losing the whole record.
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return False
    return True


def in_log_format(text: str, *, logger: str, message: str, **fields: str) -> str:
    """What a command prints beside its log (not a record: no level or handler filters it) as the log's format has
    it: `text` as given; in JSON, one object a line like a record's (WARNING, so it stands out), with `fields`, so a
    shipper reading the stream as JSON Lines parses it rather than choking on it."""
    if _format != "json":
        return text
    record = logging.LogRecord(logger, logging.WARNING, "", 0, message, None, None)
    record.__dict__.update(fields)
    return JsonLinesFormatter().format(record)


class _CommandHandler(logging.StreamHandler[TextIO]):
    """The handler `configure_logging` adds, told apart from any other on the root logger (pytest's, say)."""


def configure_logging(settings: LogSettings, *, stream: TextIO | None = None) -> logging.Handler:
    """Log every record at `settings.level` or above to `stream` (stderr) in `settings.format`.

    Called once a command has read its options, before anything else it does logs; a second call replaces the
    handler of the first, so no line is ever written twice. Numbers are logged as `settings.phone_numbers` says
    from here on (`phone_number`)."""
    global _phone_numbers, _format
    _phone_numbers, _format = settings.phone_numbers, settings.format
    root = logging.getLogger()
    for previous in [handler for handler in root.handlers if isinstance(handler, _CommandHandler)]:
        root.removeHandler(previous)
    handler = _CommandHandler(stream)
    handler.setFormatter(JsonLinesFormatter() if settings.format == "json" else logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    root.setLevel(settings.level)
    # A library's warning would otherwise go straight to stderr, over several lines and in no format.
    logging.captureWarnings(True)
    return handler
