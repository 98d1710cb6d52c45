"""The CSV exports on a local clock across its changes, over real HTTP. A supervisor's review: with
`tz=Europe/Madrid`, calls at 00:30 and 01:30 UTC on 25 October 2026 (02:30 CEST, then 02:30 CET) were both written
`2026-10-25 02:30:00`, and a 4 s call from 00:59:59 UTC read started `02:59:59`, ended `02:00:03`: sorted rows mixed
the two hours. The cells stay `2026-11-23 09:30:12` (what Excel reads as a date-time in any locale); the start is
written in UTC beside them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from persistence import callbacks, calls
from persistence.calls import CallRecordIn
from persistence.db import Database
from tests.api.conftest import Client, Server
from tests.persistence import documents

AUTUMN = {  # Madrid's clock goes from 03:00 CEST back to 02:00 CET at 01:00 UTC on 25 October 2026
    "first-0230": datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
    "across": datetime(2026, 10, 25, 0, 59, 59, tzinfo=UTC),  # 4 s, ending 01:00:03 UTC
    "second-0230": datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
}


def _rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.fixture
def autumn_calls(server: Server, slug: Callable[[str], str]) -> str:
    scenario = slug("autumn")
    records = [
        CallRecordIn(call_id=f"{scenario}-{name}", scenario=scenario, started_at=at, answered_at=at,
                     ended_at=at + timedelta(seconds=4), outcome="hung_up", trace={"steps": []})
        for name, at in AUTUMN.items()
    ]  # fmt: skip
    database = Database(server.database_url)
    with database.session() as session:
        calls.write_batch(session, records=records)
    database.dispose()
    return scenario


def test_the_hour_madrid_repeats_is_told_apart_by_the_start_in_utc(admin: Client, autumn_calls: str) -> None:
    exported = admin.get("/api/calls.csv", params={"scenario": autumn_calls, "tz": "Europe/Madrid"})
    assert exported.status_code == 200, exported.text
    header, *lines = _rows(exported.content)
    local, utc = header.index("started_at (Europe/Madrid)"), header.index("started_at (UTC)")
    assert utc == local + 1  # beside the local one
    rows = {line[0].removeprefix(f"{autumn_calls}-"): dict(zip(header, line, strict=True)) for line in lines}
    assert {name: (row["started_at (Europe/Madrid)"], row["started_at (UTC)"]) for name, row in rows.items()} == {
        "first-0230": ("2026-10-25 02:30:00", "2026-10-25 00:30:00"),
        "second-0230": ("2026-10-25 02:30:00", "2026-10-25 01:30:00"),  # the same local time, an hour later
        "across": ("2026-10-25 02:59:59", "2026-10-25 00:59:59"),
    }
    across = rows["across"]
    # Ended "before" it started on the local clock; the start in UTC and the duration say when it did.
    assert (across["ended_at (Europe/Madrid)"], across["duration_ms"]) == ("2026-10-25 02:00:03", "4000")
    # Newest first, as the register lists: in the order they happened, which the local column cannot show.
    assert [line[utc] for line in lines] == sorted((line[utc] for line in lines), reverse=True)
    assert [line[local] for line in lines] == ["2026-10-25 02:30:00", "2026-10-25 02:59:59", "2026-10-25 02:30:00"]


def test_a_utc_export_has_its_start_once(admin: Client, autumn_calls: str) -> None:
    """On UTC the start column is `started_at (UTC)` already: the column a BI tool reads is in every export."""
    header, *_lines = _rows(admin.get("/api/calls.csv", params={"scenario": autumn_calls}).content)
    assert header.count("started_at (UTC)") == 1 and not any("Europe" in name for name in header)


def test_a_campaign_report_on_the_offices_clock_gives_the_attempt_in_utc_too(
    server: Server, admin: Client, slug: Callable[[str], str]
) -> None:
    """Two clients dialled at 02:30 on Madrid's clock, an hour apart, the night it goes back."""
    name = slug("autumn-list")
    created = admin.post("/api/scenarios", json={"slug": name, "name": "dst", "document": documents.greeting()})
    assert created.status_code == 201, created.text
    assert admin.post(f"/api/scenarios/{name}/publish", json={"message": "v1"}).status_code == 200
    started = {"scenario": name, "rows": [{"phone": "600111222"}, {"phone": "600111223"}],
               "timezone": "Europe/Madrid", "due": "2026-10-25T00:00:00+02:00", "name": "Noche"}  # fmt: skip
    batch = admin.post("/api/callbacks/batch", json=started)
    assert batch.status_code == 200, batch.text
    database = Database(server.database_url)
    with database.session() as session:
        for job, at in zip(batch.json()["job_ids"], (AUTUMN["first-0230"], AUTUMN["second-0230"]), strict=True):
            callbacks.record_attempt(session, job_id=job, outcome="no_answer", at=at)
    database.dispose()
    report = admin.get(f"/api/callbacks/campaigns/{batch.json()['campaign_id']}.csv")
    assert report.status_code == 200, report.text
    header, *lines = _rows(report.content)
    local, utc = header.index("last_attempt_at (Europe/Madrid)"), header.index("last_attempt_at (UTC)")
    assert utc == local + 1 and header[-1] == "phone"  # the list's own columns still last
    assert [(line[local], line[utc]) for line in lines] == [
        ("2026-10-25 02:30:00", "2026-10-25 00:30:00"),
        ("2026-10-25 02:30:00", "2026-10-25 01:30:00"),
    ]
