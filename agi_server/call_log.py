"""What the FastAGI server's lines about one call say: each carries the call's id (`CallLog`), the names Asterisk's
own logs know the call by (`asterisk_names`), and a caller's or callee's number only as `--log-phone-numbers`
lets it (agi_server.logs, which configures where and how every line is written).

The lines keep the FastAGI server's logger, `agi_server.server`, which they were always written under: a log
filter, or a reader of JSON Lines' `logger` field, selects a node's call lines by it.
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any, Final

from agi_server.logs import logged_phone_numbers, phone_number, redact_phone_numbers
from agi_server.records import CallRecord

log = logging.getLogger("agi_server.server")

_MAX_LOGGED_NAME: Final = 200  # characters of a channel name or uniqueid a log line shows (Asterisk's are ~40)


class CallLog(logging.LoggerAdapter[logging.Logger]):
    """Every line of a call carries its call id, in the message (grep) and as a record attribute (JSON)."""

    def process(self, msg: Any, kwargs: MutableMapping[str, Any]) -> tuple[Any, MutableMapping[str, Any]]:
        extra = dict(self.extra or {})
        kwargs["extra"] = {**extra, **kwargs.get("extra", {})}
        return f"call_id={extra.get('call_id', '-')} {msg}", kwargs


def call_log(record: CallRecord) -> CallLog:
    """The logger of one call, made when a line is written (most calls write none at the default level)."""
    return CallLog(log, {"call_id": record.call_id})


def asterisk_names(record: CallRecord) -> dict[str, str]:
    """The call's channel name and uniqueid, which Asterisk's own logs key its lines by, as a line may show them:
    in the message with %r (Asterisk's env block is not ours: escapes included) and as the record's `channel` and
    `uniqueid` (JSON). A channel's name can hold a number (a Local channel's `Local/79161234567@callees-00000001;1`),
    written as `phone_number` writes one unless numbers may be logged."""
    channel = record.facts.get("channel", "")[:_MAX_LOGGED_NAME]
    return {
        "channel": redact_phone_numbers(channel, mode=logged_phone_numbers()),
        "uniqueid": record.asterisk_uniqueid[:_MAX_LOGGED_NAME],
    }


def log_start(record: CallRecord, slug: str, version: int) -> None:
    """The call's first line: who called (a callback: the job and whom it rang, as its CallerID is our dialer's
    own), what runs, and the names Asterisk's logs know the call by."""
    # --log-phone-numbers: the log may be read more widely than the register.
    caller = phone_number(record.facts["caller_id"])
    names = asterisk_names(record)
    where = (record.peer, names["channel"], names["uniqueid"])
    if record.job_id is None:
        call_log(record).info(
            "call from %r on scenario %s v%d (Asterisk %s, channel=%r uniqueid=%r)",
            caller,
            slug,
            version,
            *where,
            extra=names,
        )
        return
    callee = phone_number(record.facts.get("dialed_number"))
    call_log(record).info(
        "call from %r on scenario %s v%d: callback job %r to %r (Asterisk %s, channel=%r uniqueid=%r)",
        caller,
        slug,
        version,
        record.job_id,
        callee,
        *where,
        extra={**names, "job_id": record.job_id},
    )


def failure_code_of(trace: dict[str, Any]) -> str:
    """What a failed call's last failing step is called when its words may not be logged (--log-phone-numbers
    masked or none): the failure's code (`callback_not_scheduled`), else that the register has the words."""
    for step in reversed(trace.get("steps") or []):
        for event in reversed(step.get("events") or []):
            if isinstance(event, dict) and event.get("kind") == "failure" and event.get("code"):
                return f"{event['code']} (its words, which may quote the caller, are in the call register)"
    return "the call register has the error (its words may quote the caller)"
