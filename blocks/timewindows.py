"""Weekly opening hours in a time zone: is a moment inside them, and when do they next open.

Used by Schedule (office hours) and Callback (never call at night). Ranges may cross midnight (22:00-06:00).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from blocks.common import CLOCK_TIME, WEEKDAYS, parse_clock
from graph_engine.document import Node
from graph_engine.issues import Issue, error, node_params
from graph_engine.schema_messages import field_label

HOURS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "title": "Opening hours",
    "items": {
        "type": "object",
        "required": ["days", "from", "to"],
        "properties": {
            "days": {
                "type": "array",
                "items": {"enum": WEEKDAYS},
                "minItems": 1,
                "uniqueItems": True,
                "title": "Days",
            },
            "from": {**CLOCK_TIME, "title": "From"},
            "to": {**CLOCK_TIME, "title": "To"},
        },
        "additionalProperties": False,
    },
}

HOLIDAYS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "title": "Holidays",
    "items": {"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
    "default": [],
}

TIMEZONE_SCHEMA: dict[str, Any] = {
    "type": "string",
    "pattern": "^[A-Za-z_]+(/[A-Za-z0-9_+-]+){0,2}$|^UTC$",
    "default": "UTC",
    "title": "Time zone",
    "description": "IANA name, e.g. Europe/Madrid, Europe/Moscow, Asia/Almaty.",
}


def timezone_problems(node: Node, block_title: str) -> list[Issue]:
    """An `unknown_timezone` issue when the node's `timezone` is not an IANA zone this machine knows."""
    name = str(node.config.get("timezone", "UTC"))
    if zone(name) is not None:
        return []
    return [
        error(
            "unknown_timezone",
            f'{block_title} "{node.title}": unknown time zone {name}',
            node=node.id,
            path="$.config.timezone",
            params={**node_params(node.type, block_title, node.title), "timezone": name},
        )
    ]


def holiday_problems(node: Node, block_title: str, schema: Mapping[str, Any]) -> list[Issue]:
    """A `config` issue (rule `format`) for each holiday in the node's `holidays` that is no day of the calendar,
    such as 2026-25-12 (day and month swapped) or 2026-02-30, located and named as a config problem of that row:
    the schema's `"format": "date"` says so, but neither validator checks formats (graph_engine.document), its
    pattern lets such a date through, and a holiday that is no day never matches one, so the line stays open on
    the day it meant. `schema` is the block's config schema, which titles the field."""
    issues = []
    for index, day in enumerate(node.config.get("holidays") or []):
        if not isinstance(day, str) or _calendar_day(day) is not None:
            continue  # not text: the schema's problem, already said
        label = field_label(schema, ["holidays", index])
        detail = f"{day!r} is not a date: write year-month-day (YYYY-MM-DD), e.g. 2026-12-25"
        issues.append(
            error(
                "config",
                f'{block_title} "{node.title}": {label}: {detail}',
                node=node.id,
                path=f"$.config.holidays[{index}]",
                params={
                    **node_params(node.type, block_title, node.title),
                    "field": label,
                    "rule": "format",
                    "format": "date",
                    "value": day,
                    "detail": detail,
                },
            )
        )
    return issues


def _calendar_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def no_hours_problems(node: Node, block_title: str, field: str, consequence: str) -> list[Issue]:
    """A `no_hours` issue when the node's weekly hours in `field` are an empty list: they never open, so the block
    always takes the same way (`consequence`), which no one draws on purpose. A field left out takes its default."""
    if node.config.get(field, True):
        return []
    return [
        error(
            "no_hours",
            f'{block_title} "{node.title}" has no hours: {consequence}. Add a period, e.g. Monday to Friday '
            "09:00-18:00",
            node=node.id,
            path=f"$.config.{field}",
            params={**node_params(node.type, block_title, node.title), "field": field},
        )
    ]


def zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _ranges_on(day: date, hours: Sequence[Mapping[str, Any]], tz: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """The opening ranges that start on `day` (local), as aware datetimes."""
    weekday = WEEKDAYS[day.weekday()]
    ranges = []
    for entry in hours:
        if weekday not in entry["days"]:
            continue
        start = datetime.combine(day, time(*parse_clock(entry["from"])), tzinfo=tz)
        end_day = day if entry["to"] > entry["from"] else day + timedelta(days=1)
        end = datetime.combine(end_day, time(*parse_clock(entry["to"])), tzinfo=tz)
        if entry["to"] == "00:00" and entry["from"] != "00:00":
            end = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=tz)
        ranges.append((start, end))
    return sorted(ranges)


def is_open(moment: datetime, hours: Sequence[Mapping[str, Any]], tz: ZoneInfo, holidays: Sequence[str] = ()) -> bool:
    local = moment.astimezone(tz)
    for day in (local.date() - timedelta(days=1), local.date()):
        if day.isoformat() in holidays:
            continue
        for start, end in _ranges_on(day, hours, tz):
            if start <= local < end:
                return True
    return False


def next_opening(
    moment: datetime,
    hours: Sequence[Mapping[str, Any]],
    tz: ZoneInfo,
    holidays: Sequence[str] = (),
    horizon_days: int = 14,
) -> tuple[datetime, datetime] | None:
    """The open range containing `moment`, or the next one to start, as (from, to); None within the horizon.

    Open means the wall clock of `tz` reads inside a range (as `is_open` says). `from` is never before `moment`
    and `to` is after `from`, as instants: on the night clocks go back a wall time shows twice, and on the night
    they go forward a skipped one opens when the clock jumps over it (see `_showing`). Ranges that run on into
    each other (09:00-13:00 and 13:00-21:00; every day 00:00-00:00) are one opening: `to` is where the hours
    really close, or the horizon's end, so a callback retried across midnight is still inside its window.
    """
    local = moment.astimezone(tz)
    instant = moment.astimezone(UTC)
    opening: tuple[datetime, datetime] | None = None
    for offset in range(-1, horizon_days + 1):
        day = local.date() + timedelta(days=offset)
        if day.isoformat() in holidays:
            continue
        for start, end in _ranges_on(day, hours, tz):
            if end <= local:  # by the wall clock, as is_open reads it
                continue
            if opening is None:
                due = instant if start <= local else _showing(start, instant)
                closes = _showing(end, due)
                if closes > due:
                    opening = (due, closes)
                continue
            due, closes = opening
            if _showing(start, due) > closes:  # a gap: the hours close at `closes`
                return _until_the_clock_goes_back(due, closes, hours, tz, holidays)
            opening = (due, max(closes, _showing(end, due)))
    if opening is None:
        return None
    return _until_the_clock_goes_back(*opening, hours, tz, holidays)


def _until_the_clock_goes_back(
    due: datetime, closes: datetime, hours: Sequence[Mapping[str, Any]], tz: ZoneInfo, holidays: Sequence[str]
) -> tuple[datetime, datetime]:
    """(due, closes) in `tz`, cut where the clocks go back to a time outside the hours, if they do before
    `closes`: on that night the wall clock shows an hour twice, and the hours may open in its first pass
    (02:30 of 02:30-10:30) and be closed in the second's start (02:00-02:30 again), which `is_open` reads
    by the wall clock. The next opening then starts when the second pass reaches the hours."""
    summer, winter = _offset(due, tz), _offset(closes, tz)
    if due.utcoffset() is not None and summer > winter:
        earlier, later = due, closes  # the instant the offset drops, to the second
        while later - earlier > _SECOND:
            middle = earlier + (later - earlier) / 2
            if _offset(middle, tz) == summer:
                earlier = middle
            else:
                later = middle
        shown_again = summer - winter
        moment = later.replace(microsecond=0)
        while moment < min(later + shown_again, closes):
            if not is_open(moment, hours, tz, holidays):
                closes = moment
                break
            moment += _MINUTE
    return (due.astimezone(tz), closes.astimezone(tz))


def _offset(moment: datetime, tz: ZoneInfo) -> timedelta:
    return moment.astimezone(tz).utcoffset() or timedelta(0)


def callback_window(
    hours: Sequence[Mapping[str, Any]],
    timezone: str,
    holidays: Sequence[str] = (),
    *,
    defer: bool = True,
    max_defer_hours: float | None = None,
    until: datetime | None = None,
) -> dict[str, Any]:
    """The allowed hours a callback job keeps (JSON), so a retry that falls after they close moves to the next
    opening instead of giving up: see `reopening`. `defer` and `max_defer_hours` are the Callback block's "outside
    the hours" settings, which bound a retry's move as they bound the first call's; `until` is a campaign's last
    moment: no opening reaches past it."""
    window: dict[str, Any] = {
        "hours": [dict(entry) for entry in hours],
        "timezone": timezone,
        "holidays": list(holidays),
        "defer": defer,
    }
    if max_defer_hours is not None:
        window["max_defer_hours"] = max_defer_hours
    if until is not None:
        window["until"] = until.astimezone(UTC).isoformat()
    return window


def reopening(after: datetime, window: Mapping[str, Any] | None) -> tuple[datetime, datetime] | None:
    """The opening of a job's `callback_window` that contains `after`, or the next; None when the window is
    missing or unreadable, has no opening in the next two weeks, says not to defer, or opens later than
    `max_defer_hours` after `after`, or starts at or after the window's `until`; an opening that `until` cuts
    short ends there."""
    if not window or window.get("defer") is False:
        return None
    tz = zone(str(window.get("timezone", "UTC")))
    hours = window.get("hours")
    if tz is None or not isinstance(hours, list):
        return None
    try:
        opening = next_opening(after, hours, tz, list(window.get("holidays") or []))
        limit = window.get("max_defer_hours")
        if opening is None or (limit is not None and opening[0] - after > timedelta(hours=float(limit))):
            return None
        until = window.get("until")
        if until is None:
            return opening
        last = datetime.fromisoformat(str(until))
        return None if opening[0] >= last else (opening[0], min(opening[1], last))
    except (KeyError, TypeError, ValueError):  # a window stored by an older or foreign writer: no reopening
        return None


def _showing(wall: datetime, after: datetime) -> datetime:
    """The first instant (UTC), not before `after`, at which the wall clock of `wall`'s zone shows `wall`.

    A time shown twice (clocks going back) has two instants: the first not before `after` counts. A time the
    clock skips (going forward) is reached when the clock jumps over it, found to the minute.
    """
    tz = wall.tzinfo
    naive = wall.replace(tzinfo=None)
    earlier, later = sorted((wall.replace(fold=0).astimezone(UTC), wall.replace(fold=1).astimezone(UTC)))
    if earlier.astimezone(tz).replace(tzinfo=None) != naive:  # skipped: `earlier` is before the jump
        while later - earlier > _MINUTE:
            middle = earlier + (later - earlier) / 2
            if middle.astimezone(tz).replace(tzinfo=None) >= naive:
                later = middle
            else:
                earlier = middle
        jump = later.replace(second=0, microsecond=0)
        return max(jump if jump.astimezone(tz).replace(tzinfo=None) >= naive else later, after)
    for candidate in (earlier, later):
        if candidate >= after:
            return candidate
    return after


_MINUTE = timedelta(minutes=1)
_SECOND = timedelta(seconds=1)
