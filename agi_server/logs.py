"""How `ivrgraph agi` and `ivrgraph serve` log: one handler on the root logger, in text or JSON Lines.

Text is the format the commands always wrote (`2026-12-05 10:00:00,123 INFO agi_server.server FastAGI listening`).
JSON Lines is for a log shipper: one object per record, on one line whatever the record holds (a traceback is the
string field `exc`), with `time` (ISO 8601, UTC, milliseconds), `level`, `logger`, `message` (formatted), and the
record's `extra` fields json can carry: the lines of a call carry its `call_id`, and so do the lines the layers
below log during it (a data source's warning: graph_engine.call_scope, from the call's context).

Everything that logs goes through this one handler: uvicorn's loggers propagate to it (`api.serve`), and Python
warnings become records of the `py.warnings` logger, so a JSON stream holds nothing but JSON.

Logs often go to a store more people read than the call register, so a caller's or callee's number is written
through `phone_number` (`--log-phone-numbers`): `full` as given, `masked` with its last two digits only, `none` not
at all. Every log line naming a CallerID (number or name), a dialled number or a callback number passes it through
that one function, and still formats it with %r, control characters escaped. A channel's name, which can hold the
number a Local channel dialled, goes through `redact_phone_numbers` (below) at INFO too.

Other lines can quote a number without meaning to: an error's words (a Transfer's refused caller ID, a plugin's
exception naming the caller, a media name taken from a variable), the tracebacks under them, and a library's own
lines (httpx's INFO line names the URL a plugin called, `?phone=%2B34600000005`). So in `masked` and `none` every
record, whatever its level and logger, has each number-like run of its formatted message, traceback and stack
written as `phone_number` writes a number (`redact_phone_numbers`): seven digits or more, joined by spaces, dashes,
dots or brackets, with an optional leading '+', and not glued to a letter or digit (a call id's hex); in a URL the
'+', spaces and brackets may be percent-encoded (`%2B34%20600...`: the escapes stay, the digits are masked), a
space written '+' as a form does, and a run may follow an encoded ':', '=' or '/' (`tel%3A%2B34...`). ISO
timestamps, IPv4 addresses and decimals (durations) keep their digits, and so do the time, level and logger a text
line starts with: the handler's, not the record's words. A line that names a number through `phone_number` is
written the same again. And httpx's and httpcore's loggers are kept at WARNING: their INFO and DEBUG lines name
every URL a plugin calls.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Container
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
# HTTP libraries whose INFO and DEBUG lines name every URL a plugin calls (query string and all) and every
# connection: `configure_logging` keeps them at WARNING or above.
_REQUEST_LOGGERS: Final = ("httpx", "httpcore")

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


# A run that may be a phone number, and before it, as alternatives tried first at each place, the plumbing whose
# digits would otherwise join into one: what `_redacted` keeps is the "keep" group; any other match is a number if
# it holds _RUN_DIGITS digits. \d and \w are Unicode's, as `phone_number`'s isdigit is.
_NUMBER_LIKE: Final = re.compile(
    r"""
    (?P<keep>
        # an ISO date, maybe with its time (2026-12-05 10:00:00,123; 2026-12-05T10:00:00.123+00:00)
        (?<![\w.\-])(?:19|20)\d\d-[01]\d-[0-3]\d(?:[T\ ][0-2]\d:[0-5]\d(?::[0-5]\d(?:[.,]\d+)?)?)?
        # an IPv4 address (a port after it is too short to matter)
      | (?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![^\W_]|\.\d)
        # a decimal: a duration (0.123456789), an Asterisk uniqueid (1795295104.117)
      | (?<![\w.])\d+\.\d+(?![^\W_]|\.?\d)
    )
    # '+7 916 123-45-67', '8 (916) 123 45 67', '+34911234567', 'tel:+1-202-555-0100', 'sip:+4930123456@host',
    # 'Local/79161234567@callees': maybe a '+' and a bracket, then digits, up to three separators between two;
    # not after a letter, a digit, a '+', a '.' or a '-' (a uuid's last group), and not before a letter or digit.
  # The same percent-encoded in a URL (httpx's request line, an HTTPStatusError): '%2B' (or '%2b') is the '+',
  # '%20' a space, '%28' and '%29' brackets; a form-encoded query writes a space as '+'. Not after a '%' either: a
  # run does not start inside an escape. But after an encoded ':', '=' or '/' ('tel%3A%2B34...'), whose letter
  # would otherwise glue it to a word.
  | (?:(?<=%3[AaDd]|%2[Ff])|(?<![^\W_]|[+.\-%]))
    (?:\+|%2[Bb])?(?:\(|%28)?\d(?:(?:[\ \-.()+]|%2[089]){0,3}\d)*(?![^\W_])
    """,
    re.VERBOSE,
)
_RUN_DIGITS: Final = 7  # a local number has seven; a port, a line number, a status or a year fewer
# The percent escapes a number-like run may hold (lower case), and what each stands for.
_URL_ESCAPES: Final = {"%2b": "+", "%20": " ", "%28": "(", "%29": ")"}
_URL_ESCAPE_OR_CHAR: Final = re.compile(r"%2[Bb089]|.", re.DOTALL)


def redact_phone_numbers(text: str, *, mode: str) -> str:
    """`text` with every number-like run written as `phone_number` writes a number in `mode` (see the module
    docstring); `full` returns it as it is."""
    if mode == "full":
        return text
    return rewrite_number_runs(text, lambda run: phone_number(run, mode=mode))


def rewrite_number_runs(text: str, rewrite: Callable[[str], str]) -> str:
    """`text` with each run that may be a phone number (seven digits or more, as the module docstring says) passed
    through `rewrite`; dates, addresses, decimals and shorter runs as they are. The API masks a channel's name with
    it (api.personal_data), so the two find the same numbers in it."""

    def replace(match: re.Match[str]) -> str:
        run = match.group()
        if match.group("keep") is not None:
            return run
        # Each escape as the one character it stands for, so an escape's digits are not counted and `rewrite`
        # sees '+34 600...' as it would written plainly.
        pieces = _URL_ESCAPE_OR_CHAR.findall(run)
        decoded = [_URL_ESCAPES.get(piece.lower(), piece) for piece in pieces]
        if sum(char.isdigit() for char in decoded) < _RUN_DIGITS:
            return run
        rewritten = rewrite("".join(decoded))
        if len(pieces) == len(run) or len(rewritten) != len(decoded):
            return rewritten  # written plainly, or replaced whole (`<hidden>`)
        # Masked a character for a character: the escapes stay as the URL wrote them, only digits change.
        return "".join(piece if new == old else new for piece, old, new in zip(pieces, decoded, rewritten, strict=True))

    return _NUMBER_LIKE.sub(replace, text)


class _RedactingFormatter(logging.Formatter):
    """`inner`'s lines with the phone-number-like runs of their message, traceback and stack redacted
    (`redact_phone_numbers`), whatever their level and logger; `configure_logging` puts it in front of the text or
    JSON formatter in `masked` and `none` only."""

    def __init__(self, inner: logging.Formatter, mode: str) -> None:
        super().__init__()
        self._inner, self._mode = inner, mode

    def format(self, record: logging.LogRecord) -> str:
        return self._inner.format(self._redacted(record))

    def _redacted(self, record: logging.LogRecord) -> logging.LogRecord:
        # A copy: other handlers (pytest's, say) get the record as it was logged, and the formatter's cached
        # traceback text (`exc_text`) on the original stays the unredacted one they would write.
        copy = logging.makeLogRecord(vars(record))
        copy.msg, copy.args = redact_phone_numbers(record.getMessage(), mode=self._mode), None
        inner = self._inner
        if record.exc_info:
            copy.exc_info, copy.exc_text = (
                None,
                redact_phone_numbers(inner.formatException(record.exc_info), mode=self._mode),
            )
        elif record.exc_text:
            copy.exc_text = redact_phone_numbers(record.exc_text, mode=self._mode)
        if record.stack_info:
            copy.stack_info = redact_phone_numbers(inner.formatStack(record.stack_info), mode=self._mode)
        return copy


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
    from here on (`phone_number`), and in `masked` and `none` the handler redacts any number an error or traceback
    quotes (`redact_phone_numbers`)."""
    global _phone_numbers, _format
    _phone_numbers, _format = settings.phone_numbers, settings.format
    root = logging.getLogger()
    for previous in [handler for handler in root.handlers if isinstance(handler, _CommandHandler)]:
        root.removeHandler(previous)
    handler = _CommandHandler(stream)
    formatter = JsonLinesFormatter() if settings.format == "json" else logging.Formatter(TEXT_FORMAT)
    if settings.phone_numbers != "full":  # an error's words and tracebacks may quote a number (module docstring)
        formatter = _RedactingFormatter(formatter, settings.phone_numbers)
    handler.setFormatter(formatter)
    root.addHandler(handler)
    root.setLevel(settings.level)
    for name in _REQUEST_LOGGERS:  # never below WARNING, and not below the node's level either
        logging.getLogger(name).setLevel(max(logging.WARNING, root.getEffectiveLevel()))
    # A library's warning would otherwise go straight to stderr, over several lines and in no format.
    logging.captureWarnings(True)
    return handler
