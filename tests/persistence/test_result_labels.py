"""The labels scenarios give their call results (persistence.result_labels), on SQLite and PostgreSQL: those of each
scenario's latest published version, and the call report's results in them, a code two scenarios label apart in
the words of the one most of its calls belong to."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event

from persistence import call_reports, scenarios
from persistence.calls import CallRecordIn, CallRecordWriter
from persistence.db import Database
from persistence.result_labels import result_labels
from tests.persistence import documents

AT = datetime(2026, 11, 2, 9, tzinfo=UTC)


def _publish(database: Database, slug: str, results: list[dict[str, str]] | None, *, create: bool = True) -> None:
    """`slug` published (again) declaring `results` (none: no `results` key)."""
    document: dict[str, Any] = documents.greeting(name=slug)
    if results is not None:
        document["results"] = results
    with database.session() as session:
        if create:
            scenario = scenarios.create_scenario(session, slug=slug, document=document, actor="test")
        else:
            scenario = scenarios.get_scenario(session, slug=slug)
        scenarios.store_version(session, scenario=scenario, document=document, message="", summary={}, actor="test")


def _call(name: str, scenario: str, result: str | None, minutes: int = 0) -> CallRecordIn:
    at = AT + timedelta(minutes=minutes)
    return CallRecordIn(call_id=name, scenario=scenario, started_at=at, answered_at=at,
                        ended_at=at + timedelta(seconds=30), outcome="hung_up", trace={"answered": True, "steps": []},
                        variables={"result": result} if result else {})  # fmt: skip


@pytest.fixture
def labelled(database: Database) -> Iterator[Database]:
    """`cobros` (Spanish labels) and `avisos` (its own for `will_pay`), `mudo` declaring none, `borrador` a draft."""
    _publish(database, "cobros", [{"code": "will_pay", "label": "Pagará"}, {"code": "operator", "label": "Operador"}])
    _publish(database, "avisos", [{"code": "will_pay", "label": "Pagará pronto"}])
    _publish(database, "mudo", None)
    with database.session() as session:
        scenarios.create_scenario(session, slug="borrador", document=documents.greeting(), actor="test")
    yield database


def test_the_labels_of_each_scenarios_latest_published_version(labelled: Database) -> None:
    with labelled.session() as session:
        assert result_labels(session, scenarios=["cobros", "avisos", "mudo", "borrador", "nadie"]) == {
            "cobros": {"will_pay": "Pagará", "operator": "Operador"},
            "avisos": {"will_pay": "Pagará pronto"},
        }
        assert result_labels(session, scenarios=[]) == {}
    _publish(labelled, "cobros", [{"code": "will_pay", "label": "Promete pagar"}], create=False)
    with labelled.session() as session:
        assert result_labels(session, scenarios=["cobros"]) == {"cobros": {"will_pay": "Promete pagar"}}


def test_a_deleted_scenarios_calls_have_no_labels(labelled: Database) -> None:
    with labelled.session() as session:
        scenarios.delete_scenario(session, slug="avisos")
    with labelled.session() as session:
        assert result_labels(session, scenarios=["avisos"]) == {}


def test_one_query_reads_the_labels_of_any_number_of_scenarios(labelled: Database) -> None:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(labelled.engine, "before_cursor_execute", count)
    try:
        with labelled.session() as session:
            result_labels(session, scenarios=["cobros", "avisos", "mudo", "borrador"])
    finally:
        event.remove(labelled.engine, "before_cursor_execute", count)
    assert len([s for s in statements if "scenario_versions" in s]) == 1, statements


def _report(database: Database, group: call_reports.ReportGroup) -> call_reports.CallReport:
    with database.session() as session:
        return call_reports.call_report(session, since=AT, until=AT + timedelta(days=1), zone=ZoneInfo("UTC"),
                                        group=group)  # fmt: skip


def _labelled_results(report: call_reports.CallReport, counts: call_reports.Counts) -> list[tuple[str, int, Any]]:
    return [(code, calls, counts.result_label(code, report.labels)) for code, calls in counts.top_results()]


def test_the_report_says_each_result_in_its_scenarios_words(labelled: Database) -> None:
    CallRecordWriter(labelled).write_batch(
        [
            _call("c1", "cobros", "will_pay"),
            _call("c2", "cobros", "will_pay", 1),
            _call("c3", "cobros", "operator", 2),
            _call("c4", "cobros", "no_response", 3),  # not declared: no label
            _call("a1", "avisos", "will_pay", 4),
            _call("m1", "mudo", "will_pay", 5),
            _call("m2", "mudo", "will_pay", 6),
            _call("m3", "mudo", "will_pay", 7),
        ]
    )
    report = _report(labelled, "day")
    # will_pay: 3 calls of `mudo`, which declares no label for it (passed over), 2 of `cobros`, 1 of `avisos`
    assert _labelled_results(report, report.totals) == [
        ("will_pay", 6, "Pagará"),
        ("no_response", 1, None),
        ("operator", 1, "Operador"),
    ]
    by_scenario = {row.scenario: _labelled_results(report, row.counts) for row in _report(labelled, "scenario").rows}
    assert by_scenario["avisos"] == [("will_pay", 1, "Pagará pronto")]
    assert by_scenario["mudo"] == [("will_pay", 3, None)]


def test_a_tie_between_two_labels_goes_to_the_slug_first_in_order(labelled: Database) -> None:
    CallRecordWriter(labelled).write_batch([_call("c1", "cobros", "will_pay"), _call("a1", "avisos", "will_pay", 1)])
    report = _report(labelled, "day")
    assert _labelled_results(report, report.totals) == [("will_pay", 2, "Pagará pronto")]  # avisos < cobros
