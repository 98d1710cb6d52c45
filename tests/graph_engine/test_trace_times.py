"""The trace's timestamps: IsoTimes caches the formatted second and must still say exactly what isoformat() says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from graph_engine.trace import IsoTimes

ZONES = st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=45)), timezone(timedelta(hours=-3)), None])


@given(st.lists(st.tuples(st.datetimes(), ZONES), min_size=1, max_size=20))
def test_iso_times_equal_isoformat(moments: list[tuple[datetime, object]]) -> None:
    iso = IsoTimes()  # one formatter for the sequence: its cache must never leak one instant into another
    for moment, zone in moments:
        stamped = moment.replace(tzinfo=zone)  # type: ignore[arg-type]
        assert iso(stamped) == stamped.isoformat()


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
