"""Health, the designer's static files, the committed OpenAPI document, data sources, calls."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from api import export_openapi
from persistence.calls import CallRecordIn, CallRecordWriter
from persistence.db import Database
from tests.api.conftest import Client, Server
from tests.persistence import documents


def test_health_and_readiness(anonymous: Client) -> None:
    assert anonymous.get("/healthz").json() == {"status": "ok"}
    assert anonymous.get("/readyz").json() == {"status": "ready"}


def test_the_designer_is_served_at_the_root_and_other_pages_are_its_routes(anonymous: Client) -> None:
    assert "ivrgraph designer" in anonymous.get("/").text
    assert anonymous.get("/s/sales").headers["location"] == "../#/s/sales"  # the designer's hash route
    assert anonymous.get("/assets/app.js").text == "console.log('designer')"
    escaped = anonymous.get("/../../etc/passwd")
    assert escaped.status_code in (307, 404) and "root:" not in escaped.text
    assert "root:" not in anonymous.get("/%2e%2e/%2e%2e/etc/passwd").text
    unknown_api = anonymous.get("/api/nothing-here")
    assert unknown_api.status_code == 404 and unknown_api.headers["content-type"] == "application/problem+json"


def test_openapi_is_served_and_the_committed_copy_is_current(anonymous: Client) -> None:
    served = anonymous.get("/openapi.json").json()
    assert "/api/scenarios/{slug}/draft" in served["paths"]
    assert "swagger" in anonymous.get("/docs").text.lower()
    assert export_openapi.main(["--check"]) == 0, "api/openapi.json is stale: run python -m api.export_openapi"


def test_data_source_secrets_never_come_back(admin: Client) -> None:
    url = "postgresql://crm_user:s3cret-pass@db.example:5433/crm"
    created = admin.post("/api/data-sources", json={"name": f"crm_{id(admin)}", "url": url})
    assert created.status_code == 201
    source = created.json()
    assert source["target"] == "postgresql://db.example:5433/crm"
    everything = admin.get("/api/data-sources").text + admin.get(f"/api/data-sources/{source['id']}").text
    changed = admin.patch(f"/api/data-sources/{source['id']}", json={"url": url.replace("s3cret", "other")})
    assert "s3cret" not in everything + changed.text and "crm_user" not in everything
    assert admin.delete(f"/api/data-sources/{source['id']}").status_code == 204
    bad = admin.post("/api/data-sources", json={"name": "bad name", "url": url})
    assert bad.status_code == 422
    # Said as what it is, not as a broken scenario (review, 2026-12-05: "the document breaks the scenario format").
    not_a_url = admin.post("/api/data-sources", json={"name": "crm_bad", "url": "not a url"}).json()
    assert not_a_url["type"].endswith("/request-refused")
    assert not_a_url["detail"].startswith("the data source cannot be saved: not a database URL")
    assert not_a_url["problems"][0]["path"] == "$.url"


@pytest.fixture
def recorded_calls(server: Server, admin: Client) -> str:
    """Calls of a scenario of our own, written the way the FastAGI runtime writes them."""
    scenario = f"calls-{id(admin)}"
    database = Database(server.database_url)
    t0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    records = [
        CallRecordIn(
            call_id=f"{scenario}-{n}",
            scenario=scenario,
            started_at=t0 + timedelta(minutes=n),
            ended_at=t0 + timedelta(minutes=n, seconds=20),
            answered_at=None if n % 5 == 0 else t0,
            outcome="hung_up",
            caller_id="=HYPERLINK(1)" if n == 1 else f"+3460{n % 2}",
            trace={"steps": [{"node": "start", "type": "start", "events": []}], "answered": n % 5 != 0},
            variables={"result": "will_pay"} if n == 2 else {},
            callback_job_id="job-7" if n == 2 else None,
            asterisk_uniqueid=f"1795295104.{n}",
            dialed_number="+34600111222" if n == 4 else "900",  # call 4: a callback, which rang the client
        )
        for n in range(12)
    ]
    CallRecordWriter(database).write_batch(records)
    database.dispose()
    return scenario


def test_calls_list_filters_pages_and_exports(admin: Client, recorded_calls: str) -> None:
    first = admin.get("/api/calls", params={"scenario": recorded_calls, "page_size": 5}).json()
    assert [c["id"] for c in first["items"]] == [f"{recorded_calls}-{n}" for n in (11, 10, 9, 8, 7)]
    second = admin.get(
        "/api/calls", params={"scenario": recorded_calls, "page_size": 5, "cursor": first["next_cursor"]}
    )
    assert second.json()["items"][0]["id"] == f"{recorded_calls}-6"
    missed = admin.get("/api/calls", params={"scenario": recorded_calls, "status": "missed"}).json()["items"]
    assert sorted(c["id"] for c in missed) == [f"{recorded_calls}-{n}" for n in (0, 10, 5)]
    window = {"scenario": recorded_calls, "since": "2026-05-01T08:03:00Z", "until": "2026-05-01T08:05:00Z"}
    assert len(admin.get("/api/calls", params=window).json()["items"]) == 2
    detail = admin.get(f"/api/calls/{recorded_calls}-3").json()
    assert detail["trace"]["steps"][0]["node"] == "start"
    assert admin.get("/api/calls/nope").status_code == 404
    assert admin.get("/api/calls", params={"cursor": "garbage"}).status_code == 400
    exported = admin.get("/api/calls.csv", params={"scenario": recorded_calls}).content
    # A byte order mark first: Excel reads the file as UTF-8 only then (review of 2026-12-05).
    assert exported.startswith("\ufeff".encode())
    csv_text = exported.decode("utf-8-sig")
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("id,scenario,version,status") and len(lines) == 13
    assert "'=HYPERLINK(1)" in csv_text  # never a live spreadsheet formula
    # Review, 2026-12-05: a campaign's answer (the flow's `result`) and its job were missing from the register.
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(csv_text))}
    assert (
        rows[f"{recorded_calls}-2"]["result"] == "will_pay"
        and rows[f"{recorded_calls}-2"]["callback_job_id"] == "job-7"
    )
    assert rows[f"{recorded_calls}-3"]["result"] == ""
    listed = {c["id"]: c["result"] for c in first["items"] + second.json()["items"]}
    assert listed[f"{recorded_calls}-2"] == "will_pay" and listed[f"{recorded_calls}-3"] is None
    paid = admin.get("/api/calls", params={"scenario": recorded_calls, "result": "will_pay"}).json()["items"]
    assert [c["id"] for c in paid] == [f"{recorded_calls}-2"]
    paid_csv = admin.get("/api/calls.csv", params={"scenario": recorded_calls, "result": "will_pay"}).content.decode(
        "utf-8-sig"
    )
    assert len(paid_csv.strip().splitlines()) == 2
    # The call an Asterisk CDR line is about, by its UNIQUEID (review of 2026-12-05: not stored before).
    by_channel = admin.get("/api/calls", params={"scenario": recorded_calls, "uniqueid": "1795295104.3"}).json()
    assert [c["id"] for c in by_channel["items"]] == [f"{recorded_calls}-3"]
    assert admin.get(f"/api/calls/{recorded_calls}-3").json()["asterisk_uniqueid"] == "1795295104.3"
    assert rows[f"{recorded_calls}-3"]["asterisk_uniqueid"] == "1795295104.3"
    # A client's calls both ways: the callback that rang them names them in dialed_number (review of 2026-12-05).
    client = admin.get("/api/calls", params={"scenario": recorded_calls, "caller": "+34600111222"}).json()["items"]
    assert [c["id"] for c in client] == [f"{recorded_calls}-4"]
    inbound = admin.get("/api/calls", params={"scenario": recorded_calls, "caller": "+34601"}).json()["items"]
    assert sorted(c["id"] for c in inbound) == sorted(f"{recorded_calls}-{n}" for n in (3, 5, 7, 9, 11))


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-05:00"])
def test_moments_at_the_ends_of_the_calendar_are_refused_not_a_500(
    admin: Client, slug: Callable[[str], str], moment: str
) -> None:
    """Valid ISO 8601 with no UTC form: converting them to UTC for the database was a 500, or a CSV cut off
    after its headers (review, 2026-12-05)."""
    name = slug("calendar")
    created = admin.post("/api/scenarios", json={"slug": name, "name": "x", "document": documents.greeting()})
    assert created.status_code == 201 and admin.post(f"/api/scenarios/{name}/publish", json={}).status_code == 200
    attempts = [
        admin.get("/api/calls", params={"since": moment}),
        admin.get("/api/calls.csv", params={"until": moment}),
        admin.post("/api/tokens", json={"name": "ci", "expires_at": moment}),
        admin.post("/api/callbacks", json={"number": "+34600111222", "scenario": name, "due": moment}),
        admin.post("/api/callbacks/batch", json={"scenario": name, "rows": [{"phone": "600111222"}], "due": moment}),
    ]
    for response in attempts:
        assert response.status_code == 422, (response.request.url, response.text)
        assert "between the years 1900 and 9000" in response.text
    naive = admin.post("/api/tokens", json={"name": "ci", "expires_at": "2030-01-01T00:00:00"})
    assert naive.status_code == 422 and "timezone" in naive.text  # a token's expiry says its offset


def test_a_body_that_is_not_json_is_the_documented_400(admin: Client, slug: Callable[[str], str]) -> None:
    """Every operation with a body declares 400 "Body is not JSON"; a cut-off body was a 422 with a path made of
    a character offset (review, 2026-12-05)."""
    name = slug("not-json")
    assert admin.post("/api/scenarios", json={"slug": name, "name": "x"}).status_code == 201
    declared = admin.get("/openapi.json").json()["paths"]["/api/scenarios/{slug}/draft"]["put"]["responses"]
    assert declared["400"]["description"] == "Body is not JSON"
    headers = {"content-type": "application/json"}
    cut_off = admin.put(f"/api/scenarios/{name}/draft", content=b'{"revision":1,', headers=headers)
    assert cut_off.status_code == 400 and cut_off.json()["type"].endswith("/not-json")
    assert cut_off.json()["detail"] == (
        "the body is not JSON: Expecting property name enclosed in double quotes at character 15"
    )
    not_utf8 = admin.put(f"/api/scenarios/{name}/draft", content=b'{"revision":1,"document":"\xff"}', headers=headers)
    assert not_utf8.status_code == 400 and not_utf8.json()["type"].endswith("/not-json"), not_utf8.text
