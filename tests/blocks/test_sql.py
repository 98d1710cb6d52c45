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
