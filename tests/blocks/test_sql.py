"""The SQL block's exits for a statement that returns no rows: how many rows it affected decides."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from blocks import default_registry
from blocks.builtin.sql import QueryAnswer
from graph_engine.document import parse_document
from graph_engine.interpreter import run_call
from graph_engine.scripted import ScriptedChannel
from graph_engine.services import Services
from graph_engine.validation import validate

FACTS = {"caller_id": "+34600111222", "caller_name": "", "dialed_number": "", "channel": "x"}


class Answers:
    """A data source that answers every statement with the same QueryAnswer."""

    def __init__(self, answer: list[dict[str, Any]]) -> None:
        self.answer = answer

    async def query(
        self, source: str, sql: str, params: Mapping[str, Any], *, timeout: float, max_rows: int
    ) -> list[dict[str, Any]]:
        return self.answer


async def _step(answer: list[dict[str, Any]], **config: Any) -> Any:
    document = {
        "format": "ivrgraph.scenario/1",
        "name": "w",
        "nodes": [
            {"id": "start", "type": "start", "config": {}},
            {"id": "q", "type": "sql", "config": {"source": "crm", "query": "UPDATE t SET a = 1", **config}},
        ],
        "edges": [{"source": "start", "exit": "next", "target": "q"}],
    }
    services = Services(data_sources=Answers(answer))
    result = await run_call(parse_document(document), ScriptedChannel(()), default_registry(), services, facts=FACTS)
    return result.steps[1]


@pytest.mark.parametrize(
    ("answer", "exit_name", "event"),
    [
        (QueryAnswer(rows_affected=3), "found", {"kind": "sql", "source": "crm", "rows": 0, "rows_affected": 3}),
        (QueryAnswer(rows_affected=0), "not_found", {"kind": "sql", "source": "crm", "rows": 0, "rows_affected": 0}),
        # The database did not count (PostgreSQL's CALL, a DDL statement): nothing says a row was affected.
        (QueryAnswer(rows_affected=None), "not_found", {"kind": "sql", "source": "crm", "rows": 0}),
        ([], "not_found", {"kind": "sql", "source": "crm", "rows": 0}),  # a data source that gives a plain list
    ],
)
async def test_a_statement_without_rows_is_found_when_it_affected_some(
    answer: list[dict[str, Any]], exit_name: str, event: dict[str, Any]
) -> None:
    step = await _step(answer)
    assert (step.exit, step.events) == (exit_name, [event])


async def test_a_write_asked_for_columns_takes_the_error_exit() -> None:
    """`found` promises the columns' variables are set; a statement that returned no row has none to give."""
    step = await _step(QueryAnswer(rows_affected=1), columns={"name": "who"})
    assert step.exit == "error" and "no column 'name'" in str(step.error)


def _column_problems(columns: dict[str, str]) -> list[tuple[str, Any]]:
    document = {
        "format": "ivrgraph.scenario/1",
        "name": "w",
        "nodes": [
            {"id": "start", "type": "start", "config": {}},
            {"id": "q", "type": "sql", "config": {"source": "crm", "query": "SELECT 1", "columns": columns}},
        ],
        "edges": [{"source": "start", "exit": "next", "target": "q"}],
    }
    return [(i.params["rule"], i.params["value"]) for i in validate(document, default_registry()) if i.code == "config"]


@pytest.mark.parametrize("column", ["Сумма", "Дата платежа", "COUNT(*)", "amount", "x" * 256])
def test_a_column_is_any_name_a_database_gives(column: str) -> None:
    """Matched against the cursor's names, never written into SQL: a Russian CRM's `Сумма` needs no alias."""
    assert _column_problems({column: "debt"}) == []


@pytest.mark.parametrize("column", ["", "Сумма\t", "a\x00b", "Сумма\r", "x" * 257])
def test_a_column_name_is_refused_only_when_no_database_would_give_it(column: str) -> None:
    assert _column_problems({column: "debt"}) == [("name_pattern", column[:60])]


def test_the_variable_a_column_fills_still_takes_a_variables_name() -> None:
    assert _column_problems({"Сумма": "сумма"}) == [("pattern", "сумма")]
