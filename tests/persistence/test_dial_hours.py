"""The node's default calling hours (IVRGRAPH_DIAL_DEFAULT_HOURS, _TIMEZONE): read, checked, and round the clock
when asked, as the window code reads it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from api.settings import Settings
from blocks.timewindows import callback_window, reopening
from persistence.dial_hours import ANY_TIME, DEFAULT_HOURS, DefaultHours, parse_hours

WEEK = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def test_unset_it_is_every_day_from_9_to_21_in_utc() -> None:
    default = DefaultHours.from_env({})
    assert (default.hours, default.timezone) == (DEFAULT_HOURS, "UTC")
    assert DEFAULT_HOURS == ({"days": WEEK, "from": "09:00", "to": "21:00"},)
    assert Settings.from_env({"IVRGRAPH_DATABASE_URL": "sqlite://"}).dial_hours == default


def test_rows_days_and_runs_are_read() -> None:
    # As an env file sourced by a shell keeps it (no space, no `;`), and as one may write it quoted.
    assert parse_hours("mon-fri 09:00-20:00; Sat+SUN 10:00 - 14:00;") == parse_hours(
        "mon-fri@09:00-20:00,sat+sun@10:00-14:00"
    )
    assert parse_hours("mon-fri@09:00-20:00,sat+sun@10:00-14:00") == (
        {"days": WEEK[:5], "from": "09:00", "to": "20:00"},
        {"days": ["sat", "sun"], "from": "10:00", "to": "14:00"},
    )
    overnight = {"days": ["mon", "fri", "sat", "sun"], "from": "22:00", "to": "06:00"}
    assert parse_hours("fri-mon@22:00-06:00") == (overnight,)  # a run round the week's end
    assert parse_hours("00:00-00:00") == ANY_TIME


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"IVRGRAPH_DIAL_DEFAULT_HOURS": "9-21"}, "IVRGRAPH_DIAL_DEFAULT_HOURS='9-21'"),
        ({"IVRGRAPH_DIAL_DEFAULT_HOURS": "weekdays 09:00-21:00"}, "'weekdays' is not a day"),
        ({"IVRGRAPH_DIAL_DEFAULT_HOURS": "mon 09:00-24:00"}, "IVRGRAPH_DIAL_DEFAULT_HOURS="),
        ({"IVRGRAPH_DIAL_DEFAULT_HOURS": ";"}, "no hours"),
        ({"IVRGRAPH_DIAL_DEFAULT_TIMEZONE": "Mars/Olympus"}, "IVRGRAPH_DIAL_DEFAULT_TIMEZONE='Mars/Olympus'"),
    ],
)
def test_a_value_that_cannot_be_used_stops_the_node_naming_it(environ: dict[str, str], named: str) -> None:
    with pytest.raises(ValueError, match="IVRGRAPH_DIAL_DEFAULT_") as raised:
        Settings.from_env({"IVRGRAPH_DATABASE_URL": "sqlite://", **environ})
    assert named in str(raised.value)


def test_round_the_clock_is_one_opening_that_a_reopening_never_moves_into_the_morning() -> None:
    window = callback_window(ANY_TIME, "Europe/Madrid")
    night = datetime(2030, 6, 1, 1, 0, tzinfo=UTC)  # 03:00 in Madrid
    opening = reopening(night, window)
    assert opening is not None
    assert opening[0] == night and opening[1] - night >= timedelta(days=14)
    # Where that opening "closes" (the horizon), the next starts at once: a retry is never held back.
    again = reopening(opening[1], window)
    assert again is not None and again[0] == opening[1]


def test_a_request_s_hours_and_zone_come_before_the_nodes() -> None:
    node = DefaultHours(parse_hours("mon-fri 10:00-18:00"), "Europe/Moscow")
    sent = [{"days": ["sat"], "from": "10:00", "to": "12:00"}]
    assert (node.applied(sent, "Europe/Madrid").hours, node.applied(sent, None).timezone) == (sent, "Europe/Moscow")
    assert node.applied([], None).hours == [{"days": WEEK[:5], "from": "10:00", "to": "18:00"}]
