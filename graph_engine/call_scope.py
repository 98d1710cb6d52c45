"""The call a piece of work runs for, so that the log lines of the layers below the host name it too.

The host sets `CALL_ID` in the task that walks one call (agi_server.server). A context variable follows that task
and what it starts (asyncio copies the context into the tasks it creates, and persistence's data sources copy it
into their query threads), and no other call sees it. A layer below the host that logs during a call (persistence's
data sources) adds `CallIdFilter` to its logger: its lines then carry the call's id as the host's own do (the
host's `CallLog`), `call_id=<id> ` at the start of the message (a text log, grep) and `call_id` on the record (the
JSON log), without importing the host.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Final

CALL_ID: Final[ContextVar[str | None]] = ContextVar("ivrgraph_call_id", default=None)


class CallIdFilter(logging.Filter):
    """On a logger: its records logged during a call carry the call's id (see the module docstring). A record
    that names a call already (`extra={"call_id": ...}`) is left as it is; outside a call, nothing changes."""

    def filter(self, record: logging.LogRecord) -> bool:
        call_id = CALL_ID.get()
        if call_id is not None and not hasattr(record, "call_id"):
            record.call_id = call_id
            # The host's CallLog's shape. A '%' in the id is text, not a format field, when arguments fill the message.
            named = call_id.replace("%", "%%") if record.args else call_id
            record.msg = f"call_id={named} {record.msg}"
        return True


__all__ = ["CALL_ID", "CallIdFilter"]
