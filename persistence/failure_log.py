"""What a loop that tries again and again logs while its tries fail (`FailureLog`): the version poller's polls
(persistence.scenario_source) and the callback dialer's passes (agi_server.dialer)."""

from __future__ import annotations

import logging
import time
from typing import Final

from sqlalchemy.exc import DBAPIError

# How often the log says again that tries still fail: an outage of an hour is a few dozen lines, not one per
# try (a poll every 2 s, a dialer pass every 5 s), and a line to follow its course.
FAILURE_REMINDER_SECONDS: Final = 60.0


class FailureLog:
    """What a loop that tries again and again (the version poller, the callback dialer's passes) logs while its
    tries fail: one line when they start failing, with the reason (a WARNING for an expected outage; an ERROR with
    the traceback for a bug); the same again at once when the error changes type (a bug behind the database's
    error); a reminder every `remind_every` seconds while they go on, with how long and how many; and one INFO
    line when a try succeeds again, saying how long it lasted. A line per failed try drowned the log: an hour's
    outage was ~94,000 lines of tracebacks from the dialer alone (operations review).

    `what` names a try ("version poll"), `tries` counts them ("polls"), `meanwhile` says what the node does while
    they fail. Its state is plain attributes a node's metrics may read from their own thread.
    """

    def __init__(
        self,
        logger: logging.Logger,
        what: str,
        tries: str,
        *,
        meanwhile: str,
        remind_every: float = FAILURE_REMINDER_SECONDS,
    ) -> None:
        self._log = logger
        self._what, self._tries, self._meanwhile = what, tries, meanwhile
        self._remind_every = remind_every
        self.failures = 0  # tries that failed since the start
        self.last_error: str | None = None  # why the last try failed, in one line, while tries fail
        self._failing_with: type[Exception] | None = None  # the last failed try's error type, while tries fail
        self._failed_in_a_row = 0
        self._failing_since = 0.0  # monotonic time of the first failed try of the current run of failures
        self._reminded_at = 0.0  # monotonic time the failure was last said

    @property
    def failing(self) -> bool:
        """True while the last try failed."""
        return self._failing_with is not None

    def failed(self, error: Exception, *, traceback: bool) -> None:
        """A try failed with `error`: `traceback` for a bug, not for an expected outage."""
        now = time.monotonic()
        reason = _reason(error)
        self.failures += 1
        self._failed_in_a_row += 1
        first = self._failing_with is None
        # Another kind of failure in the middle of an outage (a bug behind the database's error) is said at once.
        changed = not first and type(error) is not self._failing_with
        self.last_error, self._failing_with = reason, type(error)
        if first:
            self._failing_since = now
        if first or changed:
            self._reminded_at = now
            level = logging.ERROR if traceback else logging.WARNING
            said = "%s failed: %s; %s"
            exc_info = error if traceback else None
            self._log.log(level, said, self._what, reason, self._meanwhile, exc_info=exc_info, stacklevel=2)
        elif now - self._reminded_at >= self._remind_every:
            self._reminded_at = now
            failing_for = now - self._failing_since
            said = "%s still failing after %.0f s (%d %s): %s"
            self._log.warning(said, self._what, failing_for, self._failed_in_a_row, self._tries, reason, stacklevel=2)

    def succeeded(self) -> None:
        """A try succeeded: the end of a run of failures is said, with how long it lasted."""
        if self._failing_with is not None:
            failed_for = time.monotonic() - self._failing_since
            said = "%s recovered after %.0f s (%d failed %s)"
            self._log.info(said, self._what, failed_for, self._failed_in_a_row, self._tries, stacklevel=2)
            self.last_error, self._failing_with, self._failed_in_a_row = None, None, 0


def _reason(error: Exception) -> str:
    """The error's type and the first line of what it says: SQLAlchemy appends the statement and a link on lines
    of their own, and a log line stays one line. For a database error, the driver's own message."""
    said = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    lines = str(said).strip().splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__
