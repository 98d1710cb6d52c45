"""The CSV exports' times as a supervisor's Excel (Spanish, Russian...) reads them, over real HTTP: date-times written
`2026-11-23 09:30:12` (a date-time to Excel in any locale, so the column sorts and filters by time) on a named
clock that each time column's header states. A review found they were ISO 8601 in UTC, which Excel keeps as
text and which read an hour off a Madrid office's clock."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from persistence import callbacks, calls, campaign_reports
from persistence.calls import CallRecordIn
from persistence.db import Database
from tests.api.conftest import Client, Server
from tests.persistence import documents

MADRID = ZoneInfo("Europe/Madrid")
BOM = "\ufeff".encode()


def _rows(content: bytes, delimiter: str = ",") -> list[list[str]]:
    assert content.startswith(BOM)  # Excel reads the file as UTF-8 only then
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=delimiter))


def _published(admin: Client, slug: str) -> None:
    created = admin.post("/api/scenarios", json={"slug": slug, "name": "times", "document": documents.greeting()})
    assert created.status_code == 201, created.text
    assert admin.post(f"/api/scenarios/{slug}/publish", json={"message": "v1"}).status_code == 200


@pytest.fixture
def madrid_campaign(server: Server, admin: Client, slug: Callable[[str], str]) -> str:
    """A Madrid office's campaign: its first client dialled at 09:30:12 on the office's clock and answered at
    09:30:20; its second not called yet."""
    name = slug("madrid")
    _published(admin, name)
    started = {"scenario": name, "rows": [{"phone": "600111222", "nombre": "=1+1"}, {"phone": "600111223"}],
               "timezone": "Europe/Madrid", "due": "2026-11-23T09:00:00+01:00", "name": "Deudas"}  # fmt: skip
    created = admin.post("/api/callbacks/batch", json=started)
    assert created.status_code == 200, created.text
    first = created.json()["job_ids"][0]
    dialled = datetime(2026, 11, 23, 9, 30, 12, 345678, tzinfo=MADRID).astimezone(UTC)
    database = Database(server.database_url)
    with database.session() as session:
        callbacks.record_attempt(session, job_id=first, outcome="answered", at=dialled)
        answered = CallRecordIn(
            call_id=f"call-{name}", scenario=name, started_at=dialled, answered_at=dialled + timedelta(seconds=8),
            outcome="ended", trace={"steps": []}, callback_job_id=first, variables={"result": "will_pay"},
        )  # fmt: skip
        calls.write_batch(session, records=[answered])
    database.dispose()
    return str(created.json()["campaign_id"])


def test_a_campaign_report_gives_its_times_on_the_campaigns_clock_and_says_which(
    admin: Client, madrid_campaign: str
) -> None:
    report = admin.get(f"/api/callbacks/campaigns/{madrid_campaign}.csv")
    assert report.status_code == 200, report.text
    header, first, second = _rows(report.content)
    assert header == ["row", "number", "status", "attempts", "outcome", "last_attempt_at (Europe/Madrid)",
                      "last_attempt_at (UTC)", "result", "result_label", "call_outcome",
                      "answered_at (Europe/Madrid)", "call_id", "phone", "nombre"]  # fmt: skip
    assert first[:11] == ["1", "600111222", "done", "1", "answered", "2026-11-23 09:30:12", "2026-11-23 08:30:12",
                          "will_pay", "", "ended", "2026-11-23 09:30:20"]  # fmt: skip
    assert first[-1] == "'=1+1"  # still never a formula
    assert second[5] == second[6] == second[10] == ""  # not called: no time, not a made-up one


def test_a_campaign_report_splits_on_semicolons_for_an_excel_that_does(admin: Client, madrid_campaign: str) -> None:
    """A Spanish or Russian Excel splits a CSV on `;` (its list separator, as its decimal one is `,`): a comma
    file opens as one column there."""
    report = admin.get(f"/api/callbacks/campaigns/{madrid_campaign}.csv", params={"delimiter": "semicolon"})
    assert report.status_code == 200, report.text
    first_line = report.content.decode("utf-8-sig").splitlines()[1]
    assert first_line.startswith("1;600111222;done;1;answered;2026-11-23 09:30:12;")
    header, first, _second = _rows(report.content, ";")
    assert header[5] == "last_attempt_at (Europe/Madrid)" and first[-1] == "'=1+1"
    assert admin.get(f"/api/callbacks/campaigns/{madrid_campaign}.csv", params={"delimiter": "tab"}).status_code == 422


def test_a_campaign_that_kept_no_time_zone_reports_in_utc_and_says_so(
    server: Server, admin: Client, madrid_campaign: str
) -> None:
    """Lists imported before campaigns kept their settings have none: UTC, the zone their times are stored in."""
    database = Database(server.database_url)
    with database.session() as session:
        kept = campaign_reports.require_campaign(session, campaign_id=madrid_campaign)
        kept.settings = {key: value for key, value in kept.settings.items() if key != "timezone"}
    database.dispose()
    header, first, _second = _rows(admin.get(f"/api/callbacks/campaigns/{madrid_campaign}.csv").content)
    assert header[5] == "last_attempt_at (UTC)" and first[5] == "2026-11-23 08:30:12"


@pytest.fixture
def summer_calls(server: Server, slug: Callable[[str], str]) -> str:
    """Two calls of a scenario of our own on 1 May 2026 (summer time in Madrid, +02:00)."""
    scenario = slug("summer")
    at = datetime(2026, 5, 1, 8, 0, 0, 250000, tzinfo=UTC)
    records = [
        CallRecordIn(call_id=f"{scenario}-1", scenario=scenario, started_at=at, answered_at=at + timedelta(seconds=3),
                     ended_at=at + timedelta(minutes=1), outcome="hung_up", trace={"steps": []},
                     caller_id="=HYPERLINK(1)", caller_name="Núñez; José, hijo"),
        CallRecordIn(call_id=f"{scenario}-2", scenario=scenario, started_at=at + timedelta(hours=1),
                     outcome="hung_up", trace={"steps": []}),
    ]  # fmt: skip
    database = Database(server.database_url)
    with database.session() as session:
        calls.write_batch(session, records=records)
    database.dispose()
    return scenario


def _by_id(rows: list[list[str]]) -> dict[str, dict[str, str]]:
    header, *lines = rows
    return {line[0]: dict(zip(header, line, strict=True)) for line in lines}


def test_the_call_register_is_in_utc_unless_asked_and_says_so(admin: Client, summer_calls: str) -> None:
    exported = _rows(admin.get("/api/calls.csv", params={"scenario": summer_calls}).content)
    assert [name for name in exported[0] if name.endswith("_at (UTC)")] == [
        "started_at (UTC)", "answered_at (UTC)", "ended_at (UTC)", "recorded_at (UTC)"
    ]  # fmt: skip
    first = _by_id(exported)[f"{summer_calls}-1"]
    assert (first["started_at (UTC)"], first["answered_at (UTC)"], first["ended_at (UTC)"]) == (
        "2026-05-01 08:00:00", "2026-05-01 08:00:03", "2026-05-01 08:01:00"
    )  # fmt: skip


def test_the_call_register_on_the_clock_asked_for(admin: Client, summer_calls: str) -> None:
    exported = _by_id(
        _rows(admin.get("/api/calls.csv", params={"scenario": summer_calls, "tz": "Europe/Madrid"}).content)
    )
    first, second = exported[f"{summer_calls}-1"], exported[f"{summer_calls}-2"]
    assert (first["started_at (Europe/Madrid)"], first["ended_at (Europe/Madrid)"]) == (
        "2026-05-01 10:00:00", "2026-05-01 10:01:00"
    )  # fmt: skip
    assert (second["started_at (Europe/Madrid)"], second["answered_at (Europe/Madrid)"]) == ("2026-05-01 11:00:00", "")
    assert first["caller_id"] == "'=HYPERLINK(1)" and first["duration_ms"] == "60000"


def test_the_call_register_splits_on_semicolons_when_asked(admin: Client, summer_calls: str) -> None:
    params = {"scenario": summer_calls, "tz": "Europe/Moscow", "delimiter": "semicolon"}
    exported = _by_id(_rows(admin.get("/api/calls.csv", params=params).content, ";"))
    first = exported[f"{summer_calls}-1"]
    assert first["started_at (Europe/Moscow)"] == "2026-05-01 11:00:00"
    assert (first["caller_id"], first["caller_name"]) == ("'=HYPERLINK(1)", "Núñez; José, hijo")


@pytest.mark.parametrize("tz", ["Mars/Olympus", "Europe/Madird", "../../etc/passwd", "", "+01:00"])
def test_an_unknown_time_zone_is_a_422_naming_the_parameter(admin: Client, tz: str) -> None:
    refused = admin.get("/api/calls.csv", params={"tz": tz})
    assert refused.status_code == 422, refused.text
    (problem,) = refused.json()["problems"]
    assert problem["path"] == "$.tz", problem


def test_the_422_says_what_a_time_zone_is(admin: Client) -> None:
    refused = admin.get("/api/calls.csv", params={"tz": "Europe/Madird"})
    (problem,) = refused.json()["problems"]
    assert "unknown time zone 'Europe/Madird'" in problem["message"] and "Europe/Madrid" in problem["message"]


def test_an_unknown_delimiter_is_a_422_naming_the_parameter(admin: Client) -> None:
    refused = admin.get("/api/calls.csv", params={"delimiter": "tab"})
    assert refused.status_code == 422 and refused.json()["problems"][0]["path"] == "$.delimiter"
