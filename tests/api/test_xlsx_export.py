"""The XLSX exports beside the CSV ones, as a supervisor's Excel (Spanish, Russian...) opens them: every cell typed
(a time a date-time on the clock its header names, a number a number, the rest text shown as written, never a
formula), so none of the CSV's workarounds is needed, and a campaign's report uploads back as a call list with its
cells as they were. Where the CSV put `'` before `-1.234,56` to keep it from running, a re-upload kept the `'`."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from api import xlsx_export
from api.xlsx_export import REPLACEMENT, TIME_NUMBER_FORMAT, XLSX_MEDIA_TYPE, zoned_xlsx
from persistence import callbacks, calls
from persistence.calls import CallRecordIn
from persistence.db import Database
from persistence.errors import RequestRefused
from tests.api.conftest import Client, Server
from tests.persistence import documents

MADRID = ZoneInfo("Europe/Madrid")


def _sheet(content: bytes) -> Worksheet:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    assert isinstance(sheet, Worksheet)
    return sheet


def _table(sheet: Worksheet) -> list[list[Any]]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def _written(names: Sequence[str], rows: list[list[object]], **options: Any) -> Worksheet:
    return _sheet(b"".join(zoned_xlsx(names, rows, **{"times": (), "zone": MADRID, **options}).chunks()))


# -- the file, as written ---------------------------------------------------------------------------------------


def test_each_cell_is_typed_as_excel_keeps_it() -> None:
    at = datetime(2026, 11, 23, 8, 30, 12, 345678, tzinfo=UTC)
    names = ["id", "started_at", "duration_ms", "amount", "caller_id", "account", "vip", "card", "ratio", "other"]
    rows: list[list[object]] = [["c1", at, 60000, -150.5, "+34600111222", "007", True, 4000123412341234, None, "x"]]
    sheet = _written(names, rows, times={"started_at"}, in_utc_too="started_at")
    header, first = list(sheet.iter_rows())
    assert [cell.value for cell in header] == [
        "id", "started_at (Europe/Madrid)", "started_at (UTC)", "duration_ms", "amount", "caller_id", "account", "vip",
        "card", "ratio", "other",
    ]  # fmt: skip
    local, utc = first[1], first[2]
    assert local.data_type == utc.data_type == "d" and local.number_format == utc.number_format == TIME_NUMBER_FORMAT
    assert local.value == datetime(2026, 11, 23, 9, 30, 12)  # CET, to the second, as the CSV writes it
    assert utc.value == datetime(2026, 11, 23, 8, 30, 12)
    assert [(first[n].value, first[n].data_type) for n in (3, 4)] == [(60000, "n"), (-150.5, "n")]
    # A phone number and an id stay text: their + and leading zeros kept, as given.
    assert [(first[n].value, first[n].data_type) for n in (0, 5, 6)] == [("c1", "s"), ("+34600111222", "s"),
                                                                        ("007", "s")]  # fmt: skip
    assert (first[7].value, first[7].data_type) == (True, "b")
    # Excel keeps 15 significant digits: a card number as a number would lose its last ones.
    assert (first[8].value, first[8].data_type) == ("4000123412341234", "s")
    assert first[9].value is None and first[10].value == "x"


def test_a_time_without_an_offset_is_utc_and_summer_time_is_kept() -> None:
    """Stored times are UTC; SQLite gives them back without an offset."""
    rows: list[list[object]] = [[datetime(2026, 5, 1, 8, 0, 0)], [datetime(2026, 11, 23, 8, 0, tzinfo=UTC)]]
    assert _table(_written(["at"], rows, times={"at"}))[1:] == [
        [datetime(2026, 5, 1, 10, 0)],  # CEST, +02:00
        [datetime(2026, 11, 23, 9, 0)],  # CET, +01:00
    ]


FORMULAS = ['=HYPERLINK("http://evil.example","click")', "=1+1", "+A1*2", "-5", "@SUM(A1)", "#N/A"]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_cell_that_looks_like_a_formula_is_text_shown_as_written(text: str) -> None:
    """openpyxl makes a string starting with = a formula, and #N/A an error: a caller name is neither."""
    cell = _written(["caller_name"], [[text]])["A2"]
    assert (cell.value, cell.data_type) == (text, "s")  # no `'` in front, as the CSV needs


def test_a_character_xml_cannot_hold_is_replaced_not_fatal() -> None:
    """A CallerID name is whatever the caller's network sent: a bell or an escape in it failed the whole export
    (openpyxl's IllegalCharacterError), or made a file Excel calls damaged."""
    rows: list[list[object]] = [["Ana\x07 García\x1b[0m", "ok\ttab\nline"], ["\ud800\uffff", "Пётр"]]
    assert _table(_written(["caller_name", "note"], rows))[1:] == [
        [f"Ana{REPLACEMENT} García{REPLACEMENT}[0m", "ok\ttab\nline"],  # tab and line breaks are XML's
        [REPLACEMENT * 2, "Пётр"],
    ]


def test_a_text_shaped_like_xlsxwriters_rich_text_is_text_shown_as_written() -> None:
    """XlsxWriter writes a string starting with <r> and ending with </r> into the file as the XML of its own rich
    text, unescaped: a list's cell so made closed its own cell and opened a formula beside it."""
    injected = '<r><t>a</t></r></is></c><c r="B2"><f>1+1</f></c><c r="C2" t="inlineStr"><is><r><t>b</t></r>'
    sheet = _written(["<r>name</r>", "note"], [[injected, "x"]])
    assert _table(sheet) == [["<r>name</r>", "note"], [injected, "x"]]
    assert [cell.data_type for row in sheet.iter_rows() for cell in row] == ["s"] * 4
    assert sheet["A1"].font.b and not sheet["A2"].font.b


def test_a_text_longer_than_a_cell_holds_is_cut_and_says_so() -> None:
    """Excel holds 32,767 characters a cell, counted in UTF-16 as it counts them; XlsxWriter cut a longer text
    without a word, and a list's column read back from the report looked whole."""
    limit = xlsx_export.MAX_CELL_CHARS
    rows: list[list[object]] = [["a" * limit, "b" * (limit + 1), "😀" * (limit // 2 + 1)]]
    whole, cut, emoji = _table(_written(["whole", "cut", "emoji"], rows))[1]
    assert whole == "a" * limit  # as much as a cell holds: kept
    assert cut == "b" * (limit - len(xlsx_export.TRUNCATED)) + xlsx_export.TRUNCATED
    kept = emoji.removesuffix(xlsx_export.TRUNCATED)
    assert set(kept) == {"😀"} and len(kept.encode("utf-16-le")) // 2 + len(xlsx_export.TRUNCATED) <= limit


def test_more_rows_than_a_sheet_holds_are_refused_not_dropped(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """XlsxWriter drops a cell past a sheet's last row (1,048,576) without a word: a register past it would have
    been a file missing its last calls. (The limit lowered here: a million rows take minutes to write.)"""
    monkeypatch.setattr(xlsx_export, "MAX_ROWS", 11)  # the header and 10 rows
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(xlsx_export, "IN_MEMORY_BYTES", 1024)

    def rows(count: int) -> list[list[object]]:
        return [[n, "x" * 200] for n in range(count)]

    assert _table(_written(["n", "x"], rows(10)))[-1] == [9, "x" * 200]
    with pytest.raises(RequestRefused) as refused:
        zoned_xlsx(["n", "x"], rows(11), times=(), zone=MADRID)
    problems: list[dict[str, object]] = [dict(found) for found in refused.value.problems]  # params: not a str
    assert [(found["code"], found["params"]) for found in problems] == [("sheet_full", {"limit": 10})]
    assert "more than 10 rows" in str(refused.value) and "CSV" in str(refused.value)
    assert list(tmp_path.iterdir()) == []


def test_a_number_excel_cannot_hold_is_text() -> None:
    rows: list[list[object]] = [[float("nan"), float("inf"), 1.5, -(10**15), 10**15 - 1]]
    assert _table(_written(["a", "b", "c", "d", "e"], rows))[1] == ["nan", "inf", 1.5, "-1000000000000000", 10**15 - 1]


def test_the_header_is_bold_frozen_and_filtered_and_the_columns_fit() -> None:
    rows: list[list[object]] = [[f"call-{n}", "Ana", datetime(2026, 1, 1, tzinfo=UTC)] for n in range(120)]
    rows[0][1] = "María de los Ángeles Fernández"
    rows[100][1] = "x" * 500  # past the rows measured: no second pass over the file
    sheet = _written(["id", "caller_name", "started_at"], rows, times={"started_at"})
    assert all(cell.font.b for cell in sheet[1]) and not any(cell.font.b for cell in sheet[2])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:C121"  # the data under the header, which Excel filters
    # The width stored adds a cell's padding, as Excel stores what it shows (9.7109375 for 9 characters of Calibri
    # 11): its whole part is the width Excel shows.
    widths = [int(sheet.column_dimensions[letter].width) for letter in "ABC"]
    assert widths == [9, len("María de los Ángeles Fernández") + 2, len("started_at (Europe/Madrid)") + 2]


def test_an_empty_export_is_a_header_alone() -> None:
    sheet = _written(["id", "started_at"], [], times={"started_at"})
    assert _table(sheet) == [["id", "started_at (Europe/Madrid)"]] and sheet.auto_filter.ref == "A1:B1"


def test_the_file_is_sent_in_chunks_and_closed_once_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx_export, "IN_MEMORY_BYTES", 4096)  # on disk, as a large export is
    rows: list[list[object]] = [[n, f"caller {n}", datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=n)]
                                for n in range(5000)]  # fmt: skip
    book = zoned_xlsx(["n", "name", "at"], rows, times={"at"}, zone=MADRID)
    chunks = list(book.chunks())
    assert len(chunks) > 1 and all(len(chunk) <= xlsx_export.CHUNK_BYTES for chunk in chunks)
    assert sum(map(len, chunks)) == book.size and book.file.closed
    assert _sheet(b"".join(chunks)).max_row == 5001


def test_no_temporary_file_is_left_behind(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The rows openpyxl spools and the finished file live in the temporary folder only while they are needed,
    also when the rows stop coming half way (the database gone): a server exporting all day must not fill it."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(xlsx_export, "IN_MEMORY_BYTES", 1024)

    def rows(fail_at: int | None) -> Iterator[list[object]]:
        for n in range(200):
            if n == fail_at:
                raise ConnectionError("the database went away")
            yield [n, "x" * 50]

    book = zoned_xlsx(["n", "x"], rows(None), times=(), zone=MADRID)
    for _chunk in book.chunks():
        pass
    with pytest.raises(ConnectionError):
        zoned_xlsx(["n", "x"], rows(120), times=(), zone=MADRID)  # past the rows measured: a sheet half written
    assert list(tmp_path.iterdir()) == []


# -- over HTTP ----------------------------------------------------------------------------------------------------


def _published(admin: Client, slug: str, variables: list[dict[str, Any]] | None = None) -> None:
    document = documents.greeting()
    document["variables"] = variables or []
    created = admin.post("/api/scenarios", json={"slug": slug, "name": "xlsx", "document": document})
    assert created.status_code == 201, created.text
    assert admin.post(f"/api/scenarios/{slug}/publish", json={"message": "v1"}).status_code == 200


@pytest.fixture
def summer_calls(server: Server, slug: Callable[[str], str]) -> str:
    """Two calls of a scenario of our own on 1 May 2026 (summer time in Madrid, +02:00): the first answered, from
    a caller whose name would run as a formula and whose network sent a control character."""
    scenario = slug("xlsx")
    at = datetime(2026, 5, 1, 8, 0, 0, 250000, tzinfo=UTC)
    records = [
        CallRecordIn(call_id=f"{scenario}-1", scenario=scenario, started_at=at, answered_at=at + timedelta(seconds=3),
                     ended_at=at + timedelta(minutes=1), outcome="hung_up", trace={"steps": []},
                     caller_id="+34600111222", caller_name='=HYPERLINK("http://x","Ana")\x07',
                     dialed_number="0034910000000", variables={"result": "will_pay"}),
        CallRecordIn(call_id=f"{scenario}-2", scenario=scenario, started_at=at + timedelta(hours=1),
                     outcome="hung_up", trace={"steps": []}),
    ]  # fmt: skip
    database = Database(server.database_url)
    with database.session() as session:
        calls.write_batch(session, records=records)
    database.dispose()
    return scenario


def _by_id(sheet: Worksheet) -> dict[str, dict[str, Any]]:
    """Each row's cells (openpyxl's, with their types) by the header's names, keyed by the first column."""
    header, *rows = list(sheet.iter_rows())
    names = [str(cell.value) for cell in header]
    return {str(row[0].value): dict(zip(names, row, strict=True)) for row in rows}


def test_the_call_register_as_xlsx_on_the_clock_asked_for(admin: Client, summer_calls: str) -> None:
    exported = admin.get("/api/calls.xlsx", params={"scenario": summer_calls, "tz": "Europe/Madrid"})
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"] == XLSX_MEDIA_TYPE
    assert exported.headers["content-disposition"] == 'attachment; filename="calls.xlsx"'
    assert int(exported.headers["content-length"]) == len(exported.content)
    sheet = _sheet(exported.content)
    header = [cell.value for cell in sheet[1]]
    assert header[10:13] == ["started_at (Europe/Madrid)", "started_at (UTC)", "answered_at (Europe/Madrid)"]
    assert header[-7:] == ["recorded_at (Europe/Madrid)", "channel", "scheduled_job_ids", "error_steps", "node",
                           "direction", "scenario_name"]  # fmt: skip
    assert sheet.freeze_panes == "A2"
    rows = _by_id(sheet)
    assert set(rows) == {f"{summer_calls}-1", f"{summer_calls}-2"}
    first, second = rows[f"{summer_calls}-1"], rows[f"{summer_calls}-2"]
    started = first["started_at (Europe/Madrid)"]
    assert isinstance(started.value, datetime) and started.value == datetime(2026, 5, 1, 10, 0, 0)
    assert started.number_format == TIME_NUMBER_FORMAT
    assert first["started_at (UTC)"].value == datetime(2026, 5, 1, 8, 0, 0)
    assert first["ended_at (Europe/Madrid)"].value == datetime(2026, 5, 1, 10, 1, 0)
    assert isinstance(first["recorded_at (Europe/Madrid)"].value, datetime)
    assert (first["duration_ms"].value, first["duration_ms"].data_type) == (60000, "n")
    assert first["version"].value is None  # no version ran: an empty cell, not "None"
    name = first["caller_name"]
    assert (name.value, name.data_type) == (f'=HYPERLINK("http://x","Ana"){REPLACEMENT}', "s")
    assert (first["caller_id"].value, first["caller_id"].data_type) == ("+34600111222", "s")
    assert first["dialed_number"].value == "0034910000000" and first["result"].value == "will_pay"
    assert second["answered_at (Europe/Madrid)"].value is None


def test_the_call_register_as_xlsx_is_in_utc_unless_asked(admin: Client, summer_calls: str) -> None:
    sheet = _sheet(admin.get("/api/calls.xlsx", params={"scenario": summer_calls}).content)
    header = [str(cell.value) for cell in sheet[1]]
    assert [name for name in header if name.endswith(")")] == [
        "started_at (UTC)", "answered_at (UTC)", "ended_at (UTC)", "recorded_at (UTC)"
    ]  # fmt: skip
    assert _by_id(sheet)[f"{summer_calls}-1"]["started_at (UTC)"].value == datetime(2026, 5, 1, 8, 0, 0)


def test_the_call_registers_filters_apply_to_the_xlsx(admin: Client, summer_calls: str) -> None:
    def ids(**params: str) -> set[str]:
        exported = admin.get("/api/calls.xlsx", params={"scenario": summer_calls, **params})
        assert exported.status_code == 200, exported.text
        return set(_by_id(_sheet(exported.content)))

    assert ids(result="will_pay") == ids(caller="+34 600 111 222") == {f"{summer_calls}-1"}
    # `until` without an offset is read on the clock `tz` names: 10:30 in Madrid is 08:30 UTC, between the two.
    assert ids(tz="Europe/Madrid", until="2026-05-01T10:30:00") == {f"{summer_calls}-1"}
    assert ids(since="2026-05-01T08:30:00Z") == {f"{summer_calls}-2"}
    assert ids(result="no-such-result") == set()


def test_a_register_past_a_sheets_rows_is_a_422_saying_to_narrow_it(
    admin: Client, summer_calls: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xlsx_export, "MAX_ROWS", 2)  # the header and one call: the scenario has two
    refused = admin.get("/api/calls.xlsx", params={"scenario": summer_calls})
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert "narrow it" in refused.json()["detail"] and refused.json()["problems"][0]["code"] == "sheet_full"
    narrowed = admin.get("/api/calls.xlsx", params={"scenario": summer_calls, "result": "will_pay"})
    assert narrowed.status_code == 200 and _sheet(narrowed.content).max_row == 2  # one call fits


@pytest.mark.parametrize("tz", ["Mars/Olympus", "Europe/Madird", "+01:00"])
def test_an_unknown_time_zone_is_a_422_naming_the_parameter(admin: Client, tz: str) -> None:
    refused = admin.get("/api/calls.xlsx", params={"tz": tz})
    assert refused.status_code == 422, refused.text
    (problem,) = refused.json()["problems"]
    assert problem["path"] == "$.tz", problem


@pytest.fixture
def madrid_campaign(server: Server, admin: Client, slug: Callable[[str], str]) -> str:
    """A Madrid office's campaign "Deudas": its first client dialled at 09:30:12 on the office's clock and
    answered at 09:30:20; its second not called yet."""
    name = slug("madrid")
    _published(admin, name)
    rows = [{"phone": "+34 600 111 222", "nombre": "=1+1", "importe": -150.5}, {"phone": "600111223"}]
    started = {"scenario": name, "rows": rows, "timezone": "Europe/Madrid", "due": "2026-11-23T09:00:00+01:00",
               "name": "Deudas"}  # fmt: skip
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


def test_a_campaign_report_as_xlsx_on_the_campaigns_clock(admin: Client, madrid_campaign: str) -> None:
    report = admin.get(f"/api/callbacks/campaigns/{madrid_campaign}.xlsx")
    assert report.status_code == 200, report.text
    assert report.headers["content-type"] == XLSX_MEDIA_TYPE
    assert report.headers["content-disposition"] == "attachment; filename=\"Deudas.xlsx\"; filename*=UTF-8''Deudas.xlsx"
    sheet = _sheet(report.content)
    header, first, second = _table(sheet)
    assert header == ["row", "number", "status", "attempts", "outcome", "last_attempt_at (Europe/Madrid)",
                      "last_attempt_at (UTC)", "result", "result_label", "call_outcome",
                      "answered_at (Europe/Madrid)", "call_id", "phone", "nombre", "importe"]  # fmt: skip
    dialled, answered = datetime(2026, 11, 23, 9, 30, 12), datetime(2026, 11, 23, 9, 30, 20)  # Madrid's clock
    assert first[:11] == [1, "+34600111222", "done", 1, "answered", dialled, dialled - timedelta(hours=1), "will_pay",
                          None, "ended", answered]  # fmt: skip
    assert first[12:] == ["+34 600 111 222", "=1+1", -150.5]
    assert [cell.data_type for cell in sheet[2]][12:] == ["s", "s", "n"]  # the name never a formula
    assert second[5] is second[6] is second[10] is None  # not called: no time, not a made-up one


def test_an_unknown_campaign_is_a_404_before_any_file(admin: Client) -> None:
    missing = admin.get("/api/callbacks/campaigns/no-such-campaign.xlsx")
    assert missing.status_code == 404, missing.text
    assert missing.headers["content-type"] == "application/problem+json"


def test_a_viewer_exports_both_and_nobody_signed_in_does(
    user_factory: Callable[[str], Client], anonymous: Client, summer_calls: str, madrid_campaign: str
) -> None:
    viewer = user_factory("viewer")
    paths = ("/api/calls.xlsx", f"/api/callbacks/campaigns/{madrid_campaign}.xlsx")
    for path in paths:
        exported = viewer.get(path, params={"scenario": summer_calls} if path == paths[0] else None)
        assert exported.status_code == 200, exported.text
        assert _sheet(exported.content).max_row == 3
        assert anonymous.get(path).status_code == 401


def test_a_campaign_report_as_xlsx_uploads_back_as_a_list_with_its_cells_intact(
    admin: Client, slug: Callable[[str], str]
) -> None:
    """To call the unreached again, a supervisor uploads the report back as a list. From the CSV, a Spanish amount
    `-1.234,56` came back `'-1.234,56` (the apostrophe that keeps a spreadsheet from running a cell starting with
    -); from the XLSX every cell comes back as it went: numbers as numbers, the phone and the rest as text."""
    name = slug("again")
    _published(admin, name, [{"name": "importe", "type": "number", "default": 0}])
    rows = [
        {"phone": "+34 600 111 222", "nombre": "=1+1", "importe": -150.5, "saldo": "-1.234,56", "cuenta": "007"},
        {"phone": "+7 (495) 123-45-67", "nombre": "Пётр", "importe": -3, "saldo": "-0,50", "cuenta": "0042"},
    ]
    created = admin.post("/api/callbacks/batch", json={"scenario": name, "rows": rows})
    assert created.status_code == 200, created.text

    report = admin.get(f"/api/callbacks/campaigns/{created.json()['campaign_id']}.xlsx")
    assert report.status_code == 200, report.text
    files = {"file": ("Deudas.xlsx", report.content, XLSX_MEDIA_TYPE)}
    read = admin.post("/api/callbacks/lists", files=files)
    assert read.status_code == 200, read.text
    assert read.json()["sheet"] == "report"
    assert [{column: row[column] for column in rows[0]} for row in read.json()["rows"]] == rows
    assert [row["number"] for row in read.json()["rows"]] == ["+34600111222", "+74951234567"]

    again = {"scenario": name, "rows": read.json()["rows"], "number_column": "phone", "dry_run": True}
    checked = admin.post("/api/callbacks/batch", json=again)
    assert checked.status_code == 200, checked.text
    preview = checked.json()["preview"]
    assert [(job["number"], job["variables"]["importe"]) for job in preview] == [
        ("+34600111222", -150.5),
        ("+74951234567", -3),
    ]
