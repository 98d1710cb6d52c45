"""Validation's warnings about what a template writes that its author did not mean: a date variable spoken as it is
stored (`date_spoken_raw`: "le recordamos su cita el 2026-12-15") and a variable's name in single braces
(`single_brace_variable`: "Hola {nombre}" said as written). Review of a Spanish analyst's appointment reminder:
the test call said both, and validation had said nothing."""

from __future__ import annotations

from typing import Any

import pytest

from blocks import default_registry
from graph_engine.issues import Issue, Severity, has_errors
from graph_engine.validation import validate
from tests.conftest import make_document

HINTS = {"date_spoken_raw", "single_brace_variable"}
VARIABLES = [{"name": "fecha", "type": "date"}, {"name": "nombre"}, {"name": "contact", "type": "object"}]


def _hints(*nodes: dict[str, Any], variables: list[dict[str, Any]] | None = None) -> list[Issue]:
    """The template warnings of a scenario with `nodes` (unconnected: the warnings are each node's own)."""
    document = make_document(
        [{"id": "start", "type": "start"}, *nodes], [], variables=VARIABLES if variables is None else variables
    )
    return [issue for issue in validate(document, default_registry()) if issue.code in HINTS]


def _say(text: str, node_id: str = "say") -> dict[str, Any]:
    return {"id": node_id, "type": "say_phrase", "label": "Recordatorio", "config": {"text": text}}


def _found(issues: list[Issue]) -> list[tuple[str, str, str]]:
    return [(issue.code, issue.path, str(issue.params["variable"])) for issue in issues]


# -- a date spoken as it is stored ------------------------------------------------------------------------------


def test_a_date_variable_spoken_as_it_is_stored_is_warned_of_with_the_fix() -> None:
    [issue] = _hints(_say("Le recordamos su cita el {{ fecha }}."))
    assert (issue.severity, issue.code, issue.node, issue.path) == (
        Severity.WARNING,
        "date_spoken_raw",
        "say",
        "$.nodes[1].config.text",
    )
    assert issue.params == {
        "block_type": "say_phrase",
        "block_title": "Say Phrase",
        "label": "Recordatorio",
        "field": "Text to say",
        "variable": "fecha",
        "fix": "{{ spoken_date(fecha, language) }}",
    }
    assert issue.message == (
        'Say Phrase "Recordatorio": Text to say speaks the date "fecha" as it is stored (2026-12-15 is read out as '
        "numbers): write {{ spoken_date(fecha, language) }} to have it said as a date"
    )


def test_an_ivr_prompt_is_spoken_too_and_is_named_by_its_field() -> None:
    menu = {
        "id": "menu",
        "type": "ivr",
        "label": "Confirmar",
        "config": {
            "prompt": {"text": "Su cita es el {{ fecha }}. Pulse 1 para confirmar."},
            "invalid_prompt": {"text": "No le he entendido: su cita es el {{ fecha }}"},
            "options": [{"key": "1"}],
        },
    }
    issues = _hints(menu)
    assert _found(issues) == [
        ("date_spoken_raw", "$.nodes[1].config.prompt.text", "fecha"),
        ("date_spoken_raw", "$.nodes[1].config.invalid_prompt.text", "fecha"),
    ]
    assert issues[0].params["field"] == "Prompt > Text to say"


@pytest.mark.parametrize(
    "text",
    [
        "el {{ fecha | default('') }}",
        "el {{ fecha ~ '.' }}",
        "{% if fecha %}el {{ fecha }}{% endif %}",
        "{{ fecha if fecha }}",
    ],
)
def test_a_date_written_out_through_a_filter_a_join_or_a_condition_is_still_as_stored(text: str) -> None:
    assert _found(_hints(_say(text))) == [("date_spoken_raw", "$.nodes[1].config.text", "fecha")]


@pytest.mark.parametrize(
    "text",
    [
        "Le recordamos su cita el {{ spoken_date(fecha, language) }}.",
        "Su cita es en {{ fecha.year }}",  # a field of it, not the stored text
        "{% if fecha %}Tiene una cita{% endif %}",  # tested, not said
        "Hola {{ nombre }}",  # a variable of no date type
    ],
)
def test_a_date_said_through_spoken_date_or_not_said_at_all_is_no_problem(text: str) -> None:
    assert _hints(_say(text)) == []


def test_only_spoken_text_is_checked_not_other_templates_nor_sql_parameters() -> None:
    lookup = {
        "id": "sql",
        "type": "sql",
        "config": {"source": "crm", "query": "SELECT name FROM citas WHERE dia = :fecha", "columns": {"name": "x"}},
    }
    keep = {
        "id": "set",
        "type": "set_variable",
        "config": {"assignments": [{"variable": "when", "value": "{{ fecha }}"}]},
    }
    transfer = {"id": "tr", "type": "transfer", "config": {"target": "101", "caller_name": "Cita {{ fecha }}"}}
    assert _hints(lookup, keep, transfer) == []


def test_a_variable_not_declared_as_a_date_is_not_warned_of() -> None:
    assert _hints(_say("el {{ fecha }}"), variables=[{"name": "fecha", "type": "string"}]) == []


# -- a variable's name in single braces ---------------------------------------------------------------------------


def test_a_declared_variable_in_single_braces_is_warned_of_with_the_double_braces() -> None:
    [issue] = _hints(_say("Hola {nombre}, le llamamos de la clínica."))
    assert (issue.severity, issue.code, issue.node, issue.path) == (
        Severity.WARNING,
        "single_brace_variable",
        "say",
        "$.nodes[1].config.text",
    )
    assert issue.params == {
        "block_type": "say_phrase",
        "block_title": "Say Phrase",
        "label": "Recordatorio",
        "field": "Text to say",
        "variable": "nombre",
        "written": "{nombre}",
        "fix": "{{ nombre }}",
    }
    assert issue.message == (
        'Say Phrase "Recordatorio": Text to say has {nombre} in single braces, which is kept as written, braces and '
        'all: write {{ nombre }} to use the value of "nombre"'
    )


def test_a_channel_fact_a_field_and_a_variable_a_block_sets_count_too_in_any_template() -> None:
    lookup = {
        "id": "sql",
        "type": "sql",
        "config": {"source": "crm", "query": "SELECT name FROM c", "columns": {"name": "client_name"}},
    }
    say = _say("Hola { contact.name }, {client_name}")
    transfer = {"id": "tr", "type": "transfer", "config": {"target": "PJSIP/{caller_id}"}}
    assert _found(_hints(lookup, say, transfer)) == [
        ("single_brace_variable", "$.nodes[2].config.text", "contact.name"),
        ("single_brace_variable", "$.nodes[2].config.text", "client_name"),
        ("single_brace_variable", "$.nodes[3].config.target", "caller_id"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Pulse {1} para confirmar",  # no variable is called 1
        "Hola {desconocido}",  # nor desconocido
        'Responda { "si": 1 }',
        "Hola {{ nombre }}",
        "Hola {{ '{nombre}' }}",  # a value the template writes, not its text
        "{% raw %}{{ nombre }}{% endraw %}",
    ],
)
def test_braces_that_name_no_known_variable_or_are_already_a_template_are_no_problem(text: str) -> None:
    assert _hints(_say(text)) == []


def test_a_name_in_braces_inside_double_braces_is_a_syntax_error_only() -> None:
    document = make_document(
        [{"id": "start", "type": "start"}, _say("Hola {{ {nombre} }}")], [("start", "next", "say")], variables=VARIABLES
    )
    codes = [issue.code for issue in validate(document, default_registry())]
    assert "template_syntax" in codes
    assert not HINTS & set(codes)


def test_an_expression_is_not_read_for_single_braces() -> None:
    condition = {"id": "if", "type": "condition", "config": {"expression": "nombre == '{nombre}'"}}
    assert _hints(condition) == []


def test_the_hints_are_warnings_a_scenario_publishes_with() -> None:
    document = make_document(
        [
            {"id": "start", "type": "start"},
            _say("Hola {nombre}, su cita es el {{ fecha }}"),
            {"id": "bye", "type": "hangup"},
        ],
        [("start", "next", "say"), ("say", "next", "bye")],
        variables=VARIABLES,
    )
    issues = validate(document, default_registry())
    assert {issue.code for issue in issues} >= HINTS
    assert not has_errors(issues)
