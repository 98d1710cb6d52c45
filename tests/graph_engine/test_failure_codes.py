"""A block's expected failure is named in its step's trace (a `failure` event: a stable code and the params of its
message), so the designer can word it in the analyst's language; the English error stays as it was (review of
2026-12-05: a Russian analyst read «Ошибка: unknown time zone 'Europe/Moskow'»)."""

from __future__ import annotations

from typing import Any

import pytest

from graph_engine.document import parse_document
from graph_engine.errors import DataSourceError, TemplateError
from graph_engine.interpreter import run_call
from graph_engine.registry import BlockRegistry
from graph_engine.scripted import ScriptedChannel
from graph_engine.services import Services
from graph_engine.simulation import SimulationInput, simulate
from graph_engine.templates import evaluate, render
from graph_engine.trace import CallOutcome, CallResult
from tests.conftest import make_document

HOURS = [{"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "from": "09:00", "to": "21:00"}]


def failing(node: dict[str, Any]) -> dict[str, Any]:
    """Start, then `node`, its error exit unwired and no fallback: the call fails at it."""
    return make_document([{"id": "start", "type": "start"}, node], [("start", "next", node["id"])])


async def run(document: dict[str, Any], registry: BlockRegistry, services: Services | None = None) -> CallResult:
    return await run_call(parse_document(document), ScriptedChannel(), registry, services)


def failures(result: CallResult) -> list[dict[str, Any]]:
    return [event for step in result.steps for event in step.events if event.get("kind") == "failure"]


@pytest.mark.parametrize(
    ("node", "error", "event"),
    [
        (
            {"id": "schedule", "type": "schedule", "config": {"timezone": "Europe/Moskow", "hours": HOURS}},
            "unknown time zone 'Europe/Moskow'",
            {"code": "unknown_timezone", "timezone": "Europe/Moskow"},
        ),
        (
            {"id": "hello", "type": "say_phrase", "config": {"text": "Hola {{ client_name }}"}},
            "unknown variable: 'client_name' is undefined",
            {"code": "unknown_variable", "variable": "client_name"},
        ),
        (
            {"id": "hello", "type": "say_phrase", "config": {"text": "{{ 1 // 0 }}"}},
            "template failed: integer division or modulo by zero",
            {"code": "template_failed", "part": "template", "detail": "integer division or modulo by zero"},
        ),
        (
            # A NULL column spoken as money: the refusal named beside its English words (review of a Russian
            # contact centre: «шаблон не удалось заполнить: not a number: None»).
            {"id": "debt", "type": "say_phrase", "config": {"text": "Долг {{ money(none, 'RUB', 'ru') }}"}},
            "template failed: not a number: None",
            {
                "code": "template_failed",
                "part": "template",
                "detail": "not a number: None",
                "reason": "not_a_number",
                "value": "None",
            },
        ),
        (
            {"id": "sales", "type": "transfer", "config": {"target": "отдел продаж"}},
            "not a destination that can be dialed: 'отдел продаж'",
            {"code": "not_dialable", "target": "отдел продаж"},
        ),
        (
            {"id": "crm", "type": "sql", "config": {"source": "crm", "query": "SELECT 1"}},
            # A test call given no rows for the source: not "is not configured", which it may well be on the server.
            "no test rows for data source 'crm'",
            {"code": "no_test_rows", "source": "crm"},
        ),
        (
            {"id": "crm", "type": "sql", "config": {"source": "crm", "query": "SELECT name FROM t WHERE id = :who"}},
            "query needs variables that are not set: who",
            {"code": "sql_variables_not_set", "variables": "who"},
        ),
        (
            {"id": "elsewhere", "type": "goto_scenario", "config": {"scenario": "billing"}},
            "scenario 'billing' is not published",
            {"code": "scenario_not_published", "scenario": "billing"},
        ),
    ],
)
async def test_a_failing_block_names_its_failure_beside_the_english_error(registry, node, error, event):
    result = await run(failing(node), registry)
    step = result.steps[-1]
    assert step.exit == "error"
    assert step.error == error
    assert result.error == f"block {node['id']!r} failed: {error}"  # the call's line, for API clients and logs
    assert result.outcome is CallOutcome.FAILED
    assert step.events == [{"kind": "failure", **event}]


NO_NAME = {"reason": "no_field", "field": "name"}


@pytest.mark.parametrize(
    ("source", "variables", "params"),
    [
        ("{{ caller.name }}", {}, {"variable": "caller"}),
        ("{{ client.name }}", {"client": {}}, {"detail": "'dict object' has no attribute 'name'", **NO_NAME}),
        ("client.name == 'Ann'", {"client": {}}, {"detail": "'dict object' has no attribute 'name'", **NO_NAME}),
    ],
)
def test_an_unknown_variable_is_named_or_told_in_jinjas_words(source, variables, params):
    """The variable's name when Jinja's message is the plain one; an attribute a value lacks, its words whole and
    the field named."""
    with pytest.raises(TemplateError) as caught:
        (evaluate if "{" not in source else render)(source, variables)
    assert caught.value.code == "unknown_variable"
    assert caught.value.params == params


@pytest.mark.parametrize(
    ("source", "variables", "code", "params"),
    [
        ("{{ money(debt, 'RUB', 'ru') }}", {"debt": "12.000"}, "template_failed",
         {"reason": "ambiguous_number", "value": "'12.000'"}),
        ("{{ number(flag, 'es') }}", {"flag": True}, "template_failed", {"reason": "not_a_number", "value": "True"}),
        ("{{ spoken_date(due, 'ru') }}", {"due": "завтра"}, "template_failed",
         {"reason": "not_a_date", "value": "'завтра'"}),
        ("spoken_time(at, 'es') != ''", {"at": None}, "template_failed", {"reason": "not_a_time", "value": "None"}),
        ("{{ mony(debt, 'RUB', 'ru') }}", {"debt": 5}, "unknown_variable",
         {"variable": "mony", "reason": "unknown_function"}),
        ("{{ contact.name }}", {"contact": {}}, "unknown_variable", {"reason": "no_field", "field": "name"}),
        ("{{ debt | moneyy }}", {"debt": 5}, "template_syntax", {"reason": "unknown_filter", "name": "moneyy"}),
        ("debt is evenly", {"debt": 5}, "template_syntax", {"reason": "unknown_test", "name": "evenly"}),
    ],
)  # fmt: skip
def test_a_template_failure_names_its_reason_beside_the_english_detail(source, variables, code, params):
    """The designer words the reason and what it is about; `detail` keeps the English words for API clients."""
    with pytest.raises(TemplateError) as caught:
        (evaluate if "{" not in source else render)(source, variables)
    assert caught.value.code == code
    named = {name: value for name, value in caught.value.params.items() if name in params}
    assert named == params
    assert str(caught.value.params.get("detail", "")) in str(caught.value)  # the English words, as they were


def test_an_unknown_name_that_is_not_called_is_a_variable():
    with pytest.raises(TemplateError) as caught:
        render("{{ mony }} {{ money(1, 'EUR', 'es') }}", {})
    assert caught.value.params == {"variable": "mony"}


class _SilentSource:
    """A host's data source whose server stopped answering: it says so in English only."""

    async def query(self, source: str, sql: str, params: Any, *, timeout: float, max_rows: int) -> list[Any]:
        raise DataSourceError(f"data source {source!r} did not answer within {timeout:g} s")


async def test_a_failing_data_source_is_named_as_a_whole_with_its_english_words(registry):
    node = {"id": "crm", "type": "sql", "config": {"source": "crm", "query": "SELECT 1", "timeout": 2}}
    result = await run(failing(node), registry, Services(data_sources=_SilentSource()))
    detail = "data source 'crm' did not answer within 2 s"
    assert result.steps[-1].error == detail
    assert failures(result) == [{"kind": "failure", "code": "data_source_failed", "source": "crm", "detail": detail}]


async def test_a_failed_callback_names_the_scenario_it_was_for(registry):
    node = {"id": "cb", "type": "callback", "config": {"scenario": "callback-connect"}}
    sim = await simulate(failing(node), registry, SimulationInput(scheduler_fails=True))
    step = sim.result.steps[-1]
    assert step.error == "the callback scheduler is unavailable"
    assert step.events == [
        {
            "kind": "failure",
            "code": "callback_not_scheduled",
            "scenario": "callback-connect",
            "detail": "the callback scheduler is unavailable",
        }
    ]


async def test_successful_steps_and_unexpected_failures_note_no_failure(registry):
    """Only a named failure is noted: a step that went well has no such event, nor one whose block broke in a way
    nobody named (its error is the English text alone)."""
    doc = make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "hello", "type": "say_phrase", "config": {"text": "Hola {{ caller_id }}"}},
            {"id": "schedule", "type": "schedule", "config": {"timezone": "Europe/Madrid", "hours": HOURS}},
        ],
        [("start", "next", "hello"), ("hello", "next", "schedule")],
    )
    result = await run(doc, registry)
    assert [step.error for step in result.steps] == [None, None, None]
    assert failures(result) == []
