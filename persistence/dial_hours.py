"""The calling hours a job made through the API keeps when its request names none: never at night by default.

A call list or a single callback (`POST /api/callbacks/batch`, `POST /api/callbacks`) sent without `hours` used to be
dialled at any time, 03:00 included, while the designer turns opening hours on for every list and the missed-call
callback promises "never at night". Now such a job gets this node's default hours (`IVRGRAPH_DIAL_DEFAULT_HOURS`,
every day 09:00-21:00 unless set), read in the request's `timezone`, or else in `IVRGRAPH_DIAL_DEFAULT_TIMEZONE`
(UTC unless set), and keeps them as if they had been sent: the API answers them with the job or the campaign.

Calling at any time stays possible, but only when asked for: hours covering the whole clock (`ANY_TIME`, every day
00:00-00:00, one opening that never closes for `blocks.timewindows.next_opening`), in a request or in the setting.
An empty list is no such request (a client serialising "no hours" writes it): it gets the default too.

Jobs of the Callback block keep the block's own hours; this is for the API's jobs only.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from blocks.common import WEEKDAYS
from blocks.timewindows import zone

DEFAULT_HOURS_ENV: Final = "IVRGRAPH_DIAL_DEFAULT_HOURS"
DEFAULT_TIMEZONE_ENV: Final = "IVRGRAPH_DIAL_DEFAULT_TIMEZONE"

Hours = tuple[
    dict[str, Any], ...
]  # rows as the Callback block writes them: {"days": [...], "from": "09:00", "to": ...}

EVERY_DAY: Final = tuple(WEEKDAYS)
DEFAULT_HOURS: Final[Hours] = ({"days": list(EVERY_DAY), "from": "09:00", "to": "21:00"},)
# The explicit opt-in to calling at any time: one range round the clock, every day.
ANY_TIME: Final[Hours] = ({"days": list(EVERY_DAY), "from": "00:00", "to": "00:00"},)

_CLOCK: Final = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]"
# "mon-fri@09:00-20:00", "sat+sun@10:00-14:00" (or a space for the @), or a range alone ("09:00-21:00": every day).
_ROW: Final = re.compile(rf"(?:(?P<days>[a-z+-]+)(?:\s*@\s*|\s+))?(?P<from>{_CLOCK})\s*-\s*(?P<to>{_CLOCK})")
# Rows apart by commas (what an env file sourced by a shell keeps: no space, no `;`), or semicolons.
_ROWS: Final = re.compile(r"[,;]")


@dataclass(frozen=True, slots=True)
class DefaultHours:
    """This node's calling hours for an API job whose request sends none, and the zone read when it names none."""

    hours: Hours = DEFAULT_HOURS
    timezone: str = "UTC"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> DefaultHours:
        """`IVRGRAPH_DIAL_DEFAULT_HOURS` and `IVRGRAPH_DIAL_DEFAULT_TIMEZONE`; ValueError naming the variable of a
        value that cannot be used, so the node stops at start rather than calling at the wrong time."""
        env = os.environ if environ is None else environ
        text = env.get(DEFAULT_HOURS_ENV, "").strip()
        try:
            hours = parse_hours(text) if text else DEFAULT_HOURS
        except ValueError as error:
            raise ValueError(f"{DEFAULT_HOURS_ENV}={text!r}: {error}") from None
        timezone = env.get(DEFAULT_TIMEZONE_ENV, "").strip() or "UTC"
        if zone(timezone) is None:
            raise ValueError(f"{DEFAULT_TIMEZONE_ENV}={timezone!r}: not a time zone this machine knows, such as "
                             "Europe/Madrid or America/New_York")  # fmt: skip
        return cls(hours, timezone)

    def applied(self, hours: Sequence[Mapping[str, Any]], timezone: str | None) -> CallingHours:
        """The hours a job is called in: `hours` as sent, or this node's default when none were; in `timezone` as
        sent, or this node's default zone."""
        chosen = [dict(row) for row in hours] if hours else [dict(row) for row in self.hours]
        return CallingHours(chosen, timezone or self.timezone)


@dataclass(frozen=True, slots=True)
class CallingHours:
    """The hours a request's jobs are called in (rows as the Callback block writes them), and their zone."""

    hours: list[dict[str, Any]] = field(default_factory=list)
    timezone: str = "UTC"


def parse_hours(text: str) -> Hours:
    """Rows of hours from the setting's text: rows apart by commas, each `DAYS@FROM-TO` with DAYS a day (`mon`), a
    run of days (`mon-fri`) or several joined by `+` (`sat+sun`), or `FROM-TO` alone for every day:
    `mon-fri@09:00-20:00,sat@10:00-14:00`. A space may stand for the `@`, a `;` for a comma (where the value is
    quoted). `00:00-00:00` is round the clock. ValueError saying what is wrong."""
    rows: list[dict[str, Any]] = []
    for part in (piece.strip() for piece in _ROWS.split(text.lower())):
        if not part:
            continue
        found = _ROW.fullmatch(part)
        if found is None:
            raise ValueError(f"{part!r} is not hours such as 'mon-fri@09:00-20:00' or '09:00-21:00' (every day)")
        days = _days(found["days"]) if found["days"] else list(EVERY_DAY)
        rows.append({"days": days, "from": found["from"], "to": found["to"]})
    if not rows:
        raise ValueError("no hours: give at least one range, or 00:00-00:00 to call at any time")
    return tuple(rows)


def _days(text: str) -> list[str]:
    """`mon-fri`, `sat+sun`, `mon+wed-fri` as the weekdays they name, in the week's order."""
    named: set[str] = set()
    for piece in text.split("+"):
        first, _, last = piece.partition("-")
        if first not in WEEKDAYS or (last and last not in WEEKDAYS):
            raise ValueError(f"{piece!r} is not a day or run of days (mon, tue, wed, thu, fri, sat, sun; mon-fri)")
        start, end = WEEKDAYS.index(first), WEEKDAYS.index(last or first)
        # A run over the weekend (fri-mon) wraps round the week's end.
        span = range(start, end + 1) if start <= end else [*range(start, 7), *range(end + 1)]
        named.update(WEEKDAYS[index] for index in span)
    return [day for day in WEEKDAYS if day in named]
