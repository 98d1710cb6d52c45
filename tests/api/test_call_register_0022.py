"""Migration 0022 on a register that already holds calls, on SQLite and PostgreSQL: the records written before it get
their number keys, the jobs they asked for and their failed steps (as the writer derives them now), more records
than one batch of the backfill included; the API a node starts on it (and so migrates it) finds them over real
HTTP; their trace stripped by retention, what it no longer says is null, "not known"; the new indexes serve the
filters; and a downgrade drops the columns and keeps the records."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import inspect, select, text

from api.settings import Settings
from persistence import calls
from persistence.calls import CallFilter
from persistence.db import Database, make_engine
from persistence.migrate import alembic_config, current_revision, head_revision, upgrade
from persistence.models import CallRecord
from persistence.publishing import PublishHub
from tests.api.conftest import ADMIN, ADMIN_PASSWORD, Client, _designer_dist, serve_api
from tests.persistence import pg
from tests.persistence.statements import run_statements

MIGRATION = "persistence/migrations/versions/0022_calls_keyed_by_number_linked_to_jobs_with_errors_counted.py"
FILLERS = 5_003  # more than one batch (`BATCH`, 5,000) of the backfill
NEW_COLUMNS = {"caller_key", "dialed_key", "scheduled_job_ids", "error_steps"}
NEW_INDEXES = {
    "ix_call_records_caller_key_started",
    "ix_call_records_dialed_key_started",
    "ix_call_records_origin_started",
    "ix_call_records_errors_started",
    "ix_call_records_scheduled_jobs",
}
STRIPPED = {"retention": {"stripped_at": "2026-12-20T00:00:00+00:00"}, "outcome": "hung_up", "steps": []}


def _step(node: str, exit_name: str | None, *events: dict[str, Any], type_: str = "callback") -> dict[str, Any]:
    """A trace step as the engine writes it (graph_engine.trace.TraceStep: `error` is in every one)."""
    return {"index": 0, "node": node, "type": type_, "label": node, "at": "2026-12-01T09:00:00+00:00",
            "exit": exit_name, "keys": "", "prompts": [], "variables_changed": {}, "events": list(events),
            "duration_ms": 1.0, "error": "failed" if exit_name == "error" else None, "scenario": None}  # fmt: skip


def _asked(job: str, **merged: bool) -> dict[str, Any]:
    return {"kind": "callback_scheduled", "job_id": job, "due": "2026-12-01T10:00:00+00:00", "number": "600111222",
            **merged}  # fmt: skip


# Call id -> (caller, number rung, status, trace): the calls a register held before 0022.
OLD_CALLS: dict[str, tuple[str, str, str, Any]] = {
    "a-spaced": ("+34 600 111 222", "", "answered", {"steps": [_step("start", "next", type_="start")]}),
    "b-asked": (
        "+34600111333",
        "",
        "callback_scheduled",
        {
            "steps": [
                _step("ask", "scheduled", _asked("job-1")),
                _step("again", "scheduled", _asked("job-2", merged=True)),
                _step("third", "scheduled", _asked("job-1", merged=True)),  # joined the first one's job: listed once
            ]
        },
    ),
    "c-failed": (
        "+34600111444",
        "",
        "answered",
        {
            "steps": [
                _step("lookup", "error", {"kind": "fallback", "target": "sorry"}, type_="sql"),
                _step("sorry", "next", type_="say_phrase"),
            ]
        },
    ),
    "d-stripped-asked": ("+34600111555", "", "callback_scheduled", STRIPPED),
    "e-stripped": ("+34600111666", "", "answered", STRIPPED),
    "f-odd": ("anonymous", "", "answered", {"steps": ["not a step", _step("x", "error"), _step("y", "error")]}),
    "g-rung": ("+34910000000", "0034 600 111 222", "answered", {"steps": {"exit": "error"}}),  # no list of steps
}
_INSERT = (
    "INSERT INTO call_records (id, scenario, caller_id, caller_name, dialed_number, channel, node, asterisk_uniqueid, "
    "started_at, ended_at, duration_ms, outcome, status, origin_call_id, callback_job_id, variables, trace) VALUES "
    "(:id, 'old', :caller, '', :rung, 'PJSIP/trunk-1', 'n1', '', :at, :at, 0, 'hung_up', :status, NULL, NULL, '{}', "
    ":trace)"
)


def _old_register(url: str) -> None:
    """The register at 0021: OLD_CALLS, then FILLERS plain calls (ids after theirs), a second apart."""
    rows = [{"id": call_id, "caller": caller, "rung": rung, "status": status, "trace": json.dumps(trace),
             "at": f"2026-12-01 09:{n:02d}:00"} for n, (call_id, (caller, rung, status, trace)) in
            enumerate(OLD_CALLS.items())]  # fmt: skip
    rows += [{"id": f"z-{n:05d}", "caller": f"0034 600 {n:06d}", "rung": "", "status": "answered",
              "trace": json.dumps({"steps": [_step("start", "next", type_="start")]}),
              "at": f"2026-11-30 {n // 3600:02d}:{n // 60 % 60:02d}:{n % 60:02d}"} for n in range(FILLERS)]  # fmt: skip
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text(_INSERT), rows)
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def old_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database at revision 0021 holding the old register."""
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / 'register.sqlite3'}"
        else:
            url = stack.enter_context(pg.throwaway_database("mig0022"))
        upgrade(url, "0021")
        _old_register(url)
        yield url


def _served(url: str, folder: Path) -> Iterator[Client]:
    """The API started on `url` (which migrates it, as `ivrgraph serve` does), signed in as its admin."""
    settings = Settings(database_url=url, admin_user=ADMIN, admin_password=ADMIN_PASSWORD,
                        designer_dist=_designer_dist(folder / "dist"), media_root=folder)  # fmt: skip
    (folder / "dist").mkdir(exist_ok=True)
    for base_url in serve_api(settings, PublishHub()):
        with Client(base_url=base_url, timeout=30) as client:
            assert client.login(ADMIN, ADMIN_PASSWORD).status_code == 200
            yield client


def _ids(client: Client, **params: Any) -> list[str]:
    response = client.get("/api/calls", params={"scenario": "old", "page_size": 50, **params})
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_the_api_started_on_an_old_register_migrates_it_and_finds_its_calls(old_url: str, tmp_path: Path) -> None:
    (tmp_path / "dist").mkdir()
    for admin in _served(old_url, tmp_path):
        assert current_revision(old_url) == head_revision()  # 0022 and any migration after it
        assert _ids(admin, caller="+34600111222") == ["g-rung", "a-spaced"]  # as the trunk and the dialer wrote it
        assert _ids(admin, caller="+34 600 000 042") == ["z-00042"]  # a record of the backfill's second batch...
        assert _ids(admin, caller="+34600005002") == ["z-05002"]
        assert _ids(admin, scheduled_job_id="job-2") == ["b-asked"]
        assert _ids(admin, with_errors="true") == ["f-odd", "c-failed"]
        assert "d-stripped-asked" not in _ids(admin, with_errors="false")  # not known: in neither
        known = {call_id: admin.get(f"/api/calls/{call_id}").json() for call_id in OLD_CALLS}
        assert {call_id: (call["scheduled_job_ids"], call["error_steps"]) for call_id, call in known.items()} == {
            "a-spaced": ([], 0),
            "b-asked": (["job-1", "job-2"], 0),
            "c-failed": ([], 1),
            "d-stripped-asked": (None, None),  # its trace no longer says which job
            "e-stripped": ([], None),  # its status says it asked for none; the steps are gone
            "f-odd": ([], 2),
            "g-rung": ([], 0),
        }


def _stored(url: str) -> dict[str, tuple[Any, ...]]:
    database = Database(url)
    try:
        with database.session() as session:
            query = select(
                CallRecord.id,
                CallRecord.caller_key,
                CallRecord.dialed_key,
                CallRecord.scheduled_job_ids,
                CallRecord.error_steps,
                CallRecord.caller_id,
                CallRecord.dialed_number,
                CallRecord.trace,
            )
            return {row[0]: tuple(row[1:]) for row in session.execute(query)}  # fmt: skip
    finally:
        database.dispose()


def test_the_backfill_derives_what_the_writer_derives_and_a_downgrade_drops_it(old_url: str) -> None:
    upgrade(old_url)
    stored = _stored(old_url)
    assert len(stored) == len(OLD_CALLS) + FILLERS
    for call_id, (caller_key, dialed_key, jobs, errors, caller, rung, trace) in stored.items():
        # What persistence.calls writes for a record written today, for every record the trace still tells.
        assert (caller_key, dialed_key) == (calls.number_key(caller), calls.number_key(rung)), call_id
        if "stripped" not in call_id:
            assert (jobs, errors) == (calls.scheduled_job_ids(trace), calls.error_steps(trace)), call_id
    assert stored["a-spaced"][:2] == ("+34600111222", "") and stored["f-odd"][0] == "anonymous"
    assert stored["g-rung"][1] == "+34600111222"

    engine = make_engine(old_url)
    try:
        indexes = {index["name"] for index in inspect(engine).get_indexes("call_records")}
    finally:
        engine.dispose()
    assert NEW_INDEXES <= indexes

    command.downgrade(alembic_config(old_url), "0021")
    engine = make_engine(old_url)
    try:
        columns = {column["name"] for column in inspect(engine).get_columns("call_records")}
        indexes = {index["name"] for index in inspect(engine).get_indexes("call_records")}
    finally:
        engine.dispose()
    assert not columns & NEW_COLUMNS and not indexes & NEW_INDEXES
    kept = run_statements(old_url, ("SELECT count(*), min(id), max(id) FROM call_records", {}))
    assert kept == [(len(OLD_CALLS) + FILLERS, "a-spaced", f"z-{FILLERS - 1:05d}")]
    upgrade(old_url)  # and up again, from what the downgrade left
    assert _stored(old_url)["b-asked"][2] == ["job-1", "job-2"]


def _plan(url: str, filters: CallFilter) -> str:
    """The database's plan of the register's page query for `filters`, as one text (PostgreSQL analyses the table
    and is told to avoid sequential scans: the table is small here, and the question is whether an index serves
    the filter)."""
    query = calls._filtered(select(CallRecord.id), filters)
    query = query.order_by(CallRecord.started_at.desc(), CallRecord.id.desc()).limit(50)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            sql = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
            if connection.dialect.name == "sqlite":
                return " ".join(str(row) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
            connection.exec_driver_sql("ANALYZE call_records")  # the statistics a register of this size has
            connection.exec_driver_sql("SET enable_seqscan = off")
            return " ".join(str(row) for row in connection.exec_driver_sql(f"EXPLAIN {sql}"))
    finally:
        engine.dispose()


def test_the_new_filters_are_served_by_their_indexes(old_url: str) -> None:
    upgrade(old_url)
    assert "ix_call_records_caller_key_started" in _plan(old_url, CallFilter(caller="+34 600 111 222"))
    assert "ix_call_records_dialed_key_started" in _plan(old_url, CallFilter(caller="+34 600 111 222"))
    assert "ix_call_records_errors_started" in _plan(old_url, CallFilter(with_errors=True))
    assert "ix_call_records_scheduled_jobs" in _plan(old_url, CallFilter(scheduled_job_id="job-1"))
    assert "ix_call_records_origin_started" in _plan(old_url, CallFilter(origin_call_id="b-asked"))
