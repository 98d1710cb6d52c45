"""The trace's timestamps: IsoTimes caches the formatted second and must still say exactly what isoformat() says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from graph_engine.trace import IsoTimes

MADRID = ZoneInfo("Europe/Madrid")  # DST: the wall-clock hour 02:00-03:00 of the last Sunday of October repeats
ZONES = st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=45)), timezone(timedelta(hours=-3)), MADRID, None])


@given(st.lists(st.tuples(st.datetimes(), ZONES, st.integers(0, 1)), min_size=1, max_size=20))
def test_iso_times_equal_isoformat(moments: list[tuple[datetime, object, int]]) -> None:
    iso = IsoTimes()  # one formatter for the sequence: its cache must never leak one instant into another
    for moment, zone, fold in moments:
        stamped = moment.replace(tzinfo=zone, fold=fold)  # type: ignore[arg-type]
        assert iso(stamped) == stamped.isoformat()


def test_the_repeated_hour_of_a_dst_change_keeps_its_offsets() -> None:
    """The same wall-clock second twice, an hour apart: the cached head must not carry the first offset."""
    iso = IsoTimes()
    first = datetime(2026, 10, 25, 2, 30, 0, 100, tzinfo=MADRID)  # fold=0: still summer time, +02:00
    again = first.replace(microsecond=200, fold=1)  # an hour later, winter time, +01:00
    assert [iso(first), iso(again), iso(first)] == [first.isoformat(), again.isoformat(), first.isoformat()]
    assert iso(again).endswith("+01:00")


def test_a_clock_going_back_within_its_second_is_still_exact() -> None:
    iso = IsoTimes()
    later = datetime(2026, 11, 22, 9, 0, 1, 500_000, tzinfo=UTC)
    for moment in (later, later - timedelta(seconds=1), later, later + timedelta(days=1), later):
        assert iso(moment) == moment.isoformat()


@given(st.datetimes(timezones=st.just(UTC)), st.lists(st.integers(0, 999_999), min_size=2, max_size=10))
def test_steps_within_one_second_share_the_cached_head(moment: datetime, micros: list[int]) -> None:
    iso = IsoTimes()
    for micro in micros:  # includes 0, where isoformat() leaves the fraction out
        stamped = moment.replace(microsecond=micro)
        assert iso(stamped) == stamped.isoformat()


def test_step_durations_are_exact_milliseconds() -> None:
    from graph_engine.interpreter import _ONE_MS

    start = datetime(2026, 11, 22, 9, 0, 0, 999_999, tzinfo=UTC)
    assert (start + timedelta(microseconds=1234) - start) / _ONE_MS == 1.234
    assert (start + timedelta(seconds=2, microseconds=5) - start) / _ONE_MS == 2000.005


def test_the_last_second_there_is_still_formats() -> None:
    """datetime.max's second has no next second to bound the cached one with."""
    iso = IsoTimes()
    moments = [datetime.max.replace(tzinfo=UTC, microsecond=micro) for micro in (1, 999_999, 0, 42)]
    assert [iso(moment) for moment in moments] == [moment.isoformat() for moment in moments]
