"""Call lists through the API over real HTTP: an analyst's CSV or XLSX becomes one callback job per client."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import openpyxl
import pytest

from persistence import callbacks, calls, campaign_reports
from persistence.calls import CallRecordIn
from persistence.db import Database
from tests.api.conftest import Client, Server
from tests.persistence import documents

CSV_FROM_SPANISH_EXCEL = (
    "\ufeffnombre;phone;debt_amount;due_date\r\n"
    "Ana García;+34 600-11-12-13;1.234,56;2026-11-30\r\n"
    ";;;\r\n"  # Excel leaves empty rows in: skipped
    "Luis;(600) 222 333;80;2026-12-01\r\n"
).encode()
A_DATE = "a date written 2026-12-30 or 30.12.2026 (year-month-day or day.month.year)"
SLASHES = (
    ": a date with slashes is month first in some countries and day first in others, and neither the list nor a "
    "country set on the server (IVRGRAPH_DEFAULT_COUNTRY) says which"
)


def _published(admin: Client, slug: str) -> None:
    document = documents.greeting("Hola {{ contact.nombre }}")
    document["variables"] = [
        {"name": "contact", "type": "object", "default": {"nombre": "cliente"}},
        {"name": "debt_amount", "type": "number", "default": 0},
        {"name": "due_date", "type": "date", "default": ""},
        {"name": "vip", "type": "boolean", "default": False},
    ]
    created = admin.post("/api/scenarios", json={"slug": slug, "name": "list", "document": document})
    assert created.status_code == 201, created.text
    assert admin.post(f"/api/scenarios/{slug}/publish", json={"message": "v1"}).status_code == 200


def _read(client: Client, data: bytes, name: str = "list.csv") -> Any:
    return client.post("/api/callbacks/lists", files={"file": (name, data, "application/octet-stream")})


def _jobs_of(admin: Client, slug: str) -> list[dict[str, Any]]:
    return [job for job in admin.get("/api/callbacks", params={"limit": 500}).json() if job["scenario"] == slug]


def test_a_csv_list_is_read_checked_and_called(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("list")
    _published(admin, name)
    read = _read(admin, CSV_FROM_SPANISH_EXCEL)
    assert read.status_code == 200, read.text
    call_list = read.json()
    assert call_list["columns"] == ["nombre", "phone", "debt_amount", "due_date"]
    assert call_list["sheet"] is None
    assert [row["nombre"] for row in call_list["rows"]] == ["Ana García", "Luis"]

    # No hours sent: the node's default (every day 09:00-21:00), read in the office's zone.
    batch = {
        "scenario": name,
        "rows": call_list["rows"],
        "due": "2026-06-01T10:00:00+02:00",
        "timezone": "Europe/Madrid",
    }
    dry = admin.post("/api/callbacks/batch", json={**batch, "dry_run": True})
    assert dry.status_code == 200, dry.text
    assert (dry.json()["jobs"], dry.json()["created"], dry.json()["job_ids"]) == (2, False, [])
    first = dry.json()["preview"][0]
    assert first["number"] == "+34600111213"
    # The whole row is `contact`; declared variables are filled and typed (a Spanish amount is a number).
    assert first["variables"] == {
        "contact": {"nombre": "Ana García", "phone": "+34 600-11-12-13", "debt_amount": "1.234,56",
                    "due_date": "2026-11-30"},
        "debt_amount": 1234.56,
        "due_date": "2026-11-30",
    }  # fmt: skip
    assert _jobs_of(admin, name) == []  # a dry run creates nothing

    created = admin.post("/api/callbacks/batch", json=batch)
    assert created.status_code == 200, created.text
    assert created.json()["jobs"] == 2 and len(created.json()["job_ids"]) == 2
    jobs = {job["number"]: job for job in _jobs_of(admin, name)}
    assert set(jobs) == {"+34600111213", "600222333"}
    assert jobs["600222333"]["variables"]["debt_amount"] == 80
    assert jobs["600222333"]["due"] == "2026-06-01T08:00:00Z" and jobs["600222333"]["status"] == "pending"


def test_an_xlsx_list_keeps_its_cells_types(admin: Client) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Clientes"
    sheet.append(["name", "phone", "appointment_day", "appointment_time", "vip", "debt_amount"])
    sheet.append(["Ana", 600111213, date(2026, 11, 30), time(9, 30), True, 120.5])
    sheet.append([None, None, None, None, None, None])
    sheet.append(["Luis", "+34600222333", datetime(2026, 12, 1), time(16, 0), False, 80])
    buffer = io.BytesIO()
    workbook.save(buffer)
    read = _read(admin, buffer.getvalue(), "clientes.xlsx")
    assert read.status_code == 200, read.text
    assert read.json()["sheet"] == "Clientes"
    assert read.json()["rows"] == [
        {"name": "Ana", "phone": 600111213, "appointment_day": "2026-11-30", "appointment_time": "09:30",
         "vip": True, "debt_amount": 120.5},
        {"name": "Luis", "phone": "+34600222333", "appointment_day": "2026-12-01", "appointment_time": "16:00",
         "vip": False, "debt_amount": 80},
    ]  # fmt: skip


def test_a_list_with_bad_rows_creates_nothing_and_names_every_one(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("bad")
    _published(admin, name)
    rows = [
        {"phone": "+34600111213", "debt_amount": "10"},
        {"phone": "call me", "debt_amount": "10"},
        {"phone": "+34 600 111 213", "debt_amount": "10"},  # the first client again, typed differently
        {"name": "no phone"},
        {"phone": "600999888", "debt_amount": "1,234", "vip": "maybe"},
        # Day first or month first: 03/04 is March in Boston and April in Madrid (QA of 2026-12-05: a list of
        # such dates was checked green, and every call then failed where the date was spoken).
        {"phone": "600999887", "due_date": "03/04/2026"},
        {"phone": "600999886", "due_date": "2026-02-30"},
        {"phone": "0034 600 111 213", "debt_amount": "10"},  # and again, with 00 for + (review of 2026-12-05)
    ]
    refused = admin.post("/api/callbacks/batch", json={"scenario": name, "rows": rows})
    assert refused.status_code == 422, refused.text
    problems = {(p["path"], p["message"]) for p in refused.json()["problems"]}
    either_way = (
        "it could be 1.234 or 1234 (a comma groups thousands in some countries and is the decimal mark in others): "
        "write 1234, or 1,234.00"
    )
    assert problems == {
        ("$.rows[1].phone", "client 2: 'call me' is not a phone number"),
        ("$.rows[2].phone", "client 3: +34600111213 is already client 1"),
        ("$.rows[3].phone", "client 4: no number in column 'phone'"),
        ("$.rows[4].debt_amount", f"client 5, debt_amount: '1,234' is not a number: {either_way}"),
        ("$.rows[4].vip", "client 5, vip: 'maybe' is not yes or no"),
        ("$.rows[5].due_date", f"client 6, due_date: '03/04/2026' is not {A_DATE}{SLASHES}"),
        ("$.rows[6].due_date", f"client 7, due_date: '2026-02-30' is not {A_DATE}"),
        ("$.rows[7].phone", "client 8: 0034600111213 is already client 1"),
    }
    assert _jobs_of(admin, name) == []
    # The phone column is the analyst's to name.
    renamed = [{"móvil": "600111213"}]
    assert admin.post("/api/callbacks/batch", json={"scenario": name, "rows": renamed}).status_code == 422
    ok = admin.post("/api/callbacks/batch", json={"scenario": name, "rows": renamed, "number_column": "móvil"})
    assert ok.status_code == 200, ok.text
    not_published = admin.post("/api/callbacks/batch", json={"scenario": "no-such-list", "rows": renamed})
    assert not_published.status_code == 422 and not_published.json()["problems"][0]["path"] == "$.scenario"


def test_a_campaign_calls_only_inside_its_hours_and_until_its_end(admin: Client, slug: Callable[[str], str]) -> None:
    """Imported at 22:00 in Madrid: the first calls wait for 09:00, never at night (the domain's rule)."""
    name = slug("hours")
    _published(admin, name)
    weekdays = {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "09:00", "to": "21:00"}
    batch = {"scenario": name, "rows": [{"phone": "600111213"}], "due": "2037-11-27T22:00:00+01:00",  # a Friday
             "hours": [weekdays], "timezone": "Europe/Madrid", "holidays": ["2037-11-30"], "dry_run": True}  # fmt: skip
    job = admin.post("/api/callbacks/batch", json=batch).json()["preview"][0]
    # Saturday and Sunday closed, Monday the 30th a holiday: Tuesday 09:00-21:00 Madrid (08:00-20:00 UTC).
    assert (job["due"], job["window_end"]) == ("2037-12-01T08:00:00Z", "2037-12-01T20:00:00Z")
    until = admin.post("/api/callbacks/batch", json={**batch, "until": "2037-12-01T12:00:00+01:00"}).json()
    assert until["preview"][0]["window_end"] == "2037-12-01T11:00:00Z"
    never = admin.post("/api/callbacks/batch", json={**batch, "until": "2037-11-30T12:00:00+01:00"})
    assert never.status_code == 422
    assert [p["path"] for p in never.json()["problems"]] == ["$.hours"]
    # A campaign that ended already would call nobody: refused, not checked green (QA of 2026-12-05).
    over = admin.post("/api/callbacks/batch", json={**batch, "due": "2026-11-01T10:00:00+01:00",
                                                    "until": "2026-11-02T10:00:00+01:00"})  # fmt: skip
    assert over.status_code == 422
    assert [(p["path"], p["message"]) for p in over.json()["problems"]] == [
        ("$.until", "the campaign's end has already passed: nobody would be called")
    ]
    # Hours that open only on a weekend, with an end already passed: the end alone is named, not a second
    # message about hours that never open before it (designer review, 2026-12-05).
    weekend = [{"days": ["sat"], "from": "10:00", "to": "12:00"}]
    past = admin.post("/api/callbacks/batch", json={**batch, "hours": weekend, "due": "2026-11-02T10:00:00+01:00",
                                                    "until": "2026-11-03T10:00:00+01:00"})  # fmt: skip
    assert [p["path"] for p in past.json()["problems"]] == ["$.until"], past.text
    unknown = admin.post("/api/callbacks/batch", json={**batch, "timezone": "Mars/Olympus"})
    assert unknown.status_code == 422 and "Mars/Olympus" in unknown.text
    created = admin.post("/api/callbacks/batch", json={**batch, "dry_run": False})
    assert created.status_code == 200
    (stored,) = _jobs_of(admin, name)
    assert (stored["due"], stored["window_end"]) == ("2037-12-01T08:00:00Z", "2037-12-01T20:00:00Z")


def _bomb() -> bytes:
    """An XLSX-looking zip whose one member unpacks to 80 MiB of zeros (80 KiB packed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (80 * 2**20))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "list.csv", "the file is empty"),
        (  # UTF-8 with one byte of another code page: read as Windows-1252, its "ñ" would read "Ã±"
            "nombre;phone\r\nMuñoz;600\r\n".encode() + "José;601\r\n".encode("cp1252"),
            "list.csv",
            "line 3 is not UTF-8 text: save the list as 'CSV UTF-8'",
        ),
        (b"phone\n", "list.csv", "the list has a header (row 1) but no clients under it"),
        (b"phone;name\n600111213;Ana;extra\n", "list.csv", "row 2, column 3 holds 'extra' under no column name"),
        (b"phone;phone\n600111213;600\n", "list.csv", "row 1: column 'phone' appears twice (columns 1 and 2)"),
        (b"\xd0\xcf\x11\xe0 old excel", "list.xls", "this is not a CSV or XLSX file: save the sheet as .xlsx"),
        (b"PK\x03\x04 cut short", "list.xlsx", "the XLSX file is damaged"),
        (_bomb(), "list.xlsx", "the XLSX unpacks to 80 MiB, over 64 MiB"),
    ],
)
def test_a_file_that_is_not_a_list_is_refused_saying_why(
    admin: Client, data: bytes, filename: str, message: str
) -> None:
    response = _read(admin, data, filename)
    assert response.status_code == 422, response.text
    assert response.json()["problems"][0]["message"].startswith(message)
    assert response.json()["detail"].startswith(f"the call list cannot be called: {message}")


def test_only_publishers_import_lists(
    user_factory: Callable[[str], Client], admin: Client, slug: Callable[[str], str]
) -> None:
    """Each row is a real call from a live scenario: publisher and up, as for a single callback job."""
    name = slug("roles")
    _published(admin, name)
    batch = {"scenario": name, "rows": [{"phone": "600111213"}], "dry_run": True}
    for role in ("viewer", "editor"):
        client = user_factory(role)
        assert _read(client, CSV_FROM_SPANISH_EXCEL).status_code == 403
        assert client.post("/api/callbacks/batch", json=batch).status_code == 403
    publisher = user_factory("publisher")
    assert _read(publisher, CSV_FROM_SPANISH_EXCEL).status_code == 200
    assert publisher.post("/api/callbacks/batch", json=batch).status_code == 200


def test_a_campaign_is_followed_and_reported_client_by_client(
    server: Server, admin: Client, slug: Callable[[str], str]
) -> None:
    """The autoinformer's report: each client of the list, in its order, with how the dialing went and what
    they answered; a column only a later row has is still a column; a name never becomes a formula."""
    name = slug("report")
    _published(admin, name)
    rows = [
        {"phone": "600000001", "nombre": "Ana"},
        {"phone": "600000002", "nombre": '=HYPERLINK("http://x")'},
        {"phone": "600000003", "nombre": "Luis", "nota": "VIP", "=HYPERLINK(A2)": "x"},  # a column named as one
    ]
    every_day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    any_time = [{"days": every_day, "from": "00:00", "to": "00:00"}]  # asked for: no hours would get the default
    started = {"scenario": name, "rows": rows, "name": " Deudas noviembre ", "due": "2026-06-01T10:00:00+02:00",
               "hours": any_time}  # fmt: skip
    created = admin.post("/api/callbacks/batch", json=started).json()
    campaign, (first, second, _third) = created["campaign_id"], created["job_ids"]
    assert admin.post("/api/callbacks/batch", json={"scenario": name, "rows": rows[:1]}).status_code == 200
    refused = admin.post("/api/callbacks/batch", json={**started, "name": "Deudas\r\nSet-Cookie: x"})
    assert refused.status_code == 422 and "name" in refused.text

    at = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    database = Database(server.database_url)
    with database.session() as session:
        callbacks.record_attempt(session, job_id=first, outcome="busy", at=at)
        callbacks.record_attempt(session, job_id=first, outcome="answered", at=at + timedelta(minutes=30))
        answered = CallRecordIn(
            call_id=f"call-{name}", scenario=name, started_at=at + timedelta(minutes=30), outcome="ended",
            trace={"steps": []}, answered_at=at + timedelta(minutes=30), callback_job_id=first,
            variables={"result": "confirmed"},
        )  # fmt: skip
        calls.write_batch(session, records=[answered])
        callbacks.record_attempt(session, job_id=second, outcome="no_answer", at=at, final=True)
    database.dispose()

    listed = admin.get("/api/callbacks/campaigns", params={"scenario": name}).json()
    assert [(c["name"], c["jobs"], c["statuses"]) for c in listed] == [
        ("", 1, {"pending": 1}),
        ("Deudas noviembre", 3, {"done": 1, "failed": 1, "pending": 1}),
    ]
    assert {c["created_by"] for c in listed} == {"root"}  # the admin fixture's user
    summary = admin.get(f"/api/callbacks/campaigns/{campaign}").json()
    assert (summary["name"], summary["jobs"], summary["results"]) == ("Deudas noviembre", 3, {"confirmed": 1})
    assert summary["next_due"] == "2026-06-01T08:00:00Z" == listed[1]["next_due"]  # the third client's, still due
    assert summary["settings"] == {"due": "2026-06-01T10:00:00+02:00", "until": None, "hours": any_time,
                                   "timezone": "UTC", "holidays": [], "max_attempts": 3, "retry_hung_up_early": False,
                                   "columns": ["phone", "nombre", "nota", "=HYPERLINK(A2)"]}  # fmt: skip
    older = admin.get("/api/callbacks/campaigns", params={"scenario": name, "limit": 1, "offset": 1}).json()
    assert [c["campaign_id"] for c in older] == [campaign]
    assert admin.get("/api/callbacks/campaigns", params={"scenario": name, "offset": 2}).json() == []
    assert {job["id"] for job in admin.get("/api/callbacks", params={"campaign": campaign}).json()} == set(
        created["job_ids"]
    )

    report = admin.get(f"/api/callbacks/campaigns/{campaign}.csv")
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/csv")
    assert report.headers["content-disposition"] == (
        "attachment; filename=\"Deudas noviembre.csv\"; filename*=UTF-8''Deudas%20noviembre.csv"
    )
    assert report.content.startswith("\ufeff".encode())  # Excel reads it as UTF-8 only then
    lines = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert lines[0] == ["row", "number", "status", "attempts", "outcome", "last_attempt_at (UTC)", "result",
                        "result_label", "call_outcome", "answered_at (UTC)", "call_id", "phone", "nombre", "nota",
                        "'=HYPERLINK(A2)"]  # fmt: skip
    assert [line[:7] for line in lines[1:]] == [  # times on the campaign's clock: tests/api/test_csv_times.py
        ["1", "600000001", "done", "2", "answered", "2026-06-01 08:30:00", "confirmed"],
        ["2", "600000002", "failed", "1", "no_answer", "2026-06-01 08:00:00", ""],
        ["3", "600000003", "pending", "0", "", "", ""],
    ]
    assert lines[1][8:11:2] == ["ended", f"call-{name}"]
    assert [line[11:] for line in lines[1:]] == [
        ["600000001", "Ana", "", ""],
        ["600000002", '\'=HYPERLINK("http://x")', "", ""],
        ["600000003", "Luis", "VIP", "x"],
    ]
    assert admin.get("/api/callbacks/campaigns/no-such-campaign").status_code == 404
    assert admin.get("/api/callbacks/campaigns/no-such-campaign.csv").status_code == 404


def test_a_campaign_started_by_mistake_is_stopped(
    server: Server, admin: Client, user_factory: Callable[[str], Client], slug: Callable[[str], str]
) -> None:
    """A wrong list of debt reminders must be stoppable before it rings everyone: its clients not yet dialled
    are cancelled, one being dialled now goes on, and the audit log says who started and who stopped it."""
    name = slug("stop")
    _published(admin, name)
    rows = [{"phone": f"60000001{n}"} for n in range(3)]
    created = admin.post("/api/callbacks/batch", json={"scenario": name, "rows": rows}).json()
    campaign = created["campaign_id"]
    database = Database(server.database_url)
    dialing_id = created["job_ids"][0]
    with database.session() as session:  # a dialer took the first client a moment ago (the server is shared)
        job = callbacks.get_job(session, job_id=dialing_id)
        job.status, job.locked_by, job.lock_until = "dialing", "n1", datetime.now(UTC) + timedelta(minutes=5)
    database.dispose()
    assert user_factory("editor").post(f"/api/callbacks/campaigns/{campaign}/cancel").status_code == 403
    stopped = admin.post(f"/api/callbacks/campaigns/{campaign}/cancel")
    assert stopped.status_code == 200, stopped.text
    assert stopped.json()["statuses"] == {"cancelled": 2, "dialing": 1}
    assert stopped.json()["cancelled_at"] is not None
    jobs = {job["id"]: job["status"] for job in admin.get("/api/callbacks", params={"campaign": campaign}).json()}
    assert jobs[dialing_id] == "dialing" and sorted(jobs.values()) == ["cancelled", "cancelled", "dialing"]
    actions = [
        (e["action"], e["details"]) for e in admin.get("/api/audit", params={"target": f"campaign:{campaign}"}).json()
    ]
    assert actions == [("cancel", {"jobs": 2}), ("call_list", {"scenario": name, "jobs": 3, "name": ""})]
    assert admin.post("/api/callbacks/campaigns/no-such-campaign/cancel").status_code == 404
    # The ring ends busy: on a running list the client would be called again later; on this one never.
    database = Database(server.database_url)
    with database.session() as session:
        callbacks.record_attempt(session, job_id=dialing_id, outcome="busy", at=datetime.now(UTC))
    database.dispose()
    assert admin.get(f"/api/callbacks/campaigns/{campaign}").json()["statuses"] == {"cancelled": 3}
    # The scenario's pending callbacks kept it from being deleted; cancelled ones do not.
    assert admin.delete(f"/api/scenarios/{name}").status_code == 204


def test_a_campaigns_jobs_are_read_a_page_at_a_time(admin: Client, slug: Callable[[str], str]) -> None:
    """A list's clients share their first due time: pages (`offset`) neither repeat nor skip one (the JSON list
    stopped at its 500-job limit, with no way on: review of 2026-12-05, second day)."""
    name = slug("pages")
    _published(admin, name)
    rows = [{"phone": f"60055500{n}"} for n in range(7)]
    created = admin.post("/api/callbacks/batch", json={"scenario": name, "rows": rows}).json()
    seen: list[str] = []
    for offset in range(0, 9, 3):
        page = admin.get("/api/callbacks", params={"campaign": created["campaign_id"], "limit": 3, "offset": offset})
        seen += [job["id"] for job in page.json()]
    assert sorted(seen) == sorted(created["job_ids"]) and len(seen) == 7


def test_the_report_keeps_the_lists_column_order(admin: Client, slug: Callable[[str], str]) -> None:
    """Review of 2026-12-05: on PostgreSQL a job's row is JSONB, which keeps no key order (shorter keys first), so
    a report's own columns came back shuffled; the campaign keeps the list's order now."""
    name = slug("order")
    _published(admin, name)
    rows = [{"zona_de_reparto": "norte", "Teléfono": "600000001", "a": "1", "nombre": "Ana"}]
    created = admin.post("/api/callbacks/batch", json={"scenario": name, "rows": rows, "number_column": "Teléfono"})
    assert created.status_code == 200, created.text
    report = admin.get(f"/api/callbacks/campaigns/{created.json()['campaign_id']}.csv")
    header = next(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert header[-4:] == ["zona_de_reparto", "Teléfono", "a", "nombre"]


def test_a_list_too_wide_to_start_at_once_is_refused_when_read(admin: Client) -> None:
    """Review of 2026-12-05: a 3.5 MiB list of 20,000 rows and 30 descriptive columns read fine, then its check
    failed with a bare 413: sent back as rows, every cell repeats its column's name (27 MiB). It is refused when
    read now, saying to split it; a list that reads fits one batch."""
    columns = [f"Campo adicional del CRM n.º {i:02d}" for i in range(29)]
    lines = [";".join(["phone", *columns])]
    lines += [";".join([f"6{n:08d}", *(f"v{n % 1000:03d}x" for _ in columns)]) for n in range(20_000)]
    refused = _read(admin, ("\r\n".join(lines) + "\r\n").encode())
    assert refused.status_code == 422, refused.text[:300]
    (problem,) = refused.json()["problems"]
    assert problem["path"] == "$.file" and "too large to start at once" in problem["message"]
    assert "split it into smaller lists" in problem["message"]


def test_problems_name_the_row_of_the_file_the_analyst_has_open(admin: Client, slug: Callable[[str], str]) -> None:
    """Review of 2026-12-05: a problem named "client 3" (the third row sent), which with a header and the empty
    row Excel leaves in is not the sheet's row 3. With the row numbers the reading gave, it names the sheet's row."""
    name = slug("rows")
    _published(admin, name)
    sheet = b"phone;due_date\r\n600111211;2026-11-30\r\n;;\r\n600111212;2026-11-30\r\n600111213;10/11/2026\r\n"
    read = _read(admin, sheet).json()
    assert read["row_numbers"] == [2, 4, 5]
    batch = {"scenario": name, "rows": read["rows"], "row_numbers": read["row_numbers"], "dry_run": True}
    refused = admin.post("/api/callbacks/batch", json=batch)
    assert refused.status_code == 422, refused.text
    assert [p["message"] for p in refused.json()["problems"]] == [
        f"row 5, due_date: '10/11/2026' is not {A_DATE}{SLASHES}"
    ]
    twice = {**batch, "rows": [{"phone": "600111211"}, {"phone": "600 111 211"}], "row_numbers": [2, 7]}
    assert [p["message"] for p in admin.post("/api/callbacks/batch", json=twice).json()["problems"]] == [
        "row 7: 600111211 is already row 2"
    ]
    mismatched = admin.post("/api/callbacks/batch", json={**batch, "row_numbers": [2]})
    assert mismatched.status_code == 422 and "row_numbers holds 1 numbers for 3 rows" in mismatched.text


def test_a_campaign_started_before_its_columns_were_kept_still_reports_them(
    server: Server, admin: Client, slug: Callable[[str], str]
) -> None:
    """A campaign whose settings hold no column list (started before they were kept) finds its columns in its
    jobs' rows, as every report did then."""
    name = slug("older")
    _published(admin, name)
    rows = [{"phone": "600000001", "nombre": "Ana"}, {"phone": "600000002", "nota": "VIP"}]
    campaign = admin.post("/api/callbacks/batch", json={"scenario": name, "rows": rows}).json()["campaign_id"]
    database = Database(server.database_url)
    with database.session() as session:
        kept = campaign_reports.require_campaign(session, campaign_id=campaign)
        kept.settings = {key: value for key, value in kept.settings.items() if key != "columns"}
    database.dispose()
    report = admin.get(f"/api/callbacks/campaigns/{campaign}.csv").content.decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(report)))
    assert set(header[-3:]) == {"phone", "nombre", "nota"} and len(header) == 14


# As a Russian Excel saves a sheet as "CSV UTF-8" (review of 2026-12-05: every row was refused for its date).
CSV_FROM_RUSSIAN_EXCEL = (
    "\ufeffname;Телефон;debt_amount;due_date\r\n"
    "Иван;+7 901 555-12-34;1 234,56;30.12.2026\r\n"
    "Мария;89015551235;80;5.1.2027 14:30\r\n"
).encode()


def test_a_list_from_a_russian_excel_is_called_with_its_dates(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("ru")
    _published(admin, name)
    read = _read(admin, CSV_FROM_RUSSIAN_EXCEL)
    assert read.status_code == 200, read.text
    call_list = read.json()
    batch = {"scenario": name, "rows": call_list["rows"], "row_numbers": call_list["row_numbers"],
             "number_column": "Телефон", "dry_run": True}  # fmt: skip
    checked = admin.post("/api/callbacks/batch", json=batch)
    assert checked.status_code == 200, checked.text
    assert [(job["variables"]["due_date"], job["variables"]["debt_amount"]) for job in checked.json()["preview"]] == [
        ("2026-12-30", 1234.56),
        ("2027-01-05T14:30:00", 80),
    ]


def test_a_csv_from_a_russian_excels_default_csv_is_read_as_windows_1251(
    admin: Client, slug: Callable[[str], str]
) -> None:
    """Review of a Russian contact centre: a Russian Excel's default "CSV (разделители — запятые)" is Windows-1251,
    and was refused as not UTF-8. Read as Windows-1251 now, saying so; bytes of another code page are still
    refused (a Latin-1 "García" would read "Garcнa")."""
    name = slug("cp1251")
    _published(admin, name)
    data = CSV_FROM_RUSSIAN_EXCEL.decode("utf-8-sig").replace("Иван", "Иван «Ёжиков» — №1").encode("cp1251")
    assert data.startswith("name;Телефон".encode("cp1251"))  # the real bytes: no BOM, one byte a letter
    read = _read(admin, data)
    assert read.status_code == 200, read.text
    call_list = read.json()
    assert call_list["columns"] == ["name", "Телефон", "debt_amount", "due_date"]
    assert [row["name"] for row in call_list["rows"]] == ["Иван «Ёжиков» — №1", "Мария"]
    assert [(w["path"], w["code"], w["params"]) for w in call_list["warnings"]] == [
        ("$.file", "read_as_windows_1251", {})
    ]
    assert "read as Windows-1251" in call_list["warnings"][0]["message"]
    batch = {"scenario": name, "rows": call_list["rows"], "number_column": "Телефон", "dry_run": True}
    checked = admin.post("/api/callbacks/batch", json=batch)
    assert checked.status_code == 200, checked.text
    assert [job["variables"]["due_date"] for job in checked.json()["preview"]] == ["2026-12-30", "2027-01-05T14:30:00"]
    assert _read(admin, CSV_FROM_RUSSIAN_EXCEL).json()["warnings"] == []  # UTF-8 says nothing


def test_a_campaigns_report_uploaded_back_as_a_list_is_read(admin: Client, slug: Callable[[str], str]) -> None:
    """Review of a Russian contact centre: the report writes "'+7 (495) 123-45-67" (the apostrophe keeps a
    spreadsheet from running a cell that starts with + as a formula), and that report uploaded back as a list, to
    call the unreached again, was refused: "'+7 (495) 123-45-67" was not a phone number."""
    name = slug("again")
    _published(admin, name)
    rows = [{"nombre": "Ana", "phone": "+7 (495) 123-45-67"}, {"nombre": "Luis", "phone": "+7 (916) 123-45-67"}]
    created = admin.post("/api/callbacks/batch", json={"scenario": name, "rows": rows})
    assert created.status_code == 200, created.text
    for delimiter in ("comma", "semicolon"):
        report = admin.get(f"/api/callbacks/campaigns/{created.json()['campaign_id']}.csv",
                           params={"delimiter": delimiter})  # fmt: skip
        assert "'+7 (495) 123-45-67" in report.content.decode("utf-8-sig")  # the export's guard, kept
        read = _read(admin, report.content, "campaign.csv")
        assert read.status_code == 200, read.text
        again = {"scenario": name, "rows": read.json()["rows"], "number_column": "phone", "dry_run": True}
        checked = admin.post("/api/callbacks/batch", json=again)
        assert checked.status_code == 200, checked.text
        assert [job["number"] for job in checked.json()["preview"]] == ["+74951234567", "+79161234567"]


def test_a_number_no_phone_of_its_country_has_is_refused(admin: Client, slug: Callable[[str], str]) -> None:
    """Review of a Russian contact centre: "+7-912-345-67-8" (nine digits after +7, Russia's numbers have ten)
    passed the check and would have been dialled. Refused now by libphonenumber's lengths; an extension is not."""
    name = slug("impossible")
    _published(admin, name)
    rows = [{"phone": "+7-912-345-67-8"}, {"phone": "+7-912-345-67-89"}, {"phone": "2045"}, {"phone": "+999 123"}]
    refused = admin.post("/api/callbacks/batch", json={"scenario": name, "rows": rows, "row_numbers": [2, 3, 4, 5],
                                                       "dry_run": True})  # fmt: skip
    assert refused.status_code == 422, refused.text
    assert refused.json()["problems"] == [
        {"path": "$.rows[0].phone", "code": "impossible_number",
         "params": {"row": 2, "column": "phone", "value": "+7-912-345-67-8", "reason": "too_short"},
         "message": "row 2: '+7-912-345-67-8' is no phone number: too few digits for a number of its country"},
        {"path": "$.rows[3].phone", "code": "impossible_number",
         "params": {"row": 5, "column": "phone", "value": "+999 123", "reason": "unknown_country_code"},
         "message": "row 5: '+999 123' is no phone number: no country has that calling code"},
    ]  # fmt: skip


def test_an_xlsx_lists_date_cells_fill_a_date_variable(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("xlsx-dates")
    _published(admin, name)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["phone", "due_date"])
    sheet.append([600111213, date(2026, 12, 30)])
    sheet.append([600111214, datetime(2026, 12, 31, 14, 30)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    read = _read(admin, buffer.getvalue(), "clientes.xlsx").json()
    checked = admin.post("/api/callbacks/batch", json={"scenario": name, "rows": read["rows"], "dry_run": True})
    assert checked.status_code == 200, checked.text
    assert [job["variables"]["due_date"] for job in checked.json()["preview"]] == ["2026-12-30", "2026-12-31T14:30:00"]


def test_each_problem_carries_its_code_and_params_for_the_designer(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("codes")
    _published(admin, name)
    rows = [{"phone": "600111213", "due_date": "11/10/2026"}, {"phone": "600 111 213"}, {"phone": "call me"},
            {"phone": "600111214", "debt_amount": "1,234", "vip": "maybe"}, {"nombre": "Ana"}]  # fmt: skip
    batch = {"scenario": name, "rows": rows, "row_numbers": [2, 3, 4, 5, 6], "dry_run": True}
    refused = admin.post("/api/callbacks/batch", json=batch)
    assert refused.status_code == 422, refused.text
    assert refused.json()["problems"] == [
        {"path": "$.rows[0].due_date", "code": "ambiguous_date",
         "params": {"row": 2, "column": "due_date", "value": "11/10/2026", "type": "date", "reason": "no_country"},
         "message": f"row 2, due_date: '11/10/2026' is not {A_DATE}{SLASHES}"},
        {"path": "$.rows[1].phone", "code": "duplicate_number",
         "params": {"row": 3, "column": "phone", "number": "600111213", "first": 2},
         "message": "row 3: 600111213 is already row 2"},
        {"path": "$.rows[2].phone", "code": "not_a_phone_number",
         "params": {"row": 4, "column": "phone", "value": "call me"},
         "message": "row 4: 'call me' is not a phone number"},
        {"path": "$.rows[3].debt_amount", "code": "ambiguous_number",
         "params": {"row": 5, "column": "debt_amount", "value": "1,234", "type": "number", "reason": "either_way",
                    "as_decimal": "1.234", "as_thousands": "1234", "with_decimals": "1,234.00"},
         "message": "row 5, debt_amount: '1,234' is not a number: it could be 1.234 or 1234 (a comma groups "
                    "thousands in some countries and is the decimal mark in others): write 1234, or 1,234.00"},
        {"path": "$.rows[3].vip", "code": "not_yes_or_no",
         "params": {"row": 5, "column": "vip", "value": "maybe", "type": "boolean"},
         "message": "row 5, vip: 'maybe' is not yes or no"},
        {"path": "$.rows[4].phone", "code": "no_number", "params": {"row": 6, "column": "phone"},
         "message": "row 6: no number in column 'phone'"},
    ]  # fmt: skip
    elsewhere = admin.post("/api/callbacks/batch", json={**batch, "timezone": "Mars/Olympus"}).json()["problems"]
    assert [(p["code"], p["params"]) for p in elsewhere] == [("unknown_timezone", {"timezone": "Mars/Olympus"})]
    unpublished = admin.post("/api/callbacks/batch", json={**batch, "scenario": "no-such-list"}).json()["problems"]
    assert [(p["code"], p["params"]) for p in unpublished] == [("not_published", {"scenario": "no-such-list"})]


@pytest.mark.parametrize(
    ("data", "code", "params"),
    [
        (b"  \r\n", "empty_file", {}),
        (b"phone;name;phone\r\n600111213;Ana;600111214\r\n", "column_twice",
         {"row": 1, "column": "phone", "first": 1, "second": 3}),
        (b"phone\r\n600111213;Ana\r\n", "cell_without_column", {"row": 2, "column": 2, "value": "Ana"}),
        (b"\r\nphone;name\r\n", "no_clients", {"row": 2}),
        # Polish saved as Windows-1250: no Windows-1251 ("Wrocław" mixes Cyrillic in), no Windows-1252 ("Wroc³aw")
        ("phone;name\r\n600111213;Wrocław\r\n".encode("cp1250"), "not_utf8", {"line": 2}),
    ],
)  # fmt: skip
def test_a_file_that_is_not_a_list_says_why_by_code(
    admin: Client, data: bytes, code: str, params: dict[str, Any]
) -> None:
    (problem,) = _read(admin, data).json()["problems"]
    assert (problem["path"], problem["code"], problem["params"]) == ("$.file", code, params)
    assert problem["message"]


def test_the_api_document_describes_a_call_lists_problems(anonymous: Client) -> None:
    schema = anonymous.get("/openapi.json").json()
    # Every 422 is declared as a Problem (api.app); the call list's say where its problems are described.
    for path in ("/api/callbacks/lists", "/api/callbacks/batch"):
        assert "CallListRefused" in schema["paths"][path]["post"]["responses"]["422"]["description"]
    refused = schema["components"]["schemas"]["CallListRefused"]["properties"]["problems"]
    assert refused["items"] == {"$ref": "#/components/schemas/CallListProblem"}
    problem = schema["components"]["schemas"]["CallListProblem"]["properties"]
    assert {"path", "message", "code", "params"} <= set(problem)


def test_an_empty_cell_sent_as_json_keeps_the_scenarios_default(admin: Client, slug: Callable[[str], str]) -> None:
    """A row sent as JSON with an empty cell (`""` or spaces) fills nothing, as a file's empty cell does: the
    client hears the scenario's default ("Hola cliente"), not "Hola " nor a refused "'' is not a number"."""
    name = slug("list-empty")
    _published(admin, name)
    rows = [
        {"phone": "+34600111213", "nombre": "", "debt_amount": "", "due_date": ""},
        {"phone": "+34600111214", "nombre": "  ", "debt_amount": "12,50"},
    ]
    dry = admin.post("/api/callbacks/batch", json={"scenario": name, "rows": rows, "dry_run": True})
    assert dry.status_code == 200, dry.text
    first, second = dry.json()["preview"]
    # The row itself stays as sent in `contact`, but for the field the default gives.
    assert first["variables"] == {
        "contact": {"nombre": "cliente", "phone": "+34600111213", "debt_amount": "", "due_date": ""}
    }
    assert second["variables"] == {"contact": {"nombre": "cliente", "phone": "+34600111214", "debt_amount": "12,50"},
                                   "debt_amount": 12.5}  # fmt: skip
