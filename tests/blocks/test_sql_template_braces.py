"""An SQL query binds only `:name`: `{{ name }}`, a template's, reaches the database as typed (a Studio habit)."""

from __future__ import annotations

from typing import Any

import pytest

from blocks import default_registry
from graph_engine.issues import Issue, Severity
from graph_engine.validation import validate


def _braces(query: str) -> list[Issue]:
    document = {
        "format": "ivrgraph.scenario/1",
        "name": "w",
        "nodes": [
            {"id": "start", "type": "start", "config": {}},
            {"id": "q", "type": "sql", "label": "Find client", "config": {"source": "crm", "query": query}},
        ],
        "edges": [{"source": "start", "exit": "next", "target": "q"}],
    }
    return [i for i in validate(document, default_registry()) if i.code == "sql_template_braces"]


def _params(issue: Issue) -> dict[str, Any]:
    return {k: v for k, v in issue.params.items() if k not in {"block_type", "block_title", "label"}}


def test_a_variable_in_braces_is_warned_of_with_its_parameter() -> None:
    [issue] = _braces("SELECT name FROM c WHERE phone = {{ caller_id }}")
    assert issue.severity is Severity.WARNING
    assert (issue.node, issue.path) == ("q", "$.nodes[1].config.query")
    assert _params(issue) == {"written": "{{ caller_id }}", "fix": ":caller_id"}
    assert issue.message == (
        'SQL "Find client": values go into a query as :name; {{ caller_id }} reaches the database as typed: '
        "write :caller_id"
    )


def test_quotes_around_the_braces_go_with_them() -> None:
    """Studio's `'{{trigger.call.From}}'` habit: the parameter needs no quotes, so the fix drops them."""
    [issue] = _braces("SELECT name FROM c WHERE phone = '{{caller_id}}'")
    assert _params(issue) == {"written": "'{{caller_id}}'", "fix": ":caller_id"}


@pytest.mark.parametrize(
    ("query", "written"),
    [
        ("SELECT {{ ordinal(caller_id, language) }}", "{{ ordinal(caller_id, language) }}"),
        ("SELECT 1 {% if vip %}WHERE 1{% endif %}", "{% if vip %}"),
        ("SELECT {{ contact.name }}", "{{ contact.name }}"),
    ],
)
def test_anything_else_in_braces_is_warned_of_without_a_fix(query: str, written: str) -> None:
    [issue] = _braces(query)
    assert _params(issue) == {"written": written}
    said = f"values go into a query as :name; {written} reaches the database as typed"
    assert issue.message == f'SQL "Find client": {said}'


@pytest.mark.parametrize("query", ["SELECT name FROM c WHERE phone = :caller_id", "SELECT '{x}', '{ {'"])
def test_a_query_without_template_braces_is_no_problem(query: str) -> None:
    assert _braces(query) == []
