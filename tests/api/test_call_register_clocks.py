"""The register's `since` and `until` without an offset, read on the clock `tz` names, over real HTTP.

A supervisor's BI review: `/api/calls.csv?since=2026-12-07T00:00:00&until=2026-12-08T00:00:00&tz=Europe/Madrid`
returned Madrid's 01:00 on the 7th to 00:40 on the 8th (the times were read as UTC, which only a code comment
said), and `+01:00` written as is in the URL was a 422 that did not say the + had become a space.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from persistence.calls import CallRecordIn, CallRecordWriter
from persistence.db import Database
from tests.api.conftest import Client, Server

# Calls around Madrid's Monday 7 December 2026 (winter: UTC+01:00), named by Madrid's clock.
DECEMBER = {
    "sun-2359": datetime(2026, 12, 6, 22, 59, tzinfo=UTC),  # 23:59 on the 6th in Madrid
    "mon-0030": datetime(2026, 12, 6, 23, 30, tzinfo=UTC),  # 00:30 on the 7th in Madrid, still the 6th in UTC
    "mon-0130": datetime(2026, 12, 7, 0, 30, tzinfo=UTC),
    "mon-2350": datetime(2026, 12, 7, 22, 50, tzinfo=UTC),
    "tue-0040": datetime(2026, 12, 7, 23, 40, tzinfo=UTC),  # 00:40 on the 8th in Madrid
}
MADRID_7TH = ["mon-2350", "mon-0130", "mon-0030"]  # newest first, as the register lists
UTC_7TH = ["tue-0040", "mon-2350", "mon-0130"]
# Madrid's clock changes of 2026: 02:00 -> 03:00 on 29 March (02:30 never shows), 03:00 -> 02:00 on 25 October
# (02:30 shows twice: at 00:30 UTC and at 01:30 UTC).
CHANGES = {
    "spring-0129": datetime(2026, 3, 29, 1, 29, tzinfo=UTC),
    "spring-0131": datetime(2026, 3, 29, 1, 31, tzinfo=UTC),
    "autumn-0029": datetime(2026, 10, 25, 0, 29, tzinfo=UTC),
    "autumn-0031": datetime(2026, 10, 25, 0, 31, tzinfo=UTC),  # 02:31 the first time
    "autumn-0131": datetime(2026, 10, 25, 1, 31, tzinfo=UTC),  # 02:31 the second time
}


@pytest.fixture
def register(server: Server, slug: Callable[[str], str]) -> Iterator[str]:
    """A scenario of our own with the calls above, written as the FastAGI node writes them."""
    scenario = slug("clocks")
    records = [
        CallRecordIn(call_id=f"{scenario}-{name}", scenario=scenario, started_at=at, ended_at=at + timedelta(minutes=1),
                     outcome="hung_up", trace={"steps": []})
        for name, at in {**DECEMBER, **CHANGES}.items()
    ]  # fmt: skip
    database = Database(server.database_url)
    CallRecordWriter(database).write_batch(records)
    database.dispose()
    yield scenario


def _listed(admin: Client, scenario: str, **params: str) -> list[str]:
    response = admin.get("/api/calls", params={"scenario": scenario, **params})
    assert response.status_code == 200, response.text
    return [item["id"].removeprefix(f"{scenario}-") for item in response.json()["items"]]


def _exported(admin: Client, scenario: str, **params: str) -> list[str]:
    response = admin.get("/api/calls.csv", params={"scenario": scenario, **params})
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    return [row["id"].removeprefix(f"{scenario}-") for row in rows]


MADRID_DAY = {"since": "2026-12-07T00:00:00", "until": "2026-12-08T00:00:00", "tz": "Europe/Madrid"}


@pytest.mark.parametrize("read", [_listed, _exported], ids=["list", "csv"])
def test_a_day_without_offsets_is_the_day_on_the_clock_tz_names(
    admin: Client, register: str, read: Callable[..., list[str]]
) -> None:
    assert read(admin, register, **MADRID_DAY) == MADRID_7TH
    assert read(admin, register, since="2026-12-07", until="2026-12-08", tz="Europe/Madrid") == MADRID_7TH
    # An offset given says the clock itself, whatever `tz` is.
    utc_day = {"since": "2026-12-07T00:00:00Z", "until": "2026-12-08T00:00:00+00:00", "tz": "Europe/Madrid"}
    assert read(admin, register, **utc_day) == UTC_7TH


@pytest.mark.parametrize("read", [_listed, _exported], ids=["list", "csv"])
def test_without_tz_a_time_without_offset_is_utc_as_before(
    admin: Client, register: str, read: Callable[..., list[str]]
) -> None:
    assert read(admin, register, since="2026-12-07", until="2026-12-08") == UTC_7TH
    assert read(admin, register, since="2026-12-07T00:00:00", until="2026-12-08T00:00:00", tz="UTC") == UTC_7TH


def test_the_csv_writes_its_times_on_the_clock_it_read_the_filter_on(admin: Client, register: str) -> None:
    response = admin.get("/api/calls.csv", params={"scenario": register, **MADRID_DAY})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["started_at (Europe/Madrid)"] for row in rows] == [
        "2026-12-07 23:50:00", "2026-12-07 01:30:00", "2026-12-07 00:30:00"
    ]  # fmt: skip
    assert all(row["recorded_at (Europe/Madrid)"] for row in rows)  # when each was stored, on the same clock


@pytest.mark.parametrize("read", [_listed, _exported], ids=["list", "csv"])
def test_a_local_time_a_clock_change_skips_or_repeats_takes_the_offset_before_the_change(
    admin: Client, register: str, read: Callable[..., list[str]]
) -> None:
    """fold=0, as the OpenAPI description says: 02:30 on 29 March (never shown) is 01:30 UTC, as at +01:00; 02:30
    on 25 October (shown twice) is the first time, 00:30 UTC, as at +02:00."""
    madrid = {"tz": "Europe/Madrid"}
    spring = read(admin, register, since="2026-03-29T02:30:00", until="2026-03-29T04:00:00", **madrid)
    assert spring == ["spring-0131"]
    autumn = read(admin, register, since="2026-10-25T02:30:00", until="2026-10-25T03:00:00", **madrid)
    assert autumn == ["autumn-0131", "autumn-0031"]


@pytest.mark.parametrize("path", ["/api/calls", "/api/calls.csv"])
@pytest.mark.parametrize("name", ["since", "until"])
def test_an_offsets_plus_left_unencoded_is_a_422_that_says_to_write_2b_or_use_tz(
    admin: Client, register: str, path: str, name: str
) -> None:
    refused = admin.get(f"{path}?scenario={register}&{name}=2026-12-07T00:00:00+01:00")  # as typed in a browser
    assert refused.status_code == 422, refused.text
    (problem,) = refused.json()["problems"]
    assert problem["path"] == f"$.{name}"
    assert "%2B" in problem["message"] and "2026-12-07T00:00:00%2B01:00" in problem["message"]
    assert "tz" in problem["message"]
    written = admin.get(f"{path}?scenario={register}&{name}=2026-12-07T00:00:00%2B01:00")
    assert written.status_code == 200, written.text


def test_recorded_since_without_offset_is_read_on_tz_too(admin: Client, register: str) -> None:
    """`recorded_since` of the BI tool's first pull: the register's records were all stored just now."""
    ahead = datetime.now(UTC).replace(tzinfo=None) + timedelta(minutes=30)  # 30 minutes ahead on UTC's clock
    params = {"order": "recorded", "recorded_since": ahead.isoformat(timespec="seconds")}
    assert _listed(admin, register, **params) == []
    # The same digits on Moscow's clock (UTC+03:00) are two and a half hours ago: everything is newer.
    assert len(_listed(admin, register, **params, tz="Europe/Moscow")) == len(DECEMBER) + len(CHANGES)


@pytest.mark.parametrize("path", ["/api/calls", "/api/calls.csv", "/api/calls.xlsx"])
def test_a_range_that_ends_before_it_starts_is_a_422_naming_until(admin: Client, register: str, path: str) -> None:
    # Review of 2026-12-07: answered as a range with no calls (an empty page, an empty file), a swapped pair read as
    # "no calls that day", where a report and a path's statistics refuse it.
    refused = admin.get(path, params={"scenario": register, "since": "2026-12-08", "until": "2026-12-07"})
    assert refused.status_code == 422, refused.text
    (problem,) = refused.json()["problems"]
    assert (problem["path"], problem["message"]) == ("$.until", "must not be before `since`")
    # Read on the clock `tz` names: Madrid's midnight of the 8th is 23:00 UTC on the 7th, before 23:30 UTC.
    madrid = {"since": "2026-12-07T23:30:00Z", "until": "2026-12-08T00:00:00", "tz": "Europe/Madrid"}
    assert admin.get(path, params={"scenario": register, **madrid}).status_code == 422
    assert (
        admin.get(path, params={"scenario": register, "since": "2026-12-07", "until": "2026-12-07"}).status_code == 200
    )
