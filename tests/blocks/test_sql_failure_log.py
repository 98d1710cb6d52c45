"""The SQL block's failures in the log, and what its step says of a query its call's hangup cancelled.

Support review: an SQL block taking its error exit logged nothing, so a complaint ("it said it could not find
me") needed the call register and a developer. Each failure is now one WARNING naming the call, the node and the
source, and never a bound parameter's value, which a database may quote back in its error.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

import pytest

from blocks import default_registry
from blocks.builtin.sql import without_values
from graph_engine.document import parse_document
from graph_engine.errors import CallerHangup, DataSourceError
from graph_engine.interpreter import CallRun, run_call
from graph_engine.scripted import ScriptedChannel
from graph_engine.services import FixedClock, Services, StaticDataSources

CALLER = "+34600111222"
FACTS = {"caller_id": CALLER, "caller_name": "", "dialed_number": "", "channel": "x"}


def _document(query: str) -> dict[str, Any]:
    return {
        "format": "ivrgraph.scenario/1",
        "name": "w",
        "nodes": [
            {"id": "start", "type": "start", "config": {}},
            {"id": "q", "type": "sql", "config": {"source": "crm", "query": query}},
        ],
        "edges": [{"source": "start", "exit": "next", "target": "q"}],
    }


class Refuses:
    """A data source whose database quotes the value it could not take, as PostgreSQL's cast error does."""

    async def query(
        self, source: str, sql: str, params: Mapping[str, Any], *, timeout: float, max_rows: int
    ) -> list[dict[str, Any]]:
        raise DataSourceError(f'query on data source {source!r} failed: invalid input: "{params["caller_id"]}"')


class Waits:
    """A data source whose database takes its time: `asked` is set once the query is under way."""

    def __init__(self) -> None:
        self.asked = asyncio.Event()

    async def query(
        self, source: str, sql: str, params: Mapping[str, Any], *, timeout: float, max_rows: int
    ) -> list[dict[str, Any]]:
        self.asked.set()
        await asyncio.sleep(3600)
        return []


def _warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "blocks.builtin.sql" and r.levelno == logging.WARNING]


async def test_a_failure_is_logged_with_the_call_node_and_source_but_not_the_values(
    caplog: pytest.LogCaptureFixture,
) -> None:
    document = parse_document(_document("SELECT name FROM staff WHERE phone = :caller_id"))
    services = Services(data_sources=Refuses())
    result = await run_call(document, ScriptedChannel(()), default_registry(), services, facts=FACTS, call_id="c1")
    assert result.steps[1].exit == "error" and CALLER in str(result.steps[1].error)  # the trace keeps its words
    [line] = _warnings(caplog)
    assert line.getMessage() == (
        "call_id=c1 SQL block 'q' on data source 'crm' took its error exit: "
        "'query on data source \\'crm\\' failed: invalid input: \":caller_id\"'"
    )
    assert (line.call_id, line.node, line.data_source) == ("c1", "q", "crm")  # type: ignore[attr-defined]


async def test_a_query_missing_its_variables_is_logged_too(caplog: pytest.LogCaptureFixture) -> None:
    document = parse_document(_document("SELECT name FROM staff WHERE pin = :pin"))
    await run_call(document, ScriptedChannel(()), default_registry(), Services(), facts=FACTS, call_id="c2")
    [line] = _warnings(caplog)
    assert line.getMessage().endswith("took its error exit: 'query needs variables that are not set: pin'")


async def test_a_found_row_logs_nothing(caplog: pytest.LogCaptureFixture) -> None:
    services = Services(data_sources=StaticDataSources({"crm": [{"name": "Luis"}]}))
    document = parse_document(_document("SELECT name FROM staff"))
    result = await run_call(document, ScriptedChannel(()), default_registry(), services, facts=FACTS)
    assert result.steps[1].exit == "found" and not _warnings(caplog)


async def test_a_hangup_mid_query_notes_a_cancelled_lookup_and_how_long_it_ran(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock, source = FixedClock(), Waits()
    run = CallRun(
        parse_document(_document("SELECT pg_sleep(10)")),
        channel=ScriptedChannel(()),
        registry=default_registry(),
        services=Services(clock=clock, data_sources=source),
        facts=FACTS,
    )
    walk = asyncio.ensure_future(run.run())
    await source.asked.wait()
    clock.advance(1.25)
    assert run.interrupt(CallerHangup("the caller hung up while the block was busy away from the channel"))
    result = await asyncio.wait_for(walk, 2.0)
    assert (result.outcome, result.steps[1].exit) == ("caller_hangup", "hangup")
    assert result.steps[1].events == [{"kind": "sql", "source": "crm", "cancelled": True, "elapsed_ms": 1250}]
    assert not _warnings(caplog)  # the caller left: no failure of the block


@pytest.mark.parametrize(
    ("text", "bound", "expected"),
    [
        ('invalid input syntax for type integer: "ab12"', [("account", "ab12")], 'integer: ":account"'),
        ("Incorrect integer value: '+34 600' for column", [("phone", "+34 600")], "value: ':phone' for"),
        ("no row for 5550100 (5550100)", [("n", 5550100)], "no row for :n (:n)"),
        # Only where it stands apart: a value inside a longer word or number is not that value.
        ("x12 and 123 and 12", [("k", "12")], "x12 and 123 and :k"),
        # The longer first: a value holding another is replaced whole.
        ("'ab' 'abc'", [("short", "ab"), ("long", "abc")], "':short' ':long'"),
        ("regex .* chars", [("p", ".*")], "regex :p chars"),
        # Nothing to hide in a flag, a missing value or a structure, and an empty value is everywhere.
        ("True None []", [("a", True), ("b", None), ("c", []), ("d", "")], "True None []"),
    ],
)
def test_bound_values_are_written_as_their_names(text: str, bound: list[tuple[str, Any]], expected: str) -> None:
    assert expected in without_values(text, bound)


async def test_a_test_calls_failure_is_no_warning(caplog: pytest.LogCaptureFixture) -> None:
    """A designer's test call without rows for the source takes the error exit: the analyst reads it there."""
    caplog.set_level(logging.INFO, logger="blocks.builtin.sql")
    document = parse_document(_document("SELECT name FROM staff"))
    services = Services(simulated=True)
    result = await run_call(document, ScriptedChannel(()), default_registry(), services, facts=FACTS, call_id="t1")
    assert result.steps[1].exit == "error" and not _warnings(caplog)
    [line] = [r for r in caplog.records if r.name == "blocks.builtin.sql"]
    assert line.levelno == logging.INFO and "no test rows for data source 'crm'" in line.getMessage()
